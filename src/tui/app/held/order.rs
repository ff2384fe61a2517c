//! The sorted order of held workflows and the visible list derived from it, kept up to date
//! as changes arrive: changed rows are found by binary search on their old values, taken
//! out, and put back by binary search, so a change costs in proportion to what changed
//! (plus moving entries), and a filter keystroke is one pass with no sorting.

use super::{Held, Pending, Row, Slot, StuckSince};
use crate::engine::stuck;
use crate::model::Status;
use crate::model::time::Timestamp;
use crate::tui::app::clock;
use crate::tui::app::table::{SortKey, Table};
use crate::tui::filter::Searchable;
use foldhash::{HashMap, HashSet};
use std::cmp::Ordering;

/// One row in the sorted order, with what the view and filter look at, so that a filter
/// keystroke is one pass over this list (no table lookups). Its folded text is in
/// `Held::texts`, from `at` (so entries are compared by [`Held::folded_order`], not alone).
#[derive(Debug, Clone)]
pub struct Entry {
    /// The row's slot in `Held::rows`.
    pub slot: Slot,
    /// Where its text begins in `Held::texts` (a u32: entries are moved in runs, and
    /// 4 GiB of text would be 40 million rows).
    at: u32,
    pub find: Searchable,
}

impl Entry {
    /// The entry of row `r`, held in `slot`, its folded text appended to `texts`.
    pub(super) fn of(slot: Slot, r: &Row, texts: &mut String) -> Entry {
        let at = text_at(texts);
        Entry {
            slot,
            at,
            find: Searchable::fold_into(r, r.stuck.is_some(), texts),
        }
    }

    /// This entry's folded text, from the texts it was folded into.
    pub fn text<'t>(&self, texts: &'t str) -> &'t str {
        let at = self.at as usize;
        &texts[at..at + self.find.text_len()]
    }
}

/// Folded text appended since the last layout below which it is never laid out again
/// (small in tests, so that their few rows are laid out again too).
pub(in crate::tui::app) const COMPACT_MIN: usize = if cfg!(test) { 256 } else { 64 * 1024 };

impl Held {
    /// Re-checks `changed` rows (stuck mark, deadline) and moves them to their places in
    /// the sorted and visible lists; rows no longer held leave both. `was` holds the rows
    /// this batch replaced or let go as they were (`None`: not held before), so that their
    /// old places are found with the values they were sorted by.
    pub(super) fn update_rows(
        &mut self,
        changed: HashSet<Slot>,
        was: &HashMap<Slot, Option<Row>>,
        table: &Table,
    ) {
        if self.rotate_in(&changed, was, table) {
            return;
        }
        let sort = table.sort();
        // Out first, while every row still sorts as it did (stuck marks included).
        let mut order = std::mem::take(&mut self.order);
        let mut visible = std::mem::take(&mut self.visible);
        if self.take_out(&mut order, |e| e.slot, &changed, was, sort) {
            // The visible list is a part of the order, sorted alike; a changed row may not
            // have been visible, so not finding it there is normal.
            self.take_out(&mut visible, |&s| s, &changed, was, sort);
        } else {
            // A row was not where its old values put it (never expected): the full pass.
            self.full_passes += 1;
            order.retain(|e| !changed.contains(&e.slot));
            visible.retain(|s| !changed.contains(s));
        }
        for &s in &changed {
            self.restuck(s);
        }
        let mut texts = std::mem::take(&mut self.texts);
        let before = texts.len();
        let mut add: Vec<(&Row, Entry)> = changed
            .iter()
            .filter_map(|&s| Some((s, self.rows.at(s)?)))
            .map(|(s, r)| (r, Entry::of(s, r, &mut texts)))
            .collect();
        add.sort_by(|a, b| self.cmp_rows(a.0, b.0, sort));
        let shown: Vec<(&Row, Slot)> = add
            .iter()
            .filter(|(r, e)| table.shows(|| r.id(), e.text(&texts), &e.find))
            .map(|(r, e)| (*r, e.slot))
            .collect();
        self.put_in(&mut order, |e| e.slot, add, sort);
        self.put_in(&mut visible, |&s| s, shown, sort);
        let written = texts.len() - before;
        self.order = order;
        self.visible = visible;
        self.texts = texts;
        self.texts_written(written);
    }

    /// `n` bytes of changed rows' texts were appended. They go to the end, and their old
    /// ones stay behind: once a quarter of the buffer was written since the last layout,
    /// it is laid out again in table order.
    pub(super) fn texts_written(&mut self, n: usize) {
        self.appended += n;
        if self.appended > COMPACT_MIN && self.appended * 4 > self.texts.len() {
            self.lay_out_texts();
        }
    }

    /// Writes every entry's folded text again, in table order, leaving out the texts of
    /// rows changed or let go since: the keystroke's pass then reads memory in sequence.
    fn lay_out_texts(&mut self) {
        let mut texts = String::with_capacity(self.order.iter().map(|e| e.find.text_len()).sum());
        for e in &mut self.order {
            let at = text_at(&texts);
            texts.push_str(e.text(&self.texts));
            e.at = at;
        }
        self.texts = texts;
        self.appended = 0;
    }

    /// Takes the `changed` ids out of the sorted `list`, each found by binary search on the
    /// row as it was (`was`, else as held), then closes the list up in one pass that moves
    /// elements without looking into them. False if a held row was not where it should be.
    fn take_out<T>(
        &self,
        list: &mut Vec<T>,
        slot_of: impl Fn(&T) -> Slot,
        changed: &HashSet<Slot>,
        was: &HashMap<Slot, Option<Row>>,
        sort: SortKey,
    ) -> bool {
        let as_was = |s: Slot| match was.get(&s) {
            Some(before) => before.as_ref(),
            None => self.rows.at(s),
        };
        let mut at = Vec::with_capacity(changed.len());
        let mut found_all = true;
        for &s in changed {
            let Some(r) = as_was(s) else { continue };
            let i = list.partition_point(|x| {
                as_was(slot_of(x)).is_some_and(|y| self.cmp_rows(y, r, sort) == Ordering::Less)
            });
            match list.get(i) {
                Some(x) if slot_of(x) == s => at.push(i),
                _ => found_all = false,
            }
        }
        at.sort_unstable();
        at.dedup();
        remove_at(list, &at);
        found_all
    }

    /// Puts `add` (sorted, with the rows they stand for) into the sorted `list`, each at its
    /// place by binary search; the rest are moved, not copied.
    fn put_in<T>(
        &self,
        list: &mut Vec<T>,
        slot_of: impl Fn(&T) -> Slot,
        add: Vec<(&Row, T)>,
        sort: SortKey,
    ) {
        let mut at = Vec::with_capacity(add.len());
        let mut from = 0;
        for (r, _) in &add {
            from += list[from..].partition_point(|x| {
                self.rows
                    .at(slot_of(x))
                    .is_some_and(|y| self.cmp_rows(y, r, sort) == Ordering::Less)
            });
            at.push(from);
        }
        insert_at(
            list,
            at.into_iter()
                .zip(add.into_iter().map(|(_, item)| item))
                .collect(),
        );
    }

    /// Re-derives the finished set, every stuck mark, every deadline and the sorted order,
    /// then the visible list. The full pass: first load, a new sort key, and tests that edit
    /// rows directly.
    pub(in crate::tui::app) fn recompute(&mut self, table: &Table) {
        self.refinish();
        let now = self.now;
        let policy = self.policy;
        let marks: Vec<(Slot, Option<StuckSince>, Option<Timestamp>)> = self
            .rows
            .slots()
            .map(|(slot, r)| {
                let def = self.definitions.get(r.wf.definition());
                let pending = r.pending.as_deref().map(Pending::unpack);
                let stuck = stuck::detect(r, def, pending.as_ref(), policy, now);
                let due = self.deadline_of(r, pending.as_ref(), stuck.as_ref());
                (slot, stuck.map(|s| StuckSince::of(&s, r)), due)
            })
            .collect();
        self.stuck_count = marks.iter().filter(|(_, stuck, _)| stuck.is_some()).count();
        self.due.clear();
        for (slot, stuck, t) in marks {
            if let Some(r) = self.rows.at_mut(slot) {
                r.stuck = stuck;
                r.due = t;
            }
            if let Some(t) = t {
                self.due.insert((t, slot));
            }
        }
        self.checked_at = Some(now);
        let mut rows: Vec<(Slot, &Row)> = self.rows.slots().collect();
        rows.sort_by(|a, b| self.cmp_rows(a.1, b.1, table.sort()));
        let mut texts = String::new();
        self.order = rows
            .into_iter()
            .map(|(slot, r)| Entry::of(slot, r, &mut texts))
            .collect();
        self.texts = texts;
        self.appended = 0;
        self.refilter(table);
    }

    /// Where workflow `id` is in the visible list: found by binary search on its row, or,
    /// should its row have changed since it was placed (a stuck mark re-derived in
    /// passing), by looking through the list.
    pub(in crate::tui::app) fn position(&self, id: &str, sort: SortKey) -> Option<usize> {
        let s = self.rows.slot_of(id)?;
        let r = &self.rows[s];
        let at = self.visible.partition_point(|&x| {
            self.rows
                .at(x)
                .is_some_and(|y| self.cmp_rows(y, r, sort) == Ordering::Less)
        });
        match self.visible.get(at) {
            Some(&x) if x == s => Some(at),
            _ => self.visible.iter().position(|&x| x == s),
        }
    }

    /// Rebuilds the visible list from the sorted order after a change of view or filter:
    /// one pass, no sorting, no lookups.
    pub(in crate::tui::app) fn refilter(&mut self, table: &Table) {
        let (texts, rows) = (&self.texts, &self.rows);
        self.visible = self
            .order
            .iter()
            .filter(|e| table.shows(|| rows[e.slot].id(), e.text(texts), &e.find))
            .map(|e| e.slot)
            .collect();
    }

    /// The order of the current sort key (ties by id, so the order is total). None of the
    /// keys depends on the time now, so the order stays sorted as time passes.
    pub(super) fn cmp_rows(&self, a: &Row, b: &Row, sort: SortKey) -> Ordering {
        let (x, y) = (&a.wf, &b.wf);
        let by = match sort {
            SortKey::Updated => y.updated_at().cmp(&x.updated_at()),
            SortKey::Age => x.created_at().cmp(&y.created_at()),
            SortKey::Build => x.build_id().cmp(y.build_id()),
            SortKey::Progress => self.progress(b).0.cmp(&self.progress(a).0),
            // Trouble first: stuck, then failed, then the rest by status; within a status
            // by start time, which never changes, so rows keep their places between writes.
            SortKey::Status => (a.stuck.is_none(), x.status() != Status::Failed, x.status())
                .cmp(&(b.stuck.is_none(), y.status() != Status::Failed, y.status()))
                .then_with(|| x.created_at().cmp(&y.created_at())),
            // Longest in phase first. A finished workflow's time in phase stopped at its
            // completion: those come after every live one, longest first among themselves.
            SortKey::TimeInPhase => match (clock::stopped_at(a), clock::stopped_at(b)) {
                (None, None) => x.phase_since().cmp(&y.phase_since()),
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(_), Some(_)) => {
                    let held = |w: &Row| clock::in_phase_secs(w, self.now);
                    held(b).cmp(&held(a))
                }
            },
        };
        by.then_with(|| a.id().cmp(b.id()))
    }
}

/// Removes the elements at the positions `at` (ascending, distinct), in place: the list
/// is never copied, so loading 50,000 rows in chunks leaves no trail of freed copies. The
/// elements between two positions move down in one run each (a `retain` would test and
/// move them one at a time: a stuck mark turning on moves half of 50,000 entries).
fn remove_at<T>(list: &mut Vec<T>, at: &[usize]) {
    let Some(&first) = at.first() else {
        return;
    };
    let len = list.len();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]) && at[at.len() - 1] < len,
        "remove_at: positions must ascend, once each, inside the list"
    );
    let base = list.as_mut_ptr();
    let mut gone = Vec::with_capacity(at.len());
    // SAFETY: the length drops to `first` before anything moves, so the list never claims
    // a slot that was read out or moved from. Each removed element is read out once (the
    // positions are distinct and in range, checked above); the run after it, up to the next
    // position, moves down to just past what is kept, which never overlaps a slot not yet
    // read (`to <= p`). Nothing in the loop can panic; the removed elements are dropped
    // after the list is whole again.
    unsafe {
        list.set_len(first);
        let mut to = first;
        for (k, &p) in at.iter().enumerate() {
            gone.push(std::ptr::read(base.add(p)));
            let run = at.get(k + 1).copied().unwrap_or(len) - p - 1;
            std::ptr::copy(base.add(p + 1), base.add(to), run);
            to += run;
        }
        list.set_len(to);
    }
    drop(gone);
}

/// Inserts each item before the element now at its position (positions ascending; items
/// at one position keep their order; a position past the end appends), in place: the
/// list grows where it is (a realloc, not a copy beside the old one), and the elements
/// move back in runs, from the end, each once.
fn insert_at<T>(list: &mut Vec<T>, add: Vec<(usize, T)>) {
    let len = list.len();
    assert!(
        add.windows(2).all(|w| w[0].0 <= w[1].0),
        "insert_at: positions must ascend"
    );
    let n = add.len();
    list.reserve(n);
    let base = list.as_mut_ptr();
    let (mut end, mut from) = (len + n, len);
    for (p, item) in add.into_iter().rev() {
        let p = p.min(len);
        // SAFETY: positions ascend (checked above) and are at most `len`, so `p <= from`
        // throughout; `[p, from)` holds initialised elements not yet moved, and it moves to
        // `[end - run, end)`, inside the reserved capacity, at or past where it was
        // (`end >= from + 1` until the last item is written). Nothing here can panic, so no
        // element is dropped twice; the length covers them all only once all are placed.
        unsafe {
            let run = from - p;
            std::ptr::copy(base.add(p), base.add(end - run), run);
            end -= run + 1;
            std::ptr::write(base.add(end), item);
        }
        from = p;
    }
    // SAFETY: every slot below `len + n` now holds exactly one element.
    unsafe { list.set_len(len + n) };
}

/// Where the next text appended to `texts` begins.
fn text_at(texts: &str) -> u32 {
    u32::try_from(texts.len()).expect("the held rows' texts stay under 4 GiB")
}

#[cfg(test)]
mod tests {
    use super::{Entry, insert_at, remove_at};
    use proptest::prelude::*;

    /// A keystroke reads every entry and a change moves half of them: their size is the
    /// cost of both (72 bytes before the text's place became a u32 and an unknown status
    /// moved into the text, 56 before rows were named by slot and the ends became u16).
    #[test]
    fn an_entry_is_24_bytes() {
        assert_eq!(std::mem::size_of::<crate::tui::filter::Searchable>(), 14);
        assert_eq!(std::mem::size_of::<Entry>(), 24);
    }

    proptest! {
        /// In place, as one insertion after another would leave it (owned elements, so a
        /// double drop or a lost one would show).
        #[test]
        fn inserting_in_place_is_inserting_one_by_one(
            len in 0usize..40,
            mut at in proptest::collection::vec(0usize..45, 0..20),
        ) {
            at.sort_unstable();
            let mut v: Vec<String> = (0..len).map(|i| format!("old{i}")).collect();
            let mut want = v.clone();
            for (k, &p) in at.iter().enumerate().rev() {
                want.insert(p.min(len), format!("new{k}"));
            }
            let add = at.iter().enumerate().map(|(k, &p)| (p, format!("new{k}"))).collect();
            insert_at(&mut v, add);
            prop_assert_eq!(v, want);
        }

        #[test]
        fn removing_in_place_is_removing_one_by_one(
            len in 0usize..40,
            mut at in proptest::collection::vec(0usize..40, 0..20),
        ) {
            at.retain(|&p| p < len);
            at.sort_unstable();
            at.dedup();
            let mut v: Vec<String> = (0..len).map(|i| format!("e{i}")).collect();
            let mut want = v.clone();
            for &p in at.iter().rev() {
                want.remove(p);
            }
            remove_at(&mut v, &at);
            prop_assert_eq!(v, want);
        }
    }

    #[test]
    fn removing_keeps_the_rest_in_order() {
        let mut v: Vec<u32> = (0..10).collect();
        remove_at(&mut v, &[0, 3, 4, 9]);
        assert_eq!(v, [1, 2, 5, 6, 7, 8]);
        remove_at(&mut v, &[]);
        assert_eq!(v, [1, 2, 5, 6, 7, 8], "nothing to remove");
        remove_at(&mut v, &[0, 1, 2, 3, 4, 5]);
        assert!(v.is_empty(), "everything");
    }

    #[test]
    fn inserting_puts_each_before_the_element_at_its_place() {
        let mut v = vec![10, 20, 30];
        insert_at(&mut v, vec![(0, 5), (2, 25), (2, 26), (3, 35), (9, 99)]);
        assert_eq!(v, [5, 10, 20, 25, 26, 30, 35, 99]);
        let mut empty: Vec<u32> = Vec::new();
        insert_at(&mut empty, vec![(0, 1), (0, 2)]);
        assert_eq!(empty, [1, 2]);
        insert_at(&mut empty, Vec::new());
        assert_eq!(empty, [1, 2], "nothing to insert");
    }
}
