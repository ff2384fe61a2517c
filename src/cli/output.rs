//! Printing: aligned tables and key/value blocks for people, JSON for programs. Text from
//! the database is written by programs we do not control, so every human-facing cell is
//! sanitised, and JSON output escapes the characters a terminal would act on.

use crate::model::text::{sanitize, sanitize_multiline};
use std::borrow::Cow;
use std::io::{self, Write};

/// Makes database text safe to print on one line.
pub fn clean(s: &str) -> Cow<'_, str> {
    sanitize(s)
}

/// `-` for a missing value, the cleaned text otherwise.
pub fn or_dash(s: Option<&str>) -> String {
    s.map_or_else(|| "-".to_string(), |s| clean(s).into_owned())
}

/// A table with a header row; columns are padded to their widest cell.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; every cell is sanitised.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| clean(c.as_ref()).into_owned())
                .collect(),
        );
    }

    pub fn write(&self, w: &mut impl Write) -> io::Result<()> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if let Some(wd) = widths.get_mut(i) {
                    *wd = (*wd).max(c.chars().count());
                }
            }
        }
        let header: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        for r in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, c) in r.iter().enumerate() {
                if i + 1 == r.len() {
                    line.push_str(c);
                } else {
                    let pad = widths[i].saturating_sub(c.chars().count());
                    line.push_str(c);
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            writeln!(w, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// `key   value` lines with the keys padded to the same width.
pub fn fields(w: &mut impl Write, rows: &[(&str, String)]) -> io::Result<()> {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        writeln!(w, "{k:<width$}  {}", clean(v))?;
    }
    Ok(())
}

/// JSON for programs: `json` pretty, `json_line` on one line (see `json_out`).
pub use super::json_out::{line as json_line, pretty as json};

/// Compact JSON for a table cell, cut to `max` characters.
pub fn json_cell(v: &serde_json::Value, max: usize) -> String {
    let s = match v {
        serde_json::Value::Null => return "-".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    truncate(&s, max)
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Pretty JSON for people: indented, sanitised, keeping line breaks.
pub fn json_block(v: &serde_json::Value, indent: &str) -> String {
    let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    sanitize_multiline(&text)
        .lines()
        .map(|l| format!("{indent}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_neutralise_escapes() {
        let mut t = Table::new(&["ID", "NAME"]);
        t.row(["1", "a\x1b[31m"]);
        t.row(["1234", "b"]);
        let mut out = Vec::new();
        t.write(&mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, "ID    NAME\n1     a␛[31m\n1234  b\n");
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
