//! Another process holds the database lock for longer than baton's busy timeout. An action
//! fails with a message saying the database is locked and which operation gave up, and
//! changes nothing; the dashboard keeps drawing and answering keys, shows that the database
//! is busy, and resumes by itself when the lock goes away.

mod common;

use common::cli::*;
use common::pty::Pty;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// Holds the lock until a line arrives on stdin, then commits and says "released".
/// `write`: BEGIN IMMEDIATE (writers wait, readers do not, as WAL promises).
/// `exclusive`: locking_mode=EXCLUSIVE and a write, which shuts out readers too.
const HOLDER: &str = r#"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
if sys.argv[2] == "exclusive":
    c.execute("PRAGMA locking_mode = EXCLUSIVE")
    c.execute("BEGIN EXCLUSIVE")
    c.execute("INSERT INTO build_workflows (id, build_id, project_id, current_state, current_role)"
              " VALUES ('held-1', 'written-while-locked', 'p', 'discovery', 'q_assistant')")
    c.execute("INSERT INTO workflow_events (workflow_id, event_type) VALUES ('held-1', 'workflow_started')")
else:
    c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
c.execute("COMMIT")
c.execute("PRAGMA locking_mode = NORMAL")
c.execute("SELECT count(*) FROM build_workflows").fetchone()
print("released", flush=True)
sys.stdin.readline()
"#;

struct Holder {
    child: Child,
    stdin: ChildStdin,
    out: BufReader<std::process::ChildStdout>,
}

impl Holder {
    fn take(db: &Db, mode: &str) -> Holder {
        let mut child = Command::new("python3")
            .args(["-c", HOLDER, db.path_str(), mode])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        let stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "locked");
        Holder { child, stdin, out }
    }

    fn release(mut self) {
        writeln!(self.stdin).unwrap();
        let mut line = String::new();
        self.out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "released");
        drop(self.stdin);
        self.child.wait().unwrap();
    }
}

#[test]
fn an_action_on_a_locked_database_says_so_changes_nothing_and_works_once_released() {
    let db = Db::new();
    db.start("b1");
    let before = db.fingerprint("b1");
    let holder = Holder::take(&db, "write");

    let t = Instant::now();
    let r = db.run(&["--busy-timeout", "300", "advance", "b1"]);
    let waited = t.elapsed();
    let line = r.one_line_error(1, &["locked", "advance", "nothing was changed"]);
    assert!(
        waited >= Duration::from_millis(300),
        "gave up after {waited:?}: {line}"
    );
    // Reads still work while a writer holds the lock, and show nothing changed.
    assert_eq!(db.fingerprint("b1"), before);
    // BATON_BUSY_TIMEOUT says the same.
    let r = Run::from_output(
        baton(db.dir.path())
            .env("BATON_BUSY_TIMEOUT", "100")
            .args(["--db", db.path_str(), "pause", "b1"])
            .output()
            .unwrap(),
    );
    r.one_line_error(1, &["locked", "pause"]);

    holder.release();
    db.run(&["--busy-timeout", "300", "advance", "b1"]).code(0);
    assert_eq!(db.workflow("b1")["current_state"], "planning");
}

#[test]
fn a_lock_that_shuts_out_readers_is_reported_as_busy_not_as_a_broken_file() {
    let db = Db::new();
    db.start("b1");
    let holder = Holder::take(&db, "exclusive");
    for args in [
        &["list"][..],
        &["status", "b1"],
        &["doctor"],
        &["advance", "b1"],
    ] {
        let mut all = vec!["--busy-timeout", "200"];
        all.extend_from_slice(args);
        db.run(&all).one_line_error(1, &["locked", "Try again"]);
    }
    holder.release();
    let list = db.json(&["list", "--json"]);
    assert_eq!(
        list.as_array().unwrap().len(),
        2,
        "the holder's row is there now"
    );
    db.run(&["doctor"]).code(0);
}

fn header(screen: &str) -> String {
    screen.lines().next().unwrap_or_default().to_string()
}

#[test]
fn the_dashboard_shows_a_held_lock_keeps_answering_and_resumes_without_a_restart() {
    let db = Db::new();
    db.start("locked-1");
    let wait = Duration::from_secs(15);
    let mut pty = Pty::spawn(
        &[
            "--db",
            db.path_str(),
            "--busy-timeout",
            "300",
            "--actor",
            "operator:lock",
            "tui",
            "--poll-ms",
            "50",
        ],
        &[],
        120,
        36,
    );
    pty.wait_text("locked-1", wait);

    // A writer holds the lock: the action fails on screen, the header says busy.
    let holder = Holder::take(&db, "write");
    pty.keys("a");
    pty.wait_text("Advance: locked-1", wait);
    pty.keys("y");
    let s = pty.wait_text("locked by another process", wait);
    assert!(s.contains("advance"), "{s}");
    pty.wait_for("the header to say busy", wait, |s| {
        header(s).contains("busy")
    });
    assert_eq!(db.workflow("locked-1")["version"], 1, "nothing was written");
    // Still drawing and answering keys.
    pty.keys("?");
    pty.wait_text("Keys", wait);
    pty.keys("\x1b");
    pty.wait_for("help to close", wait, |s| !s.contains("Keys"));
    assert!(header(&pty.screen()).contains("busy"));

    // The lock goes away: the marker clears by itself and the same action now works.
    holder.release();
    pty.wait_for("the busy marker to clear", wait, |s| {
        !header(s).contains("busy")
    });
    pty.keys("a");
    pty.wait_text("Advance: locked-1", wait);
    pty.keys("y");
    // The event line appears only once the change is committed and read back.
    let screen = pty.wait_text("locked-1 by operator:lock", wait);
    assert_eq!(db.workflow("locked-1")["version"], 2, "{screen}");

    // A lock that would shut out readers cannot be taken while the dashboard is
    // connected (WAL keeps a shared lock on the file): readers are never blocked, and the
    // dashboard learns of a held write lock when it tries to write, as above.

    pty.keys("q");
    assert!(pty.wait_exit(wait));
    assert!(!pty.alternate_screen());
}
