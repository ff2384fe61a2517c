//! The window's events with their metric fields, from `workflow_event_metrics` (schema 7):
//! one range of a narrow table ordered by time, no JSON read, each name looked up in
//! [`Names`] straight from SQLite's buffer.

use super::SqliteStore;
use super::row;
use crate::store::error::Result;
use crate::store::metric_events::{COLUMNS, MetricEvent, MetricKey, Name, Names};
use rusqlite::types::ValueRef;

impl SqliteStore {
    pub fn metric_events(
        &self,
        after: MetricKey,
        until_ms: i64,
        limit: usize,
        names: &mut Names,
    ) -> Result<Vec<MetricEvent>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM workflow_event_metrics
             WHERE (at_ms, seq) > (?1, ?2) AND at_ms <= ?3
             ORDER BY at_ms, seq LIMIT ?4"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = stmt.query(rusqlite::params![after.at_ms, after.seq, until_ms, limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(MetricEvent::from_cells(
                |i| -> rusqlite::Result<Option<Name>> {
                    Ok(match r.get_ref(i)? {
                        ValueRef::Null => None,
                        ValueRef::Text(b) => Some(match std::str::from_utf8(b) {
                            Ok(t) => names.id(t),
                            Err(_) => names.id(&String::from_utf8_lossy(b)),
                        }),
                        _ => row::opt_text(r, i)?.map(|t| names.id(&t)),
                    })
                },
                |i| r.get::<_, Option<i64>>(i),
            )?);
        }
        Ok(out)
    }
}
