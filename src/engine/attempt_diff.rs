//! Which two states `baton diff` compares, and their phase outputs' differences. Pure: it
//! reads a [`Replay`].
//!
//! An *attempt* of a phase begins with the event that entered it — the start, an advance
//! into it, a retry of it, a rollback to it — and ends with the next event that leaves or
//! re-enters a phase (advance, retry, rollback, completion). By default the diff compares:
//!
//! - **to**: the workflow now (right after its newest event), or right after `--to SEQ`;
//! - **from**: the outputs the previous attempt of the same phase left. If it ended with an
//!   advance or a completion, that is the state right after it (which holds the output the
//!   attempt handed on); if it ended with a retry or a rollback, the state right before it
//!   (what the attempt had when it was abandoned, before a rollback discarded anything).
//!
//! With `--from SEQ` the from side is the state right after that event instead.

use super::replay::{Known, Replay, State};
use crate::model::EventType;
use crate::model::json_diff::{self, PathChange};
use serde::Serialize;
use serde_json::Value;

/// One side of a diff: the state right after event `seq`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub seq: i64,
    pub at: String,
    pub phase: Option<String>,
    pub retry_count: Option<i64>,
}

/// The attempt whose outputs a side shows, by the events that began and ended it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    pub began: i64,
    pub ended: Option<i64>,
}

/// Two states' phase outputs compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputsDiff {
    pub from: Side,
    pub to: Side,
    /// For the default diff: the phase and its previous and current attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<Attempts>,
    pub changes: Vec<PathChange>,
}

impl OutputsDiff {
    /// One line per changed path, the paths padded to one width and each value cut to
    /// `max` characters (not sanitised: callers make database text inert).
    pub fn change_lines(&self, max: usize) -> Vec<String> {
        let width = self
            .changes
            .iter()
            .map(|c| c.path.chars().count())
            .max()
            .unwrap_or(0);
        self.changes.iter().map(|c| c.line(width, max)).collect()
    }

    /// `3 changes: 1 added, 0 removed, 2 changed`.
    pub fn summary(&self) -> String {
        let count = |k| self.changes.iter().filter(|c| c.kind == k).count();
        format!(
            "{} change{}: {} added, {} removed, {} changed",
            self.changes.len(),
            if self.changes.len() == 1 { "" } else { "s" },
            count(json_diff::ChangeKind::Added),
            count(json_diff::ChangeKind::Removed),
            count(json_diff::ChangeKind::Changed)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempts {
    pub phase: String,
    pub previous: Attempt,
    pub current: Attempt,
}

/// Why there is nothing to compare.
#[derive(Debug, Clone, PartialEq)]
pub enum DiffError {
    /// The workflow has no events at all.
    NoEvents,
    /// `seq` is not one of this workflow's events.
    NotAnEvent(i64),
    /// The trail does not tell the outputs (or the phase) at `seq`.
    Unknown {
        seq: i64,
        what: &'static str,
        why: String,
    },
    /// The phase was entered only once: there is no earlier attempt to compare with.
    NoPrevious { phase: String, began: i64, to: i64 },
}

impl std::fmt::Display for DiffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiffError::NoEvents => write!(f, "the workflow has no events"),
            DiffError::NotAnEvent(s) => write!(f, "event #{s} is not an event of this workflow"),
            DiffError::Unknown { seq, what, why } => {
                write!(f, "the {what} as of #{seq} cannot be rebuilt: {why}")
            }
            DiffError::NoPrevious { phase, began, .. } => write!(
                f,
                "no previous attempt of phase {phase}: it was entered once (#{began}) and never retried or re-entered"
            ),
        }
    }
}

/// The outputs right after `from` against right after `to`.
pub fn between(r: &Replay<'_>, from: i64, to: i64) -> Result<OutputsDiff, DiffError> {
    let fi = r.index_of(from).ok_or(DiffError::NotAnEvent(from))?;
    let ti = r.index_of(to).ok_or(DiffError::NotAnEvent(to))?;
    compare(r, fi, ti, None)
}

/// The default diff: the previous attempt of the phase current as of `to` (the newest
/// event when `None`) against that state.
pub fn attempts(r: &Replay<'_>, to: Option<i64>) -> Result<OutputsDiff, DiffError> {
    let events = r.events();
    let ti = match to {
        Some(s) => r.index_of(s).ok_or(DiffError::NotAnEvent(s))?,
        None => events.len().checked_sub(1).ok_or(DiffError::NoEvents)?,
    };
    let phase = known(r.state(ti), ti, r, "phase", |s| &s.phase)?.clone();
    let enters = |i: usize| {
        EventType::parse(&events[i].event_type).is_some_and(|t| {
            matches!(
                t,
                EventType::Started
                    | EventType::Advanced
                    | EventType::Retried
                    | EventType::RolledBack
            )
        }) && r.state(i).phase.known() == Some(&phase)
    };
    let Some(cur) = (0..=ti).rev().find(|&i| enters(i)) else {
        return Err(DiffError::Unknown {
            seq: events[ti].seq,
            what: "current attempt",
            why: format!("no recorded event entered phase {phase}"),
        });
    };
    let Some(prev) = (0..cur).rev().find(|&i| enters(i)) else {
        return Err(DiffError::NoPrevious {
            phase,
            began: events[cur].seq,
            to: events[ti].seq,
        });
    };
    let end = (prev + 1..=cur)
        .find(|&i| {
            EventType::parse(&events[i].event_type)
                .is_some_and(|t| t.is_transition() || t == EventType::Completed)
        })
        .unwrap_or(cur);
    let hands_on = matches!(
        EventType::parse(&events[end].event_type),
        Some(EventType::Advanced | EventType::Completed)
    );
    let fi = if hands_on { end } else { end - 1 };
    let attempts = Attempts {
        phase,
        previous: Attempt {
            began: events[prev].seq,
            ended: Some(events[end].seq),
        },
        current: Attempt {
            began: events[cur].seq,
            ended: None,
        },
    };
    compare(r, fi, ti, Some(attempts))
}

fn known<'s, T>(
    s: &'s State,
    i: usize,
    r: &Replay<'_>,
    what: &'static str,
    f: impl Fn(&'s State) -> &'s Known<T>,
) -> Result<&'s T, DiffError> {
    match f(s) {
        Known::Known(v) => Ok(v),
        Known::Unknown(why) => Err(DiffError::Unknown {
            seq: r.events()[i].seq,
            what,
            why: why.clone(),
        }),
    }
}

fn side(r: &Replay<'_>, i: usize) -> Side {
    let s = r.state(i);
    Side {
        seq: r.events()[i].seq,
        at: r.events()[i].created_at.clone(),
        phase: s.phase.known().cloned(),
        retry_count: s.retry_count.known().copied(),
    }
}

fn compare(
    r: &Replay<'_>,
    fi: usize,
    ti: usize,
    attempts: Option<Attempts>,
) -> Result<OutputsDiff, DiffError> {
    let old: &Value = known(r.state(fi), fi, r, "phase outputs", |s| &s.phase_outputs)?;
    let new: &Value = known(r.state(ti), ti, r, "phase outputs", |s| &s.phase_outputs)?;
    Ok(OutputsDiff {
        from: side(r, fi),
        to: side(r, ti),
        attempts,
        changes: json_diff::diff(old, new),
    })
}
