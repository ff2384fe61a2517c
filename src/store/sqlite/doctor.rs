//! `baton doctor`'s database checks: integrity, row counts and invariants. These scan
//! whole tables on purpose; the doctor is the one place that may.

use super::SqliteStore;
use super::row;
use crate::store::error::Result;
use crate::store::invariants::{self, PHASES_CHECK, phase_problem};
use crate::store::report::{DoctorReport, Problem};

impl SqliteStore {
    pub fn doctor(&self) -> Result<DoctorReport> {
        let schema_version = super::migrate::check(&self.conn)?.version;
        let integrity: Vec<String> = {
            let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
            stmt.query_map([], |r| row::text(r, 0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut counts = Vec::new();
        for t in [
            "build_workflows",
            "workflow_handoffs",
            "workflow_events",
            "workflow_checkpoints",
            "workflow_definitions",
        ] {
            let n: i64 = self
                .conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?;
            counts.push((t.to_string(), n));
        }
        let mut problems = Vec::new();
        for (check, sql) in invariants::queries() {
            let mut stmt = self.conn.prepare(&sql)?;
            let rows: Vec<String> = stmt
                .query_map([], |r| row::text(r, 0))?
                .collect::<rusqlite::Result<_>>()?;
            invariants::report(&mut problems, check, rows);
        }
        self.check_phases(&mut problems)?;
        self.check_rows(&mut problems)?;
        Ok(DoctorReport {
            schema_version,
            integrity,
            counts,
            problems,
        })
    }

    /// Each workflow's phase and role must come from its definition.
    fn check_phases(&self, problems: &mut Vec<Problem>) -> Result<()> {
        let defs = self.definitions()?;
        let mut stmt = self.conn.prepare(
            "SELECT id, build_id, definition, current_state, current_role FROM build_workflows",
        )?;
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
