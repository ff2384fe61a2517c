//! The SQLite store: opening, migrations, queries, writes and change detection. Nothing
//! outside this module sees a SQLite type, so another backend can stand behind the same API.

mod changes;
mod definitions;
mod doctor;
mod error;
mod history;
mod migrate;
mod open;
mod row;
mod workflows;
mod write;

pub use doctor::{DoctorReport, Problem};
pub use error::{Result, StoreError};
pub use history::EventQuery;
pub use migrate::{MIGRATIONS, Verification, latest_version};
pub use open::{DEFAULT_BUSY_TIMEOUT, OpenMode, Opened};
pub use workflows::ListQuery;
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
        };
        Ok((store, opened))
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
