//! How often the dashboard may look again while changes keep coming.
//!
//! The first change after a quiet spell is looked at at once. While a writer keeps
//! committing, every look (the worker's read) and the drawing of what it found cost time;
//! looking once a frame regardless made ten dashboards on one database take most of the
//! machine from the writer they were watching. So the time spent following changes is
//! kept to a fifth of one core: after a wake-up the watcher stays away for what the last
//! look and its drawing cost, divided by that share — never less than a frame, never more
//! than a quarter of a second. Cheap looks still come once a frame.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The share of one core a dashboard spends following a busy database.
pub const BUDGET: f64 = 0.20;
/// At most one look a frame.
pub const FRAME: Duration = Duration::from_millis(16);
/// However costly the looks, the screen is at most this far behind.
pub const MAX_GAP: Duration = Duration::from_millis(250);

/// Shared by the worker and the render loop (who spend) and the watcher (who waits).
#[derive(Debug, Clone, Default)]
pub struct Pace(Arc<AtomicU64>);

impl Pace {
    /// Time spent following changes: reading them, or drawing what was read.
    pub fn spent(&self, d: Duration) {
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.0.fetch_add(micros, Ordering::Relaxed);
    }

    /// How long to wait after a wake-up before the next look; starts the count again.
    pub fn gap(&self) -> Duration {
        let spent = Duration::from_micros(self.0.swap(0, Ordering::Relaxed));
        spent.div_f64(BUDGET).clamp(FRAME, MAX_GAP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheap_looks_come_once_a_frame() {
        let p = Pace::default();
        assert_eq!(p.gap(), FRAME, "nothing spent");
        p.spent(Duration::from_micros(300));
        assert_eq!(p.gap(), FRAME, "0.3 ms / 20 % = 1.5 ms: still a frame");
    }

    #[test]
    fn costly_looks_are_spaced_to_keep_within_the_budget() {
        let p = Pace::default();
        p.spent(Duration::from_millis(5));
        p.spent(Duration::from_millis(1));
        assert_eq!(p.gap(), Duration::from_millis(30), "6 ms at 20 % of a core");
        assert_eq!(
            p.gap(),
            FRAME,
            "each gap counts what was spent since the last"
        );
        p.spent(Duration::from_secs(1));
        assert_eq!(p.gap(), MAX_GAP, "never further behind than the cap");
    }
}
