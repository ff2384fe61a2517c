//! A time as a workflow row gives it: its text as written, or, where that text is exactly
//! what [`time::format`] writes, the instant it names. The dashboard holds 50,000 live rows
//! with three or four times each: 8 bytes a time where its text took 24, and an instant
//! that needs no parsing when the stuck rule or a clock reads it.

use super::time::{self, Timestamp};
use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// The length of a canonical time's text (`2026-11-22T15:04:05.123Z`).
const LEN: usize = 24;

#[derive(Debug, Clone, Copy)]
pub enum Stamp<'a> {
    /// The text as written (any format another writer chose).
    Text(&'a str),
    /// Milliseconds since the Unix epoch, standing for their canonical text.
    Millis(i64),
}

impl<'a> Stamp<'a> {
    /// The milliseconds `s` stands for, when `s` is exactly the canonical text of them (so
    /// nothing is lost by keeping the number instead); `None` for any other text.
    pub fn compact(s: &str) -> Option<i64> {
        let b = s.as_bytes();
        if b.len() != LEN {
            return None;
        }
        let marks = [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'.'),
            (23, b'Z'),
        ];
        if marks.iter().any(|&(i, c)| b[i] != c) {
            return None;
        }
        let num = |from: usize, to: usize| {
            b[from..to].iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        let year = i32::try_from(num(0, 4)?).ok()?;
        let t = NaiveDate::from_ymd_opt(year, num(5, 7)?, num(8, 10)?)?.and_hms_milli_opt(
            num(11, 13)?,
            num(14, 16)?,
            num(17, 19)?,
            num(20, 23)?,
        )?;
        let ms = t.and_utc().timestamp_millis();
        // Kept as a number only if its text comes back byte for byte.
        let mut buf = [0u8; LEN];
        (canonical(ms, &mut buf) == s).then_some(ms)
    }

    /// The text, borrowed when it is held as text.
    pub fn text(self) -> Cow<'a, str> {
        match self {
            Stamp::Text(s) => Cow::Borrowed(s),
            Stamp::Millis(ms) => Cow::Owned(canonical(ms, &mut [0u8; LEN]).to_string()),
        }
    }

    /// The text, written into `buf` when it is held as a number (no allocation).
    pub fn as_str<'b>(&'b self, buf: &'b mut [u8; LEN]) -> &'b str {
        match self {
            Stamp::Text(s) => s,
            Stamp::Millis(ms) => canonical(*ms, buf),
        }
    }

    /// The instant, as [`time::parse`] reads the text (a number needs no reading).
    pub fn parse(self) -> Option<Timestamp> {
        match self {
            Stamp::Text(s) => time::parse(s),
            Stamp::Millis(ms) => DateTime::from_timestamp_millis(ms),
        }
    }

    /// Seconds from this time to `now`, if it parses.
    pub fn secs_until(self, now: Timestamp) -> Option<i64> {
        self.parse().map(|t| (now - t).num_seconds())
    }
}

/// The canonical text of `ms` (what [`time::format`] writes), in `buf`. Only numbers read
/// from such a text are held, so every field has its width.
fn canonical(ms: i64, buf: &mut [u8; LEN]) -> &str {
    let t = DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let fields = [
        (0, 4, t.year().unsigned_abs()),
        (5, 2, t.month()),
        (8, 2, t.day()),
        (11, 2, t.hour()),
        (14, 2, t.minute()),
        (17, 2, t.second()),
        (20, 3, t.timestamp_subsec_millis()),
    ];
    *buf = *b"0000-00-00T00:00:00.000Z";
    for (at, width, mut n) in fields {
        for i in (at..at + width).rev() {
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    std::str::from_utf8(buf).unwrap_or_default()
}

impl<'a> From<&'a str> for Stamp<'a> {
    fn from(s: &'a str) -> Stamp<'a> {
        Stamp::Text(s)
    }
}

/// The text, inline (24 bytes fit a `CompactString` without an allocation).
impl From<Stamp<'_>> for compact_str::CompactString {
    fn from(s: Stamp<'_>) -> compact_str::CompactString {
        s.as_str(&mut [0u8; LEN]).into()
    }
}

impl fmt::Display for Stamp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str(&mut [0u8; LEN]))
    }
}

/// Times compare as their texts do (which, for canonical texts, is as the instants do).
impl Ord for Stamp<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Stamp::Millis(a), Stamp::Millis(b)) => a.cmp(b),
            _ => {
                let (mut x, mut y) = ([0u8; LEN], [0u8; LEN]);
                self.as_str(&mut x).cmp(other.as_str(&mut y))
            }
        }
    }
}

impl PartialOrd for Stamp<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Stamp<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Stamp<'_> {}

impl PartialEq<str> for Stamp<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str(&mut [0u8; LEN]) == other
    }
}

impl PartialEq<&str> for Stamp<'_> {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_the_canonical_text_is_kept_as_a_number() {
        let ms = Stamp::compact("2026-11-22T15:04:05.123Z").expect("canonical");
        assert_eq!(Stamp::Millis(ms).text(), "2026-11-22T15:04:05.123Z");
        assert_eq!(
            Stamp::Millis(ms).parse(),
            time::parse("2026-11-22T15:04:05.123Z")
        );
        for other in [
            "2026-11-22T15:04:05.123+00:00",
            "2026-11-22 15:04:05",
            "2026-11-22T15:04:05Z",
            "2026-11-22t15:04:05.123Z",
            "2026-02-30T15:04:05.123Z",
            "2026-11-22T24:00:00.000Z",
            "2026-11-22T23:59:60.000Z",
            "2026-11-22T15:04:05.12Z",
            "+026-11-22T15:04:05.123Z",
            "2026-11-22T15:04:05.1٣3Z",
            "",
        ] {
            assert_eq!(Stamp::compact(other), None, "{other:?}");
        }
        assert_eq!(
            Stamp::compact("0001-01-01T00:00:00.000Z").map(|ms| Stamp::Millis(ms).to_string()),
            Some("0001-01-01T00:00:00.000Z".into())
        );
        assert!(Stamp::compact("9999-12-31T23:59:59.999Z").is_some());
    }

    #[test]
    fn a_number_and_its_text_compare_equal_and_order_alike() {
        let t = "2026-11-22T15:04:05.123Z";
        let n = Stamp::Millis(Stamp::compact(t).unwrap_or_default());
        assert_eq!(n, Stamp::Text(t));
        assert!(n == t);
        let odd = Stamp::Text("2026-11-22 15:04:05");
        assert_eq!(n.cmp(&odd), t.cmp("2026-11-22 15:04:05"));
        assert_eq!(odd.cmp(&n), "2026-11-22 15:04:05".cmp(t));
    }

    proptest! {
        /// Any instant in years 1-9999 (what a canonical text can name) round-trips, and
        /// numbers order as their texts do.
        #[test]
        fn canonical_texts_round_trip_and_order_as_text(
            a in -62_135_596_800_000i64..253_402_300_799_999,
            b in -62_135_596_800_000i64..253_402_300_799_999,
        ) {
            let ta = time::format(DateTime::from_timestamp_millis(a).unwrap_or_default());
            let tb = time::format(DateTime::from_timestamp_millis(b).unwrap_or_default());
            prop_assert_eq!(Stamp::compact(&ta), Some(a));
            prop_assert_eq!(Stamp::Millis(a).to_string(), ta.clone());
            prop_assert_eq!(Stamp::Millis(a).cmp(&Stamp::Millis(b)), ta.cmp(&tb));
            prop_assert_eq!(Stamp::Millis(a).cmp(&Stamp::Text(&tb)), ta.cmp(&tb));
        }
    }
}
