//! Reading everything a replay needs about one workflow, through the store's existing
//! reads. `baton status --at`, `baton diff` and the dashboard's worker share it.

use super::replay::{Replay, Trail};
use crate::model::{Checkpoint, Definition, Event, Handoff, Workflow};
use crate::store::{EventQuery, Result, Store};

/// How many events one read asks for; the trail is read page by page until it ends.
const PAGE: usize = 1000;

/// A workflow's whole trail, as read.
#[derive(Debug, Clone)]
pub struct History {
    pub workflow: Workflow,
    pub definition: Option<Definition>,
    pub events: Vec<Event>,
    pub handoffs: Vec<Handoff>,
    pub checkpoints: Vec<Checkpoint>,
}

impl History {
    /// Every event, handoff and checkpoint of workflow `id` (its full id). The whole trail
    /// is needed even to travel to an early event: whether a later event changed a field
    /// decides whether the row as it is now may answer for it.
    pub fn read(store: &Store, id: &str) -> Result<History> {
        let workflow = store.workflow(id)?;
        let definition = store.definition(&workflow.definition)?;
        let mut events: Vec<Event> = Vec::new();
        loop {
            // From the very bottom: a hostile writer may have set a seq of 0 or below,
            // and `baton events` lists those too.
            let after_seq = events.last().map_or(i64::MIN, |e| e.seq);
            // Defaults for any filters EventQuery grows: this reads the whole trail.
            #[allow(clippy::needless_update)]
            let page = store.events(&EventQuery {
                workflow: Some(id.to_string()),
                after_seq,
                limit: PAGE,
                ..EventQuery::default()
            })?;
            let done = page.len() < PAGE;
            events.extend(page);
            if done {
                break;
            }
        }
        // Every handoff: the limit only guards against a runaway trail.
        let handoffs = store.handoffs(id, 1_000_000)?;
        let checkpoints = store.checkpoints(id)?;
        Ok(History {
            workflow,
            definition,
            events,
            handoffs,
            checkpoints,
        })
    }

    pub fn trail(&self) -> Trail<'_> {
        Trail {
            workflow: &self.workflow,
            definition: self.definition.as_ref(),
            events: &self.events,
            handoffs: &self.handoffs,
            checkpoints: &self.checkpoints,
        }
    }

    pub fn replay(&self) -> Replay<'_> {
        Replay::new(self.trail())
    }
}
