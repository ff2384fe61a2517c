//! Unit tests of `update` for the event log as a place to work: its cursor, opening an
//! event, going to its workflow (held or not), its filter, and paging back through the
//! trail at a bounded cost, with snapshots of the log with a cursor and of an open event.

use super::app::{App, EVENTS_KEPT, Overlay, QuickView, Want};
use super::msg::{Cmd, Delta, Detail, EventPage, Msg};
use super::pane::{detail, events};
use super::testing::{self, app};
use super::update::update;
use super::view;
use crate::model::{Event, Status};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// The fixture at 80×24 with the event log focused.
fn focused() -> App {
    let mut a = app();
    a.screen_mut().resize(80, 24);
    a.screen_mut().focus_on(events::ID);
    a
}

fn selected_build(a: &App) -> String {
    a.selected_row()
        .map(|r| r.wf.build_id().to_string())
        .unwrap_or_default()
}

fn shown(a: &App) -> Vec<i64> {
    a.shown_events().iter().map(|e| e.seq).collect()
}

fn page(want: Want, events: Vec<Event>, reached: i64, done: bool) -> Msg {
    Msg::EventPage(Box::new(EventPage {
        want,
        events,
        reached,
        done,
        problem: None,
    }))
}

fn events(seqs: impl Iterator<Item = i64>, wf: &str) -> Vec<Event> {
    seqs.map(|s| testing::event(s, wf, "phase_advanced"))
        .collect()
}

fn older(before: Option<i64>, filter: &str) -> Want {
    Want::Older {
        before,
        filter: filter.into(),
        workflow: None,
    }
}

fn render(a: &App) -> String {
    let (w, h) = a.screen().size();
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| view::draw(f, a)).expect("draw");
    t.backend().to_string()
}

#[test]
fn enter_opens_the_event_under_the_cursor_in_full_and_esc_closes_it() {
    let mut a = focused();
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.event_under_cursor().map(|e| e.seq), Some(5));
    key(&mut a, KeyCode::Enter);
    let Some(Overlay::Event(v)) = a.overlays().shown() else {
        panic!("Enter opens the event: {:?}", a.overlays().shown());
    };
    assert_eq!(v.seq(), 5);
    assert_eq!(v.build(), Some("atlas-101"));
    assert!(!a.screen().zoomed(), "Enter opens here, it does not zoom");
    key(&mut a, KeyCode::Char('j'));
    assert!(
        matches!(a.overlays().shown(), Some(Overlay::Event(_))),
        "j scrolls it"
    );
    key(&mut a, KeyCode::Esc);
    assert!(a.overlays().shown().is_none());
    // Elsewhere Enter still zooms, and z zooms in every pane.
    a.screen_mut().focus_on(detail::ID);
    key(&mut a, KeyCode::Enter);
    assert!(a.screen().zoomed());
    a.screen_mut().focus_on(events::ID);
    key(&mut a, KeyCode::Char('z'));
    assert!(!a.screen().zoomed());
}

#[test]
fn the_cursor_pauses_the_log_and_at_the_newest_it_follows_again() {
    let mut a = focused();
    key(&mut a, KeyCode::Char('k'));
    assert!(!a.events().following());
    let wf = a.held().visible()[0].to_string();
    update(
        &mut a,
        Msg::Data(Delta {
            events: events(7..=8, &wf),
            ..Delta::default()
        }),
    );
    assert_eq!(
        a.event_under_cursor().map(|e| e.seq),
        Some(5),
        "stays on its event"
    );
    key(&mut a, KeyCode::Char('G'));
    assert!(a.events().following());
    update(
        &mut a,
        Msg::Data(Delta {
            events: events(9..=9, &wf),
            ..Delta::default()
        }),
    );
    assert_eq!(a.event_under_cursor().map(|e| e.seq), Some(9), "follows");
}

#[test]
fn w_selects_a_held_workflow_clearing_the_view_that_hid_it_and_says_so() {
    let mut a = focused();
    key(&mut a, KeyCode::Char('4')); // failed only: atlas-101 is hidden
    assert_ne!(selected_build(&a), "atlas-101");
    key(&mut a, KeyCode::Char('k')); // #5 is atlas-101's
    let cmds = key(&mut a, KeyCode::Char('w'));
    assert_eq!(selected_build(&a), "atlas-101");
    assert_eq!(a.table().view(), QuickView::All);
    let said = a
        .session()
        .flash()
        .map(|(_, m)| m.clone())
        .unwrap_or_default();
    assert!(
        said.contains("cleared view failed to show atlas-101"),
        "{said}"
    );
    assert_eq!(a.screen().focus(), Some(detail::ID));
    let id = a.selected_id().unwrap().to_string();
    assert!(cmds.contains(&Cmd::LoadDetail(id)), "{cmds:?}");
}

#[test]
fn w_leaves_the_history_view_for_a_held_workflow_and_says_so() {
    let mut a = focused();
    key(&mut a, KeyCode::Char('5'));
    assert!(a.history().active());
    a.screen_mut().focus_on(events::ID);
    key(&mut a, KeyCode::Char('k')); // #5 is atlas-101's
    key(&mut a, KeyCode::Char('w'));
    assert!(!a.history().active());
    assert_eq!(selected_build(&a), "atlas-101");
    let said = a
        .session()
        .flash()
        .map(|(_, m)| m.clone())
        .unwrap_or_default();
    assert!(
        said.contains("left the history view to show atlas-101"),
        "{said}"
    );
}

#[test]
fn w_on_a_workflow_not_held_reads_it_and_pins_it_in_the_detail_until_esc() {
    let mut a = focused();
    let gone = "f0000000-0000-4000-8000-00000000dead";
    update(
        &mut a,
        Msg::Data(Delta {
            events: events(7..=7, gone),
            ..Delta::default()
        }),
    );
    let before = selected_build(&a);
    let cmds = key(&mut a, KeyCode::Char('w'));
    assert_eq!(cmds, vec![Cmd::LoadDetail(gone.into())]);
    assert_eq!(a.detail().pinned(), Some(gone));
    assert_eq!(selected_build(&a), before, "the table is left as it was");
    let mut w = testing::workflow(gone, "old-1", "release", Status::Completed);
    w.completed_at = Some(w.updated_at.clone());
    update(
        &mut a,
        Msg::Detail(Box::new(Detail {
            outputs_text: String::new(),
            payload_text: String::new(),
            handoffs: Vec::new(),
            checkpoints: Vec::new(),
            events: events(7..=7, gone),
            workflow: w,
        })),
    );
    assert!(a.detail().pinned_detail().is_some());
    let screen = render(&a);
    assert!(screen.contains("old-1 (from the event log)"), "{screen}");
    // An action would act on the selection, not on what is shown: refused.
    key(&mut a, KeyCode::Char('a'));
    assert!(a.overlays().shown().is_none());
    let cmds = key(&mut a, KeyCode::Esc);
    assert_eq!(a.detail().pinned(), None);
    let sel = a.selected_id().unwrap().to_string();
    assert_eq!(
        cmds,
        vec![Cmd::LoadDetail(sel)],
        "the selection's history again"
    );
}

#[test]
fn slash_in_the_log_filters_events_and_names_what_is_wrong() {
    let mut a = focused();
    key(&mut a, KeyCode::Char('/'));
    assert!(a.overlays().prompt_is_events());
    typed(&mut a, "workflow:atlas-101");
    assert_eq!(shown(&a), vec![5], "atlas-101's one event");
    assert!(a.events().filter().problem().is_none());
    key(&mut a, KeyCode::Enter);
    assert!(!a.overlays().prompt_open());
    assert_eq!(
        a.held().visible().len(),
        5,
        "the workflows are not filtered"
    );
    key(&mut a, KeyCode::Esc);
    assert_eq!(shown(&a).len(), 6, "Esc in the log clears its filter");
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "kind:x");
    let p = a.events().filter().problem().unwrap();
    assert!(
        p.contains("`kind:`") && p.contains("type: actor: workflow:"),
        "{p}"
    );
    assert!(render(&a).contains("unknown key `kind:`"));
    // From the workflows pane, / is still the table's filter.
    key(&mut a, KeyCode::Esc);
    a.screen_mut().focus_on(super::pane::workflows::ID);
    key(&mut a, KeyCode::Char('/'));
    assert!(a.overlays().prompt_open() && !a.overlays().prompt_is_events());
}

#[test]
fn moving_up_past_the_oldest_asks_once_for_the_page_before_it_and_adds_it() {
    let mut a = focused();
    a.events_mut()
        .merge(events(1001..=1006, "w"), true, None, &|_| None);
    key(&mut a, KeyCode::Char('g'));
    assert!(
        key(&mut a, KeyCode::Char('j')).is_empty(),
        "no read within what is held"
    );
    key(&mut a, KeyCode::Char('k'));
    let cmds = key(&mut a, KeyCode::Char('k'));
    assert_eq!(cmds, vec![Cmd::EventPage(older(Some(1001), ""))]);
    assert!(
        key(&mut a, KeyCode::PageUp).is_empty(),
        "asked once until answered"
    );
    assert!(render(&a).contains("reading older"));
    update(
        &mut a,
        page(older(Some(1001), ""), events(801..=1000, "w"), 801, false),
    );
    assert_eq!(a.events().all().len(), 206);
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.event_under_cursor().map(|e| e.seq), Some(1000));
    // The next page goes on from where the search stopped, and the start ends it.
    key(&mut a, KeyCode::Char('g'));
    let cmds = key(&mut a, KeyCode::Char('k'));
    assert_eq!(cmds, vec![Cmd::EventPage(older(Some(801), ""))]);
    update(&mut a, page(older(Some(801), ""), Vec::new(), 0, true));
    assert!(key(&mut a, KeyCode::Char('k')).is_empty(), "nothing older");
    assert!(render(&a).contains("start of trail"));
}

#[test]
fn past_the_cap_the_newest_are_dropped_and_g_reads_them_again() {
    let mut a = focused();
    let top = 10_000;
    let first = top - EVENTS_KEPT as i64 + 1;
    a.events_mut()
        .merge(events(first..=top, "w"), true, None, &|_| None);
    key(&mut a, KeyCode::Char('g'));
    let cmds = key(&mut a, KeyCode::Char('k'));
    let want = older(Some(first), "");
    assert_eq!(cmds, vec![Cmd::EventPage(want.clone())]);
    update(
        &mut a,
        page(want, events(first - 200..first, "w"), first - 200, false),
    );
    let held = a.events().all();
    assert_eq!(held.len(), EVENTS_KEPT, "bounded");
    assert_eq!(held.front().unwrap().seq, first - 200);
    assert_eq!(
        held.back().unwrap().seq,
        top - 200,
        "the newest 200 dropped"
    );
    assert!(!a.events().following());
    let title = render(&a);
    assert!(
        title.contains(&format!("#{}–#{} of #{top}", first - 200, top - 200)),
        "{title}"
    );
    assert!(title.contains("history · G newest"), "{title}");
    // Live events would leave a gap: not held while back in history.
    update(
        &mut a,
        Msg::Data(Delta {
            events: events(top + 1..=top + 1, "w"),
            ..Delta::default()
        }),
    );
    assert_eq!(a.events().all().back().unwrap().seq, top - 200);
    assert_eq!(a.events().newest_seen(), top + 1);
    a.move_event_cursor(EVENTS_KEPT as isize);
    assert_eq!(a.events_mut().take_want(), None, "to the newest held");
    a.move_event_cursor(1);
    assert_eq!(
        a.events_mut().take_want(),
        Some(Want::Newest),
        "down past it"
    );
    assert!(key(&mut a, KeyCode::Char('G')).is_empty(), "asked once");
    update(
        &mut a,
        page(Want::Newest, events(top - 9..=top + 1, "w"), 0, false),
    );
    assert!(a.events().following());
    assert_eq!(a.event_under_cursor().map(|e| e.seq), Some(top + 1));
}

#[test]
fn a_page_read_for_a_filter_is_dropped_with_it_and_a_stale_answer_is_ignored() {
    let mut a = focused();
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "type:workflow_failed");
    key(&mut a, KeyCode::Enter);
    let cmds = key(&mut a, KeyCode::Char('k'));
    let want = older(Some(1), "type:workflow_failed");
    assert_eq!(cmds, vec![Cmd::EventPage(want.clone())]);
    let mut failed = testing::event(0, "w", "workflow_failed");
    failed.event_data = json!({"error": "boom"});
    update(&mut a, page(want.clone(), vec![failed], -1, true));
    assert_eq!(shown(&a), vec![0]);
    key(&mut a, KeyCode::Esc);
    assert_eq!(
        shown(&a),
        vec![1, 2, 3, 4, 5, 6],
        "only complete history is shown"
    );
    // An answer to a filter no longer in force adds nothing.
    update(&mut a, page(want, events(-5..=-1, "w"), -6, false));
    assert_eq!(a.events().all().len(), 6);
}

#[test]
fn a_page_back_for_the_selected_workflow_is_not_continued_for_another() {
    let mut a = focused();
    key(&mut a, KeyCode::Char('e')); // the selected workflow's events only
    let first = a.selected_id().unwrap().to_string();
    let cmds = key(&mut a, KeyCode::Char('k'));
    let want = Want::Older {
        before: Some(1),
        filter: String::new(),
        workflow: Some(first.clone()),
    };
    assert_eq!(cmds, vec![Cmd::EventPage(want.clone())]);
    update(&mut a, page(want, events(-3..=0, &first), -500, false));
    assert_eq!(a.events().all().len(), 10);
    // Another workflow selected: its page back starts below what is held for all, not
    // where the first one's search stopped, and the first one's pages are let go.
    a.screen_mut().focus_on(super::pane::workflows::ID);
    key(&mut a, KeyCode::Char('j'));
    let second = a.selected_id().unwrap().to_string();
    assert_ne!(first, second);
    a.screen_mut().focus_on(events::ID);
    key(&mut a, KeyCode::Char('g'));
    let cmds = key(&mut a, KeyCode::Char('k'));
    let want = Want::Older {
        before: Some(1),
        filter: String::new(),
        workflow: Some(second),
    };
    assert_eq!(cmds, vec![Cmd::EventPage(want)]);
    assert_eq!(a.events().all().len(), 6);
}

#[test]
fn a_click_puts_the_cursor_on_the_line_clicked() {
    let mut a = focused();
    let area = super::layout::areas(ratatui::layout::Rect::new(0, 0, 80, 24), None).of(events::ID);
    update(
        &mut a,
        Msg::Mouse(crossterm::event::MouseEvent {
            kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column: 10,
            row: area.y + 1,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(
        a.event_under_cursor().map(|e| e.seq),
        Some(4),
        "the first line shown"
    );
    assert!(!a.events().following());
}

#[test]
fn event_log_with_a_cursor_80x24() {
    let mut a = focused();
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Char('k'));
    insta::assert_snapshot!(render(&a));
}

#[test]
fn event_opened_80x24() {
    let mut a = focused();
    let wf = a.held().visible()[0].to_string();
    let mut e = testing::event(7, &wf, "phase_advanced");
    e.event_data = json!({
        "from": "planning", "to": "coding", "handoff_id": "h-7",
        "note": "evil \u{1b}[2J text", "outputs": { "tasks": ["api", "ui"] }
    });
    update(
        &mut a,
        Msg::Data(Delta {
            events: vec![e],
            ..Delta::default()
        }),
    );
    key(&mut a, KeyCode::Enter);
    let screen = render(&a);
    assert!(!screen.contains('\u{1b}'));
    insta::assert_snapshot!(screen);
}
