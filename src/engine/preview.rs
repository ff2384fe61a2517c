//! What an operation would do, without doing it: the pure rules over a snapshot read
//! outside any transaction. Dry runs and confirmations use it; the real write reads the
//! snapshot again inside its transaction, with the version seen here as the one expected,
//! so anything that changed in between is refused as a conflict rather than done blindly.

use super::error::EngineError;
use super::ops::Request;
use super::rules::{self, Context};
use crate::model::{Change, Snapshot, time};
use crate::store::Store;

/// The workflow `id` as the rules see it: the row, its definition, its checkpoints and
/// its pending handoffs (four reads, no transaction).
pub fn snapshot(store: &Store, id: &str) -> Result<Snapshot, EngineError> {
    let workflow = store.workflow(id)?;
    let definition = store.definition(&workflow.definition)?;
    let checkpoints = store.checkpoints(id)?;
    let pending = store.pending_handoffs_of(&[id.to_string()])?;
    Ok(Snapshot {
        workflow,
        definition,
        checkpoints,
        pending,
    })
}

/// The change `req` would make to `s`, or why the rules refuse it.
pub fn preview(s: &Snapshot, req: &Request) -> Result<Change, EngineError> {
    let cx = Context {
        actor: &req.actor,
        reason: req.reason.as_deref(),
        expected_version: req.expected_version,
        now: time::now(),
    };
    Ok(rules::plan(s, &req.action, &cx)?)
}
