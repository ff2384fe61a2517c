//! `events --since WHEN`: a time, given as how long ago (`10m`, `2h`, `7d`) or as an
//! RFC 3339 time, and the sequence number the audit trail reaches it at.

use crate::model::time::{self, Timestamp};
use crate::store::{EventQuery, Result, Store};

pub use crate::model::since::{Since, parse_since};

/// The highest `seq` before the trail reaches `at`: reading events after it starts at the
/// first one created at or after `at`. A binary search over `seq` (each probe one indexed
/// read of one event), so it costs the same on a trail of ten events or ten million.
/// Writers' clocks are not perfectly ordered with `seq`; callers also filter by time.
pub fn seq_before(store: &Store, at: Timestamp) -> Result<i64> {
    let first_after = |seq: i64| -> Result<Option<(i64, Option<Timestamp>)>> {
        let e = store.events(&EventQuery::after(None, seq, 1))?;
        Ok(e.first().map(|e| (e.seq, time::parse(&e.created_at))))
    };
    // Invariant: every event with seq <= lo is before `at`; the first event after hi is
    // at or after `at` (or there is none).
    let (mut lo, mut hi) = (0i64, store.max_seq()?);
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
