//! The PostgreSQL backend: being written in the next commits; until then a postgres URL is
//! refused with a clear error.

use super::error::{Result, StoreError};
use super::open::{OpenMode, Opened};
use super::sqlite::SqliteStore;
use super::target::Target;
use std::time::Duration;

pub struct PgStore;

impl PgStore {
    pub fn open(target: Target, _mode: OpenMode, _busy: Duration) -> Result<(SqliteStore, Opened)> {
        Err(StoreError::Connect {
            target: target.to_string(),
            reason: "this build of baton cannot reach PostgreSQL yet".into(),
        })
    }
}
