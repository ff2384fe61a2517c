//! Stuck detection, pure: a running workflow is stuck when its newest handoff has waited
//! unacknowledged, or it has sat in its phase without a heartbeat, longer than allowed.

use crate::model::time::{self, Timestamp};
use crate::model::{Definition, Handoff, Status, WorkflowFields};
use serde::Serialize;

/// Limits used when a definition's phase does not set its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StuckPolicy {
    pub handoff_timeout_secs: i64,
    pub phase_timeout_secs: i64,
}

impl Default for StuckPolicy {
    fn default() -> Self {
        StuckPolicy {
            handoff_timeout_secs: 300,
            phase_timeout_secs: 1800,
        }
    }
}

/// Which rule made a workflow stuck, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Stuck {
    /// A handoff to `role` has waited `waited_secs` (limit `limit_secs`) since `since`.
    UnacknowledgedHandoff {
        handoff_id: String,
        role: String,
        since: String,
        waited_secs: i64,
        limit_secs: i64,
    },
    /// No heartbeat or phase change since `since`.
    NoHeartbeat {
        since: String,
        idle_secs: i64,
        limit_secs: i64,
    },
}

impl Stuck {
    pub fn describe(&self) -> String {
        match self {
            Stuck::UnacknowledgedHandoff {
                role,
                waited_secs,
                limit_secs,
                ..
            } => format!(
                "handoff to {role} unacknowledged for {} (limit {})",
                time::human_duration(*waited_secs),
                time::human_duration(*limit_secs)
            ),
            Stuck::NoHeartbeat {
                idle_secs,
                limit_secs,
                ..
            } => format!(
                "no heartbeat or progress for {} (limit {})",
                time::human_duration(*idle_secs),
                time::human_duration(*limit_secs)
            ),
        }
    }

    pub fn since(&self) -> &str {
        match self {
            Stuck::UnacknowledgedHandoff { since, .. } | Stuck::NoHeartbeat { since, .. } => since,
        }
    }
}

/// Decides whether `w` is stuck at `now`. `pending` is its newest unacknowledged handoff.
pub fn detect(
    w: &impl WorkflowFields,
    def: Option<&Definition>,
    pending: Option<&Handoff>,
    policy: StuckPolicy,
    now: Timestamp,
) -> Option<Stuck> {
    if w.status() != Status::Running {
        return None;
    }
    let phase = def.and_then(|d| d.phase(w.current_state()));
    if let Some(h) = pending {
        let limit = phase
            .and_then(|p| p.handoff_timeout_secs)
            .unwrap_or(policy.handoff_timeout_secs);
        if let Some(waited) = time::secs_since(&h.created_at, now)
            && waited > limit
        {
            return Some(Stuck::UnacknowledgedHandoff {
                handoff_id: h.id.clone(),
                role: h.to_role.clone(),
                since: h.created_at.clone(),
                waited_secs: waited,
                limit_secs: limit,
            });
        }
    }
    let limit = phase
        .and_then(|p| p.stuck_after_secs)
        .unwrap_or(policy.phase_timeout_secs);
    // The latest sign of life: a heartbeat, or entering the phase.
    let since = [w.heartbeat_at(), Some(w.phase_since())]
        .into_iter()
        .flatten()
        .filter_map(|s| s.parse().map(|t| (t, s)))
        .max_by_key(|(t, _)| *t)?;
    let idle = (now - since.0).num_seconds();
    (idle > limit).then(|| Stuck::NoHeartbeat {
        since: since.1.to_string(),
        idle_secs: idle,
        limit_secs: limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HandoffKind, Workflow};
    use serde_json::json;

    fn wf(entered: &str, heartbeat: Option<&str>) -> Workflow {
        Workflow {
            id: "w1".into(),
            build_id: "b1".into(),
            project_id: "p".into(),
            user_id: None,
            definition: "build".into(),
            current_state: "coding".into(),
            current_role: "code_writer".into(),
            status: Status::Running,
            status_raw: "running".into(),
            phase_outputs: json!({}),
            retry_count: 0,
            max_retries: 3,
            last_error: None,
            version: 3,
            metadata: json!({}),
            created_at: entered.into(),
            updated_at: entered.into(),
            completed_at: None,
            heartbeat_at: heartbeat.map(Into::into),
            state_entered_at: Some(entered.into()),
        }
    }

    fn pending(at: &str) -> Handoff {
        Handoff {
            id: "h1".into(),
            workflow_id: "w1".into(),
            from_role: Some("q_assistant".into()),
            to_role: "code_writer".into(),
            from_state: Some("planning".into()),
            to_state: "coding".into(),
            kind: HandoffKind::Advance,
            data_transferred: json!({}),
            created_at: at.into(),
            acknowledged_at: None,
            acknowledged_by: None,
        }
    }

    fn at(s: &str) -> Timestamp {
        time::parse(s).unwrap()
    }

    #[test]
    fn unacknowledged_handoff_past_its_phase_limit_is_stuck() {
        let def = Definition::builtin(); // coding: handoff limit 300 s
        let w = wf("2026-01-01T10:00:00.000Z", None);
        let h = pending("2026-01-01T10:00:00.000Z");
        let p = StuckPolicy::default();
        assert_eq!(
            detect(&w, Some(&def), Some(&h), p, at("2026-01-01T10:05:00Z")),
            None
        );
        let s = detect(&w, Some(&def), Some(&h), p, at("2026-01-01T10:05:01Z")).unwrap();
        assert!(matches!(
            s,
            Stuck::UnacknowledgedHandoff {
                waited_secs: 301,
                limit_secs: 300,
                ..
            }
        ));
        assert!(s.describe().contains("code_writer"));
    }

    #[test]
    fn heartbeat_keeps_a_long_phase_alive() {
        let def = Definition::builtin(); // coding: 3600 s without heartbeat
        let p = StuckPolicy::default();
        let now = at("2026-01-01T12:00:00Z");
        let idle = wf("2026-01-01T10:00:00.000Z", None);
        let s = detect(&idle, Some(&def), None, p, now).unwrap();
        assert_eq!(s.since(), "2026-01-01T10:00:00.000Z");
        let alive = wf("2026-01-01T10:00:00.000Z", Some("2026-01-01T11:59:00.000Z"));
        assert_eq!(detect(&alive, Some(&def), None, p, now), None);
    }

    #[test]
    fn policy_defaults_apply_without_definition_and_only_running_counts() {
        let p = StuckPolicy {
            handoff_timeout_secs: 10,
            phase_timeout_secs: 20,
        };
        let now = at("2026-01-01T10:00:30Z");
        let mut w = wf("2026-01-01T10:00:00.000Z", None);
        assert!(matches!(
            detect(&w, None, None, p, now),
            Some(Stuck::NoHeartbeat { limit_secs: 20, .. })
        ));
        w.status = Status::Paused;
        assert_eq!(detect(&w, None, None, p, now), None);
    }

    #[test]
    fn unparseable_timestamps_never_count_as_stuck() {
        let w = wf("not a time", None);
        assert_eq!(
            detect(
                &w,
                None,
                None,
                StuckPolicy::default(),
                at("2030-01-01T00:00:00Z")
            ),
            None
        );
    }
}
