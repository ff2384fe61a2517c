//! Copying text to the operator's clipboard through the terminal itself (OSC 52), so it
//! works where a clipboard library cannot: over SSH, in a container, inside tmux. The text
//! travels base64-encoded, so an id holding escape sequences cannot reach the terminal raw.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The escape sequence that sets the clipboard (`c`) to `text`.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", STANDARD.encode(text))
}

/// The sequences to write: the plain one, which tmux takes with `set-clipboard on` (and
/// every other terminal takes directly), and, inside tmux, the same wrapped for tmux to
/// pass through to the outer terminal (`allow-passthrough on`), since tmux's default
/// (`set-clipboard external`) ignores a plain one sent by a program.
pub fn sequences(text: &str, in_tmux: bool) -> String {
    let plain = osc52(text);
    if !in_tmux {
        return plain;
    }
    // In a tmux passthrough every ESC of the payload is doubled.
    let wrapped = format!("\x1bPtmux;{}\x1b\\", plain.replace('\x1b', "\x1b\x1b"));
    plain + &wrapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_base64_inside_an_osc_52() {
        assert_eq!(osc52("atlas-101"), "\x1b]52;c;YXRsYXMtMTAx\x07");
        // A hostile id is encoded, never written raw.
        let evil = osc52("\x1b]0;owned\x07");
        assert_eq!(evil.matches('\x1b').count(), 1);
        assert_eq!(evil.matches('\x07').count(), 1);
    }

    #[test]
    fn inside_tmux_it_is_also_sent_through_the_passthrough() {
        assert_eq!(sequences("x", false), osc52("x"));
        let both = sequences("x", true);
        assert!(both.starts_with(&osc52("x")));
        assert!(
            both.ends_with("\x1bPtmux;\x1b\x1b]52;c;eA==\x07\x1b\\"),
            "{both:?}"
        );
    }
}
