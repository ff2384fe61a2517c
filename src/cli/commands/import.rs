//! `baton import FILE`: workflows back from an archive `baton prune --archive` wrote, whole
//! trails in batches. A workflow already in the database is skipped, so importing the
//! same archive twice, or one a resumed prune wrote a batch of twice, is harmless. Events
//! get new sequence numbers (the database assigns them); every id is kept.

use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult, Code};
use crate::cli::output;
use crate::cli::progress;
use crate::engine::archive;
use crate::store::{StoreError, Trail};
use clap::Args;
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

/// Trails written per transaction.
const BATCH: usize = 500;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// An archive from `baton prune --archive` (.jsonl, or .jsonl.zst)
    pub file: PathBuf,
    /// Print one JSON document
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize, Default)]
struct Report {
    imported: usize,
    skipped: usize,
}

pub fn run(ctx: &Ctx, a: &ImportArgs) -> CliResult {
    let trails = archive::read(&a.file).map_err(|e| {
        CliError::new(
            Code::NotFound,
            format!("cannot read {}: {e}", a.file.display()),
        )
    })?;
    let mut store = ctx.open()?;
    let bar = progress::spinner("importing…");
    let mut report = Report::default();
    let mut seen = HashSet::new();
    let mut definitions = std::collections::BTreeSet::new();
    let mut batch: Vec<Trail> = Vec::with_capacity(BATCH);
    for t in trails {
        let t = t.map_err(|e| CliError::new(Code::Error, format!("{}: {e}", a.file.display())))?;
        let present = match store.workflow(&t.workflow.id) {
            Ok(_) => true,
            Err(StoreError::NotFound { .. }) => false,
            Err(e) => return Err(e.into()),
        };
        if present || !seen.insert(t.workflow.id.clone()) {
            report.skipped += 1;
            continue;
        }
        definitions.insert(t.workflow.definition.clone());
        batch.push(t);
        if batch.len() >= BATCH {
            write(&mut store, &mut batch, &mut report)?;
            bar.set_message(format!("{} workflows imported", report.imported));
        }
    }
    write(&mut store, &mut batch, &mut report)?;
    bar.finish_and_clear();
    // Definitions are not archived with the workflows (they outlive them): say which
    // the imported workflows need that this database lacks.
    let mut missing = Vec::new();
    for d in &definitions {
        if store.definition(d)?.is_none() {
            missing.push(d.as_str());
        }
    }
    if !missing.is_empty() {
        eprintln!(
            "warning: the imported workflows use definitions this database does not have: {}; add them with `baton definition add FILE`",
            missing.join(", ")
        );
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(&mut out, &report)?;
    } else {
        writeln!(
            out,
            "imported {} workflows from {} ({} already present, skipped)",
            report.imported,
            a.file.display(),
            report.skipped
        )?;
    }
    Ok(())
}

fn write(
    store: &mut crate::store::Store,
    batch: &mut Vec<Trail>,
    report: &mut Report,
) -> CliResult {
    if batch.is_empty() {
        return Ok(());
    }
    let encoded: Vec<_> = batch.drain(..).map(Trail::encode).collect();
    store.backfill(&encoded)?;
    report.imported += encoded.len();
    Ok(())
}
