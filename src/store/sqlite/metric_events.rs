//! The window's events with their metric fields, from `workflow_event_metrics`: one range
//! of a narrow table ordered by time, no JSON read. Names are stored as numbers (schema
//! 10); each number is looked up in `baton_names` the first time a reading meets it.

use super::SqliteStore;
use super::row;
use crate::store::error::Result;
use crate::store::metric_events::{
    BATCH, COLUMNS, HANDOFF_COLUMN, MetricEvent, MetricKey, MetricSink, NAME_COLUMNS, Name, Names,
    WorkflowKey,
};
use crate::store::rows::Cells;
use rusqlite::types::ValueRef;
use rusqlite::{OptionalExtension, Row};

impl SqliteStore {
    /// The window as keyset pages of [`BATCH`]: each page a seek and a short walk of the
    /// `WITHOUT ROWID` table, which lies in time order.
    pub fn metric_window(
        &self,
        mut after: MetricKey,
        until_ms: i64,
        sink: &mut dyn MetricSink,
    ) -> Result<()> {
        loop {
            let batch = self.metric_events(after, until_ms, BATCH, sink.names())?;
            after = batch.last().map_or(after, MetricEvent::key);
            sink.take(&batch);
            if batch.len() < BATCH {
                return Ok(());
            }
        }
    }

    fn metric_events(
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
            let mut keys = [None; 7];
            for (k, i) in keys.iter_mut().zip(NAME_COLUMNS) {
                *k = r.opt_int(i)?;
                if let Some(key) = *k
                    && names.stored(key).is_none()
                {
                    self.learn_name(key, names)?;
                }
            }
            let handoff = handoff_name(r, names)?;
            out.push(MetricEvent::from_cells(
                |i| -> rusqlite::Result<Option<Name>> {
                    Ok(keys[i - NAME_COLUMNS.start()].and_then(|k| names.stored(k)))
                },
                handoff,
                |i| r.opt_int(i),
            )?);
        }
        Ok(out)
    }

    /// The id of the workflow `key` numbers in `workflow_event_metrics`, if it still exists.
    pub fn metric_workflow(&self, key: WorkflowKey) -> Result<Option<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM build_workflows WHERE rowid = ?1")?;
        Ok(stmt.query_row([key], |r| r.get(0)).optional()?)
    }

    /// Reads what a stored name's number stands for. A number `baton_names` does not hold
    /// (a row written by hand) stands for its own digits.
    fn learn_name(&self, key: i64, names: &mut Names) -> Result<Name> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM baton_names WHERE id = ?1")?;
        let text: Option<String> = stmt.query_row([key], |r| r.get(0)).optional()?;
        Ok(names.learn(key, text.as_deref().unwrap_or(&key.to_string())))
    }
}

/// The handoff id, the one name kept as text: most rows have none.
fn handoff_name(r: &Row, names: &mut Names) -> rusqlite::Result<Option<Name>> {
    Ok(match r.get_ref(HANDOFF_COLUMN)? {
        ValueRef::Null => None,
        ValueRef::Text(b) => Some(names.id_of_bytes(b)),
        _ => row::opt_text(r, HANDOFF_COLUMN)?.map(|t| names.id(&t)),
    })
}
