//! The simulator on both backends: a live run drives workflows through the engine, and
//! `--backfill` writes history in bulk (large transactions on SQLite, `COPY` on
//! PostgreSQL); either way the rows keep every invariant and the trigger-kept counts agree
//! with the rows. On PostgreSQL each connection is named after its command, for a DBA.

mod common;

use common::backend::*;
use serde_json::Value;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn status_total(doctor: &Value) -> i64 {
    doctor["statuses"]
        .as_object()
        .expect("statuses")
        .values()
        .map(|n| n.as_i64().unwrap())
        .sum()
}

fn backfill_writes_history_that_keeps_every_invariant(b: Backend) {
    let db = TestDb::cli(b);
    db.run(&[
        "simulate",
        "--backfill",
        "300",
        "--live",
        "40",
        "--seed",
        "7",
    ])
    .code(0);
    let doctor = db.run(&["doctor", "--strict", "--json"]);
    doctor.code(0);
    let v = doctor.json();
    assert_eq!(v["failed_checks"], serde_json::json!([]));
    assert_eq!(v["counts"]["build_workflows"], 340);
    assert_eq!(
        status_total(&v),
        340,
        "the counts table agrees with the rows"
    );
    let events = v["counts"]["workflow_events"].as_i64().unwrap();
    assert!(
        events > 340 * 3,
        "about ten events a workflow, got {events}"
    );
    let live = db.json(&["list", "--status", "running", "--limit", "1000", "--json"]);
    let live = live.as_array().unwrap();
    assert!(!live.is_empty(), "some backfilled workflows are live");
    // Trails that ran past now are pulled back to end at different moments: a live set
    // sharing one `updated_at` makes every newest-first page sort the whole tie.
    let mut at: Vec<&str> = live
        .iter()
        .map(|w| w["updated_at"].as_str().unwrap())
        .collect();
    at.sort_unstable();
    let most = at.chunk_by(|a, b| a == b).map(<[&str]>::len).max().unwrap();
    assert!(
        most <= 2,
        "{most} of {} live workflows changed last at the same moment",
        live.len()
    );
}

fn a_live_simulation_runs_through_the_engine(b: Backend) {
    let db = TestDb::cli(b);
    let r = db.run(&[
        "simulate",
        "--workflows",
        "6",
        "--rate",
        "0",
        "--seed",
        "3",
        "--json",
    ]);
    r.code(0);
    let report = r.json();
    assert_eq!(report["started"], 6, "{report}");
    assert!(report["advanced"].as_i64().unwrap() > 6, "{report}");
    assert_eq!(report["conflicts"], 0, "{report}");
    let v = db.json(&["doctor", "--strict", "--json"]);
    assert_eq!(v["failed_checks"], serde_json::json!([]), "{v}");
    assert_eq!(v["counts"]["build_workflows"], 6);
}

both!(
    backfill_writes_history_that_keeps_every_invariant,
    a_live_simulation_runs_through_the_engine
);

/// A DBA looking at `pg_stat_activity` sees which baton command holds each connection:
/// `events --follow` holds two, the reader and the listener, and both say so.
#[test]
fn postgres_connections_carry_the_command_as_application_name() {
    let db = TestDb::cli(Backend::Postgres);
    let mut follower = db
        .command()
        .args(["events", "--follow"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start events --follow");
    let mut raw = db.raw();
    let deadline = Instant::now() + Duration::from_secs(10);
    let (named, others) = loop {
        let counts: (i64, i64) = raw.one(
            "SELECT count(*) FILTER (WHERE application_name = 'baton events'),
                    count(*) FILTER (WHERE application_name <> 'baton events')
             FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&db.pg_name()],
        );
        if counts.0 >= 2 || Instant::now() > deadline {
            break counts;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = follower.kill();
    let _ = follower.wait();
    assert_eq!(
        (named, others),
        (2, 0),
        "the reader and the listener named 'baton events', no other"
    );
}

/// The `(at_ms, seq)` of every metrics row, in the order the rows lie in the table.
fn metrics_in_table_order(raw: &mut Raw) -> Vec<(i64, i64)> {
    raw.query(
        "SELECT at_ms, seq FROM workflow_event_metrics ORDER BY ctid",
        &[],
    )
}

/// A backfill writes each workflow's history at once; a database written as things
/// happened holds an hour's metrics rows side by side. The backfill settles its load into
/// that shape (the last hour is then read from neighbouring pages), and says so.
#[test]
fn a_postgres_backfill_leaves_the_metrics_rows_in_time_order() {
    let db = TestDb::cli(Backend::Postgres);
    let r = db.run(&[
        "simulate",
        "--backfill",
        "200",
        "--live",
        "60",
        "--seed",
        "5",
    ]);
    r.code(0);
    assert!(r.stdout.contains("settled in"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("settling: ordering the metrics projection by time"),
        "{}",
        r.stderr
    );
    let rows = metrics_in_table_order(&mut db.raw());
    assert!(rows.len() > 2_000, "{} rows", rows.len());
    let mut sorted = rows.clone();
    sorted.sort_unstable();
    assert!(rows == sorted, "the metrics rows lie in time order");
}

/// Settling needs the metrics table to itself for a moment. Kept from it (another session
/// holds a lock past the lock timeout) the backfill still succeeds, with everything
/// written, the rows left in load order, and says why.
#[test]
fn a_postgres_backfill_that_cannot_settle_keeps_what_it_wrote() {
    let db = TestDb::cli(Backend::Postgres);
    db.run(&["simulate", "--backfill", "1", "--seed", "1"])
        .code(0);
    let mut locker = db.raw();
    let Raw::Pg(client) = &mut locker else {
        unreachable!("a PostgreSQL test database")
    };
    let mut tx = client.transaction().unwrap();
    tx.batch_execute("LOCK TABLE workflow_event_metrics IN ROW SHARE MODE")
        .unwrap();
    let r = db
        .command()
        .args(["--busy-timeout", "300"])
        .args([
            "simulate",
            "--backfill",
            "100",
            "--live",
            "20",
            "--seed",
            "9",
        ])
        .output()
        .expect("run baton");
    tx.rollback().unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{stderr}");
    assert!(stderr.contains("left in load order"), "{stderr}");
    let v = db.json(&["doctor", "--strict", "--json"]);
    assert_eq!(v["failed_checks"], serde_json::json!([]), "{v}");
    assert_eq!(v["counts"]["build_workflows"], 121);
}

/// A few workflows backfilled into a database that already holds many: ordering the whole
/// metrics table for them would stop every writer's events for as long as it takes, so the
/// load is left as it lies, and the backfill says why.
#[test]
fn a_small_postgres_backfill_into_a_big_table_leaves_its_order_alone() {
    let db = TestDb::cli(Backend::Postgres);
    db.run(&["simulate", "--backfill", "300", "--seed", "2"])
        .code(0);
    let r = db.run(&["simulate", "--backfill", "3", "--seed", "3"]);
    r.code(0);
    assert!(
        r.stderr.contains("metrics rows left in load order") && !r.stderr.contains("(CLUSTER)"),
        "{}",
        r.stderr
    );
    let v = db.json(&["doctor", "--strict", "--json"]);
    assert_eq!(v["failed_checks"], serde_json::json!([]), "{v}");
    assert_eq!(v["counts"]["build_workflows"], 303);
}
