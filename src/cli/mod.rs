//! The command line: parse, open the store, call the engine, print. No SQL here.
//!
//! Adding a subcommand is one variant in [`args::Command`] and one arm in [`run`].

mod args;
mod commands;
mod context;
mod exit;
mod help;
mod output;

use crate::store::Target;
pub use args::{Cli, Command, Global};
pub use context::Ctx;
pub use exit::{CliError, CliResult, Code};

use crate::model::Action;
use clap::Parser;

/// Runs baton with the process's arguments; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    // What a DBA sees in pg_stat_activity for this process's connections.
    crate::store::set_application_name(&match &cli.command {
        Some(c) => format!("baton {}", c.name()),
        None => "baton dashboard".into(),
    });
    let actor = cli.global.actor.clone().filter(|a| !a.trim().is_empty());
    let ctx = Ctx {
        db: Target::parse(cli.global.db.as_deref().unwrap_or("baton.db")),
        db_given: cli.global.db.is_some(),
        actor_given: actor.is_some(),
        actor: actor.unwrap_or_else(crate::engine::default_actor),
        read_only: cli.global.read_only,
        busy: std::time::Duration::from_millis(cli.global.busy_timeout),
    };
    match run(&ctx, cli.command) {
        Ok(()) => 0,
        Err(e) => e.report(),
    }
}

/// Dispatches one subcommand.
pub fn run(ctx: &Ctx, command: Option<Command>) -> CliResult {
    use commands::*;
    // `baton` alone opens the dashboard.
    let command = command.unwrap_or_else(|| Command::Tui(dashboard::DashboardArgs::default()));
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
        Command::List(a) => list::run(ctx, &a),
        Command::Events(a) => events::run(ctx, &a),
        Command::Doctor(a) => doctor::run(ctx, &a),
        Command::Definition(c) => definition::run(ctx, &c),
        Command::Tui(a) => dashboard::run(ctx, &a),
        Command::Demo(a) => demo::run(ctx, &a),
        Command::Simulate(a) => simulate::run(ctx, &a),
    }
}
