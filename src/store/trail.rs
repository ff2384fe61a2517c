//! Whole workflow histories for bulk loading (`baton simulate --backfill`): the rows the
//! engine would have written one operation at a time.

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
    /// writing thread only binds text.
    pub fn encode(self) -> Encoded {
        let w = &self.workflow;
        let mut json = Vec::with_capacity(
            2 + self.handoffs.len() + self.checkpoints.len() + self.events.len(),
        );
        json.push(w.phase_outputs.to_string());
        json.push(w.metadata.to_string());
        json.extend(self.handoffs.iter().map(|h| h.data_transferred.to_string()));
        json.extend(self.checkpoints.iter().map(|c| c.phase_outputs.to_string()));
        json.extend(self.events.iter().map(|e| e.event_data.to_string()));
        Encoded { trail: self, json }
    }
}

/// A [`Trail`] with its JSON columns as text, in the order workflow (outputs, metadata),
/// handoffs, checkpoints, events.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub trail: Trail,
    pub(crate) json: Vec<String>,
}
