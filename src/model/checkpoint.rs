use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The state of a workflow as it was when it entered `state`; rollback restores from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub id: String,
    pub workflow_id: String,
    pub state: String,
    pub phase_outputs: Value,
    pub retry_count: i64,
    pub version: i64,
    pub created_at: String,
}
