//! Fleet metrics over a window (`baton metrics --since 1h`): per phase and role, what is in
//! flight and waiting for acknowledgement now, and what entered, left, retried, rolled back
//! and failed in the window, with the time spent in the phase and the acknowledgement
//! latency (median and p95); completions over time; the role holding the most work named as
//! the bottleneck. The cost follows the window, not history: the window's events are one
//! time range of `workflow_event_metrics`, kept by the schema's triggers with the few
//! fields metrics read (`Store::metric_events`). baton's own leaving and acknowledging
//! events state how long the phase or the wait lasted (`in_phase_secs`, `waited_secs`);
//! only work that another writer moved across the window's start is looked up, one
//! workflow or handoff at a time.

mod scan;

use super::error::EngineError;
use crate::model::time::Timestamp;
use crate::model::{Definition, EventType};
use crate::store::{EventQuery, MetricEvent, MetricKey, Store};
use scan::Measure;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// At most this many buckets of completions, whatever the window.
pub const BUCKETS: i64 = 60;

/// Median and 95th percentile of some durations, in seconds (nearest rank).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Spread {
    pub n: usize,
    pub p50: Option<i64>,
    pub p95: Option<i64>,
}

impl Spread {
    pub fn of(mut secs: Vec<i64>) -> Spread {
        secs.sort_unstable();
        let rank = |p: f64| {
            let i = ((p * secs.len() as f64).ceil() as usize).clamp(1, secs.len()) - 1;
            secs[i]
        };
        if secs.is_empty() {
            return Spread::default();
        }
        Spread {
            n: secs.len(),
            p50: Some(rank(0.50)),
            p95: Some(rank(0.95)),
        }
    }
}

/// One phase and the role that owns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PhaseRow {
    pub phase: String,
    pub role: String,
    /// Live workflows in this phase now, running or paused.
    pub in_flight: i64,
    /// Handoffs into this phase not yet acknowledged (running workflows).
    pub waiting_ack: i64,
    /// How long the oldest of those has waited, in seconds.
    pub oldest_wait_secs: Option<i64>,
    pub entered: u64,
    pub left: u64,
    /// Time spent in the phase by the attempts that left it in the window.
    pub time_in_phase: Spread,
    /// From a handoff into the phase to its acknowledgement, for acknowledgements in the
    /// window.
    pub ack_latency: Spread,
    pub retries: u64,
    pub rollbacks: u64,
    pub failures: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bottleneck {
    pub role: String,
    pub in_flight: i64,
    pub waiting_ack: i64,
    pub p95_in_phase_secs: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub since: String,
    pub until: String,
    pub rows: Vec<PhaseRow>,
    pub completed: u64,
    /// Seconds per bucket of `completions`.
    pub bucket_secs: i64,
    /// Completions per bucket, oldest first.
    pub completions: Vec<u64>,
    pub bottleneck: Option<Bottleneck>,
    /// Events in the window.
    pub events: usize,
}

/// Reads the window `[since, now]` and measures it.
pub fn measure(store: &Store, since: Timestamp, now: Timestamp) -> Result<Metrics, EngineError> {
    let defs: HashMap<String, Definition> = store
        .definitions()?
        .into_iter()
        .map(|d| (d.name.clone(), d))
        .collect();
    let mut m = Measure::new(since, now, &defs);
    m.census(&store.census()?);
    store.metric_window(
        MetricKey::before(since.timestamp_millis()),
        now.timestamp_millis(),
        &mut m,
    )?;
    // Work that crossed into the window: when it entered its phase, when its handoff was made.
    for (wf, exits) in std::mem::take(&mut m.unknown_entries) {
        let Some(id) = store.metric_workflow(wf)? else {
            continue;
        };
        let first_exit = exits.iter().map(|x| x.seq).min();
        let entered = store.events(&EventQuery {
            workflow: Some(id),
            before_seq: first_exit,
            types: entering_types(),
            newest: true,
            limit: 1,
            ..EventQuery::default()
        })?;
        if let Some(e) = entered.first() {
            let e = MetricEvent::of(e, wf, &mut m.names);
            m.entered_before(wf, &e, &exits);
        }
    }
    for ack in std::mem::take(&mut m.unknown_handoffs) {
        if let Ok(h) = store.handoff(m.names.text(ack.handoff))
            && let Some(made) = crate::model::time::parse(&h.created_at)
        {
            m.acked(
                ack.phase,
                ack.role,
                (ack.at_ms - made.timestamp_millis()) / 1000,
            );
        }
    }
    Ok(m.finish())
}

/// Every stored type that puts a workflow into a phase.
fn entering_types() -> Vec<String> {
    [
        EventType::Started,
        EventType::Advanced,
        EventType::Retried,
        EventType::RolledBack,
    ]
    .iter()
    .flat_map(|t| t.spellings().iter().map(|s| s.to_string()))
    .collect()
}

/// The role with the most work on its hands (in flight plus waiting for it), ties broken by
/// the longer p95 time in phase; none when no role holds any.
fn bottleneck(rows: &[PhaseRow]) -> Option<Bottleneck> {
    let mut by_role: BTreeMap<&str, Bottleneck> = BTreeMap::new();
    for r in rows {
        let b = by_role.entry(&r.role).or_insert_with(|| Bottleneck {
            role: r.role.clone(),
            in_flight: 0,
            waiting_ack: 0,
            p95_in_phase_secs: None,
        });
        b.in_flight += r.in_flight;
        b.waiting_ack += r.waiting_ack;
        b.p95_in_phase_secs = b.p95_in_phase_secs.max(r.time_in_phase.p95);
    }
    by_role
        .into_values()
        .filter(|b| b.in_flight > 0)
        .max_by_key(|b| (b.in_flight, b.p95_in_phase_secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(Spread::of(vec![]), Spread::default());
        let s = Spread::of((1..=100).rev().collect());
        assert_eq!((s.n, s.p50, s.p95), (100, Some(50), Some(95)));
        let s = Spread::of(vec![7]);
        assert_eq!((s.p50, s.p95), (Some(7), Some(7)));
        let s = Spread::of(vec![10, 20, 30]);
        assert_eq!((s.p50, s.p95), (Some(20), Some(30)));
    }
}
