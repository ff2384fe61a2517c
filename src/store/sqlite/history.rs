//! Reading the trail a workflow leaves: handoffs, checkpoints and events.

use super::SqliteStore;
use super::row::{self, CHECKPOINT, EVENT, HANDOFF};
use crate::model::checkpoint_patch;
use crate::model::{Checkpoint, Event, Handoff};
use crate::store::error::Result;
use crate::store::query::{EventQuery, one_handoff};
use crate::store::rows::prefixed;
use rusqlite::{OptionalExtension, ToSql};

impl SqliteStore {
    /// A workflow's handoffs, oldest first (at most `limit`, the most recent ones).
    pub fn handoffs(&self, workflow_id: &str, limit: usize) -> Result<Vec<Handoff>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT * FROM (SELECT {HANDOFF}, rowid AS r FROM workflow_handoffs WHERE workflow_id = ?1
             ORDER BY created_at DESC, r DESC LIMIT ?2) ORDER BY created_at, r"
        ))?;
        let rows = stmt.query_map((workflow_id, limit as i64), row::handoff)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A handoff by exact id or unique id prefix.
    pub fn handoff(&self, key: &str) -> Result<Handoff> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {HANDOFF} FROM workflow_handoffs WHERE id >= ?1 AND id < ?1 || char(1114111)
             ORDER BY id LIMIT 2"
        ))?;
        let found: Vec<Handoff> = stmt
            .query_map([key], row::handoff)?
            .collect::<rusqlite::Result<_>>()?;
        one_handoff(found, key)
    }

    /// Unacknowledged handoffs of live workflows, oldest first. The live set drives the
    /// query (status index), and each live workflow probes the partial index of pending
    /// handoffs by workflow: the cost follows the live set, never the unacknowledged
    /// handoffs that finished workflows left behind in history.
    pub fn pending_handoffs(&self) -> Result<Vec<Handoff>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {} FROM build_workflows w
             CROSS JOIN workflow_handoffs h INDEXED BY idx_handoffs_pending_workflow
               ON h.workflow_id = w.id AND h.acknowledged_at IS NULL
             WHERE w.status IN ('running', 'paused', 'failed')",
            prefixed("h", HANDOFF)
        ))?;
        let rows = stmt.query_map([], row::handoff)?;
        let mut out: Vec<Handoff> = rows.collect::<rusqlite::Result<_>>()?;
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        Ok(out)
    }

    /// Unacknowledged handoffs of the given workflows (whatever their status), oldest
    /// first: one probe of the partial index per workflow.
    pub fn pending_handoffs_of(&self, workflow_ids: &[String]) -> Result<Vec<Handoff>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {HANDOFF} FROM workflow_handoffs INDEXED BY idx_handoffs_pending_workflow
             WHERE workflow_id = ?1 AND acknowledged_at IS NULL"
        ))?;
        let mut out = Vec::new();
        for id in workflow_ids {
            let rows = stmt.query_map([id], row::handoff)?;
            for h in rows {
                out.push(h?);
            }
        }
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        Ok(out)
    }

    /// A workflow's checkpoints, oldest first.
    pub fn checkpoints(&self, workflow_id: &str) -> Result<Vec<Checkpoint>> {
        checkpoints_of(&self.conn, workflow_id)
    }

    /// The events `q` selects, oldest first: a range scan of `seq` (or of the
    /// `(workflow_id, seq)` index), the other filters applied to the rows it passes.
    pub fn events(&self, q: &EventQuery) -> Result<Vec<Event>> {
        let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
        let before = q.before_seq.unwrap_or(i64::MAX);
        let mut args: Vec<&dyn ToSql> = vec![&q.after_seq, &before];
        let mut sql = format!("SELECT {EVENT} FROM workflow_events WHERE seq > ?1 AND seq < ?2");
        if let Some(w) = &q.workflow {
            args.push(w);
            sql.push_str(&format!(" AND workflow_id = ?{}", args.len()));
        }
        if !q.types.is_empty() {
            let first = args.len() + 1;
            for t in &q.types {
                args.push(t);
            }
            let marks: Vec<String> = (first..=args.len()).map(|i| format!("?{i}")).collect();
            sql.push_str(&format!(" AND event_type IN ({})", marks.join(", ")));
        }
        let actor_len;
        if let Some(a) = &q.actor {
            actor_len = a.len() as i64;
            args.push(a);
            args.push(&actor_len);
            // A prefix on bytes, as `substr` on a blob: no LIKE, so no wildcard in `a`.
            sql.push_str(&format!(
                " AND substr(CAST(triggered_by AS BLOB), 1, ?{n}) = CAST(?{a} AS BLOB)",
                n = args.len(),
                a = args.len() - 1
            ));
        }
        args.push(&limit);
        let order = if q.newest { "DESC" } else { "ASC" };
        sql.push_str(&format!(" ORDER BY seq {order} LIMIT ?{}", args.len()));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args.as_slice(), row::event)?;
        let mut events: Vec<Event> = rows.collect::<rusqlite::Result<_>>()?;
        if q.newest {
            events.reverse();
        }
        Ok(events)
    }

    /// The newest `limit` events (of one workflow, or all), oldest first.
    pub fn recent_events(&self, workflow: Option<&str>, limit: usize) -> Result<Vec<Event>> {
        self.events(&EventQuery {
            workflow: workflow.map(str::to_string),
            newest: true,
            limit,
            ..EventQuery::default()
        })
    }

    /// The highest event sequence number, 0 when there are none.
    pub fn max_seq(&self) -> Result<i64> {
        let seq: Option<i64> = self
            .conn
            .query_row("SELECT max(seq) FROM workflow_events", [], |r| r.get(0))
            .optional()?
            .flatten();
        Ok(seq.unwrap_or(0))
    }
}

/// A workflow's checkpoints, oldest first, each made whole: a patch needs every one before
/// it. Read in or out of a transaction.
pub(super) fn checkpoints_of(conn: &rusqlite::Connection, id: &str) -> Result<Vec<Checkpoint>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHECKPOINT} FROM workflow_checkpoints WHERE workflow_id = ?1 ORDER BY version, rowid"
    ))?;
    let rows = stmt.query_map([id], row::checkpoint)?;
    Ok(checkpoint_patch::expand(
        rows.collect::<rusqlite::Result<Vec<_>>>()?,
    ))
}
