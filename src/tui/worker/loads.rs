//! Reading what the dashboard shows: the quick first load, the full load in chunks, and the
//! incremental reads of what changed, with the rows already sent left out.

use super::{EVENTS_PER_POLL, INITIAL_EVENTS, INITIAL_FINISHED, LOAD_CHUNK, QUICK_ROWS, Worker};
use crate::model::{Handoff, Status, Workflow, time};
use crate::store::{ListQuery, StoreError};
use crate::tui::msg::{Delta, Msg};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

impl Worker {
    pub(super) fn send_result(&mut self, loaded: Result<Delta, StoreError>) -> bool {
        match loaded {
            Ok(d) => self.out.send(Msg::Data(d)).is_ok(),
            Err(e) => self.report(&e),
        }
    }

    /// The newest live workflows and the newest finished ones: what the first screen of
    /// the default view shows, read with bounded queries before the whole live set.
    pub(super) fn quick(&mut self) -> Result<Delta, StoreError> {
        let now = time::now();
        let ids = |v: &[Workflow]| v.iter().map(|w| w.id.clone()).collect::<Vec<_>>();
        let mut workflows = self.store.recent_live(QUICK_ROWS)?;
        let pending = light(self.store.pending_handoffs_of(&ids(&workflows))?);
        workflows.extend(self.newest_finished()?);
        Ok(Delta {
            full: true,
            workflows,
            events: self.store.recent_events(None, INITIAL_EVENTS)?,
            pending,
            counts: self.store.status_counts()?,
            definitions: self.store.definitions()?,
            at: Some(now),
        })
    }

    /// The newest completed and cancelled workflows: the finished rows the table holds
    /// beside the live set. A failed workflow is live (it can be retried or rolled back),
    /// and comes with the live set even with no retries left; asking for those here
    /// walked every failed row (40,000 at 500,000 live) before the first screen.
    fn newest_finished(&self) -> Result<Vec<Workflow>, StoreError> {
        let mut out = Vec::new();
        for status in [Status::Completed, Status::Cancelled] {
            out.extend(self.store.list(&ListQuery {
                status: Some(status),
                limit: INITIAL_FINISHED,
                ..ListQuery::default()
            })?);
        }
        Ok(out)
    }

    pub(super) fn send_load(&mut self, full: bool) -> bool {
        let loaded = if full || !self.overlap.has_base() {
            let loaded = self.full();
            if loaded.is_err() {
                // Half a full load is no base for changes: the next look loads it all.
                self.overlap.clear();
            }
            loaded
        } else {
            let started = Instant::now();
            let changes = self.changes();
            self.pace.spent(started.elapsed());
            changes
        };
        match loaded {
            Ok(d) => {
                self.problem = false;
                if self.out.send(Msg::Data(d)).is_err() {
                    return false;
                }
                // Data clears the problem on screen; a lock still held is still news.
                match self.locked.clone() {
                    Some(busy) => {
                        self.problem = true;
                        self.out.send(Msg::DbProblem(busy)).is_ok()
                    }
                    None => true,
                }
            }
            Err(e) => self.report(&e),
        }
    }

    /// Everything, replacing what the dashboard holds: the newest finished workflows and the
    /// live set, sent in chunks as they are read (the first replaces, the rest add), so
    /// neither thread ever holds the whole live set twice. Returns the last chunk.
    pub(super) fn full(&mut self) -> Result<Delta, StoreError> {
        self.token = Some(self.store.change_token()?);
        let now = time::now();
        let since = self.overlap.loaded(now, Instant::now());
        self.sent = Sent::default();
        self.reads += 1;
        let first = self.newest_finished()?;
        // Taken before the newest events are read; an event in both is sent twice, and the
        // dashboard keeps events by seq.
        self.cursor = self.store.feed_start()?;
        let events = self.store.recent_events(None, INITIAL_EVENTS)?;
        let next = Delta {
            full: true,
            workflows: first,
            events,
            counts: self.store.status_counts()?,
            definitions: self.store.definitions()?,
            at: Some(now),
            ..Delta::default()
        };
        // The first chunk joins the first delta; each later one is held until the next
        // arrives, so the last is returned to be sent like any other load.
        let mut held = next;
        let mut first = true;
        let mut failed: Option<StoreError> = None;
        let (store, out, sent) = (&self.store, &self.out, &mut self.sent);
        store.live_chunks(LOAD_CHUNK, |rows| {
            // Rows changed within the overlap window may be read again by the next look.
            for w in rows.iter().filter(|w| {
                w.updated_at.as_str() >= since.as_str()
                    || w.heartbeat_at
                        .as_deref()
                        .is_some_and(|b| b >= since.as_str())
            }) {
                sent.fresh(&w.id, stamp(w));
            }
            let ids: Vec<String> = rows.iter().map(|w| w.id.clone()).collect();
            let pending = match store.pending_handoffs_of(&ids) {
                Ok(p) => light(p),
                Err(e) => {
                    failed = Some(e);
                    return false;
                }
            };
            if !first {
                let prev = std::mem::replace(
                    &mut held,
                    Delta {
                        at: Some(now),
                        ..Delta::default()
                    },
                );
                if out.send(Msg::Data(prev)).is_err() {
                    return false;
                }
            }
            first = false;
            held.workflows.extend(rows);
            held.pending.extend(pending);
            true
        })?;
        // The page cache now holds the whole live set's pages, which later looks (a few
        // changed rows each) do not need.
        self.store.release_cache();
        match failed {
            Some(e) => Err(e),
            None => Ok(held),
        }
    }

    pub(super) fn changes(&mut self) -> Result<Delta, StoreError> {
        let now = time::now();
        let window = self.overlap.look(now, Instant::now());
        self.reads += 1;
        let (events, cursor) = self.store.feed(&self.cursor, None, EVENTS_PER_POLL)?;
        self.cursor = cursor;
        // The window re-reads rows already sent: compare stamps, fetch only what is new.
        let stamps = self.store.changed_stamps_since(&window.read_from)?;
        let seen: HashSet<String> = stamps.iter().map(|s| s.id.clone()).collect();
        let fresh: Vec<String> = stamps
            .into_iter()
            .filter(|s| {
                self.sent.fresh(
                    &s.id,
                    (s.version, s.heartbeat_at.clone(), s.updated_at.clone()),
                )
            })
            .map(|s| s.id)
            .collect();
        let mut workflows = self.store.workflows_by_id(&fresh)?;
        // Writers whose clocks lag still write events: fetch the workflows those name too.
        let mut missing: Vec<String> = events
            .iter()
            .filter(|e| !seen.contains(&e.workflow_id))
            .map(|e| e.workflow_id.clone())
            .collect();
        missing.sort();
        missing.dedup();
        for w in self.store.workflows_by_id(&missing)? {
            if self.sent.fresh(&w.id, stamp(&w)) {
                workflows.push(w);
            }
        }
        self.sent.forget_before(&window.keep_from);
        let ids: Vec<String> = workflows.iter().map(|w| w.id.clone()).collect();
        Ok(Delta {
            full: false,
            workflows,
            events,
            pending: light(self.store.pending_handoffs_of(&ids)?),
            counts: self.store.status_counts()?,
            definitions: Vec::new(),
            at: Some(now),
        })
    }
}

/// What was last sent of each workflow changed within the overlap window: its version,
/// heartbeat and update time. A re-read row that matches is not sent again, so an
/// incremental batch carries only rows that really changed.
#[derive(Debug, Default)]
pub(super) struct Sent(HashMap<String, (i64, Option<String>, String)>);

impl Sent {
    /// Whether this stamp of workflow `id` differs from what was sent (and remembers it).
    pub(super) fn fresh(&mut self, id: &str, stamp: (i64, Option<String>, String)) -> bool {
        match self.0.get(id) {
            Some(old) if *old == stamp => false,
            _ => {
                self.0.insert(id.to_string(), stamp);
                true
            }
        }
    }

    /// Drops rows whose update and heartbeat are both older than `since`: no later read
    /// within the window returns them again.
    pub(super) fn forget_before(&mut self, since: &str) {
        self.0.retain(|_, (_, beat, updated)| {
            updated.as_str() >= since || beat.as_deref().is_some_and(|b| b >= since)
        });
    }
}

/// Pending handoffs as the table needs them: without their payload, which the detail pane
/// reads with the rest of the selected workflow's history (one parsed JSON document per
/// stuck-prone row would be most of the memory of a large live set).
fn light(mut pending: Vec<Handoff>) -> Vec<Handoff> {
    for h in &mut pending {
        h.data_transferred = serde_json::Value::Null;
    }
    pending
}

fn stamp(w: &Workflow) -> (i64, Option<String>, String) {
    (
        w.version,
        w.heartbeat_at.clone().map(Into::into),
        w.updated_at.as_str().into(),
    )
}
