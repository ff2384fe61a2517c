//! `baton events` for people: build ids (not id prefixes) in aligned columns, followed
//! lines aligned too, and `--since` as a time (`10m`, RFC 3339) next to `--after-seq`.

mod common;

use common::backend::*;
use common::cli::{ACTOR, id};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

/// Where each header name starts.
fn offsets(header: &str) -> Vec<usize> {
    ["SEQ", "TIME", "BUILD", "TYPE", "BY", "DATA"]
        .iter()
        .map(|n| {
            header
                .find(n)
                .unwrap_or_else(|| panic!("{n} in {header:?}"))
        })
        .collect()
}

/// Every line has a cell starting at each column offset (after a space).
fn assert_aligned(lines: &[&str], at: &[usize]) {
    for line in lines {
        for &o in &at[1..] {
            let chars: Vec<char> = line.chars().collect();
            assert_eq!(chars.get(o - 1), Some(&' '), "misaligned at {o}: {line:?}");
            assert_ne!(chars.get(o), Some(&' '), "misaligned at {o}: {line:?}");
        }
    }
}

fn events_show_build_ids_in_columns_sized_by_their_content(b: Backend) {
    let db = TestDb::cli(b);
    let short = db.start("b1");
    let long = db.start("a-much-longer-build-name-7");
    db.run(&["advance", "b1"]).code(0);
    db.run(&["pause", "a-much-longer-build-name-7"]).code(0);

    let r = db.run(&["events"]);
    r.code(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", r.stdout);
    let at = offsets(lines[0]);
    assert_aligned(&lines[1..], &at);
    // The build id, whole, never the workflow id's first characters.
    let build_col = |l: &str| l[at[2]..at[3]].trim().to_string();
    let builds: Vec<String> = lines[1..].iter().map(|l| build_col(l)).collect();
    assert_eq!(
        builds,
        [
            "b1",
            "a-much-longer-build-name-7",
            "b1",
            "a-much-longer-build-name-7"
        ]
    );
    for w in [&short, &long] {
        assert!(
            !r.stdout.contains(&id(w)[..8]),
            "an id prefix in:\n{}",
            r.stdout
        );
    }
    // Widths come from the content: the BUILD column is as wide as its longest cell.
    assert_eq!(at[3] - at[2], "a-much-longer-build-name-7".len() + 2);
    assert!(lines[4].contains("workflow_paused") && lines[4].contains(ACTOR));
}

fn followed_events_show_build_ids_and_stay_aligned(b: Backend) {
    let db = TestDb::cli(b);
    db.start("first-build");
    let mut child = db
        .command()
        .args(["events", "--follow", "--after-seq", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start events --follow");
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("first line");
    db.start("second-build-with-a-long-name");
    let second = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("second line");
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.contains(" first-build "), "{first}");
    assert!(
        second.contains(" second-build-with-a-long-name "),
        "{second}"
    );
    // TYPE starts in the same place on both lines (BUILD widened, never narrowed).
    let ty = |l: &str| l.find("workflow_started").expect("type");
    assert!(ty(&second) >= ty(&first), "{first}\n{second}");
}

fn since_takes_durations_and_times_and_after_seq_takes_the_cursor(b: Backend) {
    let db = TestDb::cli(b);
    db.start("old");
    db.start("older");
    // Two events from long ago, written as another program would (an old created_at).
    let mut raw = db.raw();
    raw.execute(
        "UPDATE workflow_events SET created_at = $1",
        &[&"2020-01-01T00:00:00.000Z"],
    );
    db.start("new");
    let all = db.json(&["events", "--json"]);
    let seqs: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs.len(), 3);

    for since in ["10m", "2h", "7d", "1w"] {
        let recent = db.json(&["events", "--since", since, "--json"]);
        let got: Vec<i64> = recent
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(got, [seqs[2]], "--since {since}");
    }
    let from_2019 = db.json(&["events", "--since", "2019-12-31T23:00:00Z", "--json"]);
    assert_eq!(from_2019.as_array().unwrap().len(), 3);
    let from_2021 = db.json(&["events", "--since", "2021-01-01T00:00:00+02:00", "--json"]);
    assert_eq!(from_2021.as_array().unwrap().len(), 1);
    let after = db.json(&["events", "--after-seq", &seqs[0].to_string(), "--json"]);
    assert_eq!(after.as_array().unwrap().len(), 2);

    db.run(&["events", "--since", "120"]).code(2);
    let r = db.run(&["events", "--since", "120"]);
    assert!(r.stderr.contains("--after-seq 120"), "{}", r.stderr);
    assert!(r.stderr.contains("120s"), "{}", r.stderr);
    let r = db.run(&["events", "--since", "yesterday"]);
    r.code(2);
    assert!(r.stderr.contains("10m, 2h, 7d"), "{}", r.stderr);
    db.run(&["events", "--since", "1h", "--after-seq", "3"])
        .code(2);
    let help = db.run(&["events", "--help"]);
    assert!(help.stdout.contains("--after-seq <SEQ>") && help.stdout.contains("--since <WHEN>"));
}

/// A longer trail, one event an hour: the search for where `--since` starts takes several
/// steps, and lands exactly.
fn since_finds_its_place_in_a_longer_trail(b: Backend) {
    let db = TestDb::cli(b);
    for i in 0..12 {
        db.start(&format!("w{i}"));
        db.run(&["advance", &format!("w{i}")]).code(0);
    }
    let mut raw = db.raw();
    let seqs: Vec<(i64,)> = raw.query("SELECT seq FROM workflow_events ORDER BY seq", &[]);
    assert_eq!(seqs.len(), 24);
    let now = chrono::Utc::now();
    for (i, (seq,)) in seqs.iter().enumerate() {
        // The oldest 40 hours ago, the newest 17 hours ago, one an hour.
        let at = now - chrono::Duration::hours(40 - i as i64);
        raw.execute(
            "UPDATE workflow_events SET created_at = $1 WHERE seq = $2",
            &[&pg_time(at), seq],
        );
    }
    for (hours, n) in [(30.5, 14), (24.5, 8), (17.5, 1), (16.5, 0), (48.0, 24)] {
        let v = db.json(&[
            "events",
            "--since",
            &format!("{hours}h"),
            "--limit",
            "100",
            "--json",
        ]);
        let got = v.as_array().unwrap();
        assert_eq!(got.len(), n, "--since {hours}h");
        if let Some(first) = got.first() {
            assert_eq!(first["seq"], seqs[24 - n].0, "--since {hours}h");
        }
    }
}

fn seqs_of(v: &serde_json::Value) -> Vec<i64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect()
}

/// `--type`, `--actor` and `--before` narrow the trail exactly as filtering all of it
/// would, `--before` pages back, and `BATON_ACTOR` (who acts) never filters.
fn type_actor_and_before_narrow_the_trail(b: Backend) {
    let db = TestDb::cli(b);
    for (i, who) in ["operator:alice@h", "orchestrator:sim", "operator:bob@h"]
        .iter()
        .enumerate()
    {
        let build = format!("t{i}");
        db.run(&[
            "--actor",
            who,
            "start",
            "--project",
            "p",
            "--build-id",
            &build,
        ])
        .code(0);
        db.run(&["--actor", who, "advance", &build]).code(0);
        db.run(&["--actor", who, "pause", &build]).code(0);
    }
    let id = db.workflow("t1")["id"].as_str().unwrap().to_string();
    db.raw().execute(
        "INSERT INTO workflow_events (workflow_id, event_type, triggered_by) VALUES ($1, 'state_advanced', 'seed')",
        &[&id],
    );
    let all = db.json(&["events", "--limit", "1000", "--json"]);
    let all = all.as_array().unwrap().clone();
    assert_eq!(all.len(), 10);
    let pick = |f: &dyn Fn(&serde_json::Value) -> bool| -> Vec<i64> {
        all.iter()
            .filter(|e| f(e))
            .map(|e| e["seq"].as_i64().unwrap())
            .collect()
    };

    let advanced = db.json(&["events", "--type", "phase_advanced", "--json"]);
    let expected =
        pick(&|e| e["event_type"] == "phase_advanced" || e["event_type"] == "state_advanced");
    assert_eq!(seqs_of(&advanced), expected);
    assert_eq!(expected.len(), 4);
    let two_types = db.json(&[
        "events",
        "--type",
        "workflow_paused,workflow_started",
        "--json",
    ]);
    assert_eq!(
        seqs_of(&two_types),
        pick(&|e| e["event_type"] == "workflow_paused" || e["event_type"] == "workflow_started")
    );
    let operators = db.json(&["events", "--actor", "operator", "--json"]);
    let expected = pick(&|e| e["triggered_by"].as_str().unwrap().starts_with("operator"));
    assert_eq!(seqs_of(&operators), expected);
    assert_eq!(expected.len(), 6);
    let bob_paused = db.json(&[
        "events",
        "--actor",
        "operator:bob",
        "--type",
        "workflow_paused",
        "--json",
    ]);
    assert_eq!(seqs_of(&bob_paused).len(), 1);

    // Paging back: the newest three, then the three before the oldest of those.
    let last = all.last().unwrap()["seq"].as_i64().unwrap();
    let page1 = db.json(&["events", "--limit", "3", "--json"]);
    assert_eq!(seqs_of(&page1), [last - 2, last - 1, last]);
    let page2 = db.json(&[
        "events",
        "--before",
        &(last - 2).to_string(),
        "--limit",
        "3",
        "--json",
    ]);
    assert_eq!(seqs_of(&page2), [last - 5, last - 4, last - 3]);
    let op_before = db.json(&[
        "events",
        "--actor",
        "operator",
        "--before",
        &(last - 2).to_string(),
        "--limit",
        "2",
        "--json",
    ]);
    let expected: Vec<i64> = pick(&|e| {
        e["triggered_by"].as_str().unwrap().starts_with("operator")
            && e["seq"].as_i64().unwrap() < last - 2
    });
    assert_eq!(seqs_of(&op_before), expected[expected.len() - 2..]);
    let ranged = db.json(&["events", "--after-seq", "2", "--before", "6", "--json"]);
    assert_eq!(
        seqs_of(&ranged),
        pick(&|e| (3..6).contains(&e["seq"].as_i64().unwrap()))
    );

    // Who acts (BATON_ACTOR) is not a filter on what is shown.
    let mut c = db.command();
    c.args(["events", "--json", "--limit", "1000"])
        .env("BATON_ACTOR", "operator:bob@h");
    let out = c.output().unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seqs_of(&shown).len(), 10);
    // ... and it still names who acts.
    let mut c = db.command();
    c.args(["resume", "t0"])
        .env("BATON_ACTOR", "operator:carol@h");
    assert!(c.status().unwrap().success());
    let newest = db.json(&["events", "--limit", "1", "--json"]);
    assert_eq!(newest[0]["triggered_by"], "operator:carol@h");

    db.run(&["events", "--before", "0"]).code(2);
    db.run(&["events", "--before", "5", "--follow"]).code(2);
    let help = db.run(&["events", "--help"]);
    for flag in ["--type <T>", "--actor <A>", "--before <SEQ>"] {
        assert!(help.stdout.contains(flag), "{flag}: {}", help.stdout);
    }
}

both!(
    type_actor_and_before_narrow_the_trail,
    events_show_build_ids_in_columns_sized_by_their_content,
    followed_events_show_build_ids_and_stay_aligned,
    since_takes_durations_and_times_and_after_seq_takes_the_cursor,
    since_finds_its_place_in_a_longer_trail,
);
