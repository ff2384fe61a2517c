//! Finding events by filter at a bounded cost per read. A filter on type, actor or text
//! has no index of its own (one on the largest table would cost every writer), so a search
//! walks `seq` in windows: each read scans at most one window of the key, and says how
//! far it got, so a caller can stop, show what it found, and go on later from there.

use super::Store;
use super::error::Result;
use super::query::EventQuery;
use crate::model::Event;
use crate::model::time::{self, Timestamp};

/// Which way a search walks the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Towards older events (lower `seq`).
    Back,
    /// Towards newer events, up to the newest when the search began.
    Forward,
}

/// How many sequence numbers one read of the whole trail may scan.
pub const WINDOW: i64 = 20_000;

/// What one search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The matching events, oldest first.
    pub events: Vec<Event>,
    /// Where the search stopped: the exclusive bound to go on from.
    pub reached: i64,
    /// Nothing is left to search in this direction.
    pub done: bool,
}

/// One search: `query`'s filters over its range of `seq` (`after_seq` to `before_seq`,
/// or to the newest event when the search begins), walked in `direction`, wanting
/// `query.limit` events that `keep` also accepts. To go on, search again with the range
/// cut at [`Found::reached`].
pub struct Search<'a> {
    pub query: &'a EventQuery,
    pub direction: Direction,
    /// At most this many windows are read (`None`: until `query.limit` are found or the
    /// range is searched).
    pub max_reads: Option<usize>,
    /// How many sequence numbers one read of the whole trail scans ([`WINDOW`]).
    pub window: i64,
}

impl<'a> Search<'a> {
    /// A search of `query` in `direction`, reading until it is answered.
    pub fn new(query: &'a EventQuery, direction: Direction) -> Search<'a> {
        Search {
            query,
            direction,
            max_reads: None,
            window: WINDOW,
        }
    }
}

impl Store {
    /// Walks `s.query`'s range in windows of [`WINDOW`] sequence numbers, keeping the
    /// events that match its filters and `keep`, until it has `s.query.limit` of them, the
    /// range is searched, or `s.max_reads` windows were read.
    pub fn search_events(&self, s: &Search<'_>, keep: &dyn Fn(&Event) -> bool) -> Result<Found> {
        let want = s.query.limit;
        let low = s.query.after_seq;
        let high = match s.query.before_seq {
            Some(b) => b,
            None => self.max_seq()? + 1,
        };
        let (mut at, end) = match s.direction {
            Direction::Back => (high, low),
            Direction::Forward => (low, high),
        };
        // One workflow's events come from its own index, however sparse they are in the
        // trail: no window is needed to bound that read.
        let window = if s.query.workflow.is_some() {
            i64::MAX
        } else {
            s.window.max(1)
        };
        let mut found: Vec<Event> = Vec::new();
        let mut reads = 0;
        let done = loop {
            let finished = match s.direction {
                Direction::Back => at <= end + 1,
                Direction::Forward => at + 1 >= end,
            };
            if finished {
                break true;
            }
            if found.len() >= want || s.max_reads.is_some_and(|m| reads >= m) {
                break false;
            }
            reads += 1;
            let (after, before) = match s.direction {
                Direction::Back => (at.saturating_sub(window).saturating_sub(1).max(end), at),
                Direction::Forward => (at, at.saturating_add(window).saturating_add(1).min(end)),
            };
            let q = EventQuery {
                after_seq: after,
                before_seq: Some(before),
                newest: s.direction == Direction::Back,
                limit: want - found.len(),
                ..s.query.clone()
            };
            let batch = self.events(&q)?;
            let full = batch.len() >= q.limit;
            // `at` stays exclusive: everything between it and where the walk began has been
            // read. A full batch may have stopped short of the window's far end: go on from
            // the last event read, so none is skipped.
            at = match (s.direction, full) {
                (Direction::Back, true) => batch.first().map_or(after + 1, |e| e.seq),
                (Direction::Back, false) => after + 1,
                (Direction::Forward, true) => batch.last().map_or(before - 1, |e| e.seq),
                (Direction::Forward, false) => before - 1,
            };
            let kept = batch.into_iter().filter(|e| keep(e));
            match s.direction {
                Direction::Back => {
                    let mut older: Vec<Event> = kept.collect();
                    older.append(&mut found);
                    found = older;
                }
                Direction::Forward => found.extend(kept),
            }
        };
        Ok(Found {
            events: found,
            reached: at,
            done,
        })
    }

    /// The highest `seq` before the trail reaches `at`: reading events after it starts at the
    /// first one created at or after `at`. A binary search over `seq` (each probe one indexed
    /// read of one event), so it costs the same on a trail of ten events or ten million.
    /// Writers' clocks are not perfectly ordered with `seq`; callers also filter by time.
    pub fn seq_before(&self, at: Timestamp) -> Result<i64> {
        let first_after = |seq: i64| -> Result<Option<(i64, Option<Timestamp>)>> {
            let e = self.events(&EventQuery::after(None, seq, 1))?;
            Ok(e.first().map(|e| (e.seq, time::parse(&e.created_at))))
        };
        // Invariant: every event with seq <= lo is before `at`; the first event after hi is
        // at or after `at` (or there is none).
        let (mut lo, mut hi) = (0i64, self.max_seq()?);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match first_after(mid)? {
                // The next event after `mid` is still before `at`: move past it.
                Some((seq, Some(t))) if t < at => lo = seq.min(hi),
                _ => hi = mid,
            }
        }
        Ok(lo)
    }
}
