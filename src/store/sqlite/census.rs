//! The live set counted by phase and role, for `baton metrics`: two aggregates answered
//! from covering indexes (schema 6), whatever the size of history.

use super::SqliteStore;
use crate::store::census::{Census, CensusRow, PendingRow};
use crate::store::error::Result;

impl SqliteStore {
    pub fn census(&self) -> Result<Census> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT current_state, \"current_role\", status, count(*)
             FROM build_workflows INDEXED BY idx_workflows_census
             WHERE status IN ('running', 'paused', 'failed') GROUP BY 1, 2, 3",
        )?;
        let live = stmt
            .query_map([], |r| {
                Ok(CensusRow {
                    phase: r.get(0)?,
                    role: r.get(1)?,
                    status: r.get(2)?,
                    count: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.to_state, h.to_role, count(*), min(h.created_at)
             FROM workflow_handoffs h INDEXED BY idx_handoffs_pending
             WHERE h.acknowledged_at IS NULL AND EXISTS (
               SELECT 1 FROM build_workflows w INDEXED BY idx_workflows_census
               WHERE w.status = 'running' AND w.current_state = h.to_state
                 AND w.\"current_role\" = h.to_role AND w.id = h.workflow_id)
             GROUP BY 1, 2",
        )?;
        let pending = stmt
            .query_map([], |r| {
                Ok(PendingRow {
                    phase: r.get(0)?,
                    role: r.get(1)?,
                    count: r.get(2)?,
                    oldest: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Census { live, pending })
    }
}
