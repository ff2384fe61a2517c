//! Being told that the database may have changed, instead of asking over and over. Each
//! backend pushes its own way (SQLite: the file system reports writes to the database and
//! its WAL; PostgreSQL: `LISTEN` on a channel the contract tables' triggers `NOTIFY`), and
//! falls back to polling, saying why, where it cannot. A wake-up means "look again",
//! never the data itself: the reader confirms with the change token and reads only what
//! changed.

use super::error::Result;
use std::time::Duration;

/// How changes reach a reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchMode {
    /// Pushed by the database side as they are committed.
    Pushed,
    /// Polled at an interval, for the reason given (shown to the user).
    Polling(String),
}

pub trait Watch: Send {
    /// Blocks until something may have changed (true) or `timeout` has passed (false).
    /// Several changes arriving together are one wake-up.
    fn wait(&mut self, timeout: Duration) -> Result<bool>;
    fn mode(&self) -> WatchMode;
    /// Stops being told about changes until `arm`: a reader that paces its looks need not
    /// be woken by every one of a busy writer's commits (each is a wake-up of this
    /// process, and on PostgreSQL a signal to its backend).
    fn disarm(&mut self) {}
    /// Listens again. What changed while disarmed is the caller's to look for, after this
    /// returns; a watch that cannot tell that look will see it (SQLite: a commit's frames
    /// written but not yet published) owes one wake-up for it.
    fn arm(&mut self) {}
}

/// Polling, where nothing can push: every interval counts as "may have changed".
pub struct Polling {
    pub interval: Duration,
    pub why: String,
}

impl Watch for Polling {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        std::thread::sleep(self.interval.min(timeout));
        Ok(self.interval <= timeout)
    }

    fn mode(&self) -> WatchMode {
        WatchMode::Polling(self.why.clone())
    }
}
