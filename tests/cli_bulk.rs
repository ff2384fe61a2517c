//! Bulk actions by filter: a dry run writes nothing and predicts exactly what the real
//! run then does; every event carries the bulk reason; a workflow changed between
//! selection and action is skipped as a conflict, never acted on; the exit code says
//! whether all, some or none of the matches were acted on.

mod common;

use common::backend::*;
use serde_json::Value;
use std::process::Stdio;
use std::time::Duration;

fn outcomes(report: &Value) -> Vec<(String, String)> {
    report["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let kind = w["outcome"]
                .as_str()
                .unwrap()
                .replace("would_apply", "applied");
            (w["build_id"].as_str().unwrap().to_string(), kind)
        })
        .collect()
}

fn run_json(db: &TestDb, args: &[&str], code: i32) -> Value {
    let r = db.run(args);
    r.code(code);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

fn a_dry_run_writes_nothing_and_predicts_the_real_run(b: Backend) {
    let db = TestDb::cli(b);
    for i in 0..6 {
        db.start(&format!("t{i}"));
    }
    // t0 and t1 move on to planning; t2 is paused (pause refuses it); t5 fails.
    for build in ["t0", "t1"] {
        db.run(&["advance", build]).code(0);
    }
    db.run(&["pause", "t2"]).code(0);
    db.run(&["fail", "t5", "--error", "boom"]).code(0);
    let before = db.dump();
    let dry = run_json(
        &db,
        &[
            "pause",
            "--filter",
            "phase:discovery",
            "--reason",
            "freeze",
            "--dry-run",
            "--json",
        ],
        8,
    );
    assert_eq!(db.dump(), before, "a dry run writes nothing");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["summary"]["matched"], 4, "{dry}");
    let real = run_json(
        &db,
        &[
            "pause",
            "--filter",
            "phase:discovery",
            "--reason",
            "freeze",
            "--json",
        ],
        8,
    );
    assert_eq!(outcomes(&dry), outcomes(&real));
    assert_eq!(dry["summary"], real["summary"]);
    assert_eq!(real["summary"]["applied"], 2, "{real}");
    assert_eq!(
        real["summary"]["refused"], 2,
        "t2 paused, t5 failed: {real}"
    );
    // Every event the bulk wrote carries its reason.
    for build in ["t3", "t4"] {
        let events = db.events(build);
        let paused = events.last().unwrap();
        assert_eq!(paused["event_type"], "workflow_paused");
        assert_eq!(paused["event_data"]["reason"], "freeze");
    }
    // Nothing left to pause: none applied, exit 4; all applied: 0.
    run_json(
        &db,
        &[
            "pause",
            "--filter",
            "phase:discovery",
            "--reason",
            "again",
            "--json",
        ],
        4,
    );
    let resumed = run_json(
        &db,
        &[
            "resume",
            "--filter",
            "status:paused",
            "--reason",
            "thaw",
            "--json",
        ],
        0,
    );
    assert_eq!(resumed["summary"]["applied"], 3);
    // Nothing matched is nothing to do: 0.
    let none = run_json(
        &db,
        &[
            "retry",
            "--filter",
            "project:nobody",
            "--reason",
            "x",
            "--json",
        ],
        0,
    );
    assert_eq!(none["summary"]["matched"], 0);

    // Usage: a reason is required, the filter must make sense, one workflow or a filter.
    let before = db.dump();
    db.run(&["cancel", "--filter", "stuck"]).code(2);
    let r = db.run(&["cancel", "--filter", "phase:nope", "--reason", "x"]);
    r.code(2);
    assert!(r.stderr.contains("planning"), "{}", r.stderr);
    db.run(&["cancel", "t1", "--filter", "stuck", "--reason", "x"])
        .code(2);
    db.run(&[
        "cancel",
        "--filter",
        "stuck",
        "--reason",
        "x",
        "--expect-version",
        "3",
    ])
    .code(2);
    assert_eq!(db.dump(), before);
}

fn bulk_ack_acknowledges_each_matching_workflows_pending_handoff(b: Backend) {
    let db = TestDb::cli(b);
    for i in 0..3 {
        let build = format!("k{i}");
        db.start(&build);
        db.run(&["advance", &build]).code(0);
    }
    let r = run_json(
        &db,
        &[
            "ack",
            "--filter",
            "phase:planning",
            "--reason",
            "on it",
            "--json",
        ],
        0,
    );
    assert_eq!(r["summary"]["applied"], 3, "{r}");
    for i in 0..3 {
        let e = db.events(&format!("k{i}"));
        assert_eq!(e.last().unwrap()["event_type"], "handoff_acknowledged");
        assert_eq!(e.last().unwrap()["event_data"]["reason"], "on it");
    }
    // Nothing pending any more: each refused.
    run_json(
        &db,
        &[
            "ack",
            "--filter",
            "phase:planning",
            "--reason",
            "again",
            "--json",
        ],
        4,
    );
}

/// Another writer holds the lock (SQLite) or the first workflow's row (PostgreSQL) while
/// it changes the second one: the bulk, which selected both before that commit, acts on
/// the first and skips the second as a conflict.
fn a_workflow_changed_after_selection_is_skipped_as_a_conflict(b: Backend) {
    let db = TestDb::cli(b);
    db.start("c1");
    db.start("c2");
    let c1 = db.workflow("c1")["id"].as_str().unwrap().to_string();
    let c2 = db.workflow("c2")["id"].as_str().unwrap().to_string();
    let mut other = db.raw();
    match b {
        Backend::Sqlite => other.batch("BEGIN IMMEDIATE"),
        Backend::Postgres => {
            other.batch("BEGIN");
            other.execute(
                "SELECT id FROM build_workflows WHERE id = $1 FOR UPDATE",
                &[&c1],
            );
        }
    }
    other.execute(
        "UPDATE build_workflows SET version = version + 1 WHERE id = $1",
        &[&c2],
    );
    let mut bulk = db.command();
    bulk.args([
        "pause",
        "--filter",
        "project:shop",
        "--reason",
        "freeze",
        "--json",
        "--busy-timeout",
        "20000",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let child = bulk.spawn().unwrap();
    // It selects at once (reads are not blocked), then waits on the lock.
    std::thread::sleep(Duration::from_secs(2));
    other.batch("COMMIT");
    let out = child.wait_with_output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(8), "{report}");
    assert_eq!(
        outcomes(&report),
        [
            ("c1".to_string(), "applied".to_string()),
            ("c2".to_string(), "conflict".to_string())
        ]
    );
    assert_eq!(report["workflows"][1]["selected_version"], 1);
    // c2 was not touched by the bulk: still running, at the other writer's version.
    let w2 = db.workflow("c2");
    assert_eq!(w2["status"], "running");
    assert_eq!(w2["version"], 2);
}

both!(
    a_dry_run_writes_nothing_and_predicts_the_real_run,
    bulk_ack_acknowledges_each_matching_workflows_pending_handoff,
    a_workflow_changed_after_selection_is_skipped_as_a_conflict,
);
