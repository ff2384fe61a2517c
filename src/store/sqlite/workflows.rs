//! Reading workflows: by id, by prefix or build id, filtered lists, the live set, and
//! what changed since a point in time.

use super::SqliteStore;
use super::row::{self, WORKFLOW_FULL, WORKFLOW_SUMMARY};
use crate::model::{Status, Workflow};
use crate::store::error::{Result, StoreError};
use crate::store::query::{LIVE_STATUSES, RowStamp};

/// The statuses of the live set: everything that can still change.
const LIVE: &str = "('running', 'paused', 'failed')";
use rusqlite::{OptionalExtension, params};

/// The full workflow by exact id, on any connection (also inside a write transaction).
pub(super) fn load(conn: &rusqlite::Connection, id: &str) -> Result<Workflow> {
    conn.prepare_cached(&format!(
        "SELECT {WORKFLOW_FULL} FROM build_workflows WHERE id = ?1"
    ))?
    .query_row([id], row::workflow)
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "workflow",
        key: id.to_string(),
    })
}

impl SqliteStore {
    /// Finds a workflow's id from its id, its build id, or a unique prefix of its id.
    pub fn resolve(&self, key: &str) -> Result<String> {
        let exact: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT id FROM build_workflows WHERE id = ?1
                 UNION ALL SELECT id FROM build_workflows WHERE build_id = ?1 LIMIT 1",
            )?
            .query_row([key], |r| row::text(r, 0))
            .optional()?;
        if let Some(id) = exact {
            return Ok(id);
        }
        if key.is_empty() {
            return Err(StoreError::NotFound {
                what: "workflow",
                key: key.into(),
            });
        }
        // A range on the primary key, so the prefix search uses the index.
        let mut stmt = self.conn.prepare(
            "SELECT id FROM build_workflows WHERE id >= ?1 AND id < ?1 || char(1114111)
             ORDER BY id LIMIT 4",
        )?;
        let ids: Vec<String> = stmt
            .query_map([key], |r| row::text(r, 0))?
            .collect::<rusqlite::Result<_>>()?;
        match ids.len() {
            0 => Err(StoreError::NotFound {
                what: "workflow",
                key: key.into(),
            }),
            1 => Ok(ids.into_iter().next().unwrap_or_default()),
            _ => {
                let count: i64 = self.conn.query_row(
                    "SELECT count(*) FROM build_workflows WHERE id >= ?1 AND id < ?1 || char(1114111)",
                    [key],
                    |r| r.get(0),
                )?;
                Err(StoreError::Ambiguous {
                    prefix: key.into(),
                    count: count as usize,
                    examples: ids.join(", "),
                })
            }
        }
    }

    /// Every workflow that can still change (running, paused, failed), as summary rows.
    pub fn live(&self) -> Result<Vec<Workflow>> {
        // Sized from the counts table up front: growing a 50,000-row vector by doubling
        // would briefly hold one and a half copies of it.
        let expected: i64 = self.conn.query_row(
            &format!(
                "SELECT coalesce(sum(n), 0) FROM workflow_status_counts WHERE status IN {LIVE}"
            ),
            [],
            |r| r.get(0),
        )?;
        let mut out = Vec::with_capacity(usize::try_from(expected).unwrap_or(0).min(1 << 20) + 64);
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {WORKFLOW_SUMMARY} FROM build_workflows WHERE status IN {LIVE}"
        ))?;
        for w in stmt.query_map([], row::workflow)? {
            out.push(w?);
        }
        Ok(out)
    }

    /// The `limit` most recently updated live workflows (summary rows): one bounded,
    /// backward scan of the (status, updated_at) index per live status.
    pub fn recent_live(&self, limit: usize) -> Result<Vec<Workflow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        // One branch per live status, each bound as a parameter.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT * FROM (
               SELECT * FROM (SELECT {WORKFLOW_SUMMARY} FROM build_workflows
                 WHERE status = ?2 ORDER BY updated_at DESC LIMIT ?1)
               UNION ALL
               SELECT * FROM (SELECT {WORKFLOW_SUMMARY} FROM build_workflows
                 WHERE status = ?3 ORDER BY updated_at DESC LIMIT ?1)
               UNION ALL
               SELECT * FROM (SELECT {WORKFLOW_SUMMARY} FROM build_workflows
                 WHERE status = ?4 ORDER BY updated_at DESC LIMIT ?1)
             ) ORDER BY 16 DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map(
            rusqlite::params![limit, LIVE_STATUSES[0], LIVE_STATUSES[1], LIVE_STATUSES[2]],
            row::workflow,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What identifies a version of each workflow whose row or heartbeat changed at or
    /// after `since`: two range scans, each pinned to its index (a plain `UNION` lets the
    /// planner merge two ordered scans of the whole table instead), the second skipping
    /// what the first returned; four columns, not nineteen. The dashboard re-reads a window of changes on every
    /// poll and fetches whole rows only for stamps it has not seen.
    pub fn changed_stamps_since(&self, since: &str) -> Result<Vec<RowStamp>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, version, heartbeat_at, updated_at
               FROM build_workflows INDEXED BY idx_workflows_updated
               WHERE updated_at >= ?1
             UNION ALL
             SELECT id, version, heartbeat_at, updated_at
               FROM build_workflows INDEXED BY idx_workflows_heartbeat
               WHERE heartbeat_at >= ?1 AND NOT updated_at >= ?1",
        )?;
        let rows = stmt.query_map([since], |r| {
            Ok(RowStamp {
                id: row::text(r, 0)?,
                version: row::int(r, 1)?,
                heartbeat_at: row::opt_text(r, 2)?,
                updated_at: row::text(r, 3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The live set in chunks of `chunk` summary rows, newest change first within each
    /// status (running, paused, failed: a backward scan of the status index, no sort),
    /// handed to `each` as they are read (return false to stop), so a caller never holds all
    /// of it twice.
    pub fn live_chunks(
        &self,
        chunk: usize,
        mut each: impl FnMut(Vec<Workflow>) -> bool,
    ) -> Result<()> {
        let chunk = chunk.max(1);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {WORKFLOW_SUMMARY} FROM build_workflows WHERE status = ?1
             ORDER BY updated_at DESC"
        ))?;
        let mut batch = Vec::with_capacity(chunk);
        for status in LIVE_STATUSES {
            for w in stmt.query_map([status], row::workflow)? {
                batch.push(w?);
                if batch.len() == chunk {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(chunk));
                    if !each(full) {
                        return Ok(());
                    }
                }
            }
        }
        if !batch.is_empty() {
            each(batch);
        }
        Ok(())
    }

    /// Workflows by id, summary rows; ids that do not exist are skipped.
    pub fn workflows_by_id(&self, ids: &[String]) -> Result<Vec<Workflow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {WORKFLOW_SUMMARY} FROM build_workflows WHERE id = ?1"
        ))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(w) = stmt.query_row([id], row::workflow).optional()? {
                out.push(w);
            }
        }
        Ok(out)
    }

    /// Number of workflows in each status (unknown statuses under `Unknown`), read from the
    /// counts table that triggers keep exact (migration 0002): a handful of rows, whatever
    /// the size of history, and rows written by other programs are counted too.
    pub fn status_counts(&self) -> Result<Vec<(Status, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT status, n FROM workflow_status_counts WHERE n != 0")?;
        let rows = stmt.query_map(params![], |r| {
            Ok((Status::parse(&row::text(r, 0)?), row::int(r, 1)?))
        })?;
        let mut out: Vec<(Status, i64)> = Vec::new();
        for r in rows {
            let (s, n) = r?;
            match out.iter_mut().find(|(t, _)| *t == s) {
                Some((_, m)) => *m += n,
                None => out.push((s, n)),
            }
        }
        out.sort();
        Ok(out)
    }
}
