//! `baton doctor`'s database checks: integrity, row counts and invariants. The full check
//! scans whole tables on purpose (the doctor is the one place that may); a scoped one
//! reads only its scope's rows, through indexes.

use super::SqliteStore;
use super::row;
use crate::store::doctor_scope::Scope;
use crate::store::error::Result;
use crate::store::invariants::{self, PHASES_CHECK, phase_problem};
use crate::store::report::{DoctorReport, Problem};

impl SqliteStore {
    pub fn doctor(&self, scope: &Scope, progress: &dyn Fn(&str)) -> Result<DoctorReport> {
        progress("schema");
        let schema_version = super::migrate::check(&self.conn)?.version;
        let mut integrity = Vec::new();
        let mut counts = Vec::new();
        if scope.is_full() {
            progress("integrity_check (reads the whole file)");
            let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
            integrity = stmt
                .query_map([], |r| row::text(r, 0))?
                .collect::<rusqlite::Result<_>>()?;
            progress("counting rows");
        }
        for t in [
            "build_workflows",
            "workflow_handoffs",
            "workflow_events",
            "workflow_checkpoints",
            "workflow_definitions",
        ]
        .into_iter()
        .filter(|_| scope.is_full())
        {
            let n: i64 = self
                .conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?;
            counts.push((t.to_string(), n));
        }
        let mut problems = Vec::new();
        for (check, sql) in invariants::queries(scope) {
            progress(check);
            let mut stmt = self.conn.prepare(&sql)?;
            let rows: Vec<String> = stmt
                .query_map([], |r| row::text(r, 0))?
                .collect::<rusqlite::Result<_>>()?;
            invariants::report(&mut problems, check, rows);
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

    /// Each workflow's phase and role must come from its definition.
    fn check_phases(&self, scope: &Scope, problems: &mut Vec<Problem>) -> Result<()> {
        let defs = self.definitions()?;
        let only = scope.where_of("build_workflows");
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id, build_id, definition, current_state, current_role FROM build_workflows{only}"
        ))?;
        let mut rows = stmt.query([])?;
        let mut found = Vec::new();
        while let Some(r) = rows.next()? {
            let (id, build, def, state, role) = (
                row::text(r, 0)?,
                row::text(r, 1)?,
                row::text(r, 2)?,
                row::text(r, 3)?,
                row::text(r, 4)?,
            );
            found.extend(phase_problem(&defs, &id, &build, &def, &state, &role));
        }
        invariants::report(problems, PHASES_CHECK, found);
        Ok(())
    }
}
