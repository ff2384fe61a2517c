//! The key registry: every binding, in the order help lists them. It is composed of the
//! global keys, each registered pane's own keys, and the actions; the footer and the help
//! overlay are generated from it, and read-only mode drops the dangerous bindings here.

pub mod actions;
pub mod binding;
mod global;
#[cfg(test)]
mod tests;

pub use binding::{Binding, Does, Move, Plan};

use super::app::PaneId;
use super::pane::PANES;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies (and is shown in the footer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Only(PaneId),
}

/// Every binding with where it applies: global keys, each pane's keys in pane order, the
/// actions, then the rest of the global keys.
pub fn all() -> impl Iterator<Item = (Scope, &'static Binding)> {
    let everywhere = |list: &'static [Binding]| list.iter().map(|b| (Scope::Everywhere, b));
    everywhere(global::HEAD)
        .chain(PANES.iter().flat_map(|p| {
            let id = p.id();
            p.bindings().iter().map(move |b| (Scope::Only(id), b))
        }))
        .chain(everywhere(actions::ACTIONS))
        .chain(everywhere(global::TAIL))
}

pub fn by_name(name: &str) -> Option<&'static Binding> {
    all().map(|(_, b)| b).find(|b| b.name == name)
}

/// The binding for `key`, whichever pane has the focus (a pane's keys work from any pane;
/// the footer shows them where they belong). Ctrl-C always quits; Ctrl-D/U page.
pub fn action_for(key: &KeyEvent) -> Option<&'static Binding> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => by_name("quit"),
            KeyCode::Char('d') => by_name("page down"),
            KeyCode::Char('u') => by_name("page up"),
            _ => None,
        };
    }
    all().map(|(_, b)| b).find(|b| b.keys.contains(&key.code))
}

/// Bindings for the footer when `pane` has the focus, `?` first: a narrow terminal cuts
/// the footer at the right, and help must survive.
pub fn footer(pane: PaneId, read_only: bool) -> Vec<&'static Binding> {
    let mut shown: Vec<_> = all()
        .filter(|(scope, b)| {
            b.footer.is_some()
                && !b.label.is_empty()
                && !(read_only && b.dangerous())
                && match scope {
                    Scope::Everywhere => true,
                    Scope::Only(p) => *p == pane,
                }
        })
        .map(|(_, b)| b)
        .collect();
    shown.sort_by_key(|b| b.name != "help");
    shown
}

/// Every binding, for the help overlay.
pub fn help(read_only: bool) -> impl Iterator<Item = &'static Binding> {
    all()
        .map(|(_, b)| b)
        .filter(move |b| !(read_only && b.dangerous()))
}

/// A key's name as shown in help.
pub fn key_name(code: &KeyCode) -> String {
    use KeyCode::*;
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
