//! One workflow of a bulk action: acted on in its own transaction with the version read
//! when it was selected as the one expected, so a workflow changed meanwhile is a
//! conflict, never acted on blindly. `baton <action> --filter` and the dashboard's marks
//! both run every selected workflow through [`act_one`] and count with [`Tally`].

use super::error::EngineError;
use super::ops::{Request, act_on_id};
use super::preview;
use crate::model::{Action, Snapshot};
use crate::store::{Store, StoreError};
use serde::Serialize;

/// What to do to each selected workflow.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    Do(Action),
    /// Acknowledge its one pending handoff (each workflow has its own).
    AckPending,
}

impl Intent {
    pub fn verb(&self) -> &'static str {
        match self {
            Intent::Do(a) => a.verb(),
            Intent::AckPending => "acknowledge",
        }
    }
}

/// A workflow as it was selected: acting on it expects this version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub id: String,
    pub build_id: String,
    pub version: i64,
}

/// What happened (or, in a dry run, would happen) to one workflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Applied {
        version: i64,
        status: String,
        phase: String,
    },
    WouldApply {
        version: i64,
        status: String,
        phase: String,
    },
    /// The rules refuse it (wrong status, no retries left, nothing pending…).
    Refused { reason: String },
    /// It changed after it was selected.
    Conflict { reason: String },
    /// It was deleted after it was selected.
    Gone,
}

/// The counts a bulk run reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub matched: usize,
    pub applied: usize,
    pub refused: usize,
    pub conflicts: usize,
    pub gone: usize,
}

impl Tally {
    pub fn count(&mut self, o: &Outcome) {
        match o {
            Outcome::Applied { .. } | Outcome::WouldApply { .. } => self.applied += 1,
            Outcome::Refused { .. } => self.refused += 1,
            Outcome::Conflict { .. } => self.conflicts += 1,
            Outcome::Gone => self.gone += 1,
        }
    }
}

/// Acts on (or, `dry`, judges) one selected workflow on behalf of `actor`. A rule's
/// refusal, a conflict and a deleted workflow are outcomes; anything else (the database
/// gone) is an error that should stop the run.
pub fn act_one(
    store: &mut Store,
    w: &Selected,
    intent: &Intent,
    actor: &str,
    reason: &str,
    dry: bool,
) -> Result<Outcome, EngineError> {
    let snapshot = if dry || matches!(intent, Intent::AckPending) {
        match preview::snapshot(store, &w.id) {
            Ok(s) => Some(s),
            Err(EngineError::Store(StoreError::NotFound { .. })) => return Ok(Outcome::Gone),
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let action = match (intent, &snapshot) {
        (Intent::Do(a), _) => a.clone(),
        (Intent::AckPending, Some(s)) => match pending_one(s) {
            Ok(id) => Action::Acknowledge { handoff_id: id },
            Err(why) => return Ok(Outcome::Refused { reason: why }),
        },
        (Intent::AckPending, None) => unreachable!("acknowledging reads the snapshot"),
    };
    let req = Request::new(action, actor.to_string())
        .reason(reason)
        .expect_version(w.version);
    let result = match (&snapshot, dry) {
        (Some(s), true) => preview::preview(s, &req).map(|c| Outcome::WouldApply {
            version: c.workflow.version,
            status: c.workflow.status.to_string(),
            phase: c.workflow.current_state.into(),
        }),
        _ => act_on_id(store, &w.id, &req).map(|written| Outcome::Applied {
            version: written.workflow.version,
            status: written.workflow.status.to_string(),
            phase: written.workflow.current_state.into(),
        }),
    };
    match result {
        Ok(o) => Ok(o),
        Err(e) if e.is_conflict() => Ok(Outcome::Conflict {
            reason: e.to_string(),
        }),
        Err(EngineError::Rule(r)) => Ok(Outcome::Refused {
            reason: r.to_string(),
        }),
        Err(EngineError::Store(StoreError::NotFound { .. })) => Ok(Outcome::Gone),
        Err(e) => Err(e),
    }
}

/// The one pending handoff to acknowledge, or why there is none to pick.
pub fn pending_one(s: &Snapshot) -> Result<String, String> {
    match s.pending.as_slice() {
        [h] => Ok(h.id.clone()),
        [] => Err("no handoff is waiting for acknowledgement".into()),
        many => Err(format!(
            "{} handoffs are pending; acknowledge one by its id",
            many.len()
        )),
    }
}
