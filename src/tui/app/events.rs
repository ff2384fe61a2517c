//! The audit trail held for the event log: a bounded run of events in seq order, the
//! cursor on one of them, the log's filter and scope, and how far back it has paged. The
//! log follows new events only while the cursor is at the newest; paging back holds older
//! events by dropping the newest, and the log then stands back in history until `G`
//! reads the newest again.

use super::paging::{Paging, Want};
use crate::model::Event;
use crate::tui::event_filter::EventFilter;
use std::collections::VecDeque;

/// Events kept in the log, at most.
pub const EVENTS_KEPT: usize = 2000;

#[derive(Debug, Clone, Default)]
pub struct EventLog {
    events: VecDeque<Event>,
    /// The event under the cursor; `None`: the newest, and the log follows.
    cursor: Option<i64>,
    /// Lines between the newest shown event and the bottom of the view.
    view_back: usize,
    selected_only: bool,
    filter_text: String,
    filter: EventFilter,
    paging: Paging,
    /// The highest `seq` seen, held or not.
    newest_seen: i64,
}

/// Where the cursor stands among the events shown.
pub fn cursor_index(cursor: Option<i64>, shown: &[i64]) -> usize {
    match cursor {
        None => shown.len().saturating_sub(1),
        Some(seq) => shown.partition_point(|s| *s <= seq).saturating_sub(1),
    }
}

impl EventLog {
    /// Follows new events: the cursor is at the newest and the log holds the live end.
    pub fn following(&self) -> bool {
        self.cursor.is_none() && !self.paging.detached()
    }
    pub fn cursor(&self) -> Option<i64> {
        self.cursor
    }
    pub fn view_back(&self) -> usize {
        self.view_back
    }
    pub fn selected_only(&self) -> bool {
        self.selected_only
    }
    pub fn all(&self) -> &VecDeque<Event> {
        &self.events
    }
    pub fn filter(&self) -> &EventFilter {
        &self.filter
    }
    pub fn filter_text(&self) -> &str {
        &self.filter_text
    }
    pub fn paging(&self) -> &Paging {
        &self.paging
    }
    pub fn newest_seen(&self) -> i64 {
        self.newest_seen
    }

    /// Events shown in the log: all, or those of workflow `selected`, that pass the filter.
    /// `build` names a held workflow's build id.
    pub fn shown<'a>(
        &'a self,
        selected: Option<&str>,
        build: &dyn Fn(&str) -> Option<&'a str>,
    ) -> Vec<&'a Event> {
        self.events
            .iter()
            .filter(|e| self.shows(e, selected, build))
            .collect()
    }

    fn shows<'a>(
        &self,
        e: &Event,
        selected: Option<&str>,
        build: &dyn Fn(&str) -> Option<&'a str>,
    ) -> bool {
        let in_scope = match (self.selected_only, selected) {
            (true, Some(id)) => e.workflow_id == id,
            _ => true,
        };
        in_scope && (self.filter.is_empty() || self.filter.matches(e, build(&e.workflow_id)))
    }

    /// Adds events as they arrive (after dropping all held on a full load). They arrive in
    /// commit order, which on PostgreSQL is not always seq order: a late one goes to its
    /// place by seq, and one already held is not added twice. The cursor stays on its
    /// event, and a view scrolled back stays on the lines it shows. Standing back in
    /// history, the log holds no live events (they would leave a gap).
    pub fn merge<'a>(
        &mut self,
        events: Vec<Event>,
        full: bool,
        selected: Option<&str>,
        build: &dyn Fn(&str) -> Option<&'a str>,
    ) {
        if full {
            self.events.clear();
            self.paging = Paging::default();
        }
        if let Some(top) = events.iter().map(|e| e.seq).max() {
            self.newest_seen = self.newest_seen.max(top);
        }
        if self.paging.detached() {
            return;
        }
        if self.cursor.is_some() && !full {
            self.view_back += events
                .iter()
                .filter(|e| self.shows(e, selected, build))
                .count();
        }
        for e in events {
            self.insert(e);
        }
        let mut dropped = None;
        while self.events.len() > EVENTS_KEPT {
            dropped = self.events.pop_front().map(|e| e.seq);
        }
        if let Some(seq) = dropped {
            self.paging.dropped_oldest(seq);
        }
    }

    fn insert(&mut self, e: Event) {
        match self.events.back() {
            Some(last) if e.seq <= last.seq => {
                if let Err(at) = self.events.binary_search_by_key(&e.seq, |x| x.seq) {
                    self.events.insert(at, e);
                }
            }
            _ => self.events.push_back(e),
        }
    }

    /// Older events read for `want`: added below the oldest held, dropping the newest
    /// beyond the cap (the log then stands back in history). A page read for a filter or
    /// scope no longer in force is dropped.
    pub fn accept_older(&mut self, want: &Want, events: Vec<Event>, reached: i64, done: bool) {
        if !self.paging.answers(want) {
            return;
        }
        let oldest = self.events.front().map_or(i64::MAX, |e| e.seq);
        for e in events.into_iter().rev().filter(|e| e.seq < oldest) {
            self.events.push_front(e);
        }
        let mut dropped = 0;
        while self.events.len() > EVENTS_KEPT {
            self.events.pop_back();
            dropped += 1;
        }
        self.paging.answered(reached, done, dropped > 0);
        self.view_back = self.view_back.saturating_sub(dropped);
        if dropped > 0 && self.cursor.is_none() {
            self.cursor = self.events.back().map(|e| e.seq);
        }
    }

    /// The newest events read again (after standing back in history): they replace all
    /// held, and the log follows.
    pub fn accept_newest(&mut self, want: &Want, events: Vec<Event>) {
        if !self.paging.answers(want) {
            return;
        }
        self.events = events.into();
        self.paging = Paging::default();
        self.paging.held_from(self.events.front().map(|e| e.seq));
        self.cursor = None;
        self.view_back = 0;
    }

    /// What the log wants read, once: the worker's answer comes back through
    /// [`Self::accept_older`] or [`Self::accept_newest`].
    pub fn take_want(&mut self) -> Option<Want> {
        self.paging.take_want()
    }

    pub fn toggle_follow(&mut self, shown: &[i64]) {
        if self.following() {
            self.cursor = shown.last().copied();
        } else {
            self.scroll_to_bottom();
        }
    }
    pub fn toggle_scope(&mut self) {
        self.selected_only = !self.selected_only;
        self.view_back = 0;
        self.paging.narrowed(self.events.front().map(|e| e.seq));
        self.drop_partial();
    }

    /// A new filter (its problem, if any, is [`EventFilter::problem`]'s). Events held only
    /// because they matched the old one's pages back are dropped: the log never shows a run
    /// of history with holes in it.
    pub fn set_filter(&mut self, text: String) {
        self.filter = EventFilter::parse(&text);
        self.filter_text = text;
        self.view_back = 0;
        self.drop_partial();
    }

    fn drop_partial(&mut self) {
        if let Some(from) = self.paging.complete_from() {
            while self.events.front().is_some_and(|e| e.seq < from) {
                self.events.pop_front();
            }
        }
        self.paging.narrowed(self.events.front().map(|e| e.seq));
    }

    /// Keeps the cursor in a view of `lines` lines over `shown` events, and the view within
    /// them (never half empty above the first event).
    pub fn settle(&mut self, shown: &[i64], lines: usize) {
        let n = shown.len();
        if n == 0 {
            self.view_back = 0;
            return;
        }
        let from_bottom = n - 1 - cursor_index(self.cursor, shown);
        let lines = lines.max(1);
        if from_bottom < self.view_back {
            self.view_back = from_bottom;
        } else if from_bottom >= self.view_back + lines {
            self.view_back = from_bottom + 1 - lines;
        }
        self.view_back = self.view_back.min(n.saturating_sub(lines));
    }

    /// Moves the cursor `delta` lines over `shown`. At the newest it follows again; moving
    /// up past the oldest held asks for the page before it, and down past the newest held
    /// (back in history) for the newest again. `workflow` is what a page back
    /// is narrowed to (the selected one, when the log shows only its events).
    pub fn scroll_by(&mut self, delta: isize, shown: &[i64], workflow: Option<&str>) {
        if shown.is_empty() {
            if delta < 0 {
                self.ask_older(workflow);
            }
            return;
        }
        let at = cursor_index(self.cursor, shown);
        if delta < 0 && at.checked_add_signed(delta).is_none() {
            self.ask_older(workflow);
        }
        // Down from the newest held, back in history: the newest are read again.
        if delta > 0 && at + 1 == shown.len() && self.paging.detached() {
            return self.scroll_to_bottom();
        }
        let to = at.saturating_add_signed(delta).min(shown.len() - 1);
        self.cursor = if to == shown.len() - 1 && !self.paging.detached() {
            None
        } else {
            Some(shown[to])
        };
    }
    /// Puts the cursor on event `seq` of `shown` (a click).
    pub fn point_at(&mut self, seq: i64, shown: &[i64]) {
        let newest = shown.last() == Some(&seq) && !self.paging.detached();
        self.cursor = (!newest).then_some(seq);
    }
    pub fn scroll_to_top(&mut self, shown: &[i64]) {
        self.cursor = shown.first().copied();
    }
    /// To the newest: following again, after reading the newest if the log stands back in
    /// history.
    pub fn scroll_to_bottom(&mut self) {
        self.cursor = None;
        self.view_back = 0;
        self.paging.ask_newest();
    }

    fn ask_older(&mut self, workflow: Option<&str>) {
        let workflow = workflow.filter(|_| self.selected_only);
        if self.paging.read_for_other(&self.filter_text, workflow) {
            self.drop_partial();
        }
        let before = self.events.front().map(|e| e.seq);
        self.paging.ask_older(before, &self.filter_text, workflow);
    }
}
