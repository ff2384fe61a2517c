//! `baton prune --before 90d [--status S] [--dry-run] [--archive FILE.jsonl.zst]`:
//! retention, by `engine::prune`, with a progress bar; `--before` may come from the config
//! file's `retention`, so a cron job runs plain `baton prune`.

use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult};
use crate::cli::output;
use crate::cli::progress;
use crate::engine::archive;
use crate::engine::prune::{self, BATCH, Plan};
use crate::model::Status;
use crate::model::since::{Since, parse_since};
use crate::model::time;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Remove finished workflows last changed before this: how long ago (90d, 12w) or a
    /// date (2026-01-31 or an RFC 3339 time); default: the config file's `retention`
    #[arg(long, value_name = "WHEN", value_parser = parse_before)]
    pub before: Option<Since>,
    /// Only this finished status: completed, cancelled or failed (failed ones with
    /// retries left are live, and never pruned)
    #[arg(long, value_name = "STATUS", value_parser = parse_finished)]
    pub status: Option<Status>,
    /// Count what would be removed, by status; remove nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write each workflow's whole trail here first (JSON lines; zstd when it ends in
    /// .zst), appended batch by batch; `baton import FILE` restores them
    #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
    pub archive: Option<PathBuf>,
    /// Workflows per transaction
    #[arg(long, value_name = "N", default_value_t = BATCH as u64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub batch: u64,
    /// Print one JSON document
    #[arg(long)]
    pub json: bool,
}

/// A duration, an RFC 3339 time, or a plain date (midnight UTC).
pub fn parse_before(s: &str) -> Result<Since, String> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        let t = d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
        return Ok(Since::At(t));
    }
    parse_since(s).map_err(|_| {
        format!("'{s}' is neither a duration (90d, 12w, 36h) nor a date (2026-01-31, or an RFC 3339 time)")
    })
}

fn parse_finished(s: &str) -> Result<Status, String> {
    match Status::from_user(s) {
        Some(st @ (Status::Completed | Status::Cancelled | Status::Failed)) => Ok(st),
        _ => Err(format!(
            "'{s}' is not a finished status; prune takes completed, cancelled or failed"
        )),
    }
}

pub fn run(ctx: &Ctx, a: &PruneArgs) -> CliResult {
    let before = a.before.or(ctx.config.retention).ok_or_else(|| {
        CliError::usage(
            "prune needs --before (90d, or a date), or `retention = \"90d\"` in the config file",
        )
    })?;
    let now = time::now();
    let plan = Plan {
        before: before.at(now),
        status: a.status,
        dry_run: a.dry_run,
        batch: usize::try_from(a.batch).unwrap_or(BATCH),
    };
    let mut store = ctx.open()?;
    let mut writer = match &a.archive {
        Some(path) => {
            let w = archive::Writer::open(path).map_err(|e| {
                CliError::new(
                    crate::cli::exit::Code::Error,
                    format!("cannot write the archive {}: {e}", path.display()),
                )
            })?;
            if w.repaired > 0 {
                eprintln!(
                    "{}: cut off {} bytes of a batch an interrupted run left partial (its workflows were not removed)",
                    path.display(),
                    w.repaired
                );
            }
            Some(w)
        }
        None => None,
    };
    let bar = progress::bar(prune::estimate(&store, &plan)?, "workflows");
    let report = prune::run(&mut store, &plan, writer.as_mut(), &mut |done| {
        bar.set_position(done as u64)
    });
    bar.finish_and_clear();
    let report = report?;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(&mut out, &report)?;
        return Ok(());
    }
    let statuses: Vec<String> = report
        .by_status
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let statuses = if statuses.is_empty() {
        String::new()
    } else {
        format!(" ({})", statuses.join(", "))
    };
    if report.dry_run {
        writeln!(
            out,
            "would remove {} finished workflows last changed before {}{statuses}, with their handoffs, checkpoints and events (dry run: nothing removed)",
            report.matched, report.before
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "removed {} finished workflows last changed before {}{statuses}, with their handoffs, checkpoints and events",
        report.removed, report.before
    )?;
    if let Some(path) = &a.archive {
        writeln!(out, "archived {} to {}", report.archived, path.display())?;
    }
    writeln!(
        out,
        "the longest batch held the write lock for {} ms (--batch {} workflows)",
        report.longest_batch_ms, a.batch
    )?;
    if let Some(space) = &report.space {
        match report.reclaimed_bytes {
            Some(b) => writeln!(out, "{} MB {space}", b / 1_000_000)?,
            None => writeln!(out, "space: {space}")?,
        }
    }
    Ok(())
}
