//! The window's events with their metric fields, from `workflow_event_metrics` (schema 7):
//! one range of a narrow table ordered by time, no JSON read, each name looked up in
//! [`Names`] straight from the row's buffer.

use super::PgStore;
use super::row;
use crate::store::error::Result;
use crate::store::metric_events::{COLUMNS, MetricEvent, MetricKey, Name, Names};

impl PgStore {
    pub fn metric_events(
        &self,
        after: MetricKey,
        until_ms: i64,
        limit: usize,
        names: &mut Names,
    ) -> Result<Vec<MetricEvent>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.query(
            &format!(
                "SELECT {COLUMNS} FROM workflow_event_metrics
                 WHERE (at_ms, seq) > ($1, $2) AND at_ms <= $3
                 ORDER BY at_ms, seq LIMIT $4"
            ),
            &[&after.at_ms, &after.seq, &until_ms, &limit],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(MetricEvent::from_cells(
                |i| -> row::Result<Option<Name>> {
                    Ok(r.try_get::<_, Option<&str>>(i)?.map(|t| names.id(t)))
                },
                |i| r.try_get::<_, Option<i64>>(i),
            )?);
        }
        Ok(out)
    }
}
