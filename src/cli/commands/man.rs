//! `baton man [COMMAND]`: the manual page in roff, generated from the clap definitions —
//! `baton(1)`, or `baton-COMMAND(1)` for one subcommand.

use crate::cli::args::Cli;
use crate::cli::exit::{CliError, CliResult};
use clap::{Args, CommandFactory};

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand's page instead of baton's (e.g. `list`)
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

pub fn run(a: &ManArgs) -> CliResult {
    let root = Cli::command();
    let man = match &a.command {
        None => clap_mangen::Man::new(root),
        Some(name) => {
            let names: Vec<String> = root
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let Some(sub) = root.find_subcommand(name).cloned() else {
                return Err(CliError::usage(format!(
                    "no subcommand '{name}'; the subcommands are {}",
                    names.join(", ")
                )));
            };
            // The page is titled `baton-NAME`, as man(1) looks it up.
            let title = format!("baton-{}", sub.get_name());
            clap_mangen::Man::new(sub.version(env!("CARGO_PKG_VERSION"))).title(title)
        }
    };
    let mut out = Vec::new();
    man.render(&mut out)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(())
}
