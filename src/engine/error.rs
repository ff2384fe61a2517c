use crate::model::Status;
use crate::store::{ApplyError, StoreError};

/// Why the rules refuse an operation. Every variant is a user-facing, one-line reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "conflict: the workflow is at version {actual}, not {expected}; someone changed it meanwhile. Reload and try again"
    )]
    Stale { expected: i64, actual: i64 },
    #[error("cannot {verb} a workflow that is {status}{hint}")]
    WrongStatus {
        verb: &'static str,
        status: Status,
        hint: &'static str,
    },
    #[error("definition '{0}' is not in the database; add it with `baton definition add FILE`")]
    UnknownDefinition(String),
    #[error("the workflow is in phase '{phase}', which definition '{definition}' does not have")]
    PhaseNotInDefinition { phase: String, definition: String },
    #[error("phase '{phase}' is not in definition '{definition}' (phases: {phases})")]
    UnknownPhase {
        phase: String,
        definition: String,
        phases: String,
    },
    #[error("cannot roll back: '{0}' is the first phase")]
    AtFirstPhase(String),
    #[error("cannot roll back to '{target}': it is not earlier than the current phase '{current}'")]
    NotEarlier { target: String, current: String },
    #[error(
        "retries exhausted: {used} of {max} used in phase '{phase}'; roll back or fail the workflow"
    )]
    RetriesExhausted { used: i64, max: i64, phase: String },
    #[error("{0} needs a reason; pass --reason TEXT")]
    ReasonRequired(&'static str),
    #[error("fail needs an error message; pass --error TEXT")]
    ErrorRequired,
    #[error(
        "handoff {0} is not pending on this workflow (already acknowledged, or not its handoff)"
    )]
    NotPending(String),
    #[error("an output must be a JSON object or value; got {0}")]
    BadOutput(String),
    #[error("the stored {0} is out of range; fix the row (`baton doctor` names it)")]
    BadStoredValue(String),
}

/// An operation failed in the rules or in the store.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file the operation writes beside the database (an archive) failed.
    #[error("{0}")]
    Io(String),
}

impl From<ApplyError<RuleError>> for EngineError {
    fn from(e: ApplyError<RuleError>) -> Self {
        match e {
            ApplyError::Store(s) => EngineError::Store(s),
            ApplyError::Rejected(r) => EngineError::Rule(r),
        }
    }
}

impl EngineError {
    /// True when the caller's view was out of date: retrying after a reload may succeed.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            EngineError::Rule(RuleError::Stale { .. })
                | EngineError::Store(StoreError::Conflict { .. })
        )
    }
}
