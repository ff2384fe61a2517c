//! Unit tests of `update` for what the panes hold: every scroll stays within its content,
//! the selection stays on its workflow while rows change, the filter names its mistakes,
//! and durations follow the clock (and stop when a workflow finishes).

use super::app::{App, SortKey};
use super::msg::{Delta, Msg};
use super::pane::{detail, events};
use super::testing::{self, app};
use super::update::update;
use crate::model::Status;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(app: &mut App, text: &str) {
    text.chars().for_each(|c| key(app, KeyCode::Char(c)));
}

fn build(app: &App, id: &str) -> String {
    app.held().rows()[id].wf.build_id().into()
}

fn selected_build(app: &App) -> String {
    app.selected_id()
        .map(|id| build(app, id))
        .unwrap_or_default()
}

fn order(app: &App) -> Vec<String> {
    app.held()
        .visible()
        .iter()
        .map(|id| build(app, id))
        .collect()
}

fn select(app: &mut App, b: &str) {
    let i = order(app).iter().position(|x| x == b).expect("shown");
    app.select(i);
}

/// Sends `w`, changed by `edit`, as another process's write.
fn written(app: &mut App, b: &str, edit: impl FnOnce(&mut crate::model::Workflow)) {
    let id =
        app.held().visible()[order(app).iter().position(|x| x == b).expect("held")].to_string();
    let mut w = app.held().rows()[id.as_str()].unpack();
    w.version += 1;
    edit(&mut w);
    update(
        app,
        Msg::Data(Delta {
            workflows: vec![w],
            ..Delta::default()
        }),
    );
}

#[test]
fn zoomed_detail_scroll_stays_within_its_text() {
    let mut a = app();
    a.screen_mut().resize(100, 20);
    select(&mut a, "atlas-101");
    let d = testing::atlas_detail(&a);
    update(&mut a, d);
    a.screen_mut().focus_on(detail::ID);
    key(&mut a, KeyCode::Enter);
    assert!(a.screen().zoomed());
    key(&mut a, KeyCode::Char('G'));
    let bottom = a.detail().scroll();
    assert!(
        bottom > 0 && bottom < 60,
        "G goes to the last screenful: {bottom}"
    );
    // The defect: after G, k and PgUp moved an offset far past the end, so nothing moved.
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.detail().scroll(), bottom - 1);
    key(&mut a, KeyCode::PageUp);
    assert_eq!(a.detail().scroll(), (bottom - 1).saturating_sub(16));
    // j at the bottom stores nothing: one k after many j moves up at once.
    key(&mut a, KeyCode::Char('G'));
    for _ in 0..10 {
        key(&mut a, KeyCode::Char('j'));
    }
    assert_eq!(a.detail().scroll(), bottom);
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.detail().scroll(), bottom - 1);
    key(&mut a, KeyCode::Char('g'));
    key(&mut a, KeyCode::PageUp);
    assert_eq!(a.detail().scroll(), 0);
}

#[test]
fn event_log_cursor_moves_within_its_events_and_the_view_keeps_it_shown() {
    let mut a = app();
    a.screen_mut().resize(80, 24); // the log shows 3 of its 6 events
    a.screen_mut().focus_on(events::ID);
    key(&mut a, KeyCode::Char('g'));
    assert_eq!(a.events().cursor(), Some(1));
    assert_eq!(a.events().view_back(), 3, "the oldest three fill the pane");
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(a.events().cursor(), Some(4));
    assert_eq!(a.events().view_back(), 2, "the view moved to keep #4 shown");
    key(&mut a, KeyCode::PageDown);
    assert!(a.events().following(), "at the newest it follows again");
    assert_eq!(a.events().view_back(), 0);
}

#[test]
fn a_log_scrolled_back_keeps_its_lines_as_events_arrive() {
    let mut a = app();
    a.screen_mut().resize(80, 24);
    a.screen_mut().focus_on(events::ID);
    key(&mut a, KeyCode::Char('k'));
    let wf = a.held().visible()[0].to_string();
    let newest_shown = |a: &App| {
        let shown = a.shown_events();
        shown[shown.len() - a.events().view_back() - 1].seq
    };
    let before = newest_shown(&a);
    update(
        &mut a,
        Msg::Data(Delta {
            events: vec![testing::event(7, &wf, "heartbeat")],
            ..Delta::default()
        }),
    );
    assert_eq!(newest_shown(&a), before);
}

#[test]
fn rows_keep_their_places_when_a_write_changes_no_status() {
    let mut a = app();
    let before = order(&a);
    key(&mut a, KeyCode::Char('j'));
    let sel = selected_build(&a);
    // The defect: under the old default (last updated first) this row jumped to the top,
    // and the next j landed rows away from where the operator looked.
    let last = before.last().expect("rows").clone();
    written(&mut a, &last, |w| {
        w.updated_at = "2026-11-22T10:29:59.000Z".into();
    });
    assert_eq!(order(&a), before);
    assert_eq!(selected_build(&a), sel);
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(selected_build(&a), before[2]);
}

#[test]
fn the_selection_stays_on_a_workflow_that_leaves_the_view_until_the_cursor_moves() {
    let mut a = app();
    key(&mut a, KeyCode::Char('2')); // running: eridanus-9 (stuck first), atlas-101
    assert_eq!(order(&a), ["eridanus-9", "atlas-101"]);
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(selected_build(&a), "atlas-101");
    // As after pausing it from the dashboard: it no longer matches the view.
    written(&mut a, "atlas-101", |w| {
        w.status = Status::Paused;
        w.status_raw = "paused".into();
    });
    assert_eq!(selected_build(&a), "atlas-101", "the cursor stays on it");
    assert!(a.selected_is_pinned_only());
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(selected_build(&a), "eridanus-9");
    assert_eq!(order(&a), ["eridanus-9"], "once left, it goes");
    assert!(!a.selected_is_pinned_only());
}

#[test]
fn a_filter_nothing_can_match_says_so_with_the_valid_values() {
    let mut a = app();
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "status:bogus");
    assert!(a.held().visible().is_empty());
    let e = a.table().filter_error().expect("named");
    assert!(
        e.contains("bogus") && e.contains("running, paused, failed"),
        "{e}"
    );
    for _ in 0.."bogus".len() {
        key(&mut a, KeyCode::Backspace);
    }
    typed(&mut a, "failed");
    assert_eq!(a.table().filter_error(), None);
    assert_eq!(order(&a), ["borealis-7"]);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "phase:tseting");
    let e = a.table().filter_error().expect("a typo in a phase");
    assert!(e.contains("discovery, planning, coding, testing"), "{e}");
}

#[test]
fn finished_workflows_stop_counting_and_sort_after_live_ones_by_time_in_phase() {
    let mut a = app();
    let draco = |a: &App| {
        let id = &a.held().visible()[order(a).iter().position(|b| b == "draco-3").expect("shown")];
        let w = &a.held().rows()[id];
        (a.in_phase(w), a.age(w))
    };
    let atlas_in_phase = |a: &App| {
        let id = &a.held().visible()[order(a)
            .iter()
            .position(|b| b == "atlas-101")
            .expect("shown")];
        a.in_phase(&a.held().rows()[id])
    };
    let (phase, age) = draco(&a);
    assert_eq!((phase, age), (Some(600), Some(600)), "completed at 10:10");
    update(
        &mut a,
        Msg::Tick(testing::now() + chrono::Duration::minutes(90)),
    );
    assert_eq!(draco(&a), (phase, age), "no write, no tick moves them");
    assert_eq!(atlas_in_phase(&a), Some(120 * 60), "a live one counts on");
    // The defect: the completed row, entered in its phase earliest, sorted first.
    a.sort_by(SortKey::TimeInPhase);
    assert_eq!(order(&a).last().map(String::as_str), Some("draco-3"));
}
