//! Each operation on a real SQLite file writes exactly its rows: transitions one handoff of
//! their kind, one checkpoint and one event; status changes only their event; heartbeat
//! only `heartbeat_at`.

mod common;

use baton::engine::{self, Request};
use baton::model::{Action, Status};
use common::backend::*;
use common::store::{ACTOR, act, act_with_reason, advance, assert_healthy, start};
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

fn last_handoff(conn: &mut Raw, id: &str) -> HandoffRow {
    conn.one(
        &format!(
            "SELECT h.kind, h.from_state, h.to_state, h.from_role, h.to_role,
               h.data_transferred, h.acknowledged_at
             FROM workflow_handoffs h WHERE h.workflow_id = $1 ORDER BY {NEWEST_HANDOFF} LIMIT 1"
        ),
        &[&id],
    )
}

fn last_checkpoint(conn: &mut Raw, id: &str) -> (String, i64, String) {
    conn.one(
        "SELECT state, version, phase_outputs FROM workflow_checkpoints WHERE workflow_id = $1
         ORDER BY version DESC, created_at DESC LIMIT 1",
        &[&id],
    )
}

fn start_writes_the_workflow_its_first_checkpoint_and_one_event(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let w = start(&mut store, "atlas");
    let mut conn = db.raw();
    assert_eq!(conn.head(&w.id), (1, "running".into(), "discovery".into()));
    assert_eq!(
        conn.rows(&w.id),
        Rows {
            handoffs: 0,
            checkpoints: 1,
            events: 1
        }
    );
    let (t, by, data) = conn.last_event(&w.id);
    assert_eq!((t.as_str(), by.as_str()), ("workflow_started", ACTOR));
    assert_eq!(data["phase"], "discovery");
    let (role, created, entered, outputs, build): (String, String, String, String, String) = conn
        .one(
            "SELECT \"current_role\", created_at, state_entered_at, phase_outputs, build_id
         FROM build_workflows WHERE id = $1",
            &[&w.id],
        );
    assert_eq!(role, "q_assistant");
    assert!(
        is_timestamp(&created) && created == entered,
        "{created} / {entered}"
    );
    assert_eq!(outputs, "{}");
    assert!(build.starts_with("atlas-"));
    assert_eq!(
        last_checkpoint(&mut conn, &w.id),
        ("discovery".into(), 1, "{}".into())
    );
    assert_healthy(&store);
}

fn advance_writes_one_advance_handoff_one_checkpoint_one_event(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let w = start(&mut store, "atlas");
    let before = conn.rows(&w.id);
    let out = json!({ "requirements": ["login", "sso"] });
    let w2 = advance(&mut store, &w, Some(out.clone()));
    assert_eq!(w2.version, 2);
    assert_eq!(conn.head(&w.id), (2, "running".into(), "planning".into()));
    assert_eq!(delta(before, conn.rows(&w.id)), (1, 1, 1));
    let (kind, from, to, from_role, to_role, data, acked) = last_handoff(&mut conn, &w.id);
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
    let (state, version, outputs) = last_checkpoint(&mut conn, &w.id);
    assert_eq!((state.as_str(), version), ("planning", 2));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&outputs).unwrap(),
        json!({ "discovery": out })
    );
    let (t, _, data) = conn.last_event(&w.id);
    assert_eq!(t, "phase_advanced");
    assert_eq!(
        (data["from"].as_str(), data["to"].as_str()),
        (Some("discovery"), Some("planning"))
    );
    assert_eq!(data["version"], 2);
    assert_healthy(&store);
}

fn acknowledge_marks_the_handoff_and_writes_only_its_event(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let w = start(&mut store, "atlas");
    let w = advance(&mut store, &w, None);
    let hid = conn.pending_handoff(&w.id).expect("pending handoff");
    let before = conn.rows(&w.id);
    // By unique prefix, as an operator would type it.
    let written =
        engine::acknowledge(&mut store, &hid[..12], "code_writer", Some(w.version)).unwrap();
    assert_eq!(written.workflow.version, 3);
    assert_eq!(delta(before, conn.rows(&w.id)), (0, 0, 1));
    let (at, by): (Option<String>, Option<String>) = conn.one(
        "SELECT acknowledged_at, acknowledged_by FROM workflow_handoffs WHERE id = $1",
        &[&hid],
    );
    assert!(at.as_deref().is_some_and(is_timestamp));
    assert_eq!(by.as_deref(), Some("code_writer"));
    assert_eq!(conn.pending_handoff(&w.id), None);
    let (t, by, data) = conn.last_event(&w.id);
    assert_eq!(
        (t.as_str(), by.as_str()),
        ("handoff_acknowledged", "code_writer")
    );
    assert_eq!(data["handoff_id"], json!(hid));
    // A second acknowledgement is refused and changes nothing.
    let snapshot = conn.dump();
    let err = engine::acknowledge(&mut store, &hid, "code_writer", None).unwrap_err();
    assert!(err.to_string().contains("not pending"), "{err}");
    assert_eq!(conn.dump(), snapshot);
    assert_healthy(&store);
}

fn fail_retry_and_rollback_write_their_rows(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let mut w = start(&mut store, "borealis");
    for _ in 0..2 {
        w = advance(&mut store, &w, Some(json!({ "ok": true })));
    }
    assert_eq!(w.current_state, "coding");

    let before = conn.rows(&w.id);
    w = act(
        &mut store,
        &w,
        Action::Fail {
            error: "compiler crashed".into(),
        },
    )
    .workflow;
    assert_eq!(
        delta(before, conn.rows(&w.id)),
        (0, 0, 1),
        "fail: only its event"
    );
    assert_eq!(conn.head(&w.id), (4, "failed".into(), "coding".into()));
    let err: Option<String> = conn.value(
        "SELECT last_error FROM build_workflows WHERE id = $1",
        &[&w.id],
    );
    assert_eq!(err.as_deref(), Some("compiler crashed"));
    assert_eq!(conn.last_event(&w.id).0, "workflow_failed");

    let before = conn.rows(&w.id);
    w = act(&mut store, &w, Action::Retry).workflow;
    assert_eq!(
        delta(before, conn.rows(&w.id)),
        (1, 1, 1),
        "retry: handoff, checkpoint, event"
    );
    assert_eq!(conn.head(&w.id), (5, "running".into(), "coding".into()));
    let h = last_handoff(&mut conn, &w.id);
    assert_eq!(
        (h.0.as_str(), h.1.as_str(), h.2.as_str()),
        ("retry", "coding", "coding")
    );
    assert_eq!((h.3.as_str(), h.4.as_str()), ("code_writer", "code_writer"));
    let (t, _, data) = conn.last_event(&w.id);
    assert_eq!(
        (t.as_str(), data["attempt"].as_i64()),
        ("phase_retried", Some(1))
    );
    assert_eq!(data["previous_error"], "compiler crashed");
    let (state, version, _) = last_checkpoint(&mut conn, &w.id);
    assert_eq!((state.as_str(), version), ("coding", 5));
    let retry_count: i64 = conn.value(
        "SELECT retry_count FROM build_workflows WHERE id = $1",
        &[&w.id],
    );
    assert_eq!(retry_count, 1);

    let before = conn.rows(&w.id);
    w = act_with_reason(
        &mut store,
        &w,
        Action::Rollback { to: None },
        "plan was wrong",
    )
    .workflow;
    assert_eq!(
        delta(before, conn.rows(&w.id)),
        (1, 1, 1),
        "rollback: handoff, checkpoint, event"
    );
    assert_eq!(conn.head(&w.id), (6, "running".into(), "planning".into()));
    let h = last_handoff(&mut conn, &w.id);
    assert_eq!(
        (h.0.as_str(), h.1.as_str(), h.2.as_str()),
        ("rollback", "coding", "planning")
    );
    let (t, by, data) = conn.last_event(&w.id);
    assert_eq!((t.as_str(), by.as_str()), ("phase_rolled_back", ACTOR));
    assert_eq!(data["reason"], "plan was wrong");
    assert_healthy(&store);
}

fn pause_resume_and_cancel_write_only_their_event(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let mut w = start(&mut store, "cygnus");
    for (action, status, event) in [
        (Action::Pause, "paused", "workflow_paused"),
        (Action::Resume, "running", "workflow_resumed"),
        (Action::Cancel, "cancelled", "workflow_cancelled"),
    ] {
        let before = conn.rows(&w.id);
        let v = w.version;
        w = act(&mut store, &w, action).workflow;
        assert_eq!(delta(before, conn.rows(&w.id)), (0, 0, 1), "{event}");
        assert_eq!(conn.head(&w.id), (v + 1, status.into(), "discovery".into()));
        assert_eq!(conn.last_event(&w.id).0, event);
    }
    let completed: Option<String> = conn.value(
        "SELECT completed_at FROM build_workflows WHERE id = $1",
        &[&w.id],
    );
    assert!(completed.as_deref().is_some_and(is_timestamp));
    assert_healthy(&store);
}

fn advancing_past_the_last_phase_completes_with_only_an_event(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let mut w = start(&mut store, "draco");
    for _ in 0..5 {
        w = advance(&mut store, &w, None);
    }
    assert_eq!(w.current_state, "release");
    let before = conn.rows(&w.id);
    w = advance(&mut store, &w, Some(json!({ "version": "2.0.0" })));
    assert_eq!(w.status, Status::Completed);
    assert_eq!(delta(before, conn.rows(&w.id)), (0, 0, 1));
    assert_eq!(conn.head(&w.id), (7, "completed".into(), "release".into()));
    assert_eq!(conn.last_event(&w.id).0, "workflow_completed");
    let err = engine::act_on_id(
        &mut store,
        &w.id,
        &Request::new(Action::Advance { output: None }, ACTOR),
    )
    .unwrap_err();
    assert!(err.to_string().contains("completed"), "{err}");
    assert!(!err.is_conflict());
    assert_eq!(conn.head(&w.id).0, 7);
    assert_healthy(&store);
}

fn heartbeat_only_sets_heartbeat_at(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let w = start(&mut store, "eridanus");
    let w = advance(&mut store, &w, None);
    let row = |c: &mut Raw| -> (i64, String, Option<String>) {
        c.one(
            "SELECT version, updated_at, heartbeat_at FROM build_workflows WHERE id = $1",
            &[&w.id],
        )
    };
    let (v, updated, hb) = row(&mut conn);
    assert_eq!(hb, None);
    let before = conn.rows(&w.id);
    let max_seq: i64 = conn.value("SELECT max(seq) FROM workflow_events", &[]);
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(engine::heartbeat(&mut store, &w.build_id).unwrap(), w.id);
    let (v2, updated2, hb2) = row(&mut conn);
    assert_eq!(
        (v2, updated2),
        (v, updated),
        "no version bump, updated_at untouched"
    );
    assert!(hb2.as_deref().is_some_and(is_timestamp));
    assert_eq!(delta(before, conn.rows(&w.id)), (0, 0, 0));
    let max_seq2: i64 = conn.value("SELECT max(seq) FROM workflow_events", &[]);
    assert_eq!(max_seq2, max_seq, "no event");
    // An operator's action with the version seen before the heartbeat still succeeds.
    act(&mut store, &w, Action::Pause);
    assert!(engine::heartbeat(&mut store, "no-such-workflow").is_err());
    assert_healthy(&store);
}

fn a_stale_version_conflicts_and_changes_nothing(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let w0 = start(&mut store, "fornax");
    let w1 = advance(&mut store, &w0, None);
    let snapshot = conn.dump();
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
        assert_eq!(conn.dump(), snapshot, "{a:?} changed the database");
    }
    let hid = conn.pending_handoff(&w1.id).unwrap();
    let err = engine::acknowledge(&mut store, &hid, ACTOR, Some(w0.version)).unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(conn.dump(), snapshot);
    // With the current version the same request goes through.
    advance(&mut store, &w1, None);
    assert_healthy(&store);
}

fn unknown_workflows_and_illegal_transitions_change_nothing(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let w = start(&mut store, "gemini");
    let snapshot = conn.dump();
    let req = Request::new(Action::Pause, ACTOR);
    let err = engine::act(&mut store, "does-not-exist", &req).unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
    let rb = Request::new(Action::Rollback { to: None }, ACTOR).reason("why");
    let err = engine::act(&mut store, &w.build_id, &rb).unwrap_err();
    assert!(err.to_string().contains("first phase"), "{err}");
    let err = engine::act(&mut store, &w.id, &Request::new(Action::Resume, ACTOR)).unwrap_err();
    assert!(err.to_string().contains("only paused"), "{err}");
    assert_eq!(conn.dump(), snapshot);
}

both!(
    start_writes_the_workflow_its_first_checkpoint_and_one_event,
    advance_writes_one_advance_handoff_one_checkpoint_one_event,
    acknowledge_marks_the_handoff_and_writes_only_its_event,
    fail_retry_and_rollback_write_their_rows,
    pause_resume_and_cancel_write_only_their_event,
    advancing_past_the_last_phase_completes_with_only_an_event,
    heartbeat_only_sets_heartbeat_at,
    a_stale_version_conflicts_and_changes_nothing,
    unknown_workflows_and_illegal_transitions_change_nothing,
);
