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

const LEFT: &str = "\x1b[D";
const UP: &str = "\x1b[A";
const DOWN: &str = "\x1b[B";

fn rollback_target_is_fixed_before_the_reason_and_only_y_confirms(b: Backend) {
    let db = TestDb::cli(b);
    let w = db.start("e2e-rb");
    for _ in 0..3 {
        db.run(&["advance", "e2e-rb"]).code(0);
    }
    let mut pty = dashboard(&db, &[]);
    pty.wait_for("the row in testing", WAIT, |s| {
        s.lines()
            .any(|l| l.contains("e2e-rb") && l.contains("testing"))
    });
    pty.keys("b");
    pty.wait_text("▸ coding", WAIT);
    pty.keys(DOWN);
    pty.wait_text("▸ planning", WAIT);
    pty.keys("\r");
    pty.wait_text("reason:", WAIT);
    // A typo fixed with the arrows, which once moved the target (and wrapped around).
    pty.keys("spec chnged");
    pty.keys(&[LEFT, LEFT, LEFT, LEFT, UP, DOWN, "\t", "a"].concat());
    let s = pty.wait_text("reason: spec changed", WAIT);
    assert!(s.contains("to: planning"), "{s}");
    pty.keys("\r");
    pty.wait_text("y confirm", WAIT);
    pty.keys("\r");
    pty.wait_text("press y to roll back", WAIT);
    assert_eq!(db.workflow(&id(&w))["version"], 4, "Enter wrote nothing");
    pty.keys("y");
    pty.wait_text("roll back e2e-rb: now running in planning", WAIT);
    let last = db.events(&id(&w)).pop().expect("events");
    assert_eq!(last["event_type"], "phase_rolled_back");
    assert_eq!(last["event_data"]["reason"], "spec changed");
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

fn control_keys_edit_the_filter_and_ctrl_c_leaves_it_then_quits(b: Backend) {
    let db = TestDb::cli(b);
    db.start("e2e-alpha");
    db.start("e2e-beta");
    let mut pty = dashboard(&db, &[]);
    pty.wait_text("e2e-beta", WAIT);
    // The title counts the cursor's row / rows shown, and " of N" held when some are hidden.
    let all_shown = |s: &str| s.contains("/2 sort:") && !s.contains(" of 2");
    pty.keys("/zzz");
    pty.wait_text("0/0 of 2", WAIT);
    pty.keys("\x15"); // Ctrl-U: clears, types nothing
    let s = pty.wait_for("both rows again", WAIT, all_shown);
    assert!(!s.contains("zzz") && !s.contains("/u"), "{s}");
    pty.keys("beta zz\x17"); // Ctrl-W: the last word goes
    pty.wait_text("1/1 of 2", WAIT);
    pty.keys("\x03"); // Ctrl-C: leaves the field, clears it, does not quit
    pty.wait_for("both rows again", WAIT, all_shown);
    assert_eq!(pty.exited(), None, "Ctrl-C in the field did not quit");
    pty.keys("\x03");
    assert!(pty.wait_exit(WAIT), "outside a field Ctrl-C quits");
}

fn help_at_80x24_scrolls_to_every_key_and_closes_only_on_esc(b: Backend) {
    let db = TestDb::cli(b);
    db.start("e2e-help");
    let arg = db.arg();
    let mut pty = Pty::spawn(&["--db", arg.as_str(), "tui"], &[], 80, 24);
    pty.wait_text("e2e-help", WAIT);
    pty.keys("?");
    // Where it is, since it does not all fit: "1-22 of N".
    pty.wait_text("1-22 of ", WAIT);
    pty.keys("G");
    pty.wait_text("wheel", WAIT);
    pty.keys("k"); // scrolls back one line; help stays
    pty.wait_for("help scrolled back", WAIT, |s| {
        s.contains("Esc ? q close") && !s.contains("wheel ")
    });
    pty.keys("x"); // not a help key: help stays, nothing is asked
    std::thread::sleep(Duration::from_millis(200));
    assert!(pty.screen().contains("Esc ? q close"), "{}", pty.screen());
    pty.keys("gq");
    pty.wait_for("help to close", WAIT, |s| !s.contains("Esc ? q close"));
    assert_eq!(pty.exited(), None, "q closed help, did not quit");
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

fn y_copies_the_workflow_id_through_osc_52_and_m_releases_the_mouse(b: Backend) {
    use base64::Engine;
    let db = TestDb::cli(b);
    let w = db.start("e2e-yank");
    let mut pty = dashboard(&db, &[]);
    pty.wait_text("e2e-yank", WAIT);
    let wf = id(&w);
    pty.keys("y");
    pty.wait_text("copied workflow id", WAIT);
    let osc = format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(&wf)
    );
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert!(
        raw.contains(&osc),
        "no OSC 52 with the id {wf} in the output"
    );
    pty.keys("Yb");
    pty.wait_text("copied build id e2e-yank", WAIT);
    let osc = format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode("e2e-yank")
    );
    assert!(String::from_utf8_lossy(&pty.raw()).contains(&osc));
    let before = String::from_utf8_lossy(&pty.raw())
        .matches("\x1b[?1000l")
        .count();
    pty.keys("m");
    pty.wait_text("mouse off", WAIT);
    let after = String::from_utf8_lossy(&pty.raw())
        .matches("\x1b[?1000l")
        .count();
    assert_eq!(after, before + 1, "mouse capture turned off");
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

both!(
    clocks_tick_with_no_writes_and_a_finished_workflow_stops,
    y_copies_the_workflow_id_through_osc_52_and_m_releases_the_mouse,
    rollback_target_is_fixed_before_the_reason_and_only_y_confirms,
    control_keys_edit_the_filter_and_ctrl_c_leaves_it_then_quits,
    help_at_80x24_scrolls_to_every_key_and_closes_only_on_esc,
    select_advance_confirm_then_the_screen_and_the_database_agree,
    a_workflow_written_by_another_process_appears_on_screen,
    read_only_dashboard_refuses_actions_and_writes_nothing,
);
