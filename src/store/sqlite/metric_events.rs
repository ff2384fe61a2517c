//! The window's events with their metric fields. The data is read as text and only the
//! wanted keys are kept as it is parsed (the rest, outputs included, are skipped without
//! being built), which costs less than SQLite's JSON functions or a whole
//! `serde_json::Value` per event. Data that is not a JSON object gives no fields.

use super::SqliteStore;
use super::row;
use crate::store::error::Result;
use crate::store::metric_events::{Fields, MetricEvent};
use rusqlite::types::ValueRef;

impl SqliteStore {
    pub fn metric_events(&self, after_seq: i64, limit: usize) -> Result<Vec<MetricEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, workflow_id, event_type, created_at, event_data
             FROM workflow_events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(rusqlite::params![after_seq, limit], |r| {
            let fields = match r.get_ref(4)? {
                ValueRef::Text(b) => Fields::parse(b),
                _ => Fields::default(),
            };
            Ok(MetricEvent {
                seq: r.get(0)?,
                workflow_id: row::text(r, 1)?,
                event_type: row::text(r, 2)?,
                created_at: row::text(r, 3)?,
                ..MetricEvent::default()
            }
            .with(fields))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
