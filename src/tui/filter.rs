//! The `/` filter: free text over build, project, phase and role, plus `key:value` tokens
//! (`status:failed`, `phase:coding`, `role:code_writer`, `project:atlas`) and `stuck`.
//! Every term must match. Matching is case-insensitive and happens in memory.

use crate::model::{Status, Workflow};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Text(String),
    Status(String),
    Phase(String),
    Role(String),
    Project(String),
    Stuck,
}

impl Filter {
    /// Parses filter text. Unknown `key:` prefixes are treated as free text, so nothing a
    /// user types is an error.
    pub fn parse(input: &str) -> Filter {
        let terms = input
            .split_whitespace()
            .map(|w| {
                let lower = fold(w);
                match lower.split_once(':') {
                    Some(("status", v)) => Term::Status(v.into()),
                    Some(("phase", v)) => Term::Phase(v.into()),
                    Some(("role", v)) => Term::Role(v.into()),
                    Some(("project", v)) => Term::Project(v.into()),
                    _ if lower == "stuck" || lower == "is:stuck" => Term::Stuck,
                    _ => Term::Text(lower),
                }
            })
            .collect();
        Filter { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn matches(&self, w: &Workflow, stuck: bool) -> bool {
        self.matches_with(w, None, stuck)
    }

    /// Like [`Filter::matches`], with free text looked up in `search`, the workflow's
    /// [`search_text`] made once when the row arrived: a keystroke over 50,000 rows is then
    /// one substring search per row.
    pub fn matches_with(&self, w: &Workflow, search: Option<&str>, stuck: bool) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Text(s) if search.is_some() => search.is_some_and(|h| h.contains(s.as_str())),
            Term::Text(s) => [
                &w.build_id,
                &w.project_id,
                &w.current_state,
                &w.current_role,
                &w.id,
            ]
            .iter()
            .any(|f| contains_ci(f, s)),
            Term::Status(s) => {
                w.status_raw.eq_ignore_ascii_case(s)
                    || (w.status == Status::Unknown && s == "unknown")
            }
            Term::Phase(s) => contains_ci(&w.current_state, s),
            Term::Role(s) => contains_ci(&w.current_role, s),
            Term::Project(s) => contains_ci(&w.project_id, s),
            Term::Stuck => stuck,
        })
    }
}

/// The fields free text matches (build, project, phase, role, id), folded as typed text is
/// and joined by newlines, which a filter term never contains.
pub fn search_text(w: &Workflow) -> String {
    [
        &w.build_id,
        &w.project_id,
        &w.current_state,
        &w.current_role,
        &w.id,
    ]
    .iter()
    .fold(String::with_capacity(96), |mut out, f| {
        if !out.is_empty() {
            out.push('\n');
        }
        if f.is_ascii() {
            out.extend(f.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            out.push_str(&fold(f));
        }
        out
    })
}

/// Lower case, one character at a time. `str::to_lowercase` looks at context (a final
/// sigma becomes `ς`), so a piece of a name could lower-case differently from the same
/// letters inside the name and a filter typed from the screen would not match.
fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// `needle` is already folded.
fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        // Only where the first byte matches is the rest compared: a keystroke filters
        // 50,000 rows, five fields each.
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let Some(last) = h.len().checked_sub(n.len()) else {
            return false;
        };
        let first = n[0].to_ascii_lowercase();
        (0..=last).any(|i| {
            h[i].to_ascii_lowercase() == first && h[i..i + n.len()].eq_ignore_ascii_case(n)
        })
    } else {
        fold(hay).contains(needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::workflow;

    #[test]
    fn prepared_search_text_matches_like_the_fields() {
        let mut w = workflow("W1-ΣΑΣ", "Atlas-7", "coding", Status::Running);
        w.current_role = "Code_Writer".into();
        let text = search_text(&w);
        for q in [
            "atlas", "ATLAS-7", "code_w", "σας", "w1", "7 cod", "borealis", "s-7\nc", "stuck",
        ] {
            let f = Filter::parse(q);
            assert_eq!(
                f.matches_with(&w, Some(&text), true),
                f.matches(&w, true),
                "{q:?}"
            );
        }
    }

    #[test]
    fn free_text_matches_any_field_case_insensitively() {
        let w = workflow("w1", "atlas-7", "coding", Status::Running);
        assert!(Filter::parse("ATLAS").matches(&w, false));
        assert!(Filter::parse("code_wr").matches(&w, false));
        assert!(!Filter::parse("borealis").matches(&w, false));
        assert!(Filter::parse("").matches(&w, false));
    }

    #[test]
    fn tokens_narrow_and_combine() {
        let w = workflow("w1", "atlas-7", "coding", Status::Failed);
        assert!(Filter::parse("status:failed phase:cod").matches(&w, false));
        assert!(!Filter::parse("status:running").matches(&w, false));
        assert!(Filter::parse("role:code_writer project:atlas").matches(&w, false));
        assert!(!Filter::parse("stuck").matches(&w, false));
        assert!(Filter::parse("stuck atlas").matches(&w, true));
    }

    #[test]
    fn a_piece_of_a_name_finds_it_whatever_its_letters() {
        // Found by the filter fuzz test: "ΑΣ" lower-cases to "ας" (final sigma) while
        // "Σ" alone gives "σ", so typing the last letter of the name found nothing.
        let w = workflow("w1", "ΑΣ", "coding", Status::Running);
        assert!(Filter::parse("Σ").matches(&w, false));
        assert!(Filter::parse("ας").matches(&w, false) || Filter::parse("ασ").matches(&w, false));
        let w = workflow("w2", "İstanbul", "coding", Status::Running);
        assert!(Filter::parse("İst").matches(&w, false));
    }

    #[test]
    fn unknown_keys_are_plain_text() {
        let w = workflow("w1", "colour:red", "coding", Status::Running);
        assert!(Filter::parse("colour:red").matches(&w, false));
    }
}
