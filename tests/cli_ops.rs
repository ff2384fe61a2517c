//! The operations through the built binary: every action subcommand, its human line, its
//! `--json` output field by field, and the exit codes of refused transitions.

mod common;

use common::backend::*;
use common::cli::{ACTOR, id};
use serde_json::json;

const PHASES: [(&str, &str); 6] = [
    ("discovery", "q_assistant"),
    ("planning", "q_assistant"),
    ("coding", "code_writer"),
    ("testing", "test_auditor"),
    ("review", "verification_specialist"),
    ("release", "release_manager"),
];

fn migrate_creates_reports_and_is_idempotent(b: Backend) {
    let db = TestDb::empty(b);
    let r = db.run(&["migrate"]);
    r.code(0);
    // SQLite creates the file; on PostgreSQL the database exists and gets the schema.
    let created = b.pick("created new database at", "set up baton's schema in");
    assert!(r.stdout.contains(created), "{}", r.stdout);
    assert!(r.stdout.contains("applied migration 0001_initial.sql"));
    assert!(db.has_schema());

    let r = db.run(&["migrate"]);
    r.code(0);
    assert!(!r.stdout.contains(created), "{}", r.stdout);
    assert!(!r.stdout.contains("created"), "{}", r.stdout);
    let latest = b.latest_version();
    assert!(
        r.stdout
            .contains(&format!("up to date at schema version {latest}"))
    );

    let v = db.json(&["migrate", "--json"]);
    assert_eq!(v["created"], false);
    assert_eq!(v["applied"], json!([]));
    assert_eq!(v["schema_version"], latest);
    assert_eq!(v["latest"], latest);

    let r = db.run(&["migrate", "--verify"]);
    r.code(0);
    assert!(
        r.stdout.contains(&format!("version {latest}")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.trim_end().ends_with("ok"));
    let v = db.json(&["migrate", "--verify", "--json"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["verification"]["version"], latest);
    assert_eq!(v["verification"]["missing"], json!([]));
}

fn migrate_json_on_a_new_file_lists_what_it_applied(b: Backend) {
    let db = TestDb::empty(b);
    let v = db.json(&["migrate", "--json"]);
    assert_eq!(v["created"], true);
    let every: Vec<&str> = b.migrations().iter().map(|m| m.name).collect();
    assert_eq!(v["applied"], json!(every));
    assert_eq!(v["path"], db.shown());
}

fn start_prints_the_new_workflow_field_by_field(b: Backend) {
    let db = TestDb::cli(b);
    let w = db.json(&[
        "start",
        "--project",
        "shop",
        "--build-id",
        "shop-42",
        "--user",
        "alice",
        "--metadata",
        r#"{"branch": "main"}"#,
        "--json",
    ]);
    assert_eq!(id(&w).len(), 36, "a UUID: {w}");
    assert_eq!(w["build_id"], "shop-42");
    assert_eq!(w["project_id"], "shop");
    assert_eq!(w["user_id"], "alice");
    assert_eq!(w["definition"], "build");
    assert_eq!(w["current_state"], "discovery");
    assert_eq!(w["current_role"], "q_assistant");
    assert_eq!(w["status"], "running");
    assert_eq!(w["version"], 1);
    assert_eq!(w["retry_count"], 0);
    assert_eq!(w["max_retries"], 3);
    assert_eq!(w["metadata"], json!({"branch": "main"}));
    assert_eq!(w["phase_outputs"], json!({}));
    assert_eq!(w["completed_at"], json!(null));

    let started = db.events("shop-42");
    assert_eq!(started.len(), 1);
    assert_eq!(started[0]["event_type"], "workflow_started");
    assert_eq!(started[0]["triggered_by"], ACTOR);

    let r = db.run(&["start", "--project", "web"]);
    r.code(0);
    assert!(
        r.stdout.starts_with("started web-"),
        "default build id is PROJECT-<id prefix>: {}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("phase discovery (q_assistant), status running, version 1")
    );
}

fn advance_walks_every_phase_to_completion_recording_outputs(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    for (i, (phase, _)) in PHASES.iter().enumerate() {
        let out = format!(r#"{{"step": {i}}}"#);
        let w = db.json(&["advance", "b1", "--output", &out, "--json"]);
        assert_eq!(w["version"], i as i64 + 2);
        assert_eq!(w["phase_outputs"][phase], json!({ "step": i }));
        if let Some((next, role)) = PHASES.get(i + 1) {
            assert_eq!(w["current_state"], *next);
            assert_eq!(w["current_role"], *role);
            assert_eq!(w["status"], "running");
        } else {
            assert_eq!(w["current_state"], "release");
            assert_eq!(w["status"], "completed");
            assert!(w["completed_at"].is_string());
        }
    }
    let r = db.run(&["advance", "b1"]);
    r.one_line_error(4, &["cannot advance", "completed"]);
    let types: Vec<String> = db
        .events("b1")
        .iter()
        .map(|e| e["event_type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types.first().map(String::as_str), Some("workflow_started"));
    assert_eq!(types.iter().filter(|t| *t == "phase_advanced").count(), 5);
    assert_eq!(types.last().map(String::as_str), Some("workflow_completed"));
}

fn advance_reads_output_from_a_file_and_prints_one_human_line(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    let file = db.dir.path().join("out.json");
    std::fs::write(&file, r#"{"report": ["a", "b"]}"#).unwrap();
    let arg = format!("@{}", file.display());
    let r = db.run(&["advance", "b1", "--output", &arg]);
    r.code(0);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("advanced b1 (")
            && r.stdout
                .contains("phase planning (q_assistant), status running, version 2"),
        "{}",
        r.stdout
    );
    assert_eq!(
        db.workflow("b1")["phase_outputs"]["discovery"],
        json!({"report": ["a", "b"]})
    );
}

fn fail_then_retry_until_retries_run_out(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    let w = db.json(&["fail", "b1", "--error", "tests time out", "--json"]);
    assert_eq!(w["status"], "failed");
    assert_eq!(w["last_error"], "tests time out");
    assert_eq!(w["version"], 2);
    let r = db.run(&["fail", "b1"]);
    r.code(2); // --error is required (clap)
    for attempt in 1..=3 {
        let w = db.json(&["retry", "b1", "--reason", "flaky", "--json"]);
        assert_eq!(w["status"], "running");
        assert_eq!(w["retry_count"], attempt);
        assert_eq!(w["last_error"], json!(null));
        assert_eq!(w["current_state"], "discovery");
    }
    db.run(&["retry", "b1"])
        .one_line_error(4, &["retries exhausted", "roll back or fail"]);
    let last = db.events("b1");
    let retried = last
        .iter()
        .rev()
        .find(|e| e["event_type"] == "phase_retried");
    assert_eq!(retried.unwrap()["event_data"]["reason"], "flaky");
}

fn rollback_restores_checkpointed_outputs_and_needs_a_reason(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    db.json(&["advance", "b1", "--output", r#"{"d": 1}"#, "--json"]);
    db.json(&["advance", "b1", "--output", r#"{"p": 2}"#, "--json"]);
    db.json(&["advance", "b1", "--output", r#"{"c": 3}"#, "--json"]);
    assert_eq!(db.workflow("b1")["current_state"], "testing");

    db.run(&["rollback", "b1"]).code(2); // --reason is required (clap)
    let w = db.json(&["rollback", "b1", "--reason", "spec changed", "--json"]);
    assert_eq!(w["current_state"], "coding");
    assert_eq!(
        w["phase_outputs"],
        json!({"discovery": {"d": 1}, "planning": {"p": 2}})
    );

    let w = db.json(&[
        "rollback", "b1", "--to", "planning", "--reason", "redo", "--json",
    ]);
    assert_eq!(w["current_state"], "planning");
    assert_eq!(w["current_role"], "q_assistant");
    assert_eq!(w["phase_outputs"], json!({"discovery": {"d": 1}}));
    let ev = db.events("b1");
    let last = ev.last().unwrap();
    assert_eq!(last["event_type"], "phase_rolled_back");
    assert_eq!(last["event_data"]["reason"], "redo");

    db.run(&["rollback", "b1", "--to", "release", "--reason", "x"])
        .one_line_error(4, &["not earlier"]);
    db.run(&["rollback", "b1", "--to", "nowhere", "--reason", "x"])
        .one_line_error(2, &["'nowhere'", "phases: discovery"]);
    db.json(&["rollback", "b1", "--reason", "x", "--json"]);
    db.run(&["rollback", "b1", "--reason", "x"])
        .one_line_error(4, &["first phase"]);
}

fn pause_resume_cancel_and_what_they_forbid(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    let w = db.json(&["pause", "b1", "--reason", "lunch", "--json"]);
    assert_eq!(
        (w["status"].as_str(), w["version"].as_i64()),
        (Some("paused"), Some(2))
    );
    db.run(&["advance", "b1"])
        .one_line_error(4, &["paused", "resume it first"]);
    db.run(&["pause", "b1"])
        .one_line_error(4, &["cannot pause"]);
    let w = db.json(&["resume", "b1", "--json"]);
    assert_eq!(w["status"], "running");
    let r = db.run(&["cancel", "b1"]);
    r.code(0);
    assert!(r.stdout.starts_with("cancelled b1 ("), "{}", r.stdout);
    let w = db.workflow("b1");
    assert_eq!(w["status"], "cancelled");
    assert!(w["completed_at"].is_string());
    assert_eq!(w["version"], 4);
    db.run(&["resume", "b1"]).one_line_error(4, &["cancelled"]);
    db.run(&["cancel", "b1"])
        .one_line_error(4, &["it has ended"]);
}

fn ack_acknowledges_the_pending_handoff_by_prefix(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    db.json(&["advance", "b1", "--json"]);
    let st = db.json(&["status", "b1", "--json"]);
    let h = &st["handoffs"][0];
    assert_eq!(h["kind"], "advance");
    assert_eq!(h["from_state"], "discovery");
    assert_eq!(h["to_state"], "planning");
    assert_eq!(h["acknowledged_at"], json!(null));
    let hid = h["id"].as_str().unwrap().to_string();

    db.run(&["ack", &hid[..8], "--expect-version", "1"])
        .one_line_error(4, &["conflict", "version 2, not 1"]);
    let w = db.json(&["ack", &hid[..8], "--expect-version", "2", "--json"]);
    assert_eq!(w["version"], 3);
    let st = db.json(&["status", "b1", "--json"]);
    assert_eq!(st["handoffs"][0]["acknowledged_by"], ACTOR);
    assert!(st["handoffs"][0]["acknowledged_at"].is_string());
    assert_eq!(
        db.events("b1").last().unwrap()["event_type"],
        "handoff_acknowledged"
    );
    db.run(&["ack", &hid]).one_line_error(4, &["not pending"]);
    db.run(&["ack", "ffffffff-nope"])
        .one_line_error(3, &["no handoff or workflow", "baton status"]);
}

fn heartbeat_sets_heartbeat_at_without_a_version_or_event(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    let before = db.fingerprint("b1");
    let r = db.run(&["heartbeat", "b1"]);
    r.code(0);
    assert!(r.stdout.starts_with("heartbeat b1 ("), "{}", r.stdout);
    let w = db.json(&["heartbeat", "b1", "--json"]);
    assert!(w["heartbeat_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(db.fingerprint("b1"), before);
}

fn expect_version_refuses_a_stale_view_and_changes_nothing(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    let w = db.json(&["advance", "b1", "--expect-version", "1", "--json"]);
    assert_eq!(w["version"], 2);
    let before = db.fingerprint("b1");
    db.run(&["advance", "b1", "--expect-version", "1"])
        .one_line_error(4, &["conflict", "Reload and try again"]);
    db.run(&["pause", "b1", "--expect-version", "7"]).code(4);
    assert_eq!(db.fingerprint("b1"), before);
    db.run(&["advance", "b1", "--expect-version", "0"]).code(2);
}

fn actor_flag_and_env_are_recorded(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    db.run(&["--actor", "operator:bob@ops", "pause", "b1"])
        .code(0);
    db.run(&["resume", "b1", "--actor", "orchestrator:py"])
        .code(0);
    let ev = db.events("b1");
    let by: Vec<&str> = ev
        .iter()
        .map(|e| e["triggered_by"].as_str().unwrap())
        .collect();
    assert_eq!(by, [ACTOR, "operator:bob@ops", "orchestrator:py"]);
}

fn definitions_are_added_versioned_listed_and_used(b: Backend) {
    let db = TestDb::cli(b);
    let file = db.dir.path().join("mini.json");
    std::fs::write(
        &file,
        r#"{"name": "mini", "description": "two steps",
            "phases": [{"name": "write", "role": "writer"}, {"name": "check", "role": "checker", "max_retries": 1}]}"#,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let r = db.run(&["definition", "add", f]);
    r.code(0);
    assert!(
        r.stdout
            .contains("added definition 'mini' version 1 (write → check)"),
        "{}",
        r.stdout
    );
    let v = db.json(&["definition", "add", f, "--json"]);
    assert_eq!(v["version"], 2);

    let list = db.json(&["definition", "list", "--json"]);
    let names: Vec<(&str, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), d["version"].as_i64().unwrap()))
        .collect();
    assert_eq!(names, [("build", 1), ("mini", 2)]);
    assert_eq!(list[1]["phases"][1]["max_retries"], 1);
    let r = db.run(&["definition", "list"]);
    r.code(0);
    assert!(r.stdout.starts_with("NAME"), "{}", r.stdout);
    assert!(r.stdout.contains("write/writer → check/checker"));

    let w = db.json(&["start", "--project", "p", "--definition", "mini", "--json"]);
    assert_eq!(
        (w["current_state"].as_str(), w["current_role"].as_str()),
        (Some("write"), Some("writer"))
    );
    let w = db.json(&["advance", &id(&w), "--json"]);
    assert_eq!(w["current_state"], "check");
    let st = db.json(&["status", &id(&w), "--json"]);
    assert_eq!(st["progress"], json!({"phase": 2, "of": 2, "done": 1}));
}

fn read_only_reads_but_refuses_every_change(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    let before = db.dump();
    // SQLite: not even the file's size changes.
    let file_len = || (!b.is_pg()).then(|| std::fs::metadata(&db.path).unwrap().len());
    let len_before = file_len();
    db.run(&["--read-only", "advance", "b1"])
        .one_line_error(1, &["read-only", "drop --read-only"]);
    db.run(&["--read-only", "heartbeat", "b1"])
        .one_line_error(1, &["read-only"]);
    db.run(&["--read-only", "start", "--project", "x"])
        .one_line_error(1, &["read-only"]);
    db.run(&["--read-only", "migrate"])
        .one_line_error(2, &["--read-only"]);
    let r = db.run(&["--read-only", "list", "--json"]);
    r.code(0);
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    db.run(&["--read-only", "status", "b1"]).code(0);
    db.run(&["--read-only", "doctor"]).code(0);
    db.run(&["--read-only", "migrate", "--verify"]).code(0);
    assert_eq!(db.workflow("b1")["version"], 1);
    assert_eq!(db.dump(), before);
    assert_eq!(file_len(), len_before);
}

both!(
    migrate_creates_reports_and_is_idempotent,
    migrate_json_on_a_new_file_lists_what_it_applied,
    start_prints_the_new_workflow_field_by_field,
    advance_walks_every_phase_to_completion_recording_outputs,
    advance_reads_output_from_a_file_and_prints_one_human_line,
    fail_then_retry_until_retries_run_out,
    rollback_restores_checkpointed_outputs_and_needs_a_reason,
    pause_resume_cancel_and_what_they_forbid,
    ack_acknowledges_the_pending_handoff_by_prefix,
    heartbeat_sets_heartbeat_at_without_a_version_or_event,
    expect_version_refuses_a_stale_view_and_changes_nothing,
    actor_flag_and_env_are_recorded,
    definitions_are_added_versioned_listed_and_used,
    read_only_reads_but_refuses_every_change,
);
