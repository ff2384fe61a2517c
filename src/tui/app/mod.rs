//! The dashboard's state: a plain struct. `update` changes it, `view` draws it.

mod clock;
mod deadlines;
mod order;
#[cfg(test)]
mod tests;

pub use order::Entry;

use super::confirm::Confirm;
use super::filter::Filter;
use super::msg::{Delta, Detail};
use crate::engine::stuck::{Stuck, StuckPolicy};
use crate::model::time::Timestamp;
use crate::model::{Definition, Event, Handoff, Status, Workflow};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Workflows,
    Detail,
    Events,
}

impl Pane {
    pub fn next(self) -> Pane {
        match self {
            Pane::Workflows => Pane::Detail,
            Pane::Detail => Pane::Events,
            Pane::Events => Pane::Workflows,
        }
    }
    pub fn prev(self) -> Pane {
        self.next().next()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickView {
    All,
    Running,
    Stuck,
    Failed,
}

impl QuickView {
    pub fn label(self) -> &'static str {
        match self {
            QuickView::All => "all",
            QuickView::Running => "running",
            QuickView::Stuck => "stuck",
            QuickView::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Updated,
    Age,
    Build,
    Progress,
    Status,
    TimeInPhase,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Updated => SortKey::Age,
            SortKey::Age => SortKey::Build,
            SortKey::Build => SortKey::Progress,
            SortKey::Progress => SortKey::Status,
            SortKey::Status => SortKey::TimeInPhase,
            SortKey::TimeInPhase => SortKey::Updated,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Updated => "updated",
            SortKey::Age => "age",
            SortKey::Build => "build",
            SortKey::Progress => "progress",
            SortKey::Status => "status",
            SortKey::TimeInPhase => "time in phase",
        }
    }
}

/// One workflow as the dashboard holds it.
#[derive(Debug, Clone)]
pub struct Row {
    pub wf: Workflow,
    /// Boxed, like `stuck`: most rows have neither, and rows sit inline in the table.
    pub pending: Option<Box<Handoff>>,
    pub stuck: Option<Box<Stuck>>,
    /// When this row turns stuck if nothing happens (its entry in `App::due`).
    pub due: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Confirm(Confirm),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// Finished workflows kept on screen after they complete, at most.
pub const FINISHED_KEPT: usize = 500;
/// Events kept in the log, at most.
pub const EVENTS_KEPT: usize = 2000;

#[derive(Debug, Clone)]
pub struct App {
    pub db_label: String,
    pub read_only: bool,
    pub now: Timestamp,
    pub size: (u16, u16),
    /// Boxed: the table then holds a pointer per slot, so its power-of-two slack costs
    /// little (rows inline would double 30 MB at 57,344 rows).
    pub rows: HashMap<String, Box<Row>>,
    pub definitions: HashMap<String, Definition>,
    pub counts: Vec<(Status, i64)>,
    pub stuck_count: usize,
    /// Every held workflow in the current sort order (before view and filter), kept sorted
    /// as changes arrive, so a filter keystroke filters without sorting.
    /// Boxed, so that keeping it sorted moves pointers, not entries.
    pub order: Vec<Box<Entry>>,
    /// Ids in display order after view, filter and sort.
    pub visible: Vec<String>,
    /// Every row's stuck deadline, soonest first: passing time re-checks only the rows whose
    /// deadline came, not the live set.
    pub due: BTreeSet<(Timestamp, String)>,
    /// The last time passing time was checked; wake-ups are at least a second apart.
    pub checked_at: Option<Timestamp>,
    pub selected: usize,
    pub table_offset: usize,
    pub view: QuickView,
    pub filter_text: String,
    pub filter: Filter,
    pub filter_editing: bool,
    pub sort: SortKey,
    pub focus: Pane,
    pub zoomed: bool,
    pub detail: Option<Detail>,
    pub detail_scroll: u16,
    pub events: VecDeque<Event>,
    pub events_follow: bool,
    /// Lines scrolled up from the newest event when not following.
    pub events_back: usize,
    pub events_selected_only: bool,
    pub overlay: Option<Overlay>,
    pub flash: Option<(Level, String)>,
    pub last_refresh: Option<Timestamp>,
    pub live_paused: bool,
    pub db_problem: Option<String>,
    /// Why changes are polled rather than pushed, when they are.
    pub polling: Option<String>,
    pub policy: StuckPolicy,
    pub mouse: bool,
    pub loaded: bool,
    /// Who actions are recorded as (`--actor`).
    pub actor: String,
    /// Colours on; off under `NO_COLOR` (selection and marks then rely on bold/reverse).
    pub color: bool,
}

impl App {
    pub fn new(
        db_label: impl Into<String>,
        read_only: bool,
        policy: StuckPolicy,
        now: Timestamp,
    ) -> App {
        App {
            db_label: db_label.into(),
            read_only,
            now,
            size: (80, 24),
            rows: HashMap::new(),
            definitions: HashMap::new(),
            counts: Vec::new(),
            stuck_count: 0,
            order: Vec::new(),
            visible: Vec::new(),
            due: BTreeSet::new(),
            checked_at: None,
            selected: 0,
            table_offset: 0,
            view: QuickView::All,
            filter_text: String::new(),
            filter: Filter::default(),
            filter_editing: false,
            sort: SortKey::Updated,
            focus: Pane::Workflows,
            zoomed: false,
            detail: None,
            detail_scroll: 0,
            events: VecDeque::new(),
            events_follow: true,
            events_back: 0,
            events_selected_only: false,
            overlay: None,
            flash: None,
            last_refresh: None,
            live_paused: false,
            db_problem: None,
            polling: None,
            policy,
            mouse: true,
            loaded: false,
            actor: "operator:dashboard".into(),
            color: true,
        }
    }

    pub fn selected_id(&self) -> Option<&str> {
        self.visible.get(self.selected).map(String::as_str)
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.selected_id()
            .and_then(|id| self.rows.get(id))
            .map(|r| &**r)
    }

    pub fn definition_of(&self, w: &Workflow) -> Option<&Definition> {
        self.definitions.get(&w.definition)
    }

    /// (phases done, total) for the progress bar.
    pub fn progress(&self, w: &Workflow) -> (usize, usize) {
        let Some(def) = self.definition_of(w) else {
            return (0, 0);
        };
        let total = def.phases.len();
        let done = match w.status {
            Status::Completed => total,
            _ => def.phase_index(&w.current_state).unwrap_or(0),
        };
        (done, total)
    }

    /// Merges a batch from the worker, keeping the selection on the same workflow. A full
    /// batch replaces everything. An incremental one costs work in proportion to the rows
    /// it brings, plus one pass over the held ids to take their old places out: its pending
    /// handoffs replace those of exactly the workflows it carries, only those (and rows whose
    /// stuck deadline has come) are re-checked, and they are merged into the sorted order by
    /// binary search.
    pub fn apply_delta(&mut self, d: Delta) {
        let keep = self.selected_id().map(str::to_string);
        if d.full {
            // A full load may come in chunks: size the table for all of it at once (from
            // the counts), since growing it by doubling would hold two tables for a moment.
            let live: i64 = d
                .counts
                .iter()
                .filter(|(s, _)| !s.is_terminal())
                .map(|(_, n)| *n)
                .sum();
            let expected = usize::try_from(live).unwrap_or(0).min(1 << 22) + FINISHED_KEPT;
            self.rows = HashMap::with_capacity(expected.max(d.workflows.len()));
            self.events.clear();
        }
        if !d.definitions.is_empty() {
            self.definitions = d
                .definitions
                .into_iter()
                .map(|d| (d.name.clone(), d))
                .collect();
        }
        let mut changed: HashSet<String> = HashSet::with_capacity(d.workflows.len());
        for w in d.workflows {
            if !d.full {
                changed.insert(w.id.clone());
            }
            match self.rows.get_mut(&w.id) {
                // Overlapping reads may return a row we already hold in a newer version.
                Some(r) if r.wf.version > w.version => continue,
                Some(r) => r.wf = w,
                None => {
                    self.rows.insert(
                        w.id.clone(),
                        Box::new(Row {
                            wf: w,
                            pending: None,
                            stuck: None,
                            due: None,
                        }),
                    );
                }
            }
        }
        let mut pending: HashMap<String, Handoff> = HashMap::new();
        for h in d.pending {
            pending.insert(h.workflow_id.clone(), h); // ordered oldest first: newest wins
        }
        // Events arrive in commit order, which on PostgreSQL is not always seq order: a late
        // one goes to its place by seq, and one already held is not added twice.
        for e in d.events {
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
        if !d.counts.is_empty() {
            self.counts = d.counts;
        }
        if let Some(at) = d.at {
            self.now = at;
            self.last_refresh = Some(at);
        }
        self.loaded = true;
        if d.full {
            for (id, r) in &mut self.rows {
                r.pending = pending.remove(id).map(Box::new);
            }
            self.evict_finished();
            self.recompute(keep.as_deref());
            return;
        }
        // An incremental batch's pending handoffs are those of exactly its workflows.
        for id in &changed {
            if let Some(r) = self.rows.get_mut(id) {
                r.pending = pending.remove(id).map(Box::new);
            }
        }
        if changed
            .iter()
            .any(|id| self.rows.get(id).is_some_and(|r| r.wf.status.is_terminal()))
        {
            let dropped = self.evict_finished();
            changed.extend(dropped);
        }
        changed.extend(self.take_due());
        self.update_rows(changed, keep.as_deref());
    }

    /// Keeps at most [`FINISHED_KEPT`] finished workflows, the most recently updated; returns
    /// the ids it dropped.
    pub(super) fn evict_finished(&mut self) -> Vec<String> {
        let mut finished: Vec<(&String, &str)> = self
            .rows
            .iter()
            .filter(|(_, r)| r.wf.status.is_terminal())
            .map(|(id, r)| (id, r.wf.updated_at.as_str()))
            .collect();
        if finished.len() <= FINISHED_KEPT {
            return Vec::new();
        }
        finished.sort_by(|a, b| b.1.cmp(a.1));
        let drop: Vec<String> = finished[FINISHED_KEPT..]
            .iter()
            .map(|(id, _)| (*id).clone())
            .collect();
        for id in &drop {
            self.rows.remove(id);
        }
        drop
    }

    /// Events shown in the log: all, or the selected workflow's.
    pub fn shown_events(&self) -> Vec<&Event> {
        match (self.events_selected_only, self.selected_id()) {
            (true, Some(id)) => self.events.iter().filter(|e| e.workflow_id == id).collect(),
            _ => self.events.iter().collect(),
        }
    }
}
