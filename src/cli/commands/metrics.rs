//! `baton metrics [--since 1h] [--json]`: per phase and role, what is in flight now and
//! what moved in the window (see `engine::metrics`), completions over time as a sparkline,
//! and the bottleneck named (laid out by `engine::metrics_text`, as the dashboard shows it).

use super::since::{Since, parse_since};
use crate::cli::context::Ctx;
use crate::cli::exit::CliResult;
use crate::cli::output;
use crate::engine::{metrics, metrics_text};
use crate::model::time;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// The window: how long ago (30m, 1h, 24h, 7d) or an RFC 3339 time
    #[arg(long, value_name = "WHEN", default_value = "1h", value_parser = parse_since)]
    pub since: Since,
    /// Print one JSON document
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: &MetricsArgs) -> CliResult {
    let store = ctx.open()?;
    let now = time::now();
    let m = metrics::measure(&store, a.since.at(now), now)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(&mut out, &m)?;
        return Ok(());
    }
    for line in metrics_text::lines(&m) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
