//! `baton list`: the stuck rule as a status filter and a column (text) / field (JSON), and
//! what happens past `--limit`: the rows on stdout, a note on stderr saying how many more.

mod common;

use common::backend::*;
use serde_json::Value;
use std::time::Duration;

/// A definition whose second phase counts a handoff as stuck at once, and `n` workflows on
/// it, `stuck` of them advanced into that phase (so stuck a second later).
fn with_stuck(db: &TestDb, n: usize, stuck: usize) {
    db.add_definition(
        "quick",
        r#"{"name": "quick", "phases": [
            {"name": "a", "role": "r1"},
            {"name": "b", "role": "r2", "handoff_timeout_secs": 0}]}"#,
    );
    for i in 0..n {
        let build = format!("q{i}");
        db.json(&[
            "start",
            "--project",
            "p",
            "--build-id",
            &build,
            "--definition",
            "quick",
            "--json",
        ]);
        if i < stuck {
            db.run(&["advance", &build]).code(0);
        }
    }
    std::thread::sleep(Duration::from_millis(1100));
}

fn builds(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|w| w["build_id"].as_str().unwrap().to_string())
        .collect()
}

fn status_stuck_lists_what_the_stuck_rule_flags(b: Backend) {
    let db = TestDb::cli(b);
    with_stuck(&db, 3, 2);
    let v = db.json(&["list", "--status", "stuck", "--json"]);
    let mut got = builds(&v);
    got.sort();
    assert_eq!(got, ["q0", "q1"]);
    let w = &v[0];
    assert_eq!(w["stuck"]["rule"], "unacknowledged_handoff");
    assert_eq!(w["stuck"]["role"], "r2");
    assert_eq!(w["stuck"]["limit_secs"], 0);
    assert!(
        w["stuck"]["description"]
            .as_str()
            .unwrap()
            .contains("handoff to r2 unacknowledged"),
        "{w}"
    );
    // Filters combine; case does not matter.
    assert_eq!(
        builds(&db.json(&["list", "--status", "STUCK", "--phase", "a", "--json"])).len(),
        0
    );
    assert_eq!(
        builds(&db.json(&[
            "list",
            "--status",
            "stuck",
            "--project",
            "p",
            "--limit",
            "1",
            "--json"
        ]))
        .len(),
        1
    );

    // Every list has the field: null when not stuck.
    let all = db.json(&["list", "--json"]);
    let not_stuck: Vec<&Value> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["build_id"] == "q2")
        .collect();
    assert_eq!(not_stuck[0]["stuck"], Value::Null);

    // Acknowledged, no longer stuck.
    db.run(&["ack", "q0"]).code(0);
    assert_eq!(
        builds(&db.json(&["list", "--status", "stuck", "--json"])),
        ["q1"]
    );

    let r = db.run(&["list", "--status", "bogus"]);
    r.code(2);
    assert!(r.stderr.contains("and stuck"), "{}", r.stderr);
}

fn the_text_table_has_a_stuck_column(b: Backend) {
    let db = TestDb::cli(b);
    with_stuck(&db, 2, 1);
    let r = db.run(&["list"]);
    r.code(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let at = lines[0].find("STUCK").expect("a STUCK column");
    let cell = |l: &str| l[at..].split_whitespace().next().unwrap_or("").to_string();
    let row = |b: &str| {
        *lines
            .iter()
            .find(|l| l.contains(&format!(" {b} ")))
            .unwrap()
    };
    assert_eq!(cell(row("q0")), "handoff", "{}", r.stdout);
    assert_eq!(cell(row("q1")), "-", "{}", r.stdout);
    let stuck = db.run(&["list", "--status", "stuck"]);
    stuck.code(0);
    assert_eq!(stuck.stdout.lines().count(), 2, "{}", stuck.stdout);
}

fn past_the_limit_a_note_on_stderr_says_how_many_more(b: Backend) {
    let db = TestDb::cli(b);
    db.run(&["simulate", "--backfill", "57", "--seed", "3"])
        .code(0);
    // The default limit is 50: 50 rows on stdout, the rest announced on stderr.
    let r = db.run(&["list"]);
    r.code(0);
    assert_eq!(r.stdout.lines().count(), 51, "a header and 50 rows");
    assert!(
        r.stderr.contains("showing 50 workflows; 7 more match") && r.stderr.contains("--limit 57"),
        "{}",
        r.stderr
    );
    // JSON: stdout is still one array of at most --limit; the note is on stderr.
    let j = db.run(&["list", "--json"]);
    j.code(0);
    assert_eq!(j.json().as_array().unwrap().len(), 50);
    assert!(j.stderr.contains("7 more match"), "{}", j.stderr);
    // Everything shown: no note.
    let all = db.run(&["list", "--limit", "57"]);
    all.code(0);
    assert_eq!(all.stderr, "");
    // Filtered by status (exact count from the status counts) and by project (counted).
    let completed = db.json(&["list", "--status", "completed", "--limit", "1000", "--json"]);
    let n = completed.as_array().unwrap().len();
    if n > 2 {
        let r = db.run(&["list", "--status", "completed", "--limit", "2"]);
        assert!(
            r.stderr.contains(&format!("{} more match", n - 2)),
            "{}",
            r.stderr
        );
    }
    let project = completed[0]["project_id"].as_str().unwrap().to_string();
    let in_project = db.json(&["list", "--project", &project, "--limit", "1000", "--json"]);
    let m = in_project.as_array().unwrap().len();
    let r = db.run(&["list", "--project", &project, "--limit", "1"]);
    r.code(0);
    if m > 1 {
        assert!(
            r.stderr.contains(&format!("{} more match", m - 1)),
            "{}",
            r.stderr
        );
    } else {
        assert_eq!(r.stderr, "");
    }
}

both!(
    status_stuck_lists_what_the_stuck_rule_flags,
    the_text_table_has_a_stuck_column,
    past_the_limit_a_note_on_stderr_says_how_many_more,
);
