//! The window's events with their metric fields, taken from the stored `jsonb` by the
//! server (`->>`), so only those few values travel and are decoded.

use super::PgStore;
use super::row;
use crate::store::error::Result;
use crate::store::metric_events::{Fields, KEYS, MetricEvent};
use serde_json::Value;

impl PgStore {
    pub fn metric_events(&self, after_seq: i64, limit: usize) -> Result<Vec<MetricEvent>> {
        let fields: Vec<String> = KEYS.iter().map(|k| format!("event_data->>'{k}'")).collect();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.query(
            &format!(
                "SELECT seq, workflow_id, event_type, created_at, {}
                 FROM workflow_events WHERE seq > $1 ORDER BY seq LIMIT $2",
                fields.join(", ")
            ),
            &[&after_seq, &limit],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let base = MetricEvent {
                seq: row::int(r, 0)?,
                workflow_id: row::text(r, 1)?,
                event_type: row::text(r, 2)?,
                created_at: row::time_text(r, 3)?,
                ..MetricEvent::default()
            };
            let mut f = Vec::with_capacity(KEYS.len());
            for i in 0..KEYS.len() {
                f.push(row::opt_text(r, 4 + i)?.map(Value::String));
            }
            let mut f = f.into_iter();
            let mut next = || f.next().flatten();
            let fields = Fields {
                from: next(),
                to: next(),
                from_role: next(),
                to_role: next(),
                phase: next(),
                role: next(),
                handoff_id: next(),
                in_phase_secs: next(),
                waited_secs: next(),
            };
            out.push(base.with(fields));
        }
        Ok(out)
    }
}
