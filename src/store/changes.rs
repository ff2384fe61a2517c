//! Change detection. `PRAGMA data_version` changes only when another connection commits;
//! asking costs microseconds and reads no table, so an idle poll is nearly free.

use super::{Result, Store};

impl Store {
    /// A number that differs from the previous call's if another connection committed
    /// since. Must be asked outside a read transaction (inside one it is frozen).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}
