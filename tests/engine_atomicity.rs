//! Every operation is all or nothing: when a write fails inside the transaction (forced
//! here by a trigger that aborts), no row of the operation is left behind.

mod common;

use baton::engine::{self, Request};
use baton::model::Action;
use common::store::*;
use serde_json::json;

const FAIL_EVENTS: &str = "CREATE TRIGGER fail_events BEFORE INSERT ON workflow_events
    BEGIN SELECT RAISE(ABORT, 'injected failure'); END";
const FAIL_CHECKPOINTS: &str =
    "CREATE TRIGGER fail_checkpoints BEFORE INSERT ON workflow_checkpoints
    BEGIN SELECT RAISE(ABORT, 'injected failure'); END";

/// A workflow in `coding` with a pending handoff, at version 3.
fn setup(db: &TestDb) -> (baton::store::Store, baton::model::Workflow) {
    let mut store = db.store();
    let mut w = start(&mut store, "atlas");
    w = advance(&mut store, &w, Some(json!({ "a": 1 })));
    w = advance(&mut store, &w, Some(json!({ "b": 2 })));
    (store, w)
}

fn every_operation(handoff: &str) -> Vec<(Action, Option<&'static str>)> {
    vec![
        (
            Action::Advance {
                output: Some(json!({ "c": 3 })),
            },
            None,
        ),
        (Action::Retry, None),
        (Action::Rollback { to: None }, Some("because")),
        (
            Action::Fail {
                error: "boom".into(),
            },
            None,
        ),
        (Action::Pause, None),
        (Action::Cancel, None),
        (
            Action::Acknowledge {
                handoff_id: handoff.to_string(),
            },
            None,
        ),
    ]
}

#[test]
fn a_failing_event_insert_leaves_no_row_of_any_operation() {
    let db = TestDb::new();
    let (mut store, w) = setup(&db);
    let conn = db.raw();
    let hid = pending_handoff(&conn, &w.id).unwrap();
    conn.execute_batch(FAIL_EVENTS).unwrap();
    let before = dump(&conn);
    for (action, reason) in every_operation(&hid) {
        let mut req = Request::new(action.clone(), ACTOR).expect_version(w.version);
        req.reason = reason.map(Into::into);
        let err = engine::act_on_id(&mut store, &w.id, &req).unwrap_err();
        assert!(
            err.to_string().contains("injected failure"),
            "{action:?}: {err}"
        );
        assert_eq!(dump(&conn), before, "{action:?} left rows behind");
    }
    let err = engine::start(&mut store, &new_workflow("borealis"), ACTOR, None).unwrap_err();
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert_eq!(dump(&conn), before, "a failed start left a workflow behind");

    // The same operations succeed once the fault is gone: the failure was the trigger.
    conn.execute_batch("DROP TRIGGER fail_events").unwrap();
    advance(&mut store, &w, None);
    assert_healthy(&store);
}

#[test]
fn a_failure_between_the_handoff_and_the_event_rolls_back_the_handoff() {
    let db = TestDb::new();
    let (mut store, w) = setup(&db);
    let conn = db.raw();
    conn.execute_batch(FAIL_CHECKPOINTS).unwrap();
    let before = dump(&conn);
    let handoffs_before = rows(&conn, &w.id).handoffs;
    for (action, reason) in [
        (Action::Advance { output: None }, None),
        (Action::Retry, None),
        (
            Action::Rollback {
                to: Some("discovery".into()),
            },
            Some("start over"),
        ),
    ] {
        let mut req = Request::new(action.clone(), ACTOR).expect_version(w.version);
        req.reason = reason.map(Into::into);
        let err = engine::act_on_id(&mut store, &w.id, &req).unwrap_err();
        assert!(
            err.to_string().contains("injected failure"),
            "{action:?}: {err}"
        );
        assert_eq!(rows(&conn, &w.id).handoffs, handoffs_before);
        assert_eq!(dump(&conn), before, "{action:?} left rows behind");
    }
    assert_eq!(head(&conn, &w.id), (3, "running".into(), "coding".into()));
    conn.execute_batch("DROP TRIGGER fail_checkpoints").unwrap();
    act(&mut store, &w, Action::Retry);
    assert_healthy(&store);
}
