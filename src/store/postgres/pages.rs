//! Pages of the list order (most recently updated first, ties by id) with the list's and
//! the history view's filters, read by keyset: the same shape as SQLite's (see
//! `sqlite/pages.rs`): each query a range of one index read newest first and stopped at
//! `LIMIT`; when only statuses narrow, one range of the (status, updated_at) index per
//! status, merged. A build-id prefix is a range of the byte-ordered index of migration 5.
//! The cursor keeps `updated_at` to the microsecond, as the server compares it.

use super::PgStore;
use super::row::{self, Micros, WORKFLOW_SUMMARY, micros_text};
use crate::store::cursor::{Cursor, CursorKind};
use crate::store::error::{Result, StoreError};
use crate::store::query::{Driver, ListQuery, Listed, Statuses, prefix_end};
use postgres::types::ToSql;

type Arg = Box<dyn ToSql + Sync>;

/// The conditions of each branch (one per status range, or one) and their shared
/// parameters (`$1`…).
struct Plan {
    branches: Vec<Vec<String>>,
    args: Vec<Arg>,
}

impl Plan {
    fn arg(&mut self, v: impl ToSql + Sync + 'static) -> String {
        self.args.push(Box::new(v));
        format!("${}", self.args.len())
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.args.iter().map(|a| a.as_ref()).collect()
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

fn plan(q: &ListQuery) -> Result<Option<Plan>> {
    let statuses = q.statuses();
    if statuses == Statuses::OneOf(Vec::new()) {
        return Ok(None);
    }
    let mut p = Plan {
        branches: Vec::new(),
        args: Vec::new(),
    };
    let mut conds = vec!["true".to_string()];
    let driver = q.driver();
    if driver == Driver::Build {
        let prefix = q.build_prefix.clone().unwrap_or_default();
        let end = prefix_end(&prefix);
        conds.push(format!("build_id COLLATE \"C\" >= {}", p.arg(prefix)));
        if let Some(end) = end {
            conds.push(format!("build_id COLLATE \"C\" < {}", p.arg(end)));
        }
    }
    if let Some(project) = &q.project {
        conds.push(format!("project_id = {}", p.arg(project.clone())));
    }
    if let Some(phase) = &q.phase {
        conds.push(format!("current_state = {}", p.arg(phase.clone())));
    }
    if let Some(since) = q.since {
        conds.push(format!("updated_at >= {}", p.arg(since)));
    }
    if let Some(until) = q.until {
        conds.push(format!("updated_at < {}", p.arg(until)));
    }
    if let Some(after) = &q.after {
        let micros = after
            .micros()
            .ok_or_else(|| StoreError::Invalid("the cursor holds no time".into()))?;
        let at = p.arg(micros_text(micros));
        let id = p.arg(after.id.clone());
        conds.push(format!(
            "updated_at <= {at}::text::timestamptz \
             AND (updated_at < {at}::text::timestamptz OR id > {id})"
        ));
    }
    match statuses {
        Statuses::Any => p.branches.push(conds),
        Statuses::OneOf(list) if driver == Driver::Status => {
            for s in list {
                let mut c = conds.clone();
                c.push(status_cond(s));
                p.branches.push(c);
            }
        }
        Statuses::OneOf(list) => {
            let any: Vec<String> = list.into_iter().map(status_cond).collect();
            conds.push(format!("({})", any.join(" OR ")));
            p.branches.push(conds);
        }
    }
    Ok(Some(p))
}

fn branch_sql(conds: &[String], columns: &str, order: bool, limit: &str) -> String {
    let order = if order {
        " ORDER BY updated_at DESC, id"
    } else {
        ""
    };
    format!(
        "SELECT {columns} FROM build_workflows WHERE {}{order} LIMIT {limit}",
        conds.join(" AND ")
    )
}

impl PgStore {
    /// At most `q.limit` summary rows matching `q`, in the list order, with their cursors.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<Listed>> {
        let Some(mut p) = plan(q)? else {
            return Ok(Vec::new());
        };
        let limit = p.arg(i64::try_from(q.limit).unwrap_or(i64::MAX));
        let columns = format!("{WORKFLOW_SUMMARY}, updated_at AS page_at");
        let sql = match p.branches.as_slice() {
            [one] => branch_sql(one, &columns, true, &limit),
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .map(|b| format!("({})", branch_sql(b, &columns, true, &limit)))
                    .collect();
                format!(
                    "SELECT * FROM ({}) AS page ORDER BY 16 DESC, 1 LIMIT {limit}",
                    parts.join(" UNION ALL ")
                )
            }
        };
        let rows = self.query(&sql, &p.params())?;
        let listed = rows
            .iter()
            .map(|r| {
                let workflow = row::workflow(r)?;
                let Micros(at) = r.try_get(19)?;
                let cursor = Cursor::new(CursorKind::Postgres, at.to_string(), workflow.id.clone());
                Ok(Listed { workflow, cursor })
            })
            .collect::<row::Result<_>>()?;
        Ok(listed)
    }

    /// How many rows match `q` (after its cursor, ignoring its limit), counting at most
    /// `cap` in each branch.
    pub fn count(&self, q: &ListQuery, cap: usize) -> Result<usize> {
        let Some(mut p) = plan(q)? else {
            return Ok(0);
        };
        let cap = p.arg(i64::try_from(cap).unwrap_or(i64::MAX));
        let parts: Vec<String> = p
            .branches
            .iter()
            .map(|b| {
                format!(
                    "(SELECT count(*) FROM ({}) AS counted)",
                    branch_sql(b, "1", false, &cap)
                )
            })
            .collect();
        let sql = format!("SELECT ({})::bigint", parts.join(" + "));
        let rows = self.query(&sql, &p.params())?;
        let n = match rows.first() {
            Some(r) => row::int(r, 0)?,
            None => 0,
        };
        Ok(usize::try_from(n).unwrap_or(0))
    }
}
