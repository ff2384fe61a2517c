//! Unit tests of `update`: navigation, filtering, sorting, every confirmation flow, read-only
//! refusals and the conflict path. No terminal, no database.

use super::app::{Level, Overlay, QuickView, SortKey};
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
        .map(|r| r.wf.build_id.clone())
        .unwrap_or_default()
}

#[test]
fn default_sort_is_trouble_first_then_by_status_and_start() {
    let a = app();
    let builds: Vec<_> = a
        .held()
        .visible()
        .iter()
        .map(|id| a.held().rows()[id].wf.build_id.as_str())
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
    assert_eq!(cmds, [Cmd::LoadDetail(a.held().visible()[1].clone())]);
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
            .all(|id| a.held().rows()[id].wf.status == Status::Running)
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
        .map(|id| a.held().rows()[id].wf.build_id.clone())
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
        .map(|id| a.held().rows()[id].wf.build_id.as_str())
        .collect();
    assert_eq!(first, ["eridanus-9", "borealis-7"]);
}

fn select(a: &mut super::app::App, build: &str) {
    let i = a
        .held()
        .visible()
        .iter()
        .position(|id| a.held().rows()[id].wf.build_id == build)
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
    assert_eq!(c.action(), &Action::Advance { output: None });
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
            .values()
            .find(|r| r.wf.build_id == "atlas-101")
            .unwrap()
            .wf
            .id
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
        .find(|id| a.held().rows()[*id].wf.build_id == "atlas-101")
        .unwrap()
        .clone();
    let row = a.row_mut(&id).unwrap();
    row.wf.current_state = "release".into();
    row.wf.current_role = "release_manager".into();
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
    let cmds = key(&mut a, KeyCode::Enter);
    assert!(matches!(&cmds[..], [Cmd::Perform { request, .. }] if request.action == Action::Retry));
}

#[test]
fn rollback_needs_a_reason_and_lets_the_target_be_chosen() {
    let mut a = app();
    select(&mut a, "atlas-101");
    let d = testing::atlas_detail(&a);
    update(&mut a, d);
    key(&mut a, KeyCode::Char('b'));
    let Some(Overlay::Confirm(c)) = a.overlays().shown() else {
        panic!("{:?}", a.session().flash())
    };
    assert_eq!(c.targets(), ["planning", "discovery"]);
    assert!(
        c.lines()[0].contains("from coding to planning"),
        "{:?}",
        c.lines()
    );
    assert!(
        c.lines()
            .iter()
            .any(|l| l.contains("Discards the outputs of: planning")),
        "{:?}",
        c.lines()
    );
    // Enter without a reason is refused and the dialog stays.
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    assert!(matches!(a.overlays().shown(), Some(Overlay::Confirm(_))));
    assert!(a.session().flash().unwrap().1.contains("needs a reason"));
    key(&mut a, KeyCode::Right);
    let Some(Overlay::Confirm(c)) = a.overlays().shown() else {
        panic!()
    };
    assert!(c.lines()[0].contains("to discovery"), "{:?}", c.lines());
    assert!(
        c.lines().iter().any(|l| l.contains("discovery, planning")),
        "{:?}",
        c.lines()
    );
    typed(&mut a, "bad planyy");
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Backspace);
    let cmds = key(&mut a, KeyCode::Enter);
    let [Cmd::Perform { request, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        request.action,
        Action::Rollback {
            to: Some("discovery".into())
        }
    );
    assert_eq!(
        request.reason.as_deref(),
        Some("bad plan"),
        "'y' is typed text here, not confirm"
    );
}

#[test]
fn cancel_and_acknowledge_confirm_then_perform() {
    let mut a = app();
    select(&mut a, "cygnus-12");
    key(&mut a, KeyCode::Char('x'));
    let cmds = key(&mut a, KeyCode::Char('y'));
    assert!(
        matches!(&cmds[..], [Cmd::Perform { request, .. }] if request.action == Action::Cancel)
    );

    select(&mut a, "eridanus-9");
    key(&mut a, KeyCode::Char('A'));
    let Some(Overlay::Confirm(c)) = a.overlays().shown() else {
        panic!("{:?}", a.session().flash())
    };
    assert!(
        c.lines()[0].contains("q_assistant → q_assistant into planning, waiting 25m00s"),
        "{:?}",
        c.lines()
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
fn read_only_refuses_every_action_key() {
    let mut a = testing::opened(true);
    for c in ['a', 'r', 'b', 'x', 'A'] {
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
    let mut w = a.selected_row().unwrap().wf.clone();
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
    assert_eq!(a.selected_row().unwrap().wf.version, 3);
}

#[test]
fn events_pane_scrolling_pauses_follow_and_f_resumes() {
    let mut a = app();
    a.screen_mut().resize(80, 24); // more events than the log shows
    a.screen_mut().focus_on(events::ID);
    key(&mut a, KeyCode::Char('k'));
    assert!(!a.events().following());
    assert_eq!(a.events().back(), 1);
    key(&mut a, KeyCode::Char('f'));
    assert!(a.events().following());
    assert_eq!(a.events().back(), 0);
    key(&mut a, KeyCode::Char('e'));
    assert!(a.events().selected_only());
}

#[test]
fn help_opens_with_question_mark_and_any_key_closes() {
    let mut a = app();
    key(&mut a, KeyCode::Char('?'));
    assert_eq!(a.overlays().shown(), Some(&Overlay::Help));
    assert!(key(&mut a, KeyCode::Char('j')).is_empty());
    assert!(a.overlays().shown().is_none());
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
    assert_eq!(cmds, [Cmd::LoadDetail(a.held().visible()[2].clone())]);
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
