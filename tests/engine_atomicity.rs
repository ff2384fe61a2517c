//! Every operation is all or nothing: when a write fails inside the transaction (forced
//! here by a trigger that aborts), no row of the operation is left behind.

mod common;

use baton::engine::{self, Request};
use baton::model::Action;
use common::backend::*;
use common::store::{ACTOR, act, advance, assert_healthy, new_workflow, start};
use serde_json::json;

/// (create, drop) of a trigger that aborts every insert into `table` with "injected
/// failure"; the same fault spelled in each dialect.
fn failing_inserts(b: Backend, table: &str) -> (String, String) {
    match b {
        Backend::Sqlite => (
            format!(
                "CREATE TRIGGER fail_{table} BEFORE INSERT ON {table}
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            ),
            format!("DROP TRIGGER fail_{table}"),
        ),
        Backend::Postgres => (
            format!(
                "CREATE FUNCTION fail_{table}() RETURNS trigger LANGUAGE plpgsql AS
                   $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
                 CREATE TRIGGER fail_{table} BEFORE INSERT ON {table}
                   FOR EACH ROW EXECUTE FUNCTION fail_{table}()"
            ),
            format!("DROP TRIGGER fail_{table} ON {table}; DROP FUNCTION fail_{table}()"),
        ),
    }
}

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

fn a_failing_event_insert_leaves_no_row_of_any_operation(b: Backend) {
    let db = TestDb::new(b);
    let (mut store, w) = setup(&db);
    let mut conn = db.raw();
    let hid = conn.pending_handoff(&w.id).unwrap();
    let (fault, repair) = failing_inserts(b, "workflow_events");
    conn.batch(&fault);
    let before = conn.dump();
    for (action, reason) in every_operation(&hid) {
        let mut req = Request::new(action.clone(), ACTOR).expect_version(w.version);
        req.reason = reason.map(Into::into);
        let err = engine::act_on_id(&mut store, &w.id, &req).unwrap_err();
        assert!(
            err.to_string().contains("injected failure"),
            "{action:?}: {err}"
        );
        assert_eq!(conn.dump(), before, "{action:?} left rows behind");
    }
    let err = engine::start(&mut store, &new_workflow("borealis"), ACTOR, None).unwrap_err();
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert_eq!(conn.dump(), before, "a failed start left a workflow behind");

    // The same operations succeed once the fault is gone: the failure was the trigger.
    conn.batch(&repair);
    advance(&mut store, &w, None);
    assert_healthy(&store);
}

fn a_failure_between_the_handoff_and_the_event_rolls_back_the_handoff(b: Backend) {
    let db = TestDb::new(b);
    let (mut store, w) = setup(&db);
    let mut conn = db.raw();
    let (fault, repair) = failing_inserts(b, "workflow_checkpoints");
    conn.batch(&fault);
    let before = conn.dump();
    let handoffs_before = conn.rows(&w.id).handoffs;
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
        assert_eq!(conn.rows(&w.id).handoffs, handoffs_before);
        assert_eq!(conn.dump(), before, "{action:?} left rows behind");
    }
    assert_eq!(conn.head(&w.id), (3, "running".into(), "coding".into()));
    conn.batch(&repair);
    act(&mut store, &w, Action::Retry);
    assert_healthy(&store);
}

both!(
    a_failing_event_insert_leaves_no_row_of_any_operation,
    a_failure_between_the_handoff_and_the_event_rolls_back_the_handoff,
);
