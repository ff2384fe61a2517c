//! The store: one interface over two backends. `sqlite/` keeps a workflow database in a
//! file, `postgres/` on a server; each owns its driver, its SQL and the classification of
//! its errors into [`StoreError`]. Nothing outside those folders names a driver: callers
//! hold a [`Store`] and use the same methods whichever database `--db` named.

mod backend;
mod census;
mod contract;
mod cursor;
mod doctor_scope;
mod error;
mod invariants;
mod metric_events;
mod migration;
mod open;
mod postgres;
mod prune;
mod query;
mod report;
mod rows;
mod search;
mod sqlite;
mod statements;
mod target;
mod trail;
mod watch;
mod written;

pub use census::{Census, CensusRow, PendingRow};
pub use cursor::{Cursor, CursorKind};
pub use doctor_scope::{QUICK_EVENTS, QUICK_LIVE, Scope};
pub use error::{Result, StoreError};
pub use metric_events::{BATCH, MetricEvent, MetricKey, MetricSink, Name, Names, WorkflowKey};
pub use migration::{
    MIGRATIONS, Migration, POSTGRES_MIGRATIONS, latest, latest_for, migrations_for,
};
pub use open::{DEFAULT_BUSY_TIMEOUT, OpenMode, Opened, Steps};
pub use postgres::{MakeTls, TlsCheck, set_application_name};
pub use prune::Reclaimed;
pub use query::{
    BROAD_PREFIX, Driver, EventQuery, FeedCursor, HistoryPage, HistoryQuery, ListQuery, Listed,
    Page, RowStamp, Total,
};
pub use report::{ChangeToken, DoctorReport, Health, Problem, Severity, Verification};
pub use search::{Direction, Found, Search, WINDOW};
pub use statements::StatementLog;
pub use target::{PgUrl, Target, redact};
pub use trail::{Encoded, Trail};
pub use watch::{Polling, Watch, WatchMode};
pub use written::{ApplyError, Written};

use crate::model::{Change, Checkpoint, Definition, Event, Handoff, Snapshot, Status, Workflow};
use backend::Backend;
use std::time::Duration;

/// How far a total is counted when filters narrow it (or for failed workflows with no
/// retries left, which the status counts do not tell apart): past it, the total reads
/// "10,000+".
pub const COUNT_CAP: usize = 10_000;

/// One connection to a workflow database. Not shared between threads: each thread that
/// needs the database opens its own `Store`.
pub struct Store {
    backend: Box<dyn Backend>,
}

impl Store {
    /// Opens `db` (a SQLite path or a PostgreSQL URL) with the default busy timeout.
    pub fn open(db: impl Into<Target>, mode: OpenMode) -> Result<(Store, Opened)> {
        Store::open_with(db, mode, DEFAULT_BUSY_TIMEOUT)
    }

    /// Opens `db`, waiting up to `busy` for another process's lock.
    pub fn open_with(
        db: impl Into<Target>,
        mode: OpenMode,
        busy: Duration,
    ) -> Result<(Store, Opened)> {
        Store::open_showing(db, mode, busy, &mut |_| {})
    }

    /// Opens `db` as [`Store::open_with`] does, telling `steps` each migration it applies.
    pub fn open_showing(
        db: impl Into<Target>,
        mode: OpenMode,
        busy: Duration,
        steps: Steps,
    ) -> Result<(Store, Opened)> {
        let target = db.into();
        let (backend, opened): (Box<dyn Backend>, Opened) = match &target {
            Target::Sqlite(_) => {
                let (b, o) = sqlite::SqliteStore::open(target, mode, busy, steps)?;
                (Box::new(b), o)
            }
            Target::Postgres(_) => {
                let (b, o) = postgres::PgStore::open(target.clone(), mode, busy, steps)?;
                (Box::new(b), o)
            }
        };
        Ok((Store { backend }, opened))
    }

    /// What this store opened; shows without any password.
    pub fn target(&self) -> &Target {
        self.backend.target()
    }

    pub fn is_read_only(&self) -> bool {
        self.backend.is_read_only()
    }

    /// Closes the connection and opens the database at the same target again, the same way
    /// (read-only or not, same busy timeout); never creates it. On failure the store stays
    /// closed (every query fails) and `health` keeps saying so.
    pub fn reopen_in_place(&mut self) -> Result<()> {
        self.backend.reconnect()
    }

    /// Whether the connection still reaches the database that was opened: a `stat` on
    /// SQLite, a look at the socket on PostgreSQL; cheap enough for every poll.
    pub fn health(&self) -> Health {
        self.backend.health()
    }

    /// Differs from the previous call's value when any connection committed since.
    pub fn change_token(&self) -> Result<ChangeToken> {
        self.backend.change_token()
    }

    /// Whether another connection holds the database-wide write lock right now (SQLite);
    /// asks without waiting and writes nothing. PostgreSQL locks rows, not the database:
    /// always `false` there.
    pub fn write_locked(&self) -> Result<bool> {
        self.backend.write_locked()
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64> {
        self.backend.schema_version()
    }

    /// Checks checksums and that every table, index, trigger and column exists.
    pub fn verify_schema(&self) -> Result<Verification> {
        self.backend.verify_schema()
    }

    /// A way to be woken when the database may have changed (pushed where the backend can,
    /// else polled every `poll`), on a watch of its own: hand it to another thread.
    pub fn watch(&self, poll: Duration) -> Box<dyn Watch> {
        self.backend.watch(poll)
    }

    /// Starts recording every statement this connection runs.
    pub fn record_statements(&mut self) -> Result<StatementLog> {
        self.backend.record_statements()
    }

    /// The full workflow (with its JSON columns) by exact id.
    pub fn workflow(&self, id: &str) -> Result<Workflow> {
        self.backend.workflow(id)
    }

    /// Finds a workflow's id from its id, its build id, or a unique prefix of its id.
    pub fn resolve(&self, key: &str) -> Result<String> {
        self.backend.resolve(key)
    }

    /// Workflows matching `q`, most recently updated first (summary rows: no JSON columns),
    /// at most `q.limit`, after `q.after`.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<Workflow>> {
        Ok(self
            .backend
            .list(q)?
            .into_iter()
            .map(|l| l.workflow)
            .collect())
    }

    /// One page of `q`: at most `q.limit` rows with their cursors, and the cursor the next
    /// page starts after when more rows match (one row more is read to know). A keyset
    /// page: its cost does not grow with how deep in the order it is.
    pub fn list_page(&self, q: &ListQuery) -> Result<Page> {
        let want = q.limit;
        let mut rows = self.backend.list(&ListQuery {
            limit: want.saturating_add(1),
            ..q.clone()
        })?;
        let more = rows.len() > want;
        rows.truncate(want);
        let next = if more {
            rows.last().map(|l| l.cursor.clone())
        } else {
            None
        };
        Ok(Page { rows, next })
    }

    /// How many workflows match `q` after its cursor (ignoring its limit), counting at most
    /// `cap`: beyond that, `Total::AtLeast(cap)`. Bounded: each index range stops at `cap`.
    pub fn count_matching(&self, q: &ListQuery, cap: usize) -> Result<Total> {
        let n = self.backend.count(q, cap.saturating_add(1))?;
        Ok(if n > cap {
            Total::AtLeast(cap as u64)
        } else {
            Total::Exactly(n as u64)
        })
    }

    /// A page of the history view: finished workflows (completed, cancelled, and failed
    /// with no retries left), newest change first, filtered in the database, after
    /// `q.after`; with how many match in all. That total comes from the status counts
    /// (one small read) when only the status narrows — failed workflows with no retries
    /// left are counted, up to [`COUNT_CAP`] — and otherwise is counted up to
    /// [`COUNT_CAP`], so a page costs the same at any size of history.
    pub fn history_page(&self, q: &HistoryQuery) -> Result<HistoryPage> {
        let list = q.to_list();
        let page = self.list_page(&list)?;
        Ok(HistoryPage {
            rows: page.rows,
            next: page.next,
            total: self.total(&list)?,
        })
    }

    /// How many workflows match `q`'s filters in all (its cursor and limit aside), at a
    /// bounded cost: from the status counts when only statuses narrow (failed workflows
    /// with no retries left, which they do not tell apart, counted up to
    /// [`COUNT_CAP`]); otherwise counted up to [`COUNT_CAP`].
    pub fn total(&self, q: &ListQuery) -> Result<Total> {
        let whole = ListQuery {
            after: None,
            ..q.clone()
        };
        if whole.narrowed() {
            return self.count_matching(&whole, COUNT_CAP);
        }
        if whole.finished {
            return self.finished_total(&whole);
        }
        let n: i64 = self
            .status_counts()?
            .iter()
            .filter(|(s, _)| whole.status.is_none_or(|want| *s == want))
            .map(|(_, n)| n)
            .sum();
        Ok(Total::Exactly(u64::try_from(n).unwrap_or(0)))
    }

    /// Finished workflows of the statuses `q` keeps: completed and cancelled from the status
    /// counts, failed ones with no retries left counted up to the cap.
    fn finished_total(&self, q: &ListQuery) -> Result<Total> {
        let counts = self.status_counts()?;
        let mut exact: u64 = 0;
        let mut capped = false;
        for s in [Status::Completed, Status::Cancelled, Status::Failed] {
            if q.status.is_some_and(|want| want != s) {
                continue;
            }
            if s == Status::Failed {
                let failed = self.count_matching(
                    &ListQuery {
                        status: Some(Status::Failed),
                        ..q.clone()
                    },
                    COUNT_CAP,
                )?;
                capped = matches!(failed, Total::AtLeast(_));
                exact += failed.count();
            } else {
                let n: i64 = counts.iter().filter(|(t, _)| *t == s).map(|(_, n)| n).sum();
                exact += u64::try_from(n).unwrap_or(0);
            }
        }
        Ok(if capped {
            Total::AtLeast(exact)
        } else {
            Total::Exactly(exact)
        })
    }

    /// Every workflow that can still change (running, paused, failed), as summary rows.
    pub fn live(&self) -> Result<Vec<Workflow>> {
        self.backend.live()
    }

    /// The `limit` most recently updated live workflows (summary rows).
    pub fn recent_live(&self, limit: usize) -> Result<Vec<Workflow>> {
        self.backend.recent_live(limit)
    }

    /// What identifies a version of each workflow whose row or heartbeat changed at or
    /// after `since` (RFC 3339): the dashboard fetches whole rows only for new stamps.
    pub fn changed_stamps_since(&self, since: &str) -> Result<Vec<RowStamp>> {
        self.backend.changed_stamps_since(since)
    }

    /// The live set in chunks of `chunk` summary rows, handed to `each` as they are read
    /// (return false to stop), so a caller never holds all of it twice.
    pub fn live_chunks(
        &self,
        chunk: usize,
        mut each: impl FnMut(Vec<Workflow>) -> bool,
    ) -> Result<()> {
        self.backend.live_chunks(chunk, &mut each)
    }

    /// Lets go of what the connection cached during a one-off big read, such as the live
    /// set (see [`Backend::release_cache`]).
    pub fn release_cache(&self) {
        self.backend.release_cache();
    }

    /// Workflows by id, summary rows; ids that do not exist are skipped.
    pub fn workflows_by_id(&self, ids: &[String]) -> Result<Vec<Workflow>> {
        self.backend.workflows_by_id(ids)
    }

    /// Number of workflows in each status (unknown statuses under `Unknown`), whatever the
    /// size of history, counting rows written by other programs too.
    pub fn status_counts(&self) -> Result<Vec<(Status, i64)>> {
        self.backend.status_counts()
    }

    /// The live set counted by phase, role and status, and the unacknowledged handoffs of
    /// running workflows by the phase and role they went to (two aggregates over indexes:
    /// the cost follows the live set, not history).
    pub fn census(&self) -> Result<Census> {
        self.backend.census()
    }

    /// A workflow's handoffs, oldest first (at most `limit`, the most recent ones).
    pub fn handoffs(&self, workflow_id: &str, limit: usize) -> Result<Vec<Handoff>> {
        self.backend.handoffs(workflow_id, limit)
    }

    /// A handoff by exact id or unique id prefix.
    pub fn handoff(&self, key: &str) -> Result<Handoff> {
        self.backend.handoff(key)
    }

    /// Unacknowledged handoffs of live workflows, oldest first.
    pub fn pending_handoffs(&self) -> Result<Vec<Handoff>> {
        self.backend.pending_handoffs()
    }

    /// Unacknowledged handoffs of the given workflows (whatever their status), oldest first.
    pub fn pending_handoffs_of(&self, workflow_ids: &[String]) -> Result<Vec<Handoff>> {
        self.backend.pending_handoffs_of(workflow_ids)
    }

    /// A workflow's checkpoints, oldest first.
    pub fn checkpoints(&self, workflow_id: &str) -> Result<Vec<Checkpoint>> {
        self.backend.checkpoints(workflow_id)
    }

    /// The events `q` selects (a range of `seq`, narrowed), oldest first, at most
    /// `q.limit` from the oldest end of the range (the newest with `q.newest`). A filter
    /// on type or actor scans the range: keep it bounded, or use [`Store::search_events`].
    pub fn events(&self, q: &EventQuery) -> Result<Vec<Event>> {
        self.backend.events(q)
    }

    /// Every event after `after` and at or before `until_ms`, in time order and in batches
    /// of at most [`BATCH`], with only the data fields `baton metrics` reads.
    pub fn metric_window(
        &self,
        after: MetricKey,
        until_ms: i64,
        sink: &mut dyn MetricSink,
    ) -> Result<()> {
        self.backend.metric_window(after, until_ms, sink)
    }

    /// The id of the workflow that `workflow_event_metrics` numbers `key`, if it still
    /// exists.
    pub fn metric_workflow(&self, key: WorkflowKey) -> Result<Option<String>> {
        self.backend.metric_workflow(key)
    }

    /// The newest `limit` events (of one workflow, or all), oldest first.
    pub fn recent_events(&self, workflow: Option<&str>, limit: usize) -> Result<Vec<Event>> {
        self.backend.recent_events(workflow, limit)
    }

    /// The highest event sequence number, 0 when there are none.
    pub fn max_seq(&self) -> Result<i64> {
        self.backend.max_seq()
    }

    /// Where the live feed stands now: following from here returns every event committed
    /// from now on.
    pub fn feed_start(&self) -> Result<FeedCursor> {
        self.backend.feed_start()
    }

    /// The events committed after `cursor` (of one workflow, or all), oldest first, at most
    /// about `limit`, and the cursor to follow on from: each committed event is returned
    /// exactly once, even one that commits after an event with a higher `seq`.
    pub fn feed(
        &self,
        cursor: &FeedCursor,
        workflow: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Event>, FeedCursor)> {
        self.backend.feed(cursor, workflow, limit)
    }

    /// The newest version of the definition `name`.
    pub fn definition(&self, name: &str) -> Result<Option<Definition>> {
        self.backend.definition(name)
    }

    /// Every definition name with its newest version; one whose stored phases do not parse
    /// is left out (`baton doctor` names it).
    pub fn definitions(&self) -> Result<Vec<Definition>> {
        self.backend.definitions()
    }

    /// Stores `d` as the next version of its name; returns the version it got.
    pub fn add_definition(&mut self, d: &Definition) -> Result<i64> {
        self.backend.add_definition(d)
    }

    /// Loads workflow `id` in one write transaction (locking it), lets `plan` decide, and
    /// writes the change atomically: the workflow with a compare-and-swap on its version,
    /// its handoff, checkpoint, acknowledgement and event, or nothing at all.
    pub fn apply<E>(
        &mut self,
        id: &str,
        during: &str,
        plan: impl FnOnce(&Snapshot) -> std::result::Result<Change, E>,
    ) -> std::result::Result<Written, ApplyError<E>> {
        let mut plan = Some(plan);
        let mut rejected = None;
        let written = self.backend.apply(id, during, &mut |snapshot| {
            let plan = plan.take()?;
            plan(snapshot).map_err(|e| rejected = Some(e)).ok()
        })?;
        match (written, rejected) {
            (Some(w), _) => Ok(w),
            (None, Some(e)) => Err(ApplyError::Rejected(e)),
            (None, None) => Err(ApplyError::Store(StoreError::Invalid(
                "the write was planned twice".into(),
            ))),
        }
    }

    /// Creates a workflow: `plan` receives the named definition (if stored) and returns the
    /// change whose `workflow` is inserted.
    pub fn insert<E>(
        &mut self,
        definition: &str,
        plan: impl FnOnce(Option<&Definition>) -> std::result::Result<Change, E>,
    ) -> std::result::Result<Written, ApplyError<E>> {
        let mut plan = Some(plan);
        let mut rejected = None;
        let written = self.backend.insert(definition, &mut |def| {
            let plan = plan.take()?;
            plan(def).map_err(|e| rejected = Some(e)).ok()
        })?;
        match (written, rejected) {
            (Some(w), _) => Ok(w),
            (None, Some(e)) => Err(ApplyError::Rejected(e)),
            (None, None) => Err(ApplyError::Store(StoreError::Invalid(
                "the write was planned twice".into(),
            ))),
        }
    }

    /// Sets `heartbeat_at` only: no version bump, no event (see docs/DECISIONS.md).
    pub fn heartbeat(&mut self, id: &str, at: &str) -> Result<()> {
        self.backend.heartbeat(id, at)
    }

    /// Prepares this connection for bulk loading (a large cache; the database is unchanged).
    pub fn tune_for_bulk(&mut self) -> Result<()> {
        self.backend.tune_for_bulk()
    }

    /// Leaves what a bulk load of `loaded_events` events wrote as a database that grew row
    /// by row would be: laid out and described for the planner (see the backends). `step`
    /// is told what is under way.
    pub fn settle_after_bulk(
        &mut self,
        loaded_events: u64,
        step: &mut dyn FnMut(&str),
    ) -> Result<()> {
        self.backend.settle_after_bulk(loaded_events, step)
    }

    /// Removes the workflows of `ids` (and all that hangs off them) that are finished and
    /// were last updated before `before`, in one short transaction; how many went. A
    /// workflow live again, or touched since, is left alone.
    pub fn delete_finished(&mut self, ids: &[String], before: &str) -> Result<usize> {
        self.backend.delete_finished(ids, before)
    }

    /// Gives the space removed rows took back, as far as the backend does (see [`Reclaimed`]).
    pub fn reclaim(&mut self) -> Result<Reclaimed> {
        self.backend.reclaim()
    }

    /// Writes every trail in `batch` in one transaction, all or nothing.
    pub fn backfill(&mut self, batch: &[Encoded]) -> Result<()> {
        self.backend.backfill(batch)
    }

    /// `baton doctor`'s database checks over `scope`: integrity and row counts (full
    /// scope), invariants, the column contract. The one place that may read whole tables;
    /// `progress` hears the name of each step as it starts.
    pub fn doctor(&self, scope: &Scope, progress: &dyn Fn(&str)) -> Result<DoctorReport> {
        self.backend.doctor(scope, progress)
    }
}
