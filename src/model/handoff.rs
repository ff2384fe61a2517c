use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// What caused a handoff: a forward move, a rollback to an earlier phase, or a retry that
/// re-issues the current phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HandoffKind {
    Advance,
    Rollback,
    Retry,
    Unknown,
}

impl HandoffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffKind::Advance => "advance",
            HandoffKind::Rollback => "rollback",
            HandoffKind::Retry => "retry",
            HandoffKind::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> HandoffKind {
        match s {
            "advance" => HandoffKind::Advance,
            "rollback" => HandoffKind::Rollback,
            "retry" => HandoffKind::Retry,
            _ => HandoffKind::Unknown,
        }
    }
}

impl fmt::Display for HandoffKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `workflow_handoffs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handoff {
    pub id: String,
    pub workflow_id: String,
    pub from_role: Option<String>,
    pub to_role: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub kind: HandoffKind,
    pub data_transferred: Value,
    pub created_at: String,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
}

impl Handoff {
    pub fn is_pending(&self) -> bool {
        self.acknowledged_at.is_none()
    }
}
