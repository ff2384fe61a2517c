//! The window's events with their metric fields, from `workflow_event_metrics`: one range
//! of a narrow table ordered by time, no JSON read. Names are stored as numbers (schema
//! 10); the numbers a batch meets for the first time are looked up in `baton_names` in one
//! query.

use super::PgStore;
use super::row;
use crate::store::error::Result;
use crate::store::metric_events::{
    COLUMNS, HANDOFF_COLUMN, MetricEvent, MetricKey, NAME_COLUMNS, Name, Names, WorkflowKey,
};

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
        let mut unknown = Vec::new();
        for r in &rows {
            for i in NAME_COLUMNS {
                if let Some(key) = r.try_get::<_, Option<i32>>(i)?
                    && names.stored(key.into()).is_none()
                    && !unknown.contains(&key)
                {
                    unknown.push(key);
                }
            }
        }
        self.learn_names(&unknown, names)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let handoff = r
                .try_get::<_, Option<&str>>(HANDOFF_COLUMN)?
                .map(|t| names.id(t));
            out.push(MetricEvent::from_cells(
                |i| -> row::Result<Option<Name>> {
                    Ok(r.try_get::<_, Option<i32>>(i)?
                        .and_then(|k| names.stored(k.into())))
                },
                handoff,
                |i| r.try_get::<_, Option<i64>>(i),
            )?);
        }
        Ok(out)
    }

    /// The id of the workflow `key` numbers in `workflow_event_metrics`, if it still exists.
    pub fn metric_workflow(&self, key: WorkflowKey) -> Result<Option<String>> {
        let rows = self.query("SELECT id FROM baton_workflow_keys WHERE key = $1", &[&key])?;
        Ok(rows.first().map(|r| row::text(r, 0)).transpose()?)
    }

    /// Reads what stored names' numbers stand for. A number `baton_names` does not hold (a
    /// row written by hand) stands for its own digits.
    fn learn_names(&self, keys: &[i32], names: &mut Names) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let rows = self.query(
            "SELECT id, name FROM baton_names WHERE id = ANY($1)",
            &[&keys],
        )?;
        for r in &rows {
            let (key, text): (i32, String) = (r.try_get(0)?, r.try_get(1)?);
            names.learn(key.into(), &text);
        }
        for &key in keys {
            if names.stored(key.into()).is_none() {
                names.learn(key.into(), &key.to_string());
            }
        }
        Ok(())
    }
}
