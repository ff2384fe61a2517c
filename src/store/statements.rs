//! A record of the SQL statements a connection runs, for tests that check what a piece of
//! work reads (for example that an idle poll runs `PRAGMA data_version` and nothing else).

use super::Store;
use super::error::Result;
use rusqlite::trace::{TraceEvent, TraceEventCodes};
use std::sync::{Arc, Mutex};

/// The statements run on a connection since [`Store::record_statements`], oldest first.
#[derive(Debug, Clone, Default)]
pub struct StatementLog(Arc<Mutex<Vec<String>>>);

impl StatementLog {
    /// Returns and forgets what was recorded so far.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Store {
    /// Starts recording every statement this connection runs (each execution, including
    /// pragmas and statements run by triggers' parents, as its SQL text).
    pub fn record_statements(&mut self) -> Result<StatementLog> {
        let log = StatementLog::default();
        let sink = Arc::clone(&log.0);
        self.conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |e: TraceEvent<'_>| {
                if let TraceEvent::Stmt(stmt, _) = e {
                    let sql = stmt.sql().split_whitespace().collect::<Vec<_>>().join(" ");
                    sink.lock().unwrap_or_else(|e| e.into_inner()).push(sql);
                }
            }),
        )?;
        Ok(log)
    }
}
