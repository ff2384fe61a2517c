//! What callers ask the store for: list filters, event cursors, and the stamps that say
//! whether a row changed.

use super::cursor::Cursor;
use super::error::{Result, StoreError};
use crate::model::time::Timestamp;
use crate::model::{Event, Handoff, Status, Workflow};

/// Filters for `baton list` and the history view. Every field narrows; all values are
/// bound as parameters, and every filter is evaluated by the database, on an index where
/// one serves it (see [`ListQuery::driver`]). Rows come most recently updated first, ties
/// by id; `after` starts right after a row of an earlier page (keyset: no `OFFSET`, the
/// same cost at any depth).
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub status: Option<Status>,
    pub project: Option<String>,
    pub phase: Option<String>,
    /// Build ids starting with this (a range on the `build_id` index; no pattern
    /// characters: `%` and `_` are themselves).
    pub build_prefix: Option<String>,
    /// Updated at or after this moment.
    pub since: Option<Timestamp>,
    /// Updated before this moment.
    pub until: Option<Timestamp>,
    /// Only finished workflows: completed, cancelled, and failed with no retries left
    /// (`retry_count >= max_retries`); see docs/DECISIONS.md.
    pub finished: bool,
    /// Rows after this position in the order.
    pub after: Option<Cursor>,
    pub limit: usize,
}

/// The index a list query is driven by: the narrowest filter given, in this order (a
/// build-id prefix, a project, a phase, the status, else the time of the last change).
/// Each is a range of an index whose rows the query reads newest first and stops at
/// `LIMIT` (a build-id prefix: the rows with that prefix, then sorted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    Build,
    Project,
    Phase,
    Status,
    Updated,
}

/// A build-id prefix matching more rows than this is broad: sorting all its matches for a
/// page would cost more than reading the next filter's index newest first and skipping the
/// rows outside the prefix (a prefix matching a fraction f of the rows costs about
/// limit / f rows that way). Where the planner cannot weigh it (SQLite, whose queries name
/// their index), the store counts the prefix's matches on the build-id index, up to this,
/// before choosing.
pub const BROAD_PREFIX: usize = 10_000;

/// Which statuses a query keeps: any, or these (each with whether its retries must be
/// exhausted, as a failed workflow must to count as finished). An empty list matches
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statuses {
    Any,
    OneOf(Vec<(&'static str, bool)>),
}

/// The finished statuses, in the order a history page merges them.
const FINISHED: [(Status, bool); 3] = [
    (Status::Completed, false),
    (Status::Cancelled, false),
    (Status::Failed, true),
];

impl ListQuery {
    /// The index that drives this query; see [`Driver`].
    pub fn driver(&self) -> Driver {
        if self.build_prefix.as_deref().is_some_and(|p| !p.is_empty()) {
            Driver::Build
        } else if self.project.is_some() {
            Driver::Project
        } else if self.phase.is_some() {
            Driver::Phase
        } else if self.statuses() != Statuses::Any {
            Driver::Status
        } else {
            Driver::Updated
        }
    }

    /// The driver when the build-id prefix is left to filter (see [`BROAD_PREFIX`]).
    pub fn driver_after_prefix(&self) -> Driver {
        ListQuery {
            build_prefix: None,
            ..self.clone()
        }
        .driver()
    }

    /// What `status` and `finished` keep together.
    pub fn statuses(&self) -> Statuses {
        match (self.finished, self.status) {
            (false, None) => Statuses::Any,
            (false, Some(s)) => Statuses::OneOf(vec![(s.as_str(), false)]),
            (true, want) => Statuses::OneOf(
                FINISHED
                    .iter()
                    .filter(|(s, _)| want.is_none_or(|w| w == *s))
                    .map(|(s, exhausted)| (s.as_str(), *exhausted))
                    .collect(),
            ),
        }
    }

    /// Whether anything but the status narrows (then totals cannot come from the status
    /// counts).
    pub fn narrowed(&self) -> bool {
        !matches!(self.driver(), Driver::Status | Driver::Updated)
            || self.since.is_some()
            || self.until.is_some()
    }
}

/// The smallest text after every text that starts with `prefix` in byte (code point) order,
/// or `None` when there is none (the prefix is all U+10FFFF): the end of a prefix's range.
pub fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last {
            '\u{d7ff}' => Some('\u{e000}'),
            c => char::from_u32(c as u32 + 1),
        };
        if let Some(n) = next {
            chars.push(n);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The history view's query: finished workflows (completed, cancelled, failed with no
/// retries left), newest first, with the list's filters.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// One of the finished statuses (running or paused match nothing).
    pub status: Option<Status>,
    pub project: Option<String>,
    pub phase: Option<String>,
    pub build_prefix: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub after: Option<Cursor>,
    pub limit: usize,
}

impl HistoryQuery {
    /// The same filters as a list query of finished workflows.
    pub fn to_list(&self) -> ListQuery {
        ListQuery {
            status: self.status,
            project: self.project.clone(),
            phase: self.phase.clone(),
            build_prefix: self.build_prefix.clone(),
            since: self.since,
            until: self.until,
            finished: true,
            after: self.after.clone(),
            limit: self.limit,
        }
    }
}

/// A listed workflow (summary row) and its position in the order.
#[derive(Debug, Clone)]
pub struct Listed {
    pub workflow: Workflow,
    pub cursor: Cursor,
}

/// One page of a list: at most `limit` rows, and where the next page starts when more
/// rows matched.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub rows: Vec<Listed>,
    pub next: Option<Cursor>,
}

/// How many rows match a filter: exact, or at least this many (counting stopped there so
/// that the cost stays bounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    Exactly(u64),
    AtLeast(u64),
}

impl Total {
    /// The number counted (exact or a lower bound).
    pub fn count(self) -> u64 {
        match self {
            Total::Exactly(n) | Total::AtLeast(n) => n,
        }
    }

    /// For a title: `1,042,311`, or `10,000+` when counting stopped.
    pub fn label(self) -> String {
        let n = self.count().to_string();
        let mut out = String::new();
        for (i, c) in n.chars().enumerate() {
            if i > 0 && (n.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        match self {
            Total::Exactly(_) => out,
            Total::AtLeast(_) => format!("{out}+"),
        }
    }
}

/// A page of the history view: its rows, where the next page starts, and how many
/// finished workflows match the filter in all (not only after the cursor).
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub rows: Vec<Listed>,
    pub next: Option<Cursor>,
    pub total: Total,
}

impl HistoryPage {
    /// The rows' workflows, in order.
    pub fn workflows(self) -> Vec<Workflow> {
        self.rows.into_iter().map(|r| r.workflow).collect()
    }
}

/// Events between two cursors, optionally narrowed, returned oldest first. Every field
/// narrows; all values are bound as parameters.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub workflow: Option<String>,
    /// Only events with a `seq` above this.
    pub after_seq: i64,
    /// Only events with a `seq` below this.
    pub before_seq: Option<i64>,
    /// Only events of these stored types (empty: every type). Callers expand a type to
    /// every spelling that means it (see [`EventType::spellings`](crate::model::EventType)).
    pub types: Vec<String>,
    /// Only events whose `triggered_by` starts with this (`operator` finds every operator).
    pub actor: Option<String>,
    /// Take the `limit` events at the newest end of the range instead of the oldest.
    pub newest: bool,
    pub limit: usize,
}

impl EventQuery {
    /// The first `limit` events of `workflow` (or all) after `after_seq`.
    pub fn after(workflow: Option<String>, after_seq: i64, limit: usize) -> EventQuery {
        EventQuery {
            workflow,
            after_seq,
            limit,
            ..EventQuery::default()
        }
    }

    /// Whether `e` passes this query's narrowing filters (not its range or limit): for
    /// events read another way, such as the live feed.
    pub fn keeps(&self, e: &Event) -> bool {
        self.workflow.as_ref().is_none_or(|w| *w == e.workflow_id)
            && (self.types.is_empty() || self.types.contains(&e.event_type))
            && self
                .actor
                .as_ref()
                .is_none_or(|a| e.triggered_by.starts_with(a.as_str()))
    }
}

/// Where a reader of the live event feed stands. Following the feed from a cursor returns
/// every committed event exactly once, whatever order the writing transactions commit in
/// (on PostgreSQL a lower `seq` can commit after a higher one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedCursor {
    /// The highest `seq` read so far.
    pub seq: i64,
    /// Transactions still running when `seq` was read (PostgreSQL): their events may yet
    /// commit below it, so they are asked for again until they finish.
    pub(crate) in_flight: Vec<String>,
}

impl FeedCursor {
    /// Everything after `seq` (as `events --since` asks), knowing nothing in flight.
    pub fn after(seq: i64) -> FeedCursor {
        FeedCursor {
            seq,
            in_flight: Vec::new(),
        }
    }

    /// This cursor's knowledge of what is in flight, from `seq` on instead.
    pub fn from_seq(self, seq: i64) -> FeedCursor {
        FeedCursor { seq, ..self }
    }
}

/// A workflow's id with what changes whenever the row does (see
/// [`Store::changed_stamps_since`](super::Store::changed_stamps_since)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowStamp {
    pub id: String,
    pub version: i64,
    pub heartbeat_at: Option<String>,
    pub updated_at: String,
}

/// The statuses of the live set: everything that can still change.
pub const LIVE_STATUSES: [&str; 3] = ["running", "paused", "failed"];

/// The handoff a key names among those whose id starts with it (at most two read): the
/// exact match, else the only one; more than one is ambiguous.
pub fn one_handoff(found: Vec<Handoff>, key: &str) -> Result<Handoff> {
    let count = found.len();
    let exact = found.iter().position(|h| h.id == key);
    let examples = || {
        found
            .iter()
            .map(|h| h.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (count, exact) {
        (_, Some(i)) => Ok(found.into_iter().nth(i).expect("index from position")),
        (1, None) if !key.is_empty() => Ok(found.into_iter().next().expect("one element")),
        (0, _) | (1, _) => Err(StoreError::NotFound {
            what: "handoff",
            key: key.into(),
        }),
        _ => Err(StoreError::Ambiguous {
            prefix: key.into(),
            count,
            examples: examples(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_range_ends_after_every_text_with_that_prefix() {
        assert_eq!(prefix_end("atlas-").as_deref(), Some("atlas."));
        assert_eq!(prefix_end("a\u{d7ff}").as_deref(), Some("a\u{e000}"));
        assert_eq!(prefix_end("b\u{10ffff}").as_deref(), Some("c"));
        assert_eq!(prefix_end("\u{10ffff}"), None);
        assert_eq!(prefix_end(""), None);
        let end = prefix_end("q1").unwrap();
        for inside in ["q1", "q10", "q1\u{10ffff}x", "q1~"] {
            assert!(inside >= "q1" && inside < end.as_str(), "{inside}");
        }
        for outside in ["q", "q2", "q0z", "r"] {
            assert!(!(outside >= "q1" && outside < end.as_str()), "{outside}");
        }
    }

    #[test]
    fn the_narrowest_filter_drives_and_finished_keeps_failed_only_when_exhausted() {
        let q = |f: fn(&mut ListQuery)| {
            let mut q = ListQuery::default();
            f(&mut q);
            q
        };
        assert_eq!(q(|_| {}).driver(), Driver::Updated);
        assert_eq!(
            q(|q| q.since = Some(crate::model::time::now())).driver(),
            Driver::Updated
        );
        assert_eq!(q(|q| q.finished = true).driver(), Driver::Status);
        assert_eq!(
            q(|q| q.status = Some(Status::Running)).driver(),
            Driver::Status
        );
        assert_eq!(
            q(|q| {
                q.status = Some(Status::Failed);
                q.phase = Some("coding".into());
            })
            .driver(),
            Driver::Phase
        );
        assert_eq!(
            q(|q| {
                q.phase = Some("coding".into());
                q.project = Some("atlas".into());
            })
            .driver(),
            Driver::Project
        );
        assert_eq!(
            q(|q| {
                q.project = Some("atlas".into());
                q.build_prefix = Some("atlas-1".into());
            })
            .driver(),
            Driver::Build
        );
        assert_eq!(
            q(|q| q.build_prefix = Some(String::new())).driver(),
            Driver::Updated
        );
        assert_eq!(
            q(|q| q.finished = true).statuses(),
            Statuses::OneOf(vec![
                ("completed", false),
                ("cancelled", false),
                ("failed", true)
            ])
        );
        assert_eq!(
            q(|q| {
                q.finished = true;
                q.status = Some(Status::Running);
            })
            .statuses(),
            Statuses::OneOf(vec![])
        );
        assert!(!q(|q| q.status = Some(Status::Failed)).narrowed());
        assert!(q(|q| q.since = Some(crate::model::time::now())).narrowed());
        assert!(q(|q| q.project = Some("p".into())).narrowed());
    }

    #[test]
    fn totals_read_as_counted() {
        assert_eq!(Total::Exactly(1_042_311).label(), "1,042,311");
        assert_eq!(Total::AtLeast(10_000).label(), "10,000+");
        assert_eq!(Total::Exactly(7).label(), "7");
    }
}
