//! Everything the store can refuse or fail with, classified at the backend's boundary so
//! that callers never look at a driver's error codes. Messages say what was wrong and what
//! to do; none of them carries a password.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no database at {path}; create one with `baton migrate --db {path}`", path = .0.display())]
    Missing(PathBuf),
    #[error(
        "database '{database}' does not exist on {server}; create it with `createdb {database}` (or CREATE DATABASE), then run `baton migrate --db {url}`"
    )]
    MissingDatabase {
        database: String,
        server: String,
        /// The URL with any password redacted.
        url: String,
    },
    #[error("{} is not a SQLite database (it may be truncated or another kind of file); check --db", .0.display())]
    NotADatabase(PathBuf),
    #[error("cannot open {}: {reason}", path.display())]
    CannotOpen { path: PathBuf, reason: String },
    #[error("cannot connect to {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error(
        "the connection to the database was lost during {during} ({detail}); nothing more was written. Check the server and try again"
    )]
    ConnectionLost { during: String, detail: String },
    #[error("permission denied during {during}: {detail}")]
    PermissionDenied { during: String, detail: String },
    #[error(
        "the database schema is version {db}, newer than this baton knows ({binary}); upgrade baton. The database was not modified"
    )]
    SchemaTooNew { db: i64, binary: i64 },
    #[error(
        "migration {version} ({name}) recorded in the database has checksum {recorded}, but this baton's copy has {embedded}; the schema was altered or comes from another build. The database was not modified"
    )]
    ChecksumMismatch {
        version: i64,
        name: String,
        recorded: String,
        embedded: String,
    },
    #[error("the database needs migration to schema {binary} (it is at {db}); run `baton migrate`")]
    NeedsMigration { db: i64, binary: i64 },
    #[error("{what} '{key}' not found")]
    NotFound { what: &'static str, key: String },
    #[error("'{prefix}' matches {count} workflows ({examples}); give more characters of the id")]
    Ambiguous {
        prefix: String,
        count: usize,
        examples: String,
    },
    #[error(
        "conflict: workflow {id} is at version {actual}, not {expected}; someone changed it meanwhile. Reload and try again"
    )]
    Conflict {
        id: String,
        expected: i64,
        actual: i64,
    },
    #[error("{0}")]
    Duplicate(String),
    #[error(
        "the database is locked by another process: {during} could not get the lock in time, and nothing was changed. Try again shortly, or raise --busy-timeout"
    )]
    Busy { during: String },
    #[error(
        "the disk is full (or the database reached its size limit) during {during}; nothing was written. Free some space and try again"
    )]
    Full { during: String },
    #[error(
        "an I/O error occurred during {during} ({detail}); nothing was written. Check the disk and the file"
    )]
    Io { during: String, detail: String },
    #[error("the database is read-only here ({0}); drop --read-only or check permissions")]
    ReadOnly(String),
    #[error("invalid stored data: {0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    /// Another process held a lock past the busy timeout (a read or a write).
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy { .. })
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
