//! Every key binding in one registry. The footer and the help overlay are generated from
//! it, and read-only mode drops the dangerous bindings in one place.

use super::app::{Pane, QuickView};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextPane,
    PrevPane,
    Zoom,
    Back,
    Filter,
    Sort,
    View(QuickView),
    Follow,
    EventsScope,
    PauseLive,
    Refresh,
    Help,
    Quit,
    Advance,
    Retry,
    Rollback,
    Cancel,
    Acknowledge,
}

/// Where a binding applies (and is shown in the footer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Only(Pane),
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [KeyCode],
    pub label: &'static str,
    pub action: KeyAction,
    pub help: &'static str,
    pub scope: Scope,
    /// Changes the database: hidden and refused in read-only mode.
    pub dangerous: bool,
    /// Shown in the footer (the rest only in help).
    pub footer: bool,
}

const fn b(
    keys: &'static [KeyCode],
    label: &'static str,
    action: KeyAction,
    help: &'static str,
    scope: Scope,
    dangerous: bool,
    footer: bool,
) -> Binding {
    Binding {
        keys,
        label,
        action,
        help,
        scope,
        dangerous,
        footer,
    }
}

use KeyCode::{BackTab, Char, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up};
use Scope::{Everywhere, Only};

pub const BINDINGS: &[Binding] = &[
    b(
        &[Char('j'), Down],
        "j/k",
        KeyAction::Down,
        "move down / scroll down",
        Everywhere,
        false,
        true,
    ),
    b(
        &[Char('k'), Up],
        "",
        KeyAction::Up,
        "move up / scroll up",
        Everywhere,
        false,
        false,
    ),
    b(
        &[Char('g'), Home],
        "g/G",
        KeyAction::Top,
        "go to top",
        Everywhere,
        false,
        false,
    ),
    b(
        &[Char('G'), End],
        "",
        KeyAction::Bottom,
        "go to bottom",
        Everywhere,
        false,
        false,
    ),
    b(
        &[PageUp],
        "PgUp",
        KeyAction::PageUp,
        "page up",
        Everywhere,
        false,
        false,
    ),
    b(
        &[PageDown],
        "PgDn",
        KeyAction::PageDown,
        "page down",
        Everywhere,
        false,
        false,
    ),
    b(
        &[Tab],
        "Tab",
        KeyAction::NextPane,
        "next pane",
        Everywhere,
        false,
        true,
    ),
    b(
        &[BackTab],
        "S-Tab",
        KeyAction::PrevPane,
        "previous pane",
        Everywhere,
        false,
        false,
    ),
    b(
        &[Enter],
        "Enter",
        KeyAction::Zoom,
        "zoom the pane to full screen",
        Everywhere,
        false,
        true,
    ),
    b(
        &[Esc],
        "Esc",
        KeyAction::Back,
        "back: close, unzoom, clear filter",
        Everywhere,
        false,
        false,
    ),
    b(
        &[Char('/')],
        "/",
        KeyAction::Filter,
        "filter: text, status:, phase:, role:, project:, stuck",
        Only(Pane::Workflows),
        false,
        true,
    ),
    b(
        &[Char('s')],
        "s",
        KeyAction::Sort,
        "cycle sort order",
        Only(Pane::Workflows),
        false,
        true,
    ),
    b(
        &[Char('1')],
        "1-4",
        KeyAction::View(QuickView::All),
        "view: all",
        Only(Pane::Workflows),
        false,
        true,
    ),
    b(
        &[Char('2')],
        "",
        KeyAction::View(QuickView::Running),
        "view: running",
        Only(Pane::Workflows),
        false,
        false,
    ),
    b(
        &[Char('3')],
        "",
        KeyAction::View(QuickView::Stuck),
        "view: stuck",
        Only(Pane::Workflows),
        false,
        false,
    ),
    b(
        &[Char('4')],
        "",
        KeyAction::View(QuickView::Failed),
        "view: failed",
        Only(Pane::Workflows),
        false,
        false,
    ),
    b(
        &[Char('a')],
        "a",
        KeyAction::Advance,
        "advance to the next phase",
        Everywhere,
        true,
        true,
    ),
    b(
        &[Char('r')],
        "r",
        KeyAction::Retry,
        "retry the current phase",
        Everywhere,
        true,
        true,
    ),
    b(
        &[Char('b')],
        "b",
        KeyAction::Rollback,
        "roll back to an earlier phase",
        Everywhere,
        true,
        true,
    ),
    b(
        &[Char('x')],
        "x",
        KeyAction::Cancel,
        "cancel the workflow",
        Everywhere,
        true,
        false,
    ),
    b(
        &[Char('A')],
        "A",
        KeyAction::Acknowledge,
        "acknowledge the pending handoff",
        Everywhere,
        true,
        false,
    ),
    b(
        &[Char('f')],
        "f",
        KeyAction::Follow,
        "follow / pause the event log",
        Only(Pane::Events),
        false,
        true,
    ),
    b(
        &[Char('e')],
        "e",
        KeyAction::EventsScope,
        "event log: all workflows / selected",
        Only(Pane::Events),
        false,
        true,
    ),
    b(
        &[Char('p')],
        "p",
        KeyAction::PauseLive,
        "pause / resume live refresh",
        Everywhere,
        false,
        false,
    ),
    b(
        &[Char('R')],
        "R",
        KeyAction::Refresh,
        "refresh now",
        Everywhere,
        false,
        false,
    ),
    b(
        &[Char('?')],
        "?",
        KeyAction::Help,
        "help",
        Everywhere,
        false,
        true,
    ),
    b(
        &[Char('q')],
        "q",
        KeyAction::Quit,
        "quit",
        Everywhere,
        false,
        true,
    ),
];

/// The action bound to `key`, if any. Ctrl-C always quits.
pub fn action_for(key: &KeyEvent) -> Option<KeyAction> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            Char('c') => Some(KeyAction::Quit),
            Char('d') => Some(KeyAction::PageDown),
            Char('u') => Some(KeyAction::PageUp),
            _ => None,
        };
    }
    BINDINGS
        .iter()
        .find(|b| b.keys.contains(&key.code))
        .map(|b| b.action)
}

pub fn is_dangerous(action: KeyAction) -> bool {
    BINDINGS.iter().any(|b| b.action == action && b.dangerous)
}

/// Bindings for the footer of `pane`.
pub fn footer(pane: Pane, read_only: bool) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| {
        b.footer
            && !(read_only && b.dangerous)
            && match b.scope {
                Everywhere => true,
                Only(p) => p == pane,
            }
    })
}

/// Every binding, for the help overlay.
pub fn help(read_only: bool) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| !(read_only && b.dangerous))
}

/// A key's name as shown in help.
pub fn key_name(code: &KeyCode) -> String {
    match code {
        Char(c) => c.to_string(),
        Up => "↑".into(),
        Down => "↓".into(),
        Home => "Home".into(),
        End => "End".into(),
        PageUp => "PgUp".into(),
        PageDown => "PgDn".into(),
        Tab => "Tab".into(),
        BackTab => "Shift-Tab".into(),
        Enter => "Enter".into(),
        Esc => "Esc".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen = Vec::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(!seen.contains(k), "{k:?} bound twice");
                seen.push(*k);
            }
        }
    }

    #[test]
    fn read_only_hides_every_dangerous_binding() {
        assert!(help(true).all(|b| !b.dangerous));
        assert!(footer(Pane::Workflows, true).all(|b| !b.dangerous));
        assert!(footer(Pane::Workflows, false).any(|b| b.action == KeyAction::Advance));
        for a in [
            KeyAction::Advance,
            KeyAction::Retry,
            KeyAction::Rollback,
            KeyAction::Cancel,
            KeyAction::Acknowledge,
        ] {
            assert!(is_dangerous(a));
        }
    }

    #[test]
    fn shifted_letters_and_ctrl_c_resolve() {
        let shift_a = KeyEvent::new(Char('A'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&shift_a), Some(KeyAction::Acknowledge));
        let ctrl_c = KeyEvent::new(Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ctrl_c), Some(KeyAction::Quit));
    }
}
