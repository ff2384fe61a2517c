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

/// The same object as [`summary_json`] (keys in the same, sorted order), serialised straight
/// from the row: listing 50,000 workflows builds no intermediate JSON values.
#[derive(serde::Serialize)]
struct Summary<'a> {
    build_id: &'a str,
    completed_at: &'a Option<String>,
    created_at: &'a str,
    current_role: &'a str,
    current_state: &'a str,
    definition: &'a str,
    heartbeat_at: &'a Option<String>,
    id: &'a str,
    last_error: &'a Option<String>,
    max_retries: i64,
    project_id: &'a str,
    retry_count: i64,
    state_entered_at: &'a Option<String>,
    status: Status,
    updated_at: &'a str,
    user_id: &'a Option<String>,
    version: i64,
}

impl<'a> From<&'a Workflow> for Summary<'a> {
    fn from(w: &'a Workflow) -> Self {
        Summary {
            build_id: &w.build_id,
            completed_at: &w.completed_at,
            created_at: &w.created_at,
            current_role: &w.current_role,
            current_state: &w.current_state,
            definition: &w.definition,
            heartbeat_at: &w.heartbeat_at,
            id: &w.id,
            last_error: &w.last_error,
            max_retries: w.max_retries,
            project_id: &w.project_id,
            retry_count: w.retry_count,
            state_entered_at: &w.state_entered_at,
            status: w.status,
            updated_at: &w.updated_at,
            user_id: &w.user_id,
            version: w.version,
        }
    }
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
        let v: Vec<Summary<'_>> = rows.iter().map(Summary::from).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    #[test]
    fn streamed_summary_is_the_same_json_as_summary_json() {
        let w = Workflow {
            id: "w1".into(),
            build_id: "atlas-7\u{1b}[2J".into(),
            project_id: "atlas".into(),
            user_id: None,
            definition: "build".into(),
            current_state: "coding".into(),
            current_role: "code_writer".into(),
            status: Status::Unknown,
            status_raw: "weird".into(),
            phase_outputs: serde_json::json!({ "a": 1 }),
            retry_count: 2,
            max_retries: 3,
            last_error: Some("boom".into()),
            version: 9,
            metadata: serde_json::json!({}),
            created_at: "2026-11-22T10:00:00.000Z".into(),
            updated_at: "2026-11-22T10:01:00.000Z".into(),
            completed_at: None,
            heartbeat_at: Some("2026-11-22T10:02:00.000Z".into()),
            state_entered_at: None,
        };
        let a = serde_json::to_string_pretty(&vec![summary_json(&w)]).unwrap();
        let b = serde_json::to_string_pretty(&vec![Summary::from(&w)]).unwrap();
        assert_eq!(a, b);
    }
}
