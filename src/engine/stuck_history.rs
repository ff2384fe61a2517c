//! Past stuck episodes of one workflow, pure: from its handoffs and events, the times it
//! would have counted as stuck and then moved on. A handoff acknowledged (or superseded)
//! after longer than its limit is one; so is a stretch in a phase longer than the phase's
//! limit with no event or handoff. Heartbeats are not kept in history, so a quiet stretch
//! may have been alive: the caller says so.

use super::stuck::StuckPolicy;
use crate::model::time::{self, Timestamp};
use crate::model::{Definition, Event, EventType, Handoff};

/// One past episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    pub phase: String,
    pub what: Cause,
    /// When the wait or the quiet began, and when it ended (RFC 3339).
    pub from: String,
    pub until: String,
    pub secs: i64,
    pub limit_secs: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// A handoff to `role` waited; `acknowledged` false: the workflow moved on without it.
    Handoff { role: String, acknowledged: bool },
    /// Nothing recorded in the phase: no event, no handoff.
    Quiet,
}

impl Episode {
    /// `testing: handoff to test_auditor waited 14m (limit 5m00s), 09:12–09:26`.
    pub fn describe(&self) -> String {
        let what = match &self.what {
            Cause::Handoff {
                role,
                acknowledged: true,
            } => format!("handoff to {role} waited"),
            Cause::Handoff { role, .. } => {
                format!("handoff to {role} never acknowledged, moved on after")
            }
            Cause::Quiet => "no event for".into(),
        };
        format!(
            "{}: {what} {} (limit {}), {}–{}",
            self.phase,
            time::human_duration(self.secs),
            time::human_duration(self.limit_secs),
            hm(&self.from),
            hm(&self.until)
        )
    }
}

fn hm(t: &str) -> String {
    time::parse(t).map_or_else(|| "?".into(), |t| t.format("%H:%M").to_string())
}

/// The past episodes in `handoffs` (oldest first) and `events` of one workflow, oldest
/// first. Only episodes that ended are past: the wait or quiet still going on at the end is
/// the live verdict's ([`super::stuck::detect`]).
pub fn episodes(
    def: Option<&Definition>,
    handoffs: &[Handoff],
    events: &[Event],
    policy: StuckPolicy,
) -> Vec<Episode> {
    let phase = |name: &str| def.and_then(|d| d.phase(name));
    let mut out = Vec::new();
    for (i, h) in handoffs.iter().enumerate() {
        let limit = phase(&h.to_state)
            .and_then(|p| p.handoff_timeout_secs)
            .unwrap_or(policy.handoff_timeout_secs);
        let (end, acknowledged) = match (&h.acknowledged_at, handoffs.get(i + 1)) {
            (Some(at), _) => (at.as_str(), true),
            (None, Some(next)) => (next.created_at.as_str(), false),
            (None, None) => continue,
        };
        if let Some(secs) = span(&h.created_at, end).filter(|s| *s > limit) {
            out.push(Episode {
                phase: h.to_state.clone(),
                what: Cause::Handoff {
                    role: h.to_role.clone(),
                    acknowledged,
                },
                from: h.created_at.clone(),
                until: end.to_string(),
                secs,
                limit_secs: limit,
            });
        }
    }
    out.extend(quiet(handoffs, events, &|p: &str| {
        phase(p)
            .and_then(|p| p.stuck_after_secs)
            .unwrap_or(policy.phase_timeout_secs)
    }));
    out.sort_by(|a, b| a.from.cmp(&b.from));
    out
}

/// Stretches with nothing recorded longer than their phase's limit, between two recorded
/// moments (a handoff, its acknowledgement, an event) while the workflow was running, over
/// the span `events` covers.
fn quiet(handoffs: &[Handoff], events: &[Event], limit: &dyn Fn(&str) -> i64) -> Vec<Episode> {
    // (moment, the phase entered then if any, whether the workflow is running from then:
    // `None` when the moment does not say).
    let mut marks: Vec<(Timestamp, String, Option<String>, Option<bool>)> = Vec::new();
    for h in handoffs {
        if let Some(t) = time::parse(&h.created_at) {
            marks.push((
                t,
                h.created_at.clone(),
                Some(h.to_state.clone()),
                Some(true),
            ));
        }
        if let Some(a) = h
            .acknowledged_at
            .as_deref()
            .and_then(|a| time::parse(a).map(|t| (t, a)))
        {
            marks.push((a.0, a.1.to_string(), None, None));
        }
    }
    for e in events {
        let kind = EventType::parse(&e.event_type);
        let running = match kind {
            Some(
                EventType::Paused | EventType::Completed | EventType::Failed | EventType::Cancelled,
            ) => Some(false),
            Some(EventType::Resumed | EventType::Started | EventType::Retried) => Some(true),
            _ => None,
        };
        let entered = match kind {
            Some(EventType::Started) => e.event_data.get("phase").and_then(|p| p.as_str()),
            _ => None,
        };
        if let Some(t) = time::parse(&e.created_at) {
            marks.push((
                t,
                e.created_at.clone(),
                entered.map(str::to_string),
                running,
            ));
        }
    }
    marks.sort_by_key(|m| m.0);
    // Only the span the events cover can be judged quiet: before the oldest event given,
    // events may exist that were not read. The phase then is the one the last handoff
    // before it entered.
    let Some(covered) = events
        .iter()
        .filter_map(|e| time::parse(&e.created_at))
        .min()
    else {
        return Vec::new();
    };
    let before = marks.partition_point(|m| m.0 < covered);
    let entered = marks[..before].iter().rev().find_map(|m| m.2.clone());
    let marks = &marks[before..];
    let mut out = Vec::new();
    let mut phase: Option<String> = entered;
    let mut stopped = false;
    for pair in marks.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if let Some(p) = &a.2 {
            phase = Some(p.clone());
        }
        if let Some(running) = a.3 {
            stopped = !running;
        }
        let Some(p) = phase.as_ref().filter(|_| !stopped) else {
            continue;
        };
        let secs = (b.0 - a.0).num_seconds();
        let limit = limit(p);
        if secs > limit {
            out.push(Episode {
                phase: p.clone(),
                what: Cause::Quiet,
                from: a.1.clone(),
                until: b.1.clone(),
                secs,
                limit_secs: limit,
            });
        }
    }
    out
}

fn span(from: &str, to: &str) -> Option<i64> {
    Some((time::parse(to)? - time::parse(from)?).num_seconds())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HandoffKind;
    use serde_json::json;

    fn handoff(to: &str, role: &str, at: &str, acked: Option<&str>) -> Handoff {
        Handoff {
            id: format!("h-{to}-{at}"),
            workflow_id: "w1".into(),
            from_role: None,
            to_role: role.into(),
            from_state: None,
            to_state: to.into(),
            kind: HandoffKind::Advance,
            data_transferred: json!({}),
            created_at: at.into(),
            acknowledged_at: acked.map(Into::into),
            acknowledged_by: acked.map(|_| role.to_string()),
        }
    }

    fn event(kind: &str, at: &str) -> Event {
        Event {
            seq: 1,
            id: "e".into(),
            workflow_id: "w1".into(),
            event_type: kind.into(),
            triggered_by: "system".into(),
            event_data: json!({}),
            created_at: at.into(),
        }
    }

    fn policy() -> StuckPolicy {
        StuckPolicy {
            handoff_timeout_secs: 300,
            phase_timeout_secs: 1800,
        }
    }

    #[test]
    fn a_handoff_acknowledged_after_its_limit_is_a_past_episode() {
        let hs = [
            handoff(
                "coding",
                "code_writer",
                "2026-01-01T09:00:00.000Z",
                Some("2026-01-01T09:01:00.000Z"),
            ),
            handoff(
                "testing",
                "test_auditor",
                "2026-01-01T09:12:00.000Z",
                Some("2026-01-01T09:26:00.000Z"),
            ),
        ];
        let found = episodes(None, &hs, &[], policy());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].describe(),
            "testing: handoff to test_auditor waited 14m (limit 5m00s), 09:12–09:26"
        );
    }

    #[test]
    fn the_phases_own_limit_counts_and_a_pending_handoff_is_not_past() {
        let def = Definition::builtin();
        let limit = def.phase("testing").and_then(|p| p.handoff_timeout_secs);
        let hs = [handoff(
            "testing",
            "test_auditor",
            "2026-01-01T09:00:00.000Z",
            Some("2026-01-01T09:06:00.000Z"),
        )];
        let found = episodes(Some(&def), &hs, &[], policy());
        assert_eq!(found.len(), usize::from(limit.unwrap_or(300) < 360));
        let pending = [handoff(
            "testing",
            "test_auditor",
            "2026-01-01T09:00:00.000Z",
            None,
        )];
        assert!(episodes(Some(&def), &pending, &[], policy()).is_empty());
    }

    #[test]
    fn a_handoff_never_acknowledged_but_superseded_is_one() {
        let hs = [
            handoff("coding", "code_writer", "2026-01-01T09:00:00.000Z", None),
            handoff(
                "testing",
                "test_auditor",
                "2026-01-01T09:20:00.000Z",
                Some("2026-01-01T09:21:00.000Z"),
            ),
        ];
        let found = episodes(None, &hs, &[], policy());
        assert_eq!(
            found[0].describe(),
            "coding: handoff to code_writer never acknowledged, moved on after 20m (limit 5m00s), 09:00–09:20"
        );
    }

    #[test]
    fn a_quiet_stretch_past_the_phase_limit_is_one_but_not_while_paused() {
        let hs = [handoff(
            "coding",
            "code_writer",
            "2026-01-01T09:00:00.000Z",
            Some("2026-01-01T09:01:00.000Z"),
        )];
        let evs = [
            event("handoff_acknowledged", "2026-01-01T09:01:00.000Z"),
            event("workflow_paused", "2026-01-01T09:02:00.000Z"),
            event("workflow_resumed", "2026-01-01T11:00:00.000Z"),
            event("phase_advanced", "2026-01-01T11:40:00.000Z"),
        ];
        let found = episodes(None, &hs, &evs, policy());
        assert_eq!(
            found.len(),
            1,
            "the two paused hours are not stuck: {found:?}"
        );
        assert_eq!(
            found[0].describe(),
            "coding: no event for 40m (limit 30m), 11:00–11:40"
        );
        assert_eq!(found[0].what, Cause::Quiet);
    }
}
