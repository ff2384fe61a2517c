//! Timestamps are RFC 3339 UTC text with milliseconds (`2026-11-22T15:04:05.123Z`), so they
//! sort as text and any language can write them.

use chrono::{DateTime, SecondsFormat, Utc};

pub type Timestamp = DateTime<Utc>;

pub fn now() -> Timestamp {
    Utc::now()
}

pub fn format(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn now_text() -> String {
    format(now())
}

/// Lenient parse: RFC 3339 in any offset, or SQLite's `YYYY-MM-DD HH:MM:SS[.fff]` (UTC).
/// Returns `None` for anything else; callers show such values as they are.
pub fn parse(s: &str) -> Option<Timestamp> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// Compact human duration: `42s`, `3m12s`, `5h03m`, `12d04h`. Negative means clock skew.
pub fn human_duration(secs: i64) -> String {
    if secs < 0 {
        // unsigned_abs: i64::MIN (a hostile limit in a definition) has no positive i64.
        return format!("-{}", human_duration_u(secs.unsigned_abs()));
    }
    human_duration_u(secs.unsigned_abs())
}

fn human_duration_u(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}d{h:02}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m >= 10 {
        // Seconds stop mattering (as kubectl's ages): and a screen of such durations
        // changes once a minute, not every second.
        format!("{m}m")
    } else if m > 0 {
        format!("{m}m{s:02}s")
    } else {
        format!("{s}s")
    }
}

/// Seconds from `then` (stored text) to `now`, if `then` parses.
pub fn secs_since(then: &str, now: Timestamp) -> Option<i64> {
    parse(then).map(|t| (now - t).num_seconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_and_z() {
        let t = parse("2026-11-22T15:04:05.123+00:00").unwrap();
        assert_eq!(format(t), "2026-11-22T15:04:05.123Z");
    }

    #[test]
    fn parses_sqlite_style_and_rejects_garbage() {
        assert!(parse("2026-11-22 15:04:05").is_some());
        assert!(parse("2026-11-22 15:04:05.5").is_some());
        assert!(parse("yesterday").is_none());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(42), "42s");
        assert_eq!(human_duration(192), "3m12s");
        assert_eq!(human_duration(599), "9m59s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3599), "59m");
        assert_eq!(human_duration(5 * 3600 + 180), "5h03m");
        assert_eq!(human_duration(12 * 86_400 + 4 * 3600), "12d04h");
        assert_eq!(human_duration(-5), "-5s");
        assert!(human_duration(i64::MIN).starts_with('-'));
        assert!(human_duration(i64::MAX).ends_with('h'));
    }
}
