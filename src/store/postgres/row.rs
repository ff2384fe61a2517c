//! Column lists and row readers. PostgreSQL's types already keep out most of what a careless
//! writer can put in a SQLite column (no BLOB in a text column, JSON that always parses), so
//! these read by type; times come back as RFC 3339 UTC text with milliseconds, like
//! everything else in baton.

use crate::model::{Checkpoint, Event, Handoff, HandoffKind, Status, Workflow, time};
use chrono::{DateTime, Utc};
use postgres::Row;
use serde_json::Value;

pub type Result<T> = std::result::Result<T, postgres::Error>;

pub fn text(r: &Row, i: usize) -> Result<String> {
    Ok(opt_text(r, i)?.unwrap_or_default())
}

pub fn opt_text(r: &Row, i: usize) -> Result<Option<String>> {
    r.try_get(i)
}

/// An integer column of any width.
pub fn int(r: &Row, i: usize) -> Result<i64> {
    if let Ok(v) = r.try_get::<_, Option<i64>>(i) {
        return Ok(v.unwrap_or(0));
    }
    if let Ok(v) = r.try_get::<_, Option<i32>>(i) {
        return Ok(v.map_or(0, i64::from));
    }
    Ok(r.try_get::<_, Option<i16>>(i)?.map_or(0, i64::from))
}

pub fn opt_time(r: &Row, i: usize) -> Result<Option<String>> {
    Ok(r.try_get::<_, Option<DateTime<Utc>>>(i)?.map(time::format))
}

pub fn time_text(r: &Row, i: usize) -> Result<String> {
    Ok(opt_time(r, i)?.unwrap_or_default())
}

pub fn json(r: &Row, i: usize) -> Result<Value> {
    Ok(r.try_get::<_, Option<Value>>(i)?.unwrap_or(Value::Null))
}

/// Columns selected for a workflow, in the order [`workflow`] reads them. Summary reads
/// replace the two JSON columns with NULL so lists do not carry every phase's output.
pub const WORKFLOW_FULL: &str = "id, build_id, project_id, user_id, definition, current_state, \
    \"current_role\", status, phase_outputs, retry_count, max_retries, last_error, version, \
    metadata, created_at, updated_at, completed_at, heartbeat_at, state_entered_at";
pub const WORKFLOW_SUMMARY: &str = "id, build_id, project_id, user_id, definition, \
    current_state, \"current_role\", status, NULL::jsonb, retry_count, max_retries, last_error, \
    version, NULL::jsonb, created_at, updated_at, completed_at, heartbeat_at, state_entered_at";

pub fn workflow(r: &Row) -> Result<Workflow> {
    let status_raw = text(r, 7)?;
    Ok(Workflow {
        id: text(r, 0)?,
        build_id: text(r, 1)?,
        project_id: text(r, 2)?,
        user_id: opt_text(r, 3)?,
        definition: text(r, 4)?,
        current_state: text(r, 5)?,
        current_role: text(r, 6)?,
        status: Status::parse(&status_raw),
        status_raw,
        phase_outputs: json(r, 8)?,
        retry_count: int(r, 9)?,
        max_retries: int(r, 10)?,
        last_error: opt_text(r, 11)?,
        version: int(r, 12)?,
        metadata: json(r, 13)?,
        created_at: time_text(r, 14)?,
        updated_at: time_text(r, 15)?,
        completed_at: opt_time(r, 16)?,
        heartbeat_at: opt_time(r, 17)?,
        state_entered_at: opt_time(r, 18)?,
    })
}

pub const HANDOFF: &str = "id, workflow_id, from_role, to_role, from_state, to_state, kind, \
    data_transferred, created_at, acknowledged_at, acknowledged_by";

pub fn handoff(r: &Row) -> Result<Handoff> {
    Ok(Handoff {
        id: text(r, 0)?,
        workflow_id: text(r, 1)?,
        from_role: opt_text(r, 2)?,
        to_role: text(r, 3)?,
        from_state: opt_text(r, 4)?,
        to_state: text(r, 5)?,
        kind: HandoffKind::parse(&text(r, 6)?),
        data_transferred: json(r, 7)?,
        created_at: time_text(r, 8)?,
        acknowledged_at: opt_time(r, 9)?,
        acknowledged_by: opt_text(r, 10)?,
    })
}

pub const EVENT: &str = "seq, id, workflow_id, event_type, triggered_by, event_data, created_at";

pub fn event(r: &Row) -> Result<Event> {
    Ok(Event {
        seq: int(r, 0)?,
        id: text(r, 1)?,
        workflow_id: text(r, 2)?,
        event_type: text(r, 3)?,
        triggered_by: text(r, 4)?,
        event_data: json(r, 5)?,
        created_at: time_text(r, 6)?,
    })
}

pub const CHECKPOINT: &str =
    "id, workflow_id, state, phase_outputs, retry_count, version, created_at";

pub fn checkpoint(r: &Row) -> Result<Checkpoint> {
    Ok(Checkpoint {
        id: text(r, 0)?,
        workflow_id: text(r, 1)?,
        state: text(r, 2)?,
        phase_outputs: json(r, 3)?,
        retry_count: int(r, 4)?,
        version: int(r, 5)?,
        created_at: time_text(r, 6)?,
    })
}

/// `a, b` → `h.a, h.b`, for column lists used in joins.
pub fn prefixed(alias: &str, cols: &str) -> String {
    cols.split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}
