//! The SQLite backend: a workflow database in one file, opened with rusqlite (SQLite
//! bundled). Writes are `BEGIN IMMEDIATE` transactions; change detection is
//! `PRAGMA data_version`.

mod backfill;
mod census;
mod changes;
mod definitions;
mod doctor;
mod doctor_rows;
mod error;
mod history;
mod metric_events;
mod migrate;
mod open;
mod pages;
mod prune;
mod row;
mod statements;
mod watch;
mod workflows;
mod write;

use super::backend::{Backend, Plan, StartPlan};
use super::census::Census;
use super::error::{Result, StoreError};
use super::open::{OpenMode, Opened, Steps};
use super::query::{EventQuery, FeedCursor, ListQuery, Listed, RowStamp};
use super::report::{ChangeToken, DoctorReport, Health, Verification};
use super::statements::StatementLog;
use super::target::Target;
use super::trail::Encoded;
use super::written::Written;
use crate::model::{Checkpoint, Definition, Event, Handoff, Status, Workflow};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct SqliteStore {
    conn: Connection,
    target: Target,
    path: PathBuf,
    read_only: bool,
    busy: Duration,
    /// The file opened, to notice it being deleted or replaced underneath us.
    file: Option<FileId>,
}

/// Device and inode: which file a path named when it was opened.
type FileId = (u64, u64);

fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

impl SqliteStore {
    pub fn open(
        target: Target,
        mode: OpenMode,
        busy: Duration,
        steps: Steps,
    ) -> Result<(SqliteStore, Opened)> {
        let path = target.path().map(Path::to_path_buf).unwrap_or_default();
        let (conn, opened) = open::open(&path, mode, busy, steps)?;
        let store = SqliteStore {
            conn,
            file: file_id(&path),
            target,
            path,
            read_only: mode == OpenMode::ReadOnly,
            busy,
        };
        Ok((store, opened))
    }
}

impl Backend for SqliteStore {
    fn target(&self) -> &Target {
        &self.target
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Closes the connection first: the `-wal` and `-shm` files go by the path's name, and a
    /// connection to the old file must not share them with the new one.
    fn reconnect(&mut self) -> Result<()> {
        self.conn = Connection::open_in_memory()?;
        let mode = if self.read_only {
            OpenMode::ReadOnly
        } else {
            OpenMode::ReadWrite
        };
        *self = SqliteStore::open(self.target.clone(), mode, self.busy, &mut |_| {})?.0;
        Ok(())
    }

    fn health(&self) -> Health {
        match (self.file, file_id(&self.path)) {
            (_, None) => Health::Missing,
            (Some(a), Some(b)) if a != b => Health::Replaced,
            _ => Health::Ok,
        }
    }

    fn change_token(&self) -> Result<ChangeToken> {
        SqliteStore::change_token(self)
    }

    /// Takes and at once releases the write lock when it is free, writing nothing.
    /// Read-only stores cannot ask and answer `false`.
    fn write_locked(&self) -> Result<bool> {
        if self.read_only {
            return Ok(false);
        }
        self.conn.busy_timeout(Duration::ZERO)?;
        let result = self.conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK");
        self.conn.busy_timeout(self.busy)?;
        match result {
            Ok(()) => Ok(false),
            Err(e) => match StoreError::from_sqlite(e, "checking the lock") {
                StoreError::Busy { .. } => Ok(true),
                other => Err(other),
            },
        }
    }

    fn schema_version(&self) -> Result<i64> {
        Ok(migrate::check(&self.conn)?.version)
    }

    fn verify_schema(&self) -> Result<Verification> {
        migrate::verify(&self.conn)
    }

    fn watch(&self, poll: Duration) -> Box<dyn crate::store::watch::Watch> {
        watch::watch(&self.path, poll)
    }

    fn record_statements(&mut self) -> Result<StatementLog> {
        SqliteStore::record_statements(self)
    }

    fn workflow(&self, id: &str) -> Result<Workflow> {
        workflows::load(&self.conn, id)
    }

    fn resolve(&self, key: &str) -> Result<String> {
        SqliteStore::resolve(self, key)
    }

    fn list(&self, q: &ListQuery) -> Result<Vec<Listed>> {
        SqliteStore::list(self, q)
    }

    fn count(&self, q: &ListQuery, cap: usize) -> Result<usize> {
        SqliteStore::count(self, q, cap)
    }

    fn live(&self) -> Result<Vec<Workflow>> {
        SqliteStore::live(self)
    }

    fn recent_live(&self, limit: usize) -> Result<Vec<Workflow>> {
        SqliteStore::recent_live(self, limit)
    }

    fn changed_stamps_since(&self, since: &str) -> Result<Vec<RowStamp>> {
        SqliteStore::changed_stamps_since(self, since)
    }

    fn live_chunks(&self, chunk: usize, each: &mut dyn FnMut(Vec<Workflow>) -> bool) -> Result<()> {
        SqliteStore::live_chunks(self, chunk, each)
    }

    fn release_cache(&self) {
        // Only unused pages go; failing to free a cache is nothing to report.
        let _ = self.conn.release_memory();
    }

    fn workflows_by_id(&self, ids: &[String]) -> Result<Vec<Workflow>> {
        SqliteStore::workflows_by_id(self, ids)
    }

    fn status_counts(&self) -> Result<Vec<(Status, i64)>> {
        SqliteStore::status_counts(self)
    }

    fn census(&self) -> Result<Census> {
        SqliteStore::census(self)
    }

    fn handoffs(&self, workflow_id: &str, limit: usize) -> Result<Vec<Handoff>> {
        SqliteStore::handoffs(self, workflow_id, limit)
    }

    fn handoff(&self, key: &str) -> Result<Handoff> {
        SqliteStore::handoff(self, key)
    }

    fn pending_handoffs(&self) -> Result<Vec<Handoff>> {
        SqliteStore::pending_handoffs(self)
    }

    fn pending_handoffs_of(&self, workflow_ids: &[String]) -> Result<Vec<Handoff>> {
        SqliteStore::pending_handoffs_of(self, workflow_ids)
    }

    fn checkpoints(&self, workflow_id: &str) -> Result<Vec<Checkpoint>> {
        SqliteStore::checkpoints(self, workflow_id)
    }

    fn events(&self, q: &EventQuery) -> Result<Vec<Event>> {
        SqliteStore::events(self, q)
    }

    fn metric_window(
        &self,
        after: crate::store::MetricKey,
        until_ms: i64,
        sink: &mut dyn crate::store::MetricSink,
    ) -> Result<()> {
        SqliteStore::metric_window(self, after, until_ms, sink)
    }

    fn metric_workflow(&self, key: crate::store::WorkflowKey) -> Result<Option<String>> {
        SqliteStore::metric_workflow(self, key)
    }

    fn recent_events(&self, workflow: Option<&str>, limit: usize) -> Result<Vec<Event>> {
        SqliteStore::recent_events(self, workflow, limit)
    }

    fn max_seq(&self) -> Result<i64> {
        SqliteStore::max_seq(self)
    }

    fn feed_start(&self) -> Result<FeedCursor> {
        Ok(FeedCursor::after(SqliteStore::max_seq(self)?))
    }

    /// One writer commits at a time, so `seq` order is commit order: nothing is in flight.
    fn feed(
        &self,
        cursor: &FeedCursor,
        workflow: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Event>, FeedCursor)> {
        let events = SqliteStore::events(
            self,
            &EventQuery::after(workflow.map(str::to_string), cursor.seq, limit),
        )?;
        let seq = events.last().map_or(cursor.seq, |e| e.seq);
        Ok((events, FeedCursor::after(seq)))
    }

    fn definition(&self, name: &str) -> Result<Option<Definition>> {
        definitions::latest(&self.conn, name)
    }

    fn definitions(&self) -> Result<Vec<Definition>> {
        SqliteStore::definitions(self)
    }

    fn add_definition(&mut self, d: &Definition) -> Result<i64> {
        SqliteStore::add_definition(self, d)
    }

    fn apply(&mut self, id: &str, during: &str, plan: Plan<'_>) -> Result<Option<Written>> {
        SqliteStore::apply(self, id, during, plan)
    }

    fn insert(&mut self, definition: &str, plan: StartPlan<'_>) -> Result<Option<Written>> {
        SqliteStore::insert(self, definition, plan)
    }

    fn heartbeat(&mut self, id: &str, at: &str) -> Result<()> {
        SqliteStore::heartbeat(self, id, at)
    }

    fn tune_for_bulk(&mut self) -> Result<()> {
        SqliteStore::tune_for_bulk(self)
    }

    fn backfill(&mut self, batch: &[Encoded]) -> Result<()> {
        SqliteStore::backfill(self, batch)
    }

    /// Nothing to do: the metrics projection is `WITHOUT ROWID`, so it lies in time order
    /// however it was written, and the planner needs no statistics for baton's queries.
    fn settle_after_bulk(&mut self, _loaded: u64, _step: &mut dyn FnMut(&str)) -> Result<()> {
        Ok(())
    }

    fn delete_finished(&mut self, ids: &[String], before: &str) -> Result<usize> {
        SqliteStore::delete_finished(self, ids, before)
    }

    fn reclaim(&mut self) -> Result<crate::store::Reclaimed> {
        SqliteStore::reclaim(self)
    }

    fn doctor(&self, scope: &crate::store::Scope, progress: &dyn Fn(&str)) -> Result<DoctorReport> {
        SqliteStore::doctor(self, scope, progress)
    }
}
