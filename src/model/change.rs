//! What the engine asks the store to write. The engine computes a [`Change`] with pure
//! functions; the store writes all of it in one transaction, or none of it.

use super::{Checkpoint, Definition, EventType, Handoff, HandoffKind, Workflow};
use serde_json::Value;

/// An operation on an existing workflow.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Move to the next phase, recording `output` as the output of the phase being left.
    Advance {
        output: Option<Value>,
    },
    /// Re-issue the current phase (counts against `max_retries`).
    Retry,
    /// Go back to `to` (default: the previous phase), restoring its checkpointed outputs.
    Rollback {
        to: Option<String>,
    },
    Fail {
        error: String,
    },
    Pause,
    Resume,
    Cancel,
    Acknowledge {
        handoff_id: String,
    },
}

impl Action {
    /// The verb used in messages and confirmations.
    pub fn verb(&self) -> &'static str {
        match self {
            Action::Advance { .. } => "advance",
            Action::Retry => "retry",
            Action::Rollback { .. } => "roll back",
            Action::Fail { .. } => "fail",
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Cancel => "cancel",
            Action::Acknowledge { .. } => "acknowledge",
        }
    }
}

/// A workflow to create (`start`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewWorkflow {
    pub build_id: Option<String>,
    pub project_id: String,
    pub user_id: Option<String>,
    pub definition: String,
    pub metadata: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewHandoff {
    pub id: String,
    pub from_role: Option<String>,
    pub to_role: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub kind: HandoffKind,
    pub data_transferred: Value,
}

impl NewHandoff {
    /// The row it becomes for workflow `workflow_id`, written at `at`, not yet acknowledged.
    pub fn row(&self, workflow_id: &str, at: &str) -> Handoff {
        Handoff {
            id: self.id.clone(),
            workflow_id: workflow_id.to_string(),
            from_role: self.from_role.clone(),
            to_role: self.to_role.clone(),
            from_state: self.from_state.clone(),
            to_state: self.to_state.clone(),
            kind: self.kind,
            data_transferred: self.data_transferred.clone(),
            created_at: at.to_string(),
            acknowledged_at: None,
            acknowledged_by: None,
        }
    }
}

/// Recorded with the workflow's new version and the change's timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCheckpoint {
    pub state: String,
    pub phase_outputs: Value,
    pub retry_count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_type: EventType,
    pub triggered_by: String,
    pub data: Value,
}

/// Everything one operation writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The workflow as it is after the change, version already bumped.
    pub workflow: Workflow,
    /// The version the workflow had before; the write is conditional on it.
    pub previous_version: i64,
    /// The change's time, used for every row it writes.
    pub at: String,
    pub handoff: Option<NewHandoff>,
    pub checkpoint: Option<NewCheckpoint>,
    /// A pending handoff this change acknowledges.
    pub acknowledge: Option<String>,
    pub event: NewEvent,
}

/// What the rules see when planning a change: the workflow as it is now, read by the store
/// inside its write lock.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub workflow: Workflow,
    /// `None` when the workflow names a definition that is not stored.
    pub definition: Option<Definition>,
    /// The newest checkpoint of each phase, for rollback.
    pub checkpoints: Vec<Checkpoint>,
    /// Handoffs not yet acknowledged.
    pub pending: Vec<Handoff>,
}
