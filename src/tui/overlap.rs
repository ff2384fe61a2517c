//! How far back each look re-reads rows by their update and heartbeat times.
//!
//! Writers stamp rows with their own clocks and a commit can land after the time it
//! wrote (a transaction waiting on a lock, a clock that lags), so a look re-reads a window
//! before the previous one. Re-reading the whole two-second window at every look made each
//! look cost what two seconds of writes cost — at thousands of commits a second and one
//! look a frame, most of a core per dashboard. So a look re-reads a short window (what a
//! commit's own duration can hide) and, at most once a second, the whole one; a short
//! look owes a whole one within the second even if nothing else is committed, so a late
//! commit always shows, within a second.

use crate::model::time;
use chrono::{DateTime, Duration, Utc};
use std::time::Instant;

/// The whole window: a commit landing up to this long after the time it wrote is shown.
pub const WIDE: Duration = Duration::seconds(2);
/// What every look re-reads.
pub const NARROW: Duration = Duration::milliseconds(250);
/// How often a look re-reads the whole window.
pub const WIDE_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The bounds of one look, as the stored text times compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Rows updated or heartbeating at or after this are read.
    pub read_from: String,
    /// Rows stamped before this can never be read again: forget what was sent of them.
    pub keep_from: String,
}

#[derive(Debug, Default)]
pub struct Overlap {
    /// When the previous look (or the full load) began; `None` before any load.
    looked_at: Option<DateTime<Utc>>,
    wide_at: Option<Instant>,
    /// A short look was made since the last whole one.
    owed: bool,
}

impl Overlap {
    /// Whether a full load has set a base that looks can follow.
    pub fn has_base(&self) -> bool {
        self.looked_at.is_some()
    }

    /// Forgets the base: the next look must be a full load.
    pub fn clear(&mut self) {
        self.looked_at = None;
    }

    /// A full load beginning at `now`: it reads everything, so the next look starts here.
    /// Returns where the whole window of that load begins (rows stamped since may be
    /// re-read by the next look).
    pub fn loaded(&mut self, now: DateTime<Utc>, clock: Instant) -> String {
        self.looked_at = Some(now);
        self.wide_at = Some(clock);
        self.owed = false;
        time::format(now - WIDE)
    }

    /// When a look re-reading the whole window is owed (a short one was made since the
    /// last), whether or not anything is committed meanwhile.
    pub fn wide_due(&self) -> Option<Instant> {
        self.wide_at.filter(|_| self.owed).map(|at| at + WIDE_EVERY)
    }

    /// The window of a look beginning at `now`. Panics without a base (a full load first).
    pub fn look(&mut self, now: DateTime<Utc>, clock: Instant) -> Window {
        let prev = self.looked_at.replace(now).expect("a full load first");
        let wide = self
            .wide_at
            .is_none_or(|at| clock.duration_since(at) >= WIDE_EVERY);
        if wide {
            self.wide_at = Some(clock);
        }
        self.owed = !wide;
        Window {
            read_from: time::format(prev - if wide { WIDE } else { NARROW }),
            keep_from: time::format(prev - WIDE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).unwrap()
    }

    #[test]
    fn looks_read_a_short_window_and_the_whole_one_once_a_second() {
        let mut o = Overlap::default();
        assert!(!o.has_base());
        let t0 = Instant::now();
        let keep = o.loaded(at(0), t0);
        assert_eq!(keep, time::format(at(-2000)));
        assert_eq!(o.wide_due(), None, "the load read everything");
        let w = o.look(at(16), t0 + std::time::Duration::from_millis(16));
        assert_eq!(w.read_from, time::format(at(-250)), "narrow after the load");
        assert_eq!(
            o.wide_due(),
            Some(t0 + WIDE_EVERY),
            "a short look owes a whole one within the second"
        );
        assert_eq!(w.keep_from, time::format(at(-2000)));
        let w = o.look(at(32), t0 + std::time::Duration::from_millis(32));
        assert_eq!(w.read_from, time::format(at(16 - 250)));
        let w = o.look(at(1040), t0 + std::time::Duration::from_millis(1040));
        assert_eq!(
            w.read_from,
            time::format(at(32 - 2000)),
            "a second after the last wide read, the whole window again"
        );
        assert_eq!(o.wide_due(), None, "paid");
        let w = o.look(at(1060), t0 + std::time::Duration::from_millis(1060));
        assert_eq!(w.read_from, time::format(at(1040 - 250)));
        assert_eq!(w.keep_from, time::format(at(1040 - 2000)));
    }

    #[test]
    fn clearing_asks_for_a_full_load() {
        let mut o = Overlap::default();
        o.loaded(at(0), Instant::now());
        assert!(o.has_base());
        o.clear();
        assert!(!o.has_base());
    }
}
