//! A moment given the way people give it: how long ago (`10m`, `2h`, `7d`) or an RFC 3339
//! time. `events --since`, `list --since` and the dashboard's `since:` filter read it alike.

use super::time::Timestamp;

/// What `--since` was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// This long before now.
    Ago(chrono::Duration),
    /// This moment.
    At(Timestamp),
}

impl Since {
    pub fn at(self, now: Timestamp) -> Timestamp {
        match self {
            Since::Ago(d) => now - d,
            Since::At(t) => t,
        }
    }
}

/// `90s`, `10m`, `2h`, `7d`, `1w`, `1.5h`, or an RFC 3339 time. A bare number is refused:
/// `--since` once took a sequence number, which is now `--after-seq`.
pub fn parse_since(s: &str) -> std::result::Result<Since, String> {
    let s = s.trim();
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "'{s}' has no unit; for the events after sequence number {s} use --after-seq {s}, \
             for the last {s} seconds --since {s}s (units: s, m, h, d, w; or an RFC 3339 time)"
        ));
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(Since::At(t.with_timezone(&chrono::Utc)));
    }
    let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let bad = || {
        format!("'{s}' is not a duration or a time; use e.g. 10m, 2h, 7d, or 2026-01-31T09:00:00Z")
    };
    let n: f64 = num.trim().parse().map_err(|_| bad())?;
    let unit_secs = match unit {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        _ => return Err(bad()),
    };
    let secs = n * unit_secs;
    // Up to 100 years back.
    if !secs.is_finite() || !(0.0..=3.2e9).contains(&secs) {
        return Err(bad());
    }
    Ok(Since::Ago(chrono::Duration::milliseconds(
        (secs * 1000.0).round() as i64,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time;

    #[test]
    fn durations_and_times_parse_and_bare_numbers_point_to_after_seq() {
        assert_eq!(
            parse_since("10m"),
            Ok(Since::Ago(chrono::Duration::minutes(10)))
        );
        assert_eq!(
            parse_since("2h"),
            Ok(Since::Ago(chrono::Duration::hours(2)))
        );
        assert_eq!(parse_since("7d"), Ok(Since::Ago(chrono::Duration::days(7))));
        assert_eq!(
            parse_since("1.5h"),
            Ok(Since::Ago(chrono::Duration::minutes(90)))
        );
        let t = parse_since("2026-01-31T09:00:00+01:00").unwrap();
        assert_eq!(t, Since::At(time::parse("2026-01-31T08:00:00Z").unwrap()));
        let e = parse_since("120").unwrap_err();
        assert!(e.contains("--after-seq 120") && e.contains("120s"), "{e}");
        for bad in ["", "ten", "5 parsecs", "-3m", "10y", "1e300d"] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }
}
