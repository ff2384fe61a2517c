//! `baton status ID --at SEQ`: the workflow as it was right after one of its events,
//! rebuilt from its trail (`engine::replay`). A field the trail cannot tell is printed as
//! unknown, with why — never guessed.

use super::status::{StatusArgs, print_events, print_handoffs, print_outputs, progress};
use crate::cli::exit::{CliError, CliResult, Code};
use crate::cli::output;
use crate::engine::history::History;
use crate::engine::replay::{AsOf, Known};
use crate::model::time;
use crate::model::{Event, Handoff, Workflow};
use crate::store::Store;
use serde_json::{Map, Value, json};
use std::io::Write;

/// As many handoffs as `baton status` shows.
const HANDOFFS: usize = 200;

pub fn run(store: &Store, id: &str, seq: i64, a: &StatusArgs) -> CliResult {
    let history = History::read(store, id)?;
    let replay = history.replay();
    let Some(as_of) = replay.at(seq) else {
        return Err(not_an_event(&history, seq));
    };
    let event = as_of
        .events
        .last()
        .expect("the event itself is in the list");
    let then = workflow_then(&history.workflow, &as_of);
    let handoffs = tail(&as_of.handoffs, HANDOFFS);
    let events = tail(&as_of.events, a.events);
    let mut out = std::io::stdout().lock();
    if a.json {
        output::json(
            &mut out,
            &to_json(&history, &as_of, event, handoffs, events),
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "as of #{seq} · {}  ({} by {}); `baton status {}` shows it now",
        output::clean(&as_of.at),
        output::clean(&event.event_type),
        output::clean(&event.triggered_by),
        output::clean(&history.workflow.build_id),
    )?;
    print_fields(&mut out, &history, &as_of)?;
    let at = time::parse(&as_of.at).unwrap_or_else(time::now);
    print_handoffs(&mut out, &then, handoffs, at)?;
    match &as_of.state.phase_outputs {
        Known::Known(_) => print_outputs(&mut out, &then, history.definition.as_ref())?,
        Known::Unknown(why) => writeln!(out, "\nPhase outputs\n  unknown: {why}")?,
    }
    print_events(&mut out, events)?;
    Ok(())
}

fn tail<T>(v: &[T], n: usize) -> &[T] {
    &v[v.len().saturating_sub(n)..]
}

/// `--at` named no event of this workflow: not found (exit 3), with where to find one.
fn not_an_event(h: &History, seq: i64) -> CliError {
    let range = match (h.events.first(), h.events.last()) {
        (Some(f), Some(l)) => format!(
            "its {} events run from #{} to #{}",
            h.events.len(),
            f.seq,
            l.seq
        ),
        _ => "it has no events".to_string(),
    };
    CliError::new(
        Code::NotFound,
        format!(
            "event #{seq} is not an event of workflow {} ({range}); `baton events --workflow {}` lists them",
            h.workflow.build_id, h.workflow.build_id
        ),
    )
}

/// The row with what was true then (what is unknown keeps a placeholder, never shown as a
/// fact: the printers below say unknown instead). Only the timeline and outputs printers
/// read it.
fn workflow_then(now: &Workflow, a: &AsOf) -> Workflow {
    let s = &a.state;
    let mut w = now.clone();
    w.phase_outputs = s.phase_outputs.known().cloned().unwrap_or(Value::Null);
    if let Some(st) = s.status.known() {
        w.status = *st;
    }
    // The newest handoff was held until the moment shown.
    w.completed_at = Some(a.at.as_str().into());
    w
}

fn known_json<T: serde::Serialize>(k: &Known<T>) -> Value {
    k.known().map_or(Value::Null, |v| {
        serde_json::to_value(v).unwrap_or(Value::Null)
    })
}

fn to_json(h: &History, a: &AsOf, event: &Event, handoffs: &[Handoff], events: &[Event]) -> Value {
    let s = &a.state;
    let w = &h.workflow;
    let unknown: Map<String, Value> = s
        .unknowns()
        .into_iter()
        .map(|(k, why)| (k.to_string(), Value::from(why)))
        .collect();
    json!({
        "as_of": { "seq": a.seq, "at": a.at, "event_type": event.event_type,
                   "triggered_by": event.triggered_by },
        "workflow": {
            "id": w.id, "build_id": w.build_id, "project_id": w.project_id,
            "definition": w.definition,
            "current_state": known_json(&s.phase), "current_role": known_json(&s.role),
            "status": known_json(&s.status), "version": known_json(&s.version),
            "retry_count": known_json(&s.retry_count),
            "phase_outputs": known_json(&s.phase_outputs),
            "last_error": known_json(&s.last_error),
        },
        "unknown": unknown,
        "handoffs": handoffs,
        "events": events,
        "events_total": a.events.len(),
    })
}

fn print_fields(out: &mut impl Write, h: &History, a: &AsOf) -> std::io::Result<()> {
    let s = &a.state;
    let w = &h.workflow;
    let phase = match (&s.phase, &s.role) {
        (Known::Known(p), Known::Known(r)) => {
            let mut then = w.clone();
            then.current_state = p.as_str().into();
            if let Some(st) = s.status.known() {
                then.status = *st;
            }
            let pr = progress(&then, h.definition.as_ref());
            match (pr.phase, pr.of) {
                (Some(i), Some(n)) => format!("{p} ({r}) — phase {i} of {n}"),
                _ => format!("{p} ({r})"),
            }
        }
        (p, r) => format!("{} ({})", shown(p, String::clone), shown(r, String::clone)),
    };
    let rows = vec![
        ("workflow", w.id.clone()),
        ("build", w.build_id.as_str().into()),
        ("project", w.project_id.as_str().into()),
        ("phase", phase),
        ("status", shown(&s.status, |v| v.as_str().to_string())),
        ("version", shown(&s.version, i64::to_string)),
        ("retries", shown(&s.retry_count, i64::to_string)),
        (
            "last error",
            shown(&s.last_error, |e| output::or_dash(e.as_deref())),
        ),
    ];
    output::fields(out, &rows)
}

/// The value as text, or that it is unknown and why.
fn shown<T>(k: &Known<T>, f: impl Fn(&T) -> String) -> String {
    match k {
        Known::Known(v) => f(v),
        Known::Unknown(why) => format!("unknown ({why})"),
    }
}
