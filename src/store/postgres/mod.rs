//! The PostgreSQL backend: a workflow database on a server, reached with the `postgres`
//! crate (synchronous; it drives its socket with a small tokio runtime of its own) over TLS
//! through OpenSSL. Each operation is one transaction that locks the workflow row
//! (`SELECT … FOR UPDATE`); `lock_timeout` bounds every wait for a lock.

mod backfill;
mod census;
mod connect;
mod copy_binary;
mod definitions;
mod doctor;
mod error;
mod feed;
mod history;
mod metric_events;
mod migrate;
mod pages;
mod prune;
mod row;
mod tls;
mod watch;
mod workflows;
mod write;

pub use connect::set_application_name;
pub use tls::{Check as TlsCheck, MakeTls};

use super::backend::{Backend, Plan, StartPlan};
use super::census::Census;
use super::error::{Result, StoreError};
use super::open::{OpenMode, Opened, Steps};
use super::query::{EventQuery, FeedCursor, ListQuery, Listed, RowStamp};
use super::report::{ChangeToken, DoctorReport, Health, Verification};
use super::statements::StatementLog;
use super::target::{PgUrl, Target};
use super::trail::Encoded;
use super::written::Written;
use crate::model::{Checkpoint, Definition, Event, Handoff, Status, Workflow};
use error::classify;
use postgres::types::ToSql;
use postgres::{Client, GenericClient, Row, Statement};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// Parameters for a statement.
pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub struct PgStore {
    /// In a cell because the driver needs `&mut` for every query while the store's reads
    /// take `&self`; borrowed across a caller's callback only by `metric_window`, whose
    /// sink may not use the store (the connection is mid-stream).
    client: RefCell<Client>,
    /// Prepared statements by SQL text, for this connection.
    prepared: RefCell<HashMap<String, Statement>>,
    target: Target,
    url: PgUrl,
    read_only: bool,
    busy: Duration,
    log: Option<StatementLog>,
    /// About how many metrics rows there were when bulk loading began (see
    /// `settle_after_bulk`).
    bulk_base: Option<i64>,
}

impl PgStore {
    pub fn open(
        target: Target,
        mode: OpenMode,
        busy: Duration,
        steps: Steps,
    ) -> Result<(PgStore, Opened)> {
        let Target::Postgres(url) = &target else {
            return Err(StoreError::Invalid("not a PostgreSQL target".into()));
        };
        let url = url.clone();
        let mut client = connect::connect(&url)?;
        session(&mut client, mode == OpenMode::ReadOnly, busy)?;
        let opened = migrate::prepare(&mut client, &target, mode, steps)?;
        let store = PgStore {
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
            target,
            url,
            read_only: mode == OpenMode::ReadOnly,
            busy,
            log: None,
            bulk_base: None,
        };
        Ok((store, opened))
    }

    fn note(&self, sql: &str) {
        if let Some(log) = &self.log {
            log.push(sql);
        }
    }

    /// The prepared statement for `sql` on this connection (prepared once).
    fn prepare(
        &self,
        client: &mut impl GenericClient,
        sql: &str,
    ) -> std::result::Result<Statement, postgres::Error> {
        if let Some(s) = self.prepared.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = client.prepare(sql)?;
        self.prepared
            .borrow_mut()
            .insert(sql.to_string(), s.clone());
        Ok(s)
    }

    fn statement(&self, client: &mut impl GenericClient, sql: &str) -> Result<Statement> {
        self.prepare(client, sql)
            .map_err(|e| classify(e, "preparing a query"))
    }

    /// Runs a read and returns its rows.
    fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        self.note(sql);
        let mut client = self.client.borrow_mut();
        let stmt = self.statement(&mut *client, sql)?;
        client
            .query(&stmt, params)
            .map_err(|e| classify(e, "reading the database"))
    }

    /// Runs a read inside `client` (a transaction), through the statement cache.
    fn query_in(
        &self,
        client: &mut impl GenericClient,
        sql: &str,
        params: Params<'_>,
        during: &str,
    ) -> Result<Vec<Row>> {
        self.note(sql);
        let stmt = self.statement(client, sql)?;
        client.query(&stmt, params).map_err(|e| classify(e, during))
    }

    /// Runs a write inside `client`; the driver's error is kept for the caller to read
    /// (a unique violation means something different to each write).
    fn execute_in(
        &self,
        client: &mut impl GenericClient,
        sql: &str,
        params: Params<'_>,
    ) -> std::result::Result<u64, postgres::Error> {
        self.note(sql);
        let stmt = self.prepare(client, sql)?;
        client.execute(&stmt, params)
    }

    fn refuse_writes(&self, during: &str) -> Result<()> {
        if self.read_only {
            return Err(StoreError::ReadOnly(format!("{during} needs to write")));
        }
        Ok(())
    }
}

/// Session settings: how long to wait for a lock, and read-only when asked. In a read-only
/// session the server itself refuses every write.
fn session(client: &mut Client, read_only: bool, busy: Duration) -> Result<()> {
    let during = "setting up the session";
    let ms = busy.as_millis().max(1).to_string();
    client
        .execute("SELECT set_config('lock_timeout', $1, false)", &[&ms])
        .map_err(|e| classify(e, during))?;
    // Statements are prepared once and run often with times as parameters ("changed
    // since"): a generic plan cannot see how narrow the window is and may scan a whole
    // index; planning each run for its values keeps such a look proportional to what
    // changed.
    client
        .batch_execute("SET plan_cache_mode = force_custom_plan")
        .map_err(|e| classify(e, during))?;
    if read_only {
        client
            .batch_execute("SET default_transaction_read_only = on")
            .map_err(|e| classify(e, during))?;
    }
    Ok(())
}

impl Backend for PgStore {
    fn target(&self) -> &Target {
        &self.target
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn reconnect(&mut self) -> Result<()> {
        let mut client = connect::connect(&self.url)?;
        session(&mut client, self.read_only, self.busy)?;
        let mode = if self.read_only {
            OpenMode::ReadOnly
        } else {
            OpenMode::ReadWrite
        };
        migrate::prepare(&mut client, &self.target, mode, &mut |_| {})?;
        self.client = RefCell::new(client);
        self.prepared.borrow_mut().clear();
        Ok(())
    }

    fn health(&self) -> Health {
        if self.client.borrow().is_closed() {
            Health::Disconnected
        } else {
            Health::Ok
        }
    }

    /// The server's current snapshot: it moves whenever any transaction that wrote
    /// something starts or commits, on any connection (this one included), and reading it
    /// touches no table.
    fn change_token(&self) -> Result<ChangeToken> {
        let rows = self.query("SELECT pg_current_snapshot()::text", &[])?;
        Ok(ChangeToken(row::text(&rows[0], 0)?))
    }

    /// PostgreSQL locks rows, not the database.
    fn write_locked(&self) -> Result<bool> {
        Ok(false)
    }

    fn schema_version(&self) -> Result<i64> {
        Ok(migrate::check(&mut *self.client.borrow_mut())?.version)
    }

    fn verify_schema(&self) -> Result<Verification> {
        migrate::verify(&mut self.client.borrow_mut())
    }

    fn watch(&self, poll: Duration) -> Box<dyn crate::store::watch::Watch> {
        Box::new(watch::Listen::new(&self.url, poll))
    }

    fn record_statements(&mut self) -> Result<StatementLog> {
        let log = StatementLog::default();
        self.log = Some(log.clone());
        Ok(log)
    }

    fn workflow(&self, id: &str) -> Result<Workflow> {
        PgStore::workflow(self, id)
    }

    fn resolve(&self, key: &str) -> Result<String> {
        PgStore::resolve(self, key)
    }

    fn list(&self, q: &ListQuery) -> Result<Vec<Listed>> {
        PgStore::list(self, q)
    }

    fn count(&self, q: &ListQuery, cap: usize) -> Result<usize> {
        PgStore::count(self, q, cap)
    }

    fn live(&self) -> Result<Vec<Workflow>> {
        PgStore::live(self)
    }

    fn recent_live(&self, limit: usize) -> Result<Vec<Workflow>> {
        PgStore::recent_live(self, limit)
    }

    fn changed_stamps_since(&self, since: &str) -> Result<Vec<RowStamp>> {
        PgStore::changed_stamps_since(self, since)
    }

    fn live_chunks(&self, chunk: usize, each: &mut dyn FnMut(Vec<Workflow>) -> bool) -> Result<()> {
        PgStore::live_chunks(self, chunk, each)
    }

    fn workflows_by_id(&self, ids: &[String]) -> Result<Vec<Workflow>> {
        PgStore::workflows_by_id(self, ids)
    }

    fn status_counts(&self) -> Result<Vec<(Status, i64)>> {
        PgStore::status_counts(self)
    }

    fn census(&self) -> Result<Census> {
        PgStore::census(self)
    }

    fn handoffs(&self, workflow_id: &str, limit: usize) -> Result<Vec<Handoff>> {
        PgStore::handoffs(self, workflow_id, limit)
    }

    fn handoff(&self, key: &str) -> Result<Handoff> {
        PgStore::handoff(self, key)
    }

    fn pending_handoffs(&self) -> Result<Vec<Handoff>> {
        PgStore::pending_handoffs(self)
    }

    fn pending_handoffs_of(&self, workflow_ids: &[String]) -> Result<Vec<Handoff>> {
        PgStore::pending_handoffs_of(self, workflow_ids)
    }

    fn checkpoints(&self, workflow_id: &str) -> Result<Vec<Checkpoint>> {
        PgStore::checkpoints(self, workflow_id)
    }

    fn events(&self, q: &EventQuery) -> Result<Vec<Event>> {
        PgStore::events(self, q)
    }

    fn metric_window(
        &self,
        after: crate::store::MetricKey,
        until_ms: i64,
        sink: &mut dyn crate::store::MetricSink,
    ) -> Result<()> {
        PgStore::metric_window(self, after, until_ms, sink)
    }

    fn metric_workflow(&self, key: crate::store::WorkflowKey) -> Result<Option<String>> {
        PgStore::metric_workflow(self, key)
    }

    fn recent_events(&self, workflow: Option<&str>, limit: usize) -> Result<Vec<Event>> {
        PgStore::recent_events(self, workflow, limit)
    }

    fn max_seq(&self) -> Result<i64> {
        PgStore::max_seq(self)
    }

    fn feed_start(&self) -> Result<FeedCursor> {
        PgStore::feed_start(self)
    }

    fn feed(
        &self,
        cursor: &FeedCursor,
        workflow: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Event>, FeedCursor)> {
        PgStore::feed(self, cursor, workflow, limit)
    }

    fn definition(&self, name: &str) -> Result<Option<Definition>> {
        definitions::latest(&mut *self.client.borrow_mut(), name)
    }

    fn definitions(&self) -> Result<Vec<Definition>> {
        PgStore::definitions(self)
    }

    fn add_definition(&mut self, d: &Definition) -> Result<i64> {
        PgStore::add_definition(self, d)
    }

    fn apply(&mut self, id: &str, during: &str, plan: Plan<'_>) -> Result<Option<Written>> {
        PgStore::apply(self, id, during, plan)
    }

    fn insert(&mut self, definition: &str, plan: StartPlan<'_>) -> Result<Option<Written>> {
        PgStore::insert(self, definition, plan)
    }

    fn heartbeat(&mut self, id: &str, at: &str) -> Result<()> {
        PgStore::heartbeat(self, id, at)
    }

    /// More memory for sorts and hashes in this session (and for the `CLUSTER` that settles
    /// the load); the server is unchanged.
    fn tune_for_bulk(&mut self) -> Result<()> {
        self.client
            .get_mut()
            .batch_execute(
                "SET work_mem = '256MB'; SET maintenance_work_mem = '256MB';
                 SET synchronous_commit = off",
            )
            .map_err(|e| classify(e, "tuning for bulk loading"))?;
        self.bulk_base = Some(self.metric_rows_estimate()?);
        Ok(())
    }

    fn backfill(&mut self, batch: &[Encoded]) -> Result<()> {
        PgStore::backfill(self, batch)
    }

    fn settle_after_bulk(&mut self, loaded_events: u64, step: &mut dyn FnMut(&str)) -> Result<()> {
        PgStore::settle_after_bulk(self, loaded_events, step)
    }

    fn delete_finished(&mut self, ids: &[String], before: &str) -> Result<usize> {
        PgStore::delete_finished(self, ids, before)
    }

    fn reclaim(&mut self) -> Result<crate::store::Reclaimed> {
        PgStore::reclaim(self)
    }

    fn doctor(&self, scope: &crate::store::Scope, progress: &dyn Fn(&str)) -> Result<DoctorReport> {
        PgStore::doctor(self, scope, progress)
    }
}

/// The redacted URL as a "path", for errors shaped around a file.
fn shown(target: &Target) -> PathBuf {
    PathBuf::from(target.to_string())
}

#[cfg(test)]
mod tests;
