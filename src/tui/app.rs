//! The dashboard's state: a plain struct. `update` changes it, `view` draws it.

use super::confirm::Confirm;
use super::filter::Filter;
use super::msg::{Delta, Detail};
use crate::engine::stuck::{self, Stuck, StuckPolicy};
use crate::model::time::{self, Timestamp};
use crate::model::{Definition, Event, Handoff, Status, Workflow};
use std::collections::{HashMap, VecDeque};

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
    pub pending: Option<Handoff>,
    pub stuck: Option<Stuck>,
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
    pub rows: HashMap<String, Row>,
    pub definitions: HashMap<String, Definition>,
    pub counts: Vec<(Status, i64)>,
    pub stuck_count: usize,
    /// Ids in display order after view, filter and sort.
    pub visible: Vec<String>,
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
            visible: Vec::new(),
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
        self.selected_id().and_then(|id| self.rows.get(id))
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

    /// Merges a batch from the worker, keeping the selection on the same workflow.
    pub fn apply_delta(&mut self, d: Delta) {
        let keep = self.selected_id().map(str::to_string);
        if d.full {
            self.rows.clear();
            self.events.clear();
        }
        if !d.definitions.is_empty() {
            self.definitions = d
                .definitions
                .into_iter()
                .map(|d| (d.name.clone(), d))
                .collect();
        }
        for w in d.workflows {
            match self.rows.get_mut(&w.id) {
                // Overlapping reads may return a row we already hold in a newer version.
                Some(r) if r.wf.version > w.version => {}
                Some(r) => r.wf = w,
                None => {
                    self.rows.insert(
                        w.id.clone(),
                        Row {
                            wf: w,
                            pending: None,
                            stuck: None,
                        },
                    );
                }
            }
        }
        let mut pending: HashMap<String, Handoff> = HashMap::new();
        for h in d.pending {
            pending.insert(h.workflow_id.clone(), h); // ordered oldest first: newest wins
        }
        for (id, r) in &mut self.rows {
            r.pending = pending.remove(id);
        }
        let last_seq = self.events.back().map_or(0, |e| e.seq);
        self.events
            .extend(d.events.into_iter().filter(|e| e.seq > last_seq));
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
        self.evict_finished();
        self.loaded = true;
        self.recompute(keep.as_deref());
    }

    fn evict_finished(&mut self) {
        let mut finished: Vec<(&String, &str)> = self
            .rows
            .iter()
            .filter(|(_, r)| r.wf.status.is_terminal())
            .map(|(id, r)| (id, r.wf.updated_at.as_str()))
            .collect();
        if finished.len() <= FINISHED_KEPT {
            return;
        }
        finished.sort_by(|a, b| b.1.cmp(a.1));
        let drop: Vec<String> = finished[FINISHED_KEPT..]
            .iter()
            .map(|(id, _)| (*id).clone())
            .collect();
        for id in drop {
            self.rows.remove(&id);
        }
    }

    /// Re-derives stuck marks and the visible order; keeps `keep` selected if still shown.
    pub fn recompute(&mut self, keep: Option<&str>) {
        let now = self.now;
        let policy = self.policy;
        let mut stuck_count = 0;
        for r in self.rows.values_mut() {
            let def = self.definitions.get(&r.wf.definition);
            r.stuck = stuck::detect(&r.wf, def, r.pending.as_ref(), policy, now);
            stuck_count += usize::from(r.stuck.is_some());
        }
        self.stuck_count = stuck_count;
        let mut ids: Vec<&Row> = self
            .rows
            .values()
            .filter(|r| match self.view {
                QuickView::All => true,
                QuickView::Running => r.wf.status == Status::Running,
                QuickView::Stuck => r.stuck.is_some(),
                QuickView::Failed => r.wf.status == Status::Failed,
            })
            .filter(|r| self.filter.matches(&r.wf, r.stuck.is_some()))
            .collect();
        self.sort_rows(&mut ids);
        self.visible = ids.into_iter().map(|r| r.wf.id.clone()).collect();
        let pos = keep.and_then(|k| self.visible.iter().position(|id| id == k));
        self.selected = pos.unwrap_or(self.selected.min(self.visible.len().saturating_sub(1)));
    }

    fn sort_rows(&self, rows: &mut [&Row]) {
        let progress = |r: &Row| self.progress(&r.wf).0;
        match self.sort {
            SortKey::Updated => rows.sort_by(|a, b| {
                b.wf.updated_at
                    .cmp(&a.wf.updated_at)
                    .then(a.wf.id.cmp(&b.wf.id))
            }),
            SortKey::Age => rows.sort_by(|a, b| {
                a.wf.created_at
                    .cmp(&b.wf.created_at)
                    .then(a.wf.id.cmp(&b.wf.id))
            }),
            SortKey::Build => rows.sort_by(|a, b| {
                a.wf.build_id
                    .cmp(&b.wf.build_id)
                    .then(a.wf.id.cmp(&b.wf.id))
            }),
            SortKey::Progress => {
                rows.sort_by(|a, b| progress(b).cmp(&progress(a)).then(a.wf.id.cmp(&b.wf.id)))
            }
            // Trouble first: stuck, then failed, then the rest by status.
            SortKey::Status => rows.sort_by_key(|r| {
                (
                    r.stuck.is_none(),
                    r.wf.status != Status::Failed,
                    r.wf.status,
                    r.wf.id.clone(),
                )
            }),
            SortKey::TimeInPhase => rows.sort_by(|a, b| {
                a.wf.phase_since()
                    .cmp(b.wf.phase_since())
                    .then(a.wf.id.cmp(&b.wf.id))
            }),
        }
    }

    /// The soonest moment a running workflow will cross a stuck limit with no write at all,
    /// so the runtime can wake exactly then instead of redrawing on a timer.
    pub fn next_stuck_deadline(&self) -> Option<Timestamp> {
        self.rows
            .values()
            .filter(|r| r.wf.status == Status::Running && r.stuck.is_none())
            .filter_map(|r| {
                let phase = self
                    .definition_of(&r.wf)
                    .and_then(|d| d.phase(&r.wf.current_state));
                let hand = r.pending.as_ref().and_then(|h| {
                    let limit = phase
                        .and_then(|p| p.handoff_timeout_secs)
                        .unwrap_or(self.policy.handoff_timeout_secs);
                    time::parse(&h.created_at).and_then(|t| after_secs(t, limit))
                });
                let limit = phase
                    .and_then(|p| p.stuck_after_secs)
                    .unwrap_or(self.policy.phase_timeout_secs);
                let life = [r.wf.heartbeat_at.as_deref(), Some(r.wf.phase_since())]
                    .into_iter()
                    .flatten()
                    .filter_map(time::parse)
                    .max()
                    .and_then(|t| after_secs(t, limit));
                [hand, life].into_iter().flatten().min()
            })
            .min()
    }

    /// Events shown in the log: all, or the selected workflow's.
    pub fn shown_events(&self) -> Vec<&Event> {
        match (self.events_selected_only, self.selected_id()) {
            (true, Some(id)) => self.events.iter().filter(|e| e.workflow_id == id).collect(),
            _ => self.events.iter().collect(),
        }
    }
}

/// The moment just past `limit` seconds after `t`; `None` when that is beyond any date
/// (limits come from definitions other programs write: `i64::MAX` must not panic).
fn after_secs(t: Timestamp, limit: i64) -> Option<Timestamp> {
    chrono::Duration::try_seconds(limit.saturating_add(1)).and_then(|d| t.checked_add_signed(d))
}
