//! Column lists and row readers. PostgreSQL's types already keep out most of what a careless
//! writer can put in a SQLite column (no BLOB in a text column, JSON that always parses), so
//! these read by type; times come back as RFC 3339 UTC text with milliseconds, like
//! everything else in baton.

use crate::model::time;
use crate::store::rows::Cells;
pub use crate::store::rows::{
    CHECKPOINT, EVENT, HANDOFF, checkpoint, event, handoff, prefixed, workflow,
};
use chrono::{DateTime, Utc};
use postgres::Row;
use postgres::types::{FromSql, Type};
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

/// A `timestamptz` as baton's text. PostgreSQL also stores `infinity` and `-infinity`,
/// which no date type holds; they are shown as those words rather than failing the read.
struct TimeText(String);

impl<'a> FromSql<'a> for TimeText {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        // Microseconds since 2000-01-01 UTC, with the extremes meaning ±infinity.
        match raw.try_into().map(i64::from_be_bytes) {
            Ok(i64::MAX) => Ok(TimeText("infinity".into())),
            Ok(i64::MIN) => Ok(TimeText("-infinity".into())),
            _ => Ok(TimeText(time::format(DateTime::<Utc>::from_sql(ty, raw)?))),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <DateTime<Utc> as FromSql>::accepts(ty)
    }
}

/// A `timestamptz` exactly as the server keeps it: microseconds since 2000-01-01 UTC
/// (`i64::MAX` and `i64::MIN` are ±infinity). What a keyset cursor holds.
pub struct Micros(pub i64);

impl<'a> FromSql<'a> for Micros {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Micros(i64::from_be_bytes(raw.try_into()?)))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TIMESTAMPTZ || *ty == Type::TIMESTAMP
    }
}

/// The text PostgreSQL reads back as the same microsecond (ISO 8601, accepted whatever the
/// session's DateStyle), for `$n::text::timestamptz`.
pub fn micros_text(micros: i64) -> String {
    match micros {
        i64::MAX => "infinity".into(),
        i64::MIN => "-infinity".into(),
        m => {
            let epoch = DateTime::<Utc>::from_timestamp(946_684_800, 0).unwrap_or_default();
            let t = epoch + chrono::Duration::microseconds(m);
            t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
        }
    }
}

pub fn opt_time(r: &Row, i: usize) -> Result<Option<String>> {
    Ok(r.try_get::<_, Option<TimeText>>(i)?.map(|t| t.0))
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

impl Cells for Row {
    type Error = postgres::Error;

    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        opt_text(self, i)
    }

    fn int(&self, i: usize) -> Result<i64> {
        int(self, i)
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        self.try_get::<_, Option<i64>>(i)
    }

    fn json(&self, i: usize) -> Result<Value> {
        json(self, i)
    }

    fn opt_time(&self, i: usize) -> Result<Option<String>> {
        opt_time(self, i)
    }
}
