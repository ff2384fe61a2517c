//! The SQLite store: opening, migrations, queries, writes and change detection. Nothing
//! outside this module sees a SQLite type, so another backend can stand behind the same API.

mod backfill;
mod changes;
mod definitions;
mod doctor;
mod doctor_rows;
mod error;
mod history;
mod migrate;
mod open;
mod row;
mod statements;
mod workflows;
mod write;

pub use backfill::{Encoded, Trail};
pub use doctor::{DoctorReport, Problem};
pub use error::{Result, StoreError};
pub use history::EventQuery;
pub use migrate::{MIGRATIONS, Verification, latest_version};
pub use open::{DEFAULT_BUSY_TIMEOUT, OpenMode, Opened};
pub use statements::StatementLog;
pub use workflows::{ListQuery, RowStamp};
pub use write::{ApplyError, Written};

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One connection to a workflow database. Not shared between threads: each thread that
/// needs the database opens its own `Store` (SQLite connections are cheap).
pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    busy: Duration,
    /// The file opened, to notice it being deleted or replaced underneath us.
    file: Option<FileId>,
}

/// Device and inode: which file a path named when it was opened.
type FileId = (u64, u64);

/// Whether the path still names the database file that was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    Same,
    /// Nothing at the path any more (deleted or moved away).
    Missing,
    /// Another file is at the path now (replaced, e.g. restored from a backup).
    Replaced,
}

fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

impl Store {
    pub fn open(path: &Path, mode: OpenMode) -> Result<(Store, Opened)> {
        Store::open_with(path, mode, DEFAULT_BUSY_TIMEOUT)
    }

    pub fn open_with(path: &Path, mode: OpenMode, busy: Duration) -> Result<(Store, Opened)> {
        let (conn, opened) = open::open(path, mode, busy)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            read_only: mode == OpenMode::ReadOnly,
            busy,
            file: file_id(path),
        };
        Ok((store, opened))
    }

    /// Opens the file now at this store's path again, the same way (read-only or not, same
    /// busy timeout); never creates it.
    pub fn reopen(&self) -> Result<Store> {
        let mode = if self.read_only {
            OpenMode::ReadOnly
        } else {
            OpenMode::ReadWrite
        };
        Ok(Store::open_with(&self.path, mode, self.busy)?.0)
    }

    /// Closes the connection, then opens the file now at the path the same way. Closing
    /// first matters: the `-wal` and `-shm` files go by the path's name, and a connection to
    /// the old file must not share them with the new one. On failure the store stays
    /// closed (every query fails) and `file_state` keeps saying the file changed.
    pub fn reopen_in_place(&mut self) -> Result<()> {
        self.conn = Connection::open_in_memory()?;
        let fresh = self.reopen()?;
        *self = fresh;
        Ok(())
    }

    /// Whether the path still names the file this store opened. A `stat`: cheap enough for
    /// every poll.
    pub fn file_state(&self) -> FileState {
        match (self.file, file_id(&self.path)) {
            (_, None) => FileState::Missing,
            (Some(a), Some(b)) if a != b => FileState::Replaced,
            _ => FileState::Same,
        }
    }

    /// Whether another connection holds the write lock right now. Asks without waiting: it
    /// takes and at once releases the lock when it is free, writing nothing. Read-only
    /// stores cannot ask and answer `false`.
    pub fn write_locked(&self) -> Result<bool> {
        if self.read_only {
            return Ok(false);
        }
        self.conn.busy_timeout(Duration::ZERO)?;
        let result = self.conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK");
        self.conn.busy_timeout(self.busy)?;
        match result {
            Ok(()) => Ok(false),
            Err(e) => match StoreError::from_sqlite(e, "checking the lock") {
                StoreError::Busy { .. } => Ok(true),
                other => Err(other),
            },
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(migrate::check(&self.conn)?.version)
    }

    /// Checks checksums and that every table, index and column exists.
    pub fn verify_schema(&self) -> Result<Verification> {
        migrate::verify(&self.conn)
    }
}
