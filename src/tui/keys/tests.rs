//! The registry's own rules: every binding is complete and reachable, no key means two
//! things, the footer and help are generated from it, and Tab reaches every pane.

use super::*;
use crate::tui::app::{Overlay, Session};
use crate::tui::msg::Msg;
use crate::tui::pane::{self, PANES};
use crate::tui::testing;
use crate::tui::update::update;
use crossterm::event::KeyCode::{BackTab, Char, Tab};

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn no_key_and_no_name_is_bound_twice() {
    // A key means one thing in each scope; a pane's own key wins while that pane has the
    // focus (elsewhere the first in registry order answers).
    let mut names = Vec::new();
    let mut seen: Vec<(Scope, KeyCode)> = Vec::new();
    for (scope, b) in all() {
        assert!(!names.contains(&b.name), "{} named twice", b.name);
        names.push(b.name);
        for k in b.keys {
            let twice = seen.iter().any(|(s, o)| o == k && *s == scope);
            assert!(!twice, "{k:?} bound twice in {scope:?}");
            seen.push((scope, *k));
        }
    }
}

#[test]
fn a_focused_panes_own_key_wins_and_hides_the_other_meaning_from_its_footer() {
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    let slash = KeyEvent::new(Char('/'), KeyModifiers::NONE);
    let events = crate::tui::pane::events::ID;
    let workflows = crate::tui::pane::workflows::ID;
    assert_eq!(
        action_for(&enter, events).map(|b| b.name),
        Some("open event")
    );
    assert_eq!(action_for(&enter, workflows).map(|b| b.name), Some("zoom"));
    assert_eq!(
        action_for(&slash, events).map(|b| b.name),
        Some("filter events")
    );
    assert_eq!(
        action_for(&slash, workflows).map(|b| b.name),
        Some("filter")
    );
    let names = |p| footer(p, false).iter().map(|b| b.name).collect::<Vec<_>>();
    assert!(names(events).contains(&"zoom"), "z still zooms there");
    assert!(names(events).contains(&"open event"));
    assert!(!names(workflows).contains(&"open event"));
}

#[test]
fn every_binding_has_a_key_and_help_and_every_footer_word_a_label() {
    for (_, b) in all() {
        assert!(!b.keys.is_empty(), "{} has no key", b.name);
        assert!(!b.help.is_empty(), "{} has no help", b.name);
        if b.footer.is_some() {
            assert!(
                !b.label.is_empty(),
                "{} is in the footer unlabelled",
                b.name
            );
        }
    }
}

#[test]
fn every_action_is_complete_and_shown_in_help_and_where_it_says_in_the_footer() {
    let help: Vec<&str> = help(false).map(|b| b.name).collect();
    for b in actions::ACTIONS {
        assert!(b.dangerous(), "{}", b.name);
        assert!(!b.keys.is_empty() && !b.label.is_empty() && !b.help.is_empty());
        assert!(help.contains(&b.name), "{} missing from help", b.name);
        for p in PANES {
            let footer = footer(p.id(), false);
            assert_eq!(
                footer.iter().any(|f| f.name == b.name),
                b.footer.is_some(),
                "{} in the footer of {:?}",
                b.name,
                p.id()
            );
        }
    }
}

#[test]
fn the_actions_are_the_only_dangerous_bindings_and_read_only_hides_them_all() {
    let dangerous: Vec<&str> = all()
        .filter(|(_, b)| b.dangerous())
        .map(|(_, b)| b.name)
        .collect();
    let actions: Vec<&str> = actions::ACTIONS.iter().map(|b| b.name).collect();
    assert_eq!(dangerous, actions);
    assert!(help(true).all(|b| !b.dangerous()));
    for p in PANES {
        assert!(footer(p.id(), true).iter().all(|b| !b.dangerous()));
    }
    assert!(
        footer(PANES[0].id(), false)
            .iter()
            .any(|b| b.name == "advance")
    );
}

#[test]
fn a_panes_keys_are_in_its_footer_only_and_help_comes_first() {
    for (scope, b) in all().filter(|(_, b)| b.footer.is_some()) {
        for p in PANES {
            let shown = footer(p.id(), false).iter().any(|f| f.name == b.name);
            let belongs = scope == Scope::Everywhere || scope == Scope::Only(p.id());
            assert_eq!(shown, belongs, "{} in the footer of {:?}", b.name, p.id());
        }
    }
    for p in PANES {
        assert_eq!(footer(p.id(), false)[0].name, "help");
    }
}

#[test]
fn help_lists_every_binding_in_registry_order() {
    let listed: Vec<&str> = help(false).map(|b| b.name).collect();
    let registered: Vec<&str> = all().map(|(_, b)| b.name).collect();
    assert_eq!(listed, registered);
}

#[test]
fn tab_cycles_through_every_registered_pane_and_shift_tab_back() {
    let mut a = testing::app();
    let mut seen = vec![pane::focused(&a).id()];
    for _ in 1..PANES.len() {
        update(&mut a, key(Tab));
        seen.push(pane::focused(&a).id());
    }
    let registered: Vec<_> = PANES.iter().map(|p| p.id()).collect();
    assert_eq!(seen, registered);
    update(&mut a, key(Tab));
    assert_eq!(pane::focused(&a).id(), registered[0], "wraps around");
    update(&mut a, key(BackTab));
    assert_eq!(pane::focused(&a).id(), *registered.last().unwrap());
}

#[test]
fn every_action_key_opens_its_dialog_or_says_why_not() {
    for b in actions::ACTIONS {
        let mut a = testing::app();
        update(&mut a, key(b.keys[0]));
        let dialog = matches!(a.overlays().shown(), Some(Overlay::Confirm(_)));
        let refused = a.session().flash().is_some();
        assert!(
            dialog ^ refused,
            "{}: dialog {dialog}, refused {refused}",
            b.name
        );
    }
}

#[test]
fn shifted_letters_and_control_keys_resolve() {
    let shift_a = KeyEvent::new(Char('A'), KeyModifiers::SHIFT);
    assert_eq!(
        action_for(&shift_a, PANES[0].id()).map(|b| b.name),
        Some("acknowledge")
    );
    let ctrl = |c| KeyEvent::new(Char(c), KeyModifiers::CONTROL);
    assert_eq!(
        action_for(&ctrl('c'), PANES[0].id()).map(|b| b.name),
        Some("quit")
    );
    assert_eq!(
        action_for(&ctrl('d'), PANES[0].id()).map(|b| b.name),
        Some("page down")
    );
    assert_eq!(
        action_for(&ctrl('u'), PANES[0].id()).map(|b| b.name),
        Some("page up")
    );
    assert!(action_for(&ctrl('x'), PANES[0].id()).is_none());
}

#[test]
fn read_only_sessions_refuse_before_any_dialog() {
    let s = Session::new("t".into(), true);
    assert!(s.read_only());
    let mut a = testing::opened(true);
    for b in actions::ACTIONS {
        update(&mut a, key(b.keys[0]));
        assert!(a.overlays().shown().is_none(), "{}", b.name);
    }
}
