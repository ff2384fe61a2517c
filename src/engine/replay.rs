//! Time travel: a workflow rebuilt as it was right after each of its events, from the
//! trail it left (events oldest first, handoffs, checkpoints) and its definition. Pure: the
//! caller reads the rows, this module only reasons about them.
//!
//! What each event means is what `rules.rs` writes: every event's data carries the new
//! `version`; transitions name their handoff (`handoff_id`), their phases (`from`/`to`, or
//! `phase` for a retry) and write a checkpoint holding the full `phase_outputs`; a retry
//! records its `attempt`, a failure its `error`, a completion its `output`. Other programs
//! (docs/OUTSIDE_WRITERS.md) may leave less — the seeds write `state_advanced` with
//! `from_state`/`to_state`, no checkpoints and no versions. Where the trail does not say
//! what a field was, it is [`Known::Unknown`] with the reason, never a guess. Two
//! deductions are sound and used: a field no later event could have changed is what the
//! workflow row holds now (every change writes an event, by the contract), and the phase
//! before the first transition is the phase that transition left.

use crate::model::{Checkpoint, Definition, Event, EventType, Handoff, Status, Workflow};
use serde_json::Value;

/// A field's value then, or why the trail cannot tell.
#[derive(Debug, Clone, PartialEq)]
pub enum Known<T> {
    Known(T),
    Unknown(String),
}

impl<T> Known<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Known::Known(v) => Some(v),
            Known::Unknown(_) => None,
        }
    }

    pub fn why(&self) -> Option<&str> {
        match self {
            Known::Known(_) => None,
            Known::Unknown(w) => Some(w),
        }
    }
}

fn unknown<T>(why: &str) -> Known<T> {
    Known::Unknown(why.to_string())
}

fn from_opt<T>(v: Option<T>, why: &str) -> Known<T> {
    v.map_or_else(|| unknown(why), Known::Known)
}

/// The workflow's changing fields right after one event.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub phase: Known<String>,
    pub role: Known<String>,
    pub status: Known<Status>,
    pub version: Known<i64>,
    pub retry_count: Known<i64>,
    pub phase_outputs: Known<Value>,
    pub last_error: Known<Option<String>>,
}

impl State {
    /// The fields that are unknown, with why (in display order).
    pub fn unknowns(&self) -> Vec<(&'static str, &str)> {
        [
            ("phase", self.phase.why()),
            ("role", self.role.why()),
            ("status", self.status.why()),
            ("version", self.version.why()),
            ("retry_count", self.retry_count.why()),
            ("phase_outputs", self.phase_outputs.why()),
            ("last_error", self.last_error.why()),
        ]
        .into_iter()
        .filter_map(|(k, w)| w.map(|w| (k, w)))
        .collect()
    }
}

/// What a replay reads: one workflow's rows, as the store returns them.
#[derive(Debug, Clone, Copy)]
pub struct Trail<'a> {
    /// The row as it is now (identity, and the present for fields no later event changes).
    pub workflow: &'a Workflow,
    pub definition: Option<&'a Definition>,
    /// All of the workflow's events, oldest first.
    pub events: &'a [Event],
    pub handoffs: &'a [Handoff],
    pub checkpoints: &'a [Checkpoint],
}

/// The workflow as it was right after event `seq`.
#[derive(Debug, Clone, PartialEq)]
pub struct AsOf {
    pub seq: i64,
    /// The event's time.
    pub at: String,
    pub state: State,
    /// The handoffs that existed then, oldest first, each as it was then: one acknowledged
    /// only later shows no acknowledgement.
    pub handoffs: Vec<Handoff>,
    /// The events up to and including `seq`, oldest first.
    pub events: Vec<Event>,
}

/// The whole trail replayed: the state after each event, in event order.
#[derive(Debug, Clone)]
pub struct Replay<'a> {
    trail: Trail<'a>,
    links: Vec<Links>,
    states: Vec<State>,
}

/// The handoff and checkpoint an event wrote (indices into the trail).
#[derive(Debug, Clone, Copy, Default)]
struct Links {
    handoff: Option<usize>,
    checkpoint: Option<usize>,
}

impl<'a> Replay<'a> {
    pub fn new(trail: Trail<'a>) -> Replay<'a> {
        let links = link(&trail);
        let mut states: Vec<State> = Vec::with_capacity(trail.events.len());
        for (i, e) in trail.events.iter().enumerate() {
            let s = step(states.last(), e, &trail, links[i]);
            states.push(s);
        }
        fill_from_row(&trail, &mut states);
        fill_first_phase(&trail, &links, &mut states);
        Replay {
            trail,
            links,
            states,
        }
    }

    pub fn events(&self) -> &'a [Event] {
        self.trail.events
    }

    /// The index of event `seq` in the trail, if it is one of this workflow's.
    pub fn index_of(&self, seq: i64) -> Option<usize> {
        self.trail.events.binary_search_by_key(&seq, |e| e.seq).ok()
    }

    /// The state right after the event at `index`.
    pub fn state(&self, index: usize) -> &State {
        &self.states[index]
    }

    /// The workflow right after event `seq`; `None` when `seq` is not one of its events.
    pub fn at(&self, seq: i64) -> Option<AsOf> {
        let i = self.index_of(seq)?;
        let e = &self.trail.events[i];
        Some(AsOf {
            seq,
            at: e.created_at.clone(),
            state: self.states[i].clone(),
            handoffs: self.handoffs_at(i),
            events: self.trail.events[..=i].to_vec(),
        })
    }

    fn handoffs_at(&self, i: usize) -> Vec<Handoff> {
        let events = self.trail.events;
        let then = &events[i].created_at;
        let linked_at: Vec<Option<usize>> = (0..self.trail.handoffs.len())
            .map(|h| self.links.iter().position(|l| l.handoff == Some(h)))
            .collect();
        let mut out = Vec::new();
        for (h, handoff) in self.trail.handoffs.iter().enumerate() {
            let existed = match linked_at[h] {
                Some(j) => j <= i,
                None => handoff.created_at <= *then,
            };
            if !existed {
                continue;
            }
            let ack_event = events.iter().position(|e| {
                EventType::parse(&e.event_type) == Some(EventType::Acknowledged)
                    && str_at(&e.event_data, "handoff_id") == Some(handoff.id.as_str())
            });
            let acked = match (ack_event, &handoff.acknowledged_at) {
                (Some(j), _) => j <= i,
                (None, Some(t)) => acked_with(events, t).is_some_and(|j| j <= i),
                (None, None) => false,
            };
            let mut h = handoff.clone();
            if !acked {
                h.acknowledged_at = None;
                h.acknowledged_by = None;
            }
            out.push(h);
        }
        out
    }
}

/// The event an acknowledgement that no event records went with, by its time `t`: the
/// first event after it, or, when events share its very instant (a writer that acknowledges
/// in the transaction of the next transition, within one millisecond of the one before),
/// the last of those.
fn acked_with(events: &[Event], t: &str) -> Option<usize> {
    events
        .iter()
        .rposition(|e| e.created_at == t)
        .or_else(|| events.iter().position(|e| e.created_at.as_str() > t))
}

fn str_at<'v>(data: &'v Value, key: &str) -> Option<&'v str> {
    data.get(key).and_then(Value::as_str)
}

fn int_at(data: &Value, key: &str) -> Option<i64> {
    data.get(key).and_then(Value::as_i64)
}

/// Each event's handoff and checkpoint: by the `handoff_id` and `version` baton records,
/// else (other writers) the unclaimed row written at the same moment, for the same phase.
fn link(t: &Trail<'_>) -> Vec<Links> {
    let mut used_h = vec![false; t.handoffs.len()];
    let mut used_c = vec![false; t.checkpoints.len()];
    let mut out = Vec::with_capacity(t.events.len());
    for e in t.events {
        let ty = EventType::parse(&e.event_type);
        let mut l = Links::default();
        let d = &e.event_data;
        if ty.is_some_and(EventType::is_transition) {
            let to = str_at(d, "to").or_else(|| str_at(d, "to_state"));
            l.handoff = match str_at(d, "handoff_id") {
                Some(id) => t.handoffs.iter().position(|h| h.id == id),
                None => (0..t.handoffs.len()).find(|&h| {
                    let h_ = &t.handoffs[h];
                    !used_h[h]
                        && h_.created_at == e.created_at
                        && to.is_none_or(|s| s == h_.to_state)
                }),
            };
        }
        if ty.is_some_and(|ty| ty.is_transition() || ty == EventType::Started) {
            let entered = str_at(d, "to")
                .or_else(|| str_at(d, "to_state"))
                .or_else(|| str_at(d, "phase"))
                .or_else(|| l.handoff.map(|h| t.handoffs[h].to_state.as_str()));
            let fits = |c: &Checkpoint| entered.is_none_or(|s| s == c.state);
            l.checkpoint = match int_at(d, "version") {
                Some(v) => (0..t.checkpoints.len()).find(|&c| {
                    !used_c[c] && t.checkpoints[c].version == v && fits(&t.checkpoints[c])
                }),
                None => (0..t.checkpoints.len()).find(|&c| {
                    !used_c[c]
                        && t.checkpoints[c].created_at == e.created_at
                        && fits(&t.checkpoints[c])
                }),
            };
        }
        if let Some(h) = l.handoff {
            used_h[h] = true;
        }
        if let Some(c) = l.checkpoint {
            used_c[c] = true;
        }
        out.push(l);
    }
    out
}

const NO_HISTORY: &str = "the events before this one are not in the database";

fn step(prev: Option<&State>, e: &Event, t: &Trail<'_>, l: Links) -> State {
    let d = &e.event_data;
    let ty = EventType::parse(&e.event_type);
    let h = l.handoff.map(|i| &t.handoffs[i]);
    let cp = l.checkpoint.map(|i| &t.checkpoints[i]);
    let mut s = match prev {
        Some(p) => p.clone(),
        None => State {
            phase: unknown(NO_HISTORY),
            role: unknown(NO_HISTORY),
            status: unknown(NO_HISTORY),
            version: unknown(NO_HISTORY),
            retry_count: unknown(NO_HISTORY),
            phase_outputs: unknown(NO_HISTORY),
            last_error: unknown(NO_HISTORY),
        },
    };
    let Some(ty) = ty else {
        // A type of another writer's own: shown, but it changes nothing baton counts.
        return s;
    };
    // Every versioned change bumps the version once; baton records the new one.
    s.version = match (int_at(d, "version"), cp) {
        (Some(v), _) => Known::Known(v),
        (None, Some(c)) => Known::Known(c.version),
        (None, None) => unknown(
            "the event does not record the version, and other writers do not always bump it",
        ),
    };
    let role_of = |phase: &Known<String>| -> Option<String> {
        let def = t.definition?;
        Some(def.phase(phase.known()?)?.role.clone())
    };
    match ty {
        EventType::Started => {
            s.phase = from_opt(
                str_at(d, "phase")
                    .map(str::to_string)
                    .or_else(|| cp.map(|c| c.state.clone())),
                "the start event names no phase",
            );
            s.role = from_opt(
                str_at(d, "role")
                    .map(str::to_string)
                    .or_else(|| role_of(&s.phase)),
                "the start event names no role",
            );
            s.status = Known::Known(Status::Running);
            s.retry_count = Known::Known(0);
            s.last_error = Known::Known(None);
            s.phase_outputs = from_opt(
                cp.map(|c| c.phase_outputs.clone()),
                "no checkpoint records the outputs it started with",
            );
        }
        EventType::Advanced | EventType::RolledBack => {
            let to = str_at(d, "to")
                .or_else(|| str_at(d, "to_state"))
                .map(str::to_string)
                .or_else(|| h.map(|h| h.to_state.clone()))
                .or_else(|| cp.map(|c| c.state.clone()));
            s.phase = from_opt(to, "the transition names no phase it entered");
            s.role = from_opt(
                str_at(d, "to_role")
                    .map(str::to_string)
                    .or_else(|| h.map(|h| h.to_role.clone()))
                    .or_else(|| role_of(&s.phase)),
                "the transition names no role it entered",
            );
            s.status = Known::Known(Status::Running);
            s.retry_count = Known::Known(cp.map_or(0, |c| c.retry_count));
            if ty == EventType::RolledBack {
                s.last_error = Known::Known(None);
            }
            s.phase_outputs = from_opt(
                cp.map(|c| c.phase_outputs.clone()),
                "no checkpoint records the outputs after this transition",
            );
        }
        EventType::Retried => {
            if let Some(p) = str_at(d, "phase").or_else(|| h.map(|h| h.to_state.as_str())) {
                s.phase = Known::Known(p.to_string());
            }
            if let Some(r) = str_at(d, "role").or_else(|| h.map(|h| h.to_role.as_str())) {
                s.role = Known::Known(r.to_string());
            }
            s.status = Known::Known(Status::Running);
            s.last_error = Known::Known(None);
            let attempt = int_at(d, "attempt").or_else(|| cp.map(|c| c.retry_count));
            s.retry_count = match (attempt, s.retry_count.known()) {
                (Some(a), _) => Known::Known(a),
                (None, Some(n)) => Known::Known(n + 1),
                (None, None) => unknown("the retry does not record its attempt"),
            };
            if let Some(c) = cp {
                s.phase_outputs = Known::Known(c.phase_outputs.clone());
            }
        }
        EventType::Completed => {
            s.status = Known::Known(Status::Completed);
            s.phase_outputs = match (d.get("output"), s.phase_outputs.known(), s.phase.known()) {
                (Some(Value::Null), _, _) => s.phase_outputs.clone(),
                (Some(out), Some(Value::Object(m)), Some(phase)) => {
                    let mut m = m.clone();
                    m.insert(phase.clone(), out.clone());
                    Known::Known(Value::Object(m))
                }
                (None, _, _) => unknown("the completion does not record the last phase's output"),
                _ => unknown("the outputs before the completion are not known"),
            };
        }
        EventType::Failed => {
            s.status = Known::Known(Status::Failed);
            s.last_error = from_opt(
                str_at(d, "error").map(|e| Some(e.to_string())),
                "the failure does not record its error",
            );
        }
        EventType::Paused => s.status = Known::Known(Status::Paused),
        EventType::Resumed => s.status = Known::Known(Status::Running),
        EventType::Cancelled => s.status = Known::Known(Status::Cancelled),
        EventType::Acknowledged => {}
    }
    s
}

/// Which event types may change each field (for [`fill_from_row`]).
fn changes(ty: Option<EventType>, field: &str) -> bool {
    use EventType::*;
    let Some(ty) = ty else { return false };
    match field {
        "phase" | "role" | "retry_count" => matches!(ty, Started | Advanced | Retried | RolledBack),
        "status" => !matches!(ty, Acknowledged),
        "version" => true,
        "phase_outputs" => matches!(ty, Started | Advanced | Retried | RolledBack | Completed),
        "last_error" => matches!(ty, Started | Retried | RolledBack | Failed),
        _ => false,
    }
}

/// A field unknown after the last event that could change it is what the row holds now.
fn fill_from_row(t: &Trail<'_>, states: &mut [State]) {
    let w = t.workflow;
    let last = |field: &str| {
        t.events
            .iter()
            .rposition(|e| changes(EventType::parse(&e.event_type), field))
    };
    macro_rules! fill {
        ($field:ident, $value:expr) => {
            if let Some(k) = last(stringify!($field)) {
                for s in &mut states[k..] {
                    if let Known::Unknown(_) = s.$field {
                        s.$field = Known::Known($value);
                    }
                }
            }
        };
    }
    fill!(phase, w.current_state.as_str().into());
    fill!(role, w.current_role.as_str().into());
    fill!(status, w.status);
    fill!(version, w.version);
    fill!(retry_count, w.retry_count);
    fill!(phase_outputs, w.phase_outputs.clone());
    fill!(last_error, w.last_error.clone());
}

/// Before the first transition the phase is the one that transition left.
fn fill_first_phase(t: &Trail<'_>, links: &[Links], states: &mut [State]) {
    let Some(first) = t
        .events
        .iter()
        .position(|e| EventType::parse(&e.event_type).is_some_and(EventType::is_transition))
    else {
        return;
    };
    let d = &t.events[first].event_data;
    let h = links[first].handoff.map(|i| &t.handoffs[i]);
    let from = str_at(d, "from")
        .or_else(|| str_at(d, "from_state"))
        .or_else(|| str_at(d, "phase"))
        .map(str::to_string)
        .or_else(|| h.and_then(|h| h.from_state.clone()));
    let from_role = str_at(d, "from_role")
        .or_else(|| str_at(d, "role"))
        .map(str::to_string)
        .or_else(|| h.and_then(|h| h.from_role.clone()));
    for s in &mut states[..first] {
        if let (Known::Unknown(_), Some(f)) = (&s.phase, &from) {
            s.phase = Known::Known(f.clone());
        }
        if let (Known::Unknown(_), Some(r)) = (&s.role, &from_role) {
            s.role = Known::Known(r.clone());
        }
    }
}
