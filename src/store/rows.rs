//! From a row of either backend to the model's types: the column order of each
//! backend's column lists (`WORKFLOW_FULL`, `HANDOFF`, …) mapped to fields once. Each
//! backend says how it reads a cell (SQLite leniently, whatever type a writer left there;
//! PostgreSQL by the column's type).

use crate::model::checkpoint_patch::StoredCheckpoint;
use crate::model::{Checkpoint, Event, Handoff, HandoffKind, Status, Workflow};
use serde_json::Value;

/// How a backend reads one cell of a row.
pub trait Cells {
    type Error;
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error>;
    fn int(&self, i: usize) -> Result<i64, Self::Error>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error>;
    fn json(&self, i: usize) -> Result<Value, Self::Error>;
    /// A time as baton's RFC 3339 text.
    fn opt_time(&self, i: usize) -> Result<Option<String>, Self::Error>;

    fn text(&self, i: usize) -> Result<String, Self::Error> {
        Ok(self.opt_text(i)?.unwrap_or_default())
    }

    fn time(&self, i: usize) -> Result<String, Self::Error> {
        Ok(self.opt_time(i)?.unwrap_or_default())
    }
}

/// A workflow from the columns of `WORKFLOW_FULL` or `WORKFLOW_SUMMARY`.
pub fn workflow<R: Cells>(r: &R) -> Result<Workflow, R::Error> {
    let status_raw = r.text(7)?;
    Ok(Workflow {
        id: r.text(0)?,
        build_id: r.text(1)?.into(),
        project_id: r.text(2)?.into(),
        user_id: r.opt_text(3)?.map(Into::into),
        definition: r.text(4)?.into(),
        current_state: r.text(5)?.into(),
        current_role: r.text(6)?.into(),
        status: Status::parse(&status_raw),
        status_raw: status_raw.into(),
        phase_outputs: r.json(8)?,
        retry_count: r.int(9)?,
        max_retries: r.int(10)?,
        last_error: r.opt_text(11)?,
        version: r.int(12)?,
        metadata: r.json(13)?,
        created_at: r.time(14)?.into(),
        updated_at: r.time(15)?.into(),
        completed_at: r.opt_time(16)?.map(Into::into),
        heartbeat_at: r.opt_time(17)?.map(Into::into),
        state_entered_at: r.opt_time(18)?.map(Into::into),
    })
}

/// A handoff from the columns of `HANDOFF`.
pub fn handoff<R: Cells>(r: &R) -> Result<Handoff, R::Error> {
    Ok(Handoff {
        id: r.text(0)?,
        workflow_id: r.text(1)?,
        from_role: r.opt_text(2)?,
        to_role: r.text(3)?,
        from_state: r.opt_text(4)?,
        to_state: r.text(5)?,
        kind: HandoffKind::parse(&r.text(6)?),
        data_transferred: r.json(7)?,
        created_at: r.time(8)?,
        acknowledged_at: r.opt_time(9)?,
        acknowledged_by: r.opt_text(10)?,
    })
}

/// An event from the columns of `EVENT`.
pub fn event<R: Cells>(r: &R) -> Result<Event, R::Error> {
    Ok(Event {
        seq: r.int(0)?,
        id: r.text(1)?,
        workflow_id: r.text(2)?,
        event_type: r.text(3)?,
        triggered_by: r.text(4)?,
        event_data: r.json(5)?,
        created_at: r.time(6)?,
    })
}

/// A checkpoint as stored, from the columns of `CHECKPOINT`: its outputs may be a patch,
/// which `checkpoint_patch::expand` makes whole.
pub fn checkpoint<R: Cells>(r: &R) -> Result<StoredCheckpoint, R::Error> {
    Ok(StoredCheckpoint {
        checkpoint: Checkpoint {
            id: r.text(0)?,
            workflow_id: r.text(1)?,
            state: r.text(2)?,
            phase_outputs: r.json(3)?,
            retry_count: r.int(4)?,
            version: r.int(5)?,
            created_at: r.time(6)?,
        },
        base_version: r.opt_int(7)?,
    })
}

/// The column list shared by both backends for events, handoffs and checkpoints.
pub const EVENT: &str = "seq, id, workflow_id, event_type, triggered_by, event_data, created_at";
pub const HANDOFF: &str = "id, workflow_id, from_role, to_role, from_state, to_state, kind, \
    data_transferred, created_at, acknowledged_at, acknowledged_by";
pub const CHECKPOINT: &str =
    "id, workflow_id, state, phase_outputs, retry_count, version, created_at, base_version";

/// `a, b` → `h.a, h.b`, for column lists used in joins.
pub fn prefixed(alias: &str, cols: &str) -> String {
    cols.split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}
