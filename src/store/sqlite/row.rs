//! Lenient row readers. Other programs write these tables, so a column may hold a BLOB, a
//! number, invalid UTF-8 or malformed JSON where text was expected; each reader turns what
//! it finds into something showable instead of failing the whole query.

use crate::model::checkpoint_patch::StoredCheckpoint;
use crate::model::{Event, Handoff, Workflow};
use crate::store::rows::{self, Cells};
pub use crate::store::rows::{CHECKPOINT, EVENT, HANDOFF};
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

impl Cells for Row<'_> {
    type Error = rusqlite::Error;

    fn opt_text(&self, i: usize) -> rusqlite::Result<Option<String>> {
        opt_text(self, i)
    }

    fn int(&self, i: usize) -> rusqlite::Result<i64> {
        int(self, i)
    }

    fn opt_int(&self, i: usize) -> rusqlite::Result<Option<i64>> {
        Ok(match self.get_ref(i)? {
            ValueRef::Null => None,
            ValueRef::Integer(v) => Some(v),
            _ => Some(int(self, i)?),
        })
    }

    fn json(&self, i: usize) -> rusqlite::Result<Value> {
        json(self, i)
    }

    /// SQLite keeps times as text: shown as written.
    fn opt_time(&self, i: usize) -> rusqlite::Result<Option<String>> {
        opt_text(self, i)
    }
}

// rusqlite's rows borrow their statement, so its `query_map` wants a function of one
// `Row<'_>` for every lifetime: these name the shared readers for that.

pub fn workflow(r: &Row) -> rusqlite::Result<Workflow> {
    rows::workflow(r)
}

pub fn handoff(r: &Row) -> rusqlite::Result<Handoff> {
    rows::handoff(r)
}

pub fn event(r: &Row) -> rusqlite::Result<Event> {
    rows::event(r)
}

pub fn checkpoint(r: &Row) -> rusqlite::Result<StoredCheckpoint> {
    rows::checkpoint(r)
}
