use super::{Stamp, Status};
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

    /// A short, mostly unique handle for humans: see [`short_id`].
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }
}

/// A short, mostly unique handle for humans: the first 8 characters of a workflow id.
pub fn short_id(id: &str) -> &str {
    let end = id.char_indices().nth(8).map_or(id.len(), |(i, _)| i);
    &id[..end]
}

/// What the rules that judge a workflow at a glance read of it (stuck or not, its clocks,
/// its progress, the filter's text): implemented by [`Workflow`] and by the dashboard's
/// packed copy of one, so the same rule serves a row read from the database and a row held
/// among 50,000 others.
pub trait WorkflowFields {
    fn id(&self) -> &str;
    fn build_id(&self) -> &str;
    fn project_id(&self) -> &str;
    fn definition(&self) -> &str;
    fn current_state(&self) -> &str;
    fn current_role(&self) -> &str;
    fn status(&self) -> Status;
    /// The stored status text, as written.
    fn status_raw(&self) -> &str;
    fn created_at(&self) -> Stamp<'_>;
    fn updated_at(&self) -> Stamp<'_>;
    fn completed_at(&self) -> Option<Stamp<'_>>;
    fn heartbeat_at(&self) -> Option<Stamp<'_>>;
    fn state_entered_at(&self) -> Option<Stamp<'_>>;

    /// The time the workflow entered its current phase (`updated_at` for rows written by
    /// orchestrators that do not fill `state_entered_at`).
    fn phase_since(&self) -> Stamp<'_> {
        self.state_entered_at().unwrap_or(self.updated_at())
    }
}

impl WorkflowFields for Workflow {
    fn id(&self) -> &str {
        &self.id
    }
    fn build_id(&self) -> &str {
        &self.build_id
    }
    fn project_id(&self) -> &str {
        &self.project_id
    }
    fn definition(&self) -> &str {
        &self.definition
    }
    fn current_state(&self) -> &str {
        &self.current_state
    }
    fn current_role(&self) -> &str {
        &self.current_role
    }
    fn status(&self) -> Status {
        self.status
    }
    fn status_raw(&self) -> &str {
        &self.status_raw
    }
    fn created_at(&self) -> Stamp<'_> {
        Stamp::Text(&self.created_at)
    }
    fn updated_at(&self) -> Stamp<'_> {
        Stamp::Text(&self.updated_at)
    }
    fn completed_at(&self) -> Option<Stamp<'_>> {
        self.completed_at.as_deref().map(Stamp::Text)
    }
    fn heartbeat_at(&self) -> Option<Stamp<'_>> {
        self.heartbeat_at.as_deref().map(Stamp::Text)
    }
    fn state_entered_at(&self) -> Option<Stamp<'_>> {
        self.state_entered_at.as_deref().map(Stamp::Text)
    }
}
