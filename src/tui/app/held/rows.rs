//! The held rows, found by the id each holds. A map keyed by the id would keep a second
//! pointer to it in every slot (16 bytes, 21 with the table's slack, at 50,000 rows); a
//! table of rows hashed by their own ids keeps only the row's pointer.

use super::Row;
use foldhash::fast::RandomState;
use hashbrown::HashTable;
use std::hash::BuildHasher;

#[derive(Debug, Clone, Default)]
pub struct Rows {
    table: HashTable<Box<Row>>,
    hasher: RandomState,
}

impl Rows {
    /// Room for `n` rows without growing (growing holds two tables for a moment).
    pub fn with_capacity(n: usize) -> Rows {
        Rows {
            table: HashTable::with_capacity(n),
            hasher: RandomState::default(),
        }
    }

    fn hash(&self, id: &str) -> u64 {
        self.hasher.hash_one(id)
    }

    pub fn get(&self, id: &str) -> Option<&Row> {
        self.table
            .find(self.hash(id), |r| &*r.id == id)
            .map(|r| &**r)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Row> {
        let hash = self.hash(id);
        self.table
            .find_mut(hash, |r| &*r.id == id)
            .map(|r| &mut **r)
    }

    /// Holds `row`, replacing the row of the same id if there is one.
    pub fn insert(&mut self, row: Row) {
        let hash = self.hash(&row.id);
        match self.table.find_mut(hash, |r| r.id == row.id) {
            Some(held) => **held = row,
            None => {
                let hasher = &self.hasher;
                self.table
                    .insert_unique(hash, Box::new(row), |r| hasher.hash_one(&*r.id));
            }
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<Box<Row>> {
        let hash = self.hash(id);
        let found = self.table.find_entry(hash, |r| &*r.id == id).ok()?;
        Some(found.remove().0)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Row> {
        self.table.iter().map(|r| &**r)
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Row> {
        self.table.iter_mut().map(|r| &mut **r)
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

impl std::ops::Index<&str> for Rows {
    type Output = Row;

    /// The row of `id`; panics when none is held (for tests and callers that know).
    fn index(&self, id: &str) -> &Row {
        self.get(id).unwrap_or_else(|| panic!("no held row {id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::tui::testing::workflow;

    #[test]
    fn rows_are_found_replaced_and_removed_by_their_ids() {
        let mut rows = Rows::with_capacity(2);
        for i in 0..100 {
            let id = format!("wf-{i}");
            rows.insert(Row::new(workflow(
                &id,
                &format!("b-{i}"),
                "build",
                Status::Running,
            )));
        }
        assert_eq!(rows.len(), 100);
        assert_eq!(rows["wf-42"].wf.build_id(), "b-42");
        rows.insert(Row::new(workflow("wf-42", "again", "test", Status::Paused)));
        assert_eq!(rows.len(), 100, "the same id replaces");
        assert_eq!(rows["wf-42"].wf.build_id(), "again");
        rows.get_mut("wf-7").expect("held").stuck = None;
        assert_eq!(
            rows.remove("wf-7").map(|r| r.id.to_string()),
            Some("wf-7".into())
        );
        assert!(rows.get("wf-7").is_none() && rows.remove("wf-7").is_none());
        assert_eq!(rows.iter().count(), 99);
        assert!(rows.iter().all(|r| rows.get(&r.id).is_some()));
    }
}
