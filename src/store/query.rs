//! What callers ask the store for: list filters, event cursors, and the stamps that say
//! whether a row changed.

use super::error::{Result, StoreError};
use crate::model::{Event, Handoff, Status};

/// Filters for `baton list`. Every field narrows; all values are bound as parameters.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub status: Option<Status>,
    pub project: Option<String>,
    pub phase: Option<String>,
    pub limit: usize,
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

/// How the live set is spread over phases and roles right now, counted by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    /// Live workflows by phase, role and status.
    pub live: Vec<CensusRow>,
    /// Unacknowledged handoffs of running workflows, by the phase and role they went to.
    pub pending: Vec<PendingRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CensusRow {
    pub phase: String,
    pub role: String,
    /// As stored (`running`, `paused`, `failed`, or another writer's word).
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRow {
    pub phase: String,
    pub role: String,
    pub count: i64,
    /// When the longest-waiting one was handed over.
    pub oldest: Option<String>,
}
