//! What one key binding is: its keys, how the footer and the help show it, and what it
//! does. Global keys, each pane's keys and the actions are all bindings of this shape.

use crate::tui::app::{App, Row};
use crate::tui::confirm::Confirm;
use crate::tui::msg::Cmd;
use crossterm::event::KeyCode;

/// A movement within the focused pane; the pane decides what moves (a selection, a scroll).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
}

/// Works out the confirmation for an action on the selected row, or says why it cannot be
/// done (the engine's rules refuse it before any dialog opens).
pub type Plan = fn(&App, &Row) -> Result<Confirm, String>;

#[derive(Clone, Copy)]
pub enum Does {
    Move(Move),
    /// Changes the dashboard's state; may ask the runtime for something.
    Run(fn(&mut App) -> Vec<Cmd>),
    /// Changes the database: asks first, and is refused and hidden in read-only mode.
    Act(Plan),
}

#[derive(Clone, Copy)]
pub struct Binding {
    /// Unique; how tests and the few keys with special roles (quit) find it.
    pub name: &'static str,
    pub keys: &'static [KeyCode],
    /// The key as the footer shows it (`j/k`); empty for the second half of a pair.
    pub label: &'static str,
    /// The footer's word for it; `None` shows it only in help.
    pub footer: Option<&'static str>,
    pub help: &'static str,
    pub does: Does,
}

impl Binding {
    pub fn dangerous(&self) -> bool {
        matches!(self.does, Does::Act(_))
    }
}

impl std::fmt::Debug for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Binding")
            .field("name", &self.name)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}
