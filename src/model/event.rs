use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One row of `workflow_events`, the audit trail. `seq` is the cursor for incremental reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

    /// Every spelling of this type that baton reads: its own name, and the name the seeds'
    /// orchestrators write for the same change (`state_advanced` for an advance).
    pub fn spellings(self) -> &'static [&'static str] {
        match self {
            EventType::Advanced => &["phase_advanced", "state_advanced"],
            EventType::Started => &["workflow_started"],
            EventType::Retried => &["phase_retried"],
            EventType::RolledBack => &["phase_rolled_back"],
            EventType::Completed => &["workflow_completed"],
            EventType::Failed => &["workflow_failed"],
            EventType::Paused => &["workflow_paused"],
            EventType::Resumed => &["workflow_resumed"],
            EventType::Cancelled => &["workflow_cancelled"],
            EventType::Acknowledged => &["handoff_acknowledged"],
        }
    }

    /// The type an event's stored name means, in baton's or the seeds' vocabulary.
    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL
            .into_iter()
            .find(|t| t.spellings().contains(&name))
    }

    /// Every stored spelling of the types asked for, as an event filter matches them: a type
    /// baton knows brings its seeds' spelling along; any other is matched as written.
    pub fn stored(asked: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in asked.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            match EventType::parse(t) {
                Some(known) => out.extend(known.spellings().iter().map(|s| s.to_string())),
                None => out.push(t.to_string()),
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Transitions write a handoff and a checkpoint as well as the event.
    pub fn is_transition(self) -> bool {
        matches!(
            self,
            EventType::Advanced | EventType::Retried | EventType::RolledBack
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_vocabulary_means_the_same_changes() {
        assert_eq!(
            EventType::parse("state_advanced"),
            Some(EventType::Advanced)
        );
        assert_eq!(
            EventType::parse("phase_advanced"),
            Some(EventType::Advanced)
        );
        assert_eq!(
            EventType::parse("workflow_started"),
            Some(EventType::Started)
        );
        assert_eq!(EventType::parse("deploy_requested"), None);
        for t in EventType::ALL {
            assert_eq!(t.spellings()[0], t.as_str());
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
    }
}
