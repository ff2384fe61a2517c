//! Bulk loading for `baton simulate --backfill`: whole histories written with `COPY`, one
//! transaction per batch. The status-count triggers fire for copied rows as for any other.
//! Once loaded, the tables are settled into the shape a year of row-by-row writing leaves:
//! the metrics projection in time order, the visibility map set, statistics gathered.

use super::PgStore;
use super::error::classify;
use crate::store::error::Result;
use crate::store::trail::Encoded;
use std::fmt::Write as _;
use std::io::Write as _;

/// One row of COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
#[derive(Default)]
struct Lines(String, bool);

impl Lines {
    fn field(&mut self, v: Option<&str>) -> &mut Self {
        // .1: a field has been written on the current line.
        if self.1 {
            self.0.push('\t');
        }
        self.1 = true;
        match v {
            None => self.0.push_str("\\N"),
            Some(s) => {
                for c in s.chars() {
                    match c {
                        '\\' => self.0.push_str("\\\\"),
                        '\t' => self.0.push_str("\\t"),
                        '\n' => self.0.push_str("\\n"),
                        '\r' => self.0.push_str("\\r"),
                        c => self.0.push(c),
                    }
                }
            }
        }
        self
    }

    fn text(&mut self, v: &str) -> &mut Self {
        self.field(Some(v))
    }

    fn int(&mut self, v: i64) -> &mut Self {
        let mut s = String::new();
        let _ = write!(s, "{v}");
        self.field(Some(&s))
    }

    fn opt_int(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int(v),
            None => self.field(None),
        }
    }

    fn end(&mut self) {
        self.0.push('\n');
        self.1 = false;
    }
}

impl PgStore {
    pub fn backfill(&mut self, batch: &[Encoded]) -> Result<()> {
        self.refuse_writes("backfill")?;
        let (mut wf, mut ho, mut cp, mut ev) = (
            Lines::default(),
            Lines::default(),
            Lines::default(),
            Lines::default(),
        );
        for e in batch {
            let (t, mut json) = (&e.trail, e.json.iter().map(String::as_str));
            let mut next = move || json.next().unwrap_or("{}");
            let w = &t.workflow;
            wf.text(&w.id)
                .text(&w.build_id)
                .text(&w.project_id)
                .field(w.user_id.as_deref())
                .text(&w.definition)
                .text(&w.current_state)
                .text(&w.current_role)
                .text(w.status.as_str())
                .text(next())
                .int(w.retry_count)
                .int(w.max_retries)
                .field(w.last_error.as_deref())
                .int(w.version)
                .text(next())
                .text(&w.created_at)
                .text(&w.updated_at)
                .field(w.completed_at.as_deref())
                .field(w.heartbeat_at.as_deref())
                .field(w.state_entered_at.as_deref())
                .end();
            for h in &t.handoffs {
                ho.text(&h.id)
                    .text(&w.id)
                    .field(h.from_role.as_deref())
                    .text(&h.to_role)
                    .field(h.from_state.as_deref())
                    .text(&h.to_state)
                    .text(h.kind.as_str())
                    .text(next())
                    .text(&h.created_at)
                    .field(h.acknowledged_at.as_deref())
                    .field(h.acknowledged_by.as_deref())
                    .end();
            }
            for (c, base) in t.checkpoints.iter().zip(&e.checkpoint_bases) {
                cp.text(&c.id)
                    .text(&w.id)
                    .text(&c.state)
                    .text(next())
                    .int(c.retry_count)
                    .int(c.version)
                    .text(&c.created_at)
                    .opt_int(*base)
                    .end();
            }
            for e in &t.events {
                ev.text(&e.id)
                    .text(&w.id)
                    .text(&e.event_type)
                    .text(&e.triggered_by)
                    .text(next())
                    .text(&e.created_at)
                    .end();
            }
        }
        let during = "backfill";
        let client = self.client.get_mut();
        let mut tx = client.transaction().map_err(|e| classify(e, during))?;
        for (sql, lines) in [
            (
                "COPY build_workflows (id, build_id, project_id, user_id, definition,
                   current_state, \"current_role\", status, phase_outputs, retry_count,
                   max_retries, last_error, version, metadata, created_at, updated_at,
                   completed_at, heartbeat_at, state_entered_at) FROM STDIN",
                &wf,
            ),
            (
                "COPY workflow_handoffs (id, workflow_id, from_role, to_role, from_state,
                   to_state, kind, data_transferred, created_at, acknowledged_at,
                   acknowledged_by) FROM STDIN",
                &ho,
            ),
            (
                "COPY workflow_checkpoints (id, workflow_id, state, phase_outputs, retry_count,
                   version, created_at, base_version) FROM STDIN",
                &cp,
            ),
            (
                "COPY workflow_events (id, workflow_id, event_type, triggered_by, event_data,
                   created_at) FROM STDIN",
                &ev,
            ),
        ] {
            if lines.0.is_empty() {
                continue;
            }
            let mut writer = tx.copy_in(sql).map_err(|e| classify(e, during))?;
            writer
                .write_all(lines.0.as_bytes())
                .map_err(|e| crate::store::StoreError::Io {
                    during: during.into(),
                    detail: e.to_string(),
                })?;
            writer.finish().map_err(|e| classify(e, during))?;
        }
        tx.commit().map_err(|e| classify(e, during))
    }

    /// The planner's estimate of the metrics rows (0 for a table never analysed): enough
    /// to tell a load that makes most of the table from one that adds a little to it.
    pub(super) fn metric_rows_estimate(&mut self) -> Result<i64> {
        let row = self
            .client
            .get_mut()
            .query_one(
                "SELECT greatest(reltuples, 0)::bigint FROM pg_class
                 WHERE oid = 'workflow_event_metrics'::regclass",
                &[],
            )
            .map_err(|e| classify(e, "reading the size of the metrics table"))?;
        Ok(row.try_get(0)?)
    }

    /// A backfill writes each workflow's whole history at once, so the metrics rows of any
    /// hour lie scattered over the table, where a database written as things happened holds
    /// them in neighbouring pages: reading the last hour would visit a page a row (the
    /// whole `metrics` command 322 against 182 ms at 1M). `CLUSTER` puts them back in time
    /// order. It holds the table's lock while it runs (20 s at 1M), so a writer's events
    /// wait: it runs only when the load is at least as large as what the table held before
    /// (a few workflows added to a big database are not worth stopping its writers for),
    /// and if it cannot have the lock within `lock_timeout` it is skipped; either way it
    /// says so, as nothing written depends on it. `VACUUM` then sets the visibility map the
    /// census's index-only scans rely on (autovacuum would, later) and `ANALYZE` the
    /// statistics; neither stops writers.
    pub fn settle_after_bulk(
        &mut self,
        loaded_events: u64,
        step: &mut dyn FnMut(&str),
    ) -> Result<()> {
        let before = self.bulk_base.take().unwrap_or(0);
        let client = self.client.get_mut();
        if i64::try_from(loaded_events).unwrap_or(i64::MAX) < before {
            step(&format!(
                "metrics rows left in load order: {loaded_events} events loaded into a table \
                 of about {before} rows; ordering it would hold the table's lock for long"
            ));
        } else {
            step("ordering the metrics projection by time (CLUSTER)");
            if let Err(e) = client
                .batch_execute("CLUSTER workflow_event_metrics USING workflow_event_metrics_pkey")
            {
                step(&format!(
                    "left in load order: {}",
                    classify(e, "ordering the metrics projection")
                ));
            }
        }
        for (what, sql) in [
            (
                "vacuuming the live set's tables",
                "VACUUM (ANALYZE) build_workflows, workflow_handoffs",
            ),
            (
                "analysing the trail",
                "ANALYZE workflow_events, workflow_checkpoints, workflow_event_metrics",
            ),
        ] {
            step(what);
            client
                .batch_execute(sql)
                .map_err(|e| classify(e, "settling after a bulk load"))?;
        }
        Ok(())
    }
}
