//! SQLite's errors, classified into the store's own: busy or locked, read-only, disk full,
//! I/O. Only this folder looks at SQLite's codes.

use crate::store::error::StoreError;

impl StoreError {
    /// Classifies a SQLite failure that happened while doing `during`.
    pub(crate) fn from_sqlite(e: rusqlite::Error, during: &str) -> StoreError {
        use rusqlite::ErrorCode as C;
        let during = during.to_string();
        match e.sqlite_error_code() {
            Some(C::DatabaseBusy | C::DatabaseLocked) => StoreError::Busy { during },
            Some(C::ReadOnly) => StoreError::ReadOnly(during),
            Some(C::DiskFull) => StoreError::Full { during },
            Some(C::SystemIoFailure) => StoreError::Io {
                during,
                detail: e.to_string(),
            },
            Some(C::PermissionDenied | C::AuthorizationForStatementDenied) => {
                StoreError::PermissionDenied {
                    during,
                    detail: e.to_string(),
                }
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(e, "reading the database")
    }
}
