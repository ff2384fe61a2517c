//! Whole-program measurement: the real `baton` binary in a pseudo-terminal on a database
//! with a million finished workflows (ten million events) and 50,000 live ones, each figure
//! printed next to its baseline from the same run.
//!
//! ```text
//! cargo build --release && cargo run --release --example perf -- --workflows 1000000
//! ```
//!
//! Databases are built once with `baton simulate --backfill` (in /tmp, reused on later
//! runs) and are not modified by the measurements, except for the probe workflow and the
//! simulator's workflows the latency and writer measurements add. See docs/PERFORMANCE.md.

mod pty;
mod push;
#[path = "../../benches/common/raw.rs"]
mod raw_ops;

use baton::engine::{self, Request};
use baton::model::{Action, NewWorkflow};
use baton::store::{OpenMode, Store};
use pty::Pty;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Args {
    workflows: usize,
    live: usize,
    bin: PathBuf,
    dir: PathBuf,
    rate: u32,
    samples: usize,
    /// `--push --db PATH|URL`: the live-update figures on that database (push.rs).
    push: bool,
    db: Option<String>,
    /// An older, polling build, for the push figures' baselines.
    baseline_bin: Option<PathBuf>,
    /// Another pushed build, measured with one dashboard beside `bin` in the writer rows.
    other_bin: Option<PathBuf>,
    /// `--checkpoint`: a checkpoint before each writer round.
    checkpoint: bool,
    dashboards: usize,
    writer_secs: u64,
    rounds: usize,
    /// `--push --writer-only`: only the writer-throughput rows.
    writer_only: bool,
}

fn args() -> Args {
    let mut a = Args {
        workflows: 1_000_000,
        live: 50_000,
        bin: std::env::current_exe()
            .ok()
            .and_then(|p| Some(p.parent()?.parent()?.join("baton")))
            .unwrap_or_else(|| PathBuf::from("target/release/baton")),
        dir: PathBuf::from("/tmp"),
        rate: 500,
        samples: 200,
        push: false,
        db: None,
        baseline_bin: None,
        other_bin: None,
        checkpoint: false,
        dashboards: 10,
        writer_secs: 20,
        rounds: 2,
        writer_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--workflows" => a.workflows = val().parse().expect("--workflows N"),
            "--live" => a.live = val().parse().expect("--live N"),
            "--bin" => a.bin = val().into(),
            "--dir" => a.dir = val().into(),
            "--rate" => a.rate = val().parse().expect("--rate OPS"),
            "--samples" => a.samples = val().parse().expect("--samples N"),
            "--push" => a.push = true,
            "--writer-only" => a.writer_only = true,
            "--db" => a.db = Some(val()),
            "--baseline-bin" => a.baseline_bin = Some(val().into()),
            "--other-bin" => a.other_bin = Some(val().into()),
            "--checkpoint" => a.checkpoint = true,
            "--dashboards" => a.dashboards = val().parse().expect("--dashboards N"),
            "--writer-secs" => a.writer_secs = val().parse().expect("--writer-secs S"),
            "--rounds" => a.rounds = val().parse().expect("--rounds N"),
            _ => panic!(
                "usage: perf [--workflows N] [--live N] [--bin PATH] [--dir DIR] [--rate OPS] [--samples N]\n       \
                 perf --push --db PATH|URL [--baseline-bin PATH] [--other-bin PATH] [--checkpoint] [--rate OPS] [--samples N] [--dashboards N] [--writer-secs S] [--rounds N] [--writer-only]"
            ),
        }
    }
    assert!(
        a.bin.exists(),
        "{} not found: run `cargo build --release` first, or pass --bin",
        a.bin.display()
    );
    a
}

fn main() {
    let a = args();
    if a.push {
        let db = a.db.clone().expect("--push needs --db PATH|URL");
        push::run(&a, &db);
        return;
    }
    let big = a
        .dir
        .join(format!("baton-perf-{}-{}.db", a.workflows, a.live));
    let small = a.dir.join(format!("baton-perf-0-{}.db", a.live));
    let built_big = ensure_db(&a, &big, a.workflows);
    let _ = ensure_db(&a, &small, 0);
    // Earlier runs' simulators leave live workflows behind: back to the planned live set.
    tidy(&big);
    tidy(&small);
    eprintln!("measuring on {} and {}", big.display(), small.display());

    let mut t = Table::default();
    if let Some(secs) = built_big {
        t.row(
            "backfill (simulate --backfill)",
            format!("{secs:.0} s"),
            "-".into(),
            "a few minutes",
            None,
        );
    }
    let big_m = dashboard(&a, &big);
    tidy(&big);
    let small_m = dashboard(&a, &small);
    tidy(&small);
    let ms = |d: f64| format!("{d:.1} ms");
    t.row(
        "first frame with data (launch → rows)",
        ms(big_m.first_frame),
        format!("{} (no history)", ms(small_m.first_frame)),
        "≤ 300 ms",
        Some(big_m.first_frame <= 300.0),
    );
    t.row(
        "first paint (launch → any output)",
        ms(big_m.first_paint),
        format!("{} (no history)", ms(small_m.first_paint)),
        "-",
        None,
    );
    t.row(
        "peak RSS (VmHWM)",
        format!("{:.1} MB", big_m.rss_peak_mb),
        format!("{:.1} MB (no history)", small_m.rss_peak_mb),
        "≤ 100 MB",
        Some(big_m.rss_peak_mb <= 100.0),
    );
    t.row(
        "CPU idle over 10 s",
        format!("{:.2} %", big_m.idle_cpu),
        format!("{:.2} % (no history)", small_m.idle_cpu),
        "≤ 0.5 %",
        Some(big_m.idle_cpu <= 0.5),
    );
    for (name, big_v, small_v) in [
        ("key j → redraw p50/p99", &big_m.nav, &small_m.nav),
        (
            "key Enter (zoom) → redraw p50/p99",
            &big_m.zoom,
            &small_m.zoom,
        ),
        (
            "filter keystroke → redraw p50/p99",
            &big_m.filter,
            &small_m.filter,
        ),
    ] {
        t.row(
            name,
            format!("{} / {}", ms(pct(big_v, 50.0)), ms(pct(big_v, 99.0))),
            format!(
                "{} / {} (no history)",
                ms(pct(small_v, 50.0)),
                ms(pct(small_v, 99.0))
            ),
            "≤ 16 ms",
            Some(pct(big_v, 99.0) <= 16.0),
        );
    }
    t.row(
        &format!("change → screen p50 ({} ops/s writer)", a.rate),
        ms(pct(&big_m.latency, 50.0)),
        format!("{} (no history)", ms(pct(&small_m.latency, 50.0))),
        "≤ 100 ms",
        Some(pct(&big_m.latency, 50.0) <= 100.0),
    );
    t.row(
        &format!("change → screen p99 ({} ops/s writer)", a.rate),
        ms(pct(&big_m.latency, 99.0)),
        format!("{} (no history)", ms(pct(&small_m.latency, 99.0))),
        "≤ 250 ms",
        Some(pct(&big_m.latency, 99.0) <= 250.0),
    );
    t.row(
        "dashboard CPU while the writer runs",
        format!("{:.1} %", big_m.busy_cpu),
        format!("{:.1} % (no history)", small_m.busy_cpu),
        "-",
        None,
    );

    let (alone, attached) = writer_cost(&a, &big);
    tidy(&big);
    t.row(
        "writer ops/s with the dashboard attached",
        format!("{attached:.0}"),
        format!("{alone:.0} alone ({:.2}×)", attached / alone),
        "≥ 0.95×",
        Some(attached / alone >= 0.95),
    );

    let (eng, raw) = advance_vs_raw(&a);
    t.row(
        "engine advance ops/s (synchronous=NORMAL)",
        format!("{eng:.0}"),
        format!("{raw:.0} raw rusqlite ({:.2}×)", eng / raw),
        "≥ 0.7×",
        Some(eng / raw >= 0.7),
    );

    for limit in [50_usize, 100_000] {
        let (b, s, rows) = list_vs_sqlite(&a, &big, limit);
        t.row(
            &format!("list --json --status running ({rows} rows)"),
            ms(b),
            format!("{} sqlite3 -json ({:.2}×)", ms(s), b / s),
            "≤ 1.5×",
            Some(b / s <= 1.5),
        );
    }
    println!();
    println!(
        "baton perf: {} finished + {} live workflows, {} cores",
        a.workflows,
        a.live,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    t.print("1M/10M db");
}

/// Cancels, through the engine, every live workflow the backfill did not write (build ids
/// `project-TTTTNNNNNNN`): the probe and the simulators' workflows of this or earlier runs.
fn tidy(db: &Path) {
    let ids: Vec<String> = {
        let c = rusqlite::Connection::open(db).expect("open for tidying");
        let mut stmt = c
            .prepare(
                "SELECT id, build_id FROM build_workflows
                 WHERE status IN ('running', 'paused', 'failed')",
            )
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .expect("query")
            .filter_map(Result::ok)
            .filter(|(_, b)| !backfilled(b))
            .map(|(id, _)| id)
            .collect()
    };
    if ids.is_empty() {
        return;
    }
    let (mut store, _) = Store::open(db, OpenMode::ReadWrite).expect("open");
    for id in &ids {
        let _ = engine::act_on_id(&mut store, id, &Request::new(Action::Cancel, "perf:tidy"));
    }
    eprintln!(
        "{}: cancelled {} workflows left by earlier runs",
        db.display(),
        ids.len()
    );
}

/// Whether a build id is one the backfill wrote (`project-TTTTNNNNNNN`).
fn backfilled(b: &str) -> bool {
    b.rsplit_once('-').is_some_and(|(_, t)| {
        t.len() == 11
            && t[..4].bytes().all(|c| c.is_ascii_hexdigit())
            && t[4..].bytes().all(|c| c.is_ascii_digit())
    })
}

/// Builds the database with `baton simulate --backfill` unless it exists; the seconds it took.
fn ensure_db(a: &Args, path: &Path, finished: usize) -> Option<f64> {
    if path.exists() {
        return None;
    }
    eprintln!(
        "building {} ({finished} finished, {} live)…",
        path.display(),
        a.live
    );
    let t = Instant::now();
    let status = Command::new(&a.bin)
        .args([
            "--db",
            &path.display().to_string(),
            "simulate",
            "--backfill",
        ])
        .arg(finished.to_string())
        .args(["--live", &a.live.to_string(), "--seed", "42"])
        .status()
        .expect("run baton simulate --backfill");
    assert!(status.success(), "backfill failed");
    Some(t.elapsed().as_secs_f64())
}

#[derive(Default)]
struct Dash {
    first_paint: f64,
    first_frame: f64,
    rss_peak_mb: f64,
    idle_cpu: f64,
    busy_cpu: f64,
    nav: Vec<f64>,
    zoom: Vec<f64>,
    filter: Vec<f64>,
    latency: Vec<f64>,
}

fn ms_since(t0: Instant, t1: Instant) -> f64 {
    t1.duration_since(t0).as_secs_f64() * 1000.0
}

/// `[all] 12/50200` in the table's title: the number of rows held.
fn rows_held(screen: &str) -> usize {
    screen
        .split("[all] ")
        .nth(1)
        .and_then(|s| s.split('/').nth(1))
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn dashboard(a: &Args, db: &Path) -> Dash {
    let mut d = Dash::default();
    let db_arg = db.display().to_string();
    let mut p = Pty::spawn(&a.bin, &["--db", &db_arg], 200, 60);
    let t0 = p.started;
    let shown = p
        .wait_for(Duration::from_secs(60), |s| rows_held(s) > 0)
        .expect("the dashboard shows its rows");
    d.first_frame = ms_since(t0, shown);
    d.first_paint = p.first_output().map_or(0.0, |t| ms_since(t0, t));
    eprintln!(
        "{}: first frame {:.0} ms",
        db.file_name().unwrap_or_default().display(),
        d.first_frame
    );
    // The idle window starts once the whole live set is held (it arrives in chunks after
    // the first frame) and the detail of the selected row has loaded.
    push::wait_loaded(&p, a.live);
    std::thread::sleep(Duration::from_millis(500));
    let pid = p.pid();

    // Idle: nothing writes, nothing is pressed.
    let c0 = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(10));
    d.idle_cpu = (cpu_ticks(pid) - c0) as f64 / ticks_per_sec() / 10.0 * 100.0;

    // Keys: each waits for a whole frame that differs (a terminal with synchronized
    // output shows nothing of a frame before its end).
    let press = |p: &mut Pty, k: &str| -> f64 {
        let before = p.frame();
        let t = Instant::now();
        p.keys(k);
        let at = p
            .wait_for_frame(Duration::from_secs(5), |s| s != before)
            .expect("the key redraws");
        // Let follow-up frames (the detail loading) land before the next key.
        std::thread::sleep(Duration::from_millis(30));
        ms_since(t, at)
    };
    for i in 0..40 {
        d.nav
            .push(press(&mut p, if i % 2 == 0 { "j" } else { "k" }));
    }
    for _ in 0..20 {
        d.zoom.push(press(&mut p, "\r"));
    }
    press(&mut p, "/");
    for _ in 0..10 {
        for k in ["a", "t", "l"] {
            d.filter.push(press(&mut p, k));
        }
        for _ in 0..3 {
            d.filter.push(press(&mut p, "\x7f"));
        }
    }
    press(&mut p, "\x1b");

    // Change → screen while a simulator writes at `rate` ops/s: a probe workflow, shown
    // alone by a filter, is paused and resumed by this process; each time, the moment its
    // commit returned to the moment the new status is on screen.
    let (mut probe, _) = Store::open(db, OpenMode::ReadWrite).expect("open for the probe");
    let tag = format!("probe-{}", std::process::id());
    let id = start_probe(&mut probe, &tag);
    p.keys(&format!("/{tag}\r"));
    let probe_line = |s: &str, word: &str| shows_probe(s, &tag, word);
    p.wait_for(Duration::from_secs(10), |s| probe_line(s, "running"))
        .expect("the probe is shown");
    let mut sim = Command::new(&a.bin)
        .args([
            "--db",
            &db_arg,
            "simulate",
            "--keep-alive",
            "--workflows",
            "300",
        ])
        .args([
            "--rate",
            &a.rate.to_string(),
            "--duration",
            "600s",
            "--seed",
            "9",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the simulator");
    std::thread::sleep(Duration::from_secs(2));
    let c0 = cpu_ticks(pid);
    let busy_t0 = Instant::now();
    let mut paused = false;
    let mut jitter = raw_ops_rng(a.samples as u64);
    for _ in 0..a.samples {
        let action = if paused {
            Action::Resume
        } else {
            Action::Pause
        };
        let word = if paused { "running" } else { "paused" };
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
        d.latency.push(ms_since(committed, seen));
        paused = !paused;
        // Probes at random moments relative to the dashboard's poll.
        std::thread::sleep(Duration::from_millis(50 + jitter() % 100));
    }
    d.busy_cpu =
        (cpu_ticks(pid) - c0) as f64 / ticks_per_sec() / busy_t0.elapsed().as_secs_f64() * 100.0;
    let _ = sim.kill();
    let _ = sim.wait();
    d.rss_peak_mb = proc_status_kb(pid, "VmHWM:") / 1024.0;
    eprintln!(
        "{}: latency p50 {:.0} ms p99 {:.0} ms, peak RSS {:.0} MB",
        db.file_name().unwrap_or_default().display(),
        pct(&d.latency, 50.0),
        pct(&d.latency, 99.0),
        d.rss_peak_mb
    );
    p.quit();
    d
}

fn raw_ops_rng(seed: u64) -> impl FnMut() -> u64 {
    let mut rng = baton::sim::Rng::new(seed);
    move || rng.next_u64()
}

/// The writer's throughput alone and with a dashboard attached, alternating twice. The
/// attached run starts once the dashboard holds the live set: at 500,000 live rows the
/// load takes 15 s, and a writer timed during it measures the load, not the attachment.
fn writer_cost(a: &Args, db: &Path) -> (f64, f64) {
    let db_arg = db.display().to_string();
    let run = || -> f64 {
        let out = Command::new(&a.bin)
            .args([
                "--db",
                &db_arg,
                "simulate",
                "--keep-alive",
                "--workflows",
                "50",
            ])
            .args(["--rate", "0", "--duration", "8s", "--json", "--seed", "5"])
            .stderr(std::process::Stdio::null())
            .output()
            .expect("run the simulator");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("simulator JSON");
        v["ops_per_sec"].as_f64().unwrap_or(0.0)
    };
    let (mut alone, mut attached) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        alone.push(run());
        let p = Pty::spawn(&a.bin, &["--db", &db_arg], 200, 60);
        push::wait_loaded(&p, a.live);
        attached.push(run());
        p.quit();
    }
    eprintln!("writer alone {alone:?} attached {attached:?}");
    (pct(&alone, 50.0), pct(&attached, 50.0))
}

/// `advance` through the engine and the same statements by hand, 2,000 each, on a fresh
/// database file (one connection, WAL, synchronous=NORMAL).
fn advance_vs_raw(a: &Args) -> (f64, f64) {
    let path = a
        .dir
        .join(format!("baton-perf-advance-{}.db", std::process::id()));
    let (mut store, _) = Store::open(&path, OpenMode::Create).expect("open");
    let mut conn = raw_ops::raw_connection(&path);
    let shape = &raw_ops::SHAPES[0];
    assert_eq!(shape.name, "advance");
    let mut n = 0;
    let mut prepare = |store: &mut Store| -> Vec<String> {
        (0..500)
            .map(|_| {
                n += 1;
                raw_ops::start(store, n)
            })
            .collect()
    };
    let (mut eng, mut raw) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let ids = prepare(&mut store);
        let t = Instant::now();
        for _ in 0..4 {
            for id in &ids {
                raw_ops::step(&mut store, id, raw_ops::Step::Advance);
            }
        }
        eng.push(2000.0 / t.elapsed().as_secs_f64());
        let ids = prepare(&mut store);
        let t = Instant::now();
        for _ in 0..4 {
            for id in &ids {
                raw_ops::raw(&mut conn, id, shape);
            }
        }
        raw.push(2000.0 / t.elapsed().as_secs_f64());
    }
    drop(store);
    drop(conn);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    (pct(&eng, 50.0), pct(&raw, 50.0))
}

/// Median wall time of `baton list --json --status running --limit L` and of `sqlite3 -json`
/// running the same query; and the number of rows.
fn list_vs_sqlite(a: &Args, db: &Path, limit: usize) -> (f64, f64, usize) {
    let db_arg = db.display().to_string();
    let sql = format!(
        "SELECT id, build_id, project_id, user_id, definition, current_state, current_role, \
         status, retry_count, max_retries, last_error, version, created_at, updated_at, \
         completed_at, heartbeat_at, state_entered_at FROM build_workflows \
         WHERE status = 'running' ORDER BY updated_at DESC, id LIMIT {limit}"
    );
    let time = |cmd: &mut Command| -> (f64, Vec<u8>) {
        let t = Instant::now();
        let out = cmd.output().expect("run");
        assert!(out.status.success(), "{cmd:?} failed");
        (t.elapsed().as_secs_f64() * 1000.0, out.stdout)
    };
    let (mut b, mut s) = (Vec::new(), Vec::new());
    let mut rows = 0;
    for _ in 0..9 {
        let (ms, out) = time(
            Command::new(&a.bin)
                .args(["--db", &db_arg, "list", "--json", "--status", "running"])
                .args(["--limit", &limit.to_string()]),
        );
        b.push(ms);
        rows = serde_json::from_slice::<Vec<serde_json::Value>>(&out).map_or(0, |v| v.len());
        let (ms, _) = time(Command::new("sqlite3").args(["-json", &db_arg, &sql]));
        s.push(ms);
    }
    (pct(&b, 50.0), pct(&s, 50.0), rows)
}

fn pct(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let i = ((p / 100.0) * (s.len() - 1) as f64).round() as usize;
    s[i.min(s.len() - 1)]
}

/// A process's command name and its /proc/PID/stat fields after it (field 3 first), as
/// numbers (0 where not one); `None` when the process is gone.
fn proc_stat(pid: u32) -> Option<(String, Vec<u64>)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; fields after it follow the last ')'.
    let (head, rest) = stat.rsplit_once(')')?;
    let name = head.split_once('(').map_or("", |(_, n)| n).to_string();
    Some((
        name,
        rest.split_whitespace()
            .map(|v| v.parse().unwrap_or(0))
            .collect(),
    ))
}

/// Fields `from..=to` of /proc/PID/stat (1-based, as `man proc` numbers them), summed.
fn stat_sum(fields: &[u64], from: usize, to: usize) -> u64 {
    (from..=to).filter_map(|i| fields.get(i - 3)).sum()
}

/// utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15).
fn cpu_ticks(pid: u32) -> u64 {
    proc_stat(pid).map_or(0, |(_, f)| stat_sum(&f, 14, 15))
}

/// CPU ticks of every PostgreSQL server process so far: the live ones' own, plus what the
/// postmaster has reaped from backends that already exited (its children's times), so a
/// backend that ends during a measurement still counts. 0 when no server runs here.
fn server_ticks() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(proc_stat)
        .filter(|(name, _)| name == "postgres")
        // utime, stime, cutime, cstime.
        .map(|(_, f)| stat_sum(&f, 14, 17))
        .sum()
}

fn ticks_per_sec() -> f64 {
    // CLK_TCK is 100 on Linux for every architecture this runs on.
    100.0
}

fn proc_status_kb(pid: u32, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[derive(Default)]
struct Table(Vec<[String; 5]>);

impl Table {
    fn row(
        &mut self,
        figure: &str,
        value: String,
        baseline: String,
        target: &str,
        ok: Option<bool>,
    ) {
        let met = match ok {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "",
        };
        self.0
            .push([figure.into(), value, baseline, target.into(), met.into()]);
    }

    fn print(&self, value: &str) {
        let head = ["figure", value, "baseline (same run)", "target", "met"];
        let mut w = head.map(|h| h.chars().count());
        for r in &self.0 {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |cells: [&str; 5]| {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c}{}", " ".repeat(w[i] - c.chars().count())))
                .collect();
            println!("| {} |", padded.join(" | "));
        };
        line(head);
        println!(
            "|{}|",
            w.iter()
                .map(|n| "-".repeat(n + 2))
                .collect::<Vec<_>>()
                .join("|")
        );
        for r in &self.0 {
            line([&r[0], &r[1], &r[2], &r[3], &r[4]]);
        }
    }
}

/// A probe workflow tagged `tag` (its build id), started through the engine; its id.
pub fn start_probe(store: &mut Store, tag: &str) -> String {
    let new = NewWorkflow {
        build_id: Some(tag.to_string()),
        project_id: "perf".into(),
        user_id: None,
        definition: "build".into(),
        metadata: serde_json::json!({}),
    };
    engine::start(store, &new, "perf", None)
        .expect("start the probe")
        .workflow
        .id
}

/// Whether `screen` shows the probe's table row with status `word`: its status column, not
/// an event line of the trail pane (an earlier `workflow_paused` stays there and would
/// match at once).
pub fn shows_probe(screen: &str, tag: &str, word: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains(tag) && l.contains(&format!(" {word} ")) && !l.contains("workflow_"))
}
