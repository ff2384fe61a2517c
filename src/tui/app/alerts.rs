//! Which troubles the operator has been told about (`--notify`): a workflow that newly
//! becomes stuck, or fails, is announced once per episode — a stuck episode is known by
//! when it began, a failure by the version that recorded it — and never again. An episode
//! that began before the dashboard opened is not announced, even when its stuck limit is
//! crossed later.

use super::held::Held;
use crate::model::Status;
use crate::model::time::Timestamp;
use std::collections::HashSet;

#[derive(Debug, Clone, Default)]
pub struct Alerts {
    on: bool,
    /// When the dashboard first looked: an episode that began before is not announced,
    /// even if its stuck limit is only crossed later.
    opened: Option<Timestamp>,
    /// `(workflow id, episode)` already announced (or there at the start).
    told: HashSet<(String, String)>,
}

/// One announcement: a title and a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub title: String,
    pub body: String,
}

impl Alerts {
    pub fn set_on(&mut self, on: bool) {
        self.on = on;
    }

    /// The episodes among `held` not told yet. Costs one pass over the held rows, and only
    /// when notifications are on.
    pub fn observe(&mut self, held: &Held) -> Vec<Alert> {
        if !self.on || !held.loaded() {
            return Vec::new();
        }
        let opened = *self.opened.get_or_insert(held.now());
        let mut out = Vec::new();
        for r in held.rows().iter() {
            // The episode's key and start first: why it happened is worked out only for
            // an episode not told yet (most rows' troubles are old news).
            let episode = match (held.stuck_since(r), r.wf.status()) {
                (Some(since), _) => Some((format!("stuck since {since}"), since)),
                (None, Status::Failed) => {
                    Some((format!("failed at v{}", r.wf.version()), r.wf.updated_at()))
                }
                _ => None,
            };
            let Some((key, began)) = episode else {
                continue;
            };
            let before = began.parse().is_some_and(|t| t < opened);
            if !self.told.insert((r.id().to_string(), key)) || before {
                continue;
            }
            let why = match held.stuck_of(r) {
                Some(s) => s.describe(),
                None => r.wf.last_error().unwrap_or("no error recorded").to_string(),
            };
            let what = if r.stuck.is_some() { "stuck" } else { "failed" };
            out.push(Alert {
                title: format!("baton: {} {what}", r.wf.build_id()),
                body: format!("{} in {}: {why}", r.wf.build_id(), r.wf.current_state()),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Status;
    use crate::tui::app::{App, TermRequest};
    use crate::tui::msg::Delta;
    use crate::tui::testing;

    fn told(app: &mut App) -> Vec<String> {
        app.session_mut()
            .take_requests()
            .into_iter()
            .filter_map(|r| match r {
                TermRequest::Notify { body, .. } => Some(body),
                _ => None,
            })
            .collect()
    }

    fn changed(app: &mut App, w: crate::model::Workflow) {
        app.apply_delta(Delta {
            workflows: vec![w],
            ..Delta::default()
        });
    }

    #[test]
    fn each_new_failure_or_stuck_episode_is_announced_once() {
        let mut app = testing::app();
        app.set_notify(true);
        // What was in trouble when the dashboard opened is not announced.
        app.tick(testing::now());
        assert_eq!(told(&mut app), Vec::<String>::new());

        let mut w = testing::workflow("f6", "fornax-6", "coding", Status::Running);
        w.updated_at = "2026-11-22T10:31:00.000Z".into();
        changed(&mut app, w.clone());
        assert!(told(&mut app).is_empty(), "running and fine");
        w.status = Status::Failed;
        w.status_raw = "failed".into();
        w.version = 3;
        w.last_error = Some("disk full".into());
        changed(&mut app, w.clone());
        assert_eq!(told(&mut app), ["fornax-6 in coding: disk full"]);
        // The same failure seen again (another write, a tick): not again.
        changed(&mut app, w.clone());
        app.tick(testing::now());
        assert!(told(&mut app).is_empty());
        // Retried, then failed again: a new episode.
        w.version = 5;
        changed(&mut app, w.clone());
        assert_eq!(told(&mut app).len(), 1);

        // Stuck: no heartbeat for longer than the phase limit, found by the clock alone.
        let mut s = testing::workflow("g7", "gemini-7", "testing", Status::Running);
        s.updated_at = "2026-11-22T10:31:00.000Z".into();
        s.state_entered_at = Some("2026-11-22T10:31:00.000Z".into());
        changed(&mut app, s);
        assert!(told(&mut app).is_empty());
        let later = testing::now() + chrono::Duration::hours(2);
        app.tick(later);
        // gemini-7 only: atlas-101 is stuck now too, but its wait began before the
        // dashboard opened.
        let t = told(&mut app);
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(
            t[0].starts_with("gemini-7 in testing: no heartbeat"),
            "{t:?}"
        );
        app.tick(later + chrono::Duration::minutes(5));
        assert!(told(&mut app).is_empty(), "the same episode");
    }

    #[test]
    fn off_by_default_nothing_is_announced() {
        let mut app = testing::app();
        let mut w = testing::workflow("f6", "fornax-6", "coding", Status::Failed);
        w.version = 3;
        changed(&mut app, w);
        assert!(told(&mut app).is_empty());
    }
}
