//! The live set counted by phase and role, for `baton metrics`: two aggregates the status
//! index and the partial index of pending handoffs serve, whatever the size of history.

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
            "SELECT h.to_state, h.to_role, count(*), min(h.created_at) FROM build_workflows w
             JOIN workflow_handoffs h ON h.workflow_id = w.id AND h.acknowledged_at IS NULL
             WHERE w.status = 'running' GROUP BY 1, 2",
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
