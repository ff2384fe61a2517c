//! `baton` / `baton tui`: the live dashboard on an existing database.

use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult};
use crate::engine::StuckPolicy;
use crate::store::Store;
use crate::tui;
use clap::Args;
use std::time::Duration;

#[derive(Debug, Args, Clone)]
pub struct DashboardArgs {
    /// How often to check the database for changes, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub poll_ms: u64,
    /// Seconds a handoff may wait unacknowledged before it counts as stuck, where the
    /// definition's phase sets no limit
    #[arg(long, value_name = "SECS", default_value_t = StuckPolicy::default().handoff_timeout_secs)]
    pub handoff_timeout: i64,
    /// Seconds a phase may go without a heartbeat before it counts as stuck, where the
    /// definition's phase sets no limit
    #[arg(long, value_name = "SECS", default_value_t = StuckPolicy::default().phase_timeout_secs)]
    pub phase_timeout: i64,
    /// Do not capture the mouse (lets the terminal select text)
    #[arg(long)]
    pub no_mouse: bool,
}

impl Default for DashboardArgs {
    fn default() -> Self {
        DashboardArgs {
            poll_ms: 100,
            handoff_timeout: StuckPolicy::default().handoff_timeout_secs,
            phase_timeout: StuckPolicy::default().phase_timeout_secs,
            no_mouse: false,
        }
    }
}

pub fn run(ctx: &Ctx, a: &DashboardArgs) -> CliResult {
    let store = ctx.open()?;
    open(ctx, store, a)
}

/// Runs the dashboard on an already open store (also used by `baton demo`).
pub fn open(ctx: &Ctx, store: Store, a: &DashboardArgs) -> CliResult {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "the dashboard needs a terminal; for scripts use `baton list`, `baton status` or `baton events --follow`",
        ));
    }
    let opts = tui::Options {
        label: ctx.db.to_string(),
        poll: Duration::from_millis(a.poll_ms),
        policy: StuckPolicy {
            handoff_timeout_secs: a.handoff_timeout,
            phase_timeout_secs: a.phase_timeout,
        },
        mouse: !a.no_mouse,
        actor: ctx.actor.clone(),
        // https://no-color.org: present and not empty disables colour.
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    tui::run(store, opts).map_err(|e| CliError::error(format!("the dashboard failed: {e}")))
}
