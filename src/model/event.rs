use serde::Serialize;
use serde_json::Value;

/// One row of `workflow_events`, the audit trail. `seq` is the cursor for incremental reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub seq: i64,
    pub id: String,
    pub workflow_id: String,
    pub event_type: String,
    pub triggered_by: String,
    pub event_data: Value,
    pub created_at: String,
}

/// The event types baton's engine writes. Each one records a change that bumped the
/// workflow's `version`, which is what `baton doctor` counts. Other writers may add types
/// of their own; those are shown but not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    Started,
    Advanced,
    Retried,
    RolledBack,
    Completed,
    Failed,
    Paused,
    Resumed,
    Cancelled,
    Acknowledged,
}

impl EventType {
    pub const ALL: [EventType; 10] = [
        EventType::Started,
        EventType::Advanced,
        EventType::Retried,
        EventType::RolledBack,
        EventType::Completed,
        EventType::Failed,
        EventType::Paused,
        EventType::Resumed,
        EventType::Cancelled,
        EventType::Acknowledged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Started => "workflow_started",
            EventType::Advanced => "phase_advanced",
            EventType::Retried => "phase_retried",
            EventType::RolledBack => "phase_rolled_back",
            EventType::Completed => "workflow_completed",
            EventType::Failed => "workflow_failed",
            EventType::Paused => "workflow_paused",
            EventType::Resumed => "workflow_resumed",
            EventType::Cancelled => "workflow_cancelled",
            EventType::Acknowledged => "handoff_acknowledged",
        }
    }

    /// Transitions write a handoff and a checkpoint as well as the event.
    pub fn is_transition(self) -> bool {
        matches!(
            self,
            EventType::Advanced | EventType::Retried | EventType::RolledBack
        )
    }
}
