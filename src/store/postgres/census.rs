//! The live set counted by phase and role, for `baton metrics`: two aggregates answered
//! from covering indexes (schema 6), whatever the size of history.

use super::PgStore;
use super::row;
use crate::store::census::{Census, CensusRow, PendingRow};
use crate::store::error::Result;

impl PgStore {
    pub fn census(&self) -> Result<Census> {
        let rows = self.query(
            "SELECT current_state, \"current_role\", status, count(*) FROM build_workflows
             WHERE status IN ('running', 'paused', 'failed') GROUP BY 1, 2, 3",
            &[],
        )?;
        let mut live = Vec::with_capacity(rows.len());
        for r in &rows {
            live.push(CensusRow {
                phase: row::text(r, 0)?,
                role: row::text(r, 1)?,
                status: row::text(r, 2)?,
                count: row::int(r, 3)?,
            });
        }
        let rows = self.query(
            "SELECT h.to_state, h.to_role, count(*), min(h.created_at)
             FROM workflow_handoffs h
             WHERE h.acknowledged_at IS NULL AND EXISTS (
               SELECT 1 FROM build_workflows w
               WHERE w.status = 'running' AND w.current_state = h.to_state
                 AND w.\"current_role\" = h.to_role AND w.id = h.workflow_id)
             GROUP BY 1, 2",
            &[],
        )?;
        let mut pending = Vec::with_capacity(rows.len());
        for r in &rows {
            pending.push(PendingRow {
                phase: row::text(r, 0)?,
                role: row::text(r, 1)?,
                count: row::int(r, 2)?,
                oldest: row::opt_time(r, 3)?,
            });
        }
        Ok(Census { live, pending })
    }
}
