//! The history view's filter: the words of the workflows filter, turned into a query the
//! database answers (each term a column it can narrow by, indexed where it can) rather
//! than a test run over held rows. What the database cannot answer well is refused with
//! the reason, never searched slowly behind the operator's back.

use crate::model::Status;
use crate::model::since::{Since, parse_since};

/// What the history view asks the database for; every field narrows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryFilter {
    /// Build ids starting with this (exact case: it is a range of the build-id index).
    pub build_prefix: Option<String>,
    pub project: Option<String>,
    pub status: Option<Status>,
    pub phase: Option<String>,
    /// Finished (last changed) at or after this.
    pub since: Option<Since>,
}

/// The keys the history filter knows, as the operator types them.
pub const KEYS: &str = "status: project: phase: since: (and a build-id prefix)";

/// The statuses a finished workflow can have.
const FINISHED: [Status; 3] = [Status::Completed, Status::Cancelled, Status::Failed];

impl HistoryFilter {
    /// Parses filter text, or says what is wrong and what would be right.
    pub fn parse(input: &str) -> Result<HistoryFilter, String> {
        let mut f = HistoryFilter::default();
        for word in input.split_whitespace() {
            let Some((key, value)) = word.split_once(':') else {
                if f.build_prefix.is_some() {
                    return Err(format!(
                        "one build-id prefix at a time (`{word}` is a second); keys are {KEYS}"
                    ));
                }
                f.build_prefix = Some(word.to_string());
                continue;
            };
            if value.is_empty() {
                return Err(format!("`{key}:` needs a value; keys are {KEYS}"));
            }
            match key.to_ascii_lowercase().as_str() {
                "status" => {
                    let s = Status::from_user(value)
                        .filter(|s| FINISHED.contains(s))
                        .ok_or_else(|| {
                            format!(
                                "history holds finished workflows: status is completed, cancelled or failed (not `{value}`)"
                            )
                        })?;
                    f.status = Some(s);
                }
                "project" => f.project = Some(value.to_string()),
                "phase" => f.phase = Some(value.to_string()),
                "since" => f.since = Some(parse_since(value)?),
                "role" => {
                    return Err(
                        "history cannot filter by role (no index serves it); use phase: or a build-id prefix"
                            .into(),
                    );
                }
                other => return Err(format!("unknown key `{other}:`; keys are {KEYS}")),
            }
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_columns_to_narrow_by() {
        let f =
            HistoryFilter::parse("atlas-4 status:completed project:atlas phase:review since:7d")
                .unwrap();
        assert_eq!(f.build_prefix.as_deref(), Some("atlas-4"));
        assert_eq!(f.status, Some(Status::Completed));
        assert_eq!(f.project.as_deref(), Some("atlas"));
        assert_eq!(f.phase.as_deref(), Some("review"));
        assert_eq!(f.since, Some(Since::Ago(chrono::Duration::days(7))));
        assert_eq!(
            HistoryFilter::parse("  ").unwrap(),
            HistoryFilter::default()
        );
    }

    #[test]
    fn what_the_database_cannot_answer_is_named() {
        for (text, says) in [
            ("status:running", "completed, cancelled or failed"),
            ("status:bogus", "not `bogus`"),
            ("role:code_writer", "cannot filter by role"),
            ("owner:me", "unknown key `owner:`"),
            ("since:yesterday", "10m, 2h, 7d"),
            ("atlas shop", "one build-id prefix"),
            ("project:", "needs a value"),
        ] {
            let e = HistoryFilter::parse(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
