//! Desktop notifications through the terminal (`--notify`): the bell, OSC 9 (iTerm2, kitty,
//! WezTerm, Windows Terminal…) and OSC 777 (foot, rxvt, VTE terminals), each made of text
//! that cannot end the sequence early: database text is made inert and stripped of the
//! bytes that would (ESC, BEL, and the C1 string terminator).

/// What to write for a notification titled `title` saying `body`; inside tmux the OSC
/// sequences are also wrapped for tmux to pass through to the outer terminal.
pub fn sequences(title: &str, body: &str, in_tmux: bool) -> String {
    let (title, body) = (inert(title), inert(body));
    let osc = format!("\x1b]9;{title}: {body}\x07\x1b]777;notify;{title};{body}\x07");
    let mut out = String::from("\x07");
    out.push_str(&osc);
    if in_tmux {
        out.push_str(&format!(
            "\x1bPtmux;{}\x1b\\",
            osc.replace('\x1b', "\x1b\x1b")
        ));
    }
    out
}

/// Printable text only, without `;` (OSC 777 separates its fields with it).
fn inert(s: &str) -> String {
    crate::model::text::sanitize(s)
        .chars()
        .filter(|c| !c.is_control() && !('\u{80}'..='\u{9f}').contains(c))
        .map(|c| if c == ';' { ',' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_rings_and_sends_both_sequences() {
        let s = sequences("baton", "atlas-7 is stuck", false);
        assert_eq!(
            s,
            "\x07\x1b]9;baton: atlas-7 is stuck\x07\x1b]777;notify;baton;atlas-7 is stuck\x07"
        );
        let t = sequences("baton", "x", true);
        assert!(t.starts_with(&sequences("baton", "x", false)));
        assert!(
            t.ends_with("\x1b\\") && t.contains("\x1bPtmux;\x1b\x1b]9;"),
            "{t:?}"
        );
    }

    #[test]
    fn database_text_cannot_end_the_sequence_or_add_fields() {
        let s = sequences("baton", "ev\x1b]0;pwned\x07il;x\u{9c}", false);
        assert_eq!(s.matches('\x1b').count(), 2, "{s:?}");
        assert_eq!(s.matches('\x07').count(), 3, "{s:?}");
        assert!(!s.contains('\u{9c}'));
        // OSC 9's one and OSC 777's three: none from the text.
        assert_eq!(s.matches(';').count(), 4, "{s:?}");
    }
}
