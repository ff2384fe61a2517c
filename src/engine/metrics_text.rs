//! The metrics as lines of text, the one layout `baton metrics` prints and the dashboard's
//! metrics overlay (`M`) shows: a table per phase and role, completions as a sparkline, the
//! bottleneck. Database text in it is made inert.

use super::metrics::{Metrics, Spread};
use crate::model::text::sanitize;
use crate::model::time;

const HEADERS: [&str; 11] = [
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
];

fn spread(s: &Spread) -> String {
    match (s.p50, s.p95) {
        (Some(a), Some(b)) => format!("{} / {}", time::human_duration(a), time::human_duration(b)),
        _ => "-".into(),
    }
}

/// `▁▂▃▄▅▆▇█`, one cell per bucket, scaled to the busiest (blank where none).
pub fn sparkline(values: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| match (v, max) {
            (0, _) | (_, 0) => ' ',
            _ => BARS[(v * 7).div_ceil(max) as usize],
        })
        .collect()
}

/// The report, a line each, columns aligned.
pub fn lines(m: &Metrics) -> Vec<String> {
    let mut rows: Vec<[String; 11]> = vec![HEADERS.map(str::to_string)];
    for r in &m.rows {
        let waiting = match r.oldest_wait_secs {
            Some(s) if r.waiting_ack > 0 => {
                format!("{} (oldest {})", r.waiting_ack, time::human_duration(s))
            }
            _ => r.waiting_ack.to_string(),
        };
        rows.push([
            sanitize(&r.phase).into_owned(),
            sanitize(&r.role).into_owned(),
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
    let widths: Vec<usize> = (0..HEADERS.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = vec![format!("{} to {} · {} events", m.since, m.until, m.events)];
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push(cells.join("  ").trim_end().to_string());
    }
    let per = if m.bucket_secs == 60 {
        "minute".to_string()
    } else {
        time::human_duration(m.bucket_secs)
    };
    out.push(format!(
        "completed {} · per {per}: [{}]",
        m.completed,
        sparkline(&m.completions)
    ));
    out.push(match &m.bottleneck {
        Some(b) => format!(
            "bottleneck: {} — {} in flight, {} waiting for acknowledgement{}",
            sanitize(&b.role),
            b.in_flight,
            b.waiting_ack,
            b.p95_in_phase_secs
                .map(|s| format!(", p95 {} in phase", time::human_duration(s)))
                .unwrap_or_default()
        ),
        None => "bottleneck: none (nothing in flight)".to_string(),
    });
    out
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
