//! Retention (`baton prune`): finished workflows last changed before a moment are removed
//! with everything that hangs off them, in batches — each its own short transaction, so
//! the orchestrator keeps writing between them — optionally archived first. A live
//! workflow is never touched: the deleting statement checks again that each one is
//! finished and old enough. Killed at any point, a run loses nothing: a batch is archived
//! and synced before it is deleted, and the next run goes on from what is left.

use super::archive;
use super::error::EngineError;
use super::history::History;
use crate::model::Status;
use crate::model::time::{self, Timestamp};
use crate::store::{ListQuery, Reclaimed, Store, Trail};
use serde::Serialize;
use std::collections::BTreeMap;

/// Workflows per batch: one transaction's worth of deletes (with their trails, a few
/// thousand rows), short enough that a writer waiting on the lock hardly notices.
pub const BATCH: usize = 100;

/// What to prune.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Finished workflows last changed before this are removed.
    pub before: Timestamp,
    /// Only these finished statuses (completed, cancelled, failed); none: all three.
    pub status: Option<Status>,
    pub dry_run: bool,
    pub batch: usize,
}

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub before: String,
    pub dry_run: bool,
    /// Finished workflows the plan selected.
    pub matched: usize,
    /// Removed (a dry run: would be).
    pub removed: usize,
    pub by_status: BTreeMap<String, usize>,
    /// Written to the archive.
    pub archived: usize,
    /// The longest a batch's deleting transaction took (milliseconds): how long a writer
    /// could have waited on it. `--batch` trades it against the run's length.
    pub longest_batch_ms: u64,
    /// Bytes the removed rows took, and where they went (not for a dry run).
    pub reclaimed_bytes: Option<i64>,
    pub space: Option<String>,
}

/// How many workflows `plan` selects, for a progress bar. A real run counts them along
/// the index that serves the selection (a fraction of what removing them costs); a dry
/// run, which is itself a count, takes the bounded estimate (it may say "at least").
pub fn estimate(store: &Store, plan: &Plan) -> Result<u64, EngineError> {
    let q = query(plan, None);
    if plan.dry_run {
        return Ok(store.total(&q)?.count());
    }
    let all = ListQuery {
        limit: usize::MAX,
        ..q
    };
    Ok(store.count_matching(&all, usize::MAX - 1)?.count())
}

fn query(plan: &Plan, after: Option<crate::store::Cursor>) -> ListQuery {
    ListQuery {
        status: plan.status,
        until: Some(plan.before),
        finished: true,
        after,
        limit: plan.batch.max(1),
        ..ListQuery::default()
    }
}

/// Runs `plan`; `progress(done)` after each batch. With `archive`, each batch's trails are
/// written and synced before the batch is deleted.
pub fn run(
    store: &mut Store,
    plan: &Plan,
    mut archive: Option<&mut archive::Writer>,
    progress: &mut dyn FnMut(usize),
) -> Result<Report, EngineError> {
    let before = time::format(plan.before);
    let mut report = Report {
        before: before.clone(),
        dry_run: plan.dry_run,
        ..Report::default()
    };
    let mut after = None;
    let mut batches = 0usize;
    loop {
        let page = store.list_page(&query(plan, after.take()))?;
        if page.rows.is_empty() {
            break;
        }
        let ids: Vec<String> = page.rows.iter().map(|r| r.workflow.id.clone()).collect();
        for r in &page.rows {
            *report
                .by_status
                .entry(r.workflow.status.to_string())
                .or_default() += 1;
        }
        report.matched += ids.len();
        if plan.dry_run {
            report.removed += ids.len();
        } else {
            if let Some(a) = archive.as_deref_mut() {
                let trails = ids
                    .iter()
                    .map(|id| trail(store, id))
                    .collect::<Result<Vec<_>, _>>()?;
                a.append(&trails).map_err(|e| {
                    EngineError::Io(format!(
                        "writing the archive: {e}; nothing of this batch was removed"
                    ))
                })?;
                report.archived += trails.len();
            }
            crash_point(batches);
            let started = std::time::Instant::now();
            report.removed += store.delete_finished(&ids, &before)?;
            let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            report.longest_batch_ms = report.longest_batch_ms.max(ms);
        }
        batches += 1;
        progress(report.matched);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    if !plan.dry_run && report.removed > 0 {
        let (bytes, space) = match store.reclaim()? {
            Reclaimed::Returned { bytes } => (Some(bytes), "returned to the file system"),
            Reclaimed::Reusable { bytes } => (
                Some(bytes),
                "free inside the file for new rows (this database predates incremental vacuum; VACUUM would shrink it)",
            ),
            Reclaimed::Autovacuum => (
                None,
                "reclaimed for reuse by PostgreSQL's autovacuum (VACUUM FULL would shrink the tables, locking them)",
            ),
        };
        report.reclaimed_bytes = bytes;
        report.space = Some(space.to_string());
    }
    Ok(report)
}

/// A workflow's whole trail, as the archive keeps it.
fn trail(store: &Store, id: &str) -> Result<Trail, EngineError> {
    let h = History::read(store, id)?;
    Ok(Trail {
        workflow: h.workflow,
        handoffs: h.handoffs,
        checkpoints: h.checkpoints,
        events: h.events,
    })
}

/// Tests of resuming after a kill: with `BATON_DEBUG_PRUNE_ABORT_AFTER=N` (debug builds),
/// the process aborts after archiving batch N + 1 and before deleting it — the worst place.
fn crash_point(batches_done: usize) {
    if cfg!(debug_assertions)
        && let Some(n) = std::env::var("BATON_DEBUG_PRUNE_ABORT_AFTER")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
        && batches_done == n
    {
        std::process::abort();
    }
}
