//! Fleet metrics over a window (`baton metrics --since 1h`): per phase and role, what is in
//! flight and waiting for acknowledgement now, and what entered, left, retried, rolled back
//! and failed in the window, with the time spent in the phase and the acknowledgement
//! latency (median and p95); completions over time; the role holding the most work named as
//! the bottleneck. The cost follows the window, not history: the window's events are found
//! by a binary search of `seq` and read in order. baton's own leaving and acknowledging
//! events state how long the phase or the wait lasted (`in_phase_secs`, `waited_secs`);
//! only work that another writer moved across the window's start is looked up, one
//! workflow or handoff at a time.

use super::error::EngineError;
use crate::model::time::{self, Timestamp};
use crate::model::{Definition, EventType};
use crate::store::{Census, EventQuery, MetricEvent, Store};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// At most this many buckets of completions, whatever the window.
pub const BUCKETS: i64 = 60;
const BATCH: usize = 5_000;

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

/// Where a workflow's current attempt at a phase began.
#[derive(Clone)]
struct Entry {
    phase: String,
    role: String,
    at: Timestamp,
}

/// Reads the window `[since, now]` and measures it.
pub fn measure(store: &Store, since: Timestamp, now: Timestamp) -> Result<Metrics, EngineError> {
    let start = store.seq_before(since)?;
    let mut events: Vec<(Timestamp, MetricEvent)> = Vec::new();
    let mut after = start;
    loop {
        let batch = store.metric_events(after, BATCH)?;
        let full = batch.len() >= BATCH;
        after = batch.last().map_or(after, |e| e.seq);
        events.extend(batch.into_iter().filter_map(|e| {
            let at = time::parse(&e.created_at)?;
            (at >= since && at <= now).then_some((at, e))
        }));
        if !full {
            break;
        }
    }
    let defs: HashMap<String, Definition> = store
        .definitions()?
        .into_iter()
        .map(|d| (d.name.clone(), d))
        .collect();
    let census = store.census()?;
    let mut m = Measure::new(since, now, &defs);
    m.census(&census);
    m.scan(&events);
    // Work that crossed into the window: when it entered its phase, when its handoff was made.
    for (wf, exits) in std::mem::take(&mut m.unknown_entries) {
        let entered = store.events(&EventQuery {
            workflow: Some(wf.clone()),
            before_seq: Some(start + 1),
            types: entering_types(),
            newest: true,
            limit: 1,
            ..EventQuery::default()
        })?;
        let entered = entered.first().map(MetricEvent::of);
        if let Some(entry) = entered.and_then(|e| {
            let at = time::parse(&e.created_at)?;
            entry_of(&e, at, &m.role_of(&wf, &e))
        }) {
            for (phase, at) in exits {
                if entry.phase == phase {
                    m.spent(&entry.phase, &entry.role, (at - entry.at).num_seconds());
                }
            }
        }
    }
    for (handoff, (at, phase, role)) in std::mem::take(&mut m.unknown_handoffs) {
        if let Ok(h) = store.handoff(&handoff)
            && let Some(made) = time::parse(&h.created_at)
        {
            m.acked(&phase, &role, (at - made).num_seconds());
        }
    }
    m.events = events.len();
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

/// The phase an entering event (made at `at`) put its workflow in.
fn entry_of(e: &MetricEvent, at: Timestamp, fallback_role: &str) -> Option<Entry> {
    let (phase, role) = match EventType::parse(&e.event_type)? {
        EventType::Started | EventType::Retried => (e.phase.clone()?, e.role.clone()),
        EventType::Advanced | EventType::RolledBack => (e.to.clone()?, e.to_role.clone()),
        _ => return None,
    };
    Some(Entry {
        phase,
        role: role.unwrap_or_else(|| fallback_role.to_string()),
        at,
    })
}

/// The running tally over the window's events.
struct Measure<'a> {
    since: Timestamp,
    now: Timestamp,
    defs: &'a HashMap<String, Definition>,
    rows: BTreeMap<(String, String), PhaseRow>,
    spent: HashMap<(String, String), Vec<i64>>,
    acks: HashMap<(String, String), Vec<i64>>,
    entries: HashMap<String, Entry>,
    /// Handoffs made in the window: when, into which phase and role.
    handoffs: HashMap<String, Timestamp>,
    /// Workflows that left a phase they entered before the window: (phase, when left).
    unknown_entries: HashMap<String, Vec<(String, Timestamp)>>,
    /// Acknowledgements of handoffs made before the window: (when, phase, role).
    unknown_handoffs: Vec<(String, (Timestamp, String, String))>,
    /// The role of each phase, from the definitions.
    phase_roles: HashMap<String, String>,
    completions: Vec<Timestamp>,
    events: usize,
}

impl<'a> Measure<'a> {
    fn new(since: Timestamp, now: Timestamp, defs: &'a HashMap<String, Definition>) -> Measure<'a> {
        let phase_roles = defs
            .values()
            .flat_map(|d| d.phases.iter().map(|p| (p.name.clone(), p.role.clone())))
            .collect();
        Measure {
            since,
            now,
            defs,
            rows: BTreeMap::new(),
            spent: HashMap::new(),
            acks: HashMap::new(),
            entries: HashMap::new(),
            handoffs: HashMap::new(),
            unknown_entries: HashMap::new(),
            unknown_handoffs: Vec::new(),
            phase_roles,
            completions: Vec::new(),
            events: 0,
        }
    }

    fn row(&mut self, phase: &str, role: &str) -> &mut PhaseRow {
        self.rows
            .entry((phase.to_string(), role.to_string()))
            .or_insert_with(|| PhaseRow {
                phase: phase.to_string(),
                role: role.to_string(),
                ..PhaseRow::default()
            })
    }

    /// The role owning the phase `wf` is in, as far as this window knows it.
    fn role_of(&self, wf: &str, e: &MetricEvent) -> String {
        if let Some(en) = self.entries.get(wf) {
            return en.role.clone();
        }
        let phase = e.from.as_deref().or(e.phase.as_deref()).unwrap_or_default();
        self.phase_roles.get(phase).cloned().unwrap_or_default()
    }

    fn census(&mut self, c: &Census) {
        for r in &c.live {
            if r.status == "running" || r.status == "paused" {
                self.row(&r.phase, &r.role).in_flight += r.count;
            }
        }
        let now = self.now;
        for p in &c.pending {
            let waited = p
                .oldest
                .as_deref()
                .and_then(time::parse)
                .map(|t| (now - t).num_seconds());
            let row = self.row(&p.phase, &p.role);
            row.waiting_ack += p.count;
            row.oldest_wait_secs = row.oldest_wait_secs.max(waited);
        }
    }

    fn spent(&mut self, phase: &str, role: &str, secs: i64) {
        self.spent
            .entry((phase.to_string(), role.to_string()))
            .or_default()
            .push(secs.max(0));
    }

    fn acked(&mut self, phase: &str, role: &str, secs: i64) {
        self.acks
            .entry((phase.to_string(), role.to_string()))
            .or_default()
            .push(secs.max(0));
    }

    /// The workflow left `phase` at `at`: the attempt's time is counted from its entry, as
    /// the leaving event states it (`in_phase_secs`, written by baton) or from the entry.
    fn leave(&mut self, wf: &str, phase: &str, role: &str, at: Timestamp, stated: Option<i64>) {
        self.row(phase, role).left += 1;
        match (self.entries.remove(wf), stated) {
            (_, Some(secs)) => self.spent(phase, role, secs),
            (Some(en), None) if en.phase == phase => {
                self.spent(phase, role, (at - en.at).num_seconds())
            }
            (Some(_), None) => {}
            (None, None) => self
                .unknown_entries
                .entry(wf.to_string())
                .or_default()
                .push((phase.to_string(), at)),
        }
    }

    fn enter(&mut self, wf: &str, en: Entry) {
        self.row(&en.phase, &en.role).entered += 1;
        self.entries.insert(wf.to_string(), en);
    }

    fn scan(&mut self, events: &[(Timestamp, MetricEvent)]) {
        for (at, e) in events {
            let at = *at;
            let Some(kind) = EventType::parse(&e.event_type) else {
                continue;
            };
            let wf = e.workflow_id.as_str();
            let role = self.role_of(wf, e);
            let in_phase = e.in_phase_secs;
            if let Some(h) = &e.handoff_id
                && kind.is_transition()
            {
                self.handoffs.insert(h.clone(), at);
            }
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            match kind {
                EventType::Started => {
                    if let Some(en) = entry_of(e, at, &role) {
                        self.enter(wf, en);
                    }
                }
                EventType::Advanced | EventType::RolledBack => {
                    let from = text(&e.from);
                    let from_role = e.from_role.clone().unwrap_or(role.clone());
                    if kind == EventType::RolledBack {
                        self.row(&from, &from_role).rollbacks += 1;
                    }
                    self.leave(wf, &from, &from_role, at, in_phase);
                    if let Some(en) = entry_of(e, at, &role) {
                        self.enter(wf, en);
                    }
                }
                EventType::Retried => {
                    let phase = text(&e.phase);
                    self.row(&phase, &role).retries += 1;
                    self.leave(wf, &phase, &role, at, in_phase);
                    if let Some(en) = entry_of(e, at, &role) {
                        self.enter(wf, en);
                    }
                }
                EventType::Completed => {
                    let from = text(&e.from);
                    self.leave(wf, &from, &role, at, in_phase);
                    self.completions.push(at);
                }
                EventType::Cancelled => {
                    let phase = text(&e.phase);
                    self.leave(wf, &phase, &role, at, in_phase);
                }
                EventType::Failed => {
                    let phase = text(&e.phase);
                    self.row(&phase, &role).failures += 1;
                }
                EventType::Acknowledged => {
                    let phase = text(&e.phase);
                    let to = e.role.clone().unwrap_or(role.clone());
                    let waited = e.waited_secs;
                    if let Some(h) = e.handoff_id.clone() {
                        match (self.handoffs.get(&h), waited) {
                            (_, Some(secs)) => self.acked(&phase, &to, secs),
                            (Some(made), None) => {
                                let secs = (at - *made).num_seconds();
                                self.acked(&phase, &to, secs);
                            }
                            (None, None) => self.unknown_handoffs.push((h, (at, phase, to))),
                        }
                    }
                }
                EventType::Paused | EventType::Resumed => {}
            }
        }
    }

    fn finish(mut self) -> Metrics {
        for (key, secs) in std::mem::take(&mut self.spent) {
            self.row(&key.0, &key.1).time_in_phase = Spread::of(secs);
        }
        for (key, secs) in std::mem::take(&mut self.acks) {
            self.row(&key.0, &key.1).ack_latency = Spread::of(secs);
        }
        let span = (self.now - self.since).num_seconds().max(1);
        let bucket_secs = ((span + BUCKETS - 1) / BUCKETS).max(60);
        let n = ((span + bucket_secs - 1) / bucket_secs).max(1) as usize;
        let mut completions = vec![0u64; n];
        for at in &self.completions {
            let i = ((*at - self.since).num_seconds() / bucket_secs).clamp(0, n as i64 - 1);
            completions[i as usize] += 1;
        }
        // Rows in phase order: that of the longest definition holding the phase (then by
        // name, so the order never depends on a map's), then any other phase.
        let mut defs: Vec<&Definition> = self.defs.values().collect();
        defs.sort_by(|a, b| {
            b.phases
                .len()
                .cmp(&a.phases.len())
                .then(a.name.cmp(&b.name))
        });
        let order = |phase: &str| {
            defs.iter()
                .find_map(|d| d.phase_index(phase))
                .unwrap_or(usize::MAX)
        };
        let mut rows: Vec<PhaseRow> = std::mem::take(&mut self.rows).into_values().collect();
        rows.sort_by(|a, b| {
            (order(&a.phase), &a.phase, &a.role).cmp(&(order(&b.phase), &b.phase, &b.role))
        });
        let bottleneck = bottleneck(&rows);
        Metrics {
            since: time::format(self.since),
            until: time::format(self.now),
            completed: self.completions.len() as u64,
            rows,
            bucket_secs,
            completions,
            bottleneck,
            events: self.events,
        }
    }
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
