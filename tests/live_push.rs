//! Changes are pushed, not polled: on SQLite the file system reports each commit, on
//! PostgreSQL the contract tables' triggers NOTIFY a channel the dashboard LISTENs on. A
//! change by another program reaches the dashboard with no poll interval to wait out, an
//! idle dashboard reads nothing at all, a burst of commits costs at most one look per
//! frame, and the PostgreSQL listener survives its connection being killed. No timing
//! assertions: every bound is on counts, and waits are generous deadlines.

mod common;

use baton::store::{OpenMode, Store, WatchMode};
use baton::tui::msg::{Cmd, Msg};
use baton::tui::watcher;
use baton::tui::worker::Worker;
use common::backend::*;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const HOUR: Duration = Duration::from_secs(3600);

/// What an outside program writes: a new workflow row, with plain SQL.
fn insert_workflow(db: &TestDb, build: &str) {
    db.raw().execute(
        "INSERT INTO build_workflows (build_id, project_id, current_state, \"current_role\")
         VALUES ($1, 'push', 'discovery', 'q_assistant')",
        &[&build],
    );
}

fn a_commit_wakes_the_watch_and_silence_does_not(b: Backend) {
    let db = TestDb::new(b);
    let store = db.store();
    let mut watch = store.watch(HOUR);
    assert_eq!(watch.mode(), WatchMode::Pushed);
    assert!(
        !watch.wait(Duration::from_millis(300)).unwrap(),
        "nothing was written, nothing wakes"
    );
    insert_workflow(&db, "woken");
    assert!(
        watch.wait(Duration::from_secs(10)).unwrap(),
        "a commit by another program wakes the watch"
    );
}

/// The dashboard's worker, woken only by the watch (its own check is an hour away).
struct Live {
    rx: mpsc::Receiver<Msg>,
    _jobs: mpsc::Sender<Cmd>,
}

fn live(store: Store) -> Live {
    let (tx, rx) = mpsc::channel();
    let (jobs, jobs_rx) = mpsc::channel();
    watcher::spawn(store.watch(HOUR), jobs.clone(), tx.clone()).unwrap();
    let worker = Worker::new(store, tx, jobs_rx, HOUR);
    std::thread::spawn(move || worker.run());
    Live { rx, _jobs: jobs }
}

/// Waits for data naming `build`; false at the deadline.
fn shows(l: &Live, build: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match l.rx.recv_timeout(left) {
            Ok(Msg::Data(d)) if d.workflows.iter().any(|w| w.build_id == build) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

fn a_change_by_another_program_reaches_the_dashboard_without_polling(b: Backend) {
    let db = TestDb::new(b);
    let (mut store, _) = Store::open(db.target(), OpenMode::ReadOnly).unwrap();
    let log = store.record_statements().unwrap();
    let l = live(store);
    // Let the first load finish, then stay idle: nothing may be read.
    std::thread::sleep(Duration::from_millis(700));
    while l.rx.try_recv().is_ok() {}
    log.take();
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        log.take(),
        Vec::<String>::new(),
        "an idle dashboard runs no statement at all"
    );
    insert_workflow(&db, "pushed-1");
    assert!(
        shows(&l, "pushed-1", Duration::from_secs(10)),
        "the new workflow arrives though the worker's own check is an hour away"
    );
    insert_workflow(&db, "pushed-2");
    assert!(shows(&l, "pushed-2", Duration::from_secs(10)));
}

fn a_burst_of_commits_is_at_most_one_look_per_frame(b: Backend) {
    let db = TestDb::new(b);
    let store = db.store();
    let (tx, _rx) = mpsc::channel();
    let (jobs, jobs_rx) = mpsc::channel();
    watcher::spawn(store.watch(HOUR), jobs, tx).unwrap();
    let commits = 300;
    let started = Instant::now();
    let mut raw = db.raw();
    for i in 0..commits {
        raw.execute(
            "INSERT INTO build_workflows (build_id, project_id, current_state, \"current_role\")
             VALUES ($1, 'burst', 'discovery', 'q_assistant')",
            &[&format!("burst-{i}")],
        );
    }
    let writing = started.elapsed();
    // Let the last wake-up through.
    std::thread::sleep(Duration::from_millis(500));
    let elapsed = started.elapsed();
    let looks = jobs_rx
        .try_iter()
        .filter(|c| matches!(c, Cmd::LookAgain))
        .count();
    let frames = (elapsed.as_millis() / 16) as usize + 1;
    assert!(looks >= 1, "the burst was noticed");
    assert!(
        looks <= frames,
        "{looks} looks for {commits} commits in {writing:?} ({elapsed:?} in all): at most one a frame ({frames})"
    );
}

both!(
    a_commit_wakes_the_watch_and_silence_does_not,
    a_change_by_another_program_reaches_the_dashboard_without_polling,
    a_burst_of_commits_is_at_most_one_look_per_frame
);

/// The listener's connection killed (as a DBA or a failover would): the next wait says
/// "look again", it listens again, and later commits wake it as before.
#[test]
fn the_postgres_listener_recovers_from_pg_terminate_backend() {
    let db = TestDb::new(Backend::Postgres);
    let store = db.store();
    let mut watch = store.watch(Duration::from_millis(200));
    assert_eq!(watch.mode(), WatchMode::Pushed);
    let killed: i64 = db.raw().value(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE datname = $1 AND query LIKE 'LISTEN%'",
        &[&db.pg_name()],
    );
    assert_eq!(killed, 1, "the listener's connection was found and killed");
    assert!(
        watch.wait(Duration::from_secs(10)).unwrap(),
        "a lost listener means: look again"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while watch.mode() != WatchMode::Pushed && Instant::now() < deadline {
        watch.wait(Duration::from_millis(200)).unwrap();
    }
    assert_eq!(watch.mode(), WatchMode::Pushed, "listening again");
    while watch.wait(Duration::from_millis(300)).unwrap() {}
    insert_workflow(&db, "after-kill");
    assert!(watch.wait(Duration::from_secs(10)).unwrap());
}

/// A database whose writers cannot afford NOTIFY turns it off; dashboards then poll and
/// say why, and still see every change.
#[test]
fn postgres_notifications_switched_off_mean_polling_that_says_so() {
    let db = TestDb::new(Backend::Postgres);
    db.raw().execute(
        &format!("ALTER DATABASE {} SET baton.notify = off", db.pg_name()),
        &[],
    );
    let store = db.store();
    let mut watch = store.watch(Duration::from_millis(50));
    match watch.mode() {
        WatchMode::Polling(why) => assert!(why.contains("baton.notify"), "{why}"),
        WatchMode::Pushed => panic!("notifications are off: the watch must poll"),
    }
    assert!(
        watch.wait(Duration::from_secs(1)).unwrap(),
        "polling says: look again"
    );
}

/// Every connection of the dashboard killed at once, as a server restart does from its
/// side: it reconnects, reloads, and shows what was written while it was away.
#[test]
fn the_postgres_dashboard_recovers_when_all_its_connections_are_killed() {
    let db = TestDb::new(Backend::Postgres);
    let (store, _) = Store::open(db.target(), OpenMode::ReadOnly).unwrap();
    let l = live(store);
    insert_workflow(&db, "before-restart");
    assert!(shows(&l, "before-restart", Duration::from_secs(10)));
    let mut raw = db.raw();
    let killed: i64 = raw.value(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE datname = $1 AND pid <> pg_backend_pid()",
        &[&db.pg_name()],
    );
    assert!(
        killed >= 2,
        "the worker's and the listener's connections ({killed})"
    );
    insert_workflow(&db, "during-restart");
    assert!(
        shows(&l, "during-restart", Duration::from_secs(15)),
        "what was written while the dashboard was cut off is shown after it reconnects"
    );
    insert_workflow(&db, "after-restart");
    assert!(shows(&l, "after-restart", Duration::from_secs(15)));
}
