//! Soak under contention. For `BATON_SOAK_SECS` seconds (60 by default; `tests/soak.sh 10m`
//! runs a long one), all at once on one database:
//! - two `baton simulate` processes driving workflows as fast as their rate allows,
//! - an outside writer using plain SQL from Python (`tests/soak_writer.py`, no baton code),
//! - an operator running CLI actions, half of them with a deliberately stale
//!   `--expect-version`,
//! - the dashboard in a pseudo-terminal with keys pressed all the time (moving, filtering,
//!   sorting, switching views, opening and answering confirmations).
//!
//! Afterwards: every stale action was refused with exit 4; no other action failed for any
//! reason but a conflict or a refused transition; the dashboard never died and quits
//! cleanly; `PRAGMA integrity_check` and `baton doctor` pass; and replaying each workflow's
//! events gives exactly its row (no lost update) with its handoffs and checkpoints.

mod common;

use common::cli::*;
use common::pty::Pty;
use common::replay;
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn secs() -> u64 {
    std::env::var("BATON_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60)
}

fn simulator(db: &Db, name: &str, seed: u64, secs: u64) -> Child {
    baton(db.dir.path())
        .args([
            "--db",
            db.path_str(),
            "--actor",
            &format!("orchestrator:{name}"),
        ])
        .args([
            "simulate",
            "--keep-alive",
            "--workflows",
            "12",
            "--rate",
            "60",
        ])
        .args(["--fail-rate", "0.1", "--stuck-rate", "0.05", "--json"])
        .args([
            "--seed",
            &seed.to_string(),
            "--duration",
            &format!("{secs}s"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn simulator")
}

/// What the CLI operator did.
#[derive(Debug, Default)]
struct Operator {
    stale: u64,
    stale_refused: u64,
    fresh_ok: u64,
    fresh_refused: u64,
    failures: Vec<String>,
}

/// xorshift64*, seeded per run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

fn operate(db: &Db, stop: &AtomicBool, seed: u64) -> Operator {
    let mut rng = Rng(seed | 1);
    let mut op = Operator::default();
    while !stop.load(Ordering::Relaxed) {
        let list = db.run(&["list", "--limit", "40", "--json"]);
        if list.code != 0 {
            op.failures
                .push(format!("list exited {}: {}", list.code, list.stderr));
            continue;
        }
        let rows = list.json();
        let rows = rows.as_array().cloned().unwrap_or_default();
        if rows.is_empty() {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        let w = &rows[rng.below(rows.len() as u64) as usize];
        let build = w["build_id"].as_str().unwrap_or_default().to_string();
        let version = w["version"].as_i64().unwrap_or(1);
        let verb = ["pause", "resume", "advance", "retry"][rng.below(4) as usize];
        let stale = version >= 2 && rng.below(2) == 0;
        let expect = if stale { version - 1 } else { version };
        let r = db.run(&[verb, &build, "--expect-version", &expect.to_string()]);
        if stale {
            op.stale += 1;
            if r.code == 4 && r.stderr.contains("conflict") {
                op.stale_refused += 1;
            } else {
                op.failures.push(format!(
                    "stale `{verb} {build} --expect-version {expect}` exited {}: {}{}",
                    r.code, r.stdout, r.stderr
                ));
            }
        } else {
            match r.code {
                0 => op.fresh_ok += 1,
                // Someone moved first, or the rules refuse this move in this state.
                4 => op.fresh_refused += 1,
                c => op.failures.push(format!(
                    "`{verb} {build} --expect-version {expect}` exited {c}: {}",
                    r.stderr
                )),
            }
        }
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    op
}

/// Keys an operator presses; `a`/`r`/`x` open confirmations answered by `y` or `n`.
const KEYS: &[&str] = &[
    "j",
    "j",
    "k",
    "g",
    "G",
    "\t",
    "\x1b[Z",
    "s",
    "1",
    "2",
    "3",
    "4",
    "f",
    "e",
    "?",
    "\x1b",
    "/py\r",
    "/status:running\r",
    "\x1b",
    "\x1b[6~",
    "\x1b[5~",
    "\r",
    "\r",
    "a",
    "n",
    "a",
    "y",
    "x",
    "n",
    "r",
    "n",
    "A",
    "n",
    "R",
];

#[test]
fn two_simulators_an_outside_writer_an_operator_and_the_dashboard_lose_nothing() {
    let secs = secs();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    eprintln!("soak for {secs}s (seed {seed})");
    let db = Db::new();
    let began = Instant::now();

    let mut sims = vec![
        simulator(&db, "sim-a", seed, secs),
        simulator(&db, "sim-b", seed.wrapping_add(1), secs),
    ];
    let python = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/soak_writer.py"))
        .arg(&db.path)
        .arg(secs.to_string())
        .arg(seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs the outside writer");
    let mut pty = Pty::spawn(
        &[
            "--db",
            db.path_str(),
            "--actor",
            "operator:soak-dashboard",
            "tui",
        ],
        &[],
        120,
        36,
    );
    pty.wait_text("Workflows", Duration::from_secs(20));

    let stop = Arc::new(AtomicBool::new(false));
    let operator = {
        let stop = Arc::clone(&stop);
        let path = db.path.clone();
        std::thread::spawn(move || {
            // A second handle on the same file for the operator's CLI runs.
            let db = Db {
                dir: tempfile::tempdir().unwrap(),
                path,
            };
            operate(&db, &stop, seed)
        })
    };

    let mut rng = Rng(seed ^ 0x5eed);
    let mut keys = 0u64;
    let mut refreshes = std::collections::BTreeSet::new();
    let deadline = began + Duration::from_secs(secs);
    while Instant::now() < deadline {
        pty.keys(KEYS[rng.below(KEYS.len() as u64) as usize]);
        keys += 1;
        std::thread::sleep(Duration::from_millis(40 + rng.below(80)));
        if let Some(ok) = pty.exited() {
            panic!(
                "the dashboard died (success: {ok}) after {:?}; screen:\n{}",
                began.elapsed(),
                pty.screen()
            );
        }
        let screen = pty.screen();
        assert!(!screen.contains("panicked"), "{screen}");
        if let Some(t) = screen.lines().next().and_then(|l| l.split('↻').nth(1)) {
            refreshes.insert(t.trim().chars().take(8).collect::<String>());
        }
    }
    stop.store(true, Ordering::Relaxed);
    let op = operator.join().expect("operator thread");

    let mut sim_reports = Vec::new();
    for s in sims.drain(..) {
        let out = s.wait_with_output().expect("simulator");
        assert!(
            out.status.success(),
            "a simulator failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("simulator JSON report");
        sim_reports.push(v);
    }
    let out = python.wait_with_output().expect("python writer");
    assert!(
        out.status.success(),
        "the outside writer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let py: Value = serde_json::from_str(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or("{}"),
    )
    .expect("writer summary");

    // The dashboard is alive and kept refreshing; it leaves cleanly.
    assert!(pty.exited().is_none(), "the dashboard died at the end");
    assert!(
        refreshes.len() >= 3,
        "the header's refresh time barely moved: {refreshes:?}"
    );
    pty.keys("\x1b\x1b\x1b");
    std::thread::sleep(Duration::from_millis(200));
    pty.keys("q");
    if !pty.wait_exit(Duration::from_secs(20)) {
        // `q` may have landed in a dialog or the filter line; the next one quits.
        pty.keys("\x1bq");
    }
    assert!(!pty.alternate_screen(), "the terminal was restored");

    let integrity = replay::integrity(&db.path);
    let doctor = db.run(&["doctor"]);
    let r = replay::replay(&db.path);
    let sim_ops: i64 = sim_reports
        .iter()
        .map(|v| v["ops"].as_i64().unwrap_or(0))
        .sum();
    let sim_conflicts: i64 = sim_reports
        .iter()
        .map(|v| v["conflicts"].as_i64().unwrap_or(0))
        .sum();
    eprintln!(
        "soak {secs}s: simulators {sim_ops} ops ({sim_conflicts} conflicts); outside writer {py}; \
         operator: {} stale refused of {}, {} fresh applied, {} fresh refused; dashboard: {keys} keys, \
         {} distinct refresh times; database: {} workflows, {} events, {} transitions",
        op.stale_refused,
        op.stale,
        op.fresh_ok,
        op.fresh_refused,
        refreshes.len(),
        r.workflows,
        r.events,
        r.transitions
    );
    assert!(
        op.failures.is_empty(),
        "operator failures:\n{}",
        op.failures.join("\n")
    );
    assert!(op.stale >= 5, "too few stale actions tried: {}", op.stale);
    assert_eq!(op.stale_refused, op.stale, "every stale action is refused");
    assert_eq!(integrity, ["ok"]);
    assert_eq!(
        doctor.code, 0,
        "doctor:\n{}\n{}",
        doctor.stdout, doctor.stderr
    );
    assert!(
        r.problems.is_empty(),
        "lost or half-applied updates:\n{}",
        r.problems.join("\n")
    );
    assert!(sim_ops > 0 && py["advanced"].as_i64().unwrap_or(0) > 0);
}
