//! The running tally over a window's events, in time order. Phases, roles and handoffs
//! are [`Names`] ids and workflows the metrics table's numbers while the events stream past
//! (a busy hour is 100,000 events over a handful of names); names become text once, in
//! [`Measure::finish`].

use super::{BUCKETS, Metrics, PhaseRow, Spread, bottleneck};
use crate::model::time::{self, Timestamp};
use crate::model::{Definition, EventType};
use crate::store::{Census, MetricEvent, MetricSink, Name, Names, WorkflowKey};
use foldhash::{HashMap, HashMapExt};
use std::collections::HashMap as StdHashMap;

/// Where a workflow's current attempt at a phase began.
#[derive(Clone, Copy)]
pub(super) struct Entry {
    phase: Name,
    role: Name,
    at_ms: i64,
}

/// A workflow leaving a phase whose entry the window does not hold.
pub(super) struct Exit {
    phase: Name,
    at_ms: i64,
    /// The leaving event's: its entry is the newest entering event before it.
    pub(super) seq: i64,
}

/// An acknowledgement, stating no wait, of a handoff the window did not see made.
pub(super) struct LateAck {
    pub(super) handoff: Name,
    pub(super) at_ms: i64,
    pub(super) phase: Name,
    pub(super) role: Name,
}

/// One phase and role's counts, with the durations behind its spreads.
#[derive(Default)]
struct Tally {
    row: PhaseRow,
    spent: Vec<i64>,
    acks: Vec<i64>,
}

pub(super) struct Measure<'a> {
    pub(super) names: Names,
    since: Timestamp,
    now: Timestamp,
    defs: &'a StdHashMap<String, Definition>,
    /// "": what a missing phase or role counts as.
    blank: Name,
    /// Each type name's meaning, by name id (filled as names appear).
    kinds: Vec<Option<Option<EventType>>>,
    tallies: HashMap<(Name, Name), Tally>,
    /// The phase each workflow entered in the window, by workflow.
    entries: HashMap<WorkflowKey, Entry>,
    /// Handoffs made in the window: when.
    handoffs: HashMap<Name, i64>,
    /// Workflows that left a phase they entered before the window.
    pub(super) unknown_entries: HashMap<WorkflowKey, Vec<Exit>>,
    pub(super) unknown_handoffs: Vec<LateAck>,
    /// The role of each phase, from the definitions.
    phase_roles: HashMap<Name, Name>,
    completions: Vec<i64>,
    events: usize,
}

impl<'a> Measure<'a> {
    pub(super) fn new(
        since: Timestamp,
        now: Timestamp,
        defs: &'a StdHashMap<String, Definition>,
    ) -> Measure<'a> {
        let mut names = Names::default();
        let blank = names.id("");
        let phase_roles = defs
            .values()
            .flat_map(|d| &d.phases)
            .map(|p| (names.id(&p.name), names.id(&p.role)))
            .collect();
        Measure {
            names,
            since,
            now,
            defs,
            blank,
            kinds: Vec::new(),
            tallies: HashMap::new(),
            entries: HashMap::new(),
            handoffs: HashMap::new(),
            unknown_entries: HashMap::new(),
            unknown_handoffs: Vec::new(),
            phase_roles,
            completions: Vec::new(),
            events: 0,
        }
    }

    fn tally(&mut self, phase: Name, role: Name) -> &mut Tally {
        self.tallies.entry((phase, role)).or_default()
    }

    fn kind(&mut self, type_name: Name) -> Option<EventType> {
        let i = type_name as usize;
        if self.kinds.len() <= i {
            self.kinds.resize(i + 1, None);
        }
        *self.kinds[i].get_or_insert_with(|| EventType::parse(self.names.text(type_name)))
    }

    /// The role owning the phase `wf` is in, as far as this window knows it.
    fn role_of(&self, wf: WorkflowKey, e: &MetricEvent) -> Name {
        if let Some(en) = self.entries.get(&wf) {
            return en.role;
        }
        let phase = e.from.or(e.phase).unwrap_or(self.blank);
        self.phase_roles.get(&phase).copied().unwrap_or(self.blank)
    }

    pub(super) fn census(&mut self, c: &Census) {
        for r in &c.live {
            if r.status == "running" || r.status == "paused" {
                let (phase, role) = (self.names.id(&r.phase), self.names.id(&r.role));
                self.tally(phase, role).row.in_flight += r.count;
            }
        }
        let now = self.now;
        for p in &c.pending {
            let waited = p
                .oldest
                .as_deref()
                .and_then(time::parse)
                .map(|t| (now - t).num_seconds());
            let (phase, role) = (self.names.id(&p.phase), self.names.id(&p.role));
            let row = &mut self.tally(phase, role).row;
            row.waiting_ack += p.count;
            row.oldest_wait_secs = row.oldest_wait_secs.max(waited);
        }
    }

    fn spent(&mut self, phase: Name, role: Name, secs: i64) {
        self.tally(phase, role).spent.push(secs.max(0));
    }

    pub(super) fn acked(&mut self, phase: Name, role: Name, secs: i64) {
        self.tally(phase, role).acks.push(secs.max(0));
    }

    /// The workflow left `phase` at `at_ms`: the attempt's time is counted from its entry,
    /// as the leaving event states it (`in_phase_secs`, written by baton) or from the entry.
    fn leave(&mut self, e: &MetricEvent, phase: Name, role: Name) {
        self.tally(phase, role).row.left += 1;
        match (self.entries.remove(&e.workflow), e.in_phase_secs) {
            (_, Some(secs)) => self.spent(phase, role, secs),
            (Some(en), None) if en.phase == phase => {
                self.spent(phase, role, (e.at_ms - en.at_ms) / 1000)
            }
            (Some(_), None) => {}
            (None, None) => self
                .unknown_entries
                .entry(e.workflow)
                .or_default()
                .push(Exit {
                    phase,
                    at_ms: e.at_ms,
                    seq: e.seq,
                }),
        }
    }

    fn enter(&mut self, wf: WorkflowKey, en: Entry) {
        self.tally(en.phase, en.role).row.entered += 1;
        self.entries.insert(wf, en);
    }

    /// The phase an entering event put its workflow in.
    fn entry_of(&mut self, e: &MetricEvent, fallback_role: Name) -> Option<Entry> {
        let (phase, role) = match self.kind(e.event_type)? {
            EventType::Started | EventType::Retried => (e.phase?, e.role),
            EventType::Advanced | EventType::RolledBack => (e.to?, e.to_role),
            _ => return None,
        };
        Some(Entry {
            phase,
            role: role.unwrap_or(fallback_role),
            at_ms: e.at_ms,
        })
    }

    /// `wf` left `exits` having entered its phase before the window, by the event `e`.
    pub(super) fn entered_before(&mut self, wf: WorkflowKey, e: &MetricEvent, exits: &[Exit]) {
        let role = self.role_of(wf, e);
        if let Some(entry) = self.entry_of(e, role) {
            for exit in exits.iter().filter(|x| x.phase == entry.phase) {
                self.spent(entry.phase, entry.role, (exit.at_ms - entry.at_ms) / 1000);
            }
        }
    }

    pub(super) fn scan(&mut self, events: &[MetricEvent]) {
        self.events += events.len();
        for e in events {
            let Some(kind) = self.kind(e.event_type) else {
                continue;
            };
            let wf = e.workflow;
            let role = self.role_of(wf, e);
            if let Some(h) = e.handoff_id
                && kind.is_transition()
            {
                self.handoffs.insert(h, e.at_ms);
            }
            let blank = self.blank;
            match kind {
                EventType::Started => {
                    if let Some(en) = self.entry_of(e, role) {
                        self.enter(wf, en);
                    }
                }
                EventType::Advanced | EventType::RolledBack => {
                    let from = e.from.unwrap_or(blank);
                    let from_role = e.from_role.unwrap_or(role);
                    if kind == EventType::RolledBack {
                        self.tally(from, from_role).row.rollbacks += 1;
                    }
                    self.leave(e, from, from_role);
                    if let Some(en) = self.entry_of(e, role) {
                        self.enter(wf, en);
                    }
                }
                EventType::Retried => {
                    let phase = e.phase.unwrap_or(blank);
                    self.tally(phase, role).row.retries += 1;
                    self.leave(e, phase, role);
                    if let Some(en) = self.entry_of(e, role) {
                        self.enter(wf, en);
                    }
                }
                EventType::Completed => {
                    self.leave(e, e.from.unwrap_or(blank), role);
                    self.completions.push(e.at_ms);
                }
                EventType::Cancelled => self.leave(e, e.phase.unwrap_or(blank), role),
                EventType::Failed => {
                    self.tally(e.phase.unwrap_or(blank), role).row.failures += 1;
                }
                EventType::Acknowledged => {
                    let phase = e.phase.unwrap_or(blank);
                    let to = e.role.unwrap_or(role);
                    match (e.waited_secs, e.handoff_id) {
                        (Some(secs), _) => self.acked(phase, to, secs),
                        (None, Some(h)) => match self.handoffs.get(&h) {
                            Some(&made) => self.acked(phase, to, (e.at_ms - made) / 1000),
                            None => self.unknown_handoffs.push(LateAck {
                                handoff: h,
                                at_ms: e.at_ms,
                                phase,
                                role: to,
                            }),
                        },
                        (None, None) => {}
                    }
                }
                EventType::Paused | EventType::Resumed => {}
            }
        }
    }

    pub(super) fn finish(self) -> Metrics {
        let names = &self.names;
        let mut rows: Vec<PhaseRow> = self
            .tallies
            .into_iter()
            .map(|((phase, role), t)| PhaseRow {
                phase: names.text(phase).to_string(),
                role: names.text(role).to_string(),
                time_in_phase: Spread::of(t.spent),
                ack_latency: Spread::of(t.acks),
                ..t.row
            })
            .collect();
        let span = (self.now - self.since).num_seconds().max(1);
        let bucket_secs = ((span + BUCKETS - 1) / BUCKETS).max(60);
        let n = ((span + bucket_secs - 1) / bucket_secs).max(1) as usize;
        let mut completions = vec![0u64; n];
        let since_ms = self.since.timestamp_millis();
        for at_ms in &self.completions {
            let i = ((at_ms - since_ms) / 1000 / bucket_secs).clamp(0, n as i64 - 1);
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

/// The store hands the window's events straight to the tally.
impl MetricSink for Measure<'_> {
    fn names(&mut self) -> &mut Names {
        &mut self.names
    }

    fn take(&mut self, events: &[MetricEvent]) {
        self.scan(events);
    }
}
