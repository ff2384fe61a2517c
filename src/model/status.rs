use serde::{Deserialize, Serialize};
use std::fmt;

/// A workflow's lifecycle status, as stored in `build_workflows.status`.
///
/// `Unknown` exists because other programs write this table too: a value baton does not
/// know is shown as such rather than rejected or mistaken for a known one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Running,
    Paused,
    Failed,
    Completed,
    Cancelled,
    Unknown,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Running,
        Status::Paused,
        Status::Failed,
        Status::Completed,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Failed => "failed",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
            Status::Unknown => "unknown",
        }
    }

    /// Parses a stored value; anything unrecognised is `Unknown`.
    pub fn parse(s: &str) -> Status {
        match s {
            "running" => Status::Running,
            "paused" => Status::Paused,
            "failed" => Status::Failed,
            "completed" => Status::Completed,
            "cancelled" => Status::Cancelled,
            _ => Status::Unknown,
        }
    }

    /// Parses user input strictly (for `--status`), so a typo is an error, not "unknown".
    pub fn from_user(s: &str) -> Option<Status> {
        match Status::parse(&s.to_ascii_lowercase()) {
            Status::Unknown => None,
            st => Some(st),
        }
    }

    /// Terminal statuses never change again; the dashboard's live set excludes them.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Completed | Status::Cancelled)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_known_status() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), s);
        }
    }

    #[test]
    fn unknown_values_are_kept_apart() {
        assert_eq!(Status::parse("RUNNING"), Status::Unknown);
        assert_eq!(Status::from_user("Failed"), Some(Status::Failed));
        assert_eq!(Status::from_user("fialed"), None);
    }
}
