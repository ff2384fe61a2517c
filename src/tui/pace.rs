//! How often the dashboard may look again while changes keep coming.
//!
//! The first change after a quiet spell is looked at at once. While a writer keeps
//! committing, every look (the worker's read) and the drawing of what it found cost time;
//! looking once a frame regardless made ten dashboards on one database take most of the
//! machine from the writer they were watching. So the time spent following changes is
//! kept to a fifth of one core: after a wake-up the watcher stays away for what the last
//! look and its drawing cost, divided by that share — never less than a frame, never more
//! than a quarter of a second. Cheap looks still come once a frame. On a machine short of
//! processor time (tasks waiting for a CPU, [`super::pressure`]) the share shrinks, down
//! to a tenth of it: ten dashboards at a fifth of a core each would otherwise take a core
//! from the writers they watch. And the share is for all the dashboards a user runs on the
//! machine together ([`super::neighbours`]): each of ten takes a tenth of it.

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

    /// How long to wait after a wake-up before the next look, given the share of time
    /// tasks waited for a CPU lately (`pressure`, 0 to 1) and how many dashboards share
    /// the machine (`dashboards`, this one included); starts the count again.
    pub fn gap(&self, pressure: f64, dashboards: usize) -> Duration {
        let spent = Duration::from_micros(self.0.swap(0, Ordering::Relaxed));
        let share = budget(pressure) / dashboards.max(1) as f64;
        spent.div_f64(share).clamp(FRAME, MAX_GAP)
    }
}

/// The share of a core to spend: all of [`BUDGET`] while under 8 % of the time sees a task
/// waiting for a CPU, shrinking linearly to a tenth of it as that reaches 30 %. (Ten
/// dashboards beside a full-speed writer on two cores measured 25–30 % with a squeeze from
/// 10 % to 50 %, and still took the writer to 0.83–0.90×; one dashboard beside a writer
/// measured 8–13 %, and a squeeze from 5 % put its 500 ops/s p50 over a frame.)
fn budget(pressure: f64) -> f64 {
    let squeeze = ((pressure - 0.08) / 0.22).clamp(0.0, 1.0);
    BUDGET * (1.0 - 0.9 * squeeze)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboards_on_one_machine_share_the_budget() {
        let gap_with = |dashboards: usize| {
            let p = Pace::default();
            p.spent(Duration::from_millis(2));
            p.gap(0.0, dashboards)
        };
        assert_eq!(gap_with(1), FRAME, "2 ms at 20 %: 10 ms, a frame");
        assert_eq!(gap_with(2), Duration::from_millis(20), "2 ms at 10 %");
        assert_eq!(gap_with(10), Duration::from_millis(100), "2 ms at 2 %");
        assert_eq!(gap_with(0), FRAME, "never fewer than itself");
    }

    #[test]
    fn cheap_looks_come_once_a_frame() {
        let p = Pace::default();
        assert_eq!(p.gap(0.0, 1), FRAME, "nothing spent");
        p.spent(Duration::from_micros(300));
        assert_eq!(
            p.gap(0.0, 1),
            FRAME,
            "0.3 ms / 20 % = 1.5 ms: still a frame"
        );
    }

    #[test]
    fn costly_looks_are_spaced_to_keep_within_the_budget() {
        let p = Pace::default();
        p.spent(Duration::from_millis(5));
        p.spent(Duration::from_millis(1));
        assert_eq!(
            p.gap(0.0, 1),
            Duration::from_millis(30),
            "6 ms at 20 % of a core"
        );
        assert_eq!(
            p.gap(0.0, 1),
            FRAME,
            "each gap counts what was spent since the last"
        );
        p.spent(Duration::from_secs(1));
        assert_eq!(p.gap(0.0, 1), MAX_GAP, "never further behind than the cap");
    }

    #[test]
    fn a_machine_short_of_time_gets_longer_gaps() {
        let gap_at = |pressure: f64| {
            let p = Pace::default();
            p.spent(Duration::from_millis(4));
            p.gap(pressure, 1)
        };
        assert_eq!(gap_at(0.0), Duration::from_millis(20), "4 ms at 20 %");
        assert_eq!(
            gap_at(0.08),
            Duration::from_millis(20),
            "still the whole share"
        );
        // Half-way: 20 % × (1 − 0.45) = 11 % of a core.
        assert_eq!(gap_at(0.19).as_micros(), 36_363);
        assert_eq!(
            gap_at(0.30),
            Duration::from_millis(200),
            "a tenth: 2 % of a core"
        );
        assert_eq!(
            gap_at(0.90),
            Duration::from_millis(200),
            "never less than a tenth"
        );
    }
}
