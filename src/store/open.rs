//! How a command wants the database, and what opening did.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// The database must exist and hold a baton schema; pending migrations are applied.
    ReadWrite,
    /// The database must exist; the connection cannot write (the database refuses every
    /// write: a read-only file on SQLite, a read-only session on PostgreSQL).
    ReadOnly,
    /// Like `ReadWrite`, but a missing SQLite file is created and any database is given the
    /// schema.
    Create,
}

/// What opening did, for commands to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Opened {
    pub created: bool,
    pub applied: Vec<&'static str>,
}

/// Told each long step of opening as it begins (each pending migration, giving back the
/// pages one freed), so that a command can say what it is waiting for: migrating a big
/// database holds the write lock for minutes.
pub type Steps<'a> = &'a mut dyn FnMut(&str);

pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
