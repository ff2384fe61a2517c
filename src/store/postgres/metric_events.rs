//! The window's events with their metric fields, from `workflow_event_metrics` (schema 7):
//! one range of a narrow table ordered by time, no JSON read, each name looked up in
//! [`Names`] straight from the row's buffer.

use super::PgStore;
use super::row;
use crate::store::error::Result;
use crate::store::metric_events::{MetricEvent, MetricKey, Name, Names};

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
            "SELECT at_ms, seq, workflow_id, event_type, from_state, to_state, from_role,
                    to_role, phase, \"role\", handoff_id, in_phase_secs, waited_secs
             FROM workflow_event_metrics
             WHERE (at_ms, seq) > ($1, $2) AND at_ms <= $3
             ORDER BY at_ms, seq LIMIT $4",
            &[&after.at_ms, &after.seq, &until_ms, &limit],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut name = |i: usize| -> row::Result<Option<Name>> {
                Ok(r.try_get::<_, Option<&str>>(i)?.map(|t| names.id(t)))
            };
            out.push(MetricEvent {
                workflow: name(2)?.unwrap_or_default(),
                event_type: name(3)?.unwrap_or_default(),
                from: name(4)?,
                to: name(5)?,
                from_role: name(6)?,
                to_role: name(7)?,
                phase: name(8)?,
                role: name(9)?,
                handoff_id: name(10)?,
                at_ms: row::int(r, 0)?,
                seq: row::int(r, 1)?,
                in_phase_secs: r.try_get(11)?,
                waited_secs: r.try_get(12)?,
            });
        }
        Ok(out)
    }
}
