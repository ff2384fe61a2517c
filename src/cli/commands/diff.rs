//! `baton diff ID [--from SEQ] [--to SEQ]`: how the phase outputs changed, as added,
//! removed and changed JSON paths. Which two states are compared by default is
//! `engine::attempt_diff`'s rule (and `baton help diff`'s text).

use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult, Code};
use crate::cli::output;
use crate::engine::attempt_diff::{self, DiffError, OutputsDiff, Side};
use crate::engine::history::History;
use clap::Args;
use serde_json::{Value, json};
use std::io::Write;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Workflow id, unique id prefix, or build id
    #[arg(value_name = "WORKFLOW")]
    pub workflow: String,
    /// Compare from the state right after this event [default: the previous attempt of the
    /// phase current at --to]
    #[arg(long, value_name = "SEQ", allow_negative_numbers = true)]
    pub from: Option<i64>,
    /// Compare up to the state right after this event [default: its newest event, i.e. now]
    #[arg(long, value_name = "SEQ", allow_negative_numbers = true)]
    pub to: Option<i64>,
    /// Print one JSON document
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: &DiffArgs) -> CliResult {
    let store = ctx.open()?;
    let id = store.resolve(&a.workflow)?;
    let history = History::read(&store, &id)?;
    let replay = history.replay();
    let build = history.workflow.build_id.clone();
    let to = a.to.or(history.events.last().map(|e| e.seq));
    let result = match (a.from, to) {
        (Some(from), Some(to)) => attempt_diff::between(&replay, from, to),
        _ => attempt_diff::attempts(&replay, a.to),
    };
    let mut out = std::io::stdout().lock();
    match result {
        Ok(d) if a.json => output::json(&mut out, &to_json(&id, &build, &d))?,
        Ok(d) => print(&mut out, &build, &d)?,
        // Nothing to compare is an answer, not a failure: exit 0 and say so.
        Err(e @ DiffError::NoPrevious { .. }) if a.json => output::json(
            &mut out,
            &json!({ "workflow": id, "build_id": build, "from": Value::Null,
                     "to": Value::Null, "changes": [], "note": e.to_string() }),
        )?,
        Err(e @ DiffError::NoPrevious { .. }) => {
            writeln!(out, "{}; nothing to compare", output::clean(&e.to_string()))?
        }
        Err(e) => return Err(error(&build, e)),
    }
    Ok(())
}

/// Exit codes: an event that is not this workflow's is not found (3); a trail that cannot
/// tell the outputs is an error (1).
fn error(build: &str, e: DiffError) -> CliError {
    match e {
        DiffError::NotAnEvent(_) => CliError::new(
            Code::NotFound,
            format!("{e}; `baton events --workflow {build}` lists its events"),
        ),
        _ => CliError::error(format!("cannot diff {build}: {e}")),
    }
}

fn to_json(id: &str, build: &str, d: &OutputsDiff) -> Value {
    json!({ "workflow": id, "build_id": build, "from": d.from, "to": d.to,
            "attempts": d.attempts, "changes": d.changes })
}

fn side(s: &Side) -> String {
    let phase = s.phase.as_deref().map(output::clean).unwrap_or_default();
    match s.retry_count {
        Some(n) if n > 0 => format!(
            "#{} · {}  ({phase}, retry {n})",
            s.seq,
            output::clean(&s.at)
        ),
        _ => format!("#{} · {}  ({phase})", s.seq, output::clean(&s.at)),
    }
}

fn print(out: &mut impl Write, build: &str, d: &OutputsDiff) -> std::io::Result<()> {
    match &d.attempts {
        Some(a) => writeln!(
            out,
            "{}: phase outputs, previous attempt of {} (#{}–#{}) → current attempt (since #{})",
            output::clean(build),
            output::clean(&a.phase),
            a.previous.began,
            a.previous.ended.unwrap_or(a.current.began),
            a.current.began,
        )?,
        None => writeln!(out, "{}: phase outputs", output::clean(build))?,
    }
    writeln!(out, "  from  {}", side(&d.from))?;
    writeln!(out, "  to    {}", side(&d.to))?;
    if d.changes.is_empty() {
        return writeln!(out, "\nno changes");
    }
    writeln!(out)?;
    for line in d.change_lines(80) {
        writeln!(out, "  {}", output::clean(&line))?;
    }
    writeln!(out, "\n{}", d.summary())
}
