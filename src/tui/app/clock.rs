//! The durations the dashboard shows and when they next change. A live workflow's time in
//! phase and age count up with the clock; a finished one's stopped when it finished, so a
//! completed build reads the same at 3 a.m. as when it completed. Durations show seconds
//! under ten minutes, minutes under a day, hours beyond, and the header shows the time to
//! the minute: the runtime sleeps until the next of those changes, so ages tick while
//! seconds are shown and an idle screen of older rows wakes once a minute (issue 9: idle
//! means idle).

use super::App;
use crate::model::time::Timestamp;
use crate::model::{Stamp, WorkflowFields};
use chrono::{DurationRound, TimeDelta};

/// How many seconds until a duration of `secs`, shown as `human_duration` shows it, reads
/// differently.
fn until_next_change(secs: i64) -> i64 {
    match secs {
        s if s < 600 => 1,
        s if s < 86_400 => 60 - s.rem_euclid(60),
        s => 3_600 - s.rem_euclid(3_600),
    }
}

/// When a finished (completed or cancelled) workflow's clocks stopped: its completion
/// time, or its last update when a writer left `completed_at` empty. `None` while live.
pub fn stopped_at(w: &impl WorkflowFields) -> Option<Stamp<'_>> {
    w.status()
        .is_terminal()
        .then(|| w.completed_at().unwrap_or(w.updated_at()))
}

/// The moment `w`'s clocks read at `now`: now, or when it finished.
fn clock_end(w: &impl WorkflowFields, now: Timestamp) -> Timestamp {
    stopped_at(w)
        .and_then(Stamp::parse)
        .map_or(now, |t| t.min(now))
}

/// How long `w` has been (or was, once finished) in its current phase.
pub fn in_phase_secs(w: &impl WorkflowFields, now: Timestamp) -> Option<i64> {
    w.phase_since().secs_until(clock_end(w, now))
}

/// How old `w` is (or was, when it finished).
pub fn age_secs(w: &impl WorkflowFields, now: Timestamp) -> Option<i64> {
    w.created_at().secs_until(clock_end(w, now))
}

impl App {
    /// [`in_phase_secs`] now.
    pub fn in_phase(&self, w: &impl WorkflowFields) -> Option<i64> {
        in_phase_secs(w, self.now())
    }
    /// The moment `w`'s clocks read now: now, or when it finished.
    pub fn clock_end(&self, w: &impl WorkflowFields) -> Timestamp {
        clock_end(w, self.now())
    }
    /// [`age_secs`] now.
    pub fn age(&self, w: &impl WorkflowFields) -> Option<i64> {
        age_secs(w, self.now())
    }

    /// The next moment the screen reads differently with time alone: the header's clock
    /// shows seconds, and so do durations under an hour.
    pub fn next_clock_change(&self) -> Option<Timestamp> {
        let now = self.now();
        let minute = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
        let header = minute + TimeDelta::minutes(1);
        // More rows than the table can show, never fewer: the terminal's height bounds it.
        let shown = usize::from(self.screen.size().1.max(1));
        let visible = self.held.visible();
        let start = self.table.offset().min(visible.len());
        let end = (start + shown).min(visible.len());
        let rows = visible
            .range(start..end)
            .rows()
            // A finished workflow's durations stopped: they never change again.
            .filter(|r| stopped_at(*r).is_none())
            .flat_map(|r| [r.wf.phase_since(), r.wf.created_at()])
            .filter_map(|t| t.secs_until(now))
            .map(until_next_change)
            .min()
            .map(|secs| now + TimeDelta::seconds(secs));
        Some(rows.map_or(header, |r| r.min(header)))
    }
}

/// `t` rounded up to a whole second.
fn ceil_second(t: Timestamp) -> Timestamp {
    let s = t.duration_trunc(TimeDelta::seconds(1)).unwrap_or(t);
    if s < t { s + TimeDelta::seconds(1) } else { s }
}

impl App {
    /// When the render loop should wake with nothing else happening: the next stuck mark
    /// or shown duration to change, on a whole second, so that ticking durations and
    /// passing deadlines share one wake-up a second rather than taking one each.
    pub fn next_wake(&self) -> Option<Timestamp> {
        // The metrics overlay is refreshed every few seconds while it is shown.
        let metrics = matches!(self.overlays().shown(), Some(super::Overlay::Metrics(_)))
            .then(|| self.now() + chrono::Duration::seconds(1));
        [
            self.next_stuck_deadline(),
            self.next_clock_change(),
            metrics,
        ]
        .into_iter()
        .flatten()
        .min()
        .map(ceil_second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::StuckPolicy;
    use crate::model::{Status, time};
    use crate::tui::msg::Delta;
    use crate::tui::testing;

    #[test]
    fn durations_change_every_second_under_ten_minutes_then_every_minute_then_hourly() {
        assert_eq!(until_next_change(5), 1);
        assert_eq!(until_next_change(599), 1);
        assert_eq!(until_next_change(600), 60, "10m reads 10m for a minute");
        assert_eq!(until_next_change(630), 30);
        assert_eq!(until_next_change(3_600), 60);
        assert_eq!(until_next_change(3_659), 1);
        assert_eq!(until_next_change(86_400 + 10), 3_590);
    }

    #[test]
    fn visible_live_durations_tick_and_otherwise_only_the_header_minute() {
        let mut app = testing::app();
        let now = app.now();
        let next = app
            .next_clock_change()
            .expect("always: the header's minute");
        assert!(next > now && next <= now + TimeDelta::minutes(1));
        app.set_filter("nothing-is-called-this".into());
        let minute = now.duration_trunc(TimeDelta::minutes(1)).unwrap() + TimeDelta::minutes(1);
        assert_eq!(
            app.next_clock_change(),
            Some(minute),
            "nothing shown: only the header's clock, once a minute"
        );
    }

    #[test]
    fn wakes_fall_on_whole_seconds() {
        let at = |ms| testing::now() + TimeDelta::milliseconds(ms);
        assert_eq!(ceil_second(at(1_400)), at(2_000));
        assert_eq!(ceil_second(at(2_000)), at(2_000));
        let app = testing::app();
        let wake = app.next_wake().expect("the header at least");
        assert_eq!(wake, ceil_second(wake), "{wake}");
    }

    #[test]
    fn finished_rows_never_wake_the_screen() {
        let now = testing::now();
        let mut w = testing::workflow("w", "atlas-1", "release", Status::Completed);
        w.created_at = time::format(now - TimeDelta::seconds(30)).into();
        w.completed_at = Some(time::format(now - TimeDelta::seconds(10)).into());
        let mut app = App::new("t", false, StuckPolicy::default(), now);
        app.apply_delta(Delta {
            full: true,
            workflows: vec![w],
            at: Some(now),
            ..Delta::default()
        });
        assert_eq!(app.held().visible().len(), 1, "the finished row is shown");
        let minute = now.duration_trunc(TimeDelta::minutes(1)).unwrap() + TimeDelta::minutes(1);
        assert_eq!(app.next_clock_change(), Some(minute));
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
