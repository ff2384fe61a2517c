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
    pty.wait_for("the filter to leave one row", WAIT, |s| {
        s.contains("[all] 1/1 of 2")
    });
    pty.keys("\t\t");
    pty.wait_text("Enter open", WAIT);
    // Following, the cursor is on the newest event: e2e-two's start.
    pty.keys("\r");
    // Its data as pretty JSON (one key a line), below its fields.
    let opened = pty.wait_for("the event with its JSON", WAIT, |s| {
        s.contains("Event #") && s.contains("\"phase\": \"discovery\"")
    });
    assert!(opened.contains("workflow_started"), "{opened}");
    assert!(
        opened.contains(&format!("{} (e2e-two)", id(&two))),
        "{opened}"
    );
    pty.keys("\x1b");
    pty.wait_for("the event to close", WAIT, |s| !s.contains("Event #"));

    pty.keys("w");
    // Waited for whole (the footer is drawn last): the detail, its history, and the note
    // that the filter which hid it was cleared. A timeout fails the test.
    pty.wait_for("e2e-two's detail, and the cleared filter said", WAIT, |s| {
        s.contains("Detail: e2e-two")
            && s.contains("Handoffs")
            && s.contains("cleared filter `e2e-one` to show e2e-two")
    });

    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

both!(an_event_is_opened_and_followed_to_its_workflow);
