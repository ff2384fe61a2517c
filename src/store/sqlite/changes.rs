//! Change detection. `PRAGMA data_version` changes only when another connection commits;
//! asking costs microseconds and reads no table, so an idle poll is nearly free. The
//! connection's own commits are counted by `total_changes`, so the token moves on those
//! too.

use super::SqliteStore;
use crate::store::error::Result;
use crate::store::report::ChangeToken;

impl SqliteStore {
    /// Must be asked outside a read transaction (inside one `data_version` is frozen).
    pub fn change_token(&self) -> Result<ChangeToken> {
        // Cached: asked at every look, and parsing it again cost more than running it.
        let other: i64 = self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        Ok(ChangeToken(format!(
            "{other}:{}",
            self.conn.total_changes()
        )))
    }
}
