//! Lenient row readers. Other programs write these tables, so a column may hold a BLOB, a
//! number, invalid UTF-8 or malformed JSON where text was expected; each reader turns what
//! it finds into something showable instead of failing the whole query.

use crate::model::{Checkpoint, Event, Handoff, HandoffKind, Status, Workflow};
use rusqlite::Row;
use rusqlite::types::ValueRef;
use serde_json::Value;

pub fn text(row: &Row, idx: usize) -> rusqlite::Result<String> {
    Ok(opt_text(row, idx)?.unwrap_or_default())
}

pub fn opt_text(row: &Row, idx: usize) -> rusqlite::Result<Option<String>> {
    Ok(match row.get_ref(idx)? {
        ValueRef::Null => None,
        ValueRef::Text(b) => Some(String::from_utf8_lossy(b).into_owned()),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Blob(b) => Some(blob(b)),
    })
}

/// A BLOB where text was expected: its size and first bytes in hex, so that two such
/// values stay apart on screen and neither can carry control characters.
pub fn blob(b: &[u8]) -> String {
    let hex: String = b.iter().take(8).map(|x| format!("{x:02x}")).collect();
    let more = if b.len() > 8 { "…" } else { "" };
    format!("<blob {} bytes x'{hex}{more}'>", b.len())
}

pub fn int(row: &Row, idx: usize) -> rusqlite::Result<i64> {
    Ok(match row.get_ref(idx)? {
        ValueRef::Integer(i) => i,
        ValueRef::Real(f) => f as i64,
        ValueRef::Text(b) => std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0),
        ValueRef::Null | ValueRef::Blob(_) => 0,
    })
}

/// Parsed JSON when it parses; otherwise the raw text as a JSON string, so it is still shown.
pub fn json(row: &Row, idx: usize) -> rusqlite::Result<Value> {
    Ok(match row.get_ref(idx)? {
        ValueRef::Null => Value::Null,
        ValueRef::Text(b) => serde_json::from_slice(b)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(b).into_owned())),
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Blob(b) => Value::String(blob(b)),
    })
}

/// Columns selected for a workflow, in the order [`workflow`] reads them. Summary reads
/// replace the two JSON columns with NULL so lists do not carry every phase's output.
pub const WORKFLOW_FULL: &str = "id, build_id, project_id, user_id, definition, current_state, \
    current_role, status, phase_outputs, retry_count, max_retries, last_error, version, metadata, \
    created_at, updated_at, completed_at, heartbeat_at, state_entered_at";
pub const WORKFLOW_SUMMARY: &str = "id, build_id, project_id, user_id, definition, current_state, \
    current_role, status, NULL, retry_count, max_retries, last_error, version, NULL, \
    created_at, updated_at, completed_at, heartbeat_at, state_entered_at";

pub fn workflow(r: &Row) -> rusqlite::Result<Workflow> {
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
        created_at: text(r, 14)?,
        updated_at: text(r, 15)?,
        completed_at: opt_text(r, 16)?,
        heartbeat_at: opt_text(r, 17)?,
        state_entered_at: opt_text(r, 18)?,
    })
}

pub const HANDOFF: &str = "id, workflow_id, from_role, to_role, from_state, to_state, kind, \
    data_transferred, created_at, acknowledged_at, acknowledged_by";

pub fn handoff(r: &Row) -> rusqlite::Result<Handoff> {
    Ok(Handoff {
        id: text(r, 0)?,
        workflow_id: text(r, 1)?,
        from_role: opt_text(r, 2)?,
        to_role: text(r, 3)?,
        from_state: opt_text(r, 4)?,
        to_state: text(r, 5)?,
        kind: HandoffKind::parse(&text(r, 6)?),
        data_transferred: json(r, 7)?,
        created_at: text(r, 8)?,
        acknowledged_at: opt_text(r, 9)?,
        acknowledged_by: opt_text(r, 10)?,
    })
}

pub const EVENT: &str = "seq, id, workflow_id, event_type, triggered_by, event_data, created_at";

pub fn event(r: &Row) -> rusqlite::Result<Event> {
    Ok(Event {
        seq: int(r, 0)?,
        id: text(r, 1)?,
        workflow_id: text(r, 2)?,
        event_type: text(r, 3)?,
        triggered_by: text(r, 4)?,
        event_data: json(r, 5)?,
        created_at: text(r, 6)?,
    })
}

pub const CHECKPOINT: &str =
    "id, workflow_id, state, phase_outputs, retry_count, version, created_at";

pub fn checkpoint(r: &Row) -> rusqlite::Result<Checkpoint> {
    Ok(Checkpoint {
        id: text(r, 0)?,
        workflow_id: text(r, 1)?,
        state: text(r, 2)?,
        phase_outputs: json(r, 3)?,
        retry_count: int(r, 4)?,
        version: int(r, 5)?,
        created_at: text(r, 6)?,
    })
}
