//! The dashboard's state: a plain struct. `update` changes it, `view` draws it.

use super::confirm::Confirm;
use super::filter::{Filter, Searchable};
use super::msg::{Delta, Detail};
use crate::engine::stuck::{self, Stuck, StuckPolicy};
use crate::model::time::{self, Timestamp};
use crate::model::{Definition, Event, Handoff, Status, Workflow};
use std::cmp::Ordering;
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

/// One id in the sorted order, with what the view and filter look at, so that a filter
/// keystroke is one pass over this list (no table lookups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The id's first 8 bytes: taking changed ids out compares this before the id itself.
    head: u64,
    pub id: String,
    pub find: Searchable,
}

impl Entry {
    fn of(r: &Row) -> Entry {
        Entry {
            head: head(&r.wf.id),
            id: r.wf.id.clone(),
            find: Searchable::of(&r.wf, r.stuck.is_some()),
        }
    }
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

    /// Time passed with no write: re-checks the rows whose stuck deadline has come.
    pub fn tick(&mut self, now: Timestamp) {
        let keep = self.selected_id().map(str::to_string);
        self.now = now;
        let due: HashSet<String> = self.take_due().into_iter().collect();
        if self.sort == SortKey::Status || self.view == QuickView::Stuck || self.filter.uses_stuck()
        {
            return self.update_rows(due, keep.as_deref());
        }
        // Nothing shown depends on the marks' order: re-check the due rows and correct their
        // entries in place (found by binary search: their sort keys did not change).
        for id in &due {
            self.restuck(id);
            let Some(r) = self.rows.get(id) else { continue };
            let at = self.order.partition_point(|e| {
                self.rows
                    .get(&e.id)
                    .is_some_and(|x| self.cmp_rows(x, r) == Ordering::Less)
            });
            let stuck = r.stuck.is_some();
            match self.order.get_mut(at) {
                Some(e) if &e.id == id => e.find.stuck = stuck,
                // Not where it should be (never expected): place it properly.
                _ => return self.update_rows(due, keep.as_deref()),
            }
        }
        if let Some(id) = self.selected_id().map(str::to_string) {
            self.restuck(&id);
        }
    }

    /// Takes out the rows whose deadline is at or before now.
    fn take_due(&mut self) -> Vec<String> {
        self.checked_at = Some(self.now);
        let mut out = Vec::new();
        while let Some((t, _)) = self.due.first() {
            if *t > self.now {
                break;
            }
            if let Some((_, id)) = self.due.pop_first() {
                if let Some(r) = self.rows.get_mut(&id) {
                    r.due = None;
                }
                out.push(id);
            }
        }
        out
    }

    /// Re-checks `changed` rows (stuck mark, deadline) and moves them to their places in
    /// the sorted and visible lists; rows no longer held leave both.
    fn update_rows(&mut self, changed: HashSet<String>, keep: Option<&str>) {
        for id in &changed {
            self.restuck(id);
        }
        let mut add: Vec<(&Row, Box<Entry>)> = changed
            .iter()
            .filter_map(|id| self.rows.get(id))
            .map(|r| (&**r, Box::new(Entry::of(r))))
            .collect();
        add.sort_by(|a, b| self.cmp_rows(a.0, b.0));
        let shown: Vec<(&Row, String)> = add
            .iter()
            .filter(|(_, e)| self.shows(e))
            .map(|(r, e)| (*r, e.id.clone()))
            .collect();
        let mut order = std::mem::take(&mut self.order);
        self.splice(&mut order, &changed, (|e| &e.id, |e| e.head), add);
        let mut visible = std::mem::take(&mut self.visible);
        self.splice(&mut visible, &changed, (|id| id, |id| head(id)), shown);
        self.order = order;
        self.visible = visible;
        self.reselect(keep);
        // The detail pane shows how long the selected row has been stuck: keep it current.
        if let Some(id) = self.selected_id().map(str::to_string) {
            self.restuck(&id);
        }
    }

    /// Re-derives one row's stuck mark and deadline.
    fn restuck(&mut self, id: &str) {
        let Some(r) = self.rows.get(id) else {
            return; // only finished rows are dropped, and they have no deadline
        };
        let def = self.definitions.get(&r.wf.definition);
        let stuck = stuck::detect(&r.wf, def, r.pending.as_deref(), self.policy, self.now);
        let due = self.deadline_of(&r.wf, r.pending.as_deref(), stuck.as_ref());
        if let Some(t) = r.due {
            self.due.remove(&(t, id.to_string()));
        }
        if let Some(t) = due {
            self.due.insert((t, id.to_string()));
        }
        if let Some(r) = self.rows.get_mut(id) {
            if r.stuck.is_some() != stuck.is_some() {
                if stuck.is_some() {
                    self.stuck_count += 1;
                } else {
                    self.stuck_count = self.stuck_count.saturating_sub(1);
                }
            }
            r.stuck = stuck.map(Box::new);
            r.due = due;
        }
    }

    /// Keeps at most [`FINISHED_KEPT`] finished workflows, the most recently updated; returns
    /// the ids it dropped.
    fn evict_finished(&mut self) -> Vec<String> {
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

    /// Re-derives every stuck mark, every deadline and the sorted order, then the visible
    /// list; keeps `keep` selected if still shown. The full pass: first load, a new sort
    /// key, and tests that edit rows directly.
    pub fn recompute(&mut self, keep: Option<&str>) {
        let now = self.now;
        let policy = self.policy;
        let mut stuck_count = 0;
        for r in self.rows.values_mut() {
            let def = self.definitions.get(&r.wf.definition);
            r.stuck = stuck::detect(&r.wf, def, r.pending.as_deref(), policy, now).map(Box::new);
            stuck_count += usize::from(r.stuck.is_some());
        }
        self.stuck_count = stuck_count;
        let dues: Vec<(String, Option<Timestamp>)> = self
            .rows
            .iter()
            .map(|(id, r)| {
                let due = self.deadline_of(&r.wf, r.pending.as_deref(), r.stuck.as_deref());
                (id.clone(), due)
            })
            .collect();
        self.due.clear();
        for (id, t) in dues {
            if let Some(r) = self.rows.get_mut(&id) {
                r.due = t;
            }
            if let Some(t) = t {
                self.due.insert((t, id));
            }
        }
        self.checked_at = Some(now);
        let mut rows: Vec<&Row> = self.rows.values().map(|r| &**r).collect();
        rows.sort_by(|a, b| self.cmp_rows(a, b));
        self.order = rows.into_iter().map(|r| Box::new(Entry::of(r))).collect();
        self.refilter(keep);
    }

    /// Rebuilds the visible list from the sorted order after a change of view or filter:
    /// one pass, no sorting, no lookups.
    pub fn refilter(&mut self, keep: Option<&str>) {
        self.visible = self
            .order
            .iter()
            .filter(|e| self.shows(e))
            .map(|e| e.id.clone())
            .collect();
        self.reselect(keep);
    }

    fn reselect(&mut self, keep: Option<&str>) {
        let pos = keep.and_then(|k| self.visible.iter().position(|id| id == k));
        self.selected = pos.unwrap_or(self.selected.min(self.visible.len().saturating_sub(1)));
    }

    /// Whether the current view and filter show this entry.
    fn shows(&self, e: &Entry) -> bool {
        let in_view = match self.view {
            QuickView::All => true,
            QuickView::Running => e.find.status() == Status::Running,
            QuickView::Stuck => e.find.stuck,
            QuickView::Failed => e.find.status() == Status::Failed,
        };
        in_view && self.filter.matches_searchable(&e.find)
    }

    /// Takes the `changed` ids out of the sorted `list` and puts in `add` (sorted, with the
    /// rows they stand for), each at its place by binary search; the rest are moved, not
    /// copied.
    fn splice<T>(
        &self,
        list: &mut Vec<T>,
        changed: &HashSet<String>,
        (id_of, head_of): (impl Fn(&T) -> &String, impl Fn(&T) -> u64),
        add: Vec<(&Row, T)>,
    ) {
        if changed.is_empty() {
            return;
        }
        // Most ids differ from every changed one in their first bytes: compare those first.
        let mut heads: Vec<u64> = changed.iter().map(|id| head(id)).collect();
        heads.sort_unstable();
        list.retain(|x| !(heads.binary_search(&head_of(x)).is_ok() && changed.contains(id_of(x))));
        if add.is_empty() {
            return;
        }
        let mut at = Vec::with_capacity(add.len());
        let mut from = 0;
        for (r, _) in &add {
            from += list[from..].partition_point(|x| {
                self.rows
                    .get(id_of(x))
                    .is_some_and(|y| self.cmp_rows(y, r) == Ordering::Less)
            });
            at.push(from);
        }
        let mut out = Vec::with_capacity(list.len() + add.len());
        let mut next = add.into_iter().zip(at).peekable();
        for (i, x) in std::mem::take(list).into_iter().enumerate() {
            while let Some(((_, item), _)) = next.next_if(|(_, p)| *p == i) {
                out.push(item);
            }
            out.push(x);
        }
        out.extend(next.map(|((_, item), _)| item));
        *list = out;
    }

    /// The order of the current sort key (ties by id, so the order is total).
    fn cmp_rows(&self, a: &Row, b: &Row) -> Ordering {
        let (x, y) = (&a.wf, &b.wf);
        let by =
            match self.sort {
                SortKey::Updated => y.updated_at.cmp(&x.updated_at),
                SortKey::Age => x.created_at.cmp(&y.created_at),
                SortKey::Build => x.build_id.cmp(&y.build_id),
                SortKey::Progress => self.progress(y).0.cmp(&self.progress(x).0),
                // Trouble first: stuck, then failed, then the rest by status.
                SortKey::Status => (a.stuck.is_none(), x.status != Status::Failed, x.status)
                    .cmp(&(b.stuck.is_none(), y.status != Status::Failed, y.status)),
                SortKey::TimeInPhase => x.phase_since().cmp(y.phase_since()),
            };
        by.then_with(|| x.id.cmp(&y.id))
    }

    /// When the runtime should wake to re-check stuck rows with no write at all: the soonest
    /// deadline, but at most once a second (with 50,000 live workflows a deadline passes
    /// every few milliseconds; a mark a second late is worth an idle CPU near zero).
    pub fn next_stuck_deadline(&self) -> Option<Timestamp> {
        let first = self.due.first().map(|(t, _)| *t)?;
        let floor = self.checked_at.map(|c| c + chrono::Duration::seconds(1));
        Some(floor.map_or(first, |f| first.max(f)))
    }

    /// When a workflow's stuck mark would change if nothing happened: turning stuck, or,
    /// stuck without a heartbeat, its pending handoff passing its limit too.
    fn deadline_of(
        &self,
        w: &Workflow,
        pending: Option<&Handoff>,
        stuck: Option<&Stuck>,
    ) -> Option<Timestamp> {
        if w.status != Status::Running || matches!(stuck, Some(Stuck::UnacknowledgedHandoff { .. }))
        {
            return None;
        }
        let phase = self
            .definition_of(w)
            .and_then(|d| d.phase(&w.current_state));
        let hand = pending.and_then(|h| {
            let limit = phase
                .and_then(|p| p.handoff_timeout_secs)
                .unwrap_or(self.policy.handoff_timeout_secs);
            time::parse(&h.created_at).and_then(|t| after_secs(t, limit))
        });
        let limit = phase
            .and_then(|p| p.stuck_after_secs)
            .unwrap_or(self.policy.phase_timeout_secs);
        let life = [w.heartbeat_at.as_deref(), Some(w.phase_since())]
            .into_iter()
            .flatten()
            .filter_map(time::parse)
            .max()
            .and_then(|t| after_secs(t, limit));
        match stuck {
            // Stuck for want of a heartbeat: the pending handoff's limit, when it comes,
            // becomes the reason shown (it is checked first).
            Some(_) => hand.filter(|t| *t > self.now),
            None => [hand, life].into_iter().flatten().min(),
        }
    }

    /// Events shown in the log: all, or the selected workflow's.
    pub fn shown_events(&self) -> Vec<&Event> {
        match (self.events_selected_only, self.selected_id()) {
            (true, Some(id)) => self.events.iter().filter(|e| e.workflow_id == id).collect(),
            _ => self.events.iter().collect(),
        }
    }
}

/// The first 8 bytes of an id as a number, for quick inequality.
fn head(id: &str) -> u64 {
    let b = id.as_bytes();
    let mut k = [0u8; 8];
    let n = b.len().min(8);
    k[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(k)
}

/// The moment just past `limit` seconds after `t`; `None` when that is beyond any date
/// (limits come from definitions other programs write: `i64::MAX` must not panic).
fn after_secs(t: Timestamp, limit: i64) -> Option<Timestamp> {
    chrono::Duration::try_seconds(limit.saturating_add(1)).and_then(|d| t.checked_add_signed(d))
}

#[cfg(test)]
mod tests {
    //! The incremental path of `apply_delta` must leave the same state as re-deriving
    //! everything: same order, same visible rows, same stuck marks, same deadline.
    use super::*;
    use crate::sim::Rng;
    use crate::tui::testing::{self, workflow};

    const STATUSES: [Status; 4] = [
        Status::Running,
        Status::Paused,
        Status::Failed,
        Status::Completed,
    ];
    const PHASES: [&str; 6] = [
        "discovery",
        "planning",
        "coding",
        "testing",
        "review",
        "release",
    ];

    fn stamp(base: Timestamp, secs: u64) -> String {
        time::format(base + chrono::Duration::seconds(secs as i64))
    }

    fn random_row(rng: &mut Rng, i: usize, base: Timestamp) -> Workflow {
        let mut w = workflow(
            &format!("w{i:04}"),
            &format!(
                "{}-{}",
                ["atlas", "borealis", "cygnus"][rng.below(3)],
                rng.below(50)
            ),
            PHASES[rng.below(6)],
            STATUSES[rng.below(4)],
        );
        w.updated_at = stamp(base, rng.range(0, 3000));
        w.created_at = stamp(base, rng.range(0, 600));
        w.state_entered_at = Some(stamp(base, rng.range(0, 3000)));
        w.heartbeat_at = rng.chance(0.5).then(|| stamp(base, rng.range(0, 3000)));
        w
    }

    fn pending_for(rng: &mut Rng, w: &Workflow, base: Timestamp) -> Option<Handoff> {
        rng.chance(0.3).then(|| {
            let at = stamp(base, rng.range(0, 3000));
            let mut h = testing::handoff(
                &format!("h-{}-{}", w.id, w.version),
                &w.id,
                crate::model::HandoffKind::Advance,
                "discovery",
                &w.current_state,
                &at,
                false,
            );
            h.to_state = w.current_state.clone();
            h
        })
    }

    fn assert_same(app: &App) {
        let mut fresh = app.clone();
        let keep = app.selected_id().map(str::to_string);
        fresh.recompute(keep.as_deref());
        assert_eq!(app.order, fresh.order, "order");
        assert_eq!(app.visible, fresh.visible, "visible");
        assert_eq!(app.selected_id(), fresh.selected_id(), "selection");
        assert_eq!(app.stuck_count, fresh.stuck_count, "stuck count");
        // Marks agree on whether and since when; the durations inside are as of the last
        // time each row was looked at, except for the selected row, shown in detail.
        for (id, r) in &app.rows {
            let key = |s: &Option<Box<Stuck>>| s.as_ref().map(|s| s.since().to_string());
            assert_eq!(
                key(&r.stuck),
                key(&fresh.rows[id].stuck),
                "stuck mark of {id}"
            );
        }
        if let Some(id) = app.selected_id() {
            assert_eq!(app.rows[id].stuck, fresh.rows[id].stuck, "selected row");
        }
        assert_eq!(app.due, fresh.due, "deadlines");
    }

    #[test]
    fn incremental_changes_match_a_full_recompute() {
        let base = testing::now() - chrono::Duration::seconds(3000);
        for seed in 1..=12 {
            let mut rng = Rng::new(seed);
            let mut a = testing::app();
            a.rows.clear();
            let mut versions: HashMap<String, i64> = HashMap::new();
            let workflows: Vec<Workflow> =
                (0..300).map(|i| random_row(&mut rng, i, base)).collect();
            let pending: Vec<Handoff> = workflows
                .iter()
                .filter_map(|w| pending_for(&mut rng, w, base))
                .collect();
            for w in &workflows {
                versions.insert(w.id.clone(), w.version);
            }
            a.apply_delta(Delta {
                full: true,
                workflows,
                pending,
                at: Some(testing::now()),
                ..Delta::default()
            });
            assert_same(&a);
            let mut now = testing::now();
            for round in 0..40 {
                if rng.chance(0.15) {
                    a.sort = a.sort.next();
                    a.recompute(None);
                }
                if rng.chance(0.15) {
                    a.view = [
                        QuickView::All,
                        QuickView::Running,
                        QuickView::Stuck,
                        QuickView::Failed,
                    ][rng.below(4)];
                    a.filter =
                        Filter::parse(["", "atlas", "status:failed", "stuck", "cod"][rng.below(5)]);
                    a.refilter(None);
                }
                a.selected = rng.below(a.visible.len().max(1));
                if rng.chance(0.2) {
                    // Time passes with no write.
                    now += chrono::Duration::seconds(rng.range(1, 900) as i64);
                    a.tick(now);
                    assert_same(&a);
                }
                let k = [1, 2, 5, 40][rng.below(4)];
                let mut changed = Vec::new();
                for _ in 0..k {
                    let i = rng.below(330); // some are new rows
                    let mut w = random_row(&mut rng, i, base);
                    let v = versions.entry(w.id.clone()).or_insert(1);
                    // Now and then an older copy arrives (an overlapping read).
                    *v += if rng.chance(0.1) { 0 } else { 1 };
                    w.version = *v - i64::from(rng.chance(0.05));
                    changed.push(w);
                }
                let pending = changed
                    .iter()
                    .filter_map(|w| pending_for(&mut rng, w, base))
                    .collect();
                // Usually seconds pass; now and then past a stuck deadline.
                now += chrono::Duration::seconds(rng.range(0, 5) as i64);
                if rng.chance(0.1) {
                    now += chrono::Duration::seconds(1000);
                }
                a.apply_delta(Delta {
                    workflows: changed,
                    pending,
                    at: Some(now),
                    ..Delta::default()
                });
                assert!(a.rows.len() <= 330, "round {round}");
                assert_same(&a);
            }
        }
    }
}
