//! Crash safety: writers — `baton simulate` and single CLI operations — are killed with
//! SIGKILL at random moments, hundreds of times, while they write. Afterwards the file is
//! sound (`PRAGMA integrity_check` on SQLite), `baton doctor` passes, and replaying each workflow's
//! events gives exactly its row, with one handoff and one checkpoint per transition: no
//! change was half-applied. `BATON_CRASH_SEED` replays a run's choices.

mod common;

use common::backend::*;
use common::cli::baton;
use common::replay;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Kills to make, and the time allowed for them (whichever comes first ends the loop).
const KILLS: usize = 800;
const BUDGET: Duration = Duration::from_secs(40);
const BUILDS: usize = 8;

/// xorshift64*: enough randomness for timing, reproducible from a printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn spawn(db: &TestDb, args: &[String]) -> Child {
    baton(db.dir.path())
        .arg("--db")
        .arg(db.arg())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn baton")
}

/// One CLI operation on a random workflow; most are refused or conflict, which is fine:
/// what matters is that whatever was under way when the kill came is all or nothing.
fn operation(rng: &mut Rng) -> Vec<String> {
    let build = format!("crash-{}", rng.below(BUILDS as u64));
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match rng.below(10) {
        0..=3 => s(&[
            "advance",
            &build,
            "--output",
            r#"{"ok": true, "note": "killed?"}"#,
        ]),
        4 => s(&["retry", &build]),
        5 => s(&["rollback", &build, "--reason", "crash test"]),
        6 => s(&["fail", &build, "--error", "boom"]),
        7 => s(&["pause", &build]),
        8 => s(&["resume", &build]),
        _ => s(&["start", "--project", "crash"]),
    }
}

fn sigkill_at_random_moments_never_leaves_a_half_applied_change(b: Backend) {
    let seed = std::env::var("BATON_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash test seed {seed} (BATON_CRASH_SEED={seed} replays the choices)");
    let mut rng = Rng(seed);
    let db = TestDb::cli(b);
    for i in 0..BUILDS {
        db.run(&[
            "start",
            "--project",
            "crash",
            "--build-id",
            &format!("crash-{i}"),
        ])
        .code(0);
    }

    // Kills land within a few times one operation's own duration, so that most come while
    // it writes: a PostgreSQL connection takes longer to set up than opening a file.
    // Kills land within a window that follows how long operations take here: it shrinks
    // when an operation finished before its kill and grows when the kill caught it, so
    // most kills come while a writer is at work whether it opens a file (SQLite, 10-30 ms)
    // or connects to a server (PostgreSQL, several times that, and more under load).
    let mut op_window: u64 = 30_000;
    // Each PostgreSQL operation costs several times a SQLite one (a connection per process),
    // so it gets fewer kills to make and more time to make them in; the bars below are the
    // same for both.
    let (wanted, budget) = match b {
        Backend::Sqlite => (KILLS, BUDGET),
        Backend::Postgres => (300, Duration::from_secs(90)),
    };
    let began = Instant::now();
    let (mut kills, mut killed_running) = (0usize, 0usize);
    let mut sims = 0u64;
    while kills < wanted && began.elapsed() < budget {
        // A simulator writing as fast as it can, and operations beside it.
        sims += 1;
        let batch = vec![spawn(
            &db,
            &[
                "simulate".into(),
                "--keep-alive".into(),
                "--workflows".into(),
                "4".into(),
                "--rate".into(),
                "0".into(),
                "--fail-rate".into(),
                "0.2".into(),
                "--stuck-rate".into(),
                "0.1".into(),
                "--seed".into(),
                sims.to_string(),
                "--actor".into(),
                format!("orchestrator:crash-{sims}"),
            ],
        )];
        // Operations, each killed at its own random moment (most take 10-30 ms on SQLite).
        for _ in 0..3 {
            let mut op = spawn(&db, &operation(&mut rng));
            std::thread::sleep(Duration::from_micros(rng.below(op_window)));
            if op.try_wait().expect("try_wait").is_none() {
                killed_running += 1;
                op_window = (op_window * 21 / 20).min(2_000_000);
            } else {
                op_window = (op_window * 4 / 5).max(5_000);
            }
            let _ = op.kill(); // SIGKILL
            let _ = op.wait();
            kills += 1;
        }
        std::thread::sleep(Duration::from_micros(rng.below(2 * op_window)));
        for mut child in batch {
            if child.try_wait().expect("try_wait").is_none() {
                killed_running += 1;
            }
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            kills += 1;
        }
    }
    eprintln!(
        "{kills} kills ({killed_running} while running) in {:.1}s; kill window now {} ms",
        began.elapsed().as_secs_f64(),
        op_window / 1000
    );
    assert!(kills >= 200, "only {kills} kills within the budget");
    assert!(
        killed_running >= 200,
        "only {killed_running} of {kills} writers were still running when killed"
    );

    // Everything a killed writer left behind is recovered by the next opener.
    if !b.is_pg() {
        // SQLite only: the file's own check (PostgreSQL's server checks run in doctor).
        assert_eq!(replay::integrity(&db.path), ["ok"]);
    }
    let doctor = db.run(&["doctor"]);
    assert_eq!(
        doctor.code, 0,
        "doctor after the kills:\n{}\n{}",
        doctor.stdout, doctor.stderr
    );
    let r = replay::replay_raw(&mut db.raw());
    assert!(
        r.problems.is_empty(),
        "half-applied changes:\n{}",
        r.problems.join("\n")
    );
    eprintln!(
        "{} workflows, {} events, {} transitions, all whole",
        r.workflows, r.events, r.transitions
    );
    assert!(
        r.events > 200,
        "the writers wrote little: {} events",
        r.events
    );
    // And the database still takes writes.
    db.run(&["start", "--project", "after", "--build-id", "after-crash"])
        .code(0);
    db.run(&["advance", "after-crash"]).code(0);
}

fn sigkill_during_migrate_leaves_a_database_that_migrate_finishes(b: Backend) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..30 {
        let db = TestDb::empty(b);
        let mut child = baton(db.dir.path())
            .arg("--db")
            .arg(db.arg())
            .arg("migrate")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(15_000)));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the kill left (nothing, an empty file, a half-made schema in an
        // uncommitted transaction), `baton migrate` completes it.
        db.run(&["migrate"]).code(0);
        db.run(&["migrate", "--verify"]).code(0);
        db.run(&["doctor"]).code(0);
    }
}

both!(
    sigkill_at_random_moments_never_leaves_a_half_applied_change,
    sigkill_during_migrate_leaves_a_database_that_migrate_finishes,
);
