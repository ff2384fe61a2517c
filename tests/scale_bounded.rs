//! Bounded work at any size, checked by behaviour (never by time): a backfilled history
//! satisfies the doctor; status counts stay exact whoever writes; an idle poll runs one
//! pragma and no table read; a change sends only what changed; no statement the dashboard
//! runs scans a whole table; history pages by keyset.

mod common;

use baton::engine::{self, Request};
use baton::model::{Action, Status};
use baton::sim::backfill::{self, BackfillConfig, BackfillReport};
use baton::store::{HistoryQuery, OpenMode, Store, Total};
use baton::tui::msg::Cmd;
use baton::tui::msg::{Delta, Msg};
use baton::tui::worker::Worker;
use common::store::TestDb;
use rusqlite::Connection;
use std::collections::HashSet;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Duration;

fn fill(db: &TestDb, finished: usize, live: usize, seed: u64) -> BackfillReport {
    let mut store = db.store();
    let cfg = BackfillConfig {
        workflows: finished,
        live,
        seed,
        batch: 97, // several transactions, one of them partial
        ..BackfillConfig::default()
    };
    backfill::run(&mut store, &cfg, &AtomicBool::new(false), &mut |_| {}).expect("backfill")
}

/// `(status, count)` by scanning the table, the slow way the counts table replaces.
fn counted(raw: &Connection) -> Vec<(Status, i64)> {
    let mut stmt = raw
        .prepare("SELECT status, count(*) FROM build_workflows GROUP BY status")
        .unwrap();
    let mut v: Vec<(Status, i64)> = stmt
        .query_map([], |r| {
            Ok((Status::parse(&r.get::<_, String>(0)?), r.get(1)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    v.sort();
    v
}

#[test]
fn backfilled_history_is_what_the_engine_would_have_written() {
    let db = TestDb::new();
    let report = fill(&db, 400, 60, 11);
    assert_eq!((report.workflows, report.live), (400, 60));
    let per = report.events as f64 / 460.0;
    assert!((7.0..=14.0).contains(&per), "{per} events per workflow");
    let store = db.store();
    let doctor = store
        .doctor(&baton::store::Scope::Full, &|_| {})
        .expect("doctor");
    assert!(doctor.problems.is_empty(), "{:#?}", doctor.problems);
    assert_eq!(doctor.integrity, ["ok"]);
    let counts = store.status_counts().unwrap();
    assert_eq!(counts, counted(&db.raw()));
    let live: i64 = counts
        .iter()
        .filter(|(s, _)| !s.is_terminal())
        .map(|(_, n)| n)
        .sum();
    assert_eq!(live, 60);
    // The engine can carry on with a live workflow written by the backfill.
    let mut store = db.store();
    let running = store.live().unwrap();
    let w = running
        .iter()
        .find(|w| w.status == Status::Running)
        .expect("a running one");
    engine::act_on_id(
        &mut store,
        &w.id,
        &Request::new(Action::Pause, "operator:test").expect_version(w.version),
    )
    .expect("pause a backfilled workflow");
    // A second run on the same database adds to it without clashing.
    fill(&db, 50, 0, 12);
    assert!(
        db.store()
            .doctor(&baton::store::Scope::Full, &|_| {})
            .unwrap()
            .problems
            .is_empty()
    );
}

#[test]
fn status_counts_stay_exact_after_outside_sql_writes() {
    let db = TestDb::new();
    fill(&db, 120, 30, 5);
    let raw = db.raw();
    raw.execute_batch(
        "PRAGMA foreign_keys = ON;
         INSERT INTO build_workflows (build_id, project_id, current_state, current_role)
           VALUES ('py-1', 'atlas', 'discovery', 'q_assistant'),
                  ('py-2', 'atlas', 'discovery', 'q_assistant');
         INSERT INTO build_workflows (build_id, project_id, current_state, current_role, status)
           VALUES ('py-3', 'atlas', 'release', 'release_manager', 'failed');
         UPDATE build_workflows SET status = 'paused' WHERE build_id = 'py-1';
         UPDATE build_workflows SET status = 'completed', completed_at = updated_at
           WHERE build_id = 'py-2';
         UPDATE build_workflows SET status = status WHERE build_id = 'py-3';
         DELETE FROM build_workflows WHERE id IN
           (SELECT id FROM build_workflows WHERE status = 'completed' LIMIT 7);",
    )
    .unwrap();
    let store = db.store();
    assert_eq!(store.status_counts().unwrap(), counted(&raw));
    let report = store.doctor(&baton::store::Scope::Full, &|_| {}).unwrap();
    assert!(
        !report
            .problems
            .iter()
            .any(|p| p.check == "status counts match the workflows"),
        "{:#?}",
        report.problems
    );
    // A counts table that drifted (edited by hand) is named by the doctor.
    raw.execute(
        "UPDATE workflow_status_counts SET n = n + 1 WHERE status = 'running'",
        [],
    )
    .unwrap();
    let report = db
        .store()
        .doctor(&baton::store::Scope::Full, &|_| {})
        .unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.check == "status counts match the workflows"),
        "{:#?}",
        report.problems
    );
}

struct Watch {
    worker: Worker,
    rx: mpsc::Receiver<Msg>,
    _jobs: mpsc::Sender<Cmd>,
    log: baton::store::StatementLog,
}

impl Watch {
    fn new(db: &TestDb) -> Watch {
        let (mut store, _) = Store::open(&db.path, OpenMode::ReadOnly).unwrap();
        let log = store.record_statements().unwrap();
        let (tx, rx) = mpsc::channel();
        let (jobs, jobs_rx) = mpsc::channel();
        let worker = Worker::new(store, tx, jobs_rx, Duration::from_millis(100));
        Watch {
            worker,
            rx,
            _jobs: jobs,
            log,
        }
    }

    /// One poll; the delta it sent, if any.
    fn poll(&mut self) -> Option<Delta> {
        assert!(self.worker.poll_once());
        let mut out = None;
        while let Ok(m) = self.rx.try_recv() {
            match m {
                Msg::Data(d) => out = Some(d),
                Msg::DbProblem(p) => panic!("database problem: {p}"),
                _ => {}
            }
        }
        out
    }
}

fn pause_or_resume(store: &mut Store, id: &str) {
    let w = store.workflow(id).unwrap();
    let action = if w.status == Status::Paused {
        Action::Resume
    } else {
        Action::Pause
    };
    engine::act_on_id(store, id, &Request::new(action, "orchestrator:test")).unwrap();
}

#[test]
fn an_idle_poll_reads_no_table_and_a_change_sends_only_what_changed() {
    let db = TestDb::new();
    fill(&db, 300, 40, 7);
    let mut w = Watch::new(&db);
    let first = w.poll().expect("the first poll loads");
    assert!(first.full);
    assert_eq!(first.counts, counted(&db.raw()));
    w.log.take();
    let reads = w.worker.reads;
    for _ in 0..5 {
        assert!(w.poll().is_none(), "nothing changed, nothing sent");
    }
    assert_eq!(w.worker.reads, reads);
    assert_eq!(
        w.log.take(),
        vec!["PRAGMA data_version"; 5],
        "an idle poll asks data_version and nothing else"
    );

    // Another process changes two workflows: the next poll sends exactly those, with
    // their pending handoffs, and the exact counts.
    let mut writer = db.store();
    let live: Vec<String> = writer
        .live()
        .unwrap()
        .into_iter()
        .filter(|w| w.status != Status::Failed)
        .map(|w| w.id)
        .collect();
    pause_or_resume(&mut writer, &live[0]);
    pause_or_resume(&mut writer, &live[1]);
    let d = w.poll().expect("a change is sent");
    assert!(!d.full);
    let ids: HashSet<&str> = d.workflows.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids, HashSet::from([live[0].as_str(), live[1].as_str()]));
    assert!(
        d.pending
            .iter()
            .all(|h| ids.contains(h.workflow_id.as_str()))
    );
    assert_eq!(d.events.len(), 2);
    assert_eq!(d.counts, counted(&db.raw()));

    // A third change moments later: the overlap re-reads the first two, but they are not
    // sent again.
    pause_or_resume(&mut writer, &live[2]);
    let d = w.poll().expect("a change is sent");
    let ids: Vec<&str> = d.workflows.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids, [live[2].as_str()]);

    // A heartbeat (no version bump, no event) is seen through its own index.
    engine::heartbeat(&mut writer, &live[3]).unwrap();
    let d = w.poll().expect("a heartbeat is sent");
    let ids: Vec<&str> = d.workflows.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids, [live[3].as_str()]);
}

/// Tables that stay small whatever history holds; any other table may only be scanned by a
/// statement that stops at a LIMIT.
const SMALL: [&str; 2] = ["workflow_status_counts", "workflow_definitions"];

#[test]
fn no_statement_the_dashboard_runs_scans_a_whole_table() {
    let db = TestDb::new();
    fill(&db, 200, 30, 9);
    let mut w = Watch::new(&db);
    w.poll().expect("first load");
    let mut writer = db.store();
    let live: Vec<String> = writer
        .live()
        .unwrap()
        .into_iter()
        .filter(|w| w.status != Status::Failed)
        .map(|w| w.id)
        .collect();
    pause_or_resume(&mut writer, &live[0]);
    engine::heartbeat(&mut writer, &live[1]).unwrap();
    w.poll().expect("a change");
    let statements: HashSet<String> = w.log.take().into_iter().collect();
    assert!(statements.len() >= 8, "{statements:#?}");
    let raw = db.raw();
    for sql in statements {
        if sql.starts_with("PRAGMA") {
            continue;
        }
        let mut stmt = raw.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let mut rows = stmt.raw_query(); // parameters stay unbound (NULL): only the plan matters
        let mut plan: Vec<String> = Vec::new();
        while let Some(r) = rows.next().unwrap() {
            plan.push(r.get(3).unwrap());
        }
        for line in &plan {
            let Some(target) = line.strip_prefix("SCAN ") else {
                continue;
            };
            let target = target.split_whitespace().next().unwrap_or("");
            assert!(
                SMALL.contains(&target) || sql.contains("LIMIT"),
                "unbounded scan of {target} in\n{sql}\nplan: {plan:#?}"
            );
        }
    }
}

#[test]
fn history_pages_by_keyset_without_gaps_or_repeats() {
    let db = TestDb::new();
    fill(&db, 150, 10, 3);
    let store = db.store();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .history_page(&HistoryQuery {
                after: after.take(),
                limit: 11,
                ..HistoryQuery::default()
            })
            .unwrap();
        assert!(page.rows.len() <= 11);
        assert_eq!(page.total, Total::Exactly(150));
        seen.extend(page.rows.into_iter().map(|l| l.workflow));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 150);
    assert!(seen.iter().all(|w| w.status.is_terminal()));
    let keys: Vec<(String, String)> = seen
        .iter()
        .map(|w| (w.updated_at.to_string(), w.id.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    sorted.dedup();
    assert_eq!(keys, sorted, "newest first, each once");
}

#[test]
fn a_live_set_loaded_in_chunks_ends_as_one_full_load() {
    use baton::engine::StuckPolicy;
    use baton::tui::app::App;
    use baton::tui::update::update;
    let db = TestDb::new();
    fill(&db, 100, 4_500, 21); // several chunks of live workflows
    let mut w = Watch::new(&db);
    assert!(w.worker.poll_once());
    let mut app = App::new("t", true, StuckPolicy::default(), baton::model::time::now());
    let mut messages = 0;
    while let Ok(m) = w.rx.try_recv() {
        if let Msg::Data(d) = &m {
            assert_eq!(d.full, messages == 0, "only the first chunk replaces");
            messages += 1;
        }
        update(&mut app, m);
    }
    assert!(messages >= 3, "{messages} messages");
    let live = db.store().live().unwrap();
    let held_live = app
        .held()
        .rows()
        .iter()
        .filter(|r| !r.wf.status().is_terminal())
        .count();
    assert_eq!(held_live, live.len());
    let pending = db.store().pending_handoffs().unwrap();
    let with_pending = app
        .held()
        .rows()
        .iter()
        .filter(|r| r.pending.is_some())
        .count();
    let expected: HashSet<&str> = pending.iter().map(|h| h.workflow_id.as_str()).collect();
    assert_eq!(with_pending, expected.len());
    let mut fresh = app.clone();
    fresh.recompute(None);
    assert_eq!(app.held().folded_order(), fresh.held().folded_order());
    assert_eq!(app.held().visible(), fresh.held().visible());
}

/// The first screen's reads are index ranges: finished rows by status, failed ones with the
/// live set. Asking for "failed with no retries left" tests every failed row's retries, a
/// walk of all of them (40,000 at 500,000 live) before anything is shown.
#[test]
fn the_first_look_never_tests_each_failed_rows_retries() {
    let db = TestDb::new();
    fill(&db, 100, 40, 5);
    let (mut store, _) = Store::open(&db.path, OpenMode::ReadOnly).unwrap();
    let log = store.record_statements().unwrap();
    let (tx, rx) = mpsc::channel();
    let (jobs, jobs_rx) = mpsc::channel::<Cmd>();
    let worker = Worker::new(store, tx, jobs_rx, Duration::from_millis(100));
    let run = std::thread::spawn(move || worker.run());
    // The quick first screen, then the full load: two data messages.
    let mut data = 0;
    while data < 2 {
        match rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the worker sends")
        {
            Msg::Data(_) => data += 1,
            Msg::DbProblem(p) => panic!("database problem: {p}"),
            _ => {}
        }
    }
    drop(rx);
    drop(jobs);
    run.join()
        .expect("the worker ends when the dashboard hangs up");
    let statements = log.take();
    assert!(statements.len() >= 4, "{statements:#?}");
    for sql in &statements {
        assert!(
            !sql.contains("retry_count >= max_retries"),
            "a per-row retries test in the first look:\n{sql}"
        );
    }
}
