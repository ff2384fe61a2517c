//! Entering and leaving the terminal, and what only the terminal can do for the session:
//! copy to the clipboard and capture the mouse or let go of it. The terminal is restored
//! on every way out: normal return (the guard's `Drop`), error, and panic (a hook that
//! restores first, then lets the default hook print its report on a sane screen).

use super::app::TermRequest;
use super::{alert, clipboard};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{BufWriter, Stdout, Write, stdout};

/// The screen, drawn through a buffer that holds a whole frame. Standard output alone
/// writes every kilobyte: a 200×60 redraw was fifteen writes, each waking the terminal
/// to read a piece of a frame it cannot show yet.
pub type Screen = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Enough for a full redraw of a large terminal with colours; a bigger frame is written
/// in pieces of this size.
const FRAME_BUFFER: usize = 256 * 1024;

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
        let terminal = Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(
            FRAME_BUFFER,
            stdout(),
        )))?;
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

fn restore(mouse: bool) {
    if mouse {
        let _ = execute!(stdout(), DisableMouseCapture);
    }
    ratatui::restore();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Capture may have been turned on or off since the start (`m`); turning it off
        // when it is already off does nothing, so a panic always leaves it off.
        restore(true);
        eprintln!(
            "baton crashed; the terminal has been restored. Please report this with the text below."
        );
        previous(info);
    }));
}

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
