//! `baton heartbeat`: a sign of life. Sets `heartbeat_at` only; no version bump, no event.

use crate::cli::context::Ctx;
use crate::cli::exit::CliResult;
use crate::cli::output::{self, clean, or_dash};
use crate::engine;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct HeartbeatArgs {
    /// Workflow id, unique id prefix, or build id
    #[arg(value_name = "WORKFLOW")]
    pub workflow: String,
    /// Print the workflow as JSON afterwards
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: &HeartbeatArgs) -> CliResult {
    let mut store = ctx.open()?;
    let id = engine::heartbeat(&mut store, &a.workflow)?;
    let w = store.workflow(&id)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(&mut out, &w)?;
    } else {
        writeln!(
            out,
            "heartbeat {} ({}) at {}",
            clean(&w.build_id),
            clean(w.short_id()),
            or_dash(w.heartbeat_at.as_deref())
        )?;
    }
    Ok(())
}
