//! The database worker: a thread that owns the dashboard's connection. It polls the
//! store's change token (no table read when nothing changed), reads only what changed when
//! something did, loads details on demand and performs actions, sending results back as
//! messages. The render loop never waits on the database.

mod jobs;
mod loads;

use super::msg::{Cmd, Msg};
use super::overlap::Overlap;
use super::pace::Pace;
use crate::store::{ChangeToken, FeedCursor, Health, Store, StoreError};
pub use jobs::read_detail;
use loads::Sent;
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

    /// Why no action may write now (the database is gone from under us), if so.
    fn refuse_write(&mut self, verb: &str) -> Option<String> {
        (self.file_trouble.is_some() || self.store.health() != Health::Ok).then(|| {
            format!(
                "{verb} refused: the database was deleted, replaced or disconnected; nothing was written"
            )
        })
    }
}

fn problem(e: &StoreError) -> String {
    match e {
        StoreError::Busy { during } => {
            format!("database busy: locked by another process ({during} had to give up)")
        }
        other => other.to_string(),
    }
}
