//! When the text on screen next changes with time alone: the workflows table shows how long
//! each visible row has been in its phase and how old it is, to the second under an hour,
//! to the minute under a day, to the hour beyond. The runtime sleeps until then, so the
//! durations tick while seconds are shown and an idle screen of old rows wakes rarely.

use super::App;
use crate::model::time::{self, Timestamp};

/// How many seconds until a duration of `secs`, shown as `human_duration` shows it, reads
/// differently.
fn until_next_change(secs: i64) -> i64 {
    match secs {
        s if s < 3_600 => 1,
        s if s < 86_400 => 60 - s.rem_euclid(60),
        s => 3_600 - s.rem_euclid(3_600),
    }
}

impl App {
    /// The next moment a visible duration reads differently; `None` with no visible rows.
    pub fn next_clock_change(&self) -> Option<Timestamp> {
        // More rows than the table can show, never fewer: the terminal's height bounds it.
        let shown = usize::from(self.screen.size().1.max(1));
        let visible = self.held.visible();
        let start = self.table.offset().min(visible.len());
        let end = (start + shown).min(visible.len());
        let now = self.now();
        let soonest = visible[start..end]
            .iter()
            .filter_map(|id| self.held.row(id))
            .flat_map(|r| [r.wf.phase_since(), r.wf.created_at.as_str()])
            .filter_map(|t| time::secs_since(t, now))
            .map(until_next_change)
            .min()?;
        Some(now + chrono::Duration::seconds(soonest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing;

    #[test]
    fn durations_change_every_second_under_an_hour_then_every_minute_then_hourly() {
        assert_eq!(until_next_change(5), 1);
        assert_eq!(until_next_change(3_599), 1);
        assert_eq!(until_next_change(3_600), 60);
        assert_eq!(until_next_change(3_659), 1);
        assert_eq!(until_next_change(86_400 + 10), 3_590);
    }

    #[test]
    fn the_screen_wakes_for_visible_durations_only() {
        let mut app = testing::app();
        let now = app.now();
        assert!(!app.held().visible().is_empty(), "the test app shows rows");
        let next = app.next_clock_change().expect("visible rows tick");
        assert!(next > now && next <= now + chrono::Duration::hours(1));
        app.set_filter("nothing-is-called-this".into());
        assert_eq!(
            app.next_clock_change(),
            None,
            "nothing shown, nothing ticks"
        );
    }
}
