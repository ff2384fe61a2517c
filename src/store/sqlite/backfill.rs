//! Bulk loading: whole workflow histories written many per transaction with prepared
//! statements, for `baton simulate --backfill`. The rows are the ones the engine would have
//! written one operation at a time; the status-count triggers keep counting as usual.

use super::SqliteStore;
use crate::store::error::{Result, StoreError};
use crate::store::trail::Encoded;
use rusqlite::{TransactionBehavior, params};

/// Page cache for a bulk load, in KiB: big enough to keep the indexes that take random
/// inserts (by workflow id) in memory for a 1M-workflow history.
const BULK_CACHE_KIB: i64 = 1_000_000;

impl SqliteStore {
    /// Gives this connection a large page cache for bulk loading. Only the loading
    /// process's memory grows; the file is unaffected.
    pub fn tune_for_bulk(&mut self) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
        Ok(())
    }

    /// Writes every trail in `batch` in one `BEGIN IMMEDIATE` transaction, all or nothing.
    pub fn backfill(&mut self, batch: &[Encoded]) -> Result<()> {
        if self.read_only {
            return Err(StoreError::ReadOnly("backfill needs to write".into()));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(e, "backfill"))?;
        {
            let mut wf = tx.prepare_cached(
                "INSERT INTO build_workflows (id, build_id, project_id, user_id, definition,
                   current_state, current_role, status, phase_outputs, retry_count, max_retries,
                   last_error, version, metadata, created_at, updated_at, completed_at,
                   heartbeat_at, state_entered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                   ?17, ?18, ?19)",
            )?;
            let mut ho = tx.prepare_cached(
                "INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role, from_state,
                   to_state, kind, data_transferred, created_at, acknowledged_at, acknowledged_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            let mut cp = tx.prepare_cached(
                "INSERT INTO workflow_checkpoints (id, workflow_id, state, phase_outputs,
                   retry_count, version, created_at, base_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut ev = tx.prepare_cached(
                "INSERT INTO workflow_events (id, workflow_id, event_type, triggered_by,
                   event_data, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for e in batch {
                let (t, mut json) = (&e.trail, e.json.iter().map(String::as_str));
                let mut text = move || json.next().unwrap_or("{}");
                let w = &t.workflow;
                wf.execute(params![
                    w.id,
                    w.build_id.as_str(),
                    w.project_id.as_str(),
                    w.user_id.as_deref(),
                    w.definition.as_str(),
                    w.current_state.as_str(),
                    w.current_role.as_str(),
                    w.status.as_str(),
                    text(),
                    w.retry_count,
                    w.max_retries,
                    w.last_error,
                    w.version,
                    text(),
                    w.created_at.as_str(),
                    w.updated_at.as_str(),
                    w.completed_at.as_deref(),
                    w.heartbeat_at.as_deref(),
                    w.state_entered_at.as_deref()
                ])?;
                for h in &t.handoffs {
                    ho.execute(params![
                        h.id,
                        w.id,
                        h.from_role,
                        h.to_role,
                        h.from_state,
                        h.to_state,
                        h.kind.as_str(),
                        text(),
                        h.created_at,
                        h.acknowledged_at,
                        h.acknowledged_by
                    ])?;
                }
                for (c, base) in t.checkpoints.iter().zip(&e.checkpoint_bases) {
                    cp.execute(params![
                        c.id,
                        w.id,
                        c.state,
                        text(),
                        c.retry_count,
                        c.version,
                        c.created_at,
                        base
                    ])?;
                }
                for ev_row in &t.events {
                    ev.execute(params![
                        ev_row.id,
                        w.id,
                        ev_row.event_type,
                        ev_row.triggered_by,
                        text(),
                        ev_row.created_at
                    ])?;
                }
            }
        }
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(e, "backfill"))?;
        Ok(())
    }
}
