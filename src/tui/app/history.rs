//! The history view (`5`): finished workflows, newest first, read from the database a
//! page at a time as the selection nears the end of what is held, under a filter the
//! database answers. A new view or filter starts a new generation, so a page still in
//! flight for an older one is dropped when it arrives.

use super::held::Row;
use crate::model::Workflow;
use crate::tui::history_filter::HistoryFilter;
use crate::tui::msg::{Cmd, HistoryCursor, HistoryPage, HistoryRequest, Total};

/// Rows asked for at a time.
pub const PAGE: usize = 200;
/// At most this many rows are held; past it the view asks for a narrower filter.
pub const HELD_MAX: usize = 10_000;
/// The next page is asked for when the selection comes this close to the last row held.
const AHEAD: usize = PAGE / 2;

#[derive(Debug, Clone, Default)]
pub struct History {
    active: bool,
    generation: u64,
    filter_text: String,
    filter: HistoryFilter,
    filter_error: Option<String>,
    rows: Vec<Row>,
    selected: usize,
    offset: usize,
    /// Where the next page starts; `None` once the last page arrived.
    next: Option<HistoryCursor>,
    /// A request is in flight (at most one at a time).
    loading: bool,
    /// The first page has arrived for this generation.
    loaded: bool,
    total: Option<Total>,
    error: Option<String>,
}

impl History {
    pub fn active(&self) -> bool {
        self.active
    }
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }
    pub fn selected(&self) -> usize {
        self.selected
    }
    pub fn offset(&self) -> usize {
        self.offset
    }
    pub fn loading(&self) -> bool {
        self.loading
    }
    pub fn loaded(&self) -> bool {
        self.loaded
    }
    pub fn total(&self) -> Option<Total> {
        self.total
    }
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
    pub fn filter_text(&self) -> &str {
        &self.filter_text
    }
    pub fn filter_error(&self) -> Option<&str> {
        self.filter_error.as_deref()
    }
    /// More pages match than are held (and none will be read: the cap was reached).
    pub fn capped(&self) -> bool {
        self.rows.len() >= HELD_MAX && self.next.is_some()
    }
    /// More rows match beyond those held.
    pub fn more(&self) -> bool {
        self.next.is_some()
    }
    pub fn selected_row(&self) -> Option<&Row> {
        self.active.then(|| self.rows.get(self.selected)).flatten()
    }

    /// Opens the view from its first page (under the filter it had).
    pub fn open(&mut self) -> Vec<Cmd> {
        self.active = true;
        self.restart()
    }

    pub fn close(&mut self) {
        self.active = false;
        self.rows = Vec::new();
        self.next = None;
        self.loading = false;
        self.loaded = false;
        self.generation += 1;
    }

    /// A new filter: applied when it parses; otherwise the error is kept for the operator
    /// and the rows of the last good filter stay.
    pub fn set_filter(&mut self, text: String) -> Vec<Cmd> {
        self.filter_text = text;
        match HistoryFilter::parse(&self.filter_text) {
            Ok(f) => {
                self.filter_error = None;
                if f == self.filter && self.loaded {
                    return Vec::new();
                }
                self.filter = f;
                self.restart()
            }
            Err(e) => {
                self.filter_error = Some(e);
                Vec::new()
            }
        }
    }

    fn restart(&mut self) -> Vec<Cmd> {
        self.generation += 1;
        self.rows = Vec::new();
        self.selected = 0;
        self.offset = 0;
        self.next = None;
        self.total = None;
        self.error = None;
        self.loaded = false;
        self.loading = true;
        vec![self.request(None)]
    }

    fn request(&self, after: Option<HistoryCursor>) -> Cmd {
        Cmd::LoadHistory(HistoryRequest {
            generation: self.generation,
            filter: self.filter.clone(),
            after,
            limit: PAGE,
        })
    }

    /// A page arrived: appended when it belongs to this generation.
    pub fn receive(&mut self, page: HistoryPage) {
        if page.generation != self.generation || !self.active {
            return;
        }
        self.loading = false;
        if let Some(e) = page.error {
            self.error = Some(e);
            return;
        }
        self.error = None;
        if !self.loaded {
            self.total = page.total;
        }
        self.loaded = true;
        self.rows.extend(page.rows.into_iter().map(row));
        self.next = page.next;
    }

    /// The next page, when the selection has come near the end of what is held.
    pub fn wanted(&mut self) -> Option<Cmd> {
        if !self.active || self.loading || self.rows.len() >= HELD_MAX {
            return None;
        }
        let next = self.next.clone()?;
        if self.selected + AHEAD < self.rows.len() {
            return None;
        }
        self.loading = true;
        Some(self.request(Some(next)))
    }

    pub fn select(&mut self, i: usize) {
        self.selected = i.min(self.rows.len().saturating_sub(1));
    }
    pub fn move_by(&mut self, delta: isize) {
        self.select(self.selected.saturating_add_signed(delta));
    }
    pub fn select_last(&mut self) {
        self.select(self.rows.len().saturating_sub(1));
    }
    /// Scrolls so that the selection is among the `shown` rows drawn.
    pub fn keep_selection_visible(&mut self, shown: usize) {
        let shown = shown.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + shown {
            self.offset = self.selected + 1 - shown;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(1));
    }
}

/// A finished workflow as a table row: nothing pending, never stuck.
fn row(wf: Workflow) -> Row {
    Row::new(wf)
}
