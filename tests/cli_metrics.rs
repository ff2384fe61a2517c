//! `baton metrics`: rows written by baton, then dated by hand, so every figure can be
//! worked out independently — entries, exits, time in phase (including an attempt that
//! began before the window), acknowledgement latency (including a handoff made before the
//! window), retries, failures, what is in flight and waiting, completions, the bottleneck.

mod common;

use chrono::{Duration, Utc};
use common::backend::*;
use serde_json::Value;

/// Dates the trail: the events in `seq` order at `now - 59 min + offset` for each offset
/// (in minutes; written in time order, as an orchestrator writes), and each handoff at the
/// time of the event that made it. The durations baton's events state (`in_phase_secs`,
/// `waited_secs`) are removed, as another writer's events lack them: metrics then work
/// every duration out from the dates.
fn date(db: &TestDb, minutes: &[i64]) {
    // A minute inside the hour `--since 1h` reaches back to.
    let t0 = Utc::now() - Duration::minutes(59);
    let mut raw = db.raw();
    let seqs: Vec<(i64, String, Option<String>)> = raw.query(
        "SELECT seq, event_type, event_data->>'handoff_id' FROM workflow_events ORDER BY seq",
        &[],
    );
    assert_eq!(seqs.len(), minutes.len(), "{seqs:?}");
    for ((seq, kind, handoff), m) in seqs.iter().zip(minutes) {
        let at = pg_time(t0 + Duration::minutes(*m));
        raw.execute(
            "UPDATE workflow_events SET created_at = $1 WHERE seq = $2",
            &[&at, seq],
        );
        if let Some(h) = handoff.as_ref().filter(|_| kind != "handoff_acknowledged") {
            raw.execute(
                "UPDATE workflow_handoffs SET created_at = $1 WHERE id = $2",
                &[&at, h],
            );
        }
    }
    raw.execute(
        db.backend.pick(
            "UPDATE workflow_events SET event_data = json_remove(event_data, '$.in_phase_secs', '$.waited_secs')",
            "UPDATE workflow_events SET event_data = event_data - 'in_phase_secs' - 'waited_secs'",
        ),
        &[],
    );
}

/// Sets the duration event `seq` states (`key`), as baton writes it.
fn state(db: &TestDb, seq: i64, key: &str, secs: i64) {
    let sql = db.backend.pick(
        format!("UPDATE workflow_events SET event_data = json_set(event_data, '$.{key}', {secs}) WHERE seq = {seq}"),
        format!("UPDATE workflow_events SET event_data = jsonb_set(event_data, '{{{key}}}', '{secs}') WHERE seq = {seq}"),
    );
    db.raw().execute(&sql, &[]);
}

fn row<'a>(m: &'a Value, phase: &str) -> &'a Value {
    m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["phase"] == phase)
        .unwrap_or_else(|| panic!("no row for {phase}: {m}"))
}

/// The fleet of the tests below, each event dated at the minute given (see `date`).
fn fleet(b: Backend) -> TestDb {
    let db = TestDb::cli(b);
    db.add_definition(
        "m",
        r#"{"name": "m", "phases": [{"name": "a", "role": "ra"}, {"name": "b", "role": "rb"}]}"#,
    );
    let start = |build: &str| {
        db.start_in("m", build);
    };
    // In time order (minutes from the window's start):
    // w5 entered a 3 h before and b 2 h before the window; its handoff is acknowledged at 20.
    // w3 entered a 2 h before the window and left it at 15 (still waiting in b).
    // w1: a 0–10, handed to b (acknowledged 2 min later), completed at 30.
    // w2: a from 5, failed at 20, retried at 25 (that handoff still waits).
    // w4: started at 40.
    let run = |args: &[&str]| {
        db.run(args).code(0);
    };
    start("w5");
    run(&["advance", "w5"]);
    start("w3");
    start("w1");
    start("w2");
    run(&["advance", "w1"]);
    run(&["ack", "w1"]);
    run(&["advance", "w3"]);
    run(&["fail", "w2", "--error", "flaky"]);
    run(&["ack", "w5"]);
    run(&["retry", "w2"]);
    run(&["advance", "w1"]);
    start("w4");
    date(
        &db,
        &[-180, -120, -120, 0, 5, 10, 12, 15, 20, 20, 25, 30, 40],
    );
    db
}

/// The figures `fleet`'s dated rows give for the last hour, each worked out by hand.
fn assert_fleet_figures(m: &Value) {
    let a = row(m, "a");
    assert_eq!(a["role"], "ra");
    assert_eq!(a["entered"], 4, "w1, w2, w2's retry, w4: {a}");
    assert_eq!(a["left"], 3, "w1, w2's retry, w3: {a}");
    // Attempts that left: 10 min, 20 min (w2, 5 to 25), 135 min (w3, from before).
    assert_eq!(a["time_in_phase"]["n"], 3);
    assert_eq!(a["time_in_phase"]["p50"], 1200);
    assert_eq!(a["time_in_phase"]["p95"], 8100);
    assert_eq!(
        (a["retries"].clone(), a["failures"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(a["rollbacks"], 0);
    assert_eq!(a["in_flight"], 2, "w2, w4");
    assert_eq!(a["waiting_ack"], 1, "w2's retry");
    let b_ = row(m, "b");
    assert_eq!(b_["role"], "rb");
    assert_eq!(b_["entered"], 2, "w1, w3");
    assert_eq!(b_["left"], 1, "w1 completed");
    assert_eq!(b_["time_in_phase"]["p50"], 1200);
    // Acknowledged after 2 min (w1) and 140 min (w5, handed over before the window).
    assert_eq!(b_["ack_latency"]["n"], 2);
    assert_eq!(b_["ack_latency"]["p50"], 120);
    assert_eq!(b_["ack_latency"]["p95"], 8400);
    assert_eq!(b_["in_flight"], 2, "w3, w5");
    assert_eq!(b_["waiting_ack"], 1, "w3");
    assert_eq!(m["completed"], 1);
    let buckets: u64 = m["completions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(buckets, 1);
    // 2 in flight each; a's attempts take longer.
    assert_eq!(m["bottleneck"]["role"], "ra");
}

fn metrics_equal_what_the_dated_rows_say(b: Backend) {
    let db = fleet(b);
    assert_fleet_figures(&db.json(&["metrics", "--since", "1h", "--json"]));

    // The same, for people.
    let text = db.run(&["metrics", "--since", "1h"]);
    text.code(0);
    assert!(text.stdout.contains("bottleneck: ra"), "{}", text.stdout);
    assert!(text.stdout.contains("20m / 2h15m"), "{}", text.stdout);
    db.run(&["metrics", "--since", "yesterday"]).code(2);
}

both!(metrics_equal_what_the_dated_rows_say);

/// What baton's events state is taken as it is: the beginnings before the window are not
/// read. Here they are moved ten days back, so a figure read from them would differ.
fn stated_durations_need_no_look_back(b: Backend) {
    let db = fleet(b);
    // w3's advance out of a (seq 8) and the acknowledgement of w5's handoff (seq 10).
    state(&db, 8, "in_phase_secs", 8100);
    state(&db, 10, "waited_secs", 8400);
    let long_ago = pg_time(Utc::now() - Duration::days(10));
    let mut raw = db.raw();
    raw.execute(
        "UPDATE workflow_events SET created_at = $1 WHERE seq IN (2, 3)",
        &[&long_ago],
    );
    let acked: Vec<(String,)> = raw.query(
        "SELECT event_data->>'handoff_id' FROM workflow_events WHERE seq = 10",
        &[],
    );
    raw.execute(
        "UPDATE workflow_handoffs SET created_at = $1 WHERE id = $2",
        &[&long_ago, &acked[0].0],
    );
    let m = db.json(&["metrics", "--since", "1h", "--json"]);
    let a = row(&m, "a");
    assert_eq!(a["time_in_phase"]["n"], 3);
    assert_eq!(a["time_in_phase"]["p95"], 8100, "as stated: {a}");
    let b_ = row(&m, "b");
    assert_eq!(b_["ack_latency"]["n"], 2);
    assert_eq!(b_["ack_latency"]["p95"], 8400, "as stated: {b_}");
    // Without the statement, the moved beginning is what counts: the look back happened.
    raw.execute(
        db.backend.pick(
            "UPDATE workflow_events SET event_data = json_remove(event_data, '$.in_phase_secs') WHERE seq = 8",
            "UPDATE workflow_events SET event_data = event_data - 'in_phase_secs' WHERE seq = 8",
        ),
        &[],
    );
    let m = db.json(&["metrics", "--since", "1h", "--json"]);
    let p95 = row(&m, "a")["time_in_phase"]["p95"].as_i64().unwrap();
    assert!(p95 > 10 * 86_400 - 3600, "read from the moved entry: {p95}");
}

both!(stated_durations_need_no_look_back);

/// History written after the window's events (an import of an archive, a backfill) takes
/// higher `seq`s with older times: the window is found by time, so it hides nothing.
fn old_events_written_later_do_not_hide_the_window(b: Backend) {
    let db = fleet(b);
    let long_ago = pg_time(Utc::now() - Duration::days(100));
    let mut raw = db.raw();
    let wf: String = raw.value("SELECT id FROM build_workflows LIMIT 1", &[]);
    for i in 0..40 {
        raw.execute(
            "INSERT INTO workflow_events (workflow_id, event_type, event_data, created_at)
             VALUES ($1, 'phase_advanced', $2, $3)",
            &[
                &wf,
                &format!(r#"{{"from": "a", "to": "b", "n": {i}}}"#),
                &long_ago,
            ],
        );
    }
    assert_fleet_figures(&db.json(&["metrics", "--since", "1h", "--json"]));
}

both!(old_events_written_later_do_not_hide_the_window);

/// A `workflow_event_metrics` row, its names looked up in `baton_names`: at_ms, from,
/// to, in_phase_secs, waited_secs, handoff_id.
type KeptRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// Another program's events with odd data are written all the same (the schema's trigger
/// never refuses one) and give metrics nothing they cannot use.
fn odd_event_data_is_written_and_read_as_nothing(b: Backend) {
    let db = fleet(b);
    let mut raw = db.raw();
    let wf: String = raw.value("SELECT id FROM build_workflows LIMIT 1", &[]);
    let now = pg_time(Utc::now());
    let mut odd = vec![
        ("[1, 2]", now.clone()),
        ("\"text\"", now.clone()),
        (
            r#"{"from": {"x": 1}, "to": 5, "in_phase_secs": "12", "waited_secs": 1.9,
                "handoff_id": "h"}"#,
            now.clone(),
        ),
    ];
    // What only one backend lets a writer store: text that is not JSON and a time that is
    // not one on SQLite, an endless time on PostgreSQL.
    let strange_time = db.backend.pick("yesterday-ish", "infinity");
    odd.push((db.backend.pick("not json", "{}"), strange_time.to_string()));
    let sql = db.backend.pick(
        "INSERT INTO workflow_events (workflow_id, event_type, event_data, created_at)
         VALUES ($1, 'phase_advanced', $2, $3)",
        "INSERT INTO workflow_events (workflow_id, event_type, event_data, created_at)
         VALUES ($1, 'phase_advanced', $2::text::jsonb, $3::text::timestamptz)",
    );
    for (data, at) in &odd {
        raw.execute(sql, &[&wf, data, at]);
    }
    let kept: Vec<KeptRow> = raw.query(
        "SELECT m.at_ms, f.name, t.name, m.in_phase_secs, m.waited_secs, m.handoff_id
             FROM workflow_event_metrics m
             LEFT JOIN baton_names f ON f.id = m.from_key
             LEFT JOIN baton_names t ON t.id = m.to_key
             WHERE m.seq > 13 ORDER BY m.seq",
        &[],
    );
    assert_eq!(kept.len(), 4, "{kept:?}");
    assert!(kept[..3].iter().all(|k| k.0 > 0), "{kept:?}");
    for k in &kept[..2] {
        assert_eq!(
            (&k.1, &k.2, k.3, k.4, &k.5),
            (&None, &None, None, None, &None)
        );
    }
    // Only a string or a number names something; only a number is a duration, its
    // fraction dropped; a stated duration leaves the handoff unpaired.
    assert_eq!(
        (
            &kept[2].1,
            kept[2].2.as_deref(),
            kept[2].3,
            kept[2].4,
            &kept[2].5
        ),
        (&None, Some("5"), None, Some(1), &None)
    );
    assert_eq!(kept[3].0, 0, "a time that is not one: before every window");
    let m = db.json(&["metrics", "--since", "1h", "--json"]);
    assert_eq!(
        m["events"],
        10 + 3,
        "the fleet's ten in the hour and three odd: {m}"
    );
}

both!(odd_event_data_is_written_and_read_as_nothing);

/// Two PostgreSQL writers meeting the same new name at once (SQLite has one writer at a
/// time): the second's trigger waits for the first to commit, then finds the number the
/// first gave it, so both metrics rows name it and it is held once.
#[test]
fn two_writers_number_a_new_name_once() {
    let db = TestDb::cli(Backend::Postgres);
    db.start("race-1");
    let mut first = db.raw();
    let wf: String = first.value("SELECT id FROM build_workflows LIMIT 1", &[]);
    let insert = "INSERT INTO workflow_events (workflow_id, event_type, event_data)
                  VALUES ($1, 'phase_advanced', '{\"from\": \"discovery\", \"to\": \"fresh\"}')";
    first.batch("BEGIN");
    first.execute(insert, &[&wf]);
    let second = {
        let (mut raw, wf) = (db.raw(), wf.clone());
        std::thread::spawn(move || {
            raw.batch("BEGIN");
            raw.execute(insert, &[&wf]);
            raw.batch("COMMIT");
        })
    };
    // Commit only once the second writer waits on the first's new name.
    let mut watch = db.raw();
    loop {
        let waiting: i64 = watch.value(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
            &[],
        );
        if waiting > 0 {
            break;
        }
        assert!(!second.is_finished(), "the second writer did not wait");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    first.batch("COMMIT");
    second.join().unwrap();
    let keys: Vec<(Option<i64>,)> = watch.query(
        "SELECT m.to_key::bigint FROM workflow_event_metrics m
         JOIN workflow_events e ON e.seq = m.seq
         WHERE e.event_data ->> 'to' = 'fresh'",
        &[],
    );
    let held: i64 = watch.value("SELECT count(*) FROM baton_names WHERE name = 'fresh'", &[]);
    assert_eq!(held, 1);
    let fresh: i64 = watch.value(
        "SELECT id::bigint FROM baton_names WHERE name = 'fresh'",
        &[],
    );
    assert_eq!(keys, vec![(Some(fresh),), (Some(fresh),)]);
}

/// A metrics row written by hand whose numbers `baton_names` does not hold: each stands
/// for its own digits (on PostgreSQL the window is streamed after every stored name is
/// read, so nothing is looked up mid-stream, and a number missing from them must still
/// be read, not dropped).
fn a_number_no_name_stands_for_reads_as_its_digits(b: Backend) {
    let db = TestDb::cli(b);
    let started = db.start("digits-1");
    let id = started["id"].as_str().unwrap().to_string();
    db.run(&["advance", &id, "--reason", "on"]).code(0);
    let mut raw = db.raw();
    let advanced: i64 = raw.value(
        "SELECT id FROM baton_names WHERE name = 'phase_advanced'",
        &[],
    );
    let at = (Utc::now() - Duration::minutes(10)).timestamp_millis();
    raw.execute(
        "INSERT INTO workflow_event_metrics (at_ms, seq, workflow_key, type_key, to_key,
             to_role_key)
         VALUES ($1, 999999, 424242, $2, 777777, 777778)",
        &[&at, &advanced],
    );
    let m = db.json(&["metrics", "--since", "1h", "--json"]);
    let r = row(&m, "777777");
    assert_eq!(r["role"], "777778", "{r}");
    assert_eq!(r["entered"], 1, "{r}");
}

both!(a_number_no_name_stands_for_reads_as_its_digits);
