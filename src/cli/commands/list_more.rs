//! What `baton list` says on stderr when more rows match than it showed: how many (exact
//! from the status counts when only the status narrows, else counted up to a cap so the
//! cost stays bounded: `Store::total`), and how to see them — a larger `--limit`, or the next page with
//! `--after` the last row's cursor.

use crate::cli::exit::CliResult;
use crate::store::{COUNT_CAP, Cursor, ListQuery, Store, Total};

/// How many rows matched beyond those shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum More {
    None,
    Exactly(usize),
    AtLeast(usize),
}

impl More {
    /// The note for stderr, or nothing when every match was shown. `last` is the last
    /// shown row's cursor, where the next page starts.
    pub fn note(self, shown: usize, last: Option<&Cursor>) -> Option<String> {
        let (more, total) = match self {
            More::None | More::Exactly(0) => return None,
            More::Exactly(n) => (n.to_string(), (shown + n).to_string()),
            More::AtLeast(n) => (format!("at least {n}"), format!("{}", shown + n)),
        };
        let next = match last {
            Some(c) => format!("`--after {c}` shows the next page, "),
            None => String::new(),
        };
        let noun = if shown == 1 { "workflow" } else { "workflows" };
        Some(format!(
            "showing {shown} {noun}; {more} more match (most recently updated first): \
             `--limit {total}` shows them, {next}or narrow with --status, --project, --phase, \
             --build or --since"
        ))
    }
}

/// How many match `q` after the row whose cursor is `last` (the last one shown): from the
/// total when `q` is the first page (exact where the status counts tell), else counted
/// after `last` up to a cap.
pub fn count_more(store: &Store, q: &ListQuery, shown: usize, last: &Cursor) -> CliResult<More> {
    let total = if q.after.is_none() {
        match store.total(q)? {
            Total::Exactly(n) => Total::Exactly(n.saturating_sub(shown as u64)),
            Total::AtLeast(n) => Total::AtLeast(n.saturating_sub(shown as u64)),
        }
    } else {
        let after = ListQuery {
            after: Some(last.clone()),
            ..q.clone()
        };
        store.count_matching(&after, COUNT_CAP)?
    };
    Ok(match total {
        Total::Exactly(n) => More::Exactly(n as usize),
        Total::AtLeast(n) => More::AtLeast(n as usize),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_names_the_next_page_when_there_is_a_cursor() {
        assert_eq!(More::None.note(5, None), None);
        assert_eq!(More::Exactly(0).note(5, None), None);
        let c = Cursor::new(
            crate::store::CursorKind::Sqlite,
            "2026-01-01T00:00:00.000Z".into(),
            "abc".into(),
        );
        let note = More::AtLeast(10_000).note(50, Some(&c)).unwrap();
        assert!(note.contains("at least 10000 more match"), "{note}");
        assert!(note.contains("--limit 10050"), "{note}");
        assert!(
            note.contains(&format!("`--after {c}` shows the next page")),
            "{note}"
        );
        let note = More::Exactly(3).note(50, None).unwrap();
        assert!(!note.contains("--after"), "{note}");
        assert!(note.starts_with("showing 50 workflows;"), "{note}");
    }

    #[test]
    fn one_row_shown_is_one_workflow() {
        let note = More::Exactly(4).note(1, None).unwrap();
        assert!(
            note.starts_with("showing 1 workflow; 4 more match"),
            "{note}"
        );
    }
}
