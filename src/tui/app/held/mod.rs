//! The workflows the dashboard holds: their rows with stuck marks and deadlines, the
//! definitions and counts that go with them, and (in `order`) the sorted and visible lists
//! kept up to date as changes arrive. All of it is true as of `now`.

mod deadlines;
mod order;
mod packed;
mod pending;
mod rotate;
mod rows;
mod texts;

#[cfg(test)]
pub(super) use order::COMPACT_MIN;
pub use order::Entry;
pub use packed::Packed;
pub use pending::Pending;
pub use rows::Rows;

use super::table::Table;
use crate::engine::stuck::{self, Stuck, StuckPolicy};
use crate::model::time::Timestamp;
use crate::model::{Definition, Handoff, Status, Workflow, WorkflowFields};
use crate::tui::msg::Delta;
use compact_str::CompactString;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeSet;

/// Finished workflows kept on screen after they complete, at most.
pub const FINISHED_KEPT: usize = 500;

/// A held workflow's id where the lists repeat it: one allocation, shared, so that a
/// filter keystroke rebuilding the visible list copies pointers, not 36-byte strings.
/// The dashboard's state stays on its one thread: no atomic count.
pub type Id = std::rc::Rc<str>;

/// Which of a stuck row's times its stuck episode began at: the pending handoff's
/// creation, or the latest sign of life (a heartbeat, or entering the phase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StuckSince {
    Handoff,
    Heartbeat,
    PhaseEntered,
}

impl StuckSince {
    /// Which time `s`, the verdict on row `r`, began at.
    pub(super) fn of(s: &Stuck, r: &Row) -> StuckSince {
        match s {
            Stuck::UnacknowledgedHandoff { .. } => StuckSince::Handoff,
            Stuck::NoHeartbeat { since, .. } if r.wf.heartbeat_at() == Some(since) => {
                StuckSince::Heartbeat
            }
            Stuck::NoHeartbeat { .. } => StuckSince::PhaseEntered,
        }
    }
}

/// One workflow as the dashboard holds it.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its id: the one copy the table finds it by and the lists name it by.
    pub id: Id,
    /// Everything else about it, packed.
    pub wf: Packed,
    /// Its newest unacknowledged handoff. Boxed: most rows have none.
    pub pending: Option<Box<Pending>>,
    /// Whether the row was stuck when last checked, and which of its own times the stuck
    /// episode began at. Why it is ([`Held::stuck_of`]) is derived again when asked: 27,000
    /// stuck rows of 50,000 held their reasons as 3 MB of text and numbers that only the
    /// selected row's detail reads.
    pub stuck: Option<StuckSince>,
    /// When this row turns stuck if nothing happens (its entry in `Held::due`).
    pub due: Option<Timestamp>,
}

impl Row {
    /// Workflow `w`, held: no pending handoff, not stuck, no deadline yet.
    pub fn new(w: Workflow) -> Row {
        Row {
            id: w.id.as_str().into(),
            wf: Packed::new(w),
            pending: None,
            stuck: None,
            due: None,
        }
    }
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The workflow whole again, exactly as it was read.
    pub fn unpack(&self) -> Workflow {
        self.wf.unpack(&self.id)
    }
    /// A short, mostly unique handle for humans, as [`Workflow::short_id`].
    pub fn short_id(&self) -> &str {
        crate::model::short_id(&self.id)
    }
    /// Changes the workflow in place (unpacked, edited, packed again): for tests and the
    /// rare edit, not for every frame. Its id stays: the table finds the row by it.
    pub fn edit(&mut self, f: impl FnOnce(&mut Workflow)) {
        let mut w = self.unpack();
        f(&mut w);
        w.id = self.id.to_string();
        self.wf = Packed::new(w);
    }
}

impl WorkflowFields for Row {
    fn id(&self) -> &str {
        Row::id(self)
    }
    fn build_id(&self) -> &str {
        self.wf.build_id()
    }
    fn project_id(&self) -> &str {
        self.wf.project_id()
    }
    fn definition(&self) -> &str {
        self.wf.definition()
    }
    fn current_state(&self) -> &str {
        self.wf.current_state()
    }
    fn current_role(&self) -> &str {
        self.wf.current_role()
    }
    fn status(&self) -> Status {
        self.wf.status()
    }
    fn status_raw(&self) -> &str {
        self.wf.status_raw()
    }
    fn created_at(&self) -> &str {
        self.wf.created_at()
    }
    fn updated_at(&self) -> &str {
        self.wf.updated_at()
    }
    fn completed_at(&self) -> Option<&str> {
        self.wf.completed_at()
    }
    fn heartbeat_at(&self) -> Option<&str> {
        self.wf.heartbeat_at()
    }
    fn state_entered_at(&self) -> Option<&str> {
        self.wf.state_entered_at()
    }
}

#[derive(Debug, Clone)]
pub struct Held {
    now: Timestamp,
    policy: StuckPolicy,
    /// Found by their ids, which they hold (a map would hold each id's pointer again).
    /// Boxed: the table then holds a pointer per slot, so its power-of-two slack costs
    /// little (rows inline would double 30 MB at 57,344 rows).
    rows: Rows,
    definitions: HashMap<String, Definition>,
    counts: Vec<(Status, i64)>,
    stuck_count: usize,
    /// Every held workflow in the current sort order (before view and filter), kept sorted
    /// as changes arrive, so a filter keystroke filters without sorting.
    /// Entries inline, not boxed: a keystroke walks all of them, and a pointer to each
    /// was a cache miss per row (most of a keystroke's cost at 50,000 rows); keeping the
    /// list sorted moves whole entries instead, in runs, once per batch of changes.
    order: Vec<Entry>,
    /// Every entry's folded text (what the filter searches), in table order as of the last
    /// layout, then the texts of rows changed since.
    texts: String,
    /// Bytes of `texts` written since the last layout.
    appended: usize,
    /// Ids in display order after view, filter and sort.
    visible: Vec<Id>,
    /// Every row's stuck deadline, soonest first: passing time re-checks only the rows whose
    /// deadline came, not the live set.
    due: BTreeSet<(Timestamp, Id)>,
    /// The last time passing time was checked; wake-ups are at least a second apart.
    checked_at: Option<Timestamp>,
    /// The finished rows held, oldest update first: letting the oldest go needs no pass
    /// over the live set.
    finished: BTreeSet<(CompactString, String)>,
    /// How often a change fell back to a full pass over the lists (expected: never).
    full_passes: u32,
    loaded: bool,
}

impl Held {
    pub(super) fn new(policy: StuckPolicy, now: Timestamp) -> Held {
        Held {
            now,
            policy,
            rows: Rows::default(),
            definitions: HashMap::new(),
            counts: Vec::new(),
            stuck_count: 0,
            order: Vec::new(),
            texts: String::new(),
            appended: 0,
            visible: Vec::new(),
            due: BTreeSet::new(),
            checked_at: None,
            finished: BTreeSet::new(),
            full_passes: 0,
            loaded: false,
        }
    }

    pub fn policy(&self) -> StuckPolicy {
        self.policy
    }
    pub fn now(&self) -> Timestamp {
        self.now
    }
    pub fn rows(&self) -> &Rows {
        &self.rows
    }
    pub fn row(&self, id: &str) -> Option<&Row> {
        self.rows.get(id)
    }
    /// Why row `r` is stuck, as of now: derived again from the row, its pending handoff and
    /// its definition, with the rule that marked it. `None` when it is not marked.
    pub fn stuck_of(&self, r: &Row) -> Option<Stuck> {
        r.stuck?;
        let def = self.definition_of(r);
        let pending = r.pending.as_deref().map(Pending::unpack);
        stuck::detect(r, def, pending.as_ref(), self.policy, self.now)
    }
    /// When row `r`'s stuck episode began, as written in the row: what tells one episode
    /// from the next, read without deriving the verdict again.
    pub fn stuck_since<'r>(&self, r: &'r Row) -> Option<&'r str> {
        match r.stuck? {
            StuckSince::Handoff => r.pending.as_deref().map(Pending::created_at),
            StuckSince::Heartbeat => r.wf.heartbeat_at(),
            StuckSince::PhaseEntered => Some(r.wf.phase_since()),
        }
    }
    pub fn counts(&self) -> &[(Status, i64)] {
        &self.counts
    }
    pub fn stuck_count(&self) -> usize {
        self.stuck_count
    }
    pub fn order(&self) -> &[Entry] {
        &self.order
    }
    /// Every entry's folded text, which [`Entry::text`] reads.
    pub fn texts(&self) -> &str {
        &self.texts
    }
    /// The order as id, folded text and the rest of each entry: what two orders that keep
    /// their texts in different places are compared by.
    pub fn folded_order(&self) -> Vec<(&str, &str, &crate::tui::filter::Searchable)> {
        self.order
            .iter()
            .map(|e| (&*e.id, e.text(&self.texts), &e.find))
            .collect()
    }
    pub fn visible(&self) -> &[Id] {
        &self.visible
    }
    pub fn due(&self) -> &BTreeSet<(Timestamp, Id)> {
        &self.due
    }
    /// How often a change had to fall back to a full pass over the lists.
    pub fn full_passes(&self) -> u32 {
        self.full_passes
    }
    /// Whether the first load has arrived.
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    pub fn definition_of(&self, w: &impl WorkflowFields) -> Option<&Definition> {
        self.definitions.get(w.definition())
    }

    /// Every phase name in the held definitions, each once, in definition order.
    pub fn phase_names(&self) -> Vec<&str> {
        self.names(|p| &p.name)
    }
    /// Every role in the held definitions, each once, in definition order.
    pub fn role_names(&self) -> Vec<&str> {
        self.names(|p| &p.role)
    }
    fn names<'a>(&'a self, field: impl Fn(&'a crate::model::Phase) -> &'a String) -> Vec<&'a str> {
        let mut defs: Vec<&Definition> = self.definitions.values().collect();
        defs.sort_by(|a, b| a.name.cmp(&b.name));
        let mut out: Vec<&str> = Vec::new();
        for p in defs.iter().flat_map(|d| &d.phases) {
            let name = field(p).as_str();
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }
    /// Whether a held workflow has this stored status (one another writer made up, say).
    /// A pass over the rows: asked only when a filter names a status baton does not know.
    pub fn holds_status(&self, raw: &str) -> bool {
        self.rows
            .iter()
            .any(|r| r.wf.status_raw().eq_ignore_ascii_case(raw))
    }

    /// Takes workflow `id` out of the visible list if the view and filter do not match it
    /// (it was shown only as the pinned selection); returns whether it was taken out.
    pub(super) fn unshow_unless_matching(&mut self, id: &str, table: &Table) -> bool {
        let Some(r) = self.rows.get(id) else {
            return false;
        };
        let (text, find) = crate::tui::filter::Searchable::of(r, r.stuck.is_some());
        if table.shows(id, &text, &find) {
            return false;
        }
        let before = self.visible.len();
        self.visible.retain(|v| &**v != id);
        self.visible.len() != before
    }

    /// (phases done, total) for the progress bar.
    pub fn progress(&self, w: &impl WorkflowFields) -> (usize, usize) {
        let Some(def) = self.definition_of(w) else {
            return (0, 0);
        };
        let total = def.phases.len();
        let done = match w.status() {
            Status::Completed => total,
            _ => def.phase_index(w.current_state()).unwrap_or(0),
        };
        (done, total)
    }

    /// Merges a batch from the worker (its events aside). A full batch replaces
    /// everything. An incremental one costs work in proportion to the rows it brings (their
    /// old places are found by binary search, then the lists are closed up in one pass that
    /// moves pointers): its pending handoffs replace
    /// those of exactly the workflows it carries, only those (and rows whose stuck deadline
    /// has come) are re-checked, and they are merged into the sorted order by binary search.
    pub(super) fn merge(&mut self, d: Delta, table: &Table) {
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
            self.rows = Rows::with_capacity(expected.max(d.workflows.len()));
        }
        if !d.definitions.is_empty() {
            self.definitions = d
                .definitions
                .into_iter()
                .map(|d| (d.name.clone(), d))
                .collect();
        }
        let mut changed: HashSet<String> = HashSet::with_capacity(d.workflows.len());
        // The rows as they were before this batch, for finding their old places.
        let mut was: HashMap<String, Option<Row>> = HashMap::new();
        for w in d.workflows {
            if !d.full {
                changed.insert(w.id.clone());
            }
            match self.rows.get_mut(w.id.as_str()) {
                // Overlapping reads may return a row we already hold in a newer version.
                Some(r) if r.wf.version() > w.version => continue,
                Some(r) => {
                    if r.wf.status().is_terminal() {
                        self.finished
                            .remove(&(r.wf.updated_at().into(), w.id.clone()));
                    }
                    if w.status.is_terminal() {
                        self.finished.insert((w.updated_at.clone(), w.id.clone()));
                    }
                    if !d.full && !was.contains_key(&w.id) {
                        was.insert(w.id.clone(), Some(r.clone()));
                    }
                    r.wf = w.into();
                }
                None => {
                    if w.status.is_terminal() {
                        self.finished.insert((w.updated_at.clone(), w.id.clone()));
                    }
                    was.insert(w.id.clone(), None);
                    self.rows.insert(Row::new(w));
                }
            }
        }
        let mut pending: HashMap<String, Handoff> = HashMap::new();
        for h in d.pending {
            pending.insert(h.workflow_id.clone(), h); // ordered oldest first: newest wins
        }
        if !d.counts.is_empty() {
            self.counts = d.counts;
        }
        if let Some(at) = d.at {
            self.now = at;
        }
        self.loaded = true;
        if d.full {
            for r in self.rows.iter_mut() {
                r.pending = pending.remove(&*r.id).map(|h| Box::new(Pending::new(h)));
            }
            self.recompute(table);
            return;
        }
        // An incremental batch's pending handoffs are those of exactly its workflows.
        for id in &changed {
            if let Some(r) = self.rows.get_mut(id.as_str()) {
                r.pending = pending.remove(id).map(|h| Box::new(Pending::new(h)));
            }
        }
        for (id, row) in self.evict_finished() {
            was.entry(id.clone()).or_insert(Some(*row));
            changed.insert(id);
        }
        changed.extend(self.take_due());
        self.update_rows(changed, &was, table);
    }

    /// Keeps at most [`FINISHED_KEPT`] finished workflows, the most recently updated; returns
    /// the rows it let go.
    fn evict_finished(&mut self) -> Vec<(String, Box<Row>)> {
        let mut dropped = Vec::new();
        while self.finished.len() > FINISHED_KEPT {
            let Some((_, id)) = self.finished.pop_first() else {
                break;
            };
            if let Some(row) = self.rows.remove(id.as_str()) {
                dropped.push((id, row));
            }
        }
        dropped
    }

    /// Re-derives the finished set from the rows (a full load, or rows edited in place),
    /// letting the oldest finished ones go.
    pub(super) fn refinish(&mut self) {
        self.finished = self
            .rows
            .iter()
            .filter(|r| r.wf.status().is_terminal())
            .map(|r| (r.wf.updated_at().into(), r.id.to_string()))
            .collect();
        self.evict_finished();
    }
}

#[cfg(test)]
impl Held {
    pub(in crate::tui::app) fn row_mut(&mut self, id: &str) -> Option<&mut Row> {
        self.rows.get_mut(id)
    }
}
