//! Reading workflows: by id, by prefix or build id, filtered lists, the live set, and what
//! changed since a point in time.

use super::PgStore;
use super::row::{self, WORKFLOW_FULL, WORKFLOW_SUMMARY};
use crate::model::{Status, Workflow};
use crate::store::error::{Result, StoreError};
use crate::store::query::{LIVE_STATUSES, RowStamp};

fn workflows(rows: Vec<postgres::Row>) -> Result<Vec<Workflow>> {
    Ok(rows
        .iter()
        .map(row::workflow)
        .collect::<row::Result<Vec<_>>>()?)
}

fn not_found(key: &str) -> StoreError {
    StoreError::NotFound {
        what: "workflow",
        key: key.to_string(),
    }
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl PgStore {
    pub fn workflow(&self, id: &str) -> Result<Workflow> {
        let rows = self.query(
            &format!("SELECT {WORKFLOW_FULL} FROM build_workflows WHERE id = $1"),
            &[&id],
        )?;
        match rows.first() {
            Some(r) => Ok(row::workflow(r)?),
            None => Err(not_found(id)),
        }
    }

    pub fn resolve(&self, key: &str) -> Result<String> {
        let exact = self.query(
            "SELECT id FROM build_workflows WHERE id = $1
             UNION ALL SELECT id FROM build_workflows WHERE build_id = $1 LIMIT 1",
            &[&key],
        )?;
        if let Some(r) = exact.first() {
            return Ok(row::text(r, 0)?);
        }
        if key.is_empty() {
            return Err(not_found(key));
        }
        // A range on the primary key ("C" collation: byte order), so the prefix search
        // uses the index.
        let ids: Vec<String> = self
            .query(
                "SELECT id FROM build_workflows WHERE id >= $1 AND id < $1 || chr(1114111)
                 ORDER BY id LIMIT 4",
                &[&key],
            )?
            .iter()
            .map(|r| row::text(r, 0))
            .collect::<row::Result<_>>()?;
        match ids.len() {
            0 => Err(not_found(key)),
            1 => Ok(ids.into_iter().next().unwrap_or_default()),
            _ => {
                let count: i64 = self.query(
                    "SELECT count(*) FROM build_workflows WHERE id >= $1 AND id < $1 || chr(1114111)",
                    &[&key],
                )?[0]
                    .get(0);
                Err(StoreError::Ambiguous {
                    prefix: key.into(),
                    count: count as usize,
                    examples: ids.join(", "),
                })
            }
        }
    }

    pub fn live(&self) -> Result<Vec<Workflow>> {
        workflows(self.query(
            &format!("SELECT {WORKFLOW_SUMMARY} FROM build_workflows WHERE status = ANY($1)"),
            &[&&LIVE_STATUSES[..]],
        )?)
    }

    /// One bounded backward scan of the (status, updated_at) index per live status.
    pub fn recent_live(&self, n: usize) -> Result<Vec<Workflow>> {
        let sql = format!(
            "SELECT * FROM (
               (SELECT {WORKFLOW_SUMMARY} FROM build_workflows WHERE status = $2
                ORDER BY updated_at DESC LIMIT $1)
               UNION ALL
               (SELECT {WORKFLOW_SUMMARY} FROM build_workflows WHERE status = $3
                ORDER BY updated_at DESC LIMIT $1)
               UNION ALL
               (SELECT {WORKFLOW_SUMMARY} FROM build_workflows WHERE status = $4
                ORDER BY updated_at DESC LIMIT $1)
             ) AS live ORDER BY 16 DESC LIMIT $1"
        );
        let [a, b, c] = LIVE_STATUSES;
        workflows(self.query(&sql, &[&limit(n), &a, &b, &c])?)
    }

    /// Two range scans, each on its index; the second skips what the first returned.
    pub fn changed_stamps_since(&self, since: &str) -> Result<Vec<RowStamp>> {
        // A typed time, not text cast on the server: planned for its value (the session
        // plans each run), the window's width is known and each branch uses its index.
        let since = crate::model::time::parse(since)
            .ok_or_else(|| StoreError::Invalid(format!("not a time: {since}")))?;
        let rows = self.query(
            "SELECT id, version, heartbeat_at, updated_at FROM build_workflows
               WHERE updated_at >= $1
             UNION ALL
             SELECT id, version, heartbeat_at, updated_at FROM build_workflows
               WHERE heartbeat_at >= $1 AND NOT updated_at >= $1",
            &[&since],
        )?;
        rows.iter()
            .map(|r| {
                Ok(RowStamp {
                    id: row::text(r, 0)?,
                    version: row::int(r, 1)?,
                    heartbeat_at: row::opt_time(r, 2)?,
                    updated_at: row::time_text(r, 3)?,
                })
            })
            .collect()
    }

    /// The live set a page at a time, newest change first within each status: keyset pages
    /// on (updated_at, id) at the server's full precision (the cursor is the server's own
    /// text for the time, which reads back exactly, `infinity` included), so no row is
    /// skipped or repeated, and the connection is free between pages for `each` to use.
    pub fn live_chunks(
        &self,
        chunk: usize,
        each: &mut dyn FnMut(Vec<Workflow>) -> bool,
    ) -> Result<()> {
        let chunk = limit(chunk.max(1));
        let first = format!(
            "SELECT {WORKFLOW_SUMMARY}, updated_at::text AS page_at FROM build_workflows
             WHERE status = $1 ORDER BY build_workflows.updated_at DESC, id DESC LIMIT $2"
        );
        let next = format!(
            "SELECT {WORKFLOW_SUMMARY}, updated_at::text AS page_at FROM build_workflows
             WHERE status = $1 AND (updated_at, id) < ($3::text::timestamptz, $4)
             ORDER BY build_workflows.updated_at DESC, id DESC LIMIT $2"
        );
        for status in LIVE_STATUSES {
            let mut cursor: Option<(String, String)> = None;
            loop {
                let rows = match &cursor {
                    None => self.query(&first, &[&status, &chunk])?,
                    Some((at, id)) => self.query(&next, &[&status, &chunk, at, id])?,
                };
                let Some(last) = rows.last() else { break };
                cursor = Some((row::text(last, 19)?, row::text(last, 0)?));
                let full = rows.len() as i64 == chunk;
                if !each(workflows(rows)?) {
                    return Ok(());
                }
                if !full {
                    break;
                }
            }
        }
        Ok(())
    }

    pub fn workflows_by_id(&self, ids: &[String]) -> Result<Vec<Workflow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        workflows(self.query(
            &format!("SELECT {WORKFLOW_SUMMARY} FROM build_workflows WHERE id = ANY($1)"),
            &[&ids],
        )?)
    }

    /// Sums the shards the triggers keep (migration 0002): a handful of rows.
    pub fn status_counts(&self) -> Result<Vec<(Status, i64)>> {
        let rows = self.query(
            "SELECT status, sum(n)::bigint FROM workflow_status_counts
             GROUP BY status HAVING sum(n) != 0",
            &[],
        )?;
        let mut out: Vec<(Status, i64)> = Vec::new();
        for r in &rows {
            let (s, n) = (Status::parse(&row::text(r, 0)?), row::int(r, 1)?);
            match out.iter_mut().find(|(t, _)| *t == s) {
                Some((_, m)) => *m += n,
                None => out.push((s, n)),
            }
        }
        out.sort();
        Ok(out)
    }
}
