//! Statement tracing through SQLite's trace hook, into the store's neutral log.

use super::SqliteStore;
use crate::store::error::Result;
use crate::store::statements::StatementLog;
use rusqlite::trace::{TraceEvent, TraceEventCodes};

impl SqliteStore {
    /// Starts recording every statement this connection runs (each execution, including
    /// pragmas, as its SQL text).
    pub fn record_statements(&mut self) -> Result<StatementLog> {
        let log = StatementLog::default();
        let sink = log.clone();
        self.conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |e: TraceEvent<'_>| {
                if let TraceEvent::Stmt(stmt, _) = e {
                    sink.push(&stmt.sql());
                }
            }),
        )?;
        Ok(log)
    }
}
