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

impl DiffView {
    /// The widest line, in characters.
    pub fn widest(&self) -> usize {
        self.text
            .lines
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    }

    /// The box's width on a screen `screen_w` wide: its widest line, within the screen
    /// less a margin, and never narrower than 40 columns (its title and key hints).
    pub fn box_width(&self, screen_w: u16) -> u16 {
        let room = screen_w.saturating_sub(4);
        let want = u16::try_from(self.widest() + 2).unwrap_or(u16::MAX);
        want.clamp(40.min(room), room)
    }

    /// The first column shown at most: the widest line's end at the box's right edge.
    pub fn max_left(&self, screen_w: u16) -> usize {
        let inner = usize::from(self.box_width(screen_w).saturating_sub(2));
        self.widest().saturating_sub(inner)
    }

    /// Moves the view `by` columns sideways (negative: left), within what there is to see.
    pub fn scroll_sideways(&mut self, by: isize, screen_w: u16) {
        self.left = self
            .left
            .saturating_add_signed(by)
            .min(self.max_left(screen_w));
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
