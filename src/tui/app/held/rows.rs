//! The held rows: in numbered slots, which the sorted lists and the deadlines name them by
//! (four bytes where a shared id took sixteen, and its own allocation of 52), and found by
//! the id each holds through a table of slot numbers hashed by those ids.

use super::Row;
use foldhash::fast::RandomState;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Where a held row is. A slot stays the row's while it is held; once the row is let go
/// the number may be given to another row, so whatever names a row by its slot lets go of
/// the number with the row (see `Held::merge`).
pub type Slot = u32;

#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// The rows, inline (no allocation of their own); `None` where one was let go.
    slots: Vec<Option<Row>>,
    /// Slots let go, given again before the list grows.
    free: Vec<Slot>,
    /// Every held slot, hashed by its row's id.
    table: HashTable<Slot>,
    hasher: RandomState,
}

impl Rows {
    /// Room for `n` rows without growing (growing holds two tables for a moment).
    pub fn with_capacity(n: usize) -> Rows {
        Rows {
            slots: Vec::with_capacity(n),
            free: Vec::new(),
            table: HashTable::with_capacity(n),
            hasher: RandomState::default(),
        }
    }

    fn hash(&self, id: &str) -> u64 {
        self.hasher.hash_one(id)
    }

    /// The slot of the row `id`, if it is held.
    pub fn slot_of(&self, id: &str) -> Option<Slot> {
        self.find(self.hash(id), id)
    }

    /// The slot of the row `id`, whose hash is `hash`.
    fn find(&self, hash: u64, id: &str) -> Option<Slot> {
        self.table.find(hash, holds(&self.slots, id)).copied()
    }

    pub fn get(&self, id: &str) -> Option<&Row> {
        self.at(self.slot_of(id)?)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Row> {
        let s = self.slot_of(id)?;
        self.at_mut(s)
    }

    /// The row in slot `s`, if one is held there.
    pub fn at(&self, s: Slot) -> Option<&Row> {
        held(&self.slots, s)
    }

    pub fn at_mut(&mut self, s: Slot) -> Option<&mut Row> {
        self.slots.get_mut(s as usize)?.as_mut()
    }

    /// Holds `row` and returns its slot, replacing the row of the same id if there is one
    /// (which keeps its slot).
    pub fn insert(&mut self, row: Row) -> Slot {
        let hash = self.hash(row.id());
        if let Some(s) = self.find(hash, row.id()) {
            self.slots[s as usize] = Some(row);
            return s;
        }
        let s = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(row);
                s
            }
            None => {
                let s = Slot::try_from(self.slots.len()).expect("fewer than 4 billion rows held");
                self.slots.push(Some(row));
                s
            }
        };
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.table.insert_unique(hash, s, |&x| {
            hasher.hash_one(held(slots, x).map_or("", Row::id))
        });
        s
    }

    /// Lets the row `id` go; its slot may be given to the next row held.
    pub fn remove(&mut self, id: &str) -> Option<(Slot, Row)> {
        let hash = self.hash(id);
        let found = self.table.find_entry(hash, holds(&self.slots, id)).ok()?;
        let s = found.remove().0;
        let row = self.slots[s as usize].take()?;
        self.free.push(s);
        Some((s, row))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Row> {
        self.slots.iter().flatten()
    }

    /// Every held row with its slot.
    pub fn slots(&self) -> impl Iterator<Item = (Slot, &Row)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(s, r)| Some((s as Slot, r.as_ref()?)))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Row> {
        self.slots.iter_mut().flatten()
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

fn held(slots: &[Option<Row>], s: Slot) -> Option<&Row> {
    slots.get(s as usize)?.as_ref()
}

/// Whether a slot of the table holds the row `id`: how the table's probes compare.
fn holds<'a>(slots: &'a [Option<Row>], id: &'a str) -> impl Fn(&Slot) -> bool + 'a {
    move |&s| held(slots, s).is_some_and(|r| r.id() == id)
}

impl std::ops::Index<&str> for Rows {
    type Output = Row;

    /// The row of `id`; panics when none is held (for tests and callers that know).
    fn index(&self, id: &str) -> &Row {
        self.get(id).unwrap_or_else(|| panic!("no held row {id}"))
    }
}

impl std::ops::Index<Slot> for Rows {
    type Output = Row;

    /// The row in slot `s`; panics when none is held there (a list naming a slot let go).
    fn index(&self, s: Slot) -> &Row {
        self.at(s)
            .unwrap_or_else(|| panic!("no held row in slot {s}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::tui::testing::workflow;

    fn row(id: &str, build: &str) -> Row {
        Row::new(workflow(id, build, "build", Status::Running))
    }

    #[test]
    fn rows_are_found_replaced_and_removed_by_their_ids() {
        let mut rows = Rows::with_capacity(2);
        for i in 0..100 {
            rows.insert(row(&format!("wf-{i}"), &format!("b-{i}")));
        }
        assert_eq!(rows.len(), 100);
        assert_eq!(rows["wf-42"].wf.build_id(), "b-42");
        let s = rows.slot_of("wf-42").expect("held");
        assert_eq!(
            rows.insert(row("wf-42", "again")),
            s,
            "the same id keeps its slot"
        );
        assert_eq!(rows.len(), 100, "the same id replaces");
        assert_eq!(rows[s].wf.build_id(), "again");
        rows.get_mut("wf-7").expect("held").stuck = None;
        let seven = rows.slot_of("wf-7");
        assert_eq!(
            rows.remove("wf-7").map(|(s, r)| (s, r.id().to_string())),
            seven.map(|s| (s, "wf-7".to_string()))
        );
        assert!(rows.get("wf-7").is_none() && rows.remove("wf-7").is_none());
        assert_eq!(rows.iter().count(), 99);
        assert!(rows.iter().all(|r| rows.get(r.id()).is_some()));
        assert!(rows.slots().all(|(s, r)| rows.slot_of(r.id()) == Some(s)));
    }

    #[test]
    fn a_slot_let_go_is_given_to_the_next_row_and_names_only_it() {
        let mut rows = Rows::default();
        let a = rows.insert(row("a", "atlas-1"));
        let b = rows.insert(row("b", "atlas-2"));
        rows.remove("a");
        assert!(rows.at(a).is_none(), "an empty slot holds nothing");
        let c = rows.insert(row("c", "atlas-3"));
        assert_eq!(c, a, "reused before the list grows");
        assert_eq!((rows[c].id(), rows[b].id()), ("c", "b"));
        assert!(rows.get("a").is_none());
        assert_eq!(rows.len(), 2);
    }
}
