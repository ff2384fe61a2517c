//! `baton` / `baton tui`: the live dashboard on an existing database. Its flags are
//! accepted without `tui` too (`baton --handoff-timeout 60`), since `baton` alone is the
//! dashboard; each falls back to the config file, then to the built-in default.

use crate::cli::config::Config;
use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult};
use crate::cli::signals;
use crate::engine::StuckPolicy;
use crate::store::Store;
use crate::tui::{self, ThemeName};
use clap::Args;
use std::time::Duration;

/// Built-in default of `--poll-ms` (and config `poll_ms`).
pub const DEFAULT_POLL_MS: u64 = 100;

#[derive(Debug, Args, Clone, Default, PartialEq, Eq)]
pub struct DashboardArgs {
    /// How often to look for changes where nothing pushes them, in milliseconds
    /// [default: config poll_ms, else 100]
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub poll_ms: Option<u64>,
    /// Seconds a handoff may wait unacknowledged before it counts as stuck, where the
    /// definition's phase sets no limit [default: config handoff_timeout, else 300]
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(i64).range(0..))]
    pub handoff_timeout: Option<i64>,
    /// Seconds a phase may go without a heartbeat before it counts as stuck, where the
    /// definition's phase sets no limit [default: config phase_timeout, else 1800]
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(i64).range(0..))]
    pub phase_timeout: Option<i64>,
    /// on: wait for changes the database pushes; off: poll every --poll-ms
    /// [default: config push, else on]
    #[arg(long, value_name = "on|off", value_parser = on_off)]
    pub push: Option<bool>,
    /// Ring the bell and send a desktop notification (OSC 9 / OSC 777) when a workflow
    /// newly becomes stuck or fails, once per episode [default: config notify, else off]
    #[arg(long, value_name = "on|off", value_parser = on_off, num_args = 0..=1,
          default_missing_value = "on", require_equals = false)]
    pub notify: Option<bool>,
    /// Do not capture the mouse (lets the terminal select text)
    #[arg(long)]
    pub no_mouse: bool,
}

fn on_off(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err("use on or off".into()),
    }
}

impl DashboardArgs {
    /// The flags that were given, as typed (for the error when they come with a
    /// subcommand that is not a dashboard).
    pub fn given(&self) -> Vec<&'static str> {
        [
            (self.poll_ms.is_some(), "--poll-ms"),
            (self.handoff_timeout.is_some(), "--handoff-timeout"),
            (self.phase_timeout.is_some(), "--phase-timeout"),
            (self.push.is_some(), "--push"),
            (self.notify.is_some(), "--notify"),
            (self.no_mouse, "--no-mouse"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect()
    }

    /// These flags, with those given before the subcommand (`baton --poll-ms 50 tui`)
    /// filling what was not given after it.
    pub fn or(&self, outer: &DashboardArgs) -> DashboardArgs {
        DashboardArgs {
            poll_ms: self.poll_ms.or(outer.poll_ms),
            handoff_timeout: self.handoff_timeout.or(outer.handoff_timeout),
            phase_timeout: self.phase_timeout.or(outer.phase_timeout),
            push: self.push.or(outer.push),
            notify: self.notify.or(outer.notify),
            no_mouse: self.no_mouse || outer.no_mouse,
        }
    }
}

/// The stuck limits: the config file's, else the built-in defaults.
pub fn policy(config: &Config) -> StuckPolicy {
    let d = StuckPolicy::default();
    StuckPolicy {
        handoff_timeout_secs: config.handoff_timeout.unwrap_or(d.handoff_timeout_secs),
        phase_timeout_secs: config.phase_timeout.unwrap_or(d.phase_timeout_secs),
    }
}

/// What the dashboard is given: each flag, else the config file, else the default.
/// `no_color` is whether `NO_COLOR` asks for no colour.
pub fn options(ctx: &Ctx, a: &DashboardArgs, no_color: bool) -> tui::Options {
    let c = &ctx.config;
    let theme = c.theme.unwrap_or_default();
    tui::Options {
        label: ctx.db.to_string(),
        poll: Duration::from_millis(a.poll_ms.or(c.poll_ms).unwrap_or(DEFAULT_POLL_MS)),
        policy: StuckPolicy {
            handoff_timeout_secs: a.handoff_timeout.unwrap_or(ctx.policy.handoff_timeout_secs),
            phase_timeout_secs: a.phase_timeout.unwrap_or(ctx.policy.phase_timeout_secs),
        },
        mouse: !a.no_mouse,
        actor: ctx.actor.clone(),
        color: !no_color && theme != ThemeName::Plain,
        push: a.push.or(c.push).unwrap_or(true),
        notify: a.notify.or(c.notify).unwrap_or(false),
        theme,
        views: c.views.clone(),
    }
}

pub fn run(ctx: &Ctx, a: &DashboardArgs) -> CliResult {
    let store = ctx.open()?;
    open(ctx, store, a)
}

/// Runs the dashboard on an already open store (also used by `baton demo`). SIGTERM,
/// SIGHUP and SIGINT leave it the way `q` does (terminal restored), and baton then exits
/// with 128 + the signal's number.
pub fn open(ctx: &Ctx, store: Store, a: &DashboardArgs) -> CliResult {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "the dashboard needs a terminal; for scripts use `baton list`, `baton status` or `baton events --follow`",
        ));
    }
    // https://no-color.org: present and not empty disables colour.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let opts = options(ctx, a, no_color);
    let stop = signals::install()?;
    if stop.requested() {
        return Ok(());
    }
    tui::run(store, opts).map_err(|e| CliError::error(format!("the dashboard failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Target;

    fn ctx(config: Config) -> Ctx {
        Ctx {
            db: Target::parse("x.db"),
            db_given: true,
            actor: "a".into(),
            actor_given: true,
            read_only: false,
            busy: Duration::from_secs(1),
            policy: policy(&config),
            config,
        }
    }

    #[test]
    fn flags_beat_the_config_file_which_beats_the_defaults() {
        let none = options(&ctx(Config::default()), &DashboardArgs::default(), false);
        assert_eq!(none.poll, Duration::from_millis(100));
        assert_eq!(none.policy, StuckPolicy::default());
        assert!(none.push && none.color && none.mouse && !none.notify);
        assert_eq!(none.theme, ThemeName::Dark);

        let config = Config {
            poll_ms: Some(250),
            push: Some(false),
            notify: Some(true),
            handoff_timeout: Some(60),
            phase_timeout: Some(600),
            theme: Some(ThemeName::Plain),
            views: vec![("mine".into(), "project:shop".into())],
            ..Config::default()
        };
        let from_file = options(&ctx(config.clone()), &DashboardArgs::default(), false);
        assert_eq!(from_file.poll, Duration::from_millis(250));
        assert_eq!(from_file.policy.handoff_timeout_secs, 60);
        assert_eq!(from_file.policy.phase_timeout_secs, 600);
        assert!(!from_file.push && from_file.notify);
        assert!(!from_file.color, "theme none turns colour off");
        assert_eq!(from_file.views, config.views);

        let flags = DashboardArgs {
            poll_ms: Some(20),
            handoff_timeout: Some(1),
            phase_timeout: Some(2),
            push: Some(true),
            notify: Some(false),
            no_mouse: true,
        };
        let o = options(&ctx(config), &flags, false);
        assert_eq!(o.poll, Duration::from_millis(20));
        assert_eq!(
            (o.policy.handoff_timeout_secs, o.policy.phase_timeout_secs),
            (1, 2)
        );
        assert!(o.push && !o.mouse && !o.notify);
        // NO_COLOR wins over any theme.
        let o = options(&ctx(Config::default()), &DashboardArgs::default(), true);
        assert!(!o.color);
    }

    #[test]
    fn inner_flags_win_and_outer_ones_fill_the_rest() {
        let outer = DashboardArgs {
            poll_ms: Some(50),
            handoff_timeout: Some(9),
            ..DashboardArgs::default()
        };
        let inner = DashboardArgs {
            poll_ms: Some(70),
            no_mouse: true,
            ..DashboardArgs::default()
        };
        let m = inner.or(&outer);
        assert_eq!(
            (m.poll_ms, m.handoff_timeout, m.no_mouse),
            (Some(70), Some(9), true)
        );
        assert_eq!(outer.given(), ["--poll-ms", "--handoff-timeout"]);
        assert!(DashboardArgs::default().given().is_empty());
    }
}
