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
pub use rows::{Rows, Slot};

use super::table::Table;
use crate::engine::stuck::{self, Stuck, StuckPolicy};
use crate::model::time::Timestamp;
use crate::model::{Definition, Handoff, Stamp, Status, Workflow, WorkflowFields};
use crate::tui::msg::Delta;
use compact_str::CompactString;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeSet;

/// Finished workflows kept on screen after they complete, at most.
pub const FINISHED_KEPT: usize = 500;

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
            Stuck::NoHeartbeat { since, .. }
                if r.wf.heartbeat_at().is_some_and(|h| h == since.as_str()) =>
            {
                StuckSince::Heartbeat
            }
            Stuck::NoHeartbeat { .. } => StuckSince::PhaseEntered,
        }
    }
}

/// One workflow as the dashboard holds it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The workflow, packed (its id too: the lists name the row by its slot).
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
            wf: Packed::new(w),
            pending: None,
            stuck: None,
            due: None,
        }
    }
    pub fn id(&self) -> &str {
        self.wf.id()
    }
    /// The workflow whole again, exactly as it was read.
    pub fn unpack(&self) -> Workflow {
        self.wf.unpack()
    }
    /// A short, mostly unique handle for humans, as [`Workflow::short_id`].
    pub fn short_id(&self) -> &str {
        crate::model::short_id(self.id())
    }
    /// Changes the workflow in place (unpacked, edited, packed again): for tests and the
    /// rare edit, not for every frame. Its id stays: the table finds the row by it.
    pub fn edit(&mut self, f: impl FnOnce(&mut Workflow)) {
        let mut w = self.unpack();
        let id = w.id.clone();
        f(&mut w);
        w.id = id;
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
    fn created_at(&self) -> Stamp<'_> {
        self.wf.created_at()
    }
    fn updated_at(&self) -> Stamp<'_> {
        self.wf.updated_at()
    }
    fn completed_at(&self) -> Option<Stamp<'_>> {
        self.wf.completed_at()
    }
    fn heartbeat_at(&self) -> Option<Stamp<'_>> {
        self.wf.heartbeat_at()
    }
    fn state_entered_at(&self) -> Option<Stamp<'_>> {
        self.wf.state_entered_at()
    }
}

#[derive(Debug, Clone)]
pub struct Held {
    now: Timestamp,
    policy: StuckPolicy,
    /// In numbered slots, found by the ids they hold.
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
    /// The rows in display order after view, filter and sort.
    visible: Vec<Slot>,
    /// Every row's stuck deadline, soonest first: passing time re-checks only the rows whose
    /// deadline came, not the live set.
    due: BTreeSet<(Timestamp, Slot)>,
    /// The last time passing time was checked; wake-ups are at least a second apart.
    checked_at: Option<Timestamp>,
    /// The finished rows held, oldest update first: letting the oldest go needs no pass
    /// over the live set.
    finished: BTreeSet<(CompactString, String)>,
    /// At most this many finished rows are held: [`FINISHED_KEPT`] (fewer in tests, so that
    /// rows are let go and their slots given again).
    finished_kept: usize,
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
            finished_kept: FINISHED_KEPT,
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
    pub fn stuck_since<'r>(&self, r: &'r Row) -> Option<Stamp<'r>> {
        match r.stuck? {
            StuckSince::Handoff => r.pending.as_deref().map(|p| Stamp::Text(p.created_at())),
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
    /// The id of the row an entry of the order stands for.
    pub fn id_of(&self, e: &Entry) -> &str {
        self.rows[e.slot].id()
    }
    /// The order as id, folded text and the rest of each entry: what two orders that keep
    /// their texts (and rows) in different places are compared by.
    pub fn folded_order(&self) -> Vec<(&str, &str, &crate::tui::filter::Searchable)> {
        self.order
            .iter()
            .map(|e| (self.id_of(e), e.text(&self.texts), &e.find))
            .collect()
    }
    pub fn visible(&self) -> Visible<'_> {
        Visible {
            slots: &self.visible,
            rows: &self.rows,
        }
    }
    /// Every stuck deadline with the id of its row, soonest first.
    pub fn due(&self) -> Vec<(Timestamp, &str)> {
        self.due
            .iter()
            .map(|&(t, s)| (t, self.rows[s].id()))
            .collect()
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
        if table.shows(|| id, &text, &find) {
            return false;
        }
        let Some(slot) = self.rows.slot_of(id) else {
            return false;
        };
        let before = self.visible.len();
        self.visible.retain(|&v| v != slot);
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
        // The rows this batch brings, by slot: no slot is let go before they are placed
        // (`evict_finished` runs after), so a slot names one row throughout.
        let mut changed: HashSet<Slot> = HashSet::with_capacity(d.workflows.len());
        // The rows as they were before this batch, for finding their old places.
        let mut was: HashMap<Slot, Option<Row>> = HashMap::new();
        for w in d.workflows {
            let held = self.rows.slot_of(&w.id);
            match held.and_then(|s| Some((s, self.rows.at_mut(s)?))) {
                // Overlapping reads may return a row we already hold in a newer version.
                Some((s, r)) if r.wf.version() > w.version => {
                    if !d.full {
                        changed.insert(s);
                    }
                }
                Some((s, r)) => {
                    if r.wf.status().is_terminal() {
                        self.finished
                            .remove(&(r.wf.updated_at().into(), w.id.clone()));
                    }
                    if w.status.is_terminal() {
                        self.finished.insert((w.updated_at.clone(), w.id.clone()));
                    }
                    if !d.full {
                        changed.insert(s);
                        was.entry(s).or_insert_with(|| Some(r.clone()));
                    }
                    r.wf = w.into();
                }
                None => {
                    if w.status.is_terminal() {
                        self.finished.insert((w.updated_at.clone(), w.id.clone()));
                    }
                    let s = self.rows.insert(Row::new(w));
                    if !d.full {
                        changed.insert(s);
                    }
                    was.insert(s, None);
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
        let mut pend = |r: &mut Row| {
            let h = pending.remove(r.id());
            r.pending = h.map(|h| Box::new(Pending::new(h)));
        };
        if d.full {
            self.rows.iter_mut().for_each(pend);
            self.recompute(table);
            return;
        }
        // An incremental batch's pending handoffs are those of exactly its workflows.
        for &s in &changed {
            if let Some(r) = self.rows.at_mut(s) {
                pend(r);
            }
        }
        for (s, row) in self.evict_finished() {
            was.entry(s).or_insert(Some(row));
            changed.insert(s);
        }
        changed.extend(self.take_due());
        self.update_rows(changed, &was, table);
    }

    /// Keeps at most `finished_kept` finished workflows, the most recently updated; returns
    /// the rows it let go with the slots they had (which the lists still name), having
    /// taken their deadlines out (their slots may be given to other rows).
    fn evict_finished(&mut self) -> Vec<(Slot, Row)> {
        let mut dropped = Vec::new();
        while self.finished.len() > self.finished_kept {
            let Some((_, id)) = self.finished.pop_first() else {
                break;
            };
            if let Some((s, row)) = self.rows.remove(id.as_str()) {
                if let Some(t) = row.due {
                    self.due.remove(&(t, s));
                }
                // Its mark may be from before it finished (in this very batch): it no longer
                // counts.
                if row.stuck.is_some() {
                    self.stuck_count = self.stuck_count.saturating_sub(1);
                }
                dropped.push((s, row));
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
            .map(|r| (r.wf.updated_at().into(), r.id().to_string()))
            .collect();
        self.evict_finished();
    }
}

/// The rows shown, in display order: read as ids or as rows.
#[derive(Clone, Copy)]
pub struct Visible<'h> {
    slots: &'h [Slot],
    rows: &'h Rows,
}

impl<'h> Visible<'h> {
    pub fn len(&self) -> usize {
        self.slots.len()
    }
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
    /// The id of the `i`th row shown.
    pub fn get(&self, i: usize) -> Option<&'h str> {
        self.row(i).map(Row::id)
    }
    /// The `i`th row shown.
    pub fn row(&self, i: usize) -> Option<&'h Row> {
        self.rows.at(*self.slots.get(i)?)
    }
    /// The rows shown from `at`, the first of them at `at.start`.
    pub fn range(&self, at: std::ops::Range<usize>) -> Visible<'h> {
        Visible {
            slots: &self.slots[at],
            rows: self.rows,
        }
    }
    /// The ids shown, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'h str> + use<'h> {
        self.rows().map(Row::id)
    }
    /// The rows shown, in order.
    pub fn rows(&self) -> impl Iterator<Item = &'h Row> + use<'h> {
        let rows = self.rows;
        self.slots.iter().filter_map(move |&s| rows.at(s))
    }
}

impl std::ops::Index<usize> for Visible<'_> {
    type Output = str;

    /// The id of the `i`th row shown; panics past the end.
    fn index(&self, i: usize) -> &str {
        let Some(id) = self.get(i) else {
            panic!("row {i} of {} shown", self.len())
        };
        id
    }
}

impl PartialEq for Visible<'_> {
    /// The same ids in the same order (wherever the rows are held).
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Visible<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
impl Held {
    pub(in crate::tui::app) fn keep_finished(&mut self, n: usize) {
        self.finished_kept = n;
    }
    pub(in crate::tui::app) fn row_mut(&mut self, id: &str) -> Option<&mut Row> {
        self.rows.get_mut(id)
    }
}
