//! What `baton ack KEY` acknowledges: the handoff KEY names (its id or a unique prefix), or
//! the one pending handoff of the workflow KEY names (its id, a unique prefix, or its build
//! id). An exact id or build id wins over a prefix; a prefix of both a handoff and a
//! workflow is ambiguous.

use crate::cli::exit::{CliError, CliResult, Code};
use crate::model::Workflow;
use crate::store::{Store, StoreError};

/// The id of the handoff to acknowledge.
pub fn handoff_named(store: &Store, key: &str) -> CliResult<String> {
    let as_handoff = store.handoff(key);
    if let Ok(h) = &as_handoff
        && h.id == key
    {
        return Ok(h.id.clone());
    }
    let as_workflow = store.resolve(key);
    let not_found = |r: &Result<_, StoreError>| matches!(r, Err(StoreError::NotFound { .. }));
    match (as_handoff, as_workflow) {
        (Ok(h), Err(StoreError::NotFound { .. })) => Ok(h.id),
        (Err(StoreError::NotFound { .. }), Ok(id)) => pending_of(store, &store.workflow(&id)?),
        (Ok(h), Ok(id)) => {
            let w = store.workflow(&id)?;
            if w.id == key || w.build_id == key {
                return pending_of(store, &w);
            }
            Err(CliError::usage(format!(
                "'{key}' is the start of both handoff {} and workflow {} ({}); give more characters of the one you mean",
                h.id, w.id, w.build_id
            )))
        }
        (Err(StoreError::Ambiguous { prefix, .. }), w) if not_found(&w) => {
            // The store reads at most two handoffs for a prefix: more than one matched.
            Err(CliError::usage(format!(
                "'{prefix}' matches more than one handoff; give more characters of its id (`baton status WORKFLOW` lists them)"
            )))
        }
        (Err(StoreError::NotFound { .. }), Err(StoreError::NotFound { .. })) => Err(CliError::new(
            Code::NotFound,
            format!(
                "no handoff or workflow '{key}' found; name a handoff by id or unique prefix, or a workflow by id, unique prefix or build id (`baton list`, `baton status WORKFLOW`)"
            ),
        )),
        // One of them not found: the other's error (e.g. an ambiguous workflow prefix).
        (Err(StoreError::NotFound { .. }), Err(e)) | (Err(e), _) | (_, Err(e)) => Err(e.into()),
    }
}

/// The id of `w`'s one pending handoff.
fn pending_of(store: &Store, w: &Workflow) -> CliResult<String> {
    let pending = store.pending_handoffs_of(std::slice::from_ref(&w.id))?;
    match pending.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Err(CliError::new(
            Code::Conflict,
            format!(
                "workflow {} ({}) has no pending handoff: nothing to acknowledge (`baton status {}` shows its handoffs)",
                w.build_id,
                w.short_id(),
                w.build_id
            ),
        )),
        several => {
            let ids: Vec<String> = several
                .iter()
                .map(|h| format!("{} to {}", h.id, h.to_role))
                .collect();
            Err(CliError::usage(format!(
                "workflow {} ({}) has {} pending handoffs ({}); name one: `baton ack HANDOFF_ID`",
                w.build_id,
                w.short_id(),
                several.len(),
                ids.join(", ")
            )))
        }
    }
}
