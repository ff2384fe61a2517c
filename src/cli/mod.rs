//! The command line: parse, open the store, call the engine, print. No SQL here.
//!
//! Adding a subcommand is one variant in [`args::Command`] and one arm in [`run`].

mod args;
mod commands;
pub mod config;
mod context;
mod crash;
mod exit;
mod help;
mod json_out;
mod output;
pub mod progress;
pub mod signals;

use crate::store::Target;
pub use args::{Cli, Command, Global};
pub use commands::dashboard::DashboardArgs;
pub use context::Ctx;
pub use exit::{CliError, CliResult, Code};

use crate::model::Action;
use clap::Parser;

/// Runs baton with the process's arguments; returns the exit code.
pub fn main() -> i32 {
    crash::install();
    crash::debug_panic();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let result = context(&cli).and_then(|ctx| run(&ctx, cli.command, &cli.dashboard));
    let code = match result {
        Ok(()) => 0,
        Err(e) => e.report(),
    };
    // A long-running command stopped by a signal has cleaned up; report it as the shell
    // would a process the signal ended.
    match signals::received() {
        Some(sig) if code == 0 => signals::exit_code(sig),
        _ => code,
    }
}

/// What every command gets, from the flags, the environment and the config file (in that
/// order of precedence).
fn context(cli: &Cli) -> CliResult<Ctx> {
    // What a DBA sees in pg_stat_activity for this process's connections.
    crate::store::set_application_name(&match &cli.command {
        Some(c) => format!("baton {}", c.name()),
        None => "baton dashboard".into(),
    });
    // Generating completions or the manual reads no config (a broken one must not stop it).
    let config = match &cli.command {
        Some(Command::Completions(_) | Command::Man(_)) => config::Config::default(),
        _ => config::load(
            cli.global
                .config
                .as_deref()
                .filter(|p| !p.as_os_str().is_empty()),
        )?,
    };
    let actor = cli
        .global
        .actor
        .clone()
        .or_else(|| std::env::var("BATON_ACTOR").ok())
        .filter(|a| !a.trim().is_empty());
    // --db or BATON_DB, then the config file's db, then ./baton.db. Only the first two
    // count as naming it: `baton demo` never writes its demo data into the configured one.
    let db = cli.global.db.as_deref().or(config.db.as_deref());
    Ok(Ctx {
        db: Target::parse(db.unwrap_or("baton.db")),
        db_given: cli.global.db.is_some(),
        actor_given: actor.is_some(),
        actor: actor.unwrap_or_else(crate::engine::default_actor),
        read_only: cli.global.read_only,
        busy: std::time::Duration::from_millis(cli.global.busy_timeout),
        policy: commands::dashboard::policy(&config),
        config,
    })
}

/// Dispatches one subcommand.
/// `outer` holds the dashboard flags given before any subcommand: `baton` alone is the
/// dashboard, so they apply to it (and to `tui` and `demo`), and are refused elsewhere.
pub fn run(ctx: &Ctx, command: Option<Command>, outer: &DashboardArgs) -> CliResult {
    use commands::*;
    let command = match command {
        None => Command::Tui(outer.clone()),
        Some(Command::Tui(a)) => Command::Tui(a.or(outer)),
        Some(Command::Demo(mut a)) => {
            a.dashboard = a.dashboard.or(outer);
            Command::Demo(a)
        }
        Some(other) => {
            let given = outer.given();
            if !given.is_empty() {
                let (flags, verb) = (
                    given.join(", "),
                    if given.len() == 1 { "is a" } else { "are" },
                );
                return Err(CliError::usage(format!(
                    "{flags} {verb} dashboard flag{s}, not for `{name}`; give {it} without a subcommand (`baton {first} …`) or with `tui`",
                    s = if given.len() == 1 { "" } else { "s" },
                    name = other.name(),
                    it = if given.len() == 1 { "it" } else { "them" },
                    first = given[0],
                )));
            }
            other
        }
    };
    match command {
        Command::Migrate(a) => migrate::run(ctx, &a),
        Command::Start(a) => start::run(ctx, &a),
        Command::Advance(a) => act::advance(ctx, &a),
        Command::Retry(a) => act::plain(ctx, &a, Action::Retry),
        Command::Rollback(a) => act::rollback(ctx, &a),
        Command::Fail(a) => act::fail(ctx, &a),
        Command::Pause(a) => act::plain(ctx, &a, Action::Pause),
        Command::Resume(a) => act::plain(ctx, &a, Action::Resume),
        Command::Cancel(a) => act::plain(ctx, &a, Action::Cancel),
        Command::Ack(a) => act::ack(ctx, &a),
        Command::Heartbeat(a) => heartbeat::run(ctx, &a),
        Command::Status(a) => status::run(ctx, &a),
        Command::Diff(a) => diff::run(ctx, &a),
        Command::List(a) => list::run(ctx, &a),
        Command::Events(a) => events::run(ctx, &a),
        Command::Watch(a) => watch::run(ctx, &a),
        Command::Metrics(a) => metrics::run(ctx, &a),
        Command::Prune(a) => prune::run(ctx, &a),
        Command::Import(a) => import::run(ctx, &a),
        Command::Doctor(a) => doctor::run(ctx, &a),
        Command::Definition(c) => definition::run(ctx, &c),
        Command::Tui(a) => dashboard::run(ctx, &a),
        Command::Demo(a) => demo::run(ctx, &a),
        Command::Simulate(a) => simulate::run(ctx, &a),
        Command::Completions(a) => completions::run(&a),
        Command::Man(a) => man::run(&a),
    }
}
