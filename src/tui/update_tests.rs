//! Unit tests of `update`: navigation, filtering, sorting, every confirmation flow, read-only
//! refusals and the conflict path. No terminal, no database.

use super::app::{Level, Overlay, QuickView, SortKey};
use super::confirm::Stage;
use super::msg::{Cmd, Msg};
use super::pane::{self, detail, events, workflows};
use super::testing::{self, app};
use super::update::update;
use crate::model::{Action, Status};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut super::app::App, code: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut super::app::App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn selected_build(app: &super::app::App) -> String {
    app.selected_row()
        .map(|r| r.wf.build_id().to_string())
        .unwrap_or_default()
}

#[test]
fn default_sort_is_trouble_first_then_by_status_and_start() {
    let a = app();
    let builds: Vec<_> = a
        .held()
        .visible()
        .iter()
        .map(|id| a.held().rows()[id].wf.build_id())
        .collect();
    assert_eq!(
        builds,
        [
            "eridanus-9",
            "borealis-7",
            "atlas-101",
            "cygnus-12",
            "draco-3"
        ]
    );
}

#[test]
fn j_k_g_and_shift_g_move_and_request_the_detail() {
    let mut a = app();
    let cmds = key(&mut a, KeyCode::Char('j'));
    assert_eq!(selected_build(&a), "borealis-7");
    assert_eq!(cmds, [Cmd::LoadDetail(a.held().visible()[1].to_string())]);
    key(&mut a, KeyCode::Char('G'));
    assert_eq!(selected_build(&a), "draco-3");
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(a.table().selected(), 4, "stops at the last row");
    key(&mut a, KeyCode::Char('g'));
    assert_eq!(a.table().selected(), 0);
    key(&mut a, KeyCode::Up);
    assert_eq!(a.table().selected(), 0, "stops at the first row");
    assert!(
        key(&mut a, KeyCode::Up).is_empty(),
        "no reload when nothing moved"
    );
}

#[test]
fn page_down_moves_by_a_screenful_and_scrolls_the_table() {
    let mut a = app();
    a.screen_mut().resize(80, 12); // tiny: few table rows
    key(&mut a, KeyCode::PageDown);
    let t = a.table();
    assert!(t.selected() >= 1);
    assert!(t.offset() <= t.selected());
    let rows = workflows::table_rows(
        super::layout::areas(ratatui::layout::Rect::new(0, 0, 80, 12), None).of(workflows::ID),
    );
    assert!(t.selected() < t.offset() + rows.max(1));
}

#[test]
fn tab_cycles_panes_and_enter_zooms_esc_unzooms() {
    let mut a = app();
    key(&mut a, KeyCode::Tab);
    assert_eq!(pane::focused(&a).id(), detail::ID);
    key(&mut a, KeyCode::Tab);
    assert_eq!(pane::focused(&a).id(), events::ID);
    key(&mut a, KeyCode::BackTab);
    assert_eq!(pane::focused(&a).id(), detail::ID);
    key(&mut a, KeyCode::Enter);
    assert!(a.screen().zoomed());
    key(&mut a, KeyCode::Esc);
    assert!(!a.screen().zoomed());
}

#[test]
fn filter_narrows_per_keystroke_and_esc_clears() {
    let mut a = app();
    key(&mut a, KeyCode::Char('/'));
    assert!(a.overlays().prompt_open());
    typed(&mut a, "status:failed");
    assert_eq!(a.held().visible().len(), 1);
    assert_eq!(selected_build(&a), "borealis-7");
    key(&mut a, KeyCode::Enter);
    assert!(!a.overlays().prompt_open());
    assert_eq!(a.held().visible().len(), 1, "Enter keeps the filter");
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.held().visible().len(), 5, "Esc outside editing clears it");
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "atlax");
    assert!(a.held().visible().is_empty());
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Backspace);
    assert_eq!(a.held().visible().len(), 1, "'atl' matches atlas");
    key(&mut a, KeyCode::Esc);
    assert!(a.table().filter_text().is_empty() && a.held().visible().len() == 5);
}

#[test]
fn quick_views_select_running_stuck_failed() {
    let mut a = app();
    key(&mut a, KeyCode::Char('2'));
    assert_eq!(a.table().view(), QuickView::Running);
    assert!(
        a.held()
            .visible()
            .iter()
            .all(|id| a.held().rows()[id].wf.status() == Status::Running)
    );
    assert_eq!(a.held().visible().len(), 2);
    key(&mut a, KeyCode::Char('3'));
    assert_eq!(a.held().visible().len(), 1);
    assert_eq!(
        selected_build(&a),
        "eridanus-9",
        "its handoff has waited 25 min"
    );
    key(&mut a, KeyCode::Char('4'));
    assert_eq!(selected_build(&a), "borealis-7");
    key(&mut a, KeyCode::Char('1'));
    assert_eq!(a.held().visible().len(), 5);
}

#[test]
fn s_cycles_sort_keeping_the_selection() {
    let mut a = app();
    key(&mut a, KeyCode::Char('j'));
    let sel = selected_build(&a);
    key(&mut a, KeyCode::Char('s'));
    assert_eq!(a.table().sort(), SortKey::Age);
    assert_eq!(selected_build(&a), sel);
    key(&mut a, KeyCode::Char('s'));
    assert_eq!(a.table().sort(), SortKey::Build);
    let builds: Vec<_> = a
        .held()
        .visible()
        .iter()
        .map(|id| a.held().rows()[id].wf.build_id().to_string())
        .collect();
    let mut sorted = builds.clone();
    sorted.sort();
    assert_eq!(builds, sorted);
    for _ in 0..2 {
        key(&mut a, KeyCode::Char('s'));
    }
    assert_eq!(a.table().sort(), SortKey::TimeInPhase);
    key(&mut a, KeyCode::Char('s'));
    assert_eq!(a.table().sort(), SortKey::Updated);
    key(&mut a, KeyCode::Char('s'));
    assert_eq!(a.table().sort(), SortKey::Status, "back to the default");
}

#[test]
fn status_sort_puts_stuck_then_failed_first() {
    let mut a = app();
    a.sort_by(SortKey::Status);
    let first: Vec<_> = a
        .held()
        .visible()
        .iter()
        .take(2)
        .map(|id| a.held().rows()[id].wf.build_id())
        .collect();
    assert_eq!(first, ["eridanus-9", "borealis-7"]);
}

fn select(a: &mut super::app::App, build: &str) {
    let i = a
        .held()
        .visible()
        .iter()
        .position(|id| a.held().rows()[id].wf.build_id() == build)
        .expect("shown");
    a.select(i);
}

#[test]
fn advance_confirms_what_will_happen_then_performs_with_the_shown_version() {
    let mut a = app();
    select(&mut a, "atlas-101");
    key(&mut a, KeyCode::Char('a'));
    let Some(Overlay::Confirm(c)) = a.overlays().shown() else {
        panic!("no confirmation")
    };
    assert_eq!(
        c.intent(),
        &crate::engine::bulk::Intent::Do(Action::Advance { output: None })
    );
    let text = c.lines().join("\n");
    assert!(
        text.contains("from coding (code_writer) to testing (test_auditor)"),
        "{text}"
    );
    assert!(
        text.contains("advance handoff code_writer → test_auditor"),
        "{text}"
    );
    assert!(text.contains("version 2"), "{text}");
    let cmds = key(&mut a, KeyCode::Char('y'));
    assert!(a.overlays().shown().is_none());
    let [
        Cmd::Perform {
            workflow_id,
            request,
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        workflow_id,
        &a.held()
            .rows()
            .iter()
            .find(|r| r.wf.build_id() == "atlas-101")
            .unwrap()
            .id()
    );
    assert_eq!(request.action, Action::Advance { output: None });
    assert_eq!(request.expected_version, Some(2));
    assert_eq!(request.actor, "operator:alice@host");
}

#[test]
fn n_and_esc_cancel_a_confirmation_without_effect() {
    for k in [KeyCode::Char('n'), KeyCode::Esc] {
        let mut a = app();
        select(&mut a, "atlas-101");
        key(&mut a, KeyCode::Char('a'));
        assert!(key(&mut a, k).is_empty());
        assert!(a.overlays().shown().is_none());
        assert!(
            a.session()
                .flash()
                .unwrap()
                .1
                .contains("nothing was written")
        );
    }
}

#[test]
fn advancing_the_last_phase_says_it_completes() {
    let mut a = app();
    let id = a
        .held()
        .visible()
        .iter()
        .find(|id| a.held().rows()[*id].wf.build_id() == "atlas-101")
        .unwrap()
        .to_string();
    let row = a.row_mut(&id).unwrap();
    row.edit(|w| w.current_state = "release".into());
    row.edit(|w| w.current_role = "release_manager".into());
    select(&mut a, "atlas-101");
    key(&mut a, KeyCode::Char('a'));
    let Some(Overlay::Confirm(c)) = a.overlays().shown() else {
        panic!()
    };
    assert!(
        c.lines()[0].contains("Complete atlas-101"),
        "{:?}",
        c.lines()
    );
}

#[test]
fn illegal_actions_are_refused_before_any_dialog() {
    let mut a = app();
    select(&mut a, "draco-3"); // completed
    key(&mut a, KeyCode::Char('a'));
    assert!(a.overlays().shown().is_none());
    let (lvl, msg) = a.session().flash().cloned().unwrap();
    assert_eq!(lvl, Level::Error);
    assert!(msg.contains("completed"), "{msg}");
    select(&mut a, "eridanus-9"); // planning: retries 0 of 3 fine, but paused? no: running
    key(&mut a, KeyCode::Char('b'));
    assert!(
        matches!(a.overlays().shown(), Some(Overlay::Confirm(_))),
        "planning can roll back to discovery"
    );
}

#[test]
fn retry_on_a_failed_workflow_states_the_attempt() {
    let mut a = app();
    select(&mut a, "borealis-7");
    key(&mut a, KeyCode::Char('r'));
    let Some(Overlay::Confirm(c)) = a.overlays().shown() else {
        panic!("{:?}", a.session().flash())
    };
    assert!(c.lines()[0].contains("attempt 1 of 3"), "{:?}", c.lines());
    assert!(key(&mut a, KeyCode::Enter).is_empty(), "a reason first");
    typed(&mut a, "runner was down");
    let cmds = key(&mut a, KeyCode::Enter);
    assert!(matches!(&cmds[..], [Cmd::Perform { request, .. }]
        if request.action == Action::Retry && request.reason.as_deref() == Some("runner was down")));
}

#[test]
fn rollback_picks_the_target_then_takes_a_reason_then_only_y_confirms() {
    let mut a = app();
    select(&mut a, "atlas-101");
    let d = testing::atlas_detail(&a);
    update(&mut a, d);
    key(&mut a, KeyCode::Char('b'));
    let c = confirm(&a);
    assert_eq!(c.targets(), ["planning", "discovery"]);
    assert_eq!(c.stage(), Stage::Target);
    assert!(
        c.lines()[0].contains("from coding to planning"),
        "{:?}",
        c.lines()
    );
    assert!(
        c.lines()
            .iter()
            .any(|l| l.contains("value by value (- discarded)")),
        "{:?}",
        c.lines()
    );
    let planning = r#"  - /planning  {"tasks":["api","ui"]}"#;
    assert!(c.lines().iter().any(|l| l == planning), "{:?}", c.lines());
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    assert_eq!(confirm(&a).chosen(), 1, "stops at the earliest phase");
    assert!(confirm(&a).lines()[0].contains("to discovery"));
    key(&mut a, KeyCode::Up);
    key(&mut a, KeyCode::Enter);
    assert_eq!(confirm(&a).stage(), Stage::Reason);
    // Enter without a reason is refused and the dialog stays.
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    assert!(confirm(&a).notice().unwrap().contains("reason is required"));
    // A typo fixed with the arrows: the target does not move.
    typed(&mut a, "bad pln");
    for k in [KeyCode::Left, KeyCode::Up, KeyCode::Down, KeyCode::Tab] {
        key(&mut a, k);
    }
    typed(&mut a, "a");
    key(&mut a, KeyCode::End);
    typed(&mut a, "yyn");
    for _ in 0..3 {
        key(&mut a, KeyCode::Backspace);
    }
    let c = confirm(&a);
    assert_eq!(c.reason().text(), "bad plan");
    assert_eq!(c.targets()[c.chosen()], "planning", "{:?}", c.lines());
    assert!(
        key(&mut a, KeyCode::Enter).is_empty(),
        "on to the last step"
    );
    assert!(
        key(&mut a, KeyCode::Enter).is_empty(),
        "Enter does not confirm"
    );
    assert!(confirm(&a).notice().unwrap().contains("press y"));
    let cmds = key(&mut a, KeyCode::Char('y'));
    let [Cmd::Perform { request, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        request.action,
        Action::Rollback {
            to: Some("planning".into())
        }
    );
    assert_eq!(request.reason.as_deref(), Some("bad plan"));
}

fn confirm(a: &super::app::App) -> &super::confirm::Confirm {
    match a.overlays().shown() {
        Some(Overlay::Confirm(c)) => c,
        other => panic!("no confirmation: {other:?} {:?}", a.session().flash()),
    }
}

#[test]
fn cancel_asks_a_reason_and_y_then_acknowledge_confirms_with_y() {
    let mut a = app();
    select(&mut a, "cygnus-12");
    key(&mut a, KeyCode::Char('x'));
    assert_eq!(confirm(&a).stage(), Stage::Reason);
    typed(&mut a, "superseded");
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    assert!(
        key(&mut a, KeyCode::Enter).is_empty(),
        "Enter never cancels"
    );
    let cmds = key(&mut a, KeyCode::Char('y'));
    assert!(matches!(&cmds[..], [Cmd::Perform { request, .. }]
            if request.action == Action::Cancel && request.reason.as_deref() == Some("superseded")));

    select(&mut a, "eridanus-9");
    key(&mut a, KeyCode::Char('A'));
    assert!(
        confirm(&a).lines()[0].contains("q_assistant → q_assistant into planning, waiting 25m"),
        "{:?}",
        confirm(&a).lines()
    );
    let cmds = key(&mut a, KeyCode::Char('y'));
    assert!(matches!(&cmds[..], [Cmd::Perform { request, .. }]
        if request.action == Action::Acknowledge { handoff_id: "h-e5-1".into() }));

    select(&mut a, "atlas-101");
    key(&mut a, KeyCode::Char('A'));
    assert!(a.overlays().shown().is_none());
    assert!(
        a.session()
            .flash()
            .unwrap()
            .1
            .contains("no pending handoff")
    );
}

#[test]
fn p_pauses_and_resumes_a_workflow_and_f_fails_it_with_the_reason_as_error() {
    let mut a = app();
    select(&mut a, "atlas-101");
    key(&mut a, KeyCode::Char('P'));
    assert_eq!(confirm(&a).title(), "Pause");
    let cmds = key(&mut a, KeyCode::Enter);
    assert!(matches!(&cmds[..], [Cmd::Perform { request, .. }] if request.action == Action::Pause));

    select(&mut a, "cygnus-12"); // paused
    key(&mut a, KeyCode::Char('P'));
    assert_eq!(confirm(&a).title(), "Resume");
    let cmds = key(&mut a, KeyCode::Char('y'));
    assert!(
        matches!(&cmds[..], [Cmd::Perform { request, .. }] if request.action == Action::Resume)
    );

    select(&mut a, "atlas-101");
    key(&mut a, KeyCode::Char('F'));
    typed(&mut a, "disk full on runner 3");
    key(&mut a, KeyCode::Enter);
    assert!(key(&mut a, KeyCode::Enter).is_empty(), "only y fails it");
    let cmds = key(&mut a, KeyCode::Char('y'));
    let [Cmd::Perform { request, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        request.action,
        Action::Fail {
            error: "disk full on runner 3".into()
        }
    );

    // The rules refuse what does not apply, before any dialog.
    select(&mut a, "draco-3"); // completed
    for k in ['P', 'F', 'x'] {
        key(&mut a, KeyCode::Char(k));
        assert!(a.overlays().shown().is_none(), "{k}");
        assert_eq!(a.session().flash().unwrap().0, Level::Error, "{k}");
    }
}

#[test]
fn acting_while_live_refresh_is_paused_warns_in_the_confirmation() {
    let mut a = app();
    select(&mut a, "atlas-101");
    key(&mut a, KeyCode::Char('a'));
    assert_eq!(confirm(&a).warning(), None);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('p'));
    key(&mut a, KeyCode::Char('a'));
    let w = confirm(&a).warning().expect("a warning").to_string();
    assert!(w.contains("Live refresh is paused"), "{w}");
    assert!(w.contains("10:30:00"), "says as of when: {w}");
}

#[test]
fn read_only_refuses_every_action_key() {
    let mut a = testing::opened(true);
    for c in ['a', 'r', 'b', 'x', 'A', 'P', 'F'] {
        assert!(key(&mut a, KeyCode::Char(c)).is_empty());
        assert!(a.overlays().shown().is_none());
        assert!(a.session().flash().unwrap().1.starts_with("read-only"));
    }
}

#[test]
fn conflict_from_the_worker_shows_and_the_session_goes_on() {
    let mut a = app();
    update(
        &mut a,
        Msg::ActionDone(Err(
            "advance failed: conflict: the workflow is at version 3, not 2".into(),
        )),
    );
    let (lvl, msg) = a.session().flash().cloned().unwrap();
    assert_eq!(lvl, Level::Error);
    assert!(msg.contains("conflict"));
    assert!(
        key(&mut a, KeyCode::Char('j')).len() == 1,
        "keys still work"
    );
}

#[test]
fn a_newer_version_of_the_selected_workflow_reloads_its_detail() {
    let mut a = app();
    select(&mut a, "atlas-101");
    let d = testing::atlas_detail(&a);
    update(&mut a, d);
    let mut w = a.selected_row().unwrap().unpack();
    w.version = 3;
    w.updated_at = "2026-11-22T10:29:59.000Z".into();
    let cmds = update(
        &mut a,
        Msg::Data(super::msg::Delta {
            workflows: vec![w.clone()],
            ..Default::default()
        }),
    );
    assert_eq!(cmds, [Cmd::LoadDetail(w.id.clone())]);
    assert_eq!(
        selected_build(&a),
        "atlas-101",
        "selection follows the workflow as it moves to the top"
    );
    // An older copy (overlapping reads) never replaces a newer one.
    w.version = 1;
    update(
        &mut a,
        Msg::Data(super::msg::Delta {
            workflows: vec![w],
            ..Default::default()
        }),
    );
    assert_eq!(a.selected_row().unwrap().wf.version(), 3);
}

#[test]
fn events_pane_scrolling_pauses_follow_and_f_resumes() {
    let mut a = app();
    a.screen_mut().resize(80, 24); // more events than the log shows
    a.screen_mut().focus_on(events::ID);
    key(&mut a, KeyCode::Char('k'));
    assert!(!a.events().following());
    assert_eq!(a.events().cursor(), Some(5));
    key(&mut a, KeyCode::Char('f'));
    assert!(a.events().following());
    assert_eq!(a.events().cursor(), None);
    key(&mut a, KeyCode::Char('f'));
    assert!(!a.events().following(), "f pauses on the newest");
    assert_eq!(a.events().cursor(), Some(6));
    key(&mut a, KeyCode::Char('e'));
    assert!(a.events().selected_only());
}

#[test]
fn help_scrolls_with_the_movement_keys_and_closes_only_on_esc_question_mark_or_q() {
    let mut a = app();
    a.screen_mut().resize(80, 24);
    key(&mut a, KeyCode::Char('?'));
    assert_eq!(a.overlays().shown(), Some(&Overlay::Help(0)));
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Down);
    assert_eq!(a.overlays().shown(), Some(&Overlay::Help(2)));
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.overlays().shown(), Some(&Overlay::Help(1)));
    key(&mut a, KeyCode::Char('G'));
    let Some(&Overlay::Help(last)) = a.overlays().shown() else {
        panic!()
    };
    assert!(last > 10, "80×24 scrolls: {last}");
    key(&mut a, KeyCode::PageDown);
    assert_eq!(a.overlays().shown(), Some(&Overlay::Help(last)), "clamped");
    update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    assert_eq!(a.overlays().shown(), Some(&Overlay::Help(last - 22)));
    key(&mut a, KeyCode::Char('g'));
    // Keys that are not scrolling or closing leave it open and do nothing.
    for c in ['a', 'x', 'y', '/', 's', '1'] {
        assert!(key(&mut a, KeyCode::Char(c)).is_empty());
        assert_eq!(a.overlays().shown(), Some(&Overlay::Help(0)), "{c}");
    }
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.overlays().shown(), Some(&Overlay::Help(0)));
    for close in [KeyCode::Esc, KeyCode::Char('?'), KeyCode::Char('q')] {
        key(&mut a, KeyCode::Char('?'));
        assert!(
            key(&mut a, close).is_empty(),
            "{close:?} closes, never quits"
        );
        assert!(a.overlays().shown().is_none());
    }
    assert_eq!(key(&mut a, KeyCode::Char('q')), [Cmd::Quit]);
}

#[test]
fn time_passing_can_make_a_workflow_stuck_without_any_write() {
    let mut a = app();
    assert_eq!(a.held().stuck_count(), 1);
    let deadline = a
        .next_stuck_deadline()
        .expect("running workflows have a deadline");
    update(&mut a, Msg::Tick(deadline + chrono::Duration::seconds(1)));
    assert!(
        a.held().stuck_count() >= 2,
        "atlas-101 heartbeat goes stale: {}",
        a.held().stuck_count()
    );
}

#[test]
fn p_pauses_live_refresh_and_capital_r_refreshes() {
    let mut a = app();
    assert_eq!(key(&mut a, KeyCode::Char('p')), [Cmd::SetPaused(true)]);
    assert_eq!(key(&mut a, KeyCode::Char('R')), [Cmd::Refresh]);
}

#[test]
fn mouse_click_selects_the_row_under_it_and_the_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut a = app();
    let areas = super::layout::areas(ratatui::layout::Rect::new(0, 0, 120, 40), None);
    let (table, log) = (areas.of(workflows::ID), areas.of(events::ID));
    let click = |row: u16, col: u16| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // Border and header come first: the third data row is at y + 2 + 2.
    let cmds = update(&mut a, Msg::Mouse(click(table.y + 4, table.x + 5)));
    assert_eq!(a.table().selected(), 2);
    assert_eq!(cmds, [Cmd::LoadDetail(a.held().visible()[2].to_string())]);
    // A click in the events pane focuses it; the wheel over the table still moves the table.
    update(&mut a, Msg::Mouse(click(log.y + 1, log.x + 3)));
    assert_eq!(pane::focused(&a).id(), events::ID);
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: table.x + 5,
        row: table.y + 3,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut a, Msg::Mouse(wheel));
    assert_eq!(
        a.table().selected(),
        4,
        "three rows down, stopped at the last"
    );
    assert_eq!(
        pane::focused(&a).id(),
        events::ID,
        "the wheel does not steal focus"
    );
}

fn ctrl(app: &mut super::app::App, c: char) -> Vec<Cmd> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

#[test]
fn in_the_filter_control_keys_edit_and_ctrl_c_leaves_the_field_not_the_program() {
    let mut a = app();
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "status:running atlas");
    assert_eq!(a.held().visible().len(), 1);
    ctrl(&mut a, 'w');
    assert_eq!(a.table().filter_text(), "status:running ");
    assert_eq!(
        a.held().visible().len(),
        2,
        "the word went, the filter widened"
    );
    ctrl(&mut a, 'u');
    assert_eq!(a.table().filter_text(), "");
    typed(&mut a, "eridnus");
    for k in [KeyCode::Left, KeyCode::Left, KeyCode::Left] {
        key(&mut a, k);
    }
    typed(&mut a, "a");
    assert_eq!(a.table().filter_text(), "eridanus");
    assert_eq!(selected_build(&a), "eridanus-9");
    assert!(
        ctrl(&mut a, 'c').is_empty(),
        "Ctrl-C in a field does not quit"
    );
    assert!(!a.overlays().prompt_open());
    assert_eq!(a.table().filter_text(), "");
    // Reopened, the prompt edits the filter as it is.
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "cyg");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('/'));
    key(&mut a, KeyCode::Backspace);
    assert_eq!(a.table().filter_text(), "cy");
    key(&mut a, KeyCode::Enter);
    assert_eq!(
        ctrl(&mut a, 'c'),
        [Cmd::Quit],
        "outside a field Ctrl-C quits"
    );
}

#[test]
fn ctrl_c_in_a_reason_cancels_the_dialog_and_writes_nothing() {
    let mut a = app();
    select(&mut a, "borealis-7");
    key(&mut a, KeyCode::Char('r'));
    typed(&mut a, "flaky");
    ctrl(&mut a, 'u');
    ctrl(&mut a, 'w');
    assert_eq!(confirm(&a).reason().text(), "");
    assert!(ctrl(&mut a, 'c').is_empty());
    assert!(a.overlays().shown().is_none());
    assert!(
        a.session()
            .flash()
            .unwrap()
            .1
            .contains("nothing was written")
    );
}

#[test]
fn y_copies_the_workflow_id_and_the_menu_the_build_and_handoff_ids() {
    use super::app::TermRequest::Copy;
    let mut a = app();
    select(&mut a, "eridanus-9");
    key(&mut a, KeyCode::Char('y'));
    let id = "e5555555-0000-4000-8000-000000000005";
    assert_eq!(a.session().requests(), [Copy(id.into())]);
    assert!(
        a.session().flash().unwrap().1.contains(id),
        "the footer says what"
    );
    key(&mut a, KeyCode::Char('Y'));
    assert!(matches!(a.overlays().shown(), Some(Overlay::Copy(_))));
    key(&mut a, KeyCode::Char('z'));
    assert!(
        matches!(a.overlays().shown(), Some(Overlay::Copy(_))),
        "stays"
    );
    key(&mut a, KeyCode::Char('h'));
    assert!(a.overlays().shown().is_none());
    key(&mut a, KeyCode::Char('Y'));
    key(&mut a, KeyCode::Char('b'));
    assert_eq!(
        a.session_mut().take_requests(),
        [
            Copy(id.into()),
            Copy("h-e5-1".into()),
            Copy("eridanus-9".into())
        ]
    );
    assert!(
        a.session()
            .flash()
            .unwrap()
            .1
            .contains("build id eridanus-9")
    );
    // No pending handoff: the menu does not offer one.
    select(&mut a, "atlas-101");
    key(&mut a, KeyCode::Char('Y'));
    key(&mut a, KeyCode::Char('h'));
    assert!(a.session().requests().is_empty());
    key(&mut a, KeyCode::Esc);
    assert!(a.overlays().shown().is_none());
}

#[test]
fn m_turns_mouse_capture_off_and_on_and_says_so() {
    use super::app::TermRequest::Mouse;
    let mut a = app();
    assert!(a.session().mouse());
    key(&mut a, KeyCode::Char('m'));
    assert!(!a.session().mouse());
    assert!(a.session().flash().unwrap().1.contains("select text"));
    key(&mut a, KeyCode::Char('m'));
    assert_eq!(a.session_mut().take_requests(), [Mouse(false), Mouse(true)]);
}

#[test]
fn quick_views_six_seven_eight_show_paused_completed_cancelled_and_five_is_kept_free() {
    let mut a = app();
    key(&mut a, KeyCode::Char('6'));
    assert_eq!(a.table().view(), QuickView::Paused);
    assert_eq!(selected_build(&a), "cygnus-12");
    assert_eq!(a.held().visible().len(), 1);
    key(&mut a, KeyCode::Char('7'));
    assert_eq!(selected_build(&a), "draco-3");
    key(&mut a, KeyCode::Char('8'));
    assert_eq!(a.table().view(), QuickView::Cancelled);
    assert!(a.held().visible().is_empty(), "none in the fixture");
    key(&mut a, KeyCode::Char('5'));
    assert_eq!(
        a.table().view(),
        QuickView::Cancelled,
        "5 is the history view's"
    );
}

#[test]
fn v_steps_through_the_saved_views_of_the_config_file() {
    let mut a = app();
    key(&mut a, KeyCode::Char('v'));
    assert!(
        a.session()
            .flash()
            .is_some_and(|(l, m)| *l == Level::Error && m.contains("[views]")),
        "no saved views: says where they come from"
    );
    a.set_saved_views(vec![
        ("broken".into(), "status:failed".into()),
        ("atlas".into(), "project:atlas".into()),
    ]);
    key(&mut a, KeyCode::Char('v'));
    assert_eq!(a.table().view_label(), "broken");
    assert_eq!(a.table().filter_text(), "status:failed");
    assert_eq!(selected_build(&a), "borealis-7");
    key(&mut a, KeyCode::Char('v'));
    assert_eq!(a.table().view_label(), "atlas");
    assert_eq!(selected_build(&a), "atlas-101");
    key(&mut a, KeyCode::Char('v'));
    assert_eq!(a.table().view_label(), "broken", "wraps to the first");
    key(&mut a, KeyCode::Char('1'));
    assert_eq!(
        a.table().view_label(),
        "all",
        "a quick view leaves the saved one"
    );
}

/// Until the operator touches the dashboard, the first row stays selected as rows arrive
/// (the trouble sorted first is what the detail shows on opening); once a key has moved
/// it, the selection follows its workflow.
#[test]
fn the_top_stays_selected_until_the_operator_moves_then_the_workflow_does() {
    let mut a = app();
    // Oldest first, so that an arriving row started earlier sorts above every other; a
    // view chosen starts over at the top, as opening does.
    a.sort_by(SortKey::Age);
    a.set_view(QuickView::All);
    assert_eq!(a.table().selected(), 0);
    let top = selected_build(&a);
    let early = |id: &str, build: &str| {
        let mut w = testing::workflow(id, build, "coding", Status::Running);
        w.created_at = "2026-11-22T09:00:00.000Z".into();
        w
    };
    let arrive = |a: &mut super::app::App, w| {
        update(
            a,
            Msg::Data(super::msg::Delta {
                workflows: vec![w],
                ..Default::default()
            }),
        )
    };
    arrive(
        &mut a,
        early("f0000000-0000-4000-8000-000000000001", "fornax-1"),
    );
    assert_ne!(top, "fornax-1");
    assert_eq!(a.table().selected(), 0);
    assert_eq!(
        selected_build(&a),
        "fornax-1",
        "the new first row, untouched"
    );
    // A key moves the selection: from now on it stays with its workflow.
    key(&mut a, KeyCode::Char('j'));
    let chosen = selected_build(&a);
    assert_eq!(chosen, top);
    arrive(
        &mut a,
        early("f0000000-0000-4000-8000-000000000000", "fornax-0"),
    );
    assert_eq!(selected_build(&a), chosen, "followed, not left at row 1");
    assert_eq!(a.table().selected(), 2);
}
