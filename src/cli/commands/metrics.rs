//! `baton metrics [--since 1h] [--json]`: per phase and role, what is in flight now and
//! what moved in the window (see `engine::metrics`), completions over time as a sparkline,
//! and the bottleneck named.

use super::since::{Since, parse_since};
use crate::cli::context::Ctx;
use crate::cli::exit::CliResult;
use crate::cli::output::{self, Table, clean};
use crate::engine::metrics::{self, Metrics, Spread};
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
    print(&mut out, &m)?;
    Ok(())
}

fn spread(s: &Spread) -> String {
    match (s.p50, s.p95) {
        (Some(a), Some(b)) => format!("{} / {}", time::human_duration(a), time::human_duration(b)),
        _ => "-".into(),
    }
}

/// `▁▂▃▄▅▆▇█`, one cell per bucket, scaled to the busiest.
pub fn sparkline(values: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| match (v, max) {
            (0, _) => ' ',
            (_, 0) => ' ',
            _ => BARS[((v * 7).div_ceil(max)) as usize],
        })
        .collect()
}

fn print(out: &mut impl Write, m: &Metrics) -> CliResult {
    writeln!(out, "{} to {} · {} events", m.since, m.until, m.events)?;
    let mut t = Table::new(&[
        "PHASE",
        "ROLE",
        "IN FLIGHT",
        "WAITING ACK",
        "ENTERED",
        "LEFT",
        "IN PHASE p50/p95",
        "ACK p50/p95",
        "RETRIES",
        "ROLLBACKS",
        "FAILURES",
    ]);
    for r in &m.rows {
        let waiting = match r.oldest_wait_secs {
            Some(s) if r.waiting_ack > 0 => {
                format!("{} (oldest {})", r.waiting_ack, time::human_duration(s))
            }
            _ => r.waiting_ack.to_string(),
        };
        t.row([
            clean(&r.phase).into_owned(),
            clean(&r.role).into_owned(),
            r.in_flight.to_string(),
            waiting,
            r.entered.to_string(),
            r.left.to_string(),
            spread(&r.time_in_phase),
            spread(&r.ack_latency),
            r.retries.to_string(),
            r.rollbacks.to_string(),
            r.failures.to_string(),
        ]);
    }
    t.write(out)?;
    let per = if m.bucket_secs == 60 {
        "minute".to_string()
    } else {
        time::human_duration(m.bucket_secs)
    };
    writeln!(
        out,
        "completed {} · per {per}: [{}]",
        m.completed,
        sparkline(&m.completions)
    )?;
    match &m.bottleneck {
        Some(b) => writeln!(
            out,
            "bottleneck: {} — {} in flight, {} waiting for acknowledgement{}",
            clean(&b.role),
            b.in_flight,
            b.waiting_ack,
            b.p95_in_phase_secs
                .map(|s| format!(", p95 {} in phase", time::human_duration(s)))
                .unwrap_or_default()
        )?,
        None => writeln!(out, "bottleneck: none (nothing in flight)")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_the_busiest_bucket() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8]), " ▂▃▅█");
        assert_eq!(sparkline(&[0, 0]), "  ");
        assert_eq!(sparkline(&[3]), "█");
    }
}
