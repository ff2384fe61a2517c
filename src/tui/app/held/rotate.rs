//! A few changed rows moved one at a time, each by rotating the entries between its old
//! and new places. A writer's look usually brings one or two changed rows, and under the
//! default sort an updated row keeps its place; taking rows out and putting them back moves
//! the tail of each list twice (half of 50,000 entries each time, on average), a rotation
//! moves only the entries it passes: none, for a row that stays.

use super::order::Entry;
use super::{Held, Row, Slot};
use crate::tui::app::table::Table;
use foldhash::{HashMap, HashSet};
use std::cmp::Ordering;

/// At most this many changed rows are moved by rotation: each rotation may pass half the
/// list, and past a few of them taking all out and putting all back in one pass moves less.
pub(super) const ROTATE_MAX: usize = 4;

impl Held {
    /// Moves each of `changed` by rotation, when they are few and every one was held before
    /// and is held still. False when the general path must run; it then puts every row
    /// right from whatever this left (a row it cannot find where its old values put it
    /// sends it to its full pass).
    pub(super) fn rotate_in(
        &mut self,
        changed: &HashSet<Slot>,
        was: &HashMap<Slot, Option<Row>>,
        table: &Table,
    ) -> bool {
        let held = |s: Slot| !matches!(was.get(&s), Some(None)) && self.rows.at(s).is_some();
        if changed.len() > ROTATE_MAX || !changed.iter().all(|&s| held(s)) {
            return false;
        }
        let mut waiting: HashSet<Slot> = changed.clone();
        for &s in changed {
            waiting.remove(&s);
            if !self.move_one(s, was, &waiting, table) {
                return false;
            }
        }
        true
    }

    /// Where a row sits now: by the values it was sorted by while it waits its turn (in
    /// `waiting`), as held otherwise.
    fn placed<'r>(
        &'r self,
        x: Slot,
        was: &'r HashMap<Slot, Option<Row>>,
        waiting: &HashSet<Slot>,
    ) -> Option<&'r Row> {
        match was.get(&x) {
            Some(before) if waiting.contains(&x) => before.as_ref(),
            _ => self.rows.at(x),
        }
    }

    /// Moves the changed row in slot `s` from where its old values put it to where its new
    /// ones do; false, having changed nothing, when it is not where it should be.
    fn move_one(
        &mut self,
        s: Slot,
        was: &HashMap<Slot, Option<Row>>,
        waiting: &HashSet<Slot>,
        table: &Table,
    ) -> bool {
        let sort = table.sort();
        let Some(old) = was.get(&s).map_or_else(|| self.rows.at(s), Option::as_ref) else {
            return false;
        };
        // This row by its old values, which `rows` no longer holds.
        let before = |x: Slot| {
            let y = if x == s {
                Some(old)
            } else {
                self.placed(x, was, waiting)
            };
            y.is_some_and(|y| self.cmp_rows(y, old, sort) == Ordering::Less)
        };
        let i = self.order.partition_point(|e| before(e.slot));
        if self.order.get(i).is_none_or(|e| e.slot != s) {
            return false;
        }
        let v = self.visible.partition_point(|&x| before(x));
        let was_shown = self.visible.get(v) == Some(&s);
        self.restuck(s);
        let Some(row) = self.rows.at(s) else {
            return false; // just checked; kept for the borrow
        };
        let start = self.texts.len();
        let entry = Entry::of(s, row, &mut self.texts);
        let shown = table.shows(|| row.id(), entry.text(&self.texts), &entry.find);
        let after = |x: Slot| {
            self.placed(x, was, waiting)
                .is_some_and(|y| self.cmp_rows(y, row, sort) == Ordering::Less)
        };
        // Every place first, while the lists are only read.
        let j = new_place(&self.order, |e| after(e.slot), i);
        let w = match (was_shown, shown) {
            (true, true) => new_place(&self.visible, |&x| after(x), v),
            (false, true) => self.visible.partition_point(|&x| after(x)),
            _ => v,
        };
        move_to(&mut self.order, i, j);
        self.order[j] = entry;
        match (was_shown, shown) {
            (true, true) => move_to(&mut self.visible, v, w),
            (true, false) => {
                self.visible.remove(v);
            }
            (false, true) => self.visible.insert(w, s),
            (false, false) => {}
        }
        let written = self.texts.len() - start;
        self.texts_written(written);
        true
    }
}

/// Where the element now at `i` of the sorted `list` belongs, `before` telling which sort
/// before it by its new values, as a place in the list without it: the parts before and
/// after it are each searched.
fn new_place<T>(list: &[T], before: impl Fn(&T) -> bool, i: usize) -> usize {
    let head = list[..i].partition_point(&before);
    if head < i {
        head
    } else {
        i + list[i + 1..].partition_point(&before)
    }
}

/// Moves the element at `from` to `to` (a place in the list without it), shifting those
/// between by one.
fn move_to<T>(list: &mut [T], from: usize, to: usize) {
    if to >= from {
        list[from..=to].rotate_left(1);
    } else {
        list[to..=from].rotate_right(1);
    }
}

#[cfg(test)]
mod tests {
    use super::move_to;

    #[test]
    fn an_element_moves_to_its_place_in_the_list_without_it() {
        let mut v = [0, 1, 2, 3, 4];
        move_to(&mut v, 1, 3);
        assert_eq!(v, [0, 2, 3, 1, 4]);
        move_to(&mut v, 3, 0);
        assert_eq!(v, [1, 0, 2, 3, 4]);
        move_to(&mut v, 2, 2);
        assert_eq!(v, [1, 0, 2, 3, 4], "in place");
        move_to(&mut v, 0, 4);
        assert_eq!(v, [0, 2, 3, 4, 1]);
    }
}
