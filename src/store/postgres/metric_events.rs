//! The window's events with their metric fields, from `workflow_event_metrics`: one range
//! of a narrow table ordered by time, no JSON read, streamed as binary `COPY`. Names are
//! stored as numbers (schema 10), read from `baton_names` once before the stream.

use super::PgStore;
use super::copy_binary::{Tuple, Tuples};
use super::error::classify;
use super::row;
use crate::store::error::{Result, StoreError};
use crate::store::metric_events::{
    BATCH, COLUMN_COUNT, COLUMNS, HANDOFF_COLUMN, MetricEvent, MetricKey, MetricSink, NAME_COLUMNS,
    Names, WorkflowKey,
};
use postgres::IsolationLevel;

impl PgStore {
    /// The window as one `COPY` in binary, read as the server writes it: no row object or
    /// type check per cell, and the server produces the next rows while these are counted.
    /// It runs in a read-only REPEATABLE READ transaction that first reads every stored
    /// name, so that each number the rows hold is known (a writer numbers a name in the
    /// transaction that first uses it) and nothing else need be asked mid-stream.
    pub fn metric_window(
        &self,
        after: MetricKey,
        until_ms: i64,
        sink: &mut dyn MetricSink,
    ) -> Result<()> {
        let during = "reading the metrics window";
        let mut client = self.client.borrow_mut();
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| classify(e, during))?;
        // A long window's estimated cost passes `jit_above_cost`, and compiling the plan
        // took longer than the read it speeds (27 of 72 ms for an hour at 1M).
        tx.batch_execute("SET LOCAL jit = off")
            .map_err(|e| classify(e, during))?;
        let names = sink.names();
        let every_name = "SELECT id, name FROM baton_names";
        self.note(every_name);
        for r in tx.query(every_name, &[]).map_err(|e| classify(e, during))? {
            let (key, text): (i32, String) = (r.try_get(0)?, r.try_get(1)?);
            names.learn(key.into(), &text);
        }
        // COPY takes no parameters: the bounds go into the statement, as the integers
        // they are typed as here.
        let (copy_after_ms, copy_after_seq, copy_until_ms): (i64, i64, i64) =
            (after.at_ms, after.seq, until_ms);
        let sql = format!(
            "COPY (SELECT {COLUMNS} FROM workflow_event_metrics
                   WHERE (at_ms, seq) > ('{copy_after_ms}'::bigint, '{copy_after_seq}'::bigint)
                     AND at_ms <= '{copy_until_ms}'::bigint
                   ORDER BY at_ms, seq)
             TO STDOUT (FORMAT binary)"
        );
        self.note(&sql);
        let mut tuples = Tuples::new(tx.copy_out(sql.as_str()).map_err(|e| classify(e, during))?);
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(t) = tuples.next_tuple().map_err(|e| broken(e, during))? {
            batch.push(event(&t, sink.names()).map_err(|e| broken(e, during))?);
            if batch.len() == BATCH {
                sink.take(&batch);
                batch.clear();
            }
        }
        drop(tuples);
        sink.take(&batch);
        tx.commit().map_err(|e| classify(e, during))
    }

    /// The id of the workflow `key` numbers in `workflow_event_metrics`, if it still exists.
    pub fn metric_workflow(&self, key: WorkflowKey) -> Result<Option<String>> {
        let rows = self.query("SELECT id FROM baton_workflow_keys WHERE key = $1", &[&key])?;
        Ok(rows.first().map(|r| row::text(r, 0)).transpose()?)
    }
}

/// One tuple of [`COLUMNS`] as an event. A number `baton_names` does not hold (a row
/// written by hand) stands for its own digits.
fn event(t: &Tuple<'_>, names: &mut Names) -> std::io::Result<MetricEvent> {
    if t.len() != COLUMN_COUNT {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a metrics row of {} fields", t.len()),
        ));
    }
    let mut keys = [None; 7];
    for (k, i) in keys.iter_mut().zip(NAME_COLUMNS) {
        *k = t.int(i)?;
        if let Some(key) = *k
            && names.stored(key).is_none()
        {
            names.learn(key, &key.to_string());
        }
    }
    let handoff = t.get(HANDOFF_COLUMN).map(|b| names.id_of_bytes(b));
    MetricEvent::from_cells(
        |i| Ok(keys[i - NAME_COLUMNS.start()].and_then(|k| names.stored(k))),
        handoff,
        |i| t.int(i),
    )
}

/// A stream that broke off: the connection's own error where there is one.
fn broken(e: std::io::Error, during: &str) -> StoreError {
    if e.get_ref().is_some_and(|i| i.is::<postgres::Error>()) {
        let pe = e.into_inner().expect("an inner error");
        let pe = pe.downcast::<postgres::Error>().expect("a driver error");
        return classify(*pe, during);
    }
    StoreError::Database(format!("{during}: {e}"))
}
