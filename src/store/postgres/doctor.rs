//! `baton doctor` on PostgreSQL: the server's own integrity checks (invalid indexes left by
//! a failed concurrent build, constraints never validated, and the B-tree checks of
//! `amcheck` when that extension is installed), row counts, the shared invariants, and the
//! column contract. These scan whole tables on purpose; the doctor is the one place that
//! may.

use super::PgStore;
use super::migrate;
use super::row;
use crate::model::time;
use crate::store::contract::{Cell, Kind, TABLES, finding, judge, report_by_check};
use crate::store::doctor_scope::Scope;
use crate::store::error::Result;
use crate::store::invariants::{self, PHASES_CHECK, phase_problem};
use crate::store::report::{DoctorReport, Problem};

impl PgStore {
    pub fn doctor(&self, scope: &Scope, progress: &dyn Fn(&str)) -> Result<DoctorReport> {
        progress("schema");
        let schema_version = migrate::check(&mut *self.client.borrow_mut())?.version;
        let mut integrity = Vec::new();
        let mut counts = Vec::new();
        if scope.is_full() {
            progress("indexes and constraints");
            integrity = self.integrity()?;
            progress("counting rows");
        }
        for (t, sql) in [
            ("build_workflows", "SELECT count(*) FROM build_workflows"),
            (
                "workflow_handoffs",
                "SELECT count(*) FROM workflow_handoffs",
            ),
            ("workflow_events", "SELECT count(*) FROM workflow_events"),
            (
                "workflow_checkpoints",
                "SELECT count(*) FROM workflow_checkpoints",
            ),
            (
                "workflow_definitions",
                "SELECT count(*) FROM workflow_definitions",
            ),
        ]
        .into_iter()
        .filter(|_| scope.is_full())
        {
            counts.push((t.to_string(), row::int(&self.query(sql, &[])?[0], 0)?));
        }
        let mut problems = Vec::new();
        for (check, sql) in invariants::queries(scope) {
            progress(check);
            let rows = self.query(&sql, &[])?;
            let details = rows
                .iter()
                .map(|r| row::text(r, 0))
                .collect::<row::Result<Vec<_>>>()?;
            invariants::report(&mut problems, check, details);
        }
        progress(PHASES_CHECK);
        self.check_phases(scope, &mut problems)?;
        self.check_rows(scope, progress, &mut problems)?;
        Ok(DoctorReport {
            schema_version,
            integrity,
            counts,
            problems,
        })
    }

    fn integrity(&self) -> Result<Vec<String>> {
        let mut found: Vec<String> = Vec::new();
        for r in self.query(
            "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid",
            &[],
        )? {
            found.push(format!(
                "index {} is invalid (a failed concurrent build?); REINDEX it",
                row::text(&r, 0)?
            ));
        }
        for r in self.query(
            "SELECT conrelid::regclass::text, conname::text FROM pg_constraint
             WHERE connamespace = current_schema()::regnamespace AND NOT convalidated",
            &[],
        )? {
            found.push(format!(
                "constraint {} on {} was never validated; ALTER TABLE … VALIDATE CONSTRAINT",
                row::text(&r, 1)?,
                row::text(&r, 0)?
            ));
        }
        let amcheck = !self
            .query("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'", &[])?
            .is_empty();
        if amcheck {
            // Raises an error naming the index when a B-tree is corrupt.
            let checked = self.query(
                "SELECT c.relname::text, bt_index_check(c.oid) IS NULL FROM pg_index i
                   JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
                 WHERE c.relnamespace = current_schema()::regnamespace AND a.amname = 'btree'
                   AND i.indisvalid",
                &[],
            );
            if let Err(e) = checked {
                found.push(format!("amcheck: {e}"));
            }
        }
        if found.is_empty() {
            found.push("ok".into());
        }
        Ok(found)
    }

    fn check_phases(&self, scope: &Scope, problems: &mut Vec<Problem>) -> Result<()> {
        let defs = self.definitions()?;
        let only = scope.where_of("build_workflows");
        let rows = self.query(
            &format!(
                "SELECT id, build_id, definition, current_state, \"current_role\" FROM build_workflows{only}"
            ),
            &[],
        )?;
        let mut found = Vec::new();
        for r in &rows {
            let text = |i| row::text(r, i);
            found.extend(phase_problem(
                &defs,
                &text(0)?,
                &text(1)?,
                &text(2)?,
                &text(3)?,
                &text(4)?,
            ));
        }
        invariants::report(problems, PHASES_CHECK, found);
        Ok(())
    }

    /// Every value of every column, judged against the column contract. Times come back in
    /// baton's own form, so only their distance from now can be wrong.
    fn check_rows(
        &self,
        scope: &Scope,
        progress: &dyn Fn(&str),
        problems: &mut Vec<Problem>,
    ) -> Result<()> {
        let now = time::now();
        let mut found: Vec<(&'static str, String)> = Vec::new();
        for t in TABLES {
            progress(&format!("every value of {}", t.name));
            let only = scope.where_of(t.name);
            let mut exprs = vec![format!("{}::text", t.key)];
            for c in t.cols {
                let col = format!("\"{}\"", c.name);
                exprs.push(match c.kind {
                    Kind::Int { .. } => format!("{col}::bigint"),
                    Kind::Time => format!(
                        "to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                    ),
                    _ => format!("{col}::text"),
                });
            }
            // The column names come from the contract's constant table, never from input.
            let sql = ["SELECT ", &exprs.join(", "), " FROM ", t.name, &only].concat();
            for r in self.query(&sql, &[])? {
                let key = row::text(&r, 0)?;
                for (i, c) in t.cols.iter().enumerate() {
                    let text: Option<String>;
                    let cell = if let Kind::Int { .. } = c.kind {
                        r.try_get::<_, Option<i64>>(i + 1)?
                            .map_or(Cell::Null, Cell::Int)
                    } else {
                        text = r.try_get(i + 1)?;
                        text.as_deref()
                            .map_or(Cell::Null, |s| Cell::Text(s.as_bytes()))
                    };
                    if let Some((check, what)) = judge(c, cell, now) {
                        found.push((check, finding(t, &key, c, &what)));
                    }
                }
            }
        }
        report_by_check(problems, found);
        Ok(())
    }
}
