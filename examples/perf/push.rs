//! Live updates by push (issue 9), on SQLite or PostgreSQL: `perf --push --db PATH|URL`.
//!
//! Every figure is taken from the real binary in a pseudo-terminal (or, for the follower,
//! a pipe), next to its baseline from the same run:
//! - change → screen: a probe workflow paused and resumed by this process, with and
//!   without a simulator writing; baseline: the same with `--baseline-bin` (an older,
//!   polling build run with `--poll-ms 100`), when given;
//! - idle: wake-ups (context switches of all the dashboard's threads), CPU, and on
//!   PostgreSQL the transactions and rows read in the database, over 10 s starting once
//!   the whole live set is on screen; baseline: the same window with no dashboard (for the
//!   database figures) and the polling build (for the process figures);
//! - writer throughput of `baton simulate --rate 0` alone, with one dashboard and with
//!   `--dashboards N`, taking turns, `--rounds` times;
//! - `baton events --follow --json` while `simulate --rate 0` runs: events committed and
//!   printed, and how long after the writer stopped the follower printed the last one.

use crate::pty::Pty;
use crate::{
    Args, Table, cpu_ticks, ms_since, pct, raw_ops_rng, rows_held, server_ticks, shows_probe,
    start_probe, ticks_per_sec,
};
use baton::engine::{self, Request};
use baton::model::{Action, Status};
use baton::store::{OpenMode, Store, Target};
use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn run(a: &Args, db: &str) {
    let target = Target::parse(db);
    let pg = target.is_postgres();
    tidy(db);
    let live_set = live_count(db);
    let live = held_when_loaded(&a.bin, db, live_set);
    eprintln!(
        "push: {target} with {live_set} live workflows; a dashboard holds {live} rows once loaded"
    );
    let mut t = Table::default();
    let ms = |d: f64| format!("{d:.1} ms");
    let poll_args = ["tui", "--poll-ms", "100"];
    let base = a.baseline_bin.as_deref();
    let (lat_p50, lat_p99) = if pg { (30.0, 80.0) } else { (16.0, 50.0) };

    if a.writer_only {
        writer_rows(a, db, live, &mut t);
        println!();
        t.print("value");
        return;
    }
    // Idle first, on a quiet database.
    let idle_new = idle(a, &a.bin, &[], db, live);
    let idle_old = base.map(|b| idle(a, b, &poll_args, db, live));
    let idle_none = pg.then(|| idle_db_only(db));
    t.row(
        "idle: wake-ups/s (context switches, all threads)",
        format!("{:.2}", idle_new.wakeups),
        idle_old
            .as_ref()
            .map_or("-".into(), |o| format!("{:.2} polling build", o.wakeups)),
        "≤ 1",
        Some(idle_new.wakeups <= 1.0),
    );
    t.row(
        "idle: CPU (% of a core)",
        format!("{:.3} %", idle_new.cpu),
        idle_old
            .as_ref()
            .map_or("-".into(), |o| format!("{:.3} % polling build", o.cpu)),
        "≤ 0.1 %",
        Some(idle_new.cpu <= 0.1),
    );
    if let (Some(d), Some(none)) = (&idle_new.db, &idle_none) {
        let old = idle_old.as_ref().and_then(|o| o.db.as_ref());
        t.row(
            "idle: transactions in the database / 10 s",
            format!("{}", d.xacts),
            format!(
                "{} no dashboard{}",
                none.xacts,
                old.map_or(String::new(), |o| format!("; {} polling build", o.xacts))
            ),
            "-",
            None,
        );
        t.row(
            "idle: rows read (tup_returned+fetched) / 10 s",
            format!("{}", d.rows),
            format!(
                "{} no dashboard{}",
                none.rows,
                old.map_or(String::new(), |o| format!("; {} polling build", o.rows))
            ),
            "-",
            None,
        );
    }
    t.row(
        "idle: peak RSS after the live set loaded",
        format!("{:.1} MB", idle_new.rss_mb),
        idle_old
            .as_ref()
            .map_or("-".into(), |o| format!("{:.1} MB polling build", o.rss_mb)),
        "-",
        None,
    );

    // Change → screen, with no writer and with one at `rate` ops/s.
    for writer in [None, Some(a.rate)] {
        let what = writer.map_or("no writer".to_string(), |r| format!("{r} ops/s writer"));
        let new = change_to_screen(a, &a.bin, &[], db, writer, live);
        tidy(db);
        let old = base.map(|b| {
            let v = change_to_screen(a, b, &poll_args, db, writer, live);
            tidy(db);
            v
        });
        t.row(
            &format!("change → screen p50 / p99 ({what})"),
            format!("{} / {}", ms(pct(&new, 50.0)), ms(pct(&new, 99.0))),
            old.as_ref().map_or("-".into(), |o| {
                format!("{} / {} polling build", ms(pct(o, 50.0)), ms(pct(o, 99.0)))
            }),
            &format!("≤ {lat_p50} / {lat_p99} ms"),
            Some(pct(&new, 50.0) <= lat_p50 && pct(&new, 99.0) <= lat_p99),
        );
    }

    writer_rows(a, db, live, &mut t);

    // events --follow against the fastest writer.
    let f = follow(a, db);
    tidy(db);
    t.row(
        "events --follow: events/s printed",
        format!("{:.0}", f.printed as f64 / f.follower_secs),
        format!(
            "{:.0} written (simulate --rate 0)",
            f.committed as f64 / f.writer_secs
        ),
        "keeps up",
        Some(f.printed >= f.committed && f.lag_ms <= 1000.0),
    );
    t.row(
        "events --follow: printed / committed, lag at the end",
        format!("{} / {}, {}", f.printed, f.committed, ms(f.lag_ms)),
        "-".into(),
        "-",
        None,
    );

    println!();
    println!(
        "baton perf --push: {target}, {live} live workflows, {} cores{}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        base.map_or(String::new(), |b| format!(
            ", polling build {}",
            b.display()
        ))
    );
    t.print("value");
}

/// Writer throughput alone, with 1 and with N dashboards (and, given `--baseline-bin`,
/// with N of the polling build; given `--other-bin`, with 1 of that build), taking turns,
/// `a.rounds` times; the dashboards' CPU.
///
/// Odd rounds take the setups in reverse order, and each ratio is the median of the
/// rounds' own ratios: the writer's speed drifts across a run (its tables grow, and dead
/// rows pile up where autovacuum is off), and a fixed order handed that drift to whichever
/// setup always ran first — the writer alone.
fn writer_rows(a: &Args, db: &str, live: usize, t: &mut Table) {
    let poll_args = ["tui", "--poll-ms", "100"];
    let mut setups: Vec<(usize, &Path, &[&str], &str)> =
        vec![(0, &a.bin, &[], ""), (1, &a.bin, &[], "")];
    // `--dashboards 1` asks for the one-dashboard row only, not the same row twice.
    if a.dashboards > 1 {
        setups.push((a.dashboards, &a.bin, &[], ""));
    }
    if let Some(b) = a.baseline_bin.as_deref() {
        setups.push((a.dashboards, b, &poll_args, " (polling build)"));
    }
    if let Some(b) = a.other_bin.as_deref() {
        setups.push((1, b, &[], " (other build)"));
    }
    let mut ops: Vec<Vec<f64>> = vec![Vec::new(); setups.len()];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); setups.len()];
    let mut server: Vec<Vec<f64>> = vec![Vec::new(); setups.len()];
    for round in 0..a.rounds {
        let mut order: Vec<usize> = (0..setups.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let (n, bin, extra, what) = setups[i];
            let (v, c, s) = writer_with(a, bin, extra, db, n, live);
            eprintln!(
                "writer round {round}, {n} dashboards{what}: {v:.0} ops/s, dashboards' CPU {c:.1} % of a core, server's {s:.1} %"
            );
            ops[i].push(v);
            cpu[i].push(c);
            server[i].push(s);
            tidy(db);
        }
    }
    let alone = pct(&ops[0], 50.0);
    let on_pg = db.starts_with("postgres");
    if on_pg {
        t.row(
            "— server CPU, writer alone",
            format!("{:.1} % of a core", pct(&server[0], 50.0)),
            "-".into(),
            "-",
            None,
        );
    }
    for (i, &(n, _, _, what)) in setups.iter().enumerate().skip(1) {
        let with = pct(&ops[i], 50.0);
        let ratios: Vec<f64> = ops[i].iter().zip(&ops[0]).map(|(w, a)| w / a).collect();
        let ratio = pct(&ratios, 50.0);
        let goal = if n == 1 { 0.98 } else { 0.90 };
        let each: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        t.row(
            &format!("writer ops/s with {n} dashboard(s){what}"),
            format!("{with:.0} ({ratio:.2}×; rounds {})", each.join(", ")),
            format!("{alone:.0} alone"),
            &format!("≥ {goal:.2}×"),
            Some(ratio >= goal),
        );
        t.row(
            &format!("— CPU of those {n} dashboard(s), sum"),
            format!("{:.1} % of a core", pct(&cpu[i], 50.0)),
            "-".into(),
            "-",
            None,
        );
        if on_pg {
            t.row(
                &format!("— server CPU, writer and {n} dashboard(s)"),
                format!("{:.1} % of a core", pct(&server[i], 50.0)),
                "-".into(),
                "-",
                None,
            );
        }
    }
    eprintln!("writer ops/s per round: {ops:?}; dashboards' CPU: {cpu:?}; server's: {server:?}");
}

/// The rows a dashboard holds once loaded: at least the live set, or, when it never gets
/// there within 30 s (seen on PostgreSQL: see docs/PERFORMANCE.md), what it settles at,
/// with a warning, so that the other figures can still be taken.
fn held_when_loaded(bin: &Path, db: &str, live: usize) -> usize {
    let p = spawn_dashboard(bin, &[], db);
    let t = Instant::now();
    let full = p
        .wait_for(Duration::from_secs(30), |s| rows_held(s) >= live.max(1))
        .is_some();
    let mut held = rows_held(&p.contents());
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = rows_held(&p.contents());
        if now == held {
            break;
        }
        held = now;
    }
    if !full {
        eprintln!(
            "WARNING: after {:.0} s the dashboard holds {held} rows, fewer than the {live} live workflows; measuring with it as it is",
            t.elapsed().as_secs_f64()
        );
    }
    p.quit();
    held.min(live.max(1))
}

/// Live workflows (running, paused, failed) by the status counts.
fn live_count(db: &str) -> usize {
    let (store, _) = Store::open(Target::parse(db), OpenMode::ReadOnly).expect("open");
    store
        .status_counts()
        .expect("counts")
        .into_iter()
        .filter(|(s, _)| matches!(s, Status::Running | Status::Paused | Status::Failed))
        .map(|(_, n)| n as usize)
        .sum()
}

/// Cancels every live workflow the backfill did not write (see `tidy` in main.rs), on
/// either backend.
fn tidy(db: &str) {
    let (mut store, _) = Store::open(Target::parse(db), OpenMode::ReadWrite).expect("open");
    let ids: Vec<String> = store
        .live()
        .expect("live")
        .into_iter()
        .filter(|w| !crate::backfilled(&w.build_id))
        .map(|w| w.id)
        .collect();
    for id in &ids {
        let _ = engine::act_on_id(&mut store, id, &Request::new(Action::Cancel, "perf:tidy"));
    }
    if !ids.is_empty() {
        eprintln!("cancelled {} workflows left by the measurements", ids.len());
    }
}

/// Writes the database's dirty pages out and empties its log (`--checkpoint`), so that no
/// writer round has a checkpoint fall inside it (PostgreSQL makes one every five minutes,
/// SQLite whenever its log grows) and every round starts in the same state. After a
/// PostgreSQL checkpoint each page's first write logs the whole page; one dashboard's
/// ratios measured in that state were lower than without (docs/PERFORMANCE.md, stop 31).
fn checkpoint(db: &str) {
    match Target::parse(db) {
        Target::Postgres(_) => {
            let (mut c, _) = stats_client(db);
            c.batch_execute("CHECKPOINT").expect("checkpoint");
        }
        Target::Sqlite(path) => {
            let c = rusqlite::Connection::open(path).expect("open");
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .expect("checkpoint");
        }
    }
}

/// Waits until the dashboard holds the whole live set, and the count has stopped moving.
pub fn wait_loaded(p: &Pty, live: usize) {
    if p.wait_for(Duration::from_secs(120), |s| rows_held(s) >= live.max(1))
        .is_none()
    {
        panic!(
            "the dashboard did not load {live} live workflows:\n{}",
            p.contents()
        );
    }
    let mut held = rows_held(&p.contents());
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = rows_held(&p.contents());
        if now == held {
            return;
        }
        held = now;
    }
}

fn spawn_dashboard(bin: &Path, extra: &[&str], db: &str) -> Pty {
    let mut args = vec!["--db", db];
    args.extend_from_slice(extra);
    Pty::spawn(bin, &args, 200, 60)
}

/// Context switches (voluntary and not) of every thread of a process, by thread name.
fn ctxt_switches(pid: u32) -> std::collections::BTreeMap<String, u64> {
    let mut by = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return by;
    };
    for t in tasks.filter_map(Result::ok) {
        let status = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
        let name = status
            .lines()
            .find_map(|l| l.strip_prefix("Name:"))
            .unwrap_or("?")
            .trim()
            .to_string();
        let n: u64 = status
            .lines()
            .filter(|l| l.contains("ctxt_switches:"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        *by.entry(format!("{name}/{}", t.file_name().to_string_lossy()))
            .or_insert(0) += n;
    }
    by
}

struct DbIdle {
    xacts: i64,
    rows: i64,
}

struct Idle {
    wakeups: f64,
    cpu: f64,
    rss_mb: f64,
    db: Option<DbIdle>,
}

const IDLE: Duration = Duration::from_secs(10);
/// A PostgreSQL backend reports its statistics at most once a second, and an idle one
/// only after 10 s; waiting this long before the window keeps the load out of it.
const PG_STATS_SETTLE: Duration = Duration::from_secs(11);

/// A connection to the server's `postgres` database, to read statistics without adding
/// transactions to the measured one; and the measured database's name.
fn stats_client(db: &str) -> (postgres::Client, String) {
    let (before_query, query) = db.split_once('?').map_or((db, ""), |(b, q)| (b, q));
    let (server, name) = before_query
        .rsplit_once('/')
        .expect("a database in the URL");
    let url = if query.is_empty() {
        format!("{server}/postgres")
    } else {
        format!("{server}/postgres?{query}")
    };
    let c = postgres::Client::connect(&url, postgres::NoTls).expect("connect for statistics");
    (c, name.to_string())
}

fn db_stats(c: &mut postgres::Client, name: &str) -> (i64, i64) {
    let r = c
        .query_one(
            "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched
             FROM pg_stat_database WHERE datname = $1",
            &[&name],
        )
        .expect("pg_stat_database");
    (r.get(0), r.get(1))
}

fn idle(a: &Args, bin: &Path, extra: &[&str], db: &str, live: usize) -> Idle {
    let _ = a;
    let pg = Target::parse(db).is_postgres();
    let p = spawn_dashboard(bin, extra, db);
    wait_loaded(&p, live);
    std::thread::sleep(if pg {
        PG_STATS_SETTLE
    } else {
        Duration::from_secs(1)
    });
    let pid = p.pid();
    let mut stats = pg.then(|| stats_client(db));
    let d0 = stats.as_mut().map(|(c, n)| db_stats(c, n));
    let (c0, s0, t0) = (cpu_ticks(pid), ctxt_switches(pid), Instant::now());
    std::thread::sleep(IDLE);
    let (c1, s1, secs) = (
        cpu_ticks(pid),
        ctxt_switches(pid),
        t0.elapsed().as_secs_f64(),
    );
    let per_thread: Vec<(String, u64)> = s1
        .iter()
        .map(|(k, v)| (k.clone(), v - s0.get(k).copied().unwrap_or(0)))
        .filter(|(_, v)| *v > 0)
        .collect();
    let switches: u64 = per_thread.iter().map(|(_, v)| v).sum();
    let rss_mb = crate::proc_status_kb(pid, "VmHWM:") / 1024.0;
    let polling = p.contents().contains("poll");
    p.quit();
    // A backend reports what it has not yet reported when it exits.
    std::thread::sleep(Duration::from_millis(500));
    let db = match (stats.as_mut(), d0) {
        (Some((c, n)), Some((x0, r0))) => {
            let (x1, r1) = db_stats(c, n);
            Some(DbIdle {
                xacts: x1 - x0,
                rows: r1 - r0,
            })
        }
        _ => None,
    };
    let i = Idle {
        wakeups: switches as f64 / secs,
        cpu: (c1 - c0) as f64 / ticks_per_sec() / secs * 100.0,
        rss_mb,
        db,
    };
    eprintln!(
        "idle {} {extra:?}: {:.2} wake-ups/s {per_thread:?}, {:.3} % CPU, db {:?}{}",
        bin.display(),
        i.wakeups,
        i.cpu,
        i.db.as_ref().map(|d| (d.xacts, d.rows)),
        if polling {
            " (screen mentions polling)"
        } else {
            ""
        }
    );
    i
}

/// The database's transactions and rows read over the idle window with no dashboard.
fn idle_db_only(db: &str) -> DbIdle {
    let (mut c, n) = stats_client(db);
    std::thread::sleep(PG_STATS_SETTLE);
    let (x0, r0) = db_stats(&mut c, &n);
    std::thread::sleep(IDLE + Duration::from_millis(500));
    let (x1, r1) = db_stats(&mut c, &n);
    eprintln!("idle, no dashboard: db ({}, {})", x1 - x0, r1 - r0);
    DbIdle {
        xacts: x1 - x0,
        rows: r1 - r0,
    }
}

fn simulator(bin: &Path, db: &str, rate: u32, duration: &str, workflows: usize) -> Command {
    let mut c = Command::new(bin);
    c.args(["--db", db, "simulate", "--keep-alive", "--workflows"])
        .arg(workflows.to_string())
        .args(["--rate", &rate.to_string(), "--duration", duration])
        .args(["--json", "--seed", "5"])
        .stderr(Stdio::null());
    c
}

/// Change → screen, `a.samples` times: a probe workflow shown alone by a filter is paused
/// and resumed by this process, from its commit to the new status on screen.
fn change_to_screen(
    a: &Args,
    bin: &Path,
    extra: &[&str],
    db: &str,
    writer: Option<u32>,
    live: usize,
) -> Vec<f64> {
    let mut p = spawn_dashboard(bin, extra, db);
    wait_loaded(&p, live);
    let (mut probe, _) = Store::open(Target::parse(db), OpenMode::ReadWrite).expect("open");
    static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tag = format!("probe-{}-{n}", std::process::id());
    let id = start_probe(&mut probe, &tag);
    p.keys(&format!("/{tag}\r"));
    let probe_line = |s: &str, word: &str| shows_probe(s, &tag, word);
    p.wait_for(Duration::from_secs(30), |s| probe_line(s, "running"))
        .expect("the probe is shown");
    let mut sim = writer.map(|rate| {
        simulator(bin_of(a), db, rate, "600s", 300)
            .stdout(Stdio::null())
            .spawn()
            .expect("start the simulator")
    });
    if sim.is_some() {
        std::thread::sleep(Duration::from_secs(2));
    }
    let mut jitter = raw_ops_rng(a.samples as u64 + u64::from(writer.unwrap_or(0)));
    let mut paused = false;
    let mut lat = Vec::with_capacity(a.samples);
    for _ in 0..a.samples {
        let (action, word) = if paused {
            (Action::Resume, "running")
        } else {
            (Action::Pause, "paused")
        };
        loop {
            match engine::act_on_id(&mut probe, &id, &Request::new(action.clone(), "perf")) {
                Ok(_) => break,
                Err(e) if e.to_string().contains("locked") => continue,
                Err(e) => panic!("probe: {e}"),
            }
        }
        let committed = Instant::now();
        let seen = p
            .wait_for(Duration::from_secs(10), |s| probe_line(s, word))
            .expect("the change reaches the screen");
        lat.push(ms_since(committed, seen));
        paused = !paused;
        std::thread::sleep(Duration::from_millis(50 + jitter() % 100));
    }
    if let Some(mut s) = sim.take() {
        let _ = s.kill();
        let _ = s.wait();
    }
    let _ = engine::act_on_id(&mut probe, &id, &Request::new(Action::Cancel, "perf"));
    p.quit();
    eprintln!(
        "change → screen {} {extra:?} writer {writer:?}: p50 {:.1} p99 {:.1} max {:.1} ms",
        bin.display(),
        pct(&lat, 50.0),
        pct(&lat, 99.0),
        pct(&lat, 100.0)
    );
    lat
}

/// The simulator is always the current build.
fn bin_of(a: &Args) -> &Path {
    &a.bin
}

/// `simulate --rate 0` ops/s with `n` dashboards attached, each holding the live set; and
/// the dashboards' CPU meanwhile (sum, % of a core) and the database server's (all of its
/// processes on this machine; 0 for SQLite).
fn writer_with(
    a: &Args,
    bin: &Path,
    extra: &[&str],
    db: &str,
    n: usize,
    live: usize,
) -> (f64, f64, f64) {
    let dashes: Vec<Pty> = (0..n).map(|_| spawn_dashboard(bin, extra, db)).collect();
    for p in &dashes {
        wait_loaded(p, live);
    }
    if a.checkpoint {
        checkpoint(db);
    }
    let ticks = |d: &[Pty]| d.iter().map(|p| cpu_ticks(p.pid())).sum::<u64>();
    let (c0, s0, t0) = (ticks(&dashes), server_ticks(), Instant::now());
    let secs = format!("{}s", a.writer_secs);
    let out = simulator(&a.bin, db, 0, &secs, 50)
        .output()
        .expect("run the simulator");
    let share = |ticks: u64| ticks as f64 / ticks_per_sec() / t0.elapsed().as_secs_f64() * 100.0;
    let (cpu, server) = (share(ticks(&dashes) - c0), share(server_ticks() - s0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("simulator JSON");
    for p in dashes {
        p.quit();
    }
    (v["ops_per_sec"].as_f64().unwrap_or(0.0), cpu, server)
}

struct Follow {
    committed: usize,
    printed: usize,
    writer_secs: f64,
    follower_secs: f64,
    lag_ms: f64,
}

/// `events --follow --json` while `simulate --rate 0` writes for `a.writer_secs`.
fn follow(a: &Args, db: &str) -> Follow {
    let (store, _) = Store::open(Target::parse(db), OpenMode::ReadOnly).expect("open");
    let mut cursor = store.feed_start().expect("feed start");
    let mut child = Command::new(&a.bin)
        .args(["--db", db, "events", "--follow", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start events --follow");
    let lines: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let out = child.stdout.take().expect("stdout");
    let seen = Arc::clone(&lines);
    let reader = std::thread::spawn(move || {
        for l in std::io::BufReader::new(out).lines() {
            if l.is_err() {
                break;
            }
            seen.lock().expect("lock").push(Instant::now());
        }
    });
    // What it prints first (the newest events already there) is not counted.
    std::thread::sleep(Duration::from_secs(2));
    let before = lines.lock().expect("lock").len();
    let start = Instant::now();
    let secs = format!("{}s", a.writer_secs);
    let out = simulator(&a.bin, db, 0, &secs, 50)
        .output()
        .expect("run the simulator");
    let end = Instant::now();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let mut committed = 0;
    loop {
        let (batch, next) = store.feed(&cursor, None, 10_000).expect("feed");
        cursor = next;
        committed += batch.len();
        if batch.is_empty() {
            break;
        }
    }
    // Wait (up to 30 s) for the follower to print as many.
    let deadline = Instant::now() + Duration::from_secs(30);
    while lines.lock().expect("lock").len() < before + committed && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(500));
    let _ = child.kill();
    let _ = child.wait();
    let _ = reader.join();
    let l = lines.lock().expect("lock");
    let printed = l.len() - before;
    let last = l
        .get(before + committed.min(printed).max(1) - 1)
        .copied()
        .unwrap_or(end);
    let lag_ms = if last > end { ms_since(end, last) } else { 0.0 };
    let f = Follow {
        committed,
        printed,
        writer_secs: v["elapsed_secs"]
            .as_f64()
            .unwrap_or_else(|| end.duration_since(start).as_secs_f64()),
        follower_secs: last.max(end).duration_since(start).as_secs_f64(),
        lag_ms,
    };
    eprintln!(
        "follow: {} committed, {} printed, writer {:.1} s, lag {:.0} ms, writer {:.0} ops/s",
        f.committed,
        f.printed,
        f.writer_secs,
        f.lag_ms,
        v["ops_per_sec"].as_f64().unwrap_or(0.0)
    );
    f
}
