//! Entering and leaving the terminal, and what only the terminal can do for the session:
//! copy to the clipboard and capture the mouse or let go of it. The terminal is restored
//! on every way out: normal return (the guard's `Drop`), error, and panic (a hook that
//! restores first, then lets the default hook print its report on a sane screen).

use super::app::TermRequest;
use super::frame_out::{self, FrameOut};
use super::{alert, clipboard};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EndSynchronizedUpdate, EnterAlternateScreen, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Write, stdout};

/// The screen, drawn through a buffer that holds a whole frame. Standard output alone
/// writes every kilobyte: a 200×60 redraw was fifteen writes, each waking the terminal
/// to read a piece of a frame it cannot show yet.
pub type Screen = Terminal<CrosstermBackend<FrameOut>>;

pub struct TerminalGuard {
    pub terminal: Screen,
    mouse: bool,
    /// Inside tmux, clipboard sequences are also sent through its passthrough.
    in_tmux: bool,
}

impl TerminalGuard {
    pub fn enter(mouse: bool) -> std::io::Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode()?;
        execute!(stdout(), EnterAlternateScreen)?;
        let terminal = Terminal::new(CrosstermBackend::new(FrameOut::stdout()))?;
        if mouse {
            execute!(stdout(), EnableMouseCapture)?;
        }
        Ok(TerminalGuard {
            terminal,
            mouse,
            in_tmux: std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()),
        })
    }

    /// Carries out what `update` asked of the terminal (see `Session::take_requests`).
    pub fn apply(&mut self, r: &TermRequest) -> std::io::Result<()> {
        let out = &mut stdout();
        write_request(out, r, self.in_tmux)?;
        if let TermRequest::Mouse(on) = r {
            self.mouse = *on;
        }
        out.flush()
    }
}

/// Writes the sequences for `r` to `out`.
fn write_request(out: &mut impl Write, r: &TermRequest, in_tmux: bool) -> std::io::Result<()> {
    match r {
        TermRequest::Copy(text) => out.write_all(clipboard::sequences(text, in_tmux).as_bytes()),
        TermRequest::Notify { title, body } => {
            out.write_all(alert::sequences(title, body, in_tmux).as_bytes())
        }
        TermRequest::Mouse(true) => execute!(out, EnableMouseCapture),
        TermRequest::Mouse(false) => execute!(out, DisableMouseCapture),
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore(self.mouse);
    }
}

/// Also ends a synchronized update a panic may have left begun (a frame larger than the
/// buffer writes its beginning early) and shows the cursor, which the terminal's own drop
/// would do through the frame buffer that a panic abandons; both are harmless when not
/// needed.
fn restore(mouse: bool) {
    let _ = execute!(stdout(), EndSynchronizedUpdate, crossterm::cursor::Show);
    if mouse {
        let _ = execute!(stdout(), DisableMouseCapture);
    }
    ratatui::restore();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic inside a draw leaves half a frame buffered: it must not follow the
        // report onto the restored screen.
        frame_out::abandon();
        // Capture may have been turned on or off since the start (`m`); turning it off
        // when it is already off does nothing, so a panic always leaves it off.
        restore(true);
        eprintln!(
            "baton crashed; the terminal has been restored. Please report this with the text below."
        );
        previous(info);
    }));
}

/// Debug builds only: `BATON_DEBUG_PANIC=draw` panics inside the dashboard's first frame,
/// half drawn, so the tests can see the terminal restored whatever the frame left.
#[cfg(debug_assertions)]
pub fn debug_panic_in_draw() {
    if std::env::var_os("BATON_DEBUG_PANIC").is_some_and(|v| v == "draw") {
        panic!("BATON_DEBUG_PANIC asked for a panic inside a frame");
    }
}

#[cfg(not(debug_assertions))]
pub fn debug_panic_in_draw() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_writes_osc_52_and_mouse_requests_toggle_capture() {
        let mut out = Vec::new();
        write_request(&mut out, &TermRequest::Copy("wf-1".into()), false).unwrap();
        assert_eq!(out, b"\x1b]52;c;d2YtMQ==\x07");
        let mut out = Vec::new();
        write_request(&mut out, &TermRequest::Mouse(false), false).unwrap();
        let off = String::from_utf8(out).unwrap();
        assert!(off.contains("\x1b[?1000l"), "{off:?}");
        let mut out = Vec::new();
        write_request(&mut out, &TermRequest::Mouse(true), false).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("\x1b[?1000h"));
    }
}
