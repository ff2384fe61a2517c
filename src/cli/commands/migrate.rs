//! `baton migrate [--verify]`: create the database or bring its schema up to date, or
//! check it without changing anything.

use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult};
use crate::cli::{output, progress};
use crate::store::{OpenMode, Store, latest_for};
use clap::Args;
use serde_json::json;
use std::io::Write;

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Check the schema version, recorded checksums, tables and indexes; change nothing
    #[arg(long)]
    pub verify: bool,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: &MigrateArgs) -> CliResult {
    if a.verify {
        return verify(ctx, a);
    }
    if ctx.read_only {
        return Err(CliError::usage(
            "migrate changes the database; drop --read-only (or use `baton migrate --verify` to check it)",
        ));
    }
    // Migrations run while opening; on a large database that can take a while (a new
    // index over every row), so a terminal gets a spinner with the elapsed time.
    // Each step's name goes on the spinner; the lines printed after say what was applied.
    let spinner = progress::spinner(format!("bringing {} up to date", ctx.db));
    let opened = Store::open_showing(&ctx.db, OpenMode::Create, ctx.busy, &mut |step| {
        spinner.set_message(format!("bringing {} up to date: {step}", ctx.db))
    });
    spinner.finish_and_clear();
    let (store, opened) = opened?;
    let version = store.schema_version()?;
    let path = ctx.db.to_string();
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(
            &mut out,
            &json!({ "path": path, "created": opened.created, "applied": opened.applied,
                     "schema_version": version, "latest": latest_for(&ctx.db) }),
        )?;
        return Ok(());
    }
    if opened.created && ctx.db.is_postgres() {
        writeln!(out, "set up baton's schema in {path}")?;
    } else if opened.created {
        writeln!(out, "created new database at {path}")?;
    }
    for m in &opened.applied {
        writeln!(out, "applied migration {m}")?;
    }
    if opened.applied.is_empty() {
        writeln!(out, "{path} is up to date at schema version {version}")?;
    } else {
        writeln!(out, "{path} is now at schema version {version}")?;
    }
    Ok(())
}

/// Opens read-only, so verifying never writes to the file.
fn verify(ctx: &Ctx, a: &MigrateArgs) -> CliResult {
    let (store, _) = ctx.open_as(OpenMode::ReadOnly)?;
    let v = store.verify_schema()?;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(
            &mut out,
            &json!({ "path": ctx.db.to_string(), "ok": v.ok(), "verification": v }),
        )?;
    } else {
        output::fields(
            &mut out,
            &[
                ("database", ctx.db.to_string()),
                (
                    "schema",
                    format!("version {} (this baton knows {})", v.version, v.latest),
                ),
                (
                    "checksums",
                    format!("{} recorded migrations match", v.checksums_ok),
                ),
                (
                    "objects",
                    if v.missing.is_empty() && v.unexpected_columns.is_empty() {
                        "every table, index and column is present".to_string()
                    } else {
                        format!("{} missing", v.missing.len() + v.unexpected_columns.len())
                    },
                ),
            ],
        )?;
        for m in v.missing.iter().chain(&v.unexpected_columns) {
            writeln!(out, "  missing: {}", output::clean(m))?;
        }
        writeln!(out, "{}", if v.ok() { "ok" } else { "FAILED" })?;
    }
    out.flush()?;
    if v.ok() {
        return Ok(());
    }
    let mut what: Vec<String> = v.missing.clone();
    what.extend(v.unexpected_columns.iter().cloned());
    if v.version < v.latest {
        what.insert(
            0,
            format!(
                "schema is at version {} of {}; run `baton migrate`",
                v.version, v.latest
            ),
        );
    }
    let fix = if v.missing.is_empty() && v.unexpected_columns.is_empty() {
        ""
    } else {
        ". The schema was changed outside baton: recreate what is missing from migrations/ or restore a backup"
    };
    Err(CliError::error(format!(
        "schema check failed: {}{fix}",
        what.join("; ")
    )))
}
