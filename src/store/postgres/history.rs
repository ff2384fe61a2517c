//! Reading the trail a workflow leaves: handoffs, checkpoints and events.

use super::PgStore;
use super::row::{self, CHECKPOINT, EVENT, HANDOFF, prefixed};
use crate::model::checkpoint_patch;
use crate::model::{Checkpoint, Event, Handoff};
use crate::store::error::Result;
use crate::store::query::{EventQuery, one_handoff};
use postgres::GenericClient;

fn handoffs(rows: Vec<postgres::Row>) -> Result<Vec<Handoff>> {
    Ok(rows
        .iter()
        .map(row::handoff)
        .collect::<row::Result<Vec<_>>>()?)
}

fn events(rows: Vec<postgres::Row>) -> Result<Vec<Event>> {
    Ok(rows
        .iter()
        .map(row::event)
        .collect::<row::Result<Vec<_>>>()?)
}

impl PgStore {
    pub fn handoffs(&self, workflow_id: &str, limit: usize) -> Result<Vec<Handoff>> {
        let limit = limit as i64;
        let mut out = handoffs(self.query(
            &format!(
                "SELECT {HANDOFF} FROM workflow_handoffs WHERE workflow_id = $1
                 ORDER BY created_at DESC, id DESC LIMIT $2"
            ),
            &[&workflow_id, &limit],
        )?)?;
        out.reverse();
        Ok(out)
    }

    pub fn handoff(&self, key: &str) -> Result<Handoff> {
        let found = handoffs(self.query(
            &format!(
                "SELECT {HANDOFF} FROM workflow_handoffs
                 WHERE id >= $1 AND id < $1 || chr(1114111) ORDER BY id LIMIT 2"
            ),
            &[&key],
        )?)?;
        one_handoff(found, key)
    }

    /// Unacknowledged handoffs of live workflows, oldest first: the live set drives the
    /// query, each live workflow probing the partial index of pending handoffs.
    pub fn pending_handoffs(&self) -> Result<Vec<Handoff>> {
        handoffs(self.query(
            &format!(
                "SELECT {} FROM build_workflows w JOIN workflow_handoffs h
                   ON h.workflow_id = w.id AND h.acknowledged_at IS NULL
                 WHERE w.status COLLATE \"C\" IN ('running', 'paused', 'failed')
                 ORDER BY h.created_at",
                prefixed("h", HANDOFF)
            ),
            &[],
        )?)
    }

    pub fn pending_handoffs_of(&self, workflow_ids: &[String]) -> Result<Vec<Handoff>> {
        if workflow_ids.is_empty() {
            return Ok(Vec::new());
        }
        handoffs(self.query(
            &format!(
                "SELECT {HANDOFF} FROM workflow_handoffs
                 WHERE workflow_id = ANY($1) AND acknowledged_at IS NULL ORDER BY created_at"
            ),
            &[&workflow_ids],
        )?)
    }

    pub fn checkpoints(&self, workflow_id: &str) -> Result<Vec<Checkpoint>> {
        let mut client = self.client.borrow_mut();
        self.checkpoints_in(&mut *client, workflow_id, "reading the database")
    }

    /// A workflow's checkpoints, oldest first, each made whole (a patch needs every one
    /// before it), read inside `client`.
    pub(super) fn checkpoints_in(
        &self,
        client: &mut impl GenericClient,
        workflow_id: &str,
        during: &str,
    ) -> Result<Vec<Checkpoint>> {
        let rows = self.query_in(
            client,
            &format!(
                "SELECT {CHECKPOINT} FROM workflow_checkpoints WHERE workflow_id = $1
                 ORDER BY version, created_at, id"
            ),
            &[&workflow_id],
            during,
        )?;
        Ok(checkpoint_patch::expand(
            rows.iter()
                .map(row::checkpoint)
                .collect::<row::Result<Vec<_>>>()?,
        ))
    }

    /// The events `q` selects, oldest first: a range scan of `seq` (or of the
    /// `(workflow_id, seq)` index), the other filters applied to the rows it passes.
    pub fn events(&self, q: &EventQuery) -> Result<Vec<Event>> {
        let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
        let before = q.before_seq.unwrap_or(i64::MAX);
        let mut args: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&q.after_seq, &before];
        let mut sql = format!("SELECT {EVENT} FROM workflow_events WHERE seq > $1 AND seq < $2");
        if let Some(w) = &q.workflow {
            args.push(w);
            sql.push_str(&format!(" AND workflow_id = ${}", args.len()));
        }
        if !q.types.is_empty() {
            args.push(&q.types);
            sql.push_str(&format!(" AND event_type = ANY(${})", args.len()));
        }
        if let Some(a) = &q.actor {
            args.push(a);
            // starts_with: no LIKE, so no wildcard in `a`.
            sql.push_str(&format!(" AND starts_with(triggered_by, ${})", args.len()));
        }
        args.push(&limit);
        let order = if q.newest { "DESC" } else { "ASC" };
        sql.push_str(&format!(" ORDER BY seq {order} LIMIT ${}", args.len()));
        let mut out = events(self.query(&sql, &args)?)?;
        if q.newest {
            out.reverse();
        }
        Ok(out)
    }

    pub fn recent_events(&self, workflow: Option<&str>, limit: usize) -> Result<Vec<Event>> {
        self.events(&EventQuery {
            workflow: workflow.map(str::to_string),
            newest: true,
            limit,
            ..EventQuery::default()
        })
    }

    pub fn max_seq(&self) -> Result<i64> {
        let rows = self.query("SELECT coalesce(max(seq), 0) FROM workflow_events", &[])?;
        Ok(row::int(&rows[0], 0)?)
    }
}
