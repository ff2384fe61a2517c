//! The operations on an existing workflow: advance, retry, rollback, fail, pause, resume,
//! cancel, and acknowledging a handoff. Each is one engine call.

use super::bulk::{self, BulkOpts};
use crate::cli::context::{Ctx, json_arg};
use crate::cli::exit::CliResult;
use crate::cli::output::{self, clean};
use crate::engine::bulk::Intent;
use crate::engine::{self, Request};
use crate::model::{Action, Status, Workflow};
use clap::Args;
use std::io::Write;

/// Flags every operation takes.
#[derive(Debug, Args)]
pub struct ActOpts {
    /// Refuse (exit 4) unless the workflow is still at this version
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..),
          conflicts_with = "filter")]
    pub expect_version: Option<i64>,
    /// Why (recorded in the event; required with --filter)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Print the resulting workflow as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PlainArgs {
    /// Workflow id, unique id prefix, or build id (or --filter for many)
    #[arg(
        value_name = "WORKFLOW",
        required_unless_present = "filter",
        conflicts_with = "filter"
    )]
    pub workflow: Option<String>,
    #[command(flatten)]
    pub opts: ActOpts,
    #[command(flatten)]
    pub bulk: BulkOpts,
}

#[derive(Debug, Args)]
pub struct AdvanceArgs {
    /// Workflow id, unique id prefix, or build id (or --filter for many)
    #[arg(
        value_name = "WORKFLOW",
        required_unless_present = "filter",
        conflicts_with = "filter"
    )]
    pub workflow: Option<String>,
    /// Output of the phase being left: JSON, or @FILE (@- for standard input)
    #[arg(long, value_name = "JSON|@FILE")]
    pub output: Option<String>,
    #[command(flatten)]
    pub opts: ActOpts,
    #[command(flatten)]
    pub bulk: BulkOpts,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// Workflow id, unique id prefix, or build id (or --filter for many)
    #[arg(
        value_name = "WORKFLOW",
        required_unless_present = "filter",
        conflicts_with = "filter"
    )]
    pub workflow: Option<String>,
    /// The earlier phase to return to [default: the previous phase]
    #[arg(long, value_name = "PHASE")]
    pub to: Option<String>,
    /// Why (required; recorded in the event)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Refuse (exit 4) unless the workflow is still at this version
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..),
          conflicts_with = "filter")]
    pub expect_version: Option<i64>,
    /// Print the resulting workflow as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub bulk: BulkOpts,
}

#[derive(Debug, Args)]
pub struct FailArgs {
    /// Workflow id, unique id prefix, or build id (or --filter for many)
    #[arg(
        value_name = "WORKFLOW",
        required_unless_present = "filter",
        conflicts_with = "filter"
    )]
    pub workflow: Option<String>,
    /// What went wrong (stored as the workflow's last error)
    #[arg(long, value_name = "TEXT")]
    pub error: String,
    #[command(flatten)]
    pub opts: ActOpts,
    #[command(flatten)]
    pub bulk: BulkOpts,
}

#[derive(Debug, Args)]
pub struct AckArgs {
    /// A handoff (id or unique id prefix), or a workflow (id, unique id prefix or build id)
    /// whose one pending handoff to acknowledge (or --filter for many)
    #[arg(
        value_name = "HANDOFF|WORKFLOW",
        required_unless_present = "filter",
        conflicts_with = "filter"
    )]
    pub key: Option<String>,
    /// Refuse (exit 4) unless the workflow is still at this version
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..),
          conflicts_with = "filter")]
    pub expect_version: Option<i64>,
    /// Why (recorded in the event; required with --filter)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Print the resulting workflow as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub bulk: BulkOpts,
}

pub fn plain(ctx: &Ctx, a: &PlainArgs, action: Action) -> CliResult {
    perform(ctx, a.workflow.as_deref(), &a.bulk, action, &a.opts)
}

pub fn advance(ctx: &Ctx, a: &AdvanceArgs) -> CliResult {
    // Parsed before the database is opened: a malformed value changes nothing.
    let output = a
        .output
        .as_deref()
        .map(|raw| json_arg("--output", raw))
        .transpose()?;
    perform(
        ctx,
        a.workflow.as_deref(),
        &a.bulk,
        Action::Advance { output },
        &a.opts,
    )
}

pub fn rollback(ctx: &Ctx, a: &RollbackArgs) -> CliResult {
    let opts = ActOpts {
        expect_version: a.expect_version,
        reason: Some(a.reason.clone()),
        json: a.json,
    };
    let action = Action::Rollback { to: a.to.clone() };
    perform(ctx, a.workflow.as_deref(), &a.bulk, action, &opts)
}

pub fn fail(ctx: &Ctx, a: &FailArgs) -> CliResult {
    let action = Action::Fail {
        error: a.error.clone(),
    };
    perform(ctx, a.workflow.as_deref(), &a.bulk, action, &a.opts)
}

pub fn ack(ctx: &Ctx, a: &AckArgs) -> CliResult {
    let Some(key) = a.key.as_deref() else {
        return bulk::run(
            ctx,
            &a.bulk,
            Intent::AckPending,
            a.reason.as_deref(),
            a.json,
        );
    };
    let mut store = ctx.open()?;
    let handoff = store.handoff(&super::ack_target::handoff_named(&store, key)?)?;
    let mut req = Request::new(
        Action::Acknowledge {
            handoff_id: handoff.id,
        },
        ctx.actor.clone(),
    );
    req.reason = a.reason.clone();
    req.expected_version = a.expect_version;
    let written = engine::act_on_id(&mut store, &handoff.workflow_id, &req)?;
    report(&written.workflow, "acknowledged a handoff of", a.json)
}

fn perform(
    ctx: &Ctx,
    key: Option<&str>,
    bulk: &BulkOpts,
    action: Action,
    opts: &ActOpts,
) -> CliResult {
    let Some(key) = key else {
        return bulk::run(
            ctx,
            bulk,
            Intent::Do(action),
            opts.reason.as_deref(),
            opts.json,
        );
    };
    let past = match &action {
        Action::Advance { .. } => "advanced",
        Action::Retry => "retried",
        Action::Rollback { .. } => "rolled back",
        Action::Fail { .. } => "failed",
        Action::Pause => "paused",
        Action::Resume => "resumed",
        Action::Cancel => "cancelled",
        Action::Acknowledge { .. } => "acknowledged a handoff of",
    };
    let mut req = Request::new(action, ctx.actor.clone());
    req.reason = opts.reason.clone();
    req.expected_version = opts.expect_version;
    let mut store = ctx.open()?;
    let written = engine::act(&mut store, key, &req)?;
    let past = if past == "advanced" && written.workflow.status == Status::Completed {
        "completed"
    } else {
        past
    };
    report(&written.workflow, past, opts.json)
}

/// One line for people (`advanced shop-42 (3f2a9c1e): phase testing (test_auditor), status
/// running, version 4`), or the workflow as JSON.
pub fn report(w: &Workflow, past: &str, json: bool) -> CliResult {
    let mut out = std::io::stdout().lock();
    if json {
        output::json(&mut out, w)?;
        return Ok(());
    }
    writeln!(
        out,
        "{past} {} ({}): phase {} ({}), status {}, version {}",
        clean(&w.build_id),
        clean(w.short_id()),
        clean(&w.current_state),
        clean(&w.current_role),
        clean(&w.status_raw),
        w.version
    )?;
    if let (Status::Failed, Some(e)) = (w.status, &w.last_error) {
        writeln!(out, "error: {}", clean(e))?;
    }
    Ok(())
}
