//! The position of a row in the list order (most recently updated first, then by id), as
//! an opaque token a caller hands back to read on from there: `list --after CURSOR`, the
//! dashboard's history pages. It holds the row's `updated_at` exactly as the backend
//! compares it (SQLite: the stored text; PostgreSQL: microseconds, which baton's
//! millisecond text would round) and its id, so a page starts right after that row whatever
//! was written meanwhile.
//!
//! Encoded as URL-safe base64 without padding (letters, digits, `-`, `_`: safe in a shell
//! word and a URL) of `1`, the backend's letter, the time, a newline, the id and a 32-bit
//! checksum, so that a cursor cut short or edited is refused rather than read as another
//! position.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Which backend's order a cursor's time is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorKind {
    Sqlite,
    Postgres,
}

/// A position in the list order; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub(crate) kind: CursorKind,
    /// SQLite: `updated_at` as stored. PostgreSQL: microseconds since 2000-01-01 UTC
    /// (the server's own representation; `infinity` is `i64::MAX`).
    pub(crate) at: String,
    pub(crate) id: String,
}

const VERSION: u8 = b'1';

impl Cursor {
    pub(crate) fn new(kind: CursorKind, at: String, id: String) -> Cursor {
        Cursor { kind, at, id }
    }

    /// The backend whose order this cursor is a position in.
    pub fn kind(&self) -> CursorKind {
        self.kind
    }

    /// The id of the row this cursor is the position of.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The opaque text form.
    pub fn encode(&self) -> String {
        let mut bytes = vec![
            VERSION,
            match self.kind {
                CursorKind::Sqlite => b's',
                CursorKind::Postgres => b'p',
            },
        ];
        bytes.extend_from_slice(self.at.as_bytes());
        bytes.push(b'\n');
        bytes.extend_from_slice(self.id.as_bytes());
        let sum = checksum(&bytes);
        bytes.extend_from_slice(&sum.to_be_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Reads the text form back; the error says what is wrong, in one line.
    pub fn decode(text: &str) -> Result<Cursor, String> {
        let bad = |why: &str| {
            format!(
                "'{}' is not a cursor ({why}); copy the `cursor` of a `baton list --json` row, \
                 or the one the note after a table names",
                shorten(text)
            )
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| bad("not URL-safe base64"))?;
        if bytes.len() < 2 + 1 + 4 {
            return Err(bad("too short"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 4);
        if checksum(body).to_be_bytes() != sum {
            return Err(bad("damaged or cut short"));
        }
        if body[0] != VERSION {
            return Err(bad("made by another version of baton"));
        }
        let kind = match body[1] {
            b's' => CursorKind::Sqlite,
            b'p' => CursorKind::Postgres,
            _ => return Err(bad("unknown backend")),
        };
        let rest = std::str::from_utf8(&body[2..]).map_err(|_| bad("not UTF-8"))?;
        let (at, id) = rest.split_once('\n').ok_or_else(|| bad("no id"))?;
        if kind == CursorKind::Postgres && at.parse::<i64>().is_err() {
            return Err(bad("no time"));
        }
        Ok(Cursor::new(kind, at.to_string(), id.to_string()))
    }

    /// PostgreSQL's microseconds, for that backend's keyset.
    pub(crate) fn micros(&self) -> Option<i64> {
        self.at.parse().ok()
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encode())
    }
}

/// FNV-1a, 32 bits: catches a cursor cut short or mistyped (not an attacker's).
fn checksum(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// At most 40 characters of what was given, inert (only printable ASCII kept).
fn shorten(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .take(40)
        .collect();
    if text.chars().count() > 40 {
        format!("{clean}…")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_shell_and_url_safe() {
        for c in [
            Cursor::new(
                CursorKind::Sqlite,
                "2026-11-22T10:01:00.000Z".into(),
                "0f3a".into(),
            ),
            Cursor::new(
                CursorKind::Postgres,
                "817725600123456".into(),
                "id-é".into(),
            ),
            Cursor::new(CursorKind::Sqlite, String::new(), String::new()),
        ] {
            let text = c.encode();
            assert!(
                text.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'),
                "{text}"
            );
            assert_eq!(Cursor::decode(&text), Ok(c));
        }
    }

    #[test]
    fn malformed_cursors_are_refused_in_one_line() {
        let good = Cursor::new(CursorKind::Postgres, "42".into(), "abc".into()).encode();
        let cut = &good[..good.len() - 2];
        let mut edited = good.clone().into_bytes();
        edited[3] = if edited[3] == b'A' { b'B' } else { b'A' };
        let edited = String::from_utf8(edited).unwrap();
        for bad in ["", "!!", "abc", cut, &edited, "x\u{1b}[2J"] {
            let e = Cursor::decode(bad).unwrap_err();
            assert!(e.contains("is not a cursor"), "{e}");
            assert!(!e.contains('\n') && !e.contains('\u{1b}'), "{e}");
        }
        // A PostgreSQL cursor whose time is not a number.
        let mut bytes = b"1pnoon\nabc".to_vec();
        bytes.extend_from_slice(&checksum(&bytes).to_be_bytes());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode(bytes)).is_err());
    }
}
