//! Time travel and diff through the built binary, on both backends: `baton status --at SEQ`
//! for every event of a workflow driven through advances (with outputs), a failure, a
//! retry, a rollback and an acknowledgement (and of workflows paused, resumed, completed
//! and cancelled) equals what `baton status --json` showed right after each of those
//! operations; a workflow written by another program with raw SQL
//! shows unknown exactly where its trail says too little; `baton diff` on known outputs.

mod common;

use common::backend::*;
use serde_json::{Value, json};

/// The fields `--at` rebuilds, out of a `status --json` document's `workflow`.
const FIELDS: [&str; 7] = [
    "current_state",
    "current_role",
    "status",
    "version",
    "retry_count",
    "phase_outputs",
    "last_error",
];

/// Runs one operation and records `status --json` right after it, keyed by its event.
fn drive(db: &TestDb, seen: &mut Vec<(i64, Value)>, args: &[&str]) {
    db.run(args).code(0);
    // Every operation names its workflow by build id, except ack (a handoff id: tr-1's).
    let build = match args[0] {
        "start" => args[4],
        "ack" => "tr-1",
        _ => args[1],
    };
    let s = db.json(&["status", build, "--json"]);
    let seq = s["events"].as_array().unwrap().last().unwrap()["seq"]
        .as_i64()
        .unwrap();
    seen.push((seq, s));
}

fn driven(db: &TestDb) -> Vec<(i64, Value)> {
    let mut seen = Vec::new();
    let start = ["start", "--project", "tr", "--build-id", "tr-1"];
    drive(db, &mut seen, &start);
    drive(
        db,
        &mut seen,
        &["advance", "tr-1", "--output", r#"{"services": 3}"#],
    );
    drive(
        db,
        &mut seen,
        &[
            "advance",
            "tr-1",
            "--output",
            r#"{"plan": "split", "steps": [1, 2]}"#,
        ],
    );
    drive(db, &mut seen, &["fail", "tr-1", "--error", "compile error"]);
    drive(
        db,
        &mut seen,
        &["retry", "tr-1", "--reason", "flaky runner"],
    );
    drive(
        db,
        &mut seen,
        &["advance", "tr-1", "--output", r#"{"files": 12}"#],
    );
    let back = [
        "rollback",
        "tr-1",
        "--to",
        "planning",
        "--reason",
        "redo the plan",
    ];
    drive(db, &mut seen, &back);
    drive(
        db,
        &mut seen,
        &[
            "advance",
            "tr-1",
            "--output",
            r#"{"plan": "merge", "steps": [1, 2, 3]}"#,
        ],
    );
    let newest = seen.last().unwrap().1["handoffs"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    drive(db, &mut seen, &["ack", &newest]);
    drive(
        db,
        &mut seen,
        &["advance", "tr-1", "--output", r#"{"files": 9}"#],
    );
    drive(
        db,
        &mut seen,
        &["fail", "tr-1", "--error", "tests time out"],
    );
    seen
}

/// The other ends: paused, resumed and completed with an output on every phase; and
/// cancelled.
fn finished(db: &TestDb) -> Vec<(i64, Value)> {
    let mut seen = Vec::new();
    drive(
        db,
        &mut seen,
        &["start", "--project", "tr", "--build-id", "tr-2"],
    );
    drive(db, &mut seen, &["pause", "tr-2"]);
    drive(db, &mut seen, &["resume", "tr-2"]);
    for i in 0..6 {
        let out = format!(r#"{{"step": {i}}}"#);
        drive(db, &mut seen, &["advance", "tr-2", "--output", &out]);
    }
    drive(
        db,
        &mut seen,
        &["start", "--project", "tr", "--build-id", "tr-3"],
    );
    drive(db, &mut seen, &["cancel", "tr-3", "--reason", "superseded"]);
    seen
}

fn status_at_equals_the_state_recorded_after_every_operation(b: Backend) {
    let db = TestDb::cli(b);
    let mut seen = driven(&db);
    let all = db.events("tr-1");
    assert_eq!(all.len(), seen.len(), "one event per operation");
    let newest_of_tr1 = seen.last().unwrap().0;
    seen.extend(finished(&db));
    assert_eq!(seen[seen.len() - 3].1["workflow"]["status"], "completed");
    assert_eq!(seen[seen.len() - 1].1["workflow"]["status"], "cancelled");
    for (seq, then) in &seen {
        let build = then["workflow"]["build_id"].as_str().unwrap();
        let at = db.json(&["status", build, "--at", &seq.to_string(), "--json"]);
        assert_eq!(at["as_of"]["seq"], *seq);
        assert_eq!(
            at["unknown"],
            json!({}),
            "baton's own trail tells everything"
        );
        for f in FIELDS {
            assert_eq!(at["workflow"][f], then["workflow"][f], "{f} as of #{seq}");
        }
        assert_eq!(at["workflow"]["id"], then["workflow"]["id"]);
        assert_eq!(at["handoffs"], then["handoffs"], "handoffs as of #{seq}");
        assert_eq!(at["events"], then["events"], "events up to #{seq}");
    }
    // The newest event is the workflow as it is now.
    let now = db.json(&["status", "tr-1", "--json"]);
    let at = db.json(&[
        "status",
        "tr-1",
        "--at",
        &newest_of_tr1.to_string(),
        "--json",
    ]);
    for f in FIELDS {
        assert_eq!(at["workflow"][f], now["workflow"][f], "{f}");
    }
    // People see the banner.
    let seq = seen[4].0.to_string();
    let human = db.run(&["status", "tr-1", "--at", &seq]);
    human.code(0);
    let first = human.stdout.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("as of #{seq} · ")) && first.contains("phase_retried"),
        "{first}"
    );
    assert!(human.stdout.contains("retries     1"), "{}", human.stdout);
}

fn an_event_not_of_this_workflow_is_not_found(b: Backend) {
    let db = TestDb::cli(b);
    db.start("tr-1");
    let other = db.start("tr-2");
    let theirs = db.events(other["id"].as_str().unwrap())[0]["seq"]
        .as_i64()
        .unwrap()
        .to_string();
    db.run(&["status", "tr-1", "--at", &theirs]).one_line_error(
        3,
        &[
            "not an event of workflow tr-1",
            "baton events --workflow tr-1",
        ],
    );
    db.run(&["status", "tr-1", "--at", "999999", "--json"])
        .one_line_error(3, &["#999999"]);
    db.run(&["diff", "tr-1", "--from", &theirs])
        .one_line_error(3, &["not an event of this workflow"]);
}

fn diff_shows_how_outputs_changed_between_attempts(b: Backend) {
    let db = TestDb::cli(b);
    let seen = driven(&db);
    let seq = |i: usize| seen[i].0;
    // Now: failed in testing, entered once since the rollback (#7 into coding, #9 into
    // testing); the previous testing attempt began at #5 and ended with the rollback (#6),
    // so its side is the state right before the rollback.
    let d = db.json(&["diff", "tr-1", "--json"]);
    assert_eq!(
        d["attempts"],
        json!({"phase": "testing", "previous": {"began": seq(5), "ended": seq(6)},
               "current": {"began": seq(9), "ended": null}})
    );
    assert_eq!(d["from"]["seq"], seq(5));
    assert_eq!(d["to"]["seq"], seq(10));
    assert_eq!(
        d["changes"],
        json!([
            {"path": "/coding/files", "kind": "changed", "old": 12, "new": 9},
            {"path": "/planning/plan", "kind": "changed", "old": "split", "new": "merge"},
            {"path": "/planning/steps/2", "kind": "added", "new": 3},
        ])
    );
    // Explicit sides: right after the start against right after the second advance.
    let d = db.json(&[
        "diff",
        "tr-1",
        "--from",
        &seq(0).to_string(),
        "--to",
        &seq(2).to_string(),
        "--json",
    ]);
    assert_eq!(d["attempts"], Value::Null);
    assert_eq!(
        d["changes"],
        json!([
            {"path": "/discovery", "kind": "added", "new": {"services": 3}},
            {"path": "/planning", "kind": "added", "new": {"plan": "split", "steps": [1, 2]}},
        ])
    );
    // For people: one line per path.
    let human = db.run(&["diff", "tr-1"]);
    human.code(0);
    assert!(
        human
            .stdout
            .contains("~ /planning/plan     \"split\" → \"merge\""),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("3 changes: 1 added, 0 removed, 2 changed")
    );
    // A phase entered once: said so, exit 0.
    let r = db.run(&["diff", "tr-1", "--to", &seq(1).to_string()]);
    r.code(0);
    assert!(
        r.stdout.contains("no previous attempt of phase planning"),
        "{}",
        r.stdout
    );
    let j = db.json(&["diff", "tr-1", "--to", &seq(1).to_string(), "--json"]);
    assert_eq!(j["changes"], json!([]));
    assert!(j["note"].as_str().unwrap().contains("no previous attempt"));
}

/// The seeds' way, with raw SQL: `state_advanced` with `from_state`/`to_state`, no
/// checkpoints, no versions in the events, a failure without its error, an event type of
/// the writer's own; the version never bumped.
fn write_as_an_outside_writer(db: &TestDb) {
    db.raw().batch(
        r#"
        INSERT INTO build_workflows (id, build_id, project_id, current_state, "current_role",
          status, phase_outputs, last_error, created_at, updated_at)
        VALUES ('raw-1-id', 'raw-1', 'raw', 'planning', 'q_assistant', 'failed',
          '{"discovery": {"n": 1}}', 'disk full',
          '2026-11-20T10:00:00.000Z', '2026-11-20T10:03:00.000Z');
        INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data, created_at)
        VALUES ('raw-1-id', 'workflow_started', 'seed', '{}', '2026-11-20T10:00:00.000Z');
        INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role, from_state, to_state,
          data_transferred, created_at)
        VALUES ('raw-h1', 'raw-1-id', 'q_assistant', 'q_assistant', 'discovery', 'planning',
          '{"n": 1}', '2026-11-20T10:01:00.000Z');
        INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data, created_at)
        VALUES ('raw-1-id', 'state_advanced', 'seed',
          '{"from_state": "discovery", "to_state": "planning"}', '2026-11-20T10:01:00.000Z');
        INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data, created_at)
        VALUES ('raw-1-id', 'workflow_failed', 'seed', '{}', '2026-11-20T10:02:00.000Z');
        INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data, created_at)
        VALUES ('raw-1-id', 'deploy_requested', 'seed', '{}', '2026-11-20T10:03:00.000Z');
        "#,
    );
}

fn an_outside_writers_trail_shows_unknown_where_it_must(b: Backend) {
    let db = TestDb::cli(b);
    write_as_an_outside_writer(&db);
    let seqs: Vec<String> = db
        .events("raw-1")
        .iter()
        .map(|e| e["seq"].as_i64().unwrap().to_string())
        .collect();
    let at = |i: usize| db.json(&["status", "raw-1", "--at", &seqs[i], "--json"]);

    // The start: its phase is the one the first transition left; the version and the
    // outputs it began with are recorded nowhere.
    let s = at(0);
    let w = &s["workflow"];
    assert_eq!(
        (&w["current_state"], &w["current_role"]),
        (&json!("discovery"), &json!("q_assistant"))
    );
    assert_eq!(
        (&w["status"], &w["retry_count"], &w["last_error"]),
        (&json!("running"), &json!(0), &Value::Null)
    );
    assert_eq!(
        (&w["version"], &w["phase_outputs"]),
        (&Value::Null, &Value::Null)
    );
    let unknown = s["unknown"].as_object().unwrap();
    assert_eq!(
        unknown.keys().collect::<Vec<_>>(),
        ["phase_outputs", "version"],
        "{s}"
    );
    assert!(
        unknown["phase_outputs"]
            .as_str()
            .unwrap()
            .contains("checkpoint")
    );
    assert!(unknown["version"].as_str().unwrap().contains("version"));
    assert_eq!(s["handoffs"], json!([]));

    // After the advance: no later event changes the outputs, so they are the row's; a later
    // event (the failure) could have bumped the version, so it is still unknown here.
    let s = at(1);
    assert_eq!(s["workflow"]["current_state"], "planning");
    assert_eq!(
        s["workflow"]["phase_outputs"],
        json!({"discovery": {"n": 1}})
    );
    assert_eq!(
        s["unknown"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["version"]
    );
    assert_eq!(s["handoffs"].as_array().unwrap().len(), 1);

    // The failure recorded no error, but nothing after it changes the error: the row's.
    for i in [2, 3] {
        let s = at(i);
        assert_eq!(s["unknown"], json!({}), "{s}");
        assert_eq!(s["workflow"]["status"], "failed");
        assert_eq!(s["workflow"]["last_error"], "disk full");
        assert_eq!(s["workflow"]["version"], 1);
    }
    // People read the reason.
    let human = db.run(&["status", "raw-1", "--at", &seqs[0]]);
    human.code(0);
    assert!(
        human.stdout.contains("version     unknown ("),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("Phase outputs\n  unknown: "),
        "{}",
        human.stdout
    );
    // A diff that needs the unknown outputs says so: exit 1.
    db.run(&["diff", "raw-1", "--from", &seqs[0]])
        .one_line_error(
            1,
            &["cannot diff raw-1", "phase outputs", "cannot be rebuilt"],
        );
}

both!(
    status_at_equals_the_state_recorded_after_every_operation,
    an_event_not_of_this_workflow_is_not_found,
    diff_shows_how_outputs_changed_between_attempts,
    an_outside_writers_trail_shows_unknown_where_it_must,
);
