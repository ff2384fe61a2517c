//! The key registry: every binding, in the order help lists them. It is composed of the
//! global keys, each registered pane's own keys, the actions and the copy keys; the footer
//! and the help overlay are generated from it, and read-only mode drops the dangerous
//! bindings here.

pub mod actions;
pub mod binding;
pub mod bulk;
mod copy;
mod global;
pub mod help;
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

/// A titled group of bindings, as help shows it.
pub struct Section {
    pub title: String,
    pub scope: Scope,
    pub bindings: &'static [Binding],
}

/// The registry in help's order: the global keys, each pane's keys in pane order, the
/// actions, copying, then the rest of the global keys.
pub fn sections() -> Vec<Section> {
    let everywhere = |title: &str, bindings| Section {
        title: title.into(),
        scope: Scope::Everywhere,
        bindings,
    };
    let mut all = vec![everywhere("Moving", global::HEAD)];
    all.extend(PANES.iter().map(|p| Section {
        title: format!("{} pane", capitalized(p.id().0)),
        scope: Scope::Only(p.id()),
        bindings: p.bindings(),
    }));
    all.push(everywhere(
        "Actions on the selected workflow (each asks first)",
        actions::ACTIONS,
    ));
    all.push(everywhere("Copying", copy::COPY));
    all.push(everywhere("Session", global::TAIL));
    all
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// Every binding with where it applies, in help's order.
pub fn all() -> impl Iterator<Item = (Scope, &'static Binding)> {
    sections()
        .into_iter()
        .flat_map(|s| s.bindings.iter().map(move |b| (s.scope, b)))
}

/// Control keys that are another key for a binding (readline and `less` habits). Outside a
/// text field these are the only control keys with a meaning; in one, the field's own
/// (`text_field::KEYS`) apply instead.
pub const CONTROL: &[(char, &str)] = &[('c', "quit"), ('d', "page down"), ('u', "page up")];

/// What the mouse does while it is captured (`m` turns capture off and on).
pub const MOUSE: &[(&str, &str)] = &[
    (
        "click",
        "focus the pane under the pointer; select the row clicked",
    ),
    (
        "wheel",
        "scroll the pane under the pointer (it keeps no focus)",
    ),
];

pub fn by_name(name: &str) -> Option<&'static Binding> {
    all().map(|(_, b)| b).find(|b| b.name == name)
}

/// The binding for `key` while `focus` has the focus. The focused pane's own keys come
/// first, so a pane may give a key its own meaning there (`Enter` opens an event in the
/// event log and zooms elsewhere); otherwise a pane's keys work from any pane (the footer
/// shows them where they belong).
pub fn action_for(key: &KeyEvent, focus: PaneId) -> Option<&'static Binding> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        let KeyCode::Char(c) = key.code else {
            return None;
        };
        let c = c.to_ascii_lowercase();
        return CONTROL
            .iter()
            .find(|(k, _)| *k == c)
            .and_then(|(_, name)| by_name(name));
    }
    let own = all().filter(|(scope, _)| *scope == Scope::Only(focus));
    own.chain(all())
        .map(|(_, b)| b)
        .find(|b| b.keys.contains(&key.code))
}

/// Whether every key of `b` (in `scope`) means something else while `pane` has the focus,
/// by one of that pane's own bindings (whose keys are `own`).
fn shadowed(scope: Scope, b: &Binding, pane: PaneId, own: &[KeyCode]) -> bool {
    scope != Scope::Only(pane) && b.keys.iter().all(|k| own.contains(k))
}

/// The names of every key for `b`, its control keys included (`PgDn Ctrl-D`).
pub fn key_names(b: &Binding) -> Vec<String> {
    let mut names: Vec<String> = b.keys.iter().map(key_name).collect();
    names.extend(
        CONTROL
            .iter()
            .filter(|(_, name)| *name == b.name)
            .map(|(c, _)| format!("Ctrl-{}", c.to_ascii_uppercase())),
    );
    names
}

/// Bindings for the footer when `pane` has the focus, `?` first: a narrow terminal cuts
/// the footer at the right, and help must survive.
pub fn footer(pane: PaneId, read_only: bool) -> Vec<&'static Binding> {
    let own: Vec<KeyCode> = all()
        .filter(|(s, _)| *s == Scope::Only(pane))
        .flat_map(|(_, o)| o.keys.iter().copied())
        .collect();
    let mut shown: Vec<_> = all()
        .filter(|(scope, b)| !shadowed(*scope, b, pane, &own))
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

/// Every binding help lists: all of them, but no action in read-only mode.
pub fn help(read_only: bool) -> impl Iterator<Item = &'static Binding> {
    all()
        .map(|(_, b)| b)
        .filter(move |b| !(read_only && b.dangerous()))
}

/// A key's name as shown in help.
pub fn key_name(code: &KeyCode) -> String {
    use KeyCode::*;
    match code {
        Char(' ') => "Space".into(),
        Char(c) => c.to_string(),
        Up => "↑".into(),
        Left => "←".into(),
        Right => "→".into(),
        Backspace => "Backspace".into(),
        Delete => "Delete".into(),
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
