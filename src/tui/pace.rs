//! How often the dashboard may look again while changes keep coming.
//!
//! The first change after a quiet spell is looked at at once. While a writer keeps
//! committing, every look (the worker's read) and the drawing of what it found cost time;
//! looking once a frame regardless made ten dashboards on one database take most of the
//! machine from the writer they were watching. So the time spent following changes is
//! kept to a fifth of one core, as an allowance: it accrues at that share while time
//! passes, up to what one longest gap would accrue, and each look and its drawing are
//! taken from it. While it is in credit the watcher waits only a frame; in debt, until the
//! debt is paid, never more than a quarter of a second. A change after the dashboard sat
//! idle is looked at at once however costly the last look was; only a stream of them is
//! spaced. On a machine short of processor time (tasks waiting for a CPU,
//! [`super::pressure`]) the share shrinks, down to a tenth of it: ten dashboards at a fifth
//! of a core each would otherwise take a core from the writers they watch. And the share
//! is for all the dashboards a user runs on the machine together ([`super::neighbours`]):
//! each of ten takes a tenth of it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

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

    /// What was spent since the last call.
    fn take(&self) -> Duration {
        Duration::from_micros(self.0.swap(0, Ordering::Relaxed))
    }
}

/// The watcher's allowance of time to spend following changes, in seconds of one core:
/// positive is credit, negative is debt. It starts full.
#[derive(Debug, Default)]
pub struct Allowance {
    balance: f64,
    at: Option<Instant>,
}

impl Allowance {
    /// How long to wait after a wake-up at `now` before the next look, given the share of
    /// time tasks waited for a CPU lately (`pressure`, 0 to 1) and how many dashboards
    /// share the machine (`dashboards`, this one included); takes what `pace` spent since
    /// the last wake-up from the allowance.
    pub fn gap(&mut self, pace: &Pace, now: Instant, pressure: f64, dashboards: usize) -> Duration {
        let share = budget(pressure) / dashboards.max(1) as f64;
        // Credit and debt are both bounded by one longest gap's worth: a look that cost a
        // second (a full load) delays the next by at most that gap, and a quiet hour buys
        // no more than a burst.
        let bound = MAX_GAP.as_secs_f64() * share;
        let accrued = match self.at {
            Some(then) => now.saturating_duration_since(then).as_secs_f64() * share,
            None => bound,
        };
        self.at = Some(now);
        self.balance =
            ((self.balance + accrued).min(bound) - pace.take().as_secs_f64()).max(-bound);
        if self.balance >= 0.0 {
            return FRAME;
        }
        Duration::from_secs_f64(-self.balance / share).clamp(FRAME, MAX_GAP)
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

    /// An allowance with nothing left, last drawn on at `t0`.
    fn drawn_at(t0: Instant) -> Allowance {
        Allowance {
            balance: 0.0,
            at: Some(t0),
        }
    }

    /// The gap of an allowance drawn down at `t0`, after spending `spent` by `t0 + after`.
    fn gap_after(spent: Duration, after: Duration, pressure: f64, dashboards: usize) -> Duration {
        let (p, t0) = (Pace::default(), Instant::now());
        p.spent(spent);
        drawn_at(t0).gap(&p, t0 + after, pressure, dashboards)
    }

    #[test]
    fn a_change_after_a_quiet_spell_is_looked_at_within_a_frame() {
        let (p, mut a, t0) = (Pace::default(), Allowance::default(), Instant::now());
        p.spent(Duration::from_millis(40));
        assert_eq!(
            a.gap(&p, t0, 0.0, 1),
            FRAME,
            "a fresh allowance is full: 50 ms of credit at 20 %"
        );
        p.spent(Duration::from_millis(10));
        assert_eq!(
            a.gap(&p, t0 + Duration::from_secs(2), 0.0, 1),
            FRAME,
            "two idle seconds refill it, whatever the last look cost"
        );
    }

    #[test]
    fn a_stream_of_costly_looks_is_spaced_to_keep_within_the_budget() {
        assert_eq!(
            gap_after(Duration::from_millis(6), Duration::ZERO, 0.0, 1),
            Duration::from_millis(30),
            "6 ms at 20 % of a core"
        );
        assert_eq!(
            gap_after(Duration::from_micros(300), Duration::ZERO, 0.0, 1),
            FRAME,
            "0.3 ms / 20 % = 1.5 ms: still a frame"
        );
        // Waiting out a debt pays it: the next look, as costly, is spaced alike.
        let (p, t0) = (Pace::default(), Instant::now());
        let mut a = drawn_at(t0);
        p.spent(Duration::from_millis(6));
        let first = a.gap(&p, t0, 0.0, 1);
        p.spent(Duration::from_millis(6));
        let second = a.gap(&p, t0 + first, 0.0, 1);
        assert_eq!(
            (first, second),
            (Duration::from_millis(30), Duration::from_millis(30))
        );
    }

    #[test]
    fn a_huge_cost_delays_by_at_most_one_longest_gap() {
        let (p, mut a, t0) = (Pace::default(), Allowance::default(), Instant::now());
        p.spent(Duration::from_secs(1));
        assert_eq!(a.gap(&p, t0, 0.0, 1), MAX_GAP);
        assert_eq!(
            a.gap(&p, t0 + MAX_GAP, 0.0, 1),
            FRAME,
            "the debt was bounded at one gap's worth, which waiting that gap paid"
        );
    }

    #[test]
    fn dashboards_on_one_machine_share_the_budget() {
        let gap_with = |n| gap_after(Duration::from_millis(2), Duration::ZERO, 0.0, n);
        assert_eq!(gap_with(1), FRAME, "2 ms at 20 %: 10 ms, a frame");
        assert_eq!(gap_with(2), Duration::from_millis(20), "2 ms at 10 %");
        assert_eq!(gap_with(10), Duration::from_millis(100), "2 ms at 2 %");
        assert_eq!(gap_with(0), FRAME, "never fewer than itself");
    }

    #[test]
    fn a_machine_short_of_time_gets_longer_gaps() {
        let gap_at = |pressure| gap_after(Duration::from_millis(4), Duration::ZERO, pressure, 1);
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
