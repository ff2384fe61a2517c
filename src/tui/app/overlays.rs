//! What is drawn over the panes and takes the keys first: the help (and how far it is
//! scrolled), a confirmation, the copy menu, a diff, an event opened in full, and the
//! filter prompt in the footer (for the workflows, or for the event log).

use crate::tui::confirm::Confirm;
use crate::tui::copy_menu::CopyMenu;
use crate::tui::event_view::EventView;
use crate::tui::text_field::TextField;
use crate::tui::travel::DiffText;

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The first help line shown.
    Help(usize),
    Confirm(Confirm),
    Copy(CopyMenu),
    Event(Box<EventView>),
    /// The diff of the selected workflow's phase outputs (`d`).
    Diff(DiffView),
    /// The fleet's metrics over the last hour (`M`), refreshed while shown.
    Metrics(DiffView),
    /// The command palette (`:`).
    Palette(crate::tui::palette::Palette),
}

/// A diff on screen, the first of its lines shown and the first column (lines wider than
/// the screen scroll sideways: the metrics' table is 150 columns).
#[derive(Debug, Clone, PartialEq)]
pub struct DiffView {
    pub text: DiffText,
    pub at: usize,
    pub left: usize,
}

/// Columns one ←/→ moves the view sideways.
pub const SIDEWAYS: usize = 8;

/// How a [`DiffView`]'s lines fit a screen, worked out once a frame or key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// The box's width: its widest line, within the screen less a margin, and never
    /// narrower than 40 columns (its title and key hints).
    pub width: u16,
    /// The widest line, in characters.
    pub widest: usize,
    /// The first column shown at most: the widest line's end at the box's right edge.
    pub max_left: usize,
}

impl DiffView {
    /// How the lines fit a screen `screen_w` wide.
    pub fn columns(&self, screen_w: u16) -> Columns {
        let widest = self
            .text
            .lines
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        let room = screen_w.saturating_sub(4);
        let want = u16::try_from(widest + 2).unwrap_or(u16::MAX);
        let width = want.clamp(40.min(room), room);
        let max_left = widest.saturating_sub(usize::from(width.saturating_sub(2)));
        Columns {
            width,
            widest,
            max_left,
        }
    }

    /// Moves the view `by` columns sideways (negative: left), within what there is to see.
    pub fn scroll_sideways(&mut self, by: isize, screen_w: u16) {
        self.left = self
            .left
            .saturating_add_signed(by)
            .min(self.columns(screen_w).max_left);
    }
}

/// Seconds between refreshes of the metrics overlay.
pub const METRICS_EVERY: i64 = 5;

#[derive(Debug, Clone, Default)]
pub struct Overlays {
    shown: Option<Overlay>,
    /// The filter being typed, when the prompt is open.
    prompt: Option<TextField>,
    /// When the metrics were last asked for, while the operator wants them shown (from
    /// `M` until they are closed): a reply arriving after that is dropped.
    metrics_asked: Option<crate::model::time::Timestamp>,
    /// The prompt filters the event log, not the workflows.
    events_prompt: bool,
}

impl Overlays {
    pub fn shown(&self) -> Option<&Overlay> {
        self.shown.as_ref()
    }
    pub fn prompt_open(&self) -> bool {
        self.prompt.is_some()
    }
    pub fn prompt(&self) -> Option<&TextField> {
        self.prompt.as_ref()
    }
    pub fn show(&mut self, o: Overlay) {
        self.shown = Some(o);
    }
    /// Takes the overlay off the screen to hand it its key; `show` puts it back.
    pub fn take(&mut self) -> Option<Overlay> {
        self.shown.take()
    }
    /// Opens the prompt on the filter as it is, the cursor at its end.
    pub fn open_prompt(&mut self, text: &str) {
        self.prompt = Some(TextField::with(text));
        self.events_prompt = false;
    }
    /// Opens the prompt on the event log's filter.
    pub fn open_events_prompt(&mut self, text: &str) {
        self.prompt = Some(TextField::with(text));
        self.events_prompt = true;
    }
    /// Whether the open prompt filters the event log.
    pub fn prompt_is_events(&self) -> bool {
        self.prompt.is_some() && self.events_prompt
    }
    pub fn prompt_mut(&mut self) -> Option<&mut TextField> {
        self.prompt.as_mut()
    }
    pub fn close_prompt(&mut self) {
        self.prompt = None;
    }
    /// Whether to ask for the metrics again at `now`: while they are shown, every
    /// [`METRICS_EVERY`]; the first ask is the key's.
    pub fn metrics_due(&mut self, now: crate::model::time::Timestamp) -> bool {
        let shown = matches!(self.shown, Some(Overlay::Metrics(_)));
        let due = self
            .metrics_asked
            .is_some_and(|at| now - at >= chrono::Duration::seconds(METRICS_EVERY));
        if shown && due {
            self.metrics_asked = Some(now);
        }
        shown && due
    }
    pub fn metrics_asked(&mut self, now: crate::model::time::Timestamp) {
        self.metrics_asked = Some(now);
    }
    pub fn metrics_wanted(&self) -> bool {
        self.metrics_asked.is_some()
    }
    pub fn metrics_closed(&mut self) {
        self.metrics_asked = None;
    }
}
