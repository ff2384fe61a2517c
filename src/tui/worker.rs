//! The database worker: a thread that owns the dashboard's connection. It polls the
//! store's change token (no table read when nothing changed), reads only what changed when
//! something did, loads details on demand and performs actions, sending results back as
//! messages. The render loop never waits on the database.

use super::history_reader;
use super::json_text;
use super::msg::{Cmd, Delta, Detail, HistoryPage, Msg};
use super::overlap::Overlap;
use super::pace::Pace;
use super::travel::{self, TravelTo};
use crate::engine::history::History;
use crate::engine::{self, EngineError};
use crate::model::{Handoff, Status, Workflow, time};
use crate::store::{ChangeToken, FeedCursor, Health, ListQuery, Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Finished workflows shown at start, and events loaded at start.
const INITIAL_FINISHED: usize = 200;
const INITIAL_EVENTS: usize = 500;
/// Live workflows per message of a full load.
const LOAD_CHUNK: usize = 2_000;
/// Live workflows in the first, quick load (more than any terminal shows).
const QUICK_ROWS: usize = 300;
/// How often to look while a lock, a problem or a missing file is on screen.
const TROUBLE_POLL: Duration = Duration::from_millis(200);
/// Events read per change; the rest arrive on the next poll.
const EVENTS_PER_POLL: usize = 2000;

pub struct Worker {
    store: Store,
    out: Sender<Msg>,
    jobs: Receiver<Cmd>,
    poll: Duration,
    paused: bool,
    token: Option<ChangeToken>,
    /// Where the event feed stands: every committed event arrives once, in whatever order
    /// transactions commit.
    cursor: FeedCursor,
    /// Which rows each look re-reads by their times.
    overlap: Overlap,
    /// What following changes costs, so the watcher can space the looks.
    pace: Pace,
    /// Counts how many table reads the worker made; tests check an idle poll makes none.
    pub reads: u64,
    /// Rows sent within the overlap window, to drop unchanged re-reads.
    sent: Sent,
    /// A problem is on screen; the next good poll reloads, which clears it.
    problem: bool,
    /// An action found the write lock held (the message shown); polls ask whether it is
    /// free again.
    locked: Option<String>,
    /// The database was deleted, replaced or disconnected; when the last reopen was tried.
    file_trouble: Option<std::time::Instant>,
}

impl Worker {
    pub fn new(store: Store, out: Sender<Msg>, jobs: Receiver<Cmd>, poll: Duration) -> Worker {
        Worker {
            store,
            out,
            jobs,
            poll,
            paused: false,
            token: None,
            cursor: FeedCursor::default(),
            overlap: Overlap::default(),
            pace: Pace::default(),
            reads: 0,
            sent: Sent::default(),
            problem: false,
            locked: None,
            file_trouble: None,
        }
    }

    /// The pace this worker reports its looks' cost to: give it to the watcher.
    pub fn pace(&self) -> Pace {
        self.pace.clone()
    }

    /// Runs until the dashboard hangs up.
    pub fn run(mut self) {
        // A first screenful at once, whatever the size of the live set; then all of it.
        let quick = self.quick();
        if !self.send_result(quick) {
            return;
        }
        self.send_load(true);
        loop {
            // In trouble (a lock held, a problem on screen, the file gone), nothing pushes
            // the way out (releasing a lock writes nothing): look often until it clears.
            let trouble = self.locked.is_some() || self.problem || self.file_trouble.is_some();
            let mut wait = if trouble {
                self.poll.min(TROUBLE_POLL)
            } else {
                self.poll
            };
            // The whole-window look a short one owes, when a look would be made (paused or
            // in trouble the worker does not read, and waiting for it would spin).
            if let Some(due) = self.overlap.wide_due().filter(|_| !self.paused && !trouble) {
                wait = wait.min(due.saturating_duration_since(Instant::now()));
            }
            match self.jobs.recv_timeout(wait) {
                Ok(job) => {
                    if !self.handle(job) {
                        return;
                    }
                    // What queued up meanwhile; any number of "look again" is one look.
                    while let Ok(job) = self.jobs.try_recv() {
                        if !self.handle(job) {
                            return;
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if !self.paused && !self.poll_once() {
                return;
            }
        }
    }

    /// One poll: asks the change token and reads only if a connection committed.
    /// Returns false when the dashboard is gone.
    pub fn poll_once(&mut self) -> bool {
        if let Some(ok) = self.check_health() {
            return ok;
        }
        if self.locked.is_some() {
            match self.store.write_locked() {
                Ok(true) => return true,
                Ok(false) => {
                    self.locked = None;
                    self.problem = true;
                }
                Err(e) => return self.report(&e),
            }
        }
        match self.store.change_token() {
            Ok(v)
                if Some(&v) == self.token.as_ref()
                    && !self.problem
                    && self
                        .overlap
                        .wide_due()
                        .is_none_or(|due| due > Instant::now()) =>
            {
                true
            }
            Ok(v) => {
                self.token = Some(v);
                self.send_load(false)
            }
            Err(e) => self.report(&e),
        }
    }

    fn report(&mut self, e: &StoreError) -> bool {
        self.problem = true;
        self.out.send(Msg::DbProblem(problem(e))).is_ok()
    }

    /// Notices the database file being deleted or replaced, or the server connection
    /// dropping (a `stat` or a socket check per poll). A deleted file is reported and the
    /// last data stays on screen; a replaced file or a lost connection is opened again
    /// (about once a second until that works) and fully reloaded. `None` when all is well.
    fn check_health(&mut self) -> Option<bool> {
        let health = self.store.health();
        if health == Health::Ok && self.file_trouble.is_none() {
            return None;
        }
        let due = self
            .file_trouble
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if !due {
            return Some(true);
        }
        self.file_trouble = Some(std::time::Instant::now());
        let target = self.store.target().to_string();
        let msg = match health {
            Health::Missing => format!(
                "the database file {target} is gone (deleted or moved); showing what was last read"
            ),
            Health::Ok | Health::Replaced | Health::Disconnected => {
                match self.store.reopen_in_place() {
                    Ok(()) => {
                        self.file_trouble = None;
                        self.problem = false;
                        self.token = None;
                        return Some(self.send_load(true));
                    }
                    Err(e) if health == Health::Disconnected => {
                        format!("reconnecting to {target}: {e}")
                    }
                    Err(e) => format!(
                        "the database file {target} was replaced, and cannot be opened: {e}"
                    ),
                }
            }
        };
        self.problem = true;
        Some(self.out.send(Msg::DbProblem(msg)).is_ok())
    }

    /// Carries out one of `update`'s commands; `Cmd::Quit` stops the worker.
    fn handle(&mut self, cmd: Cmd) -> bool {
        match cmd {
            Cmd::Quit => false,
            Cmd::LoadHistory(req) => {
                let page =
                    history_reader::read(&self.store, &req, time::now()).unwrap_or_else(|e| {
                        HistoryPage {
                            generation: req.generation,
                            rows: Vec::new(),
                            next: None,
                            total: None,
                            error: Some(problem(&e)),
                        }
                    });
                self.out.send(Msg::History(page)).is_ok()
            }
            Cmd::LoadDetail(id) => match self.detail(&id) {
                Ok(Some(d)) => self.out.send(Msg::Detail(Box::new(d))).is_ok(),
                Ok(None) => true,
                Err(e) => self.out.send(Msg::DbProblem(problem(&e))).is_ok(),
            },
            Cmd::EventPage(want) => {
                self.reads += 1;
                let page = super::event_pages::read(&self.store, want);
                self.out.send(Msg::EventPage(Box::new(page))).is_ok()
            }
            Cmd::Travel { workflow_id, to } => match self.history(&workflow_id) {
                Ok(Some(h)) => match travel::frame(&h, to) {
                    Some(f) => self.out.send(Msg::Travel(Box::new(f))).is_ok(),
                    None => {
                        let why = match to {
                            TravelTo::Seq(s) => format!("event #{s} is no longer in the database"),
                            TravelTo::BackFromNow => "it has no events to travel through".into(),
                        };
                        self.out
                            .send(Msg::TravelRefused { workflow_id, why })
                            .is_ok()
                    }
                },
                Ok(None) => true,
                Err(e) => self.out.send(Msg::DbProblem(problem(&e))).is_ok(),
            },
            Cmd::Resolve(key) => {
                let found = self.store.resolve(&key).map_err(|e| match e {
                    StoreError::NotFound { .. } => {
                        format!(
                            "no view, command or workflow is called `{}`",
                            crate::model::text::sanitize(&key)
                        )
                    }
                    other => problem(&other),
                });
                self.out.send(Msg::Resolved(found)).is_ok()
            }
            Cmd::LoadMetrics => {
                let now = time::now();
                let since = now - chrono::Duration::hours(1);
                match crate::engine::metrics::measure(&self.store, since, now) {
                    Ok(m) => self
                        .out
                        .send(Msg::Metrics(crate::engine::metrics_text::lines(&m)))
                        .is_ok(),
                    Err(e) => self.out.send(Msg::DbProblem(e.to_string())).is_ok(),
                }
            }
            Cmd::Diff { workflow_id, to } => match self.history(&workflow_id) {
                Ok(Some(h)) => {
                    let d = travel::diff_text(&h, to);
                    self.out.send(Msg::Diff(Box::new(d))).is_ok()
                }
                Ok(None) => true,
                Err(e) => self.out.send(Msg::DbProblem(problem(&e))).is_ok(),
            },
            Cmd::Perform {
                workflow_id,
                request,
            } => {
                if let Some(refused) = self.refuse_write(request.action.verb()) {
                    return self.out.send(Msg::ActionDone(Err(refused))).is_ok();
                }
                let result = engine::act_on_id(&mut self.store, &workflow_id, &request);
                if let Err(EngineError::Store(e @ StoreError::Busy { .. })) = &result {
                    self.locked = Some(problem(e));
                }
                let result = result
                    .map(|w| {
                        format!(
                            "{} {}: now {} in {} (v{})",
                            request.action.verb(),
                            w.workflow.build_id,
                            w.workflow.status,
                            w.workflow.current_state,
                            w.workflow.version
                        )
                    })
                    .map_err(|e| format!("{} failed: {e}", request.action.verb()));
                if self.out.send(Msg::ActionDone(result)).is_err() {
                    return false;
                }
                // Show what we wrote now rather than at the next poll. The new version in
                // this load is what makes `update` read the detail again: that rule is its.
                self.send_load(false)
            }
            Cmd::PerformBulk {
                items,
                intent,
                actor,
                reason,
            } => {
                if let Some(refused) = self.refuse_write(intent.verb()) {
                    return self.out.send(Msg::ActionDone(Err(refused))).is_ok();
                }
                let (out, total, verb) = (&self.out, items.len(), intent.verb());
                let result = super::bulk_run::run(
                    &mut self.store,
                    &items,
                    &intent,
                    &actor,
                    &reason,
                    |done| out.send(Msg::BulkProgress { verb, done, total }).is_ok(),
                );
                if self.out.send(Msg::ActionDone(result)).is_err() {
                    return false;
                }
                self.send_load(false)
            }
            Cmd::Refresh => self.send_load(true),
            // The poll after every job is the look.
            Cmd::LookAgain => true,
            Cmd::SetPaused(p) => {
                self.paused = p;
                true
            }
        }
    }

    /// Why no action may write now (the database is gone from under us), if so.
    fn refuse_write(&mut self, verb: &str) -> Option<String> {
        (self.file_trouble.is_some() || self.store.health() != Health::Ok).then(|| {
            format!(
                "{verb} refused: the database was deleted, replaced or disconnected; nothing was written"
            )
        })
    }

    fn send_result(&mut self, loaded: Result<Delta, StoreError>) -> bool {
        match loaded {
            Ok(d) => self.out.send(Msg::Data(d)).is_ok(),
            Err(e) => self.report(&e),
        }
    }

    /// The newest live workflows and the newest finished ones: what the first screen of
    /// the default view shows, read with bounded queries before the whole live set.
    fn quick(&mut self) -> Result<Delta, StoreError> {
        let now = time::now();
        let ids = |v: &[Workflow]| v.iter().map(|w| w.id.clone()).collect::<Vec<_>>();
        let mut workflows = self.store.recent_live(QUICK_ROWS)?;
        let pending = light(self.store.pending_handoffs_of(&ids(&workflows))?);
        // The newest finished ones, as the history view pages them (without its total).
        workflows.extend(self.store.list(&ListQuery {
            finished: true,
            limit: INITIAL_FINISHED,
            ..ListQuery::default()
        })?);
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

    fn send_load(&mut self, full: bool) -> bool {
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
    fn full(&mut self) -> Result<Delta, StoreError> {
        self.token = Some(self.store.change_token()?);
        let now = time::now();
        let since = self.overlap.loaded(now, Instant::now());
        self.sent = Sent::default();
        self.reads += 1;
        let mut first = Vec::new();
        for status in [Status::Completed, Status::Cancelled] {
            first.extend(self.store.list(&ListQuery {
                status: Some(status),
                limit: INITIAL_FINISHED,
                ..ListQuery::default()
            })?);
        }
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
                w.updated_at >= since
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
        match failed {
            Some(e) => Err(e),
            None => Ok(held),
        }
    }

    fn changes(&mut self) -> Result<Delta, StoreError> {
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

    /// A workflow's whole trail, for time travel and diffs (`None`: it is gone).
    fn history(&mut self, id: &str) -> Result<Option<History>, StoreError> {
        self.reads += 1;
        match History::read(&self.store, id) {
            Ok(h) => Ok(Some(h)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn detail(&mut self, id: &str) -> Result<Option<Detail>, StoreError> {
        self.reads += 1;
        let workflow = match self.store.workflow(id) {
            Ok(w) => w,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let handoffs = self.store.handoffs(id, 200)?;
        let payload_text = handoffs
            .last()
            .map(|h| json_text::pretty(&h.data_transferred))
            .unwrap_or_default();
        Ok(Some(Detail {
            outputs_text: json_text::pretty(&workflow.phase_outputs),
            payload_text,
            checkpoints: self.store.checkpoints(id)?,
            events: self.store.recent_events(Some(id), 50)?,
            handoffs,
            workflow,
        }))
    }
}

/// What was last sent of each workflow changed within the overlap window: its version,
/// heartbeat and update time. A re-read row that matches is not sent again, so an
/// incremental batch carries only rows that really changed.
#[derive(Debug, Default)]
struct Sent(HashMap<String, (i64, Option<String>, String)>);

impl Sent {
    /// Whether this stamp of workflow `id` differs from what was sent (and remembers it).
    fn fresh(&mut self, id: &str, stamp: (i64, Option<String>, String)) -> bool {
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
    fn forget_before(&mut self, since: &str) {
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
    (w.version, w.heartbeat_at.clone(), w.updated_at.clone())
}

fn problem(e: &StoreError) -> String {
    match e {
        StoreError::Busy { during } => {
            format!("database busy: locked by another process ({during} had to give up)")
        }
        other => other.to_string(),
    }
}
