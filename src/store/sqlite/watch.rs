//! File notifications for a SQLite database: every commit writes the `-wal` file (or, in
//! other journal modes, the database file), so a write to either wakes the reader. Reading
//! writes neither, so an idle database stays silent. Where the file system cannot notify
//! (network file systems, a watch limit reached) the reader polls and says why.

use crate::store::error::Result;
use crate::store::watch::{Polling, Watch, WatchMode};
use notify::{Event, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

struct FileWatch {
    /// Kept alive: dropping it stops the notifications.
    watcher: notify::RecommendedWatcher,
    dir: PathBuf,
    files: [PathBuf; 2],
    armed: bool,
    /// The files as they stood when notifications stopped, to tell on re-arming whether
    /// they were written meanwhile.
    left: Option<[Stamp; 2]>,
    /// A write noticed on re-arming, reported by the next wait.
    owed: bool,
    /// How often to look if watching the directory again fails.
    poll: Duration,
    events: Receiver<()>,
}

impl Watch for FileWatch {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        self.arm();
        if std::mem::take(&mut self.owed) {
            return Ok(true);
        }
        if !self.armed {
            std::thread::sleep(self.poll.min(timeout));
            return Ok(true);
        }
        let woke = match self.events.recv_timeout(timeout) {
            Ok(()) => true,
            Err(RecvTimeoutError::Timeout) => false,
            // The watcher's thread is gone: report a change so the reader looks again.
            Err(RecvTimeoutError::Disconnected) => true,
        };
        // A burst of writes is one wake-up.
        while self.events.try_recv().is_ok() {}
        Ok(woke)
    }

    fn mode(&self) -> WatchMode {
        if self.armed {
            WatchMode::Pushed
        } else {
            WatchMode::Polling("file notifications lost; polling".into())
        }
    }

    fn disarm(&mut self) {
        if self.armed && self.watcher.unwatch(&self.dir).is_ok() {
            self.armed = false;
            self.left = Some(self.files.each_ref().map(|f| stamp(f)));
        }
    }

    fn arm(&mut self) {
        if !self.armed {
            // What arrived before this is covered by the caller's own look.
            while self.events.try_recv().is_ok() {}
            self.armed = self
                .watcher
                .watch(&self.dir, RecursiveMode::NonRecursive)
                .is_ok();
            // The caller looks once re-armed, but a commit's frames can reach the WAL
            // while nothing listens and be published (in the shared-memory index, which
            // notifies nobody) only after that look: a write meanwhile is owed a wake-up,
            // whose look comes after the pace's pause, as for one heard.
            if self.armed
                && let Some(left) = self.left.take()
            {
                self.owed = self.files.each_ref().map(|f| stamp(f)) != left;
            }
        }
    }
}

/// A file's length and modification time; `None` while it does not exist.
type Stamp = Option<(u64, Option<std::time::SystemTime>)>;

fn stamp(path: &Path) -> Stamp {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.len(), m.modified().ok()))
}

/// Whether a file-system event is a write to (or the creation or removal of) the database
/// or its WAL. Opening and reading them, as every reader does, is not.
fn touches(event: &Event, db: &Path, wal: &Path) -> bool {
    let kind = &event.kind;
    (kind.is_modify() || kind.is_create() || kind.is_remove())
        && event.paths.iter().any(|p| p == db || p == wal)
}

/// A watch on the database at `path`, or polling every `poll` when notifications cannot
/// be had.
pub fn watch(path: &Path, poll: Duration) -> Box<dyn Watch> {
    match file_watch(path, poll) {
        Ok(w) => Box::new(w),
        Err(why) => Box::new(Polling {
            interval: poll,
            why: format!("file notifications unavailable ({why})"),
        }),
    }
}

fn file_watch(path: &Path, poll: Duration) -> std::result::Result<FileWatch, String> {
    let db = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    let mut wal = db.clone().into_os_string();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    let dir = db.parent().map(Path::to_path_buf).unwrap_or_default();
    let (tx, events) = channel();
    let files = [db.clone(), wal.clone()];
    let (db_seen, wal_seen) = (db, wal);
    let mut watcher = notify::recommended_watcher(move |e: notify::Result<Event>| {
        if let Ok(e) = e
            && touches(&e, &db_seen, &wal_seen)
        {
            let _ = tx.send(());
        }
    })
    .map_err(|e| e.to_string())?;
    // The directory, not the files: the WAL comes and goes with checkpoints and closes.
    watcher
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(|e| e.to_string())?;
    Ok(FileWatch {
        watcher,
        dir,
        files,
        armed: true,
        left: None,
        owed: false,
        poll,
        events,
    })
}
