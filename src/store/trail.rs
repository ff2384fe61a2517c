//! Whole workflow histories for bulk loading (`baton simulate --backfill`): the rows the
//! engine would have written one operation at a time.

use crate::model::checkpoint_patch;
use crate::model::{Checkpoint, Event, Handoff, Workflow};
use serde::{Deserialize, Serialize};

/// One workflow with its whole trail, as it would stand after the engine wrote it.
/// `Event::seq` is ignored: the database assigns it. `baton prune --archive` writes one per
/// line, and `baton import` reads them back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trail {
    pub workflow: Workflow,
    pub handoffs: Vec<Handoff>,
    pub checkpoints: Vec<Checkpoint>,
    pub events: Vec<Event>,
}

impl Trail {
    /// Serialises the JSON columns once, so that a generator thread can do it and the
    /// writing thread only binds text. Checkpoints are encoded as the engine stores them:
    /// each a patch on the one before where that is smaller.
    pub fn encode(self) -> Encoded {
        let w = &self.workflow;
        let mut json = Vec::with_capacity(
            2 + self.handoffs.len() + self.checkpoints.len() + self.events.len(),
        );
        json.push(w.phase_outputs.to_string());
        json.push(w.metadata.to_string());
        json.extend(self.handoffs.iter().map(|h| h.data_transferred.to_string()));
        let stored = checkpoint_patch::compact(&self.checkpoints);
        json.extend(stored.iter().map(|(outputs, _)| outputs.to_string()));
        let checkpoint_bases = stored.iter().map(|&(_, base)| base).collect();
        json.extend(self.events.iter().map(|e| e.event_data.to_string()));
        Encoded {
            trail: self,
            json,
            checkpoint_bases,
        }
    }
}

/// A [`Trail`] with its JSON columns as text, in the order workflow (outputs, metadata),
/// handoffs, checkpoints (as stored), events; and each checkpoint's `base_version`.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub trail: Trail,
    pub(crate) json: Vec<String>,
    pub(crate) checkpoint_bases: Vec<Option<i64>>,
}
