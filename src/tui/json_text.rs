//! JSON from the database as readable, inert, bounded text for the detail pane.

use crate::model::text::sanitize_multiline;
use serde_json::Value;

/// Above this, the pretty text is cut (a 10 MB payload must not stall the screen).
pub const MAX_BYTES: usize = 64 * 1024;

pub fn pretty(v: &Value) -> String {
    let mut s =
        serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("<unprintable JSON: {e}>"));
    if s.len() > MAX_BYTES {
        let mut cut = MAX_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        let total = s.len();
        s.truncate(cut);
        s.push_str(&format!(
            "\n… cut: {total} bytes in all; see `baton status ID --json`"
        ));
    }
    sanitize_multiline(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pretty_prints_and_neutralises() {
        let s = pretty(&json!({"k": "a\u{1b}[31mb", "\u{202e}key": 1}));
        assert!(s.contains("\n"));
        assert!(!s.contains('\u{1b}'));
        assert!(!s.contains('\u{202e}'));
    }

    #[test]
    fn huge_values_are_cut_on_a_char_boundary() {
        let big = json!({ "x": "é".repeat(100_000) });
        let s = pretty(&big);
        assert!(s.len() < MAX_BYTES + 200);
        assert!(s.contains("cut:"));
    }
}
