//! The column contract (docs/OUTSIDE_WRITERS.md): what every column of every table must
//! hold, and how a value that breaks it is described. Other programs write these tables;
//! each backend reads every value as a [`Cell`] and `baton doctor` names each row that
//! breaks its column's contract. SQLite lets a careless or hostile writer put a BLOB where
//! text belongs, bytes that are not UTF-8, malformed JSON or an unknown status; PostgreSQL's
//! types keep most of that out, but not control characters, a JSON array where an object
//! belongs, or a time in the future.

use super::invariants;
use super::report::Problem;
use crate::model::text::is_unsafe;
use crate::model::{Definition, Phase, Status, time};

/// One stored value, as the backend found it.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

/// What a column must hold.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Ids and the names baton matches on (phases, roles, event types, definitions): no
    /// control or invisible characters.
    Name,
    /// Labels people choose (build and project ids, users, actors): any text, as baton's
    /// own `start --project` and `--actor` accept it; shown inert.
    Label,
    /// Free text (errors, descriptions): any characters, but text in UTF-8.
    Text,
    Json,
    JsonObject,
    Time,
    Status,
    /// A handoff kind: advance, rollback or retry.
    Handoff,
    /// A definition's phases: a JSON array of phases that passes validation.
    Phases,
    Int {
        min: i64,
        max: i64,
    },
}

pub struct Col {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
}

const fn col(name: &'static str, kind: Kind) -> Col {
    Col {
        name,
        kind,
        nullable: false,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Col {
    Col {
        name,
        kind,
        nullable: true,
    }
}

/// Counts and versions beyond this are not plausible; `i64::MAX` cannot even be bumped.
const BIG: i64 = 1 << 40;
const COUNT: Kind = Kind::Int { min: 0, max: BIG };
const VERSION: Kind = Kind::Int { min: 1, max: BIG };

pub struct Table {
    pub name: &'static str,
    /// The column that names a row in messages.
    pub key: &'static str,
    pub cols: &'static [Col],
}

pub const TABLES: &[Table] = &[
    Table {
        name: "build_workflows",
        key: "id",
        cols: &[
            col("id", Kind::Name),
            col("build_id", Kind::Label),
            col("project_id", Kind::Label),
            opt("user_id", Kind::Label),
            col("definition", Kind::Name),
            col("current_state", Kind::Name),
            col("current_role", Kind::Name),
            col("status", Kind::Status),
            col("phase_outputs", Kind::JsonObject),
            col("retry_count", COUNT),
            col("max_retries", COUNT),
            opt("last_error", Kind::Text),
            col("version", VERSION),
            col("metadata", Kind::JsonObject),
            col("created_at", Kind::Time),
            col("updated_at", Kind::Time),
            opt("completed_at", Kind::Time),
            opt("heartbeat_at", Kind::Time),
            opt("state_entered_at", Kind::Time),
        ],
    },
    Table {
        name: "workflow_handoffs",
        key: "id",
        cols: &[
            col("id", Kind::Name),
            col("workflow_id", Kind::Name),
            opt("from_role", Kind::Name),
            col("to_role", Kind::Name),
            opt("from_state", Kind::Name),
            col("to_state", Kind::Name),
            col("kind", Kind::Handoff),
            col("data_transferred", Kind::Json),
            col("created_at", Kind::Time),
            opt("acknowledged_at", Kind::Time),
            opt("acknowledged_by", Kind::Label),
        ],
    },
    Table {
        name: "workflow_events",
        key: "seq",
        cols: &[
            // Near i64::MAX, AUTOINCREMENT runs out and every later event fails to insert.
            col(
                "seq",
                Kind::Int {
                    min: 1,
                    max: 1 << 53,
                },
            ),
            col("id", Kind::Name),
            col("workflow_id", Kind::Name),
            col("event_type", Kind::Name),
            col("triggered_by", Kind::Label),
            col("event_data", Kind::Json),
            col("created_at", Kind::Time),
        ],
    },
    Table {
        name: "workflow_checkpoints",
        key: "id",
        cols: &[
            col("id", Kind::Name),
            col("workflow_id", Kind::Name),
            col("state", Kind::Name),
            col("phase_outputs", Kind::JsonObject),
            col("retry_count", COUNT),
            col("version", VERSION),
            col("created_at", Kind::Time),
            opt("base_version", VERSION),
        ],
    },
    Table {
        name: "workflow_definitions",
        key: "name",
        cols: &[
            col("name", Kind::Name),
            col("version", VERSION),
            opt("description", Kind::Text),
            col("phases", Kind::Phases),
            col("created_at", Kind::Time),
        ],
    },
];

/// Each check's name, as `baton doctor` lists failed checks.
const TYPES: &str = "values have the type their column needs";
const NAMES: &str = "names hold no control or invisible characters";
const JSON: &str = "JSON columns hold valid JSON";
const TIMES: &str = "timestamps are RFC 3339 UTC and not in the future";
const KNOWN: &str = "statuses and handoff kinds are known";
const RANGES: &str = "numbers are in range";
const DEFINITIONS: &str = "definitions are readable and valid";
pub const CHECKS: [&str; 7] = [TYPES, NAMES, JSON, TIMES, KNOWN, RANGES, DEFINITIONS];

/// A timestamp more than this far ahead of the clock is a problem, not skew.
const FUTURE_SLACK_SECS: i64 = 3600;

/// How a finding names its row and column, on either backend.
pub fn finding(t: &Table, key: &str, c: &Col, what: &str) -> String {
    format!("{} {} '{}': {} {what}", t.name, t.key, excerpt(key), c.name)
}

/// Reports what the row checks found, check by check in the order of [`CHECKS`].
pub fn report_by_check(problems: &mut Vec<Problem>, found: Vec<(&'static str, String)>) {
    for check in CHECKS {
        let details = found
            .iter()
            .filter(|(c, _)| *c == check)
            .map(|(_, d)| d.clone())
            .collect();
        invariants::report(problems, check, details);
    }
}

/// What is wrong with value `v` of column `c`, if anything: (check, description).
pub fn judge(c: &Col, v: Cell<'_>, now: time::Timestamp) -> Option<(&'static str, String)> {
    let bytes = match v {
        Cell::Null if c.nullable => return None,
        Cell::Null => return Some((TYPES, "is NULL".into())),
        Cell::Int(i) => {
            return match c.kind {
                Kind::Int { min, max } if i < min || i > max => {
                    Some((RANGES, format!("is {i}, outside {min}..={max}")))
                }
                Kind::Int { .. } => None,
                _ => Some((TYPES, format!("holds the number {i} where text belongs"))),
            };
        }
        Cell::Real(f) => return Some((TYPES, format!("holds the real number {f}"))),
        Cell::Blob(b) => {
            return Some((
                TYPES,
                format!(
                    "holds a BLOB of {} bytes where {} belongs",
                    b.len(),
                    expected(c.kind)
                ),
            ));
        }
        Cell::Text(b) => b,
    };
    if let Kind::Int { .. } = c.kind {
        return Some((
            TYPES,
            format!(
                "holds the text '{}' where an integer belongs",
                excerpt_bytes(bytes)
            ),
        ));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some((
            TYPES,
            format!("is not valid UTF-8 ('{}')", excerpt_bytes(bytes)),
        ));
    };
    match c.kind {
        Kind::Name => text.chars().any(is_unsafe).then(|| {
            (
                NAMES,
                format!(
                    "contains control or invisible characters ('{}')",
                    excerpt(text)
                ),
            )
        }),
        Kind::Text | Kind::Label | Kind::Int { .. } => None,
        Kind::Json | Kind::JsonObject => {
            match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                Err(e) => Some((
                    JSON,
                    format!("is not valid JSON ({e}; {} bytes)", text.len()),
                )),
                Ok(_)
                    if matches!(c.kind, Kind::JsonObject)
                        && !text.trim_start().starts_with('{') =>
                {
                    Some((
                        JSON,
                        format!("is JSON but not an object ('{}')", excerpt(text)),
                    ))
                }
                Ok(_) => None,
            }
        }
        Kind::Time => judge_time(text, now),
        Kind::Status => (!Status::ALL.iter().any(|s| s.as_str() == text))
            .then(|| (KNOWN, format!("is the unknown status '{}'", excerpt(text)))),
        Kind::Handoff => (!["advance", "rollback", "retry"].contains(&text)).then(|| {
            (
                KNOWN,
                format!("is the unknown handoff kind '{}'", excerpt(text)),
            )
        }),
        Kind::Phases => match serde_json::from_str::<Vec<Phase>>(text) {
            Err(e) => Some((
                DEFINITIONS,
                format!("cannot be read as a list of phases ({e})"),
            )),
            Ok(phases) => Definition {
                name: "x".into(),
                version: 1,
                description: None,
                phases,
            }
            .validate()
            .err()
            .map(|e| (DEFINITIONS, format!("is not a valid definition: {e}"))),
        },
    }
}

fn judge_time(text: &str, now: time::Timestamp) -> Option<(&'static str, String)> {
    let Some(t) = time::parse(text) else {
        return Some((TIMES, format!("is not a timestamp ('{}')", excerpt(text))));
    };
    // RFC 3339 in UTC (`…T…Z`): baton compares timestamps as text, so another format (a
    // space for the `T`, an offset) sorts wrongly against every other row.
    let canonical = text.len() >= 20
        && text.as_bytes()[10] == b'T'
        && text.ends_with('Z')
        && chrono::DateTime::parse_from_rfc3339(text).is_ok();
    if !canonical {
        return Some((
            TIMES,
            format!(
                "'{}' is not RFC 3339 UTC (like 2026-11-22T15:04:05.123Z), so it sorts wrongly",
                excerpt(text)
            ),
        ));
    }
    ((t - now).num_seconds() > FUTURE_SLACK_SECS)
        .then(|| (TIMES, format!("'{}' is in the future", excerpt(text))))
}

fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Json | Kind::JsonObject | Kind::Phases => "JSON text",
        Kind::Time => "a timestamp",
        Kind::Int { .. } => "an integer",
        _ => "text",
    }
}

/// At most 40 characters of a value, for messages (the CLI makes them inert when printing).
pub fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

fn excerpt_bytes(b: &[u8]) -> String {
    excerpt(&String::from_utf8_lossy(&b[..b.len().min(160)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> time::Timestamp {
        time::parse("2026-03-01T12:00:00.000Z").unwrap()
    }

    fn check(kind: Kind, v: Cell<'_>) -> Option<&'static str> {
        judge(&col("c", kind), v, now()).map(|(c, _)| c)
    }

    #[test]
    fn each_kind_of_bad_value_is_named() {
        let t = |s: &'static str| Cell::Text(s.as_bytes());
        assert_eq!(check(Kind::Status, t("running")), None);
        assert_eq!(check(Kind::Status, t("exploded")), Some(KNOWN));
        assert_eq!(check(Kind::Name, Cell::Blob(b"\x00\x01")), Some(TYPES));
        assert_eq!(check(Kind::Name, Cell::Text(b"\xff\xfe")), Some(TYPES));
        assert_eq!(check(Kind::Name, t("a\x1b[2Jb")), Some(NAMES));
        assert_eq!(check(Kind::Name, t("a\u{202e}b")), Some(NAMES));
        assert_eq!(check(Kind::Text, t("line\nbreak")), None);
        assert_eq!(check(Kind::Json, t("{oops")), Some(JSON));
        assert_eq!(check(Kind::JsonObject, t("[1]")), Some(JSON));
        assert_eq!(check(Kind::JsonObject, t(" {}")), None);
        assert_eq!(check(Kind::Time, t("2026-03-01T11:00:00.000Z")), None);
        assert_eq!(check(Kind::Time, t("yesterday")), Some(TIMES));
        assert_eq!(check(Kind::Time, t("2026-03-01 11:00:00")), Some(TIMES));
        assert_eq!(
            check(Kind::Time, t("2026-03-01T11:00:00+02:00")),
            Some(TIMES)
        );
        assert_eq!(
            check(Kind::Time, t("2999-01-01T00:00:00.000Z")),
            Some(TIMES)
        );
        assert_eq!(check(COUNT, Cell::Int(-1)), Some(RANGES));
        assert_eq!(check(VERSION, Cell::Int(i64::MAX)), Some(RANGES));
        assert_eq!(check(COUNT, t("three")), Some(TYPES));
        assert_eq!(check(COUNT, Cell::Real(1.5)), Some(TYPES));
        assert_eq!(check(Kind::Phases, t("[]")), Some(DEFINITIONS));
        assert_eq!(check(Kind::Phases, t("{")), Some(DEFINITIONS));
        assert_eq!(
            judge(&opt("c", Kind::Time), Cell::Null, now()),
            None,
            "NULL is fine where the column allows it"
        );
    }
}
