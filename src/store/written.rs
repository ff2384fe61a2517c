//! What a write returns, and how it fails.

use super::error::StoreError;
use crate::model::Workflow;
use std::fmt;

/// The result of a write: the workflow as stored and the event's sequence number.
#[derive(Debug, Clone)]
pub struct Written {
    pub workflow: Workflow,
    pub seq: i64,
}

/// A write failed either in the store or because the plan refused it.
#[derive(Debug)]
pub enum ApplyError<E> {
    Store(StoreError),
    Rejected(E),
}

impl<E> From<StoreError> for ApplyError<E> {
    fn from(e: StoreError) -> Self {
        ApplyError::Store(e)
    }
}

impl<E: fmt::Display> fmt::Display for ApplyError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Store(e) => e.fmt(f),
            ApplyError::Rejected(e) => e.fmt(f),
        }
    }
}
