//! End-to-end: the event log as a place to work, in the real binary in a pseudo-terminal:
//! focused with Tab, an event opened with Enter (its fields and JSON on screen), and
//! followed with `w` to its workflow, which the table's filter hid (the detail shows it).

mod common;

use common::backend::*;
use common::cli::id;
use common::pty::Pty;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn an_event_is_opened_and_followed_to_its_workflow(b: Backend) {
    let db = TestDb::cli(b);
    db.start("e2e-one");
    let two = db.start("e2e-two");
    let arg = db.arg();
    let mut pty = Pty::spawn(&["--db", arg.as_str(), "tui"], &[], 120, 36);
    pty.wait_text("e2e-two", WAIT);

    // The table shows only e2e-one, so going to e2e-two must clear its filter.
    pty.keys("/e2e-one\r");
    pty.wait_for("the filter to leave one row", WAIT, |s| s.contains("1/2"));
    pty.keys("\t\t");
    pty.wait_text("Enter open", WAIT);
    // Following, the cursor is on the newest event: e2e-two's start.
    pty.keys("\r");
    let opened = pty.wait_text("Event #", WAIT);
    assert!(opened.contains("workflow_started"), "{opened}");
    assert!(opened.contains(&format!("{} (e2e-two)", id(&two))), "{opened}");
    assert!(opened.contains("\"phase\": \"discovery\""), "its data as pretty JSON: {opened}");
    pty.keys("\x1b");
    pty.wait_for("the event to close", WAIT, |s| !s.contains("Event #"));

    pty.keys("w");
    let screen = pty.wait_text("Detail: e2e-two", WAIT);
    assert!(screen.contains("filter `e2e-one` cleared to show e2e-two"), "{screen}");
    assert!(screen.contains("Handoffs"), "its history is read: {screen}");

    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

both!(an_event_is_opened_and_followed_to_its_workflow);
