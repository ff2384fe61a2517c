//! Removing finished workflows for `baton prune`: one batch per short `BEGIN IMMEDIATE`
//! transaction, each row checked again inside it, and the freed pages handed back.

use super::SqliteStore;
use crate::store::error::{Result, StoreError};
use crate::store::prune::{FINISHED_SQL, Reclaimed};
use rusqlite::{TransactionBehavior, params};

/// Pages `incremental_vacuum` frees per transaction: the write lock is held only that long.
const VACUUM_STEP: i64 = 2_000;

impl SqliteStore {
    pub fn delete_finished(&mut self, ids: &[String], before: &str) -> Result<usize> {
        if self.read_only {
            return Err(StoreError::ReadOnly("prune needs to write".into()));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(e, "prune"))?;
        let mut n = 0;
        {
            // Handoffs, checkpoints and events go with their workflow (ON DELETE CASCADE).
            let mut del = tx.prepare_cached(&format!(
                "DELETE FROM build_workflows WHERE id = ?1 AND updated_at < ?2 AND {FINISHED_SQL}"
            ))?;
            for id in ids {
                n += del
                    .execute(params![id, before])
                    .map_err(|e| StoreError::from_sqlite(e, "prune"))?;
            }
        }
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(e, "prune"))?;
        Ok(n)
    }

    /// Gives freed pages back to the file system where the database allows it
    /// (`auto_vacuum = INCREMENTAL`, as baton creates them), a step at a time.
    pub fn reclaim(&mut self) -> Result<Reclaimed> {
        give_back(&self.conn, "prune")
    }
}

/// Returns the file's free pages to the file system, a step per transaction, where the file
/// frees pages incrementally; otherwise says how much is free for reuse.
pub(super) fn give_back(conn: &rusqlite::Connection, during: &str) -> Result<Reclaimed> {
    let mode: i64 = conn.query_row("PRAGMA auto_vacuum", [], |r| r.get(0))?;
    let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    let free = |c: &rusqlite::Connection| -> Result<i64> {
        Ok(c.query_row("PRAGMA freelist_count", [], |r| r.get(0))?)
    };
    let before = free(conn)?;
    if mode != 2 {
        return Ok(Reclaimed::Reusable {
            bytes: before * page,
        });
    }
    loop {
        let left = free(conn)?;
        if left == 0 {
            break;
        }
        conn.execute_batch(&format!("PRAGMA incremental_vacuum({VACUUM_STEP})"))
            .map_err(|e| StoreError::from_sqlite(e, during))?;
        if free(conn)? >= left {
            break;
        }
    }
    Ok(Reclaimed::Returned {
        bytes: (before - free(conn)?) * page,
    })
}
