//! JSON for programs, made safe for a terminal as it is serialised. serde_json escapes C0
//! controls but passes DEL, C1 controls, bidi overrides and the other characters a terminal
//! would act on; they can only occur inside strings, where `\uXXXX` means the same
//! character, so the formatter escapes them there. Nothing is built in memory first: `list
//! --json` of 43,000 rows used to build a 33 MB string, scan it, and copy it out.

use crate::model::text::{is_unsafe, printable_ascii};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::io::{self, Write};

/// Writes `v` as indented JSON and a newline.
pub fn pretty<T: Serialize + ?Sized>(w: &mut impl Write, v: &T) -> io::Result<()> {
    write(w, v, PrettyFormatter::new(), 64 * 1024)
}

/// Writes `v` as one line of JSON (for `events --follow --json`).
pub fn line<T: Serialize + ?Sized>(w: &mut impl Write, v: &T) -> io::Result<()> {
    write(w, v, CompactFormatter, 4 * 1024)
}

fn write<T: Serialize + ?Sized, F: Formatter>(
    w: &mut impl Write,
    v: &T,
    formatter: F,
    buffer: usize,
) -> io::Result<()> {
    // Standard output flushes at every line break; the pretty document has one a field.
    let mut out = io::BufWriter::with_capacity(buffer, w);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Safe(formatter));
    v.serialize(&mut ser).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// `F` with every terminal-unsafe character of a string written as `\uXXXX`.
struct Safe<F>(F);

impl<F: Formatter> Formatter for Safe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if printable_ascii(fragment, false) {
            return w.write_all(fragment.as_bytes());
        }
        let mut from = 0;
        for (i, c) in fragment.char_indices().filter(|&(_, c)| is_unsafe(c)) {
            w.write_all(&fragment.as_bytes()[from..i])?;
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(w, "\\u{u:04x}")?;
            }
            from = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[from..])
    }

    // The layout is `F`'s.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(v: &serde_json::Value, pretty_layout: bool) -> String {
        let mut out = Vec::new();
        if pretty_layout {
            pretty(&mut out, v).unwrap();
        } else {
            line(&mut out, v).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn unsafe_characters_are_escaped_and_the_value_stays_equal() {
        let v = json!({ "k": ["a\u{9b}b\u{202e}c\u{7f}\x1b", "\u{e0041}tag", "plain é"] });
        for layout in [true, false] {
            let safe = text(&v, layout);
            for c in ['\u{9b}', '\u{202e}', '\u{7f}', '\x1b', '\u{e0041}'] {
                assert!(!safe.contains(c), "{c:?} left in {safe}");
            }
            assert!(safe.contains("plain é"), "safe text changed: {safe}");
            let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
            assert_eq!(back, v);
        }
    }

    #[test]
    fn the_layout_is_serde_jsons_own() {
        let v = json!([{ "a": 1, "b": [true, null], "c": {} }, "x"]);
        assert_eq!(
            text(&v, true),
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap())
        );
        assert_eq!(
            text(&v, false),
            format!("{}\n", serde_json::to_string(&v).unwrap())
        );
    }
}
