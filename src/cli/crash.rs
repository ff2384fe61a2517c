//! Panic reports through `color-eyre`: the message, where it happened and how to get a
//! backtrace, with a line saying what to do with it. Installed first thing, so the
//! dashboard's own hook (which restores the terminal) wraps it: on a panic the terminal is
//! restored first, then this report is printed on a sane screen.
//!
//! Expected failures are not panics: they stay one line, `error: …`, with their exit code
//! (see `exit.rs`).

use color_eyre::config::{HookBuilder, Theme};
use std::io::IsTerminal;

/// Installs the panic (and eyre) hooks. Colour only on a terminal, and never with
/// `NO_COLOR`.
pub fn install() {
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let theme = if colour { Theme::dark() } else { Theme::new() };
    // Fails only when hooks are already installed (a second call): nothing to do then.
    let _ = HookBuilder::default()
        .theme(theme)
        .display_env_section(true)
        .panic_section(
            "baton crashed: this is a bug. Please report it with the text above \
             (RUST_BACKTRACE=1 adds a backtrace).",
        )
        .install();
}

/// Debug builds only: `BATON_DEBUG_PANIC=1` panics right after the hooks are installed,
/// so the tests can see the report the way a user would.
#[cfg(debug_assertions)]
pub fn debug_panic() {
    if std::env::var_os("BATON_DEBUG_PANIC").is_some_and(|v| v == "1") {
        panic!("BATON_DEBUG_PANIC asked for a panic");
    }
}

#[cfg(not(debug_assertions))]
pub fn debug_panic() {}
