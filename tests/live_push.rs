//! Changes are pushed, not polled: on SQLite the file system reports each commit, on
//! PostgreSQL the contract tables' triggers NOTIFY a channel the dashboard LISTENs on. A
//! change by another program reaches the dashboard with no poll interval to wait out, an
//! idle dashboard reads nothing at all, a burst of commits costs at most one look per
//! frame, and the PostgreSQL listener survives its connection being killed. No timing
//! assertions: every bound is on counts, and waits are generous deadlines.

mod common;

use baton::store::Target;
use baton::store::{OpenMode, Store, WatchMode};
use baton::tui::msg::{Cmd, Msg};
use baton::tui::pace::Pace;
use baton::tui::watcher;
use baton::tui::worker::Worker;
use common::backend::*;
use common::pg_cluster::Cluster;
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

/// Between a wake-up and the next look the watcher stops listening: a busy writer's
/// commits then cost the dashboard nothing (no file-system events on SQLite, no signals to
/// its backend on PostgreSQL). Listening again, it hears the next commit. On SQLite, files
/// written while it was not listening are owed one wake-up: a commit's frames can reach
/// the WAL then and be published after the caller's own look, with nothing to tell.
fn a_disarmed_watch_hears_nothing_until_armed_again(b: Backend) {
    let db = TestDb::new(b);
    let store = db.store();
    let mut watch = store.watch(HOUR);
    watch.disarm();
    insert_workflow(&db, "unheard");
    std::thread::sleep(Duration::from_millis(300));
    watch.arm();
    if b == Backend::Sqlite {
        assert!(
            watch.wait(Duration::from_millis(500)).unwrap(),
            "the files were written while disarmed: one wake-up owed"
        );
    }
    assert!(
        !watch.wait(Duration::from_millis(500)).unwrap(),
        "a commit made while disarmed wakes the watch no more (the caller looks for it)"
    );
    assert_eq!(watch.mode(), WatchMode::Pushed);
    insert_workflow(&db, "heard");
    assert!(
        watch.wait(Duration::from_secs(10)).unwrap(),
        "armed again, the next commit wakes it"
    );
}

/// The dashboard's worker, woken only by the watch (its own check is an hour away).
struct Live {
    rx: mpsc::Receiver<Msg>,
    _jobs: mpsc::Sender<Cmd>,
}

fn live(store: Store) -> Live {
    live_polling_every(store, HOUR)
}

/// The same, polling at `poll` where the watch cannot be pushed.
fn live_polling_every(store: Store, poll: Duration) -> Live {
    live_named(store, poll, "test-worker")
}

/// The same, its worker thread called `name` (at most 15 bytes: what `comm` holds), so a
/// test can find that thread among those of tests running beside it.
fn live_named(store: Store, poll: Duration, name: &str) -> Live {
    let (tx, rx) = mpsc::channel();
    let (jobs, jobs_rx) = mpsc::channel();
    let watch = store.watch(poll);
    let worker = Worker::new(store, tx.clone(), jobs_rx, HOUR);
    watcher::spawn(watch, jobs.clone(), tx, worker.pace()).unwrap();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || worker.run())
        .unwrap();
    Live { rx, _jobs: jobs }
}

/// CPU ticks (1/100 s) the threads named `name` of this process have used.
fn cpu_ticks_of(name: &str) -> u64 {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == name))
        .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
        .map(|stat| {
            // After the command name in parentheses: utime and stime are fields 14 and 15.
            let rest = &stat[stat.rfind(')').unwrap() + 2..];
            let f: Vec<&str> = rest.split(' ').collect();
            f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
        })
        .sum()
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
    watcher::spawn(store.watch(HOUR), jobs, tx, Pace::default()).unwrap();
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

/// A commit can land after the time it wrote on the row (it waited on a lock; the
/// writer's clock lags). Looks re-read a short overlap every time and the whole two
/// seconds once a second: a row stamped 1.5 s in the past, with no event naming it, is
/// still shown.
fn a_row_committed_after_the_time_it_wrote_is_shown(b: Backend) {
    let db = TestDb::new(b);
    let (store, _) = Store::open(db.target(), OpenMode::ReadOnly).unwrap();
    let l = live(store);
    insert_workflow(&db, "loaded");
    assert!(shows(&l, "loaded", Duration::from_secs(10)));
    let past = match b {
        Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1.5 seconds')",
        Backend::Postgres => "now() - interval '1500 milliseconds'",
    };
    for build in ["late-1", "late-2"] {
        db.raw().execute(
            &format!(
                "INSERT INTO build_workflows
                   (build_id, project_id, current_state, \"current_role\", updated_at)
                 VALUES ($1, 'push', 'discovery', 'q_assistant', {past})"
            ),
            &[&build],
        );
        assert!(
            shows(&l, build, Duration::from_secs(10)),
            "{build}, stamped 1.5 s before its commit"
        );
    }
}

/// A short look owes a whole-window look within the second; paused, the worker makes no
/// look, and must not wake over and over for the one it owes (it spun a core doing so).
fn a_paused_dashboard_owing_a_look_stays_asleep(b: Backend) {
    let db = TestDb::new(b);
    let (store, _) = Store::open(db.target(), OpenMode::ReadOnly).unwrap();
    // Its own name: the other backend's run of this test goes on beside it.
    let name = b.pick("paused-sqlite", "paused-pg");
    let l = live_named(store, HOUR, name);
    insert_workflow(&db, "first");
    assert!(shows(&l, "first", Duration::from_secs(10)));
    insert_workflow(&db, "second");
    assert!(
        shows(&l, "second", Duration::from_secs(10)),
        "a short look: one owed"
    );
    l._jobs.send(Cmd::SetPaused(true)).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let before = cpu_ticks_of(name);
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks_of(name) - before;
    assert!(
        used < 20,
        "a paused worker used {used} of 200 possible CPU ticks in 2 s"
    );
}

both!(
    a_paused_dashboard_owing_a_look_stays_asleep,
    a_row_committed_after_the_time_it_wrote_is_shown,
    a_commit_wakes_the_watch_and_silence_does_not,
    a_change_by_another_program_reaches_the_dashboard_without_polling,
    a_burst_of_commits_is_at_most_one_look_per_frame,
    a_disarmed_watch_hears_nothing_until_armed_again
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

/// Waits for a message `pick` accepts; panics naming `what` at the deadline.
fn expect_msg<T>(l: &Live, what: &str, within: Duration, pick: impl Fn(Msg) -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match l.rx.recv_timeout(left) {
            Ok(m) => {
                if let Some(t) = pick(m) {
                    return t;
                }
            }
            Err(_) => break,
        }
    }
    panic!("no {what} within {within:?}")
}

fn insert_on(url: &str, build: &str) {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.execute(
        "INSERT INTO build_workflows (build_id, project_id, current_state, \"current_role\")
         VALUES ($1, 'push', 'discovery', 'q_assistant')",
        &[&build],
    )
    .unwrap();
}

/// A private server with baton's schema in database `baton`.
fn private_server() -> (Cluster, String) {
    let cluster = Cluster::start();
    postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls)
        .unwrap()
        .batch_execute("CREATE DATABASE baton")
        .unwrap();
    let url = cluster.url("baton");
    Store::open(Target::parse(&url), OpenMode::Create).unwrap();
    (cluster, url)
}

/// The server itself stopped and started again (a private one: the shared test server is
/// never restarted): the dashboard says it is reconnecting while the server is down, comes
/// back by itself, and shows what was written before it had reconnected.
#[test]
fn the_postgres_dashboard_survives_a_server_restart() {
    let (cluster, url) = private_server();
    let (store, _) = Store::open(Target::parse(&url), OpenMode::ReadOnly).unwrap();
    let l = live(store);
    insert_on(&url, "before-restart");
    assert!(shows(&l, "before-restart", Duration::from_secs(10)));
    cluster.down();
    let said = expect_msg(
        &l,
        "reconnecting notice",
        Duration::from_secs(20),
        |m| match m {
            Msg::DbProblem(p) if p.contains("reconnecting") => Some(p),
            _ => None,
        },
    );
    assert!(!said.contains("password"), "{said}");
    cluster.up();
    // Written at once, before the dashboard's backoff has brought it back.
    insert_on(&url, "while-away");
    assert!(
        shows(&l, "while-away", Duration::from_secs(30)),
        "what was written before the dashboard reconnected is shown"
    );
    insert_on(&url, "after-restart");
    assert!(
        shows(&l, "after-restart", Duration::from_secs(15)),
        "pushed again after the restart"
    );
}

/// A hot standby never delivers NOTIFY: the dashboard polls it, says so, and shows what
/// the primary writes once it has replicated.
#[test]
fn a_dashboard_on_a_hot_standby_polls_and_says_so() {
    let (primary, url) = private_server();
    let standby = Cluster::standby_of(&primary);
    let standby_url = standby.url("baton");
    let (store, _) = Store::open(Target::parse(&standby_url), OpenMode::ReadOnly).unwrap();
    let l = live_polling_every(store, Duration::from_millis(100));
    let why = expect_msg(&l, "watch mode", Duration::from_secs(10), |m| match m {
        Msg::Watching(WatchMode::Polling(why)) => Some(why),
        Msg::Watching(WatchMode::Pushed) => panic!("a standby cannot push"),
        _ => None,
    });
    assert!(why.contains("standby"), "{why}");
    insert_on(&url, "on-primary");
    assert!(
        shows(&l, "on-primary", Duration::from_secs(20)),
        "the standby's dashboard shows the primary's writes by polling"
    );
}
