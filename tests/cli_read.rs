//! The read commands through the built binary: list, status, events (also followed live,
//! and cut short by a closed pipe), doctor, and text from the database made harmless.

mod common;

use common::backend::*;
use common::cli::{ACTOR, baton};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Column start offsets of a table line, found by the header's column names.
fn offsets(header: &str, names: &[&str]) -> Vec<usize> {
    names
        .iter()
        .map(|n| header.find(n).expect("column in header"))
        .collect()
}

fn list_prints_an_aligned_table_and_filters(b: Backend) {
    let db = TestDb::cli(b);
    db.start("alpha-1");
    db.json(&["start", "--project", "web", "--build-id", "web-2", "--json"]);
    db.start("alpha-long-build-name-3");
    db.run(&["fail", "alpha-1", "--error", "boom"]).code(0);
    db.run(&["advance", "web-2"]).code(0);

    let r = db.run(&["list"]);
    r.code(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    let cols = [
        "ID", "BUILD", "PROJECT", "PHASE", "ROLE", "STATUS", "VER", "UPDATED",
    ];
    let at = offsets(lines[0], &cols);
    for line in &lines[1..] {
        for (i, &o) in at.iter().enumerate().skip(1) {
            let before = line.chars().nth(o - 1);
            assert_eq!(
                before,
                Some(' '),
                "column {} misaligned in {line:?}",
                cols[i]
            );
            assert_ne!(line.chars().nth(o), Some(' '), "{line:?}");
        }
    }
    // Most recently updated first.
    assert!(lines[1].contains("web-2") && lines[1].contains("planning"));
    assert!(lines[2].contains("alpha-1") && lines[2].contains("failed"));

    let all = db.json(&["list", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 3);
    let w = &all[0];
    assert_eq!(w["build_id"], "web-2");
    assert_eq!(w["project_id"], "web");
    assert_eq!(w["current_state"], "planning");
    assert_eq!(w["current_role"], "q_assistant");
    assert_eq!(w["status"], "running");
    assert_eq!(w["version"], 2);
    assert!(w.get("phase_outputs").is_none(), "list rows are summaries");

    let failed = db.json(&["list", "--status", "FAILED", "--json"]);
    assert_eq!(failed.as_array().unwrap().len(), 1);
    assert_eq!(failed[0]["last_error"], "boom");
    let web = db.json(&["list", "--project", "web", "--json"]);
    assert_eq!(web[0]["build_id"], "web-2");
    assert_eq!(web.as_array().unwrap().len(), 1);
    let disc = db.json(&["list", "--phase", "discovery", "--json"]);
    assert_eq!(disc.as_array().unwrap().len(), 2);
    let one = db.json(&["list", "--limit", "1", "--json"]);
    assert_eq!(one.as_array().unwrap().len(), 1);
    let none = db.run(&["list", "--status", "paused"]);
    none.code(0);
    assert_eq!(none.stdout.trim(), "no workflows match");
}

fn status_shows_progress_handoffs_outputs_and_events(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    db.run(&["advance", "b1", "--output", r#"{"notes": "found it"}"#])
        .code(0);
    db.run(&["advance", "b1", "--output", r#"{"plan": [1, 2]}"#])
        .code(0);

    let s = db.json(&["status", "b1", "--json"]);
    let w = &s["workflow"];
    assert_eq!(w["build_id"], "b1");
    assert_eq!(w["current_state"], "coding");
    assert_eq!(w["version"], 3);
    assert_eq!(
        w["phase_outputs"],
        json!({"discovery": {"notes": "found it"}, "planning": {"plan": [1, 2]}})
    );
    assert_eq!(s["progress"], json!({"phase": 3, "of": 6, "done": 2}));
    assert_eq!(s["definition_version"], 1);
    assert_eq!(s["stuck"], Value::Null);
    let h = s["handoffs"].as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(
        (h[1]["from_role"].as_str(), h[1]["to_role"].as_str()),
        (Some("q_assistant"), Some("code_writer"))
    );
    assert_eq!(h[1]["data_transferred"], json!({"plan": [1, 2]}));
    let ev: Vec<&str> = s["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(ev, ["workflow_started", "phase_advanced", "phase_advanced"]);
    let s1 = db.json(&["status", "b1", "--events", "1", "--json"]);
    assert_eq!(s1["events"].as_array().unwrap().len(), 1);

    let r = db.run(&["status", "b1"]);
    r.code(0);
    let out = &r.stdout;
    for needle in [
        "build           b1",
        "coding (code_writer) — phase 3 of 6, 2 done",
        "status          running",
        "version         3",
        "stuck           no",
        "Handoffs (2)",
        "discovery/q_assistant  planning/q_assistant",
        "PENDING",
        "Phase outputs (2)",
        "\"notes\": \"found it\"",
        "Latest events (3)",
        "phase_advanced",
    ] {
        assert!(out.contains(needle), "status lacks {needle:?}:\n{out}");
    }
    // Outputs are shown in phase order.
    assert!(out.find("  discovery:").unwrap() < out.find("  planning:").unwrap());
}

fn stuck_handoffs_show_in_status_and_doctor(b: Backend) {
    let db = TestDb::cli(b);
    db.add_definition(
        "quick",
        r#"{"name": "quick", "phases": [
            {"name": "a", "role": "r1"},
            {"name": "b", "role": "r2", "handoff_timeout_secs": 0}]}"#,
    );
    db.json(&[
        "start",
        "--project",
        "p",
        "--build-id",
        "q1",
        "--definition",
        "quick",
        "--json",
    ]);
    db.run(&["advance", "q1"]).code(0);
    std::thread::sleep(Duration::from_millis(1100));

    let s = db.json(&["status", "q1", "--json"]);
    assert_eq!(s["stuck"]["rule"], "unacknowledged_handoff");
    assert_eq!(s["stuck"]["role"], "r2");
    assert_eq!(s["stuck"]["limit_secs"], 0);
    assert!(
        s["stuck"]["description"]
            .as_str()
            .unwrap()
            .contains("handoff to r2 unacknowledged")
    );
    let r = db.run(&["status", "q1"]);
    assert!(
        r.stdout.contains("stuck           YES: handoff to r2"),
        "{}",
        r.stdout
    );

    let d = db.run(&["doctor", "--json"]);
    d.code(0); // a stuck workflow is reported, not a broken database
    let v = d.json();
    assert_eq!(v["stuck"].as_array().unwrap().len(), 1);
    assert_eq!(v["stuck"][0]["build_id"], "q1");
    assert_eq!(v["stuck"][0]["stuck"]["rule"], "unacknowledged_handoff");

    // Acknowledging the handoff clears it.
    let hid = s["handoffs"][0]["id"].as_str().unwrap().to_string();
    db.run(&["ack", &hid]).code(0);
    assert_eq!(db.json(&["status", "q1", "--json"])["stuck"], Value::Null);
}

fn events_read_the_newest_or_after_a_cursor(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    db.start("b2");
    db.run(&["advance", "b1"]).code(0);
    db.run(&["pause", "b2"]).code(0);

    let all = db.json(&["events", "--json"]);
    let seqs: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs.len(), 4);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let e = &all[3];
    assert_eq!(e["event_type"], "workflow_paused");
    assert_eq!(e["triggered_by"], ACTOR);
    assert_eq!(e["event_data"]["version"], 2);
    assert_eq!(e["id"].as_str().unwrap().len(), 36);
    assert!(e["created_at"].as_str().unwrap().ends_with('Z'));

    let newest = db.json(&["events", "--limit", "2", "--json"]);
    assert_eq!(newest[0]["seq"], seqs[2]);
    assert_eq!(newest[1]["seq"], seqs[3]);
    let after = db.json(&[
        "events",
        "--after-seq",
        &seqs[0].to_string(),
        "--limit",
        "2",
        "--json",
    ]);
    assert_eq!(after[0]["seq"], seqs[1]);
    assert_eq!(after.as_array().unwrap().len(), 2);
    let b2 = db.json(&["events", "--workflow", "b2", "--json"]);
    let types: Vec<&str> = b2
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["workflow_started", "workflow_paused"]);

    let r = db.run(&["events"]);
    r.code(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "a header and four events:\n{}", r.stdout);
    assert!(lines[0].starts_with("SEQ"));
    assert!(lines[4].contains("workflow_paused") && lines[4].contains(ACTOR));
}

/// Reads `baton events --follow` lines on a thread; stops (closing the pipe) after `n`.
fn follow(db: &TestDb, args: &[&str], n: usize) -> (std::process::Child, mpsc::Receiver<String>) {
    let arg = db.arg();
    let mut all = vec!["--db", arg.as_str(), "events", "--follow"];
    all.extend_from_slice(args);
    let mut child = baton(db.dir.path())
        .args(&all)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().take(n) {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
        // The reader is dropped here: the pipe closes.
    });
    (child, rx)
}

fn wait_exit(child: &mut std::process::Child, within: Duration) -> Option<i32> {
    let t = Instant::now();
    while t.elapsed() < within {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn events_follow_prints_new_events_as_json_lines_and_exits_when_the_pipe_closes(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    let (mut child, rx) = follow(&db, &["--json"], 3);
    let first: Value =
        serde_json::from_str(&rx.recv_timeout(Duration::from_secs(10)).unwrap()).unwrap();
    assert_eq!(first["event_type"], "workflow_started");

    db.run(&["advance", "b1"]).code(0);
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a followed event");
    let second: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(second["event_type"], "phase_advanced");
    assert!(second["seq"].as_i64() > first["seq"].as_i64());
    // Another writer's change, not the follower's own.
    db.run(&["pause", "b1"]).code(0);
    let third: Value =
        serde_json::from_str(&rx.recv_timeout(Duration::from_secs(10)).unwrap()).unwrap();
    assert_eq!(third["event_type"], "workflow_paused");

    // The reader has gone; the next event's write hits a closed pipe.
    std::thread::sleep(Duration::from_millis(100));
    db.run(&["resume", "b1"]).code(0);
    let code = wait_exit(&mut child, Duration::from_secs(10));
    if code.is_none() {
        let _ = child.kill();
    }
    assert_eq!(code, Some(0), "follow exits cleanly once nobody reads");
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(err.is_empty(), "no error or panic on a closed pipe: {err}");
}

fn events_follow_for_one_workflow_skips_the_others(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    db.start("b2");
    let (mut child, rx) = follow(&db, &["--workflow", "b2", "--after-seq", "0"], 2);
    let l1 = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(l1.contains("workflow_started"), "{l1}");
    db.run(&["advance", "b1"]).code(0);
    db.run(&["pause", "b2"]).code(0);
    let l2 = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(
        l2.contains("workflow_paused"),
        "human line for b2 only: {l2}"
    );
    db.run(&["resume", "b2"]).code(0);
    let code = wait_exit(&mut child, Duration::from_secs(10));
    if code.is_none() {
        let _ = child.kill();
    }
    assert_eq!(code, Some(0));
}

fn output_closed_early_is_not_an_error(b: Backend) {
    let db = TestDb::cli(b);
    for i in 0..30 {
        db.start(&format!("b{i}"));
    }
    let mut child = baton(db.dir.path())
        .args(["--db", &db.arg(), "events", "--limit", "1000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head -0`
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.code() == Some(0),
        "{:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn doctor_reports_a_healthy_database(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    db.start("b2");
    db.run(&["fail", "b2", "--error", "disk full"]).code(0);
    let r = db.run(&["doctor"]);
    r.code(0);
    let latest = b.latest_version();
    let schema =
        format!("schema     version {latest} (this baton knows {latest}); all objects present");
    for needle in [
        schema.as_str(),
        "integrity  ok",
        "build_workflows 2",
        "workflow_events 3",
        "running 1, failed 1",
        "Failed workflows (1)",
        "disk full",
        "Stuck workflows (0)",
        "all hold",
    ] {
        assert!(
            r.stdout.contains(needle),
            "doctor lacks {needle:?}:\n{}",
            r.stdout
        );
    }
    assert_eq!(r.stdout.lines().last(), Some("ok"));

    let v = db.json(&["doctor", "--json"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["failed_checks"], json!([]));
    assert_eq!(v["schema_version"], latest);
    assert_eq!(v["integrity"], json!(["ok"]));
    assert_eq!(v["counts"]["build_workflows"], 2);
    assert_eq!(v["counts"]["workflow_checkpoints"], 2);
    assert_eq!(v["counts"]["workflow_definitions"], 1);
    assert_eq!(v["statuses"], json!({"running": 1, "failed": 1}));
    assert_eq!(v["failed"][0]["build_id"], "b2");
    assert_eq!(v["problems"], json!([]));
}

fn text_from_the_database_cannot_drive_the_terminal(b: Backend) {
    let db = TestDb::cli(b);
    let evil = "x\u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m\u{202e}gnp";
    db.json(&[
        "start",
        "--project",
        evil,
        "--build-id",
        "b1",
        "--user",
        evil,
        "--metadata",
        &json!({ "note": evil }).to_string(),
        "--json",
    ]);
    db.run(&["fail", "b1", "--error", evil]).code(0);
    let raw = ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'];
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["status", "b1"],
        &["status", "b1", "--json"],
        &["events"],
        &["events", "--json"],
        &["doctor"],
        &["retry", "b1", "--reason", evil],
    ] {
        let r = db.run(args);
        r.code(0);
        assert!(
            !r.stdout.chars().any(|c| raw.contains(&c)),
            "`baton {args:?}` printed a raw control character:\n{:?}",
            r.stdout
        );
    }
    // JSON escapes them, and the values survive intact.
    let s = db.json(&["status", "b1", "--json"]);
    assert_eq!(s["workflow"]["project_id"], evil);
    assert_eq!(s["workflow"]["metadata"]["note"], evil);
    // Errors quoting user input are made inert too.
    let r = db.run(&["status", evil]);
    r.code(3);
    assert!(
        !r.stderr.chars().any(|c| raw.contains(&c)),
        "{:?}",
        r.stderr
    );
}

fn reads_do_not_wait_for_a_writer_holding_the_lock(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    let mut writer = db.raw();
    // SQLite: the database-wide write lock; PostgreSQL: the row's lock.
    writer.batch(b.pick("BEGIN IMMEDIATE;", "BEGIN;"));
    writer.batch("UPDATE build_workflows SET project_id = 'moved';");
    let t = Instant::now();
    let list = db.json(&["list", "--json"]);
    assert_eq!(
        list[0]["project_id"], "shop",
        "the uncommitted change is not seen"
    );
    db.run(&["status", "b1"]).code(0);
    db.run(&["doctor"]).code(0);
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "reads waited {:?} for the writer",
        t.elapsed()
    );
    writer.batch("COMMIT");
    assert_eq!(db.json(&["list", "--json"])[0]["project_id"], "moved");
}

both!(
    list_prints_an_aligned_table_and_filters,
    status_shows_progress_handoffs_outputs_and_events,
    stuck_handoffs_show_in_status_and_doctor,
    events_read_the_newest_or_after_a_cursor,
    events_follow_prints_new_events_as_json_lines_and_exits_when_the_pipe_closes,
    events_follow_for_one_workflow_skips_the_others,
    output_closed_early_is_not_an_error,
    doctor_reports_a_healthy_database,
    text_from_the_database_cannot_drive_the_terminal,
    reads_do_not_wait_for_a_writer_holding_the_lock,
);
