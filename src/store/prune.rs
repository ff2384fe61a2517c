//! What `Store::delete_finished` removes and what reclaiming the space did.

/// A finished workflow, as the history view and prune count it: completed, cancelled, or
/// failed with no retries left. Checked again in the deleting statement, so a workflow
/// retried since it was selected is never removed.
pub const FINISHED_SQL: &str = "(status IN ('completed', 'cancelled')
     OR (status = 'failed' AND retry_count >= max_retries))";

/// The space the removed rows took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reclaimed {
    /// Given back to the file system (SQLite with incremental auto-vacuum).
    Returned { bytes: i64 },
    /// Free pages inside the file, reused by later writes (SQLite created without
    /// incremental auto-vacuum); `VACUUM` would shrink the file.
    Reusable { bytes: i64 },
    /// PostgreSQL: dead rows are reclaimed for reuse by autovacuum.
    Autovacuum,
}
