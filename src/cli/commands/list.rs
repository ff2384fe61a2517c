//! `baton list`: workflows as an aligned table, most recently updated first.

use crate::cli::context::Ctx;
use crate::cli::exit::CliResult;
use crate::cli::output::{self, Table};
use crate::model::time;
use crate::model::{Status, Workflow};
use crate::store::ListQuery;
use clap::Args;
use serde_json::Value;
use std::io::Write;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only workflows with this status (running, paused, failed, completed, cancelled)
    #[arg(long, value_name = "S", value_parser = parse_status)]
    pub status: Option<Status>,
    /// Only this project
    #[arg(long, value_name = "P")]
    pub project: Option<String>,
    /// Only workflows in this phase
    #[arg(long, value_name = "X")]
    pub phase: Option<String>,
    /// At most this many rows
    #[arg(long, value_name = "N", default_value_t = 50,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// Print one JSON array
    #[arg(long)]
    pub json: bool,
}

fn parse_status(s: &str) -> Result<Status, String> {
    Status::from_user(s).ok_or_else(|| {
        let valid: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        format!("valid statuses are {}", valid.join(", "))
    })
}

/// A summary row as JSON: the workflow without its (unread) JSON columns.
pub fn summary_json(w: &Workflow) -> Value {
    let mut v = serde_json::to_value(w).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.remove("phase_outputs");
        m.remove("metadata");
    }
    v
}

pub fn run(ctx: &Ctx, a: &ListArgs) -> CliResult {
    let store = ctx.open()?;
    let rows = store.list(&ListQuery {
        status: a.status,
        project: a.project.clone(),
        phase: a.phase.clone(),
        limit: usize::try_from(a.limit).unwrap_or(usize::MAX),
    })?;
    let mut out = std::io::stdout().lock();
    if a.json {
        let v: Vec<Value> = rows.iter().map(summary_json).collect();
        output::json(&mut out, &v)?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(out, "no workflows match")?;
        return Ok(());
    }
    let now = time::now();
    let mut t = Table::new(&[
        "ID", "BUILD", "PROJECT", "PHASE", "ROLE", "STATUS", "VER", "UPDATED",
    ]);
    for w in &rows {
        let updated = time::secs_since(&w.updated_at, now).map_or_else(
            || w.updated_at.clone(),
            |s| format!("{} ago", time::human_duration(s)),
        );
        t.row([
            w.short_id().to_string(),
            w.build_id.clone(),
            w.project_id.clone(),
            w.current_state.clone(),
            w.current_role.clone(),
            w.status_raw.clone(),
            w.version.to_string(),
            updated,
        ]);
    }
    t.write(&mut out)?;
    Ok(())
}
