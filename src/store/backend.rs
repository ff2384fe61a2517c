//! The one interface both backends implement. [`Store`](super::Store) forwards to it, so
//! the engine, the CLI, the dashboard and the simulator never know which database they
//! talk to. Reads take `&self` (a backend whose driver needs exclusive access keeps its
//! connection in a cell and never holds it across a callback). Object safe on purpose: a plan's rejection is carried out of the transaction by
//! `Store::apply`, not through a generic error type here.

use super::census::Census;
use super::error::Result;
use super::query::{EventQuery, FeedCursor, ListQuery, Listed, RowStamp};
use super::report::{ChangeToken, DoctorReport, Health, Verification};
use super::statements::StatementLog;
use super::target::Target;
use super::trail::Encoded;
use super::watch::Watch;
use super::written::Written;
use crate::model::{Change, Checkpoint, Definition, Event, Handoff, Snapshot, Status, Workflow};
use std::time::Duration;

/// A plan run inside a write transaction: `None` means it refused, and nothing is written.
pub type Plan<'a> = &'a mut dyn FnMut(&Snapshot) -> Option<Change>;
/// A plan for a new workflow, given the named definition if it is stored.
pub type StartPlan<'a> = &'a mut dyn FnMut(Option<&Definition>) -> Option<Change>;

pub trait Backend: Send {
    fn target(&self) -> &Target;
    fn is_read_only(&self) -> bool;

    // Connection and schema.
    fn reconnect(&mut self) -> Result<()>;
    fn health(&self) -> Health;
    fn change_token(&self) -> Result<ChangeToken>;
    fn write_locked(&self) -> Result<bool>;
    fn schema_version(&self) -> Result<i64>;
    fn verify_schema(&self) -> Result<Verification>;
    fn record_statements(&mut self) -> Result<StatementLog>;
    /// A way to be woken when the database may have changed, polling every `poll` where
    /// nothing can push.
    fn watch(&self, poll: Duration) -> Box<dyn Watch>;

    // Workflows.
    fn workflow(&self, id: &str) -> Result<Workflow>;
    fn resolve(&self, key: &str) -> Result<String>;
    /// At most `q.limit` rows matching `q` in the list order, with their cursors.
    fn list(&self, q: &ListQuery) -> Result<Vec<Listed>>;
    /// How many rows match `q` after its cursor, counting at most `cap` per index range.
    fn count(&self, q: &ListQuery, cap: usize) -> Result<usize>;
    fn live(&self) -> Result<Vec<Workflow>>;
    fn recent_live(&self, limit: usize) -> Result<Vec<Workflow>>;
    fn changed_stamps_since(&self, since: &str) -> Result<Vec<RowStamp>>;
    fn live_chunks(&self, chunk: usize, each: &mut dyn FnMut(Vec<Workflow>) -> bool) -> Result<()>;
    /// Lets go of what the connection cached during a one-off big read (SQLite's page
    /// cache, 2 MB after reading the live set): the next reads fill it again with what they
    /// use. PostgreSQL's cache is the server's.
    fn release_cache(&self) {}
    fn workflows_by_id(&self, ids: &[String]) -> Result<Vec<Workflow>>;
    fn status_counts(&self) -> Result<Vec<(Status, i64)>>;
    fn census(&self) -> Result<Census>;

    // The trail.
    fn handoffs(&self, workflow_id: &str, limit: usize) -> Result<Vec<Handoff>>;
    fn handoff(&self, key: &str) -> Result<Handoff>;
    fn pending_handoffs(&self) -> Result<Vec<Handoff>>;
    fn pending_handoffs_of(&self, workflow_ids: &[String]) -> Result<Vec<Handoff>>;
    fn checkpoints(&self, workflow_id: &str) -> Result<Vec<Checkpoint>>;
    fn events(&self, q: &EventQuery) -> Result<Vec<Event>>;
    fn metric_window(
        &self,
        after: super::MetricKey,
        until_ms: i64,
        sink: &mut dyn super::MetricSink,
    ) -> Result<()>;
    fn metric_workflow(&self, key: super::WorkflowKey) -> Result<Option<String>>;
    fn recent_events(&self, workflow: Option<&str>, limit: usize) -> Result<Vec<Event>>;
    fn max_seq(&self) -> Result<i64>;
    fn feed_start(&self) -> Result<FeedCursor>;
    fn feed(
        &self,
        cursor: &FeedCursor,
        workflow: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Event>, FeedCursor)>;

    // Definitions.
    fn definition(&self, name: &str) -> Result<Option<Definition>>;
    fn definitions(&self) -> Result<Vec<Definition>>;
    fn add_definition(&mut self, d: &Definition) -> Result<i64>;

    // Writes.
    fn apply(&mut self, id: &str, during: &str, plan: Plan<'_>) -> Result<Option<Written>>;
    fn insert(&mut self, definition: &str, plan: StartPlan<'_>) -> Result<Option<Written>>;
    fn heartbeat(&mut self, id: &str, at: &str) -> Result<()>;
    fn tune_for_bulk(&mut self) -> Result<()>;
    fn backfill(&mut self, batch: &[Encoded]) -> Result<()>;
    fn settle_after_bulk(&mut self, loaded_events: u64, step: &mut dyn FnMut(&str)) -> Result<()>;
    fn delete_finished(&mut self, ids: &[String], before: &str) -> Result<usize>;
    fn reclaim(&mut self) -> Result<super::Reclaimed>;

    // Checks.
    fn doctor(&self, scope: &super::Scope, progress: &dyn Fn(&str)) -> Result<DoctorReport>;
}
