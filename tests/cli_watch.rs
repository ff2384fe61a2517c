//! `baton watch`: a line per workflow until each has ended, and with `--exit-status` an
//! exit code that says how they ended — distinct from usage, not-found and conflict.

mod common;

use common::backend::*;
use std::io::Read;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// `baton watch ARGS` running in the background, its output piped.
fn watch(db: &TestDb, args: &[&str]) -> Child {
    let mut c = db.command();
    c.arg("watch")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = c.spawn().expect("spawn baton watch");
    // Let it take its first look before anything changes.
    std::thread::sleep(Duration::from_millis(400));
    child
}

/// Waits (at most 20 s) for it to exit: (code, stdout).
fn finish(mut child: Child) -> (i32, String) {
    let began = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            return (status.code().unwrap_or(-1), out);
        }
        if began.elapsed() > Duration::from_secs(20) {
            child.kill().ok();
            let mut out = String::new();
            child.stdout.take().unwrap().read_to_string(&mut out).ok();
            panic!("watch did not end; it printed:\n{out}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn complete(db: &TestDb, build: &str) {
    for _ in 0..6 {
        db.run(&["advance", build]).code(0);
    }
}

fn exit_status_says_how_the_watched_workflows_ended(b: Backend) {
    let db = TestDb::cli(b);
    for build in ["w1", "w2", "w3", "w4"] {
        db.start(build);
    }
    // Both completed: 0, and a line for each step, ending in done.
    let child = watch(&db, &["w1", "w2", "--exit-status"]);
    complete(&db, "w1");
    complete(&db, "w2");
    let (code, out) = finish(child);
    assert_eq!(code, 0, "{out}");
    let w1: Vec<&str> = out.lines().filter(|l| l.starts_with("w1 ")).collect();
    assert!(w1.first().unwrap().contains("0/6  discovery"), "{out}");
    assert!(
        w1.last().unwrap().contains("completed") && w1.last().unwrap().ends_with("✓ done"),
        "{out}"
    );
    assert!(w1.len() >= 2, "a line per change: {out}");

    // One failed, one cancelled: failure wins (5); cancelled alone is 6.
    let child = watch(&db, &["w3", "w4", "--exit-status"]);
    db.run(&["cancel", "w4", "--reason", "superseded"]).code(0);
    db.run(&["fail", "w3", "--error", "disk full"]).code(0);
    let (code, out) = finish(child);
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("✗ failed disk full"), "{out}");
    let (code, _) = finish(watch(&db, &["w4", "--exit-status"]));
    assert_eq!(code, 6, "already cancelled");
    // Without --exit-status it only says so.
    let (code, out) = finish(watch(&db, &["w3", "w4"]));
    assert_eq!(code, 0, "{out}");

    // Unknown: not found, before watching anything.
    let r = db.run(&["watch", "nope", "--exit-status"]);
    r.code(3);
}

fn fail_on_stuck_ends_the_watch_when_the_stuck_rule_fires(b: Backend) {
    let db = TestDb::cli(b);
    // A handoff into `b` is stuck at once (limit 0 s); `a` has no limit of its own.
    db.add_definition(
        "quick",
        r#"{"name": "quick", "phases": [{"name": "a", "role": "r1"},
            {"name": "b", "role": "r2", "handoff_timeout_secs": 0}]}"#,
    );
    db.run(&[
        "start",
        "--project",
        "p",
        "--build-id",
        "s1",
        "--definition",
        "quick",
    ])
    .code(0);
    let child = watch(&db, &["s1", "--exit-status", "--fail-on-stuck", "--json"]);
    db.run(&["advance", "s1"]).code(0);
    let (code, out) = finish(child);
    assert_eq!(code, 7, "{out}");
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["ended"], "stuck");
    assert_eq!(last["phase"], "b");
    assert_eq!(last["stuck"]["rule"], "unacknowledged_handoff");
    // Each JSON line is a change: the first shows phase a, not stuck.
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["phase"], "a");
    assert!(first["stuck"].is_null());
}

both!(
    exit_status_says_how_the_watched_workflows_ended,
    fail_on_stuck_ends_the_watch_when_the_stuck_rule_fires,
);
