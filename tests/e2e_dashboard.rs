//! End-to-end: the real `baton` binary in a pseudo-terminal on a temp database, driven by
//! key presses, checked on screen and in the database.

mod common;

use common::backend::*;
use common::cli::id;
use common::pty::Pty;
use std::process::Command;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn dashboard(db: &TestDb, extra: &[&str]) -> Pty {
    let arg = db.arg();
    let mut args = vec!["--db", arg.as_str(), "--actor", "operator:e2e"];
    args.extend_from_slice(extra);
    args.push("tui");
    Pty::spawn(&args, &[], 120, 36)
}

fn select_advance_confirm_then_the_screen_and_the_database_agree(b: Backend) {
    let db = TestDb::cli(b);
    db.start("e2e-first");
    let target = db.start("e2e-target");
    let mut pty = dashboard(&db, &[]);
    pty.wait_text("e2e-target", WAIT);

    // Filter down to the target, so the selection is certain, then advance it.
    pty.keys("/e2e-target\r");
    pty.wait_for("the filter to leave one row", WAIT, |s| s.contains("1/2"));
    pty.keys("a");
    let dialog = pty.wait_text("Advance: e2e-target", WAIT);
    assert!(
        dialog.contains("from discovery (q_assistant) to planning (q_assistant)"),
        "{dialog}"
    );
    pty.keys("y");
    // The footer reports the committed result; then the row itself shows the new phase
    // (the dialog, which also names both phases, is gone by then).
    pty.wait_text("advance e2e-target: now running in planning (v2)", WAIT);
    pty.wait_for("the row to show planning", WAIT, |s| {
        !s.contains("Advance: e2e-target")
            && s.lines()
                .any(|l| l.contains("e2e-target") && l.contains("planning") && l.contains("1/6"))
    });

    let w = db.workflow(&id(&target));
    assert_eq!(w["current_state"], "planning");
    assert_eq!(w["version"], 2);
    let events = db.events(&id(&target));
    let last = events.last().expect("events");
    assert_eq!(last["event_type"], "phase_advanced");
    assert_eq!(last["triggered_by"], "operator:e2e");
    // The other workflow was not touched.
    assert_eq!(db.workflow("e2e-first")["version"], 1);

    pty.keys("q");
    assert!(pty.wait_exit(WAIT), "baton exits 0 on q");
    assert!(
        !pty.alternate_screen(),
        "the terminal left the alternate screen"
    );
}

fn a_workflow_written_by_another_process_appears_on_screen(b: Backend) {
    let db = TestDb::cli(b);
    db.start("e2e-existing");
    let pty = dashboard(&db, &[]);
    pty.wait_text("e2e-existing", WAIT);

    // Another process, not baton's code: the database's own shell, writing plain SQL.
    let sql = "INSERT INTO build_workflows (build_id, project_id, current_state, \"current_role\") \
               VALUES ('outside-7', 'elsewhere', 'coding', 'code_writer');";
    let (shell, args) = match b {
        Backend::Sqlite => ("sqlite3", vec![db.arg(), sql.to_string()]),
        Backend::Postgres => (
            "psql",
            vec![
                db.arg(),
                "-v".into(),
                "ON_ERROR_STOP=1".into(),
                "-c".into(),
                sql.into(),
            ],
        ),
    };
    let out = Command::new(shell)
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("run {shell}: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let screen = pty.wait_text("outside-7", Duration::from_secs(5));
    assert!(
        screen
            .lines()
            .any(|l| l.contains("outside-7") && l.contains("coding")),
        "{screen}"
    );
}

fn read_only_dashboard_refuses_actions_and_writes_nothing(b: Backend) {
    let db = TestDb::cli(b);
    let w = db.start("e2e-ro");
    let mut pty = dashboard(&db, &["--read-only"]);
    pty.wait_text("e2e-ro", WAIT);
    let screen = pty.screen();
    assert!(
        screen.contains(" RO "),
        "no RO mark in the header:\n{screen}"
    );
    pty.keys("a");
    pty.wait_text("read-only: actions are disabled", WAIT);
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
    assert_eq!(db.workflow(&id(&w))["version"], 1);
}

/// The table row of `build` on screen (not a pane title, nor the detail pane beside it),
/// without the selection mark.
fn row_of(screen: &str, build: &str) -> Option<String> {
    screen
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| l.split("││").next().unwrap_or(l))
        .find(|l| l.contains(build))
        .map(|l| l.replace('▶', " "))
}

/// The header's clock, `HH:MM:SS UTC`.
fn clock_of(screen: &str) -> Option<String> {
    let header = screen.lines().next()?;
    let at = header.find(" UTC")?;
    header.get(at.checked_sub(5)?..at).map(str::to_string)
}

fn clocks_tick_with_no_writes_and_a_finished_workflow_stops(b: Backend) {
    let db = TestDb::cli(b);
    db.start("e2e-live");
    db.start("e2e-done");
    let pty = dashboard(&db, &[]);
    let first = pty.wait_for("the header clock", WAIT, |s| clock_of(s).is_some());
    let clock = clock_of(&first).expect("clock");
    // The time now, to the minute (so an idle screen of old rows wakes once a minute).
    let utc = chrono::Utc::now();
    let minutes = [
        utc - chrono::Duration::minutes(1),
        utc,
        utc + chrono::Duration::minutes(1),
    ]
    .map(|t| t.format("%H:%M").to_string());
    assert!(minutes.contains(&clock), "header clock {clock}, now {utc}");
    // Nothing writes from here on: the durations still move.

    db.run(&["cancel", "e2e-done", "--reason", "e2e"]).code(0);
    let done = pty.wait_for("the cancelled row", WAIT, |s| {
        row_of(s, "e2e-done").is_some_and(|r| r.contains("cancelled"))
    });
    let frozen = row_of(&done, "e2e-done").expect("row");
    let live = row_of(&done, "e2e-live").expect("row");
    let ticked = pty.wait_for("the live row's time in phase to move", WAIT, |s| {
        row_of(s, "e2e-live").is_some_and(|r| r != live)
    });
    let live = row_of(&ticked, "e2e-live").expect("row");
    let later = pty.wait_for("it to move again", WAIT, |s| {
        row_of(s, "e2e-live").is_some_and(|r| r != live)
    });
    assert_eq!(
        row_of(&later, "e2e-done").as_deref(),
        Some(frozen.as_str()),
        "a cancelled workflow's IN PHASE and AGE stop at its end:\n{later}"
    );
}

both!(
    clocks_tick_with_no_writes_and_a_finished_workflow_stops,
    select_advance_confirm_then_the_screen_and_the_database_agree,
    a_workflow_written_by_another_process_appears_on_screen,
    read_only_dashboard_refuses_actions_and_writes_nothing,
);
