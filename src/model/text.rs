//! Text from the database is written by programs we do not control. Before it reaches a
//! terminal it is made inert: control characters, escape sequences and bidi overrides
//! become visible placeholders instead of instructions to the terminal.

use std::borrow::Cow;

/// Replaces every character that could move the cursor, change colours, or reorder text
/// with a visible stand-in. C0/C1 controls become `␛`-style pictures or `\u{..}`; bidi
/// controls and other invisible format characters become `\u{..}`.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if printable_ascii(s, false) || !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) {
            out.push(c);
        } else if (c as u32) < 0x20 {
            // U+2400.. are the "control pictures": visible, one column wide.
            out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?'));
        } else if c == '\u{7f}' {
            out.push('\u{2421}');
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// Like [`sanitize`] but keeps newlines (not tabs), for multi-line JSON views.
pub fn sanitize_multiline(s: &str) -> Cow<'_, str> {
    if printable_ascii(s, true) || !s.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    let lines: Vec<Cow<'_, str>> = s.split('\n').map(sanitize).collect();
    Cow::Owned(lines.join("\n"))
}

/// Whether `s` is all printable ASCII (and line breaks, if `newlines`): nothing in it to
/// make inert. A byte test the compiler vectorises, where the character test is a range
/// match a character: `list --json` of 43,000 rows spent a sixth of its time in it.
pub fn printable_ascii(s: &str, newlines: bool) -> bool {
    s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) || (newlines && b == b'\n'))
}

/// Controls (Cc), every format character (Cf: bidi marks and overrides, zero-width
/// characters, invisible tag characters, soft hyphen...) and the line/paragraph separators
/// (Zl, Zp), as of Unicode 14. None of them has a visible glyph of its own; each can hide or
/// reorder text, or steer a terminal.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{ad}'                     // soft hyphen
            | '\u{600}'..='\u{605}'       // Arabic number signs
            | '\u{61c}'                  // Arabic letter mark (bidi)
            | '\u{6dd}' | '\u{70f}' | '\u{890}'..='\u{891}' | '\u{8e2}'
            | '\u{180e}'                 // Mongolian vowel separator
            | '\u{200b}'..='\u{200f}'     // zero-width and directional marks
            | '\u{2028}'..='\u{202e}'     // line/paragraph separators, bidi embeddings/overrides
            | '\u{2060}'..='\u{206f}'     // word joiner, bidi isolates, invisible operators
            | '\u{feff}'                 // byte-order mark
            | '\u{fff9}'..='\u{fffb}'     // interlinear annotations
            | '\u{110bd}' | '\u{110cd}' | '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}' | '\u{e0020}'..='\u{e007f}' // tag characters: invisible text
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_untouched() {
        assert!(matches!(sanitize("build-42 café ✓"), Cow::Borrowed(_)));
        assert!(matches!(sanitize("build-42 ~"), Cow::Borrowed(_)));
        assert!(matches!(sanitize_multiline("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn ascii_controls_are_not_taken_for_plain_text() {
        assert_eq!(sanitize("a\x7fb"), "a\u{2421}b");
        assert_eq!(sanitize("a\nb"), "a\u{240a}b");
        assert_eq!(sanitize_multiline("a\tb\nc"), "a\u{2409}b\nc");
    }

    #[test]
    fn escape_sequences_become_visible() {
        let s = sanitize("\x1b[2J\x1b]0;pwned\x07ok");
        assert!(!s.contains('\x1b'));
        assert!(!s.contains('\x07'));
        assert_eq!(s, "␛[2J␛]0;pwned␇ok");
    }

    #[test]
    fn c1_bidi_and_del_are_neutralised() {
        let s = sanitize("a\u{9b}31m\u{202e}evil\u{2066}\u{7f}");
        assert_eq!(s, "a\\u{9b}31m\\u{202e}evil\\u{2066}␡");
    }

    #[test]
    fn newlines_are_pictures_in_single_line_but_kept_in_multiline() {
        assert_eq!(sanitize("a\nb"), "a␊b");
        assert_eq!(sanitize_multiline("a\n\x1bb"), "a\n␛b");
    }

    #[test]
    fn every_invisible_format_character_is_shown() {
        // Missed before (found against the Unicode Cf list the fuzz test uses): the Arabic letter mark reorders text like U+202E, and
        // tag characters carry invisible text.
        assert_eq!(sanitize("a\u{61c}b"), "a\\u{61c}b");
        assert_eq!(sanitize("ok\u{e0041}\u{e0042}"), "ok\\u{e0041}\\u{e0042}");
        assert_eq!(sanitize("soft\u{ad}hyphen"), "soft\\u{ad}hyphen");
    }
}
