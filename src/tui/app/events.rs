//! The audit trail held for the event log: the newest events in seq order, and whether
//! the log follows new ones, is scrolled back, or shows only the selected workflow's.

use crate::model::Event;
use std::collections::VecDeque;

/// Events kept in the log, at most.
pub const EVENTS_KEPT: usize = 2000;

#[derive(Debug, Clone)]
pub struct EventLog {
    events: VecDeque<Event>,
    follow: bool,
    /// Lines scrolled up from the newest event when not following.
    back: usize,
    selected_only: bool,
}

impl Default for EventLog {
    fn default() -> EventLog {
        EventLog {
            events: VecDeque::new(),
            follow: true,
            back: 0,
            selected_only: false,
        }
    }
}

impl EventLog {
    pub fn following(&self) -> bool {
        self.follow
    }
    pub fn back(&self) -> usize {
        self.back
    }
    pub fn selected_only(&self) -> bool {
        self.selected_only
    }
    pub fn all(&self) -> &VecDeque<Event> {
        &self.events
    }

    /// Events shown in the log: all, or those of workflow `selected`.
    pub fn shown(&self, selected: Option<&str>) -> Vec<&Event> {
        match (self.selected_only, selected) {
            (true, Some(id)) => self.events.iter().filter(|e| e.workflow_id == id).collect(),
            _ => self.events.iter().collect(),
        }
    }

    /// Adds events as they arrive (after dropping all held on a full load). They arrive in
    /// commit order, which on PostgreSQL is not always seq order: a late one goes to its
    /// place by seq, and one already held is not added twice. A log scrolled back (not
    /// following) stays on the lines it shows: each new line it would show moves it back
    /// one more. `selected` is the workflow a log of the selected one shows.
    pub fn merge(&mut self, events: Vec<Event>, full: bool, selected: Option<&str>) {
        if full {
            self.events.clear();
        }
        if !self.follow && !full {
            let shown = |e: &Event| !self.selected_only || Some(e.workflow_id.as_str()) == selected;
            self.back += events.iter().filter(|e| shown(e)).count();
        }
        for e in events {
            match self.events.back() {
                Some(last) if e.seq <= last.seq => {
                    if let Err(at) = self.events.binary_search_by_key(&e.seq, |x| x.seq) {
                        self.events.insert(at, e);
                    }
                }
                _ => self.events.push_back(e),
            }
        }
        while self.events.len() > EVENTS_KEPT {
            self.events.pop_front();
        }
    }

    pub fn toggle_follow(&mut self) {
        self.follow = !self.follow;
        if self.follow {
            self.back = 0;
        }
    }
    pub fn toggle_scope(&mut self) {
        self.selected_only = !self.selected_only;
        self.back = 0;
    }

    /// Keeps the log within its lines: scrolled back no further than a full screen from
    /// the oldest (`max` lines back), so the pane is never half empty above the first event.
    pub fn clamp(&mut self, max: usize) {
        self.back = self.back.min(max);
    }

    /// Scrolling up leaves follow mode; back at the bottom resumes it.
    pub fn scroll_by(&mut self, delta: isize, shown: usize) {
        self.back = self.back.saturating_add_signed(-delta);
        self.back = self.back.min(shown.saturating_sub(1));
        self.follow = self.back == 0;
    }
    pub fn scroll_to_top(&mut self, shown: usize) {
        self.back = shown.saturating_sub(1);
        self.follow = false;
    }
    pub fn scroll_to_bottom(&mut self) {
        self.back = 0;
        self.follow = true;
    }
}
