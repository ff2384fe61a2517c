//! `baton definition add FILE` and `baton definition list`.

use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult};
use crate::cli::output::{self, Table};
use crate::model::Definition;
use clap::{Args, Subcommand};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum DefinitionCommand {
    /// Store a definition from a JSON file as the next version of its name
    Add(AddArgs),
    /// List every definition (newest version of each name)
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// A JSON file shaped like assets/definitions/build.json
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print the stored definition as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print one JSON array
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, c: &DefinitionCommand) -> CliResult {
    match c {
        DefinitionCommand::Add(a) => add(ctx, a),
        DefinitionCommand::List(a) => list(ctx, a),
    }
}

fn add(ctx: &Ctx, a: &AddArgs) -> CliResult {
    let path = a.file.display();
    let text = std::fs::read_to_string(&a.file)
        .map_err(|e| CliError::usage(format!("cannot read {path}: {e}; check the path")))?;
    let mut def: Definition = serde_json::from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "{path} is not a valid definition ({e}); see assets/definitions/build.json for the shape"
        ))
    })?;
    def.validate()
        .map_err(|e| CliError::usage(format!("{path}: {e}")))?;
    let mut store = ctx.open()?;
    def.version = store.add_definition(&def)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(&mut out, &def)?;
    } else {
        let phases: Vec<&str> = def.phases.iter().map(|p| p.name.as_str()).collect();
        writeln!(
            out,
            "added definition '{}' version {} ({})",
            output::clean(&def.name),
            def.version,
            output::clean(&phases.join(" → "))
        )?;
    }
    Ok(())
}

fn list(ctx: &Ctx, a: &ListArgs) -> CliResult {
    let store = ctx.open()?;
    let defs = store.definitions()?;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(&mut out, &json!(defs))?;
        return Ok(());
    }
    let mut t = Table::new(&["NAME", "VERSION", "PHASES", "DESCRIPTION"]);
    for d in &defs {
        let phases: Vec<String> = d
            .phases
            .iter()
            .map(|p| format!("{}/{}", p.name, p.role))
            .collect();
        t.row([
            d.name.clone(),
            d.version.to_string(),
            phases.join(" → "),
            d.description.clone().unwrap_or_default(),
        ]);
    }
    t.write(&mut out)?;
    Ok(())
}
