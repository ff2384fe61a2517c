//! Each operation on a real SQLite file writes exactly its rows: transitions one handoff of
//! their kind, one checkpoint and one event; status changes only their event; heartbeat
//! only `heartbeat_at`.

mod common;

use baton::engine::{self, Request};
use baton::model::{Action, Status, time};
use common::store::*;
use serde_json::json;

fn delta(before: Rows, after: Rows) -> (i64, i64, i64) {
    (
        after.handoffs - before.handoffs,
        after.checkpoints - before.checkpoints,
        after.events - before.events,
    )
}

/// `(kind, from_state, to_state, from_role, to_role, data, acknowledged_at)` of the newest handoff.
type HandoffRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

fn last_handoff(conn: &rusqlite::Connection, id: &str) -> HandoffRow {
    conn.query_row(
        "SELECT kind, from_state, to_state, from_role, to_role, data_transferred, acknowledged_at
         FROM workflow_handoffs WHERE workflow_id = ?1 ORDER BY rowid DESC LIMIT 1",
        [id],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )
    .expect("a handoff")
}

fn last_checkpoint(conn: &rusqlite::Connection, id: &str) -> (String, i64, String) {
    conn.query_row(
        "SELECT state, version, phase_outputs FROM workflow_checkpoints WHERE workflow_id = ?1
         ORDER BY rowid DESC LIMIT 1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .expect("a checkpoint")
}

fn is_timestamp(s: &str) -> bool {
    s.len() == 24 && s.ends_with('Z') && time::parse(s).is_some()
}

#[test]
fn start_writes_the_workflow_its_first_checkpoint_and_one_event() {
    let db = TestDb::new();
    let mut store = db.store();
    let w = start(&mut store, "atlas");
    let conn = db.raw();
    assert_eq!(
        head(&conn, &w.id),
        (1, "running".into(), "discovery".into())
    );
    assert_eq!(
        rows(&conn, &w.id),
        Rows {
            handoffs: 0,
            checkpoints: 1,
            events: 1
        }
    );
    let (t, by, data) = last_event(&conn, &w.id);
    assert_eq!((t.as_str(), by.as_str()), ("workflow_started", ACTOR));
    assert_eq!(data["phase"], "discovery");
    let (role, created, entered, outputs, build): (String, String, String, String, String) = conn
        .query_row(
            "SELECT current_role, created_at, state_entered_at, phase_outputs, build_id
             FROM build_workflows WHERE id = ?1",
            [&w.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(role, "q_assistant");
    assert!(
        is_timestamp(&created) && created == entered,
        "{created} / {entered}"
    );
    assert_eq!(outputs, "{}");
    assert!(build.starts_with("atlas-"));
    assert_eq!(
        last_checkpoint(&conn, &w.id),
        ("discovery".into(), 1, "{}".into())
    );
    assert_healthy(&store);
}

#[test]
fn advance_writes_one_advance_handoff_one_checkpoint_one_event() {
    let db = TestDb::new();
    let mut store = db.store();
    let conn = db.raw();
    let w = start(&mut store, "atlas");
    let before = rows(&conn, &w.id);
    let out = json!({ "requirements": ["login", "sso"] });
    let w2 = advance(&mut store, &w, Some(out.clone()));
    assert_eq!(w2.version, 2);
    assert_eq!(head(&conn, &w.id), (2, "running".into(), "planning".into()));
    assert_eq!(delta(before, rows(&conn, &w.id)), (1, 1, 1));
    let (kind, from, to, from_role, to_role, data, acked) = last_handoff(&conn, &w.id);
    assert_eq!(
        (kind.as_str(), from.as_str(), to.as_str()),
        ("advance", "discovery", "planning")
    );
    assert_eq!(
        (from_role.as_str(), to_role.as_str()),
        ("q_assistant", "q_assistant")
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&data).unwrap(),
        out
    );
    assert_eq!(acked, None, "a new handoff is pending");
    let (state, version, outputs) = last_checkpoint(&conn, &w.id);
    assert_eq!((state.as_str(), version), ("planning", 2));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&outputs).unwrap(),
        json!({ "discovery": out })
    );
    let (t, _, data) = last_event(&conn, &w.id);
    assert_eq!(t, "phase_advanced");
    assert_eq!(
        (data["from"].as_str(), data["to"].as_str()),
        (Some("discovery"), Some("planning"))
    );
    assert_eq!(data["version"], 2);
    assert_healthy(&store);
}

#[test]
fn acknowledge_marks_the_handoff_and_writes_only_its_event() {
    let db = TestDb::new();
    let mut store = db.store();
    let conn = db.raw();
    let w = start(&mut store, "atlas");
    let w = advance(&mut store, &w, None);
    let hid = pending_handoff(&conn, &w.id).expect("pending handoff");
    let before = rows(&conn, &w.id);
    // By unique prefix, as an operator would type it.
    let written =
        engine::acknowledge(&mut store, &hid[..12], "code_writer", Some(w.version)).unwrap();
    assert_eq!(written.workflow.version, 3);
    assert_eq!(delta(before, rows(&conn, &w.id)), (0, 0, 1));
    let (at, by): (Option<String>, Option<String>) = conn
        .query_row(
            "SELECT acknowledged_at, acknowledged_by FROM workflow_handoffs WHERE id = ?1",
            [&hid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(at.as_deref().is_some_and(is_timestamp));
    assert_eq!(by.as_deref(), Some("code_writer"));
    assert_eq!(pending_handoff(&conn, &w.id), None);
    let (t, by, data) = last_event(&conn, &w.id);
    assert_eq!(
        (t.as_str(), by.as_str()),
        ("handoff_acknowledged", "code_writer")
    );
    assert_eq!(data["handoff_id"], json!(hid));
    // A second acknowledgement is refused and changes nothing.
    let snapshot = dump(&conn);
    let err = engine::acknowledge(&mut store, &hid, "code_writer", None).unwrap_err();
    assert!(err.to_string().contains("not pending"), "{err}");
    assert_eq!(dump(&conn), snapshot);
    assert_healthy(&store);
}

#[test]
fn fail_retry_and_rollback_write_their_rows() {
    let db = TestDb::new();
    let mut store = db.store();
    let conn = db.raw();
    let mut w = start(&mut store, "borealis");
    for _ in 0..2 {
        w = advance(&mut store, &w, Some(json!({ "ok": true })));
    }
    assert_eq!(w.current_state, "coding");

    let before = rows(&conn, &w.id);
    w = act(
        &mut store,
        &w,
        Action::Fail {
            error: "compiler crashed".into(),
        },
    )
    .workflow;
    assert_eq!(
        delta(before, rows(&conn, &w.id)),
        (0, 0, 1),
        "fail: only its event"
    );
    assert_eq!(head(&conn, &w.id), (4, "failed".into(), "coding".into()));
    let err: Option<String> = conn
        .query_row(
            "SELECT last_error FROM build_workflows WHERE id = ?1",
            [&w.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(err.as_deref(), Some("compiler crashed"));
    assert_eq!(last_event(&conn, &w.id).0, "workflow_failed");

    let before = rows(&conn, &w.id);
    w = act(&mut store, &w, Action::Retry).workflow;
    assert_eq!(
        delta(before, rows(&conn, &w.id)),
        (1, 1, 1),
        "retry: handoff, checkpoint, event"
    );
    assert_eq!(head(&conn, &w.id), (5, "running".into(), "coding".into()));
    let h = last_handoff(&conn, &w.id);
    assert_eq!(
        (h.0.as_str(), h.1.as_str(), h.2.as_str()),
        ("retry", "coding", "coding")
    );
    assert_eq!((h.3.as_str(), h.4.as_str()), ("code_writer", "code_writer"));
    let (t, _, data) = last_event(&conn, &w.id);
    assert_eq!(
        (t.as_str(), data["attempt"].as_i64()),
        ("phase_retried", Some(1))
    );
    assert_eq!(data["previous_error"], "compiler crashed");
    let (state, version, _) = last_checkpoint(&conn, &w.id);
    assert_eq!((state.as_str(), version), ("coding", 5));
    let retry_count: i64 = conn
        .query_row(
            "SELECT retry_count FROM build_workflows WHERE id = ?1",
            [&w.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(retry_count, 1);

    let before = rows(&conn, &w.id);
    w = act_with_reason(
        &mut store,
        &w,
        Action::Rollback { to: None },
        "plan was wrong",
    )
    .workflow;
    assert_eq!(
        delta(before, rows(&conn, &w.id)),
        (1, 1, 1),
        "rollback: handoff, checkpoint, event"
    );
    assert_eq!(head(&conn, &w.id), (6, "running".into(), "planning".into()));
    let h = last_handoff(&conn, &w.id);
    assert_eq!(
        (h.0.as_str(), h.1.as_str(), h.2.as_str()),
        ("rollback", "coding", "planning")
    );
    let (t, by, data) = last_event(&conn, &w.id);
    assert_eq!((t.as_str(), by.as_str()), ("phase_rolled_back", ACTOR));
    assert_eq!(data["reason"], "plan was wrong");
    assert_healthy(&store);
}

#[test]
fn pause_resume_and_cancel_write_only_their_event() {
    let db = TestDb::new();
    let mut store = db.store();
    let conn = db.raw();
    let mut w = start(&mut store, "cygnus");
    for (action, status, event) in [
        (Action::Pause, "paused", "workflow_paused"),
        (Action::Resume, "running", "workflow_resumed"),
        (Action::Cancel, "cancelled", "workflow_cancelled"),
    ] {
        let before = rows(&conn, &w.id);
        let v = w.version;
        w = act(&mut store, &w, action).workflow;
        assert_eq!(delta(before, rows(&conn, &w.id)), (0, 0, 1), "{event}");
        assert_eq!(
            head(&conn, &w.id),
            (v + 1, status.into(), "discovery".into())
        );
        assert_eq!(last_event(&conn, &w.id).0, event);
    }
    let completed: Option<String> = conn
        .query_row(
            "SELECT completed_at FROM build_workflows WHERE id = ?1",
            [&w.id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(completed.as_deref().is_some_and(is_timestamp));
    assert_healthy(&store);
}

#[test]
fn advancing_past_the_last_phase_completes_with_only_an_event() {
    let db = TestDb::new();
    let mut store = db.store();
    let conn = db.raw();
    let mut w = start(&mut store, "draco");
    for _ in 0..5 {
        w = advance(&mut store, &w, None);
    }
    assert_eq!(w.current_state, "release");
    let before = rows(&conn, &w.id);
    w = advance(&mut store, &w, Some(json!({ "version": "2.0.0" })));
    assert_eq!(w.status, Status::Completed);
    assert_eq!(delta(before, rows(&conn, &w.id)), (0, 0, 1));
    assert_eq!(
        head(&conn, &w.id),
        (7, "completed".into(), "release".into())
    );
    assert_eq!(last_event(&conn, &w.id).0, "workflow_completed");
    let err = engine::act_on_id(
        &mut store,
        &w.id,
        &Request::new(Action::Advance { output: None }, ACTOR),
    )
    .unwrap_err();
    assert!(err.to_string().contains("completed"), "{err}");
    assert!(!err.is_conflict());
    assert_eq!(head(&conn, &w.id).0, 7);
    assert_healthy(&store);
}

#[test]
fn heartbeat_only_sets_heartbeat_at() {
    let db = TestDb::new();
    let mut store = db.store();
    let conn = db.raw();
    let w = start(&mut store, "eridanus");
    let w = advance(&mut store, &w, None);
    let row = |c: &rusqlite::Connection| -> (i64, String, Option<String>) {
        c.query_row(
            "SELECT version, updated_at, heartbeat_at FROM build_workflows WHERE id = ?1",
            [&w.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    let (v, updated, hb) = row(&conn);
    assert_eq!(hb, None);
    let before = rows(&conn, &w.id);
    let max_seq: i64 = conn
        .query_row("SELECT max(seq) FROM workflow_events", [], |r| r.get(0))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(engine::heartbeat(&mut store, &w.build_id).unwrap(), w.id);
    let (v2, updated2, hb2) = row(&conn);
    assert_eq!(
        (v2, updated2),
        (v, updated),
        "no version bump, updated_at untouched"
    );
    assert!(hb2.as_deref().is_some_and(is_timestamp));
    assert_eq!(delta(before, rows(&conn, &w.id)), (0, 0, 0));
    let max_seq2: i64 = conn
        .query_row("SELECT max(seq) FROM workflow_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(max_seq2, max_seq, "no event");
    // An operator's action with the version seen before the heartbeat still succeeds.
    act(&mut store, &w, Action::Pause);
    assert!(engine::heartbeat(&mut store, "no-such-workflow").is_err());
    assert_healthy(&store);
}

#[test]
fn a_stale_version_conflicts_and_changes_nothing() {
    let db = TestDb::new();
    let mut store = db.store();
    let conn = db.raw();
    let w0 = start(&mut store, "fornax");
    let w1 = advance(&mut store, &w0, None);
    let snapshot = dump(&conn);
    let actions = [
        Action::Advance {
            output: Some(json!({ "x": 1 })),
        },
        Action::Retry,
        Action::Rollback { to: None },
        Action::Fail { error: "x".into() },
        Action::Pause,
        Action::Cancel,
    ];
    for a in actions {
        let req = Request::new(a.clone(), ACTOR)
            .reason("r")
            .expect_version(w0.version);
        let err = engine::act_on_id(&mut store, &w0.id, &req).unwrap_err();
        assert!(err.is_conflict(), "{a:?}: {err}");
        assert!(err.to_string().contains("version 2, not 1"), "{err}");
        assert_eq!(dump(&conn), snapshot, "{a:?} changed the database");
    }
    let hid = pending_handoff(&conn, &w1.id).unwrap();
    let err = engine::acknowledge(&mut store, &hid, ACTOR, Some(w0.version)).unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(dump(&conn), snapshot);
    // With the current version the same request goes through.
    advance(&mut store, &w1, None);
    assert_healthy(&store);
}

#[test]
fn unknown_workflows_and_illegal_transitions_change_nothing() {
    let db = TestDb::new();
    let mut store = db.store();
    let conn = db.raw();
    let w = start(&mut store, "gemini");
    let snapshot = dump(&conn);
    let req = Request::new(Action::Pause, ACTOR);
    let err = engine::act(&mut store, "does-not-exist", &req).unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
    let rb = Request::new(Action::Rollback { to: None }, ACTOR).reason("why");
    let err = engine::act(&mut store, &w.build_id, &rb).unwrap_err();
    assert!(err.to_string().contains("first phase"), "{err}");
    let err = engine::act(&mut store, &w.id, &Request::new(Action::Resume, ACTOR)).unwrap_err();
    assert!(err.to_string().contains("only paused"), "{err}");
    assert_eq!(dump(&conn), snapshot);
}
