//! Reading the trail a workflow leaves: handoffs, checkpoints and events.

use super::SqliteStore;
use super::row::{self, CHECKPOINT, EVENT, HANDOFF};
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
        let mut stmt = self.conn.prepare(&format!(
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
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CHECKPOINT} FROM workflow_checkpoints WHERE workflow_id = ?1 ORDER BY version, rowid"
        ))?;
        let rows = stmt.query_map([workflow_id], row::checkpoint)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Events after `q.after_seq`, oldest first, at most `q.limit`.
    pub fn events(&self, q: &EventQuery) -> Result<Vec<Event>> {
        let limit = q.limit as i64;
        let (sql, args): (String, Vec<&dyn ToSql>) = match &q.workflow {
            Some(w) => (
                format!(
                    "SELECT {EVENT} FROM workflow_events WHERE workflow_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
                ),
                vec![w, &q.after_seq, &limit],
            ),
            None => (
                format!("SELECT {EVENT} FROM workflow_events WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
                vec![&q.after_seq, &limit],
            ),
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args.as_slice(), row::event)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest `limit` events (of one workflow, or all), oldest first.
    pub fn recent_events(&self, workflow: Option<&str>, limit: usize) -> Result<Vec<Event>> {
        let limit = limit as i64;
        let mut events: Vec<Event> = match workflow {
            Some(w) => {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {EVENT} FROM workflow_events WHERE workflow_id = ?1 ORDER BY seq DESC LIMIT ?2"
                ))?;
                stmt.query_map((w, limit), row::event)?
                    .collect::<rusqlite::Result<_>>()?
            }
            None => {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {EVENT} FROM workflow_events ORDER BY seq DESC LIMIT ?1"
                ))?;
                stmt.query_map([limit], row::event)?
                    .collect::<rusqlite::Result<_>>()?
            }
        };
        events.reverse();
        Ok(events)
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
