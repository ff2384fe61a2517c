//! The sorted order of held workflows and the visible list derived from it, kept up to date
//! as changes arrive: changed rows are taken out and put back by binary search, so a change
//! costs in proportion to what changed, and a filter keystroke is one pass with no sorting.

use super::{Held, Row};
use crate::engine::stuck;
use crate::model::Status;
use crate::model::time::Timestamp;
use crate::tui::app::clock;
use crate::tui::app::table::{SortKey, Table};
use crate::tui::filter::Searchable;
use std::cmp::Ordering;
use std::collections::HashSet;

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

impl Held {
    /// Re-checks `changed` rows (stuck mark, deadline) and moves them to their places in
    /// the sorted and visible lists; rows no longer held leave both.
    pub(super) fn update_rows(&mut self, changed: HashSet<String>, table: &Table) {
        for id in &changed {
            self.restuck(id);
        }
        let mut add: Vec<(&Row, Box<Entry>)> = changed
            .iter()
            .filter_map(|id| self.rows.get(id))
            .map(|r| (&**r, Box::new(Entry::of(r))))
            .collect();
        add.sort_by(|a, b| self.cmp_rows(a.0, b.0, table.sort()));
        let shown: Vec<(&Row, String)> = add
            .iter()
            .filter(|(_, e)| table.shows(&e.id, &e.find))
            .map(|(r, e)| (*r, e.id.clone()))
            .collect();
        let mut order = std::mem::take(&mut self.order);
        let sort = table.sort();
        self.splice(&mut order, &changed, (|e| &e.id, |e| e.head), add, sort);
        let mut visible = std::mem::take(&mut self.visible);
        self.splice(
            &mut visible,
            &changed,
            (|id| id, |id| head(id)),
            shown,
            sort,
        );
        self.order = order;
        self.visible = visible;
    }

    /// Re-derives every stuck mark, every deadline and the sorted order, then the visible
    /// list. The full pass: first load, a new sort key, and tests that edit rows directly.
    pub(in crate::tui::app) fn recompute(&mut self, table: &Table) {
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
        rows.sort_by(|a, b| self.cmp_rows(a, b, table.sort()));
        self.order = rows.into_iter().map(|r| Box::new(Entry::of(r))).collect();
        self.refilter(table);
    }

    /// Rebuilds the visible list from the sorted order after a change of view or filter:
    /// one pass, no sorting, no lookups.
    pub(in crate::tui::app) fn refilter(&mut self, table: &Table) {
        self.visible = self
            .order
            .iter()
            .filter(|e| table.shows(&e.id, &e.find))
            .map(|e| e.id.clone())
            .collect();
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
        sort: SortKey,
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
                    .is_some_and(|y| self.cmp_rows(y, r, sort) == Ordering::Less)
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

    /// The order of the current sort key (ties by id, so the order is total). None of the
    /// keys depends on the time now, so the order stays sorted as time passes.
    pub(super) fn cmp_rows(&self, a: &Row, b: &Row, sort: SortKey) -> Ordering {
        let (x, y) = (&a.wf, &b.wf);
        let by = match sort {
            SortKey::Updated => y.updated_at.cmp(&x.updated_at),
            SortKey::Age => x.created_at.cmp(&y.created_at),
            SortKey::Build => x.build_id.cmp(&y.build_id),
            SortKey::Progress => self.progress(y).0.cmp(&self.progress(x).0),
            // Trouble first: stuck, then failed, then the rest by status; within a status
            // by start time, which never changes, so rows keep their places between writes.
            SortKey::Status => (a.stuck.is_none(), x.status != Status::Failed, x.status)
                .cmp(&(b.stuck.is_none(), y.status != Status::Failed, y.status))
                .then_with(|| x.created_at.cmp(&y.created_at)),
            // Longest in phase first. A finished workflow's time in phase stopped at its
            // completion: those come after every live one, longest first among themselves.
            SortKey::TimeInPhase => match (clock::stopped_at(x), clock::stopped_at(y)) {
                (None, None) => x.phase_since().cmp(y.phase_since()),
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(_), Some(_)) => {
                    let held = |w| clock::in_phase_secs(w, self.now);
                    held(y).cmp(&held(x))
                }
            },
        };
        by.then_with(|| x.id.cmp(&y.id))
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
