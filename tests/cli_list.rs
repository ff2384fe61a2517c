//! `baton list`: the stuck rule as a status filter and a column (text) / field (JSON), and
//! what happens past `--limit`: the rows on stdout, a note on stderr saying how many more
//! and where the next page starts; a cursor in every JSON row, `--after` it continuing in
//! the same order with the same filters, a bad cursor refused, and the README's export
//! loop seeing every row once.

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

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_string())
        .collect()
}

/// Pages through `list ARGS --limit N --json` with `--after`, returning the pages.
fn pages(db: &TestDb, args: &[&str], n: usize) -> Vec<Value> {
    let limit = n.to_string();
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut all = vec!["list", "--json", "--limit", limit.as_str()];
        all.extend_from_slice(args);
        if let Some(c) = &after {
            all.extend_from_slice(&["--after", c.as_str()]);
        }
        let page = db.json(&all);
        let rows = page.as_array().unwrap();
        assert!(rows.len() <= n);
        let Some(last) = rows.last() else { break };
        after = Some(last["cursor"].as_str().unwrap().to_string());
        out.push(page);
    }
    out
}

fn every_json_row_has_a_cursor_and_after_reads_on(b: Backend) {
    let db = TestDb::cli(b);
    db.run(&["simulate", "--backfill", "57", "--live", "8", "--seed", "3"])
        .code(0);
    let all = db.json(&["list", "--json", "--limit", "1000"]);
    let rows = all.as_array().unwrap();
    assert_eq!(rows.len(), 65);
    let cursors: std::collections::HashSet<&str> = rows
        .iter()
        .map(|w| {
            let c = w["cursor"].as_str().expect("a cursor in every row");
            assert!(
                !c.is_empty()
                    && c.chars()
                        .all(|x| x.is_ascii_alphanumeric() || x == '-' || x == '_'),
                "{c}"
            );
            c
        })
        .collect();
    assert_eq!(cursors.len(), rows.len(), "one cursor per row");
    // Page by page, the same rows in the same order.
    let paged: Vec<String> = pages(&db, &[], 10).iter().flat_map(ids).collect();
    assert_eq!(paged, ids(&all));
    // After a row: exactly the rows after it, with the same filters.
    let c = rows[20]["cursor"].as_str().unwrap();
    let next = db.json(&["list", "--json", "--limit", "5", "--after", c]);
    assert_eq!(ids(&next), ids(&all)[21..26]);
    let finished = db.json(&["list", "--json", "--limit", "1000", "--finished"]);
    let paged: Vec<String> = pages(&db, &["--finished"], 4)
        .iter()
        .flat_map(ids)
        .collect();
    assert_eq!(paged, ids(&finished));
    assert!(finished.as_array().unwrap().iter().all(|w| {
        w["status"] != "running"
            && w["status"] != "paused"
            && (w["status"] != "failed" || w["retry_count"].as_i64() >= w["max_retries"].as_i64())
    }));
    // The note after a table names the next page, and that page follows on.
    let r = db.run(&["list", "--limit", "10"]);
    r.code(0);
    let cursor = r
        .stderr
        .split("`--after ")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("no --after in the note: {}", r.stderr));
    assert_eq!(cursor, rows[9]["cursor"].as_str().unwrap());
    let r = db.run(&["list", "--limit", "10", "--after", cursor]);
    r.code(0);
    assert!(r.stderr.contains("45 more match"), "{}", r.stderr);
    // The last page has no note.
    let last = rows[60]["cursor"].as_str().unwrap();
    let r = db.run(&["list", "--after", last]);
    r.code(0);
    assert_eq!(r.stdout.lines().count(), 5, "{}", r.stdout);
    assert_eq!(r.stderr, "");
}

fn a_bad_cursor_is_a_usage_error(b: Backend) {
    let db = TestDb::cli(b);
    db.run(&["simulate", "--backfill", "5", "--seed", "3"])
        .code(0);
    let rows = db.json(&["list", "--json"]);
    let good = rows[0]["cursor"].as_str().unwrap().to_string();
    for bad in [
        "",
        "nonsense!",
        "abc",
        &good[..good.len() - 3],
        &format!("{good}A"),
    ] {
        db.run(&["list", "--after", bad])
            .one_line_error(2, &["is not a cursor", "cursor"]);
    }
    // A cursor of the other backend.
    let other = TestDb::cli(match b {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    });
    other
        .run(&["simulate", "--backfill", "2", "--seed", "3"])
        .code(0);
    let theirs = other.json(&["list", "--json"]);
    db.run(&["list", "--after", theirs[0]["cursor"].as_str().unwrap()])
        .one_line_error(2, &["another kind of database"]);
    // The stuck list is not paged.
    db.run(&["list", "--status", "stuck", "--after", &good])
        .one_line_error(2, &["--status stuck", "drop --after"]);
}

fn the_readme_export_loop_sees_every_row_once(b: Backend) {
    let db = TestDb::cli(b);
    db.run(&["simulate", "--backfill", "47", "--live", "6", "--seed", "9"])
        .code(0);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("```sh\nexport BATON_DB=./baton.db")
        .expect("the export loop in the README");
    let block = &readme[start + "```sh\n".len()..];
    let block = &block[..block.find("```").unwrap()];
    // Small pages, so that the loop takes several; the database under test.
    let script = block
        .replace("--limit 1000", "--limit 4")
        .replace("export BATON_DB=./baton.db", "");
    assert_ne!(script, block);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_baton"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(db.dir.path())
        .env("BATON_DB", db.arg())
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = std::fs::read_to_string(db.dir.path().join("history.jsonl")).unwrap();
    let exported: Vec<String> = lines
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    let want = ids(&db.json(&["list", "--json", "--finished", "--limit", "1000"]));
    assert!(want.len() >= 47, "{}", want.len());
    assert_eq!(exported, want, "every finished workflow once, newest first");
}

both!(
    every_json_row_has_a_cursor_and_after_reads_on,
    a_bad_cursor_is_a_usage_error,
    the_readme_export_loop_sees_every_row_once,
    status_stuck_lists_what_the_stuck_rule_flags,
    the_text_table_has_a_stuck_column,
    past_the_limit_a_note_on_stderr_says_how_many_more,
);
