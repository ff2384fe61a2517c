//! `baton doctor`'s row checks on SQLite: every value of every column, read as it is
//! stored (any type SQLite allows), judged against the column contract.

use super::SqliteStore;
use super::row;
use crate::model::time;
use crate::store::contract::{Cell, TABLES, finding, judge, report_by_check};
use crate::store::doctor_scope::Scope;
use crate::store::error::Result;
use crate::store::report::Problem;
use rusqlite::types::ValueRef;

fn cell(v: ValueRef<'_>) -> Cell<'_> {
    match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(f) => Cell::Real(f),
        ValueRef::Text(b) => Cell::Text(b),
        ValueRef::Blob(b) => Cell::Blob(b),
    }
}

impl SqliteStore {
    /// Appends a problem for every value that breaks its column's contract.
    pub(super) fn check_rows(
        &self,
        scope: &Scope,
        progress: &dyn Fn(&str),
        problems: &mut Vec<Problem>,
    ) -> Result<()> {
        let now = time::now();
        let mut found: Vec<(&'static str, String)> = Vec::new();
        for t in TABLES {
            progress(&format!("every value of {}", t.name));
            let cols: Vec<&str> = t.cols.iter().map(|c| c.name).collect();
            let only = scope.where_of(t.name);
            let sql = format!(
                "SELECT {}, {} FROM {}{only} ORDER BY rowid",
                t.key,
                cols.join(", "),
                t.name
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let key = row::text(r, 0)?;
                for (i, c) in t.cols.iter().enumerate() {
                    if let Some((check, what)) = judge(c, cell(r.get_ref(i + 1)?), now) {
                        found.push((check, finding(t, &key, c, &what)));
                    }
                }
            }
        }
        report_by_check(problems, found);
        Ok(())
    }
}
