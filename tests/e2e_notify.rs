//! `--notify` in the real binary: a workflow that becomes stuck while the dashboard runs
//! rings the bell and sends one desktop notification (OSC 9 and OSC 777) for the episode,
//! however long it stays stuck; what was stuck before the dashboard opened is not announced.

mod common;

use common::backend::*;
use common::pty::Pty;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

fn a_new_stuck_episode_is_announced_once(b: Backend) {
    let db = TestDb::cli(b);
    // A handoff into b is stuck after a second.
    db.add_definition(
        "n",
        r#"{"name": "n", "phases": [{"name": "a", "role": "ra"},
            {"name": "b", "role": "rb", "handoff_timeout_secs": 1}]}"#,
    );
    let start = |build: &str| {
        db.start_in("n", build);
    };
    // Stuck before the dashboard opens.
    start("old-1");
    db.run(&["advance", "old-1"]).code(0);
    std::thread::sleep(Duration::from_millis(1200));
    start("new-1");
    let arg = db.arg();
    let mut pty = Pty::spawn(&["--db", &arg, "--notify"], &[], 160, 40);
    pty.wait_text("new-1", WAIT);
    pty.wait_text("! stuck 1", WAIT);
    // Handed over now: stuck a second later, with no write in between.
    db.run(&["advance", "new-1"]).code(0);
    pty.wait_text("! stuck 2", WAIT);
    pty.wait_text("new-1 in b: handoff to rb unacknowledged", WAIT);
    // Stuck for a few more seconds: the clock ticks, nothing more is announced.
    std::thread::sleep(Duration::from_secs(3));
    let raw = pty.raw();
    assert_eq!(count(&raw, b"\x1b]9;baton: new-1 stuck: "), 1);
    assert_eq!(count(&raw, b"\x1b]777;notify;baton: new-1 stuck;"), 1);
    assert_eq!(count(&raw, b"old-1 stuck"), 0, "stuck before it opened");
    assert!(raw.contains(&0x07));
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

both!(a_new_stuck_episode_is_announced_once);
