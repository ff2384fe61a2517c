//! The workflows marked for a bulk action (Space, `*`): ids only, so a mark follows its
//! workflow through every write. Marks outlive views and filters — rows can be gathered
//! from several — and leave when their workflow is no longer held or once an action on
//! them has been sent.

use std::collections::HashSet;

#[derive(Debug, Clone, Default)]
pub struct Marks {
    ids: HashSet<String>,
}

impl Marks {
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(String::as_str)
    }

    /// Marks `id`, or unmarks it if it was marked; true when it is marked now.
    pub fn toggle(&mut self, id: &str) -> bool {
        if self.ids.remove(id) {
            return false;
        }
        self.ids.insert(id.to_string());
        true
    }

    /// Marks every one of `ids`; when all of them were marked already, unmarks them
    /// instead, so the same key undoes itself. True when they are marked now.
    pub fn toggle_all<'a>(&mut self, ids: impl Iterator<Item = &'a str> + Clone) -> bool {
        if ids.clone().all(|id| self.ids.contains(id)) {
            for id in ids {
                self.ids.remove(id);
            }
            return false;
        }
        self.ids.extend(ids.map(str::to_string));
        true
    }

    /// Unmarks everything; how many were marked.
    pub fn clear(&mut self) -> usize {
        std::mem::take(&mut self.ids).len()
    }

    /// Keeps only the marks `keep` says are still held.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.ids.retain(|id| keep(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_all_marks_the_rest_then_undoes_itself() {
        let mut m = Marks::default();
        assert!(m.toggle("b"));
        let all = ["a", "b", "c"];
        assert!(m.toggle_all(all.iter().copied()), "a and c were not marked");
        assert_eq!(m.len(), 3);
        assert!(
            !m.toggle_all(all.iter().copied()),
            "all marked: the key unmarks"
        );
        assert!(m.is_empty());
        assert!(m.toggle("a"));
        assert!(!m.toggle("a"));
        assert!(m.toggle("z"));
        m.retain(|id| id != "z");
        assert_eq!(m.clear(), 0);
    }
}
