//! `baton doctor`'s database checks: integrity, row counts and invariants. These scan
//! whole tables on purpose; the doctor is the one place that may.

use super::SqliteStore;
use super::row;
use crate::model::EventType;
use crate::store::error::Result;
use crate::store::report::{DoctorReport, Problem};

/// Rows shown per failed check; the count says how many more there are.
const SHOWN: usize = 20;

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
        for (check, sql) in invariant_queries() {
            let mut stmt = self.conn.prepare(&sql)?;
            let rows: Vec<String> = stmt
                .query_map([], |r| row::text(r, 0))?
                .collect::<rusqlite::Result<_>>()?;
            let extra = rows.len().saturating_sub(SHOWN);
            for detail in rows.into_iter().take(SHOWN) {
                problems.push(Problem::new(check, detail));
            }
            if extra > 0 {
                problems.push(Problem::new(check, format!("… and {extra} more")));
            }
        }
        self.check_phases(&mut problems)?;
        self.check_rows(&mut problems, SHOWN)?;
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
        let mut found = 0usize;
        while let Some(r) = rows.next()? {
            let (id, build, def, state, role) = (
                row::text(r, 0)?,
                row::text(r, 1)?,
                row::text(r, 2)?,
                row::text(r, 3)?,
                row::text(r, 4)?,
            );
            let detail = match defs.iter().find(|d| d.name == def) {
                None => Some(format!(
                    "workflow {id} ({build}) uses unknown definition '{def}'"
                )),
                Some(d) => match d.phase(&state) {
                    None => Some(format!(
                        "workflow {id} ({build}) is in phase '{state}', which definition '{def}' does not have"
                    )),
                    Some(p) if p.role != role => Some(format!(
                        "workflow {id} ({build}) has role '{role}' in phase '{state}', which belongs to '{}'",
                        p.role
                    )),
                    Some(_) => None,
                },
            };
            if let Some(detail) = detail {
                found += 1;
                if found <= SHOWN {
                    problems.push(Problem::new("phase belongs to definition", detail));
                }
            }
        }
        if found > SHOWN {
            problems.push(Problem::new(
                "phase belongs to definition",
                format!("… and {} more", found - SHOWN),
            ));
        }
        Ok(())
    }
}

fn in_list(types: impl Iterator<Item = EventType>) -> String {
    let v: Vec<String> = types.map(|t| format!("'{}'", t.as_str())).collect();
    format!("({})", v.join(", "))
}

/// (check name, SQL returning one description per offending row).
fn invariant_queries() -> Vec<(&'static str, String)> {
    let versioned = in_list(EventType::ALL.into_iter());
    let transitions = in_list(EventType::ALL.into_iter().filter(|t| t.is_transition()));
    let entering = in_list(
        EventType::ALL
            .into_iter()
            .filter(|t| t.is_transition() || *t == EventType::Started),
    );
    vec![
        (
            "version matches recorded changes",
            format!(
                "SELECT 'workflow ' || w.id || ' (' || w.build_id || ') is at version ' || w.version
                   || ' but has ' || n || ' change events' FROM (
                   SELECT w.id, w.build_id, w.version, (SELECT count(*) FROM workflow_events e
                     WHERE e.workflow_id = w.id AND e.event_type IN {versioned}) AS n
                   FROM build_workflows w) AS w WHERE w.version != w.n"
            ),
        ),
        (
            "every transition has its handoff",
            format!(
                "SELECT 'workflow ' || id || ' has ' || t || ' transition events but ' || h || ' handoffs'
                 FROM (SELECT w.id,
                   (SELECT count(*) FROM workflow_events e WHERE e.workflow_id = w.id AND e.event_type IN {transitions}) AS t,
                   (SELECT count(*) FROM workflow_handoffs h WHERE h.workflow_id = w.id) AS h
                   FROM build_workflows w) WHERE t != h"
            ),
        ),
        (
            "every transition has its checkpoint",
            format!(
                "SELECT 'workflow ' || id || ' has ' || c || ' checkpoints for ' || t || ' transitions and '
                   || e || ' phase entries' FROM (SELECT w.id,
                   (SELECT count(*) FROM workflow_events e WHERE e.workflow_id = w.id AND e.event_type IN {transitions}) AS t,
                   (SELECT count(*) FROM workflow_events e WHERE e.workflow_id = w.id AND e.event_type IN {entering}) AS e,
                   (SELECT count(*) FROM workflow_checkpoints c WHERE c.workflow_id = w.id) AS c
                   FROM build_workflows w) WHERE c < t OR c > e"
            ),
        ),
        (
            "events point at a workflow",
            "SELECT 'event ' || seq || ' (' || event_type || ') points at missing workflow ' || workflow_id
             FROM workflow_events e WHERE NOT EXISTS (SELECT 1 FROM build_workflows w WHERE w.id = e.workflow_id)"
                .into(),
        ),
        (
            "handoffs point at a workflow",
            "SELECT 'handoff ' || id || ' points at missing workflow ' || workflow_id
             FROM workflow_handoffs h WHERE NOT EXISTS (SELECT 1 FROM build_workflows w WHERE w.id = h.workflow_id)"
                .into(),
        ),
        (
            "checkpoints point at a workflow",
            "SELECT 'checkpoint ' || id || ' points at missing workflow ' || workflow_id
             FROM workflow_checkpoints c WHERE NOT EXISTS (SELECT 1 FROM build_workflows w WHERE w.id = c.workflow_id)"
                .into(),
        ),
        (
            "status counts match the workflows",
            "SELECT 'status ' || s || ': ' || c || ' workflows, but workflow_status_counts says ' || n
             FROM (SELECT s, sum(c) AS c, sum(n) AS n FROM (
                 SELECT status AS s, count(*) AS c, 0 AS n FROM build_workflows GROUP BY status
                 UNION ALL SELECT status, 0, n FROM workflow_status_counts)
               GROUP BY s) WHERE c != n"
                .into(),
        ),
        (
            "completed workflows have completed_at",
            "SELECT 'workflow ' || id || ' (' || build_id || ') is completed but has no completed_at'
             FROM build_workflows WHERE status = 'completed' AND completed_at IS NULL"
                .into(),
        ),
    ]
}
