//! Marks and the command palette in the real binary, on both backends: Space and `*`
//! gather workflows, one confirmation (count, sample, refusals) acts on all of them, each
//! with the reason in its event, and the rest are untouched; `:` moves between views and
//! jumps to a build by its id.

mod common;

use common::backend::*;
use common::pty::Pty;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn status(db: &TestDb, build: &str) -> String {
    let w = db.json(&["status", build, "--json"]);
    w["workflow"]["status"].as_str().unwrap().to_string()
}

fn marked_workflows_are_paused_together_with_the_reason(b: Backend) {
    let db = TestDb::cli(b);
    for build in ["mk-1", "mk-2", "mk-3", "mk-4", "other-1"] {
        db.start(build);
    }
    db.run(&["pause", "mk-4"]).code(0);
    let arg = db.arg();
    let mut pty = Pty::spawn(&["--db", &arg], &[], 120, 40);
    pty.wait_text("other-1", WAIT);
    // Filter to the mk- builds, mark them all, then unmark one by hand.
    pty.keys("/mk-\r");
    pty.wait_text("[all] 1/4", WAIT);
    pty.keys("*");
    pty.wait_text("4 marked", WAIT);
    pty.keys("\x1b"); // clear the filter: the marks stay
    pty.wait_text("[all] 1/5", WAIT);
    pty.wait_text("4 marked", WAIT);
    pty.keys("P");
    let dialog = pty.wait_text("Pause or resume 4 marked", WAIT);
    assert!(
        dialog.contains("4 marked: 3 would pause, 1 the rules refuse"),
        "{dialog}"
    );
    assert!(dialog.contains("refused 1: cannot pause"), "{dialog}");
    assert!(dialog.contains("(mk-4)"), "{dialog}");
    pty.keys("\r"); // pause, not resume
    pty.wait_text("type the reason", WAIT);
    pty.keys("runner pool drained\r");
    pty.wait_text("y confirm", WAIT);
    pty.keys("y");
    pty.wait_text("pause: 3 of 4 done · 1 refused (mk-4", WAIT);
    for build in ["mk-1", "mk-2", "mk-3"] {
        assert_eq!(status(&db, build), "paused", "{build}");
        let events = db.events(build);
        let last = events.last().unwrap();
        assert_eq!(last["event_type"], "workflow_paused");
        assert_eq!(last["event_data"]["reason"], "runner pool drained");
    }
    assert_eq!(status(&db, "other-1"), "running", "never marked");
    let screen = pty.screen();
    assert!(!screen.contains("marked:"), "the marks are spent: {screen}");
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

both!(marked_workflows_are_paused_together_with_the_reason);

fn the_palette_opens_views_and_jumps_to_a_build(b: Backend) {
    let db = TestDb::cli(b);
    for build in ["pal-1", "pal-2", "pal-3"] {
        db.start(build);
    }
    db.run(&["fail", "pal-2", "--error", "boom"]).code(0);
    let arg = db.arg();
    let mut pty = Pty::spawn(&["--db", &arg], &[], 120, 40);
    pty.wait_text("pal-3", WAIT);
    pty.keys(":faile");
    pty.wait_text("view: failed", WAIT); // completion offers the view
    pty.keys("\t\r"); // Tab takes its word
    pty.wait_text("[failed] 1/1", WAIT);
    pty.keys(":all\r");
    pty.wait_text("[all]", WAIT);
    pty.keys(":pal-3\r");
    pty.wait_for("the detail of pal-3", WAIT, |s| s.contains("Detail: pal-3"));
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

both!(the_palette_opens_views_and_jumps_to_a_build);
