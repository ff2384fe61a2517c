//! The live set counted by phase and role, for `baton metrics`: two aggregates answered
//! from covering indexes (schema 6) whatever the size of history, which compare bytes
//! (schema 11): each query says COLLATE "C" wherever it reads them, or the planner would
//! not use them.

use super::PgStore;
use super::row;
use crate::store::census::{Census, CensusRow, PendingRow};
use crate::store::error::Result;

impl PgStore {
    pub fn census(&self) -> Result<Census> {
        // Grouped in the census index's order, so the groups are counted as the index is
        // walked, with nothing hashed.
        let rows = self.query(
            "SELECT status COLLATE \"C\", current_state COLLATE \"C\",
                    \"current_role\" COLLATE \"C\", count(*)
             FROM build_workflows
             WHERE status COLLATE \"C\" IN ('running', 'paused', 'failed') GROUP BY 1, 2, 3",
            &[],
        )?;
        let mut live = Vec::with_capacity(rows.len());
        for r in &rows {
            live.push(CensusRow {
                status: row::text(r, 0)?,
                phase: row::text(r, 1)?,
                role: row::text(r, 2)?,
                count: row::int(r, 3)?,
            });
        }
        let rows = self.query(
            "SELECT h.to_state COLLATE \"C\", h.to_role COLLATE \"C\", count(*),
                    min(h.created_at)
             FROM workflow_handoffs h
             WHERE h.acknowledged_at IS NULL AND EXISTS (
               SELECT 1 FROM build_workflows w
               WHERE w.status COLLATE \"C\" = 'running'
                 AND w.current_state COLLATE \"C\" = h.to_state COLLATE \"C\"
                 AND w.\"current_role\" COLLATE \"C\" = h.to_role COLLATE \"C\"
                 AND w.id = h.workflow_id)
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
