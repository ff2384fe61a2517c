//! The operator's filter language, shared by the dashboard's `/` and the CLI's bulk
//! `--filter`: free text over build, project, phase and role, plus `key:value` tokens
//! (`status:failed`, `phase:coding`, `role:code_writer`, `project:atlas`) and `stuck`.
//! Every term must match. Matching is case-insensitive and happens in memory. A filter
//! that cannot match what the operator meant (an unknown key, a status or phase no
//! workflow can have) still filters, and [`Filter::problem`] says what is wrong and what
//! would be right.

use crate::model::{Status, Workflow, WorkflowFields};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    terms: Vec<Term>,
    /// `key:` prefixes typed that are not filter keys (searched as text).
    unknown_keys: Vec<String>,
}

/// The keys a filter knows, as the operator types them.
pub const KEYS: &str = "status: phase: role: project: stuck";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Text(Needle),
    Status(String),
    Phase(Needle),
    Role(Needle),
    Project(Needle),
    Stuck,
}

/// A folded term with its searcher, built once when the filter is parsed: a keystroke
/// tests 50,000 rows, and `str::contains` would build a searcher for each of them.
#[derive(Debug, Clone)]
struct Needle {
    text: String,
    finder: memchr::memmem::Finder<'static>,
}

impl Needle {
    fn new(text: &str) -> Needle {
        Needle {
            finder: memchr::memmem::Finder::new(text.as_bytes()).into_owned(),
            text: text.to_string(),
        }
    }

    /// Whether already folded text holds this term.
    fn is_in(&self, folded: &str) -> bool {
        self.is_in_bytes(folded.as_bytes())
    }

    fn is_in_bytes(&self, folded: &[u8]) -> bool {
        self.finder.find(folded).is_some()
    }
}

impl PartialEq for Needle {
    fn eq(&self, other: &Needle) -> bool {
        self.text == other.text
    }
}

impl Eq for Needle {}

impl Filter {
    /// Parses filter text. Unknown `key:` prefixes are searched as free text (a build id
    /// may hold a colon), and noted for [`Filter::problem`].
    pub fn parse(input: &str) -> Filter {
        let mut unknown_keys = Vec::new();
        let terms = input
            .split_whitespace()
            .map(|w| {
                let lower = fold(w);
                match lower.split_once(':') {
                    Some(("status", v)) => Term::Status(v.into()),
                    Some(("phase", v)) => Term::Phase(Needle::new(v)),
                    Some(("role", v)) => Term::Role(Needle::new(v)),
                    Some(("project", v)) => Term::Project(Needle::new(v)),
                    _ if lower == "stuck" || lower == "is:stuck" => Term::Stuck,
                    Some((k, _)) => {
                        if !k.is_empty() && k.chars().all(char::is_alphabetic) {
                            unknown_keys.push(k.to_string());
                        }
                        Term::Text(Needle::new(&lower))
                    }
                    None => Term::Text(Needle::new(&lower)),
                }
            })
            .collect();
        Filter {
            terms,
            unknown_keys,
        }
    }

    /// What is wrong with this filter, naming what is valid: an unknown key, a status that
    /// is neither one baton knows nor one a held workflow has (`held_status`), a phase or
    /// role that no phase or role of the held definitions contains. `None` when all is well.
    pub fn problem(
        &self,
        phases: &[&str],
        roles: &[&str],
        held_status: &dyn Fn(&str) -> bool,
    ) -> Option<String> {
        if let Some(k) = self.unknown_keys.first() {
            return Some(format!(
                "unknown key `{k}:` (searched as text); keys are {KEYS}"
            ));
        }
        let none_contains = |v: &str, names: &[&str]| {
            !v.is_empty() && !names.is_empty() && !names.iter().any(|n| contains_ci(n, v))
        };
        self.terms.iter().find_map(|t| match t {
            Term::Status(v)
                if !v.is_empty()
                    && v != "unknown"
                    && Status::parse(v) == Status::Unknown
                    && !held_status(v) =>
            {
                let valid: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
                Some(format!("no status `{v}`: use {}", valid.join(", ")))
            }
            Term::Phase(v) if none_contains(&v.text, phases) => {
                Some(format!("no phase `{}`: use {}", v.text, phases.join(", ")))
            }
            Term::Role(v) if none_contains(&v.text, roles) => {
                Some(format!("no role `{}`: use {}", v.text, roles.join(", ")))
            }
            _ => None,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether a row's being stuck can change whether it matches.
    pub fn uses_stuck(&self) -> bool {
        self.terms.contains(&Term::Stuck)
    }

    pub fn matches(&self, w: &Workflow, stuck: bool) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Text(s) => [
                w.build_id.as_str(),
                &w.project_id,
                &w.current_state,
                &w.current_role,
                &w.id,
            ]
            .iter()
            .any(|f| contains_ci(f, &s.text)),
            Term::Status(s) => {
                s.is_empty()
                    || w.status_raw.eq_ignore_ascii_case(s)
                    || (w.status == Status::Unknown && s == "unknown")
            }
            Term::Phase(s) => contains_ci(&w.current_state, &s.text),
            Term::Role(s) => contains_ci(&w.current_role, &s.text),
            Term::Project(s) => contains_ci(&w.project_id, &s.text),
            Term::Stuck => stuck,
        })
    }
}

/// What the filter looks at in one workflow besides its folded text, folded once when the
/// row arrives, so that a keystroke over 50,000 rows is one pass (no lookups, no folding).
/// The text itself is the caller's to keep: the dashboard keeps every row's in one buffer,
/// in table order, so that the pass reads memory in sequence.
///
/// Small, as the dashboard keeps one per live row inline in its sorted order, which a
/// keystroke reads whole and a change moves in runs: 14 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Searchable {
    /// Where each field ends in the text: the five searched as free text (build, project,
    /// phase, role and id, folded, joined by newlines, which a filter term never contains,
    /// so no term matches across two fields), then, after one more newline, the stored
    /// status as written when it is not one baton knows (else nothing). Each field is
    /// folded to at most [`FOLDED_FIELD_MAX`] bytes, so the ends fit 16 bits.
    ends: [u16; 6],
    status: Status,
    pub stuck: bool,
}

/// The fields free text is searched in: the first five.
const SEARCHED: usize = 5;

/// At most this many bytes of each field are folded for the filter: six of them and their
/// separators stay under 64 KiB, so a row's ends take 16 bits each. A longer field (a build
/// id another writer made 9 KB long) is searched in its first 8 KiB.
pub const FOLDED_FIELD_MAX: usize = 8 * 1024;

/// Appends `f` folded to `text`, cut at a character to at most [`FOLDED_FIELD_MAX`] bytes.
fn push_folded(text: &mut String, f: &str) {
    let at = text.len();
    if f.is_ascii() {
        let f = &f[..f.len().min(FOLDED_FIELD_MAX)];
        text.extend(f.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        text.push_str(&fold(f));
    }
    cap(text, at);
}

/// Cuts what was appended to `text` from `at` to at most [`FOLDED_FIELD_MAX`] bytes, at a
/// character.
fn cap(text: &mut String, at: usize) {
    if text.len() - at > FOLDED_FIELD_MAX {
        let cut = text.floor_char_boundary(at + FOLDED_FIELD_MAX);
        text.truncate(cut);
    }
}

/// `f` folded as [`Searchable`] keeps a field: what a row's folded id is compared with.
pub fn fold_field(f: &str) -> String {
    let mut text = String::new();
    push_folded(&mut text, f);
    text
}

impl Searchable {
    /// Appends `w`'s folded text to `text` and returns the rest of what the filter reads.
    pub fn fold_into(w: &impl WorkflowFields, stuck: bool, text: &mut String) -> Searchable {
        let start = text.len();
        let mut ends = [0u16; 6];
        let fields = [
            w.build_id(),
            w.project_id(),
            w.current_state(),
            w.current_role(),
            w.id(),
        ];
        // Six fields of at most FOLDED_FIELD_MAX bytes and five separators: it fits.
        let end = |text: &String| u16::try_from(text.len() - start).unwrap_or(u16::MAX);
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            push_folded(text, f);
            ends[i] = end(text);
        }
        text.push('\n');
        if w.status() == Status::Unknown {
            let at = text.len();
            text.push_str(w.status_raw());
            cap(text, at);
        }
        ends[SEARCHED] = end(text);
        Searchable {
            ends,
            status: w.status(),
            stuck,
        }
    }

    /// The folded text and the rest, for a single row.
    pub fn of(w: &impl WorkflowFields, stuck: bool) -> (String, Searchable) {
        let mut text = String::with_capacity(96);
        let s = Searchable::fold_into(w, stuck, &mut text);
        (text, s)
    }

    /// The length of the text this was made with.
    pub(crate) fn text_len(&self) -> usize {
        self.ends[SEARCHED] as usize
    }

    /// The part of `text` free text is searched in, as bytes: the searcher reads bytes,
    /// and a keystroke asks this of every row (no character boundary to check).
    fn searched<'t>(&self, text: &'t str) -> &'t [u8] {
        let b = text.as_bytes();
        &b[..(self.ends[SEARCHED - 1] as usize).min(b.len())]
    }

    fn field<'t>(&self, text: &'t str, i: usize) -> &'t str {
        let start = if i == 0 {
            0
        } else {
            self.ends[i - 1] as usize + 1
        };
        text.get(start..self.ends[i] as usize).unwrap_or("")
    }

    pub fn status(&self) -> Status {
        self.status
    }

    /// The workflow's id as folded in `text`: what [`fold`] makes of it.
    pub fn folded_id<'t>(&self, text: &'t str) -> &'t str {
        self.field(text, 4)
    }
}

impl Filter {
    /// [`Filter::matches`] on what [`Searchable::fold_into`] kept of a workflow: its
    /// folded `text` and the rest.
    pub fn matches_searchable(&self, text: &str, s: &Searchable) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Text(q) => q.is_in_bytes(s.searched(text)),
            Term::Status(q) if q.is_empty() => true,
            Term::Status(q) if s.status == Status::Unknown => {
                s.field(text, SEARCHED).eq_ignore_ascii_case(q) || q == "unknown"
            }
            Term::Status(q) => s.status.as_str().eq_ignore_ascii_case(q),
            Term::Phase(q) => q.is_in(s.field(text, 2)),
            Term::Role(q) => q.is_in(s.field(text, 3)),
            Term::Project(q) => q.is_in(s.field(text, 1)),
            Term::Stuck => s.stuck,
        })
    }
}

/// Lower case, one character at a time. `str::to_lowercase` looks at context (a final
/// sigma becomes `ς`), so a piece of a name could lower-case differently from the same
/// letters inside the name and a filter typed from the screen would not match.
pub fn fold(s: &str) -> String {
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
    use crate::model::Status;

    fn workflow(id: &str, build: &str, phase: &str, status: Status) -> Workflow {
        Workflow {
            id: id.into(),
            build_id: build.into(),
            project_id: build.split('-').next().unwrap_or("p").into(),
            user_id: None,
            definition: "build".into(),
            current_state: phase.into(),
            current_role: crate::model::Definition::builtin()
                .phase(phase)
                .map_or("unknown_role".into(), |p| p.role.as_str().into()),
            status,
            status_raw: status.as_str().into(),
            phase_outputs: serde_json::json!({}),
            retry_count: 0,
            max_retries: 3,
            last_error: None,
            version: 2,
            metadata: serde_json::json!({}),
            created_at: "2026-11-22T10:00:00.000Z".into(),
            updated_at: "2026-11-22T10:00:00.000Z".into(),
            completed_at: None,
            heartbeat_at: None,
            state_entered_at: None,
        }
    }

    #[test]
    fn searchable_matches_like_the_workflow() {
        let mut w = workflow("W1-ΣΑΣ", "Atlas-7", "coding", Status::Running);
        w.current_role = "Code_Writer".into();
        w.project_id = "Pro\nject".into();
        let mut odd = w.clone();
        odd.status = Status::Unknown;
        odd.status_raw = "Weird".into();
        for w in [&w, &odd] {
            for stuck in [false, true] {
                // Folded after another row's text, as the dashboard keeps them: the fields
                // are found from where this row's text begins.
                let mut buf = String::from("other\nrow atlas");
                let start = buf.len();
                let s = Searchable::fold_into(w, stuck, &mut buf);
                let text = &buf[start..];
                assert_eq!(
                    (text, &s),
                    (
                        Searchable::of(w, stuck).0.as_str(),
                        &Searchable::of(w, stuck).1
                    )
                );
                for q in [
                    "atlas",
                    "ATLAS-7",
                    "code_w",
                    "σας",
                    "w1",
                    "7 cod",
                    "borealis",
                    "s-7\nc",
                    "stuck",
                    "phase:cod",
                    "phase:writer",
                    "role:code",
                    "project:pro",
                    "project:ject",
                    "status:running",
                    "status:weird",
                    // The stored status is kept after the searched fields, not in them.
                    "weird",
                    "status:unknown",
                    "status:run",
                    "",
                ] {
                    let f = Filter::parse(q);
                    assert_eq!(f.matches_searchable(text, &s), f.matches(w, stuck), "{q:?}");
                }
            }
        }
    }

    #[test]
    fn fields_past_the_fold_limit_are_searched_in_their_first_8_kib() {
        // ASCII and three-byte characters, each far past the limit and not cut evenly by it.
        let long_ascii = format!("Atlas-{}", "x".repeat(70_000));
        let long_wide = format!("ビルド{}", "ド".repeat(30_000));
        let long_id = format!("W-{}", "Σ".repeat(9_000));
        let mut w = workflow(&long_id, &long_ascii, &long_wide, Status::Unknown);
        w.status_raw = "é".repeat(10_000).into();
        let (text, s) = Searchable::of(&w, false);
        assert!(text.len() < usize::from(u16::MAX), "{} bytes", text.len());
        assert_eq!(s.text_len(), text.len(), "the ends cover the whole text");
        for i in 0..=SEARCHED {
            assert!(s.field(&text, i).len() <= FOLDED_FIELD_MAX, "field {i}");
        }
        assert_eq!(
            s.folded_id(&text),
            fold_field(&long_id),
            "the pin compares alike"
        );
        assert!(Filter::parse("atlas-xxx").matches_searchable(&text, &s));
        assert!(Filter::parse("phase:ビルドド").matches_searchable(&text, &s));
        assert!(Filter::parse("w-σσ").matches_searchable(&text, &s));
        // Short fields after a long one keep their places.
        w.build_id = "atlas-7".into();
        let (text, s) = Searchable::of(&w, false);
        assert_eq!(s.field(&text, 0), "atlas-7");
        assert!(Filter::parse("project:atl").matches_searchable(&text, &s));
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
    fn unknown_keys_are_plain_text_and_named() {
        let w = workflow("w1", "colour:red", "coding", Status::Running);
        let f = Filter::parse("colour:red");
        assert!(f.matches(&w, false));
        let problem = f.problem(&[], &[], &|_| false).expect("named");
        assert!(
            problem.contains("`colour:`") && problem.contains(KEYS),
            "{problem}"
        );
    }

    #[test]
    fn a_status_phase_or_role_nothing_can_have_is_named_with_the_valid_ones() {
        let phases = ["discovery", "coding"];
        let roles = ["q_assistant", "code_writer"];
        let none = |_: &str| false;
        let problem = |q: &str| Filter::parse(q).problem(&phases, &roles, &none);
        let p = problem("status:bogus").expect("a status nobody has");
        assert!(
            p.contains("`bogus`") && p.contains("running, paused, failed, completed, cancelled"),
            "{p}"
        );
        let p = problem("phase:codnig").expect("a typo");
        assert!(p.contains("discovery, coding"), "{p}");
        let p = problem("role:writter").expect("a typo");
        assert!(p.contains("q_assistant, code_writer"), "{p}");
        for fine in [
            "status:failed",
            "status:",
            "phase:cod",
            "role:writer",
            "atlas",
            "stuck",
        ] {
            assert_eq!(problem(fine), None, "{fine}");
        }
        // A status another writer made up, held on screen, is a fine thing to look for.
        let weird = |s: &str| s == "weird";
        assert_eq!(
            Filter::parse("status:weird").problem(&phases, &roles, &weird),
            None
        );
    }
}
