//! What the event log needs from more than one sub-state: the events it shows (its filter
//! reads build ids from the held workflows; its scope, the selection), moving its cursor,
//! its filter, opening the event under the cursor, and the pages the worker read for it.

use super::{App, Overlay, Want, cursor_index};
use crate::model::Event;
use crate::tui::event_view::EventView;

impl App {
    /// Events shown in the log: all, or the selected workflow's, that pass its filter.
    pub fn shown_events(&self) -> Vec<&Event> {
        let held = &self.held;
        self.events.shown(self.selected_id(), &|id| {
            held.row(id).map(|r| r.wf.build_id())
        })
    }

    fn shown_seqs(&self) -> Vec<i64> {
        self.shown_events().iter().map(|e| e.seq).collect()
    }

    /// The event under the log's cursor.
    pub fn event_under_cursor(&self) -> Option<&Event> {
        let shown = self.shown_events();
        let seqs: Vec<i64> = shown.iter().map(|e| e.seq).collect();
        shown
            .get(cursor_index(self.events.cursor(), &seqs))
            .copied()
    }

    pub fn move_event_cursor(&mut self, delta: isize) {
        let seqs = self.shown_seqs();
        let selected = self.selected_id().map(str::to_string);
        self.events.scroll_by(delta, &seqs, selected.as_deref());
    }
    /// A click on line `row` of the log's view of `lines` lines.
    pub fn click_event(&mut self, row: usize, lines: usize) {
        let seqs = self.shown_seqs();
        let end = seqs.len().saturating_sub(self.events.view_back());
        let at = end.saturating_sub(lines) + row;
        if at < end {
            self.events.point_at(seqs[at], &seqs);
        }
    }
    pub fn event_cursor_to_top(&mut self) {
        let seqs = self.shown_seqs();
        self.events.scroll_to_top(&seqs);
    }
    pub fn event_cursor_to_bottom(&mut self) {
        self.events.scroll_to_bottom();
    }
    pub fn toggle_event_follow(&mut self) {
        let seqs = self.shown_seqs();
        self.events.toggle_follow(&seqs);
    }
    /// Keeps the cursor in the log's view of `lines` lines.
    pub fn settle_events(&mut self, lines: usize) {
        let seqs = self.shown_seqs();
        self.events.settle(&seqs, lines);
    }

    pub fn set_event_filter(&mut self, text: String) {
        self.events.set_filter(text);
    }

    /// Opens the event under the cursor in full; says so when there is none.
    pub fn open_event(&mut self) {
        let Some(e) = self.event_under_cursor() else {
            self.session
                .say(super::Level::Info, "no event here to open".to_string());
            return;
        };
        let build = self.held.row(&e.workflow_id).map(|r| r.wf.build_id());
        let view = EventView::new(e, build);
        self.overlays.show(Overlay::Event(Box::new(view)));
    }

    /// A page the worker read for the log (see [`Want`]).
    pub fn accept_event_page(&mut self, want: &Want, events: Vec<Event>, reached: i64, done: bool) {
        match want {
            Want::Older { .. } => self.events.accept_older(want, events, reached, done),
            Want::Newest => self.events.accept_newest(want, events),
        }
    }
}
