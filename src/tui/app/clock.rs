//! The durations the dashboard shows and when they next change. A live workflow's time in
//! phase and age count up with the clock; a finished one's stopped when it finished, so a
//! completed build reads the same at 3 a.m. as when it completed. The header shows the time
//! to the second, so the screen changes every second: the runtime sleeps until the next
//! whole second (an idle screen then costs one redraw a second and no database read).

use super::App;
use crate::model::Workflow;
use crate::model::time::{self, Timestamp};
use chrono::{DurationRound, TimeDelta};

/// When a finished (completed or cancelled) workflow's clocks stopped: its completion
/// time, or its last update when a writer left `completed_at` empty. `None` while live.
pub fn stopped_at(w: &Workflow) -> Option<&str> {
    w.status
        .is_terminal()
        .then(|| w.completed_at.as_deref().unwrap_or(&w.updated_at))
}

/// The moment `w`'s clocks read at `now`: now, or when it finished.
fn clock_end(w: &Workflow, now: Timestamp) -> Timestamp {
    stopped_at(w)
        .and_then(time::parse)
        .map_or(now, |t| t.min(now))
}

/// How long `w` has been (or was, once finished) in its current phase.
pub fn in_phase_secs(w: &Workflow, now: Timestamp) -> Option<i64> {
    time::secs_since(w.phase_since(), clock_end(w, now))
}

/// How old `w` is (or was, when it finished).
pub fn age_secs(w: &Workflow, now: Timestamp) -> Option<i64> {
    time::secs_since(&w.created_at, clock_end(w, now))
}

impl App {
    /// [`in_phase_secs`] now.
    pub fn in_phase(&self, w: &Workflow) -> Option<i64> {
        in_phase_secs(w, self.now())
    }
    /// The moment `w`'s clocks read now: now, or when it finished.
    pub fn clock_end(&self, w: &Workflow) -> Timestamp {
        clock_end(w, self.now())
    }
    /// [`age_secs`] now.
    pub fn age(&self, w: &Workflow) -> Option<i64> {
        age_secs(w, self.now())
    }

    /// The next moment the screen reads differently with time alone: the header's clock
    /// shows seconds, and so do durations under an hour.
    pub fn next_clock_change(&self) -> Option<Timestamp> {
        let now = self.now();
        let second = now.duration_trunc(TimeDelta::seconds(1)).unwrap_or(now);
        Some(second + TimeDelta::seconds(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::tui::testing;

    #[test]
    fn the_screen_wakes_at_the_next_whole_second() {
        let mut app = testing::app();
        let next = app.next_clock_change().expect("the header clock ticks");
        assert_eq!(next, app.now() + TimeDelta::seconds(1));
        let later = app.now() + TimeDelta::milliseconds(1_400);
        app.tick(later);
        assert_eq!(
            app.next_clock_change(),
            Some(testing::now() + TimeDelta::seconds(2))
        );
    }

    #[test]
    fn a_finished_workflow_stops_counting_when_it_finishes() {
        let now = testing::now();
        let mut w = testing::workflow("w", "atlas-1", "release", Status::Completed);
        w.created_at = "2026-11-22T10:00:00.000Z".into();
        w.state_entered_at = Some("2026-11-22T10:05:00.000Z".into());
        w.completed_at = Some("2026-11-22T10:07:00.000Z".into());
        let much_later = now + TimeDelta::hours(5);
        assert_eq!(in_phase_secs(&w, much_later), Some(120));
        assert_eq!(age_secs(&w, much_later), Some(420));
        w.status = Status::Running;
        w.completed_at = None;
        assert_eq!(age_secs(&w, now), Some(1_800), "a live one counts on");
    }
}
