//! A record of the SQL statements a connection runs, for tests that check what a piece of
//! work reads (for example that an idle poll runs its change check and nothing else). Each
//! backend fills it its own way.

use std::sync::{Arc, Mutex};

/// The statements run on a connection since `Store::record_statements`, oldest first.
#[derive(Debug, Clone, Default)]
pub struct StatementLog(Arc<Mutex<Vec<String>>>);

impl StatementLog {
    /// Returns and forgets what was recorded so far.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Records one statement, whitespace collapsed.
    pub fn push(&self, sql: &str) {
        let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(sql);
    }
}
