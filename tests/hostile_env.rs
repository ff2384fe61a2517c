//! A hostile environment: the database file missing, unreadable, read-only, a directory,
//! truncated, not SQLite, deleted or replaced under the dashboard; the disk full or failing
//! during an action; the terminal resized in bursts down to 1×1; SIGTERM and SIGHUP while
//! the dashboard is open. Every case ends in a clear message or a clean exit, never a
//! panic, a half-done write or a terminal left in raw mode.

mod common;

use common::cli::*;
use common::pty::Pty;
use common::replay;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// How to run baton as a user that file modes apply to: itself when not root; as `nobody`
/// through `setpriv` when root (root reads any file). `None` when neither works.
fn unprivileged() -> Option<Vec<String>> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let baton = env!("CARGO_BIN_EXE_baton").to_string();
    if !root {
        return Some(vec![baton]);
    }
    let ok = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| {
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([baton])
        .collect()
    })
}

fn run_as(cmd: &[String], args: &[&str]) -> Run {
    Run::from_output(
        Command::new(&cmd[0])
            .args(&cmd[1..])
            .args(args)
            .env_remove("BATON_DB")
            .output()
            .unwrap(),
    )
}

#[test]
fn missing_unreadable_and_read_only_files_get_clear_messages() {
    // Missing: every command, the dashboard included, says so and creates nothing.
    let db = Db::unmigrated();
    for args in [&["list"][..], &["tui"], &["advance", "x"], &["doctor"]] {
        db.run(args)
            .one_line_error(1, &["no database at", "baton migrate"]);
    }
    assert!(!db.path.exists());
    // A directory where the file should be.
    std::fs::create_dir(&db.path).unwrap();
    for args in [&["list"][..], &["tui"], &["migrate"]] {
        db.run(args).one_line_error(1, &["is a directory"]);
    }
    std::fs::remove_dir(&db.path).unwrap();

    let Some(user) = unprivileged() else {
        eprintln!(
            "SKIPPED the permission checks: running as root and `setpriv` cannot switch to \
             nobody, so file modes do not apply to this process"
        );
        return;
    };
    let db = Db::new();
    db.start("b1");
    chmod(db.dir.path(), 0o755);
    let p = db.path_str();
    // Unreadable: permission denied, named as such.
    chmod(&db.path, 0o000);
    let r = run_as(&user, &["--db", p, "list"]);
    r.one_line_error(1, &["permission denied", "owner and mode"]);
    // Readable but not writable, in a directory this user may not write either: reads
    // and writes say what is missing; nothing changes.
    chmod(&db.path, 0o644);
    let before = std::fs::read(&db.path).unwrap();
    let r = run_as(&user, &["--db", p, "advance", "b1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("read-only") || r.stderr.contains("directory"),
        "{}",
        r.stderr
    );
    let r = run_as(&user, &["--db", p, "--read-only", "list"]);
    assert!(
        r.code == 0 || r.stderr.contains("directory"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert_eq!(std::fs::read(&db.path).unwrap(), before);
    // In a directory it may write, a read-only file can be looked at with --read-only.
    chmod(db.dir.path(), 0o777);
    let r = run_as(&user, &["--db", p, "--read-only", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("b1"));
    let r = run_as(&user, &["--db", p, "advance", "b1"]);
    r.one_line_error(1, &["read-only"]);
    chmod(db.dir.path(), 0o700);
    assert_eq!(db.workflow("b1")["version"], 1);
}

#[test]
fn truncated_and_garbage_files_are_refused_unchanged() {
    let db = Db::new();
    for i in 0..20 {
        db.start(&format!("b{i}"));
    }
    common::store::checkpoint_wal(&db.path);
    let whole = std::fs::read(&db.path).unwrap();
    let mut header_then_junk = whole[..100].to_vec();
    header_then_junk.extend((0..20_000u32).map(|i| (i * 7919 % 251) as u8));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("cut inside the header", whole[..60].to_vec()),
        ("one page", whole[..4096].to_vec()),
        ("half", whole[..whole.len() / 2].to_vec()),
        ("all but a page", whole[..whole.len() - 4096].to_vec()),
        ("a SQLite header, then junk", header_then_junk),
        (
            "random bytes",
            (0..50_000u32).map(|i| (i * 31 % 256) as u8).collect(),
        ),
    ];
    for (what, bytes) in cases {
        std::fs::write(&db.path, &bytes).unwrap();
        for args in [
            &["list"][..],
            &["status", "b1"],
            &["advance", "b1"],
            &["doctor"],
        ] {
            let r = db.run(args);
            assert!(
                r.code != 0 || args[0] == "doctor",
                "{what}: `{args:?}` succeeded on a broken file"
            );
            assert!(!r.stderr.contains("panicked"), "{what}: {}", r.stderr);
            assert!(
                r.code == 0 || r.stderr.lines().count() == 1,
                "{what}: `{args:?}`: {}",
                r.stderr
            );
        }
        // A truncated database may open and fail its integrity check: doctor says so.
        let r = db.run(&["doctor"]);
        assert_ne!(
            r.code, 0,
            "{what}: doctor passed a broken file:\n{}",
            r.stdout
        );
        assert_eq!(
            std::fs::read(&db.path).unwrap(),
            bytes,
            "{what}: the file was modified"
        );
    }
}

/// Unmounts a tmpfs on drop (also when the test fails).
struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_during_an_action_writes_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=512k", "tmpfs"])
        .arg(&mnt)
        .output();
    let mounted = match mounted {
        Ok(o) if o.status.success() => Mount(mnt.clone()),
        other => {
            eprintln!(
                "SKIPPED the full-disk check: cannot mount a small tmpfs here ({other:?}); \
                 the I/O-error check below still runs"
            );
            return;
        }
    };
    let path = mnt.join("baton.db");
    let p = path.to_str().unwrap();
    run_in(dir.path(), &["--db", p, "migrate"]).code(0);
    run_in(
        dir.path(),
        &["--db", p, "start", "--project", "p", "--build-id", "b1"],
    )
    .code(0);
    // Keep a connection open (so the -wal and -shm files stay), empty the WAL, then fill
    // the disk: the next write has nowhere to go.
    let keeper = rusqlite::Connection::open(&path).unwrap();
    keeper
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let filler = mnt.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 4096];
        while f.write_all(&chunk).and_then(|_| f.sync_all()).is_ok() {}
    }
    let count = |sql: &str| -> i64 { keeper.query_row(sql, [], |r| r.get(0)).unwrap() };
    let before = (
        count("SELECT version FROM build_workflows"),
        count("SELECT count(*) FROM workflow_events"),
    );
    let r = run_in(
        dir.path(),
        &[
            "--db",
            p,
            "advance",
            "b1",
            "--output",
            &format!("{{\"big\": \"{}\"}}", "x".repeat(20_000)),
        ],
    );
    r.one_line_error(1, &["disk is full", "advance", "nothing was written"]);
    let after = (
        count("SELECT version FROM build_workflows"),
        count("SELECT count(*) FROM workflow_events"),
    );
    assert_eq!(before, after, "a refused write left rows behind");
    let ok: String = keeper
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // Space again: the same action works.
    std::fs::remove_file(&filler).unwrap();
    run_in(dir.path(), &["--db", p, "advance", "b1"]).code(0);
    drop(keeper);
    run_in(dir.path(), &["--db", p, "doctor"]).code(0);
    drop(mounted);
}

#[test]
fn an_io_error_during_an_action_writes_nothing_and_says_so() {
    // A file-size limit makes every write past it fail, as a failing disk would.
    let db = Db::new();
    db.start("b1");
    let keeper = rusqlite::Connection::open(&db.path).unwrap();
    keeper
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let before = db.fingerprint("b1");
    let script = format!(
        "ulimit -f 2; trap '' XFSZ; exec '{}' --db '{}' advance b1",
        env!("CARGO_BIN_EXE_baton"),
        db.path_str()
    );
    let r = Run::from_output(Command::new("bash").args(["-c", &script]).output().unwrap());
    r.one_line_error(1, &["advance", "nothing was written"]);
    assert_eq!(db.fingerprint("b1"), before);
    drop(keeper);
    assert_eq!(replay::integrity(&db.path), ["ok"]);
    db.run(&["advance", "b1"]).code(0);
    db.run(&["doctor"]).code(0);
}

fn dashboard(db: &Db, cols: u16, rows: u16) -> Pty {
    Pty::spawn(
        &[
            "--db",
            db.path_str(),
            "--actor",
            "operator:env",
            "tui",
            "--poll-ms",
            "50",
        ],
        &[],
        cols,
        rows,
    )
}

#[test]
fn the_dashboard_survives_its_file_being_deleted_and_replaced() {
    let db = Db::new();
    db.start("first-db");
    let mut pty = dashboard(&db, 120, 36);
    pty.wait_text("first-db", WAIT);

    // Deleted: the last data stays, the header says so, actions are refused.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.path_str()));
    }
    pty.wait_text("is gone", WAIT);
    assert!(pty.screen().contains("first-db"));
    pty.keys("a");
    pty.wait_text("Advance: first-db", WAIT);
    pty.keys("y");
    pty.wait_text("nothing was written", WAIT);

    // Replaced by something that is not a database: said so, still running.
    std::fs::write(&db.path, b"not a database at all, just text").unwrap();
    pty.wait_text("cannot be opened", WAIT);
    assert!(pty.exited().is_none());

    // Replaced by another database: it is opened and shown, without a restart.
    std::fs::remove_file(&db.path).unwrap();
    db.run(&["migrate"]).code(0);
    db.start("second-db");
    pty.wait_text("second-db", WAIT);
    pty.wait_for("the old rows to go", WAIT, |s| !s.contains("first-db"));
    pty.wait_for("the problem to clear", WAIT, |s| {
        !s.lines().next().unwrap_or("").contains("gone")
    });
    pty.keys("a");
    pty.wait_text("Advance: second-db", WAIT);
    pty.keys("y");
    pty.wait_text("second-db by operator:env", WAIT);
    assert_eq!(db.workflow("second-db")["version"], 2);
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

#[test]
fn rapid_resizes_down_to_one_by_one_never_break_the_dashboard() {
    let db = Db::new();
    for i in 0..30 {
        db.start(&format!("size-{i:02}"));
    }
    let mut pty = dashboard(&db, 100, 30);
    pty.wait_text("size-", WAIT);
    let mut x = 0x2545_f491u64;
    for burst in 0..6 {
        for _ in 0..40 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let (c, r) = ((x % 320) as u16 + 1, ((x >> 20) % 90) as u16 + 1);
            pty.resize(c, r);
        }
        pty.resize(1, 1);
        pty.keys("j");
        pty.resize(2, 1);
        pty.resize(1, 3);
        if burst % 2 == 0 {
            pty.keys("\t");
        }
        std::thread::sleep(Duration::from_millis(30));
        assert!(pty.exited().is_none(), "died during resize burst {burst}");
    }
    pty.resize(20, 5);
    pty.wait_text("too small", WAIT);
    pty.resize(100, 30);
    let s = pty.wait_for("a full redraw at 100x30", WAIT, |s| {
        s.contains("Workflows") && s.contains("Events") && s.contains("size-")
    });
    assert!(!s.contains("too small"), "{s}");
    pty.keys("q");
    assert!(pty.wait_exit(WAIT), "exits 0 after the bursts");
    assert!(!pty.alternate_screen());
}

#[test]
fn sigterm_and_sighup_restore_the_terminal_and_leave_no_half_write() {
    for sig in ["TERM", "HUP", "INT"] {
        let db = Db::new();
        db.start("sig-1");
        let mut pty = dashboard(&db, 100, 30);
        pty.wait_text("sig-1", WAIT);
        assert!(pty.alternate_screen());
        // An action confirmed, and the signal right behind it.
        pty.keys("a");
        pty.wait_text("Advance: sig-1", WAIT);
        pty.keys("y");
        pty.signal(sig);
        // The normal way out, then the exit status a shell expects: 128 + the signal.
        let code = pty.wait_exit_code(WAIT);
        let expected = match sig {
            "TERM" => 143,
            "HUP" => 129,
            _ => 130,
        };
        assert_eq!(code, expected, "SIG{sig}: exit status");
        assert!(
            !pty.alternate_screen(),
            "SIG{sig}: the terminal was restored"
        );
        let v = db.workflow("sig-1")["version"].as_i64().unwrap();
        assert!(v == 1 || v == 2, "SIG{sig}: version {v}");
        let r = replay::replay(&db.path);
        assert!(r.problems.is_empty(), "SIG{sig}: {:?}", r.problems);
        db.run(&["doctor"]).code(0);
    }
}

/// A panic in the middle of a frame (debug builds: `BATON_DEBUG_PANIC=draw`) leaves a
/// terminal as it was: out of the alternate screen, the synchronized update the frame
/// began ended, the cursor shown, and nothing of the half-drawn frame after the report.
#[test]
fn a_panic_inside_a_frame_leaves_the_terminal_usable() {
    let db = Db::new();
    db.start("crash-1");
    let mut pty = Pty::spawn(
        &["--db", db.path_str(), "tui"],
        &[("BATON_DEBUG_PANIC", "draw"), ("RUST_BACKTRACE", "0")],
        100,
        30,
    );
    assert_eq!(pty.wait_exit_code(WAIT), 101, "a panic's exit status");
    assert!(!pty.alternate_screen(), "out of the alternate screen");
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    let begun = raw.rfind("\x1b[?2026h");
    let ended = raw.rfind("\x1b[?2026l");
    assert!(
        begun.is_none() || ended > begun,
        "a synchronized update left begun:\n{raw:?}"
    );
    assert!(
        raw.rfind("\x1b[?25h") > raw.rfind("\x1b[?25l"),
        "the cursor left hidden:\n{raw:?}"
    );
    let report = raw
        .find("BATON_DEBUG_PANIC asked for a panic inside a frame")
        .expect("the report");
    let after = &raw[report..];
    assert!(
        !after.contains("Workflows") && !after.contains("crash-1"),
        "the half-drawn frame came after the report:\n{after:?}"
    );
}
