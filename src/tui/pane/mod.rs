//! The pane registry. A pane is one file implementing [`Pane`] plus one line in [`PANES`]:
//! layout gives it a place, Tab and Shift-Tab cycle through the list in order, `view`
//! draws each, `update` hands it movement keys, clicks and the wheel, and the key registry
//! takes in its own keys.

pub mod detail;
mod detail_travel;
pub mod events;
pub mod history;
pub mod workflows;

pub use crate::tui::app::PaneId;

use super::app::App;
use super::keys::binding::Binding;
use super::view::style::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;

/// Every pane, in Tab order; the first has the focus at start.
pub static PANES: &[&dyn Pane] = &[&workflows::Workflows, &detail::DetailPane, &events::Events];

/// Where a pane goes on the unzoomed screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The main area: left on wide terminals, top on narrow ones.
    Main,
    /// Beside the main area on wide terminals, below it on narrow ones.
    Side,
    /// A strip along the bottom.
    Strip,
}

/// A movement a pane is asked to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scroll {
    By(isize),
    Top,
    Bottom,
}

pub trait Pane: Sync {
    fn id(&self) -> PaneId;
    fn place(&self) -> Place;
    /// Keys that belong to this pane (shown in the footer when it has the focus).
    fn bindings(&self) -> &'static [Binding] {
        &[]
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, focused: bool, t: Theme);
    /// Moves what this pane moves: a selection or a scroll position.
    fn scroll(&self, app: &mut App, s: Scroll);
    /// How far a page moves in `area`.
    fn page(&self, area: Rect) -> usize {
        usize::from(area.height.saturating_sub(2))
    }
    /// A left click at screen row `y` inside `area` (the pane already has the focus).
    fn click(&self, _app: &mut App, _area: Rect, _y: u16) {}
    /// Runs after every update, with the pane's area now: keeps what it shows in range.
    fn settle(&self, _app: &mut App, _area: Rect) {}
}

pub fn get(id: PaneId) -> Option<&'static dyn Pane> {
    PANES.iter().copied().find(|p| p.id() == id)
}

/// The pane with the focus.
pub fn focused(app: &App) -> &'static dyn Pane {
    app.screen().focus().and_then(get).unwrap_or(PANES[0])
}

/// Moves the focus to the next (or previous) registered pane, wrapping around.
pub fn focus_next(app: &mut App, forward: bool) {
    let n = PANES.len();
    let at = PANES
        .iter()
        .position(|p| p.id() == focused(app).id())
        .unwrap_or(0);
    let to = if forward {
        (at + 1) % n
    } else {
        (at + n - 1) % n
    };
    app.screen_mut().focus_on(PANES[to].id());
}
