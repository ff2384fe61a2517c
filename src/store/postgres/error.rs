//! PostgreSQL's errors, classified into the store's own by SQLSTATE: a lock wait past
//! `lock_timeout` is busy, a write in a read-only session is read-only, a lost socket is a
//! lost connection. Only this folder looks at the driver's codes.

use crate::store::error::StoreError;
use postgres::error::SqlState;

/// Classifies a driver failure that happened while doing `during`.
pub fn classify(e: postgres::Error, during: &str) -> StoreError {
    let during = during.to_string();
    if e.is_closed() {
        return StoreError::ConnectionLost {
            during,
            detail: e.to_string(),
        };
    }
    let Some(db) = e.as_db_error() else {
        // No server answer at all: the socket failed under us.
        return StoreError::ConnectionLost {
            during,
            detail: e.to_string(),
        };
    };
    let code = db.code();
    let detail = db.message().to_string();
    match code {
        c if *c == SqlState::LOCK_NOT_AVAILABLE
            || *c == SqlState::QUERY_CANCELED
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::T_R_SERIALIZATION_FAILURE =>
        {
            StoreError::Busy { during }
        }
        c if *c == SqlState::READ_ONLY_SQL_TRANSACTION => StoreError::ReadOnly(during),
        c if *c == SqlState::INSUFFICIENT_PRIVILEGE => {
            StoreError::PermissionDenied { during, detail }
        }
        c if *c == SqlState::DISK_FULL || *c == SqlState::OUT_OF_MEMORY => {
            StoreError::Full { during }
        }
        c if *c == SqlState::ADMIN_SHUTDOWN
            || *c == SqlState::CRASH_SHUTDOWN
            || *c == SqlState::CANNOT_CONNECT_NOW
            || c.code().starts_with("08") =>
        {
            StoreError::ConnectionLost { during, detail }
        }
        c if *c == SqlState::IO_ERROR || *c == SqlState::DATA_CORRUPTED => {
            StoreError::Io { during, detail }
        }
        _ => StoreError::Database(format!("{during}: {detail}")),
    }
}

/// Whether `e` is a unique violation of `constraint`.
pub fn is_unique_violation(e: &postgres::Error, constraint: &str) -> bool {
    e.as_db_error().is_some_and(|db| {
        *db.code() == SqlState::UNIQUE_VIOLATION && db.constraint() == Some(constraint)
    })
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        classify(e, "reading the database")
    }
}
