//! Snapshots of what is drawn over the panes — help, every stage of a confirmation, the
//! copy menu — at the sizes operators use: 60×20, 80×24, 120×40 and 200×60.

use super::app::{App, Overlay};
use super::keys::actions;
use super::testing;
use super::update::update;
use super::view;
use crate::tui::msg::Msg;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 4] = [(60, 20), (80, 24), (120, 40), (200, 60)];

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| view::draw(f, app)).expect("draw");
    t.backend().to_string()
}

/// The fixture at `w`×`h` with `build` selected (and atlas-101's history loaded).
fn at(w: u16, h: u16, build: &str) -> App {
    let mut a = testing::app();
    a.screen_mut().resize(w, h);
    let d = testing::atlas_detail(&a);
    update(&mut a, d);
    let i = a
        .held()
        .visible()
        .iter()
        .position(|id| a.held().rows()[id].wf.build_id() == build)
        .expect("shown");
    a.select(i);
    a
}

fn press(a: &mut App, code: KeyCode) {
    update(a, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Snapshots `app` at every size, after `setup` ran on each.
fn snap_all(name: &str, build: &str, setup: impl Fn(&mut App)) {
    for (w, h) in SIZES {
        let mut a = at(w, h, build);
        setup(&mut a);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&a, w, h));
    }
}

#[test]
fn help_shows_its_first_page_and_where_it_is() {
    snap_all("help", "atlas-101", |a| press(a, KeyCode::Char('?')));
}

#[test]
fn help_scrolled_to_the_end_shows_the_mouse_and_every_key() {
    snap_all("help_end", "atlas-101", |a| {
        press(a, KeyCode::Char('?'));
        press(a, KeyCode::Char('G'));
    });
    // At 80×24, the keys the old help never showed are reachable.
    let mut a = at(80, 24, "atlas-101");
    press(&mut a, KeyCode::Char('?'));
    let mut seen = String::new();
    for _ in 0..10 {
        seen.push_str(&screen(&a, 80, 24));
        press(&mut a, KeyCode::PageDown);
    }
    for k in [
        "q Ctrl-C  quit",
        "e  event log",
        "p  pause / resume live refresh",
        "R  refresh now",
        "wheel",
    ] {
        assert!(seen.contains(k), "{k} never shown at 80×24");
    }
}

#[test]
fn rollback_first_asks_for_the_target() {
    snap_all("rollback_target", "atlas-101", |a| {
        let detail = testing::atlas_detail(a);
        update(a, detail);
        press(a, KeyCode::Char('b'));
        press(a, KeyCode::Down);
    });
}

#[test]
fn rollback_then_takes_the_reason_with_a_cursor() {
    snap_all("rollback_reason", "atlas-101", |a| {
        let detail = testing::atlas_detail(a);
        update(a, detail);
        press(a, KeyCode::Char('b'));
        press(a, KeyCode::Enter);
        for c in "plan missed the API".chars() {
            press(a, KeyCode::Char(c));
        }
        press(a, KeyCode::Left);
        press(a, KeyCode::Left);
    });
}

#[test]
fn cancel_is_confirmed_only_by_y() {
    snap_all("cancel_confirm", "cygnus-12", |a| {
        press(a, KeyCode::Char('x'));
        for c in "superseded by cygnus-13".chars() {
            press(a, KeyCode::Char(c));
        }
        press(a, KeyCode::Enter);
        press(a, KeyCode::Enter);
    });
}

#[test]
fn acting_while_paused_warns_first() {
    snap_all("advance_paused", "atlas-101", |a| {
        press(a, KeyCode::Char('p'));
        press(a, KeyCode::Char('a'));
    });
}

#[test]
fn the_copy_menu_lists_the_ids_with_their_letters() {
    snap_all("copy_menu", "eridanus-9", |a| press(a, KeyCode::Char('Y')));
}

#[test]
fn every_action_dialog_draws_at_80x24() {
    // One per action, each on a workflow it applies to.
    for (action, build) in [
        ("advance", "atlas-101"),
        ("retry", "borealis-7"),
        ("pause/resume", "cygnus-12"),
        ("fail", "atlas-101"),
        ("acknowledge", "eridanus-9"),
    ] {
        let mut a = at(80, 24, build);
        let c = actions::confirm(&a, action).expect("legal action");
        a.overlays_mut().show(Overlay::Confirm(c));
        let name = action.replace('/', "_");
        insta::assert_snapshot!(format!("confirm_{name}_80x24"), screen(&a, 80, 24));
    }
}

#[test]
fn rollback_claims_no_discarded_values_before_the_detail_has_read_them() {
    // The table holds summary rows: before the detail has read the workflow whole, the
    // dialog has no outputs to compare (it used to diff null against the checkpoint's).
    let mut a = at(120, 40, "atlas-101");
    assert_eq!(a.selected_row().expect("atlas").wf.build_id(), "atlas-101");
    press(&mut a, KeyCode::Char('b'));
    let text = screen(&a, 120, 40);
    assert!(
        text.contains("The values it discards show once the detail"),
        "{text}"
    );
    assert!(!text.contains("null →"), "{text}");
    press(&mut a, KeyCode::Esc);
    let detail = testing::atlas_detail(&a);
    update(&mut a, detail);
    press(&mut a, KeyCode::Char('b'));
    let text = screen(&a, 120, 40);
    assert!(
        text.contains("- /planning"),
        "the discarded value, once read: {text}"
    );
}
