//! What `Store::census` counts: how the live set is spread over phases and roles now.

/// How the live set is spread over phases and roles right now, counted by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    /// Live workflows by phase, role and status.
    pub live: Vec<CensusRow>,
    /// Unacknowledged handoffs into the phase and role a running workflow is in now (an
    /// older one left behind by a later move waits for nothing), by that phase and role.
    pub pending: Vec<PendingRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CensusRow {
    pub phase: String,
    pub role: String,
    /// As stored (`running`, `paused`, `failed`, or another writer's word).
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRow {
    pub phase: String,
    pub role: String,
    pub count: i64,
    /// When the longest-waiting one was handed over.
    pub oldest: Option<String>,
}
