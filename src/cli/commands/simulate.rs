//! `baton simulate`: an orchestrator-like writer for trying baton and loading a database.

use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult};
use crate::cli::output;
use crate::cli::{progress, signals};
use crate::sim::backfill::{self, BackfillConfig, BackfillReport};
use crate::sim::{self, SimConfig, SimReport};
use crate::store::{OpenMode, Store};
use clap::Args;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Workflows to drive (with --keep-alive: to keep in flight at once)
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub workflows: usize,
    /// Operations per second; 0 runs as fast as the database allows
    #[arg(long, value_name = "OPS_PER_SEC", default_value_t = 20.0)]
    pub rate: f64,
    /// Stop after this long: 90s, 5m, 1h (default: when every workflow has finished)
    #[arg(long, value_name = "D", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Chance that a phase fails instead of advancing (0..1)
    #[arg(long, value_name = "F", default_value_t = 0.05, value_parser = fraction)]
    pub fail_rate: f64,
    /// Chance that a handoff is left unacknowledged, so the workflow becomes stuck (0..1)
    #[arg(long, value_name = "S", default_value_t = 0.05, value_parser = fraction)]
    pub stuck_rate: f64,
    /// Seed for a reproducible run (default: from the clock)
    #[arg(long, value_name = "X")]
    pub seed: Option<u64>,
    /// Start a new workflow whenever one finishes, until --duration or Ctrl-C
    #[arg(long)]
    pub keep_alive: bool,
    /// Print the final report as JSON
    #[arg(long)]
    pub json: bool,
    /// Instead of simulating live, write N finished workflows of history (about 10 events
    /// each, with handoffs and checkpoints) in large transactions, then exit
    #[arg(long, value_name = "N")]
    pub backfill: Option<usize>,
    /// With --backfill: also write M live workflows (running, paused, failed), part-way
    /// through their phases
    #[arg(long, value_name = "M", default_value_t = 0, requires = "backfill")]
    pub live: usize,
    /// With --backfill: spread the history over this many days before now
    #[arg(long, value_name = "DAYS", default_value_t = 365, requires = "backfill",
          value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub days: u32,
}

impl SimulateArgs {
    pub fn config(&self, actor: &str) -> SimConfig {
        let mut cfg = SimConfig {
            workflows: self.workflows,
            rate: self.rate,
            duration: self.duration,
            fail_rate: self.fail_rate,
            stuck_rate: self.stuck_rate,
            keep_alive: self.keep_alive,
            actor: actor.to_string(),
            ..SimConfig::default()
        };
        if let Some(seed) = self.seed {
            cfg.seed = seed;
        }
        cfg
    }
}

pub fn run(ctx: &Ctx, a: &SimulateArgs) -> CliResult {
    if ctx.read_only {
        return Err(CliError::usage(
            "simulate writes to the database; drop --read-only",
        ));
    }
    if !a.rate.is_finite() || a.rate < 0.0 {
        return Err(CliError::usage(
            "--rate must be 0 (as fast as possible) or a positive number",
        ));
    }
    let (mut store, opened) = Store::open(&ctx.db, OpenMode::Create)?;
    let mut err = std::io::stderr().lock();
    if opened.created {
        writeln!(err, "created new database at {}", ctx.db)?;
    }
    // SIGTERM, SIGINT (Ctrl-C) or SIGHUP stop the run between operations; the report is
    // printed and baton exits 128 + the signal.
    let stop = signals::install()?;
    if let Some(n) = a.backfill {
        drop(err);
        return backfill(&mut store, a, n, &stop);
    }
    // The simulated orchestrator acts as itself unless --actor says otherwise.
    let actor = if ctx.actor_given {
        ctx.actor.clone()
    } else {
        SimConfig::default().actor
    };
    let cfg = a.config(&actor);
    writeln!(
        err,
        "simulating {} workflows at {} ops/s (seed {}){}",
        cfg.workflows,
        if cfg.rate > 0.0 {
            format!("{}", cfg.rate)
        } else {
            "max".into()
        },
        cfg.seed,
        cfg.duration
            .map_or(String::new(), |d| format!(" for {}s", d.as_secs()))
    )?;
    drop(err);
    // A spinner with the counts on a terminal; one line per second in a log.
    let tty = progress::shown();
    let spinner = progress::spinner("starting");
    let report = sim::run(&mut store, &cfg, stop.flag(), &mut |r| {
        let line = progress_line(r);
        if tty {
            spinner.set_message(line);
        } else {
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    });
    spinner.finish_and_clear();
    let report = report?;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(&mut out, &report)?;
        return Ok(());
    }
    let rows = [
        ("started", report.started),
        ("advanced", report.advanced),
        ("acknowledged", report.acknowledged),
        ("heartbeats", report.heartbeats),
        ("retried", report.retried),
        ("rolled back", report.rolled_back),
        ("failed", report.failed),
        ("completed", report.completed),
        ("left stuck", report.left_stuck),
        ("conflicts", report.conflicts),
        ("operations", report.ops),
    ];
    for (k, v) in rows {
        writeln!(out, "{k:<13} {v}")?;
    }
    writeln!(out, "{:<13} {:.1}s", "elapsed", report.elapsed_secs)?;
    writeln!(out, "{:<13} {:.1}", "ops/s", report.ops_per_sec)?;
    Ok(())
}

fn backfill(store: &mut Store, a: &SimulateArgs, n: usize, stop: &signals::Stop) -> CliResult {
    let cfg = BackfillConfig {
        workflows: n,
        live: a.live,
        seed: a.seed.unwrap_or_else(|| SimConfig::default().seed),
        days: a.days,
        ..BackfillConfig::default()
    };
    writeln!(
        std::io::stderr(),
        "backfilling {n} finished and {} live workflows over {} days (seed {})",
        cfg.live,
        cfg.days,
        cfg.seed
    )?;
    // A bar with rate and ETA on a terminal; a plain line every 5 s in a log.
    let tty = progress::shown();
    let bar = progress::bar((n + cfg.live) as u64, "workflows");
    let mut last_line = std::time::Instant::now();
    let report = backfill::run(store, &cfg, stop.flag(), &mut |r| {
        if let Some(step) = &r.settling {
            // Each step once, whether on a terminal or in a log.
            bar.suspend(|| writeln!(std::io::stderr(), "settling: {step}"))
                .ok();
            return;
        }
        if tty {
            bar.set_length(r.total);
            bar.set_position(r.written());
            bar.set_message(format!("{} events", r.events));
            return;
        }
        if r.written() == r.total || last_line.elapsed() >= Duration::from_secs(5) {
            last_line = std::time::Instant::now();
            let _ = writeln!(std::io::stderr(), "{}", backfill_line(r));
        }
    });
    bar.finish_and_clear();
    let report = report?;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(&mut out, &report)?;
        return Ok(());
    }
    for (k, v) in [
        ("finished", report.workflows),
        ("live", report.live),
        ("events", report.events),
        ("handoffs", report.handoffs),
        ("checkpoints", report.checkpoints),
    ] {
        writeln!(out, "{k:<13} {v}")?;
    }
    writeln!(out, "{:<13} {:.1}s", "elapsed", report.elapsed_secs)?;
    if report.settle_secs > 0.0 {
        writeln!(out, "{:<13} {:.1}s", "settled in", report.settle_secs)?;
    }
    writeln!(
        out,
        "{:<13} {:.0}",
        "workflows/s",
        // The loading rate: settling is timed on its own line.
        report.written() as f64 / (report.elapsed_secs - report.settle_secs).max(1e-9)
    )?;
    Ok(())
}

/// A log line: ` 45%  450000/1000000 workflows  4512345 events  9800/s  eta 56s`.
fn backfill_line(r: &BackfillReport) -> String {
    let frac = if r.total == 0 {
        1.0
    } else {
        r.written() as f64 / r.total as f64
    };
    let eta = backfill::eta(r).map_or(String::new(), |d| format!("  eta {}s", d.as_secs()));
    format!(
        "{:>3.0}%  {}/{} workflows  {} events  {:.0}/s{eta}",
        frac * 100.0,
        r.written(),
        r.total,
        r.events,
        r.written() as f64 / r.elapsed_secs.max(1e-9),
    )
}

fn progress_line(r: &SimReport) -> String {
    format!(
        "{:>6.1}s  {} ops ({:.0}/s)  started {}  completed {}  failed {}  stuck {}  conflicts {}",
        r.elapsed_secs,
        r.ops,
        r.ops_per_sec,
        r.started,
        r.completed,
        r.failed,
        r.left_stuck,
        r.conflicts
    )
}

/// `90`, `90s`, `5m`, `2h`, `1.5m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len()));
    let n: f64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a duration; use e.g. 30s, 5m, 1h"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        other => return Err(format!("unknown unit '{other}'; use ms, s, m or h")),
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("'{s}' is not a positive duration"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn fraction(s: &str) -> Result<f64, String> {
    let f: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if (0.0..=1.0).contains(&f) {
        Ok(f)
    } else {
        Err(format!("{f} is outside 0..1"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_common_units() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("1.5h").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("-3s").is_err());
    }

    #[test]
    fn fractions_stay_in_range() {
        assert_eq!(fraction("0.25"), Ok(0.25));
        assert!(fraction("1.5").is_err());
        assert!(fraction("x").is_err());
    }
}
