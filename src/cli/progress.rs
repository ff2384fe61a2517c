//! Progress for long command-line work, drawn by `indicatif` on standard error: a bar with
//! rate and ETA where the total is known, a spinner with elapsed time where it is not.
//! Only on a terminal: where standard error is a file or a pipe (CI, logs) nothing is
//! drawn, and the commands print plain lines instead.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Whether progress is drawn (standard error is a terminal).
pub fn shown() -> bool {
    std::io::stderr().is_terminal()
}

/// A bar out of `total` `unit`s, with percentage, rate and ETA; `{msg}` carries extra
/// counts. Hidden when standard error is not a terminal.
pub fn bar(total: u64, unit: &str) -> ProgressBar {
    if !shown() {
        return ProgressBar::hidden();
    }
    let template = format!(
        "[{{bar:30}}] {{percent:>3}}%  {{human_pos}}/{{human_len}} {unit}  {{msg}}  {{per_sec}}  eta {{eta}}"
    );
    let style = ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#>.");
    let pb = ProgressBar::new(total).with_style(style);
    pb.enable_steady_tick(Duration::from_millis(250));
    pb
}

/// A spinner with the elapsed time and `message`, for work whose size is not known.
/// Hidden when standard error is not a terminal.
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    if !shown() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let pb = ProgressBar::new_spinner()
        .with_style(style)
        .with_message(message.into());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// What opening a database is waiting for, told as each step begins (a pending migration,
/// giving pages back): a spinner on a terminal, otherwise one plain line a step on standard
/// error, so a command that migrates an old database on its way never sits silent for the
/// minutes a big one takes. Opening with nothing pending shows nothing.
pub struct Opening {
    db: String,
    bar: Option<ProgressBar>,
}

impl Opening {
    pub fn new(db: impl std::fmt::Display) -> Opening {
        Opening {
            // A path may hold anything a terminal would act on.
            db: crate::model::text::sanitize(&db.to_string()).into_owned(),
            bar: None,
        }
    }

    pub fn step(&mut self, what: &str) {
        let line = format!("{}: {what} (writers wait until it is done)", self.db);
        if !shown() {
            eprintln!("baton: {line}…");
            return;
        }
        match &self.bar {
            Some(bar) => bar.set_message(line),
            None => self.bar = Some(spinner(line)),
        }
    }

    pub fn done(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_counts_and_finishes() {
        // Under `cargo test` standard error may or may not be a terminal; either way the
        // bar keeps its count, and drawing it must not fail.
        let pb = bar(10, "workflows");
        pb.set_position(4);
        pb.set_message("40 events");
        assert_eq!(pb.position(), 4);
        pb.finish_and_clear();
        let s = spinner("migrating");
        s.finish_and_clear();
    }
}
