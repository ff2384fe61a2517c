//! `baton list`: workflows as an aligned table, most recently updated first, each marked
//! stuck or not by the engine's rule, filtered in the database. At most `--limit` rows;
//! when more match, a note on stderr says how many and how to see them (stdout holds only
//! the rows, for scripts). Every JSON row carries its `cursor`, and `--after CURSOR` reads
//! on from that row (a keyset page: the same cost at any depth).

use super::list_more::{More, count_more};
use super::since::{Since, parse_since};
use super::stuck::{self, stuck_of};
use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult};
use crate::cli::output::{self, Table};
use crate::engine::stuck::Stuck;
use crate::model::time;
use crate::model::{Status, Workflow};
use crate::store::{Cursor, CursorKind, ListQuery, Store, Target};
use clap::Args;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;

/// `--limit`'s default.
pub const DEFAULT_LIMIT: u64 = 50;

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
    /// Only builds whose build id starts with this (exactly: no wildcards)
    #[arg(long, value_name = "PREFIX")]
    pub build: Option<String>,
    /// Only workflows changed since then: how long ago (30s, 10m, 2h, 7d) or an RFC 3339 time
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub since: Option<Since>,
    /// Only workflows last changed before then (same forms as --since)
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub until: Option<Since>,
    /// Only finished workflows (the history): completed, cancelled, and failed with no
    /// retries left
    #[arg(long)]
    pub finished: bool,
    /// The next page: rows after the one whose `cursor` this is (from --json, or the note
    /// on stderr), with the same filters
    #[arg(long, value_name = "CURSOR")]
    pub after: Option<String>,
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
    completed_at: Option<&'a str>,
    created_at: &'a str,
    current_role: &'a str,
    current_state: &'a str,
    /// Where this row is in the order: `--after` it reads on from here (null for
    /// `--status stuck`, which is not paged).
    cursor: Option<String>,
    definition: &'a str,
    heartbeat_at: Option<&'a str>,
    id: &'a str,
    last_error: &'a Option<String>,
    max_retries: i64,
    project_id: &'a str,
    retry_count: i64,
    state_entered_at: Option<&'a str>,
    status: Status,
    /// Why it is stuck (the rule, since when, the limit, and a description), or null.
    stuck: Option<StuckJson<'a>>,
    updated_at: &'a str,
    user_id: Option<&'a str>,
    version: i64,
}

#[derive(serde::Serialize)]
struct StuckJson<'a> {
    #[serde(flatten)]
    stuck: &'a Stuck,
    description: String,
}

impl<'a> Summary<'a> {
    fn new(w: &'a Workflow, stuck: Option<&'a Stuck>, cursor: Option<&Cursor>) -> Self {
        Summary {
            build_id: &w.build_id,
            completed_at: w.completed_at.as_deref(),
            created_at: &w.created_at,
            current_role: &w.current_role,
            current_state: &w.current_state,
            cursor: cursor.map(Cursor::encode),
            definition: &w.definition,
            heartbeat_at: w.heartbeat_at.as_deref(),
            id: &w.id,
            last_error: &w.last_error,
            max_retries: w.max_retries,
            project_id: &w.project_id,
            retry_count: w.retry_count,
            state_entered_at: w.state_entered_at.as_deref(),
            status: w.status,
            stuck: stuck.map(|s| StuckJson {
                stuck: s,
                description: s.describe(),
            }),
            updated_at: &w.updated_at,
            user_id: w.user_id.as_deref(),
            version: w.version,
        }
    }
}

pub fn run(ctx: &Ctx, a: &ListArgs) -> CliResult {
    let store = ctx.open()?;
    let limit = usize::try_from(a.limit).unwrap_or(usize::MAX);
    let now = time::now();
    // Read here rather than by clap, for a one-line error.
    let after = match &a.after {
        Some(text) => Some(Cursor::decode(text).map_err(CliError::usage)?),
        None => None,
    };
    let (rows, cursors, stuck, more) = match a.status {
        Some(StatusFilter::Stuck) => {
            if a.after.is_some() {
                return Err(CliError::usage(
                    "--status stuck lists the stuck workflows whole, not in pages: \
                     drop --after (and raise --limit to see more)",
                ));
            }
            let (rows, stuck, more) = stuck_rows(ctx, &store, a, limit, now)?;
            (rows, Vec::new(), stuck, more)
        }
        status => {
            let status = match status {
                Some(StatusFilter::Is(s)) => Some(s),
                _ => None,
            };
            if let Some(after) = &after {
                check_cursor(after, store.target())?;
            }
            let q = ListQuery {
                status,
                project: a.project.clone(),
                phase: a.phase.clone(),
                build_prefix: a.build.clone(),
                since: a.since.map(|s| s.at(now)),
                until: a.until.map(|s| s.at(now)),
                finished: a.finished,
                after,
                limit,
            };
            let page = store.list_page(&q)?;
            let more = match &page.next {
                None => More::None,
                Some(next) => count_more(&store, &q, page.rows.len(), next)?,
            };
            let (rows, cursors): (Vec<Workflow>, Vec<Cursor>) = page
                .rows
                .into_iter()
                .map(|l| (l.workflow, l.cursor))
                .unzip();
            let stuck = stuck_of(&store, &rows, ctx.policy, now)?;
            (rows, cursors, stuck, more)
        }
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        let v: Vec<Summary<'_>> = rows
            .iter()
            .enumerate()
            .map(|(i, w)| Summary::new(w, stuck.get(&w.id), cursors.get(i)))
            .collect();
        output::json(&mut out, &v)?;
    } else if rows.is_empty() {
        writeln!(out, "no workflows match")?;
    } else {
        table(&rows, &stuck, now).write(&mut out)?;
    }
    out.flush()?;
    drop(out);
    if let Some(note) = more.note(rows.len(), cursors.last()) {
        writeln!(std::io::stderr(), "{note}")?;
    }
    Ok(())
}

/// A cursor is a position in one backend's order: one from the other backend is refused.
fn check_cursor(c: &Cursor, target: &Target) -> CliResult {
    let (want, name) = match target {
        Target::Sqlite(_) => (CursorKind::Sqlite, "a SQLite"),
        Target::Postgres(_) => (CursorKind::Postgres, "a PostgreSQL"),
    };
    if c.kind() == want {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "this --after cursor comes from a list of another kind of database; --db names \
         {name} database: take the cursor from a `baton list --json` of this database"
    )))
}

/// `--status stuck`: the live set through the stuck rule, then the other filters.
fn stuck_rows(
    ctx: &Ctx,
    store: &Store,
    a: &ListArgs,
    limit: usize,
    now: time::Timestamp,
) -> CliResult<(Vec<Workflow>, HashMap<String, Stuck>, More)> {
    let (since, until) = (a.since.map(|s| s.at(now)), a.until.map(|s| s.at(now)));
    let updated = |w: &Workflow| time::parse(&w.updated_at);
    let wanted = |w: &Workflow| {
        a.project.as_ref().is_none_or(|p| w.project_id == p)
            && a.phase.as_ref().is_none_or(|p| w.current_state == p)
            && a.build.as_ref().is_none_or(|p| w.build_id.starts_with(p.as_str()))
            && since.is_none_or(|t| updated(w).is_some_and(|u| u >= t))
            && until.is_none_or(|t| updated(w).is_some_and(|u| u < t))
            // Stuck workflows are running: none is finished.
            && !a.finished
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
            || w.updated_at.to_string(),
            |s| format!("{} ago", time::human_duration(s)),
        );
        t.row([
            w.short_id().to_string(),
            w.build_id.to_string(),
            w.project_id.to_string(),
            w.current_state.to_string(),
            w.current_role.to_string(),
            w.status_raw.to_string(),
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
        a["cursor"] = Value::Null;
        let a = serde_json::to_string_pretty(&vec![a]).unwrap();
        let b = serde_json::to_string_pretty(&vec![Summary::new(&w, None, None)]).unwrap();
        assert_eq!(a, b);
    }
}
