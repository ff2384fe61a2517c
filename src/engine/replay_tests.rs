//! Replay against the rules themselves: a workflow is driven through the pure rules in
//! memory (the rows each `Change` would write kept as a store would keep them), the row is
//! recorded after every change, and the replay of each event must equal what was recorded.
//! Then the same trail with what outside writers leave out removed.

use super::attempt_diff::{self, DiffError};
use super::replay::{Known, Replay, State, Trail};
use super::rules::{self, Context};
use crate::model::json_diff::ChangeKind;
use crate::model::time;
use crate::model::{
    Action, Change, Checkpoint, Definition, Event, Handoff, NewWorkflow, Snapshot, Status, Workflow,
};
use serde_json::{Value, json};

/// The rows a store would hold, written from each planned change.
#[derive(Default)]
struct Rows {
    events: Vec<Event>,
    handoffs: Vec<Handoff>,
    checkpoints: Vec<Checkpoint>,
    after: Vec<Workflow>,
}

impl Rows {
    fn write(&mut self, c: &Change) {
        let w = &c.workflow;
        if let Some(h) = &c.handoff {
            self.handoffs.push(h.row(&w.id, &c.at));
        }
        if let Some(id) = &c.acknowledge {
            let h = self.handoffs.iter_mut().find(|h| &h.id == id).unwrap();
            h.acknowledged_at = Some(c.at.clone());
            h.acknowledged_by = Some(c.event.triggered_by.clone());
        }
        if let Some(cp) = &c.checkpoint {
            self.checkpoints.push(Checkpoint {
                id: format!("cp{}", self.checkpoints.len()),
                workflow_id: w.id.clone(),
                state: cp.state.clone(),
                phase_outputs: cp.phase_outputs.clone(),
                retry_count: cp.retry_count,
                version: w.version,
                created_at: c.at.clone(),
            });
        }
        self.events.push(Event {
            seq: 10 + 3 * self.events.len() as i64,
            id: format!("e{}", self.events.len()),
            workflow_id: w.id.clone(),
            event_type: c.event.event_type.as_str().into(),
            triggered_by: c.event.triggered_by.clone(),
            event_data: c.event.data.clone(),
            created_at: c.at.clone(),
        });
        self.after.push(w.clone());
    }

    fn now(&self) -> &Workflow {
        self.after.last().unwrap()
    }

    fn act(&mut self, action: Action) {
        let snap = Snapshot {
            workflow: self.now().clone(),
            definition: Some(Definition::builtin()),
            checkpoints: self.checkpoints.clone(),
            pending: self
                .handoffs
                .iter()
                .filter(|h| h.is_pending())
                .cloned()
                .collect(),
        };
        let c = rules::plan(&snap, &action, &cx(self.events.len())).unwrap();
        self.write(&c);
    }

    fn trail<'a>(&'a self, def: &'a Definition) -> Trail<'a> {
        Trail {
            workflow: self.now(),
            definition: Some(def),
            events: &self.events,
            handoffs: &self.handoffs,
            checkpoints: &self.checkpoints,
        }
    }
}

fn cx(n: usize) -> Context<'static> {
    Context {
        actor: "operator:alice@host",
        reason: Some("because"),
        expected_version: None,
        now: time::parse("2026-03-01T12:00:00.000Z").unwrap() + chrono::Duration::seconds(n as i64),
    }
}

/// Started, advanced twice with outputs, retried, failed, rolled back, advanced with a new
/// output, a handoff acknowledged, completed through the rest.
fn driven() -> Rows {
    let mut r = Rows::default();
    let new = NewWorkflow {
        build_id: Some("atlas-1".into()),
        project_id: "atlas".into(),
        user_id: None,
        definition: "build".into(),
        metadata: json!({}),
    };
    let c = rules::plan_start(Some(&Definition::builtin()), &new, &cx(0)).unwrap();
    r.write(&c);
    let out = |v: Value| Action::Advance { output: Some(v) };
    r.act(out(json!({"services": 3})));
    r.act(out(json!({"plan": "split", "steps": [1, 2]})));
    r.act(Action::Fail {
        error: "compile error".into(),
    });
    r.act(Action::Retry);
    r.act(out(json!({"files": 12})));
    r.act(Action::Rollback {
        to: Some("planning".into()),
    });
    r.act(out(json!({"plan": "merge", "steps": [1, 2, 3]})));
    let pending = r
        .handoffs
        .iter()
        .find(|h| h.is_pending())
        .unwrap()
        .id
        .clone();
    r.act(Action::Acknowledge {
        handoff_id: pending,
    });
    r.act(Action::Pause);
    r.act(Action::Resume);
    r.act(out(json!({"files": 9})));
    for _ in 0..3 {
        r.act(Action::Advance { output: None });
    }
    r
}

fn as_recorded(w: &Workflow) -> State {
    State {
        phase: Known::Known(w.current_state.as_str().into()),
        role: Known::Known(w.current_role.as_str().into()),
        status: Known::Known(w.status),
        version: Known::Known(w.version),
        retry_count: Known::Known(w.retry_count),
        phase_outputs: Known::Known(w.phase_outputs.clone()),
        last_error: Known::Known(w.last_error.clone()),
    }
}

#[test]
fn every_event_replays_to_the_row_the_rules_wrote() {
    let rows = driven();
    let def = Definition::builtin();
    let replay = Replay::new(rows.trail(&def));
    assert_eq!(rows.now().status, Status::Completed);
    for (i, e) in rows.events.iter().enumerate() {
        let at = replay.at(e.seq).unwrap();
        assert_eq!(
            at.state,
            as_recorded(&rows.after[i]),
            "after #{} {}",
            e.seq,
            e.event_type
        );
        assert_eq!(at.events.len(), i + 1);
        assert_eq!(at.at, e.created_at);
    }
    assert!(replay.at(11).is_none(), "11 is not one of its events");
}

#[test]
fn handoffs_show_as_they_were_then() {
    let rows = driven();
    let def = Definition::builtin();
    let replay = Replay::new(rows.trail(&def));
    let ack = rows
        .events
        .iter()
        .position(|e| e.event_type == "handoff_acknowledged")
        .unwrap();
    let before = replay.at(rows.events[ack - 1].seq).unwrap();
    let after = replay.at(rows.events[ack].seq).unwrap();
    assert_eq!(before.handoffs.len(), after.handoffs.len());
    assert_eq!(before.handoffs.iter().filter(|h| h.is_pending()).count(), 6);
    assert_eq!(after.handoffs.iter().filter(|h| h.is_pending()).count(), 5);
    let first = replay.at(rows.events[0].seq).unwrap();
    assert!(first.handoffs.is_empty());
}

/// What the seeds leave: `state_advanced` with `from_state`/`to_state`, no versions, no
/// checkpoints; the completion without its output.
fn as_seeds_write(rows: &mut Rows) {
    rows.checkpoints.clear();
    for e in &mut rows.events {
        if e.event_type == "phase_advanced" {
            e.event_type = "state_advanced".into();
            let d = &e.event_data;
            e.event_data = json!({"from_state": d["from"], "to_state": d["to"]});
        } else if let Value::Object(m) = &mut e.event_data {
            m.remove("version");
            m.remove("handoff_id");
            m.remove("output");
            m.remove("phase");
            m.remove("role");
            m.remove("error");
            m.remove("attempt");
        }
    }
}

#[test]
fn what_outside_writers_leave_out_is_unknown_with_why() {
    let mut rows = Rows::default();
    let new = NewWorkflow {
        build_id: Some("seed-1".into()),
        project_id: "seed".into(),
        user_id: None,
        definition: "build".into(),
        metadata: json!({}),
    };
    rows.write(&rules::plan_start(Some(&Definition::builtin()), &new, &cx(0)).unwrap());
    rows.act(Action::Advance {
        output: Some(json!({"n": 1})),
    });
    rows.act(Action::Fail {
        error: "boom".into(),
    });
    rows.act(Action::Retry);
    rows.act(Action::Advance {
        output: Some(json!({"n": 2})),
    });
    as_seeds_write(&mut rows);
    let def = Definition::builtin();
    let replay = Replay::new(rows.trail(&def));
    let start = replay.at(rows.events[0].seq).unwrap().state;
    // The phase before the first transition is the phase it left.
    assert_eq!(start.phase, Known::Known("discovery".into()));
    assert_eq!(start.role, Known::Known("q_assistant".into()));
    assert_eq!(start.status, Known::Known(Status::Running));
    assert!(start.version.why().unwrap().contains("version"));
    assert!(start.phase_outputs.why().unwrap().contains("checkpoint"));
    let failed = replay.at(rows.events[2].seq).unwrap().state;
    assert!(failed.last_error.why().unwrap().contains("error"));
    assert_eq!(failed.status, Known::Known(Status::Failed));
    let retried = replay.at(rows.events[3].seq).unwrap().state;
    assert_eq!(retried.retry_count, Known::Known(1));
    // After the last change of each field, the row as it is now.
    let last = replay.at(rows.events[4].seq).unwrap().state;
    assert_eq!(last, as_recorded(rows.now()));
}

#[test]
fn the_default_diff_compares_the_previous_attempt_with_now() {
    let rows = driven();
    let def = Definition::builtin();
    let replay = Replay::new(rows.trail(&def));
    // As of the second advance out of planning (into coding after the rollback): the
    // previous coding attempt handed on {"files": 12}, nothing yet in this one; planning's
    // output changed.
    let second_into_coding = rows
        .events
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            e.event_type == "phase_advanced" && rows.after[*i].current_state == "coding"
        })
        .map(|(_, e)| e.seq)
        .nth(1)
        .unwrap();
    let d = attempt_diff::attempts(&replay, Some(second_into_coding)).unwrap();
    let a = d.attempts.as_ref().unwrap();
    assert_eq!(a.phase, "coding");
    assert_eq!(d.to.seq, second_into_coding);
    let paths: Vec<(&str, ChangeKind)> = d
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.kind))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("/coding", ChangeKind::Removed),
            ("/planning/plan", ChangeKind::Changed),
            ("/planning/steps/2", ChangeKind::Added),
        ]
    );
    assert_eq!(d.changes[0].old, Some(json!({"files": 12})));
    // As of the start there is no earlier attempt.
    assert!(matches!(
        attempt_diff::attempts(&replay, Some(rows.events[0].seq)),
        Err(DiffError::NoPrevious { .. })
    ));
    // Explicit sides.
    let d = attempt_diff::between(&replay, rows.events[0].seq, rows.events[1].seq).unwrap();
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].path, "/discovery");
    assert_eq!(
        attempt_diff::between(&replay, 11, rows.events[1].seq),
        Err(DiffError::NotAnEvent(11))
    );
}

#[test]
fn a_retry_ended_attempt_is_compared_as_it_was_abandoned() {
    let rows = driven();
    let def = Definition::builtin();
    let replay = Replay::new(rows.trail(&def));
    let retry = rows
        .events
        .iter()
        .position(|e| e.event_type == "phase_retried")
        .unwrap();
    let d = attempt_diff::attempts(&replay, Some(rows.events[retry].seq)).unwrap();
    // The failed attempt ended with the retry: its side is the state just before it.
    assert_eq!(d.from.seq, rows.events[retry - 1].seq);
    assert!(d.changes.is_empty());
    let a = d.attempts.unwrap();
    assert_eq!(a.previous.ended, Some(rows.events[retry].seq));
    assert_eq!(a.current.began, rows.events[retry].seq);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// An operator's or orchestrator's move; the rules refuse the illegal ones, which are
    /// then skipped (nothing is written for them).
    fn step() -> impl Strategy<Value = u8> {
        0u8..8
    }

    fn act(r: &mut Rows, s: u8, n: usize) {
        let action = match s {
            0 | 1 => Action::Advance {
                output: Some(json!({"n": n, "list": (0..n % 4).collect::<Vec<_>>()})),
            },
            2 => Action::Retry,
            3 => Action::Rollback { to: None },
            4 => Action::Fail {
                error: format!("error {n}"),
            },
            5 => Action::Pause,
            6 => Action::Resume,
            _ => match r.handoffs.iter().find(|h| h.is_pending()) {
                Some(h) => Action::Acknowledge {
                    handoff_id: h.id.clone(),
                },
                None => Action::Advance { output: None },
            },
        };
        let snap = Snapshot {
            workflow: r.now().clone(),
            definition: Some(Definition::builtin()),
            checkpoints: r.checkpoints.clone(),
            pending: r
                .handoffs
                .iter()
                .filter(|h| h.is_pending())
                .cloned()
                .collect(),
        };
        if let Ok(c) = rules::plan(&snap, &action, &cx(r.events.len())) {
            r.write(&c);
        }
    }

    proptest! {
        #![proptest_config(crate::model::fuzz_cases::cases(200))]

        /// Whatever the rules allowed, in any order: each event replays to the row written.
        #[test]
        fn any_legal_history_replays_to_the_rows_written(steps in prop::collection::vec(step(), 0..40)) {
            let mut r = Rows::default();
            let new = NewWorkflow {
                build_id: Some("p-1".into()),
                project_id: "p".into(),
                user_id: None,
                definition: "build".into(),
                metadata: json!({}),
            };
            r.write(&rules::plan_start(Some(&Definition::builtin()), &new, &cx(0)).unwrap());
            for (n, s) in steps.into_iter().enumerate() {
                act(&mut r, s, n);
            }
            let def = Definition::builtin();
            let replay = Replay::new(r.trail(&def));
            for (i, e) in r.events.iter().enumerate() {
                let at = replay.at(e.seq).unwrap();
                prop_assert_eq!(at.state, as_recorded(&r.after[i]), "after #{} {}", e.seq, &e.event_type);
            }
            // The default diff always finds its sides, or says there is no earlier attempt.
            match attempt_diff::attempts(&replay, None) {
                Ok(_) | Err(DiffError::NoPrevious { .. }) => {}
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
    }
}

/// A writer that acknowledges a handoff without an event, in the transaction of the next
/// transition (as the seeds do), and makes both transitions within one millisecond: the
/// handoff is pending right after the first and acknowledged after the second, though all
/// three times are the same.
#[test]
fn an_ack_at_the_same_instant_as_later_events_belongs_to_the_latest() {
    let mut rows = Rows::default();
    let new = NewWorkflow {
        build_id: Some("seed-2".into()),
        project_id: "seed".into(),
        user_id: None,
        definition: "build".into(),
        metadata: json!({}),
    };
    rows.write(&rules::plan_start(Some(&Definition::builtin()), &new, &cx(0)).unwrap());
    rows.act(Action::Advance { output: None });
    rows.act(Action::Advance { output: None });
    as_seeds_write(&mut rows);
    let instant = rows.events[1].created_at.clone();
    rows.events[2].created_at = instant.clone();
    for h in &mut rows.handoffs {
        h.created_at = instant.clone();
    }
    rows.handoffs[0].acknowledged_at = Some(instant.clone());
    rows.handoffs[0].acknowledged_by = Some("q_assistant".into());
    let def = Definition::builtin();
    let replay = Replay::new(rows.trail(&def));
    let pending = |i: usize| {
        let at = replay.at(rows.events[i].seq).unwrap();
        at.handoffs.iter().filter(|h| h.is_pending()).count()
    };
    assert_eq!((pending(1), pending(2)), (1, 1));
    let first = |i: usize| replay.at(rows.events[i].seq).unwrap().handoffs[0].is_pending();
    assert!(
        first(1),
        "the first handoff was still pending after the first transition"
    );
    assert!(!first(2), "and acknowledged by the second");
}
