//! Pages of the list order (most recently updated first, ties by id) with the list's and
//! the history view's filters, read by keyset: every query is a range of one index, named
//! with `INDEXED BY` (the narrowest filter's: see `ListQuery::driver`), read newest first
//! and stopped at `LIMIT`. When only statuses narrow, each status is its own range of the
//! (status, updated_at) index and the branches are merged (at most `LIMIT` rows each).
//! A build-id prefix so broad that sorting its matches would cost more than skipping
//! non-matches drives by the next filter's index instead (`BROAD_PREFIX`, counted first on
//! the build-id index alone). Counting stops at a cap, so it too is bounded.

use super::SqliteStore;
use super::row::{self, WORKFLOW_SUMMARY};
use crate::model::time;
use crate::store::cursor::{Cursor, CursorKind};
use crate::store::error::Result;
use crate::store::query::{BROAD_PREFIX, Driver, ListQuery, Listed, Statuses, prefix_end};
use rusqlite::types::Value;

/// The unique index on build_id (SQLite names it; the migration's only UNIQUE column).
const BUILD_INDEX: &str = "sqlite_autoindex_build_workflows_2";

/// One range of one index, and what else a row must satisfy.
struct Branch {
    index: &'static str,
    conds: Vec<String>,
}

/// The branches of a query and their shared parameters (numbered `?1`…); `None` when
/// nothing can match.
struct Plan {
    branches: Vec<Branch>,
    args: Vec<Value>,
}

impl Plan {
    fn arg(&mut self, v: impl Into<Value>) -> String {
        self.args.push(v.into());
        format!("?{}", self.args.len())
    }
}

/// `status = 'x'`, with retries exhausted for a failed workflow counting as finished. The
/// statuses are baton's own words, never input.
fn status_cond((status, exhausted): (&str, bool)) -> String {
    if exhausted {
        format!("(status = '{status}' AND retry_count >= max_retries)")
    } else {
        format!("status = '{status}'")
    }
}

fn plan(q: &ListQuery, driver: Driver) -> Option<Plan> {
    let statuses = q.statuses();
    if statuses == Statuses::OneOf(Vec::new()) {
        return None;
    }
    let mut p = Plan {
        branches: Vec::new(),
        args: Vec::new(),
    };
    let mut conds = Vec::new();
    if let Some(prefix) = q.build_prefix.clone().filter(|p| !p.is_empty()) {
        let end = prefix_end(&prefix);
        conds.push(format!("build_id >= {}", p.arg(prefix)));
        if let Some(end) = end {
            conds.push(format!("build_id < {}", p.arg(end)));
        }
    }
    let index = match driver {
        Driver::Build => BUILD_INDEX,
        Driver::Project => "idx_workflows_project",
        Driver::Phase => "idx_workflows_state",
        Driver::Status => "idx_workflows_status_updated",
        Driver::Updated => "idx_workflows_updated",
    };
    if let Some(project) = &q.project {
        conds.push(format!("project_id = {}", p.arg(project.clone())));
    }
    if let Some(phase) = &q.phase {
        conds.push(format!("current_state = {}", p.arg(phase.clone())));
    }
    if let Some(since) = q.since {
        conds.push(format!("updated_at >= {}", p.arg(time::format(since))));
    }
    if let Some(until) = q.until {
        conds.push(format!("updated_at < {}", p.arg(time::format(until))));
    }
    if let Some(after) = &q.after {
        let at = p.arg(after.at.clone());
        let id = p.arg(after.id.clone());
        conds.push(format!(
            "updated_at <= {at} AND (updated_at < {at} OR id > {id})"
        ));
    }
    match statuses {
        Statuses::Any => p.branches.push(Branch { index, conds }),
        Statuses::OneOf(list) if driver == Driver::Status => {
            for s in list {
                let mut c = vec![status_cond(s)];
                c.extend(conds.iter().cloned());
                p.branches.push(Branch { index, conds: c });
            }
        }
        Statuses::OneOf(list) => {
            let any: Vec<String> = list.into_iter().map(status_cond).collect();
            conds.push(format!("({})", any.join(" OR ")));
            p.branches.push(Branch { index, conds });
        }
    }
    Some(p)
}

fn branch_sql(b: &Branch, columns: &str, order: bool, limit: &str) -> String {
    let order = if order {
        " ORDER BY updated_at DESC, id"
    } else {
        ""
    };
    let conds = if b.conds.is_empty() {
        "1".to_string()
    } else {
        b.conds.join(" AND ")
    };
    format!(
        "SELECT {columns} FROM build_workflows INDEXED BY {} WHERE {conds}{order} LIMIT {limit}",
        b.index,
    )
}

impl SqliteStore {
    /// At most `q.limit` summary rows matching `q`, in the list order, with their cursors.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<Listed>> {
        let mut driver = q.driver();
        if driver == Driver::Build && self.prefix_is_broad(q.build_prefix.as_deref())? {
            driver = q.driver_after_prefix();
        }
        let Some(mut p) = plan(q, driver) else {
            return Ok(Vec::new());
        };
        let limit = p.arg(i64::try_from(q.limit).unwrap_or(i64::MAX));
        let sql = match p.branches.as_slice() {
            [one] => branch_sql(one, WORKFLOW_SUMMARY, true, &limit),
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .map(|b| {
                        format!(
                            "SELECT * FROM ({})",
                            branch_sql(b, WORKFLOW_SUMMARY, true, &limit)
                        )
                    })
                    .collect();
                format!(
                    "SELECT * FROM ({}) ORDER BY 16 DESC, 1 LIMIT {limit}",
                    parts.join(" UNION ALL ")
                )
            }
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(p.args.iter()), |r| {
            let workflow = row::workflow(r)?;
            // SQLite compares the stored text: the cursor keeps it as read.
            let cursor = Cursor::new(
                CursorKind::Sqlite,
                workflow.updated_at.as_str().into(),
                workflow.id.clone(),
            );
            Ok(Listed { workflow, cursor })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many rows match `q` (after its cursor, ignoring its limit), counting at most
    /// `cap` in each branch.
    pub fn count(&self, q: &ListQuery, cap: usize) -> Result<usize> {
        let Some(mut p) = plan(q, q.driver()) else {
            return Ok(0);
        };
        let cap = p.arg(i64::try_from(cap).unwrap_or(i64::MAX));
        let parts: Vec<String> = p
            .branches
            .iter()
            .map(|b| {
                format!(
                    "(SELECT count(*) FROM ({}))",
                    branch_sql(b, "1", false, &cap)
                )
            })
            .collect();
        let sql = format!("SELECT {}", parts.join(" + "));
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(p.args.iter()), |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Whether more than [`BROAD_PREFIX`] build ids start with `prefix`: counted on the
    /// build-id index alone (no row is read), stopping there.
    fn prefix_is_broad(&self, prefix: Option<&str>) -> Result<bool> {
        let prefix = prefix.unwrap_or_default();
        let end = prefix_end(prefix).unwrap_or_else(|| "\u{10ffff}\u{10ffff}".into());
        let n: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM build_workflows INDEXED BY {BUILD_INDEX}
                 WHERE build_id >= ?1 AND build_id < ?2 LIMIT ?3)"
            ))?
            .query_row(
                rusqlite::params![prefix, end, (BROAD_PREFIX + 1) as i64],
                |r| r.get(0),
            )?;
        Ok(n > BROAD_PREFIX as i64)
    }
}
