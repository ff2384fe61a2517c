//! End-to-end time travel: the real binary in a pseudo-terminal, on both backends. `[`
//! shows the selected workflow as it was one event back, actions are refused while
//! travelling, Esc returns to live, and `d` opens the diff of its phase outputs.

mod common;

use common::backend::*;
use common::pty::Pty;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn travel_back_refuse_an_action_return_and_diff(b: Backend) {
    let db = TestDb::cli(b);
    db.start("tt-1");
    db.run(&["advance", "tt-1", "--output", r#"{"a": 1}"#])
        .code(0);
    db.run(&["rollback", "tt-1", "--reason", "redo"]).code(0);
    db.run(&["advance", "tt-1", "--output", r#"{"a": 2}"#])
        .code(0);
    let seqs: Vec<i64> = db
        .events("tt-1")
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    let arg = db.arg();
    let mut pty = Pty::spawn(
        &["--db", &arg, "--actor", "operator:e2e", "tui"],
        &[],
        120,
        36,
    );
    pty.wait_text("tt-1", WAIT);

    // One event back from now: right after the rollback, in discovery.
    pty.keys("[");
    let shown = pty.wait_text(&format!("as of #{}", seqs[2]), WAIT);
    assert!(shown.contains("phase_rolled_back"), "{shown}");
    pty.keys("a");
    pty.wait_text("read-only while travelling", WAIT);
    assert!(!pty.screen().contains("Advance: tt-1"), "no dialog opened");

    pty.keys("\x1b");
    pty.wait_for("the live detail", WAIT, |s| !s.contains("as of #"));

    // Now in planning again; its previous attempt ended with the rollback.
    pty.keys("d");
    // The title can reach the screen a moment before the lines below it.
    let diff = pty.wait_text("~ /discovery/a  1 → 2", WAIT);
    assert!(diff.contains("Diff: tt-1"), "{diff}");
    pty.keys("q");
    pty.wait_for("the diff to close", WAIT, |s| !s.contains("Diff: tt-1"));
    pty.keys("q");
    assert!(pty.wait_exit(WAIT), "baton exits 0 on q");
    // Nothing was written while travelling.
    assert_eq!(db.events("tt-1").len(), seqs.len());
}

both!(travel_back_refuse_an_action_return_and_diff);
