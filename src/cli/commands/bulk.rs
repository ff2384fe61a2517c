//! Acting on every live workflow a filter matches (`baton retry --filter "stuck
//! phase:testing" --reason …`): the dashboard's filter language, selected once, then each
//! workflow in its own transaction with the version read at selection as the one expected
//! — a workflow changed meanwhile is skipped as a conflict, never acted on blindly.
//! `--dry-run` runs the same rules over the same snapshots and writes nothing.

use super::stuck::stuck_of;
use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult, Code};
use crate::cli::output::{self, clean};
use crate::cli::progress;
use crate::engine::bulk::{self, Intent, Outcome, Selected, Tally};
use crate::engine::filter::Filter;
use crate::model::{Workflow, time};
use crate::store::Store;
use clap::Args;
use serde::Serialize;
use std::io::Write;

/// The flags that turn an action into a bulk one.
#[derive(Debug, Args, Clone)]
pub struct BulkOpts {
    /// Act on every live workflow this filter matches instead of one (the dashboard's
    /// filter: text, status:, phase:, role:, project:, stuck); needs --reason
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// With --filter: print what would happen to each workflow, and the count; write nothing
    #[arg(long, requires = "filter")]
    pub dry_run: bool,
}

#[derive(Serialize)]
struct Row {
    id: String,
    build_id: String,
    /// The version read when it was selected (the one expected).
    selected_version: i64,
    #[serde(flatten)]
    outcome: Outcome,
}

#[derive(Serialize)]
struct Report<'a> {
    action: &'a str,
    filter: &'a str,
    dry_run: bool,
    workflows: &'a [Row],
    summary: &'a Tally,
}

pub fn run(
    ctx: &Ctx,
    opts: &BulkOpts,
    intent: Intent,
    reason: Option<&str>,
    json: bool,
) -> CliResult {
    let text = opts.filter.as_deref().unwrap_or_default();
    let verb = intent.verb();
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            CliError::usage(format!(
                "a bulk {verb} needs --reason (recorded in every workflow's event)"
            ))
        })?;
    let mut store = ctx.open()?;
    let filter = checked(&store, text)?;
    let selected = select(&store, &filter, ctx)?;
    let bar = progress::bar(selected.len() as u64, "workflows");
    let mut rows: Vec<Row> = Vec::with_capacity(selected.len());
    let mut summary = Tally {
        matched: selected.len(),
        ..Tally::default()
    };
    for w in &selected {
        let w = Selected {
            id: w.id.clone(),
            build_id: w.build_id.as_str().into(),
            version: w.version,
        };
        let outcome = match bulk::act_one(&mut store, &w, &intent, &ctx.actor, reason, opts.dry_run)
        {
            Ok(o) => o,
            Err(e) => {
                bar.finish_and_clear();
                print(&rows, &summary, verb, text, opts.dry_run, json)?;
                return Err(e.into());
            }
        };
        summary.count(&outcome);
        rows.push(Row {
            id: w.id,
            build_id: w.build_id,
            selected_version: w.version,
            outcome,
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    print(&rows, &summary, verb, text, opts.dry_run, json)?;
    match summary.applied {
        n if n == summary.matched => Ok(()),
        0 => Err(CliError::new(Code::Conflict, "")),
        _ => Err(CliError::new(Code::Partial, "")),
    }
}

/// The filter, refused (exit 2) when it names a key, status, phase or role that cannot
/// match: a bulk action on a mistyped filter must not quietly do nothing, or too much.
fn checked(store: &Store, text: &str) -> CliResult<Filter> {
    if text.trim().is_empty() {
        return Err(CliError::usage(
            "--filter needs an expression, e.g. \"stuck phase:testing\"; to act on everything live, say so: --filter \"status:running\"",
        ));
    }
    let filter = Filter::parse(text);
    let defs = store.definitions()?;
    let phases: Vec<&str> = defs
        .iter()
        .flat_map(|d| d.phases.iter().map(|p| p.name.as_str()))
        .collect();
    let roles: Vec<&str> = defs
        .iter()
        .flat_map(|d| d.phases.iter().map(|p| p.role.as_str()))
        .collect();
    let known_status = |s: &str| crate::model::Status::from_user(s).is_some();
    match filter.problem(&phases, &roles, &known_status) {
        Some(p) => Err(CliError::usage(format!("--filter {text:?}: {p}"))),
        None => Ok(filter),
    }
}

/// Every live workflow the filter matches (stuck judged as the dashboard judges it), in
/// build-id order.
fn select(store: &Store, filter: &Filter, ctx: &Ctx) -> CliResult<Vec<Workflow>> {
    let live = store.live()?;
    let stuck = stuck_of(store, &live, ctx.policy, time::now())?;
    let mut out: Vec<Workflow> = live
        .into_iter()
        .filter(|w| filter.matches(w, stuck.contains_key(&w.id)))
        .collect();
    out.sort_by(|a, b| a.build_id.cmp(&b.build_id).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

fn print(
    rows: &[Row],
    summary: &Tally,
    verb: &str,
    filter: &str,
    dry: bool,
    json: bool,
) -> CliResult {
    let mut out = std::io::stdout().lock();
    if json {
        output::json(
            &mut out,
            &Report {
                action: verb,
                filter,
                dry_run: dry,
                workflows: rows,
                summary,
            },
        )?;
        return Ok(());
    }
    for r in rows {
        let build = clean(&r.build_id);
        let line = match &r.outcome {
            Outcome::Applied {
                version,
                status,
                phase,
            } => {
                format!(
                    "done      {build}  v{} → v{version}: {status} in {}",
                    r.selected_version,
                    clean(phase)
                )
            }
            Outcome::WouldApply {
                version,
                status,
                phase,
            } => {
                format!(
                    "would     {build}  v{} → v{version}: {status} in {}",
                    r.selected_version,
                    clean(phase)
                )
            }
            Outcome::Refused { reason } => format!(
                "refused   {build}  v{}: {}",
                r.selected_version,
                clean(reason)
            ),
            Outcome::Conflict { reason } => format!(
                "conflict  {build}  v{}: {}",
                r.selected_version,
                clean(reason)
            ),
            Outcome::Gone => format!("gone      {build}: deleted after it was selected"),
        };
        writeln!(out, "{line}")?;
    }
    let done = if dry { "would " } else { "done" };
    let done = if dry {
        format!("would {verb}")
    } else {
        done.to_string()
    };
    writeln!(
        out,
        "{} matched {filter:?}: {} {done}, {} refused, {} conflicts, {} gone{}",
        summary.matched,
        summary.applied,
        summary.refused,
        summary.conflicts,
        summary.gone,
        if dry {
            " (dry run: nothing written)"
        } else {
            ""
        },
    )?;
    Ok(())
}
