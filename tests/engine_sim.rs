//! The simulator on real SQLite files: it finishes by itself, leaves a database the doctor
//! accepts, reports exactly what it wrote, leaves stuck workflows when told to, and two
//! simulators on one file lose no update.

mod common;

use baton::engine::stuck::{self, Stuck, StuckPolicy};
use baton::engine::{self, Request};
use baton::model::{Action, Definition, Status, time};
use baton::sim::{self, SimConfig, SimReport};
use baton::store::{ListQuery, OpenMode, Store};
use common::store::*;
use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn cfg(workflows: usize, seed: u64) -> SimConfig {
    SimConfig {
        workflows,
        rate: 0.0,
        duration: None,
        fail_rate: 0.15,
        stuck_rate: 0.05,
        seed,
        keep_alive: false,
        actor: "orchestrator:test".into(),
    }
}

fn run(path: &std::path::Path, cfg: &SimConfig) -> SimReport {
    let (mut store, _) = Store::open(path, OpenMode::ReadWrite).unwrap();
    let stop = AtomicBool::new(false);
    sim::run(&mut store, cfg, &stop, &mut |_| {}).expect("simulator run")
}

fn events(conn: &Connection, event_type: &str) -> u64 {
    conn.query_row(
        "SELECT count(*) FROM workflow_events WHERE event_type = ?1",
        [event_type],
        |r| r.get::<_, i64>(0),
    )
    .unwrap() as u64
}

fn statuses(conn: &Connection, status: &str) -> u64 {
    conn.query_row(
        "SELECT count(*) FROM build_workflows WHERE status = ?1",
        [status],
        |r| r.get::<_, i64>(0),
    )
    .unwrap() as u64
}

/// Running workflows whose newest handoff was never acknowledged.
fn waiting_on_handoff(conn: &Connection) -> u64 {
    conn.query_row(
        "SELECT count(*) FROM build_workflows w WHERE w.status = 'running' AND (
           SELECT h.acknowledged_at IS NULL FROM workflow_handoffs h WHERE h.workflow_id = w.id
           ORDER BY h.rowid DESC LIMIT 1)",
        [],
        |r| r.get::<_, i64>(0),
    )
    .unwrap() as u64
}

/// Every counter of the report equals what the database holds.
fn assert_report_matches(conn: &Connection, r: &SimReport) {
    assert_eq!(r.left_stuck, waiting_on_handoff(conn), "left stuck");
    assert_tallies(conn, r);
}

/// [`assert_report_matches`] for a run stopped (by a signal or its duration) while
/// workflows were still moving: a handoff written just before the stop was not yet
/// acknowledged, so at most one per workflow in flight waits besides those left stuck.
fn assert_stopped_report_matches(conn: &Connection, r: &SimReport, in_flight: u64) {
    let waiting = waiting_on_handoff(conn);
    assert!(
        (r.left_stuck..=r.left_stuck + in_flight).contains(&waiting),
        "{waiting} waiting, {} left stuck, {in_flight} in flight",
        r.left_stuck
    );
    assert_tallies(conn, r);
}

/// The counters every run's report must equal, however it ended.
fn assert_tallies(conn: &Connection, r: &SimReport) {
    let workflows: i64 = conn
        .query_row("SELECT count(*) FROM build_workflows", [], |x| x.get(0))
        .unwrap();
    assert_eq!(r.started, workflows as u64, "started");
    assert_eq!(r.started, events(conn, "workflow_started"));
    assert_eq!(r.advanced, events(conn, "phase_advanced"), "advanced");
    assert_eq!(
        r.acknowledged,
        events(conn, "handoff_acknowledged"),
        "acknowledged"
    );
    assert_eq!(r.retried, events(conn, "phase_retried"), "retried");
    assert_eq!(
        r.rolled_back,
        events(conn, "phase_rolled_back"),
        "rolled_back"
    );
    assert_eq!(r.failed, events(conn, "workflow_failed"), "failed");
    assert_eq!(
        r.completed,
        events(conn, "workflow_completed"),
        "completed events"
    );
    assert_eq!(
        r.completed,
        statuses(conn, "completed"),
        "completed workflows"
    );
    let sum = r.started
        + r.advanced
        + r.acknowledged
        + r.heartbeats
        + r.retried
        + r.rolled_back
        + r.failed
        + r.completed;
    assert_eq!(r.ops, sum, "ops is the sum of the writes");
}

#[test]
fn a_seeded_fast_run_finishes_and_matches_the_database() {
    let db = TestDb::new();
    let began = Instant::now();
    let r = run(&db.path, &cfg(16, 7));
    assert!(began.elapsed() < Duration::from_secs(60));
    let conn = db.raw();
    assert_report_matches(&conn, &r);
    assert_eq!(r.started, 16);
    assert_eq!(r.conflicts, 0, "alone on the file, nothing conflicts");
    assert!(r.completed > 0 && r.heartbeats > 0 && r.failed > 0, "{r:?}");
    // Every workflow ended: completed, left failed, or left waiting on a handoff.
    assert_eq!(
        statuses(&conn, "completed") + statuses(&conn, "failed") + r.left_stuck,
        16,
        "{r:?}"
    );
    assert_eq!(statuses(&conn, "paused") + statuses(&conn, "cancelled"), 0);
    assert!(r.ops_per_sec > 0.0 && r.elapsed_secs > 0.0);
    // Phase outputs are real JSON objects keyed by phase.
    let outputs: String = conn
        .query_row(
            "SELECT phase_outputs FROM build_workflows WHERE status = 'completed' LIMIT 1",
            [],
            |x| x.get(0),
        )
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&outputs).unwrap();
    assert!(v["release"]["artifact"].is_string(), "{v}");
    assert!(v["testing"]["tests_run"].is_u64(), "{v}");
    assert_healthy(&db.store());
}

#[test]
fn a_seed_reproduces_the_run() {
    let trail = |seed: u64| {
        let db = TestDb::new();
        let r = run(&db.path, &cfg(8, seed));
        let conn = db.raw();
        let mut stmt = conn
            .prepare(
                "SELECT w.project_id, e.event_type, e.triggered_by FROM workflow_events e
                 JOIN build_workflows w ON w.id = e.workflow_id ORDER BY e.seq",
            )
            .unwrap();
        let events: Vec<(String, String, String)> = stmt
            .query_map([], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let counts = (
            r.started,
            r.advanced,
            r.acknowledged,
            r.heartbeats,
            r.failed,
            r.ops,
        );
        (counts, events)
    };
    let a = trail(99);
    assert_eq!(a, trail(99));
    assert_ne!(a.1, trail(100).1, "another seed, another run");
}

#[test]
fn a_stuck_rate_of_one_leaves_every_workflow_stuck_at_its_first_handoff() {
    let db = TestDb::new();
    let c = SimConfig {
        stuck_rate: 1.0,
        fail_rate: 0.0,
        ..cfg(6, 3)
    };
    let r = run(&db.path, &c);
    let conn = db.raw();
    assert_report_matches(&conn, &r);
    assert_eq!((r.left_stuck, r.completed, r.acknowledged), (6, 0, 0));
    let store = db.store();
    assert_healthy(&store);
    let def = Definition::builtin();
    let later = time::now() + chrono::Duration::hours(1);
    for w in store
        .list(&ListQuery {
            limit: 100,
            ..ListQuery::default()
        })
        .unwrap()
    {
        assert_eq!(
            (w.status, w.current_state.as_str()),
            (Status::Running, "planning")
        );
        let handoffs = store.handoffs(&w.id, 10).unwrap();
        assert_eq!(handoffs.len(), 1);
        let h = &handoffs[0];
        assert!(h.is_pending());
        // No heartbeat after the handoff: the simulator stopped tending it.
        if let Some(hb) = &w.heartbeat_at {
            assert!(
                hb.as_str() <= h.created_at.as_str(),
                "heartbeat {hb} after handoff {}",
                h.created_at
            );
        }
        let found = stuck::detect(&w, Some(&def), Some(h), StuckPolicy::default(), later);
        assert!(
            matches!(found, Some(Stuck::UnacknowledgedHandoff { ref handoff_id, .. }) if *handoff_id == h.id),
            "{found:?}"
        );
    }
}

#[test]
fn two_simulators_on_one_file_both_finish_without_lost_updates() {
    let db = TestDb::new();
    let reports: Vec<SimReport> = std::thread::scope(|s| {
        let handles: Vec<_> = [21u64, 22]
            .into_iter()
            .map(|seed| {
                let path = db.path.clone();
                s.spawn(move || run(&path, &cfg(10, seed)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut total = SimReport::default();
    for r in &reports {
        assert_eq!(r.started, 10);
        total.started += r.started;
        total.advanced += r.advanced;
        total.acknowledged += r.acknowledged;
        total.heartbeats += r.heartbeats;
        total.retried += r.retried;
        total.rolled_back += r.rolled_back;
        total.failed += r.failed;
        total.completed += r.completed;
        total.left_stuck += r.left_stuck;
        total.ops += r.ops;
    }
    // Each simulator's every write is in the database, and each workflow's version equals
    // the number of changes recorded for it (the doctor checks that).
    assert_report_matches(&db.raw(), &total);
    assert_healthy(&db.store());
}

#[test]
fn an_operator_acting_meanwhile_causes_conflicts_not_failures() {
    let db = TestDb::new();
    let stop = AtomicBool::new(false);
    let (report, operator_writes) = std::thread::scope(|s| {
        let path = db.path.clone();
        let stop = &stop;
        let sim = s.spawn(move || {
            let (mut store, _) = Store::open(&path, OpenMode::ReadWrite).unwrap();
            let c = SimConfig {
                rate: 400.0,
                ..cfg(12, 5)
            };
            let r = sim::run(&mut store, &c, &AtomicBool::new(false), &mut |_| {});
            stop.store(true, Ordering::Relaxed);
            r
        });
        // The operator pauses and resumes live workflows with the version it last saw.
        let mut op = db.store();
        let mut writes = 0u64;
        let mut i = 0usize;
        while !stop.load(Ordering::Relaxed) {
            let live = op.live().unwrap();
            if let Some(w) = live.get(i % live.len().max(1)) {
                let action = if w.status == Status::Paused {
                    Action::Resume
                } else {
                    Action::Pause
                };
                let req = Request::new(action, "operator:bob@host").expect_version(w.version);
                match engine::act_on_id(&mut op, &w.id, &req) {
                    Ok(_) => writes += 1,
                    Err(e) => assert!(
                        e.is_conflict() || matches!(e, engine::EngineError::Rule(_)),
                        "{e}"
                    ),
                }
            }
            i += 1;
            std::thread::sleep(Duration::from_millis(15));
        }
        // Resume whatever is left paused so the final counts are simple to read.
        for w in op
            .live()
            .unwrap()
            .into_iter()
            .filter(|w| w.status == Status::Paused)
        {
            let req = Request::new(Action::Resume, "operator:bob@host");
            engine::act_on_id(&mut op, &w.id, &req).unwrap();
            writes += 1;
        }
        (
            sim.join()
                .unwrap()
                .expect("simulator survives interference"),
            writes,
        )
    });
    let conn = db.raw();
    let operator_events: i64 = conn
        .query_row(
            "SELECT count(*) FROM workflow_events WHERE triggered_by = 'operator:bob@host'",
            [],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(operator_events as u64, operator_writes);
    let sim_events: i64 = conn
        .query_row(
            "SELECT count(*) FROM workflow_events WHERE triggered_by != 'operator:bob@host'",
            [],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(
        sim_events as u64,
        report.ops - report.heartbeats,
        "{report:?}"
    );
    assert_eq!(report.started, 12);
    assert_healthy(&db.store());
}

#[test]
fn keep_alive_runs_until_the_duration_and_reports_progress() {
    let db = TestDb::new();
    let c = SimConfig {
        workflows: 3,
        rate: 200.0,
        duration: Some(Duration::from_millis(2300)),
        keep_alive: true,
        ..cfg(3, 8)
    };
    let (mut store, _) = Store::open(&db.path, OpenMode::ReadWrite).unwrap();
    let mut calls = Vec::new();
    let began = Instant::now();
    let r = sim::run(&mut store, &c, &AtomicBool::new(false), &mut |p| {
        calls.push(p.ops)
    })
    .unwrap();
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(2300) && took < Duration::from_secs(4),
        "{took:?}"
    );
    assert!(
        (1..=3).contains(&calls.len()),
        "progress about once a second: {calls:?}"
    );
    assert!(calls.windows(2).all(|w| w[0] <= w[1]));
    // More workflows than `workflows`: finished ones were replaced.
    assert!(r.started > 3, "{r:?}");
    // The rate is a ceiling.
    assert!(r.ops as f64 <= 200.0 * r.elapsed_secs + 5.0, "{r:?}");
    assert_stopped_report_matches(&db.raw(), &r, c.workflows as u64);
    assert_healthy(&store);
}

#[test]
fn setting_stop_ends_a_keep_alive_run_promptly() {
    let db = TestDb::new();
    let stop = AtomicBool::new(false);
    let c = SimConfig {
        rate: 50.0,
        keep_alive: true,
        ..cfg(4, 9)
    };
    let r = std::thread::scope(|s| {
        let h = s.spawn(|| run_with_stop(&db.path, &c, &stop));
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, Ordering::Relaxed);
        let began = Instant::now();
        let r = h.join().unwrap();
        assert!(
            began.elapsed() < Duration::from_millis(500),
            "stopped promptly"
        );
        r
    });
    assert!(r.ops > 0 && r.started >= 1, "{r:?}");
    assert_stopped_report_matches(&db.raw(), &r, c.workflows as u64);
}

fn run_with_stop(path: &std::path::Path, c: &SimConfig, stop: &AtomicBool) -> SimReport {
    let (mut store, _) = Store::open(path, OpenMode::ReadWrite).unwrap();
    sim::run(&mut store, c, stop, &mut |_| {}).unwrap()
}

#[test]
fn zero_workflows_is_an_immediate_empty_run() {
    let db = TestDb::new();
    let r = run(&db.path, &cfg(0, 1));
    assert_eq!((r.ops, r.started), (0, 0));
}

#[test]
fn a_fail_rate_of_one_never_completes_but_still_ends() {
    let db = TestDb::new();
    let c = SimConfig {
        fail_rate: 1.0,
        stuck_rate: 0.0,
        ..cfg(5, 4)
    };
    let r = run(&db.path, &c);
    let conn = db.raw();
    assert_report_matches(&conn, &r);
    assert_eq!((r.completed, r.advanced), (0, 0), "{r:?}");
    assert!(r.failed >= 5 && r.retried + r.rolled_back > 0, "{r:?}");
    assert_eq!(
        statuses(&conn, "failed"),
        5,
        "every workflow is left failed"
    );
    assert_healthy(&db.store());
}
