use super::Status;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One row of `build_workflows`. JSON columns are kept as parsed values when they parse and
/// as strings when they do not, so a bad value written by another program is still shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workflow {
    pub id: String,
    pub build_id: CompactString,
    pub project_id: CompactString,
    pub user_id: Option<CompactString>,
    pub definition: CompactString,
    pub current_state: CompactString,
    pub current_role: CompactString,
    pub status: Status,
    /// The stored status text, kept so an unknown value can be shown as written.
    #[serde(skip)]
    pub status_raw: CompactString,
    pub phase_outputs: Value,
    pub retry_count: i64,
    pub max_retries: i64,
    pub last_error: Option<String>,
    pub version: i64,
    pub metadata: Value,
    pub created_at: CompactString,
    pub updated_at: CompactString,
    pub completed_at: Option<CompactString>,
    pub heartbeat_at: Option<CompactString>,
    /// When the current phase was entered; falls back to `updated_at` for rows written by
    /// orchestrators that do not fill it.
    pub state_entered_at: Option<CompactString>,
}

impl Workflow {
    /// The time the workflow entered its current phase.
    pub fn phase_since(&self) -> &str {
        self.state_entered_at.as_deref().unwrap_or(&self.updated_at)
    }

    /// A short, mostly unique handle for humans: the first 8 characters of the id.
    pub fn short_id(&self) -> &str {
        let end = self
            .id
            .char_indices()
            .nth(8)
            .map_or(self.id.len(), |(i, _)| i);
        &self.id[..end]
    }
}
