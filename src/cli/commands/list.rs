//! `baton list`: workflows as an aligned table, most recently updated first, each marked
//! stuck or not by the engine's rule. At most `--limit` rows; when more match, a note on
//! stderr says how many and how to see them (stdout holds only the rows, for scripts).

use super::stuck::{self, stuck_of};
use crate::cli::context::Ctx;
use crate::cli::exit::CliResult;
use crate::cli::output::{self, Table};
use crate::engine::stuck::Stuck;
use crate::model::time;
use crate::model::{Status, Workflow};
use crate::store::{ListQuery, Store};
use clap::Args;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;

/// `--limit`'s default.
pub const DEFAULT_LIMIT: u64 = 50;
/// How far past the limit a filtered list counts (exact counts come from the status
/// counts; with --project or --phase they would need a scan of history).
const COUNT_PAST: usize = 10_000;

/// What `--status` selects: a stored status, or the engine's stuck rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Is(Status),
    Stuck,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only workflows with this status (running, paused, failed, completed, cancelled), or
    /// stuck: running workflows the stuck rule flags (as the dashboard's stuck view)
    #[arg(long, value_name = "S", value_parser = parse_status)]
    pub status: Option<StatusFilter>,
    /// Only this project
    #[arg(long, value_name = "P")]
    pub project: Option<String>,
    /// Only workflows in this phase
    #[arg(long, value_name = "X")]
    pub phase: Option<String>,
    /// At most this many rows (a note on stderr says how many more match)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// Print one JSON array
    #[arg(long)]
    pub json: bool,
}

fn parse_status(s: &str) -> Result<StatusFilter, String> {
    if s.eq_ignore_ascii_case("stuck") {
        return Ok(StatusFilter::Stuck);
    }
    Status::from_user(s).map(StatusFilter::Is).ok_or_else(|| {
        let valid: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        format!("valid statuses are {}, and stuck", valid.join(", "))
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

/// The object of [`summary_json`] plus `stuck` (keys in the same, sorted order), serialised straight
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
    /// Why it is stuck (the rule, since when, the limit, and a description), or null.
    stuck: Option<StuckJson<'a>>,
    updated_at: &'a str,
    user_id: &'a Option<String>,
    version: i64,
}

#[derive(serde::Serialize)]
struct StuckJson<'a> {
    #[serde(flatten)]
    stuck: &'a Stuck,
    description: String,
}

impl<'a> Summary<'a> {
    fn new(w: &'a Workflow, stuck: Option<&'a Stuck>) -> Self {
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
            stuck: stuck.map(|s| StuckJson {
                stuck: s,
                description: s.describe(),
            }),
            updated_at: &w.updated_at,
            user_id: &w.user_id,
            version: w.version,
        }
    }
}

pub fn run(ctx: &Ctx, a: &ListArgs) -> CliResult {
    let store = ctx.open()?;
    let limit = usize::try_from(a.limit).unwrap_or(usize::MAX);
    let now = time::now();
    let (rows, stuck, more) = match a.status {
        Some(StatusFilter::Stuck) => stuck_rows(ctx, &store, a, limit, now)?,
        status => {
            let status = match status {
                Some(StatusFilter::Is(s)) => Some(s),
                _ => None,
            };
            let q = ListQuery {
                status,
                project: a.project.clone(),
                phase: a.phase.clone(),
                limit,
            };
            let mut rows = store.list(&q)?;
            let more = if rows.len() < limit {
                More::None
            } else {
                count_more(&store, &q)?
            };
            rows.truncate(limit);
            let stuck = stuck_of(&store, &rows, ctx.policy, now)?;
            (rows, stuck, more)
        }
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        let v: Vec<Summary<'_>> = rows
            .iter()
            .map(|w| Summary::new(w, stuck.get(&w.id)))
            .collect();
        output::json(&mut out, &v)?;
    } else if rows.is_empty() {
        writeln!(out, "no workflows match")?;
    } else {
        table(&rows, &stuck, now).write(&mut out)?;
    }
    out.flush()?;
    drop(out);
    if let Some(note) = more.note(rows.len()) {
        writeln!(std::io::stderr(), "{note}")?;
    }
    Ok(())
}

/// How many rows matched beyond those shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum More {
    None,
    Exactly(usize),
    AtLeast(usize),
}

impl More {
    /// The note for stderr, or nothing when every match was shown.
    pub fn note(self, shown: usize) -> Option<String> {
        let (more, total) = match self {
            More::None | More::Exactly(0) => return None,
            More::Exactly(n) => (n.to_string(), (shown + n).to_string()),
            More::AtLeast(n) => (format!("at least {n}"), format!("{}", shown + n)),
        };
        Some(format!(
            "showing {shown} workflows; {more} more match (most recently updated first): \
             `--limit {total}` shows them, or narrow with --status, --project or --phase"
        ))
    }
}

/// How many match `q` beyond its limit: exact from the status counts when only the status
/// narrows, else counted up to [`COUNT_PAST`] further rows.
fn count_more(store: &Store, q: &ListQuery) -> CliResult<More> {
    if q.project.is_none() && q.phase.is_none() {
        let total: i64 = store
            .status_counts()?
            .iter()
            .filter(|(s, _)| q.status.is_none_or(|want| *s == want))
            .map(|(_, n)| n)
            .sum();
        let total = usize::try_from(total).unwrap_or(0);
        return Ok(More::Exactly(total.saturating_sub(q.limit)));
    }
    let probe = ListQuery {
        limit: q.limit.saturating_add(COUNT_PAST + 1),
        ..q.clone()
    };
    let n = store.list(&probe)?.len().saturating_sub(q.limit);
    Ok(if n > COUNT_PAST {
        More::AtLeast(COUNT_PAST)
    } else {
        More::Exactly(n)
    })
}

/// `--status stuck`: the live set through the stuck rule, then the other filters.
fn stuck_rows(
    ctx: &Ctx,
    store: &Store,
    a: &ListArgs,
    limit: usize,
    now: time::Timestamp,
) -> CliResult<(Vec<Workflow>, HashMap<String, Stuck>, More)> {
    let wanted = |w: &Workflow| {
        a.project.as_ref().is_none_or(|p| &w.project_id == p)
            && a.phase.as_ref().is_none_or(|p| &w.current_state == p)
    };
    let live: Vec<Workflow> = store.live()?.into_iter().filter(|w| wanted(w)).collect();
    let stuck = stuck_of(store, &live, ctx.policy, now)?;
    let mut rows: Vec<Workflow> = live
        .into_iter()
        .filter(|w| stuck.contains_key(&w.id))
        .collect();
    // The list's order: most recently updated first.
    rows.sort_by(|x, y| y.updated_at.cmp(&x.updated_at).then(y.id.cmp(&x.id)));
    let more = More::Exactly(rows.len().saturating_sub(limit));
    rows.truncate(limit);
    Ok((rows, stuck, more))
}

fn table(rows: &[Workflow], stuck: &HashMap<String, Stuck>, now: time::Timestamp) -> Table {
    let mut t = Table::new(&[
        "ID", "BUILD", "PROJECT", "PHASE", "ROLE", "STATUS", "STUCK", "VER", "UPDATED",
    ]);
    for w in rows {
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
            stuck::cell(stuck.get(&w.id)),
            w.version.to_string(),
            updated,
        ]);
    }
    t
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
        let mut a = summary_json(&w);
        a["stuck"] = Value::Null;
        let a = serde_json::to_string_pretty(&vec![a]).unwrap();
        let b = serde_json::to_string_pretty(&vec![Summary::new(&w, None)]).unwrap();
        assert_eq!(a, b);
    }
}
