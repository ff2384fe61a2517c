//! The command line's shape: global flags and the subcommands. Each subcommand's own flags
//! live next to the code that runs it, in `commands/`.

use super::commands::{
    act, completions, dashboard, definition, demo, diff, doctor, events, heartbeat, import, list,
    man, metrics, migrate, prune, simulate, start, status, watch,
};
use super::help;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "baton",
    version,
    about = "Watch and operate multi-role build workflows kept in SQLite or PostgreSQL",
    after_help = help::MAIN,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// `baton` alone is the dashboard, so its flags work without `tui`.
    #[command(
        flatten,
        next_help_heading = "Dashboard options (baton, baton tui, baton demo)"
    )]
    pub dashboard: dashboard::DashboardArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The workflow database: a SQLite file, or a postgres:// URL [default: baton.db]
    #[arg(long, global = true, env = "BATON_DB", value_name = "PATH|URL")]
    pub db: Option<String>,
    /// Who is acting, recorded in events [default: operator:$USER@$HOST] [env: BATON_ACTOR=]
    // BATON_ACTOR is read by hand, not by clap: clap would hand a global's environment
    // value down to `events --actor`, the filter, which has nothing to do with who acts.
    #[arg(long, global = true, value_name = "WHO")]
    pub actor: Option<String>,
    /// Open the database read-only: every change is refused
    #[arg(long, global = true)]
    pub read_only: bool,
    /// How long to wait for another process's lock before giving up, in milliseconds
    #[arg(long, global = true, env = "BATON_BUSY_TIMEOUT", value_name = "MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(0..=600_000))]
    pub busy_timeout: u64,
    /// The config file [default: $XDG_CONFIG_HOME/baton/config.toml, else
    /// ~/.config/baton/config.toml]
    #[arg(long, global = true, env = "BATON_CONFIG", value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A fresh demo database, a live simulator writing to it, and the dashboard
    #[command(after_help = help::DEMO)]
    Demo(demo::DemoArgs),
    /// Open the live dashboard (the same as `baton` alone)
    #[command(after_help = help::TUI)]
    Tui(dashboard::DashboardArgs),
    /// Create the database or bring its schema up to date
    #[command(after_help = help::MIGRATE)]
    Migrate(migrate::MigrateArgs),
    /// Start a workflow in the first phase of its definition
    #[command(after_help = help::START)]
    Start(start::StartArgs),
    /// Move a workflow to its next phase (completing it after the last)
    #[command(after_help = help::ADVANCE)]
    Advance(act::AdvanceArgs),
    /// Re-issue the current phase (counts against max retries)
    #[command(after_help = help::RETRY)]
    Retry(act::PlainArgs),
    /// Go back to the previous phase, or an earlier one, restoring its outputs
    #[command(after_help = help::ROLLBACK)]
    Rollback(act::RollbackArgs),
    /// Mark a workflow failed with an error message
    #[command(after_help = help::FAIL)]
    Fail(act::FailArgs),
    /// Pause a running workflow
    #[command(after_help = help::PAUSE)]
    Pause(act::PlainArgs),
    /// Resume a paused workflow
    #[command(after_help = help::RESUME)]
    Resume(act::PlainArgs),
    /// Cancel a workflow for good
    #[command(after_help = help::CANCEL)]
    Cancel(act::PlainArgs),
    /// Acknowledge a handoff on behalf of its receiving role
    #[command(after_help = help::ACK)]
    Ack(act::AckArgs),
    /// Record a sign of life for a workflow
    #[command(after_help = help::HEARTBEAT)]
    Heartbeat(heartbeat::HeartbeatArgs),
    /// Show one workflow: progress, stuck or not, handoffs, outputs, events
    #[command(after_help = help::STATUS)]
    Status(status::StatusArgs),
    /// How the phase outputs changed: previous attempt of the phase vs now, or two events
    #[command(after_help = help::DIFF)]
    Diff(diff::DiffArgs),
    /// List workflows, most recently updated first
    #[command(after_help = help::LIST)]
    List(list::ListArgs),
    /// Print the audit trail, or follow it live
    #[command(after_help = help::EVENTS)]
    Events(events::EventsArgs),
    /// Per phase and role: in flight, waiting, time in phase, acknowledgement latency
    #[command(after_help = help::METRICS)]
    Metrics(metrics::MetricsArgs),
    /// Remove finished workflows older than a retention period, optionally archiving them
    #[command(after_help = help::PRUNE)]
    Prune(prune::PruneArgs),
    /// Restore workflows from an archive `baton prune --archive` wrote
    #[command(after_help = help::IMPORT)]
    Import(import::ImportArgs),
    /// Watch workflows live until each has ended (a line each: phase, progress, stuck)
    #[command(after_help = help::WATCH)]
    Watch(watch::WatchArgs),
    /// Drive workflows through their phases like an orchestrator would
    #[command(after_help = help::SIMULATE)]
    Simulate(simulate::SimulateArgs),
    /// Check the database: schema, integrity, invariants, stuck and failed workflows
    #[command(after_help = help::DOCTOR)]
    Doctor(doctor::DoctorArgs),
    /// Add or list workflow definitions
    #[command(subcommand, after_help = help::DEFINITION)]
    Definition(definition::DefinitionCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(after_help = help::COMPLETIONS)]
    Completions(completions::CompletionsArgs),
    /// Print baton's manual page (roff) on standard output
    #[command(after_help = help::MAN)]
    Man(man::ManArgs),
}

impl Command {
    /// The subcommand's name as typed, e.g. `list`.
    pub fn name(&self) -> String {
        use clap::CommandFactory;
        let name = format!("{self:?}");
        let name = name
            .split(['(', ' '])
            .next()
            .unwrap_or("baton")
            .to_ascii_lowercase();
        // Keep only a known subcommand's name: it is shown to a DBA, never user input.
        let known = Cli::command()
            .get_subcommands()
            .any(|c| c.get_name() == name);
        if known { name } else { "command".into() }
    }
}
