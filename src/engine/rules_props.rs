//! Property tests of the transition rules: over any workflow state (known or unknown
//! status, any phase, any counts and versions) and any action, `plan` never panics, never
//! accepts a move that the table below forbids, and every change it accepts is exactly one
//! version step with the rows its kind of change must write.

use super::rules::{self, Context};
use super::{Request, RuleError};
use crate::model::time;
use crate::model::{
    Action, Checkpoint, Definition, EventType, Handoff, HandoffKind, Snapshot, Status, Workflow,
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Which statuses each action may start from: written out here, apart from the rules.
fn allowed(action: &Action) -> &'static [Status] {
    use Status::*;
    match action {
        Action::Advance { .. } | Action::Pause => &[Running],
        Action::Retry | Action::Rollback { .. } => &[Running, Failed],
        Action::Fail { .. } => &[Running, Paused],
        Action::Resume => &[Paused],
        Action::Cancel | Action::Acknowledge { .. } => &[Running, Paused, Failed],
    }
}

fn phases() -> Vec<String> {
    Definition::builtin()
        .phases
        .iter()
        .map(|p| p.name.clone())
        .collect()
}

fn status() -> impl Strategy<Value = (Status, String)> {
    prop_oneof![
        prop::sample::select(Status::ALL.to_vec()).prop_map(|s| (s, s.as_str().to_string())),
        Just((Status::Unknown, "exploded".to_string())),
    ]
}

fn phase() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => prop::sample::select(phases()),
        1 => Just("nowhere".to_string()),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        prop::option::of(Just(json!({"ok": true}))).prop_map(|output| Action::Advance { output }),
        Just(Action::Retry),
        prop::option::of(phase()).prop_map(|to| Action::Rollback { to }),
        prop::sample::select(vec!["", " ", "boom"]).prop_map(|e| Action::Fail { error: e.into() }),
        Just(Action::Pause),
        Just(Action::Resume),
        Just(Action::Cancel),
        prop::sample::select(vec!["h-pending", "h-other"]).prop_map(|h| Action::Acknowledge {
            handoff_id: h.into()
        }),
    ]
}

prop_compose! {
    fn snapshot()(
        (status, status_raw) in status(),
        phase in phase(),
        retry_count in -2i64..6,
        max_retries in 0i64..5,
        version in prop_oneof![8 => 1i64..50, 1 => Just(0i64), 1 => Just(i64::MAX), 1 => Just(-3i64)],
        with_def in prop::bool::weighted(0.9),
        pending in any::<bool>(),
        checkpointed in prop::collection::vec(phase(), 0..4),
    ) -> Snapshot {
        let role = Definition::builtin().phase(&phase).map_or("nobody".into(), |p| p.role.clone());
        let at = "2026-03-01T11:00:00.000Z".to_string();
        Snapshot {
            workflow: Workflow {
                id: "wf".into(), build_id: "b".into(), project_id: "p".into(), user_id: None,
                definition: "build".into(), current_state: phase.as_str().into(), current_role: role.into(),
                status, status_raw: status_raw.into(), phase_outputs: json!({"discovery": {"n": 1}}),
                retry_count, max_retries, last_error: None, version,
                metadata: json!({}), created_at: at.as_str().into(), updated_at: at.as_str().into(),
                completed_at: None, heartbeat_at: None, state_entered_at: Some(at.as_str().into()),
            },
            definition: with_def.then(Definition::builtin),
            checkpoints: checkpointed.into_iter().enumerate().map(|(i, state)| Checkpoint {
                id: format!("c{i}"), workflow_id: "wf".into(), state,
                phase_outputs: json!({}), retry_count: 0, version: i as i64 + 1, created_at: at.clone(),
            }).collect(),
            pending: pending.then(|| Handoff {
                id: "h-pending".into(), workflow_id: "wf".into(), from_role: None,
                to_role: "r".into(), from_state: None, to_state: phase.clone(),
                kind: HandoffKind::Advance, data_transferred: Value::Null,
                created_at: at.clone(), acknowledged_at: None, acknowledged_by: None,
            }).into_iter().collect(),
        }
    }
}

proptest! {
    #![proptest_config(crate::model::fuzz_cases::cases(4000))]

    #[test]
    fn the_rules_never_accept_an_illegal_move(
        s in snapshot(),
        action in action(),
        expected in prop::option::of(prop_oneof![Just(None), (0i64..60).prop_map(Some)]),
        reason in prop::option::of(prop::sample::select(vec!["", "why"])),
    ) {
        let w = &s.workflow;
        // `Some(None)`: the caller passes the version it sees; `Some(Some(v))`: any version.
        let expected = expected.map(|e| e.unwrap_or(w.version));
        let req = Request { action: action.clone(), actor: "a".into(),
                            reason: reason.map(str::to_string), expected_version: expected };
        let cx = Context { actor: &req.actor, reason: req.reason.as_deref(),
                           expected_version: expected,
                           now: time::parse("2026-03-01T12:00:00.000Z").unwrap() };
        let result = rules::plan(&s, &action, &cx);
        let c = match result {
            Err(RuleError::Stale { expected: e, actual }) => {
                prop_assert_eq!(Some(e), expected);
                prop_assert_eq!(actual, w.version);
                prop_assert_ne!(Some(w.version), expected);
                return Ok(());
            }
            Err(_) => {
                prop_assert!(expected.is_none_or(|e| e == w.version), "a stale view got past the version check");
                return Ok(());
            }
            Ok(c) => c,
        };
        // Accepted: the caller's view was current, the status allowed it, and the stored
        // version could be bumped.
        prop_assert!(expected.is_none_or(|e| e == w.version));
        prop_assert!(allowed(&action).contains(&w.status), "{:?} from {:?}", action, w.status);
        prop_assert!(w.version >= 1 && w.version < i64::MAX);
        prop_assert_eq!(c.previous_version, w.version);
        prop_assert_eq!(c.workflow.version, w.version + 1);
        prop_assert_eq!(c.event.data["version"].as_i64(), Some(w.version + 1));
        let def = Definition::builtin();
        let i = def.phase_index(&w.current_state);
        let j = def.phase_index(&c.workflow.current_state);
        let transition = matches!(c.event.event_type,
            EventType::Advanced | EventType::Retried | EventType::RolledBack);
        prop_assert_eq!(transition, c.handoff.is_some());
        prop_assert_eq!(transition, c.checkpoint.is_some());
        if let Some(cp) = &c.checkpoint {
            prop_assert_eq!(&cp.state, &c.workflow.current_state);
        }
        if let Some(h) = &c.handoff {
            prop_assert_eq!(&h.to_state, &c.workflow.current_state);
            prop_assert_eq!(&c.event.data["handoff_id"], &json!(h.id));
        }
        match &action {
            Action::Advance { .. } => {
                let i = i.expect("advance needs a known phase");
                if i + 1 == def.phases.len() {
                    prop_assert_eq!(c.workflow.status, Status::Completed);
                    prop_assert!(c.workflow.completed_at.is_some());
                    prop_assert_eq!(c.event.event_type, EventType::Completed);
                } else {
                    prop_assert_eq!(j, Some(i + 1));
                    prop_assert_eq!(c.event.event_type, EventType::Advanced);
                    prop_assert_eq!(c.workflow.retry_count, 0);
                }
            }
            Action::Retry => {
                prop_assert_eq!(j, i);
                prop_assert!(w.retry_count < def.phases[i.unwrap()].max_retries.unwrap_or(w.max_retries));
                prop_assert_eq!(c.workflow.retry_count, w.retry_count + 1);
                prop_assert_eq!(c.workflow.status, Status::Running);
            }
            Action::Rollback { to } => {
                prop_assert!(cx.reason.is_some_and(|r| !r.trim().is_empty()));
                prop_assert!(j.unwrap() < i.unwrap(), "rollback must go back");
                if let Some(t) = to {
                    prop_assert_eq!(&c.workflow.current_state, t);
                }
                prop_assert_eq!(c.workflow.status, Status::Running);
            }
            Action::Fail { error } => {
                prop_assert!(!error.trim().is_empty());
                prop_assert_eq!(c.workflow.status, Status::Failed);
            }
            Action::Pause => prop_assert_eq!(c.workflow.status, Status::Paused),
            Action::Resume => prop_assert_eq!(c.workflow.status, Status::Running),
            Action::Cancel => {
                prop_assert_eq!(c.workflow.status, Status::Cancelled);
                prop_assert!(c.workflow.completed_at.is_some());
            }
            Action::Acknowledge { handoff_id } => {
                prop_assert!(s.pending.iter().any(|h| &h.id == handoff_id));
                prop_assert_eq!(c.acknowledge.as_deref(), Some(handoff_id.as_str()));
                prop_assert_eq!(c.workflow.status, w.status);
            }
        }
        if !transition {
            prop_assert_eq!(&c.workflow.current_state, &w.current_state);
        }
    }
}
