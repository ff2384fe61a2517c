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
    _watcher: notify::RecommendedWatcher,
    events: Receiver<()>,
}

impl Watch for FileWatch {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
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
        WatchMode::Pushed
    }
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
    match file_watch(path) {
        Ok(w) => Box::new(w),
        Err(why) => Box::new(Polling {
            interval: poll,
            why: format!("file notifications unavailable ({why})"),
        }),
    }
}

fn file_watch(path: &Path) -> std::result::Result<FileWatch, String> {
    let db = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    let mut wal = db.clone().into_os_string();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    let dir = db.parent().map(Path::to_path_buf).unwrap_or_default();
    let (tx, events) = channel();
    let (db_seen, wal_seen) = (db.clone(), wal.clone());
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
        _watcher: watcher,
        events,
    })
}
