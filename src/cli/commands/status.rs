//! `baton status ID`: one workflow in full — fields, progress, whether it is stuck, the
//! handoff timeline, phase outputs and its latest events.

use crate::cli::context::Ctx;
use crate::cli::exit::CliResult;
use crate::cli::output::{self, Table, clean, or_dash};
use crate::engine::stuck::{self, Stuck};
use crate::model::time::{self, Timestamp};
use crate::model::{Definition, Event, Handoff, Status, Workflow};
use clap::Args;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::Write;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Workflow id, unique id prefix, or build id
    #[arg(value_name = "WORKFLOW")]
    pub workflow: String,
    /// How many of the latest events to show
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub events: usize,
    /// Show the workflow as it was right after event SEQ (its SEQ in `baton events`)
    #[arg(long, value_name = "SEQ", allow_negative_numbers = true)]
    pub at: Option<i64>,
    /// Print one JSON document
    #[arg(long)]
    pub json: bool,
}

/// Phase i of n in the workflow's definition (`None` when the phase is not in it).
#[derive(Debug, Serialize)]
pub struct Progress {
    pub phase: Option<usize>,
    pub of: Option<usize>,
    pub done: usize,
}

pub fn progress(w: &Workflow, def: Option<&Definition>) -> Progress {
    let of = def.map(|d| d.phases.len());
    let index = def.and_then(|d| d.phase_index(&w.current_state));
    let done = match (w.status, index, of) {
        (Status::Completed, _, Some(n)) => n,
        (_, Some(i), _) => i,
        _ => 0,
    };
    Progress {
        phase: index.map(|i| i + 1),
        of,
        done,
    }
}

/// The newest handoff the receiving role has not acknowledged.
pub fn newest_pending(handoffs: &[Handoff]) -> Option<&Handoff> {
    handoffs
        .iter()
        .filter(|h| h.is_pending())
        .max_by(|a, b| a.created_at.cmp(&b.created_at))
}

pub fn run(ctx: &Ctx, a: &StatusArgs) -> CliResult {
    let store = ctx.open()?;
    let id = store.resolve(&a.workflow)?;
    if let Some(seq) = a.at {
        return super::status_at::run(&store, &id, seq, a);
    }
    let w = store.workflow(&id)?;
    let def = store.definition(&w.definition)?;
    let handoffs = store.handoffs(&id, 200)?;
    let events = store.recent_events(Some(&id), a.events)?;
    let now = time::now();
    let stuck = stuck::detect(&w, def.as_ref(), newest_pending(&handoffs), ctx.policy, now);
    let prog = progress(&w, def.as_ref());
    let mut out = std::io::stdout().lock();
    if a.json {
        let stuck_json = stuck.as_ref().map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("description".into(), s.describe().into());
            }
            v
        });
        output::json(
            &mut out,
            &json!({ "workflow": w, "definition_version": def.as_ref().map(|d| d.version),
                     "progress": prog, "stuck": stuck_json, "handoffs": handoffs, "events": events }),
        )?;
        return Ok(());
    }
    print_fields(&mut out, &w, def.as_ref(), &prog, stuck.as_ref(), now)?;
    print_handoffs(&mut out, &w, &handoffs, now)?;
    print_outputs(&mut out, &w, def.as_ref())?;
    print_events(&mut out, &events)?;
    Ok(())
}

fn ago(t: &str, now: Timestamp) -> String {
    match time::secs_since(t, now) {
        Some(s) => format!("{} ({} ago)", t, time::human_duration(s)),
        None => t.to_string(),
    }
}

fn print_fields(
    out: &mut impl Write,
    w: &Workflow,
    def: Option<&Definition>,
    p: &Progress,
    stuck: Option<&Stuck>,
    now: Timestamp,
) -> std::io::Result<()> {
    let progress = match (p.phase, p.of) {
        (Some(i), Some(n)) => format!("phase {i} of {n}, {} done", p.done),
        (None, Some(_)) => format!("phase not in definition '{}'", w.definition),
        _ => format!("definition '{}' is not in the database", w.definition),
    };
    let max = def
        .and_then(|d| d.phase(&w.current_state))
        .and_then(|ph| ph.max_retries)
        .unwrap_or(w.max_retries);
    let mut rows = vec![
        ("workflow", w.id.clone()),
        ("build", w.build_id.as_str().into()),
        ("project", w.project_id.as_str().into()),
        ("user", or_dash(w.user_id.as_deref())),
        (
            "definition",
            match def {
                Some(d) => format!("{} v{}", w.definition, d.version),
                None => format!("{} (not stored)", w.definition),
            },
        ),
        (
            "phase",
            format!("{} ({}) — {progress}", w.current_state, w.current_role),
        ),
        ("status", w.status_raw.as_str().into()),
        ("version", w.version.to_string()),
        ("retries", format!("{} of {max}", w.retry_count)),
        ("in phase since", ago(w.phase_since(), now)),
        (
            "heartbeat",
            w.heartbeat_at
                .as_deref()
                .map_or_else(|| "-".into(), |h| ago(h, now)),
        ),
        ("created", w.created_at.as_str().into()),
        ("updated", ago(&w.updated_at, now)),
    ];
    if let Some(c) = &w.completed_at {
        rows.push(("ended", c.as_str().into()));
    }
    if let Some(e) = &w.last_error {
        rows.push(("last error", e.clone()));
    }
    rows.push((
        "stuck",
        stuck.map_or_else(|| "no".into(), |s| format!("YES: {}", s.describe())),
    ));
    output::fields(out, &rows)
}

pub(super) fn print_handoffs(
    out: &mut impl Write,
    w: &Workflow,
    handoffs: &[Handoff],
    now: Timestamp,
) -> std::io::Result<()> {
    writeln!(out, "\nHandoffs ({})", handoffs.len())?;
    if handoffs.is_empty() {
        return writeln!(out, "  none yet");
    }
    let mut t = Table::new(&["  WHEN", "KIND", "FROM", "TO", "HELD", "ACK", "ID"]);
    for (i, h) in handoffs.iter().enumerate() {
        let until = handoffs
            .get(i + 1)
            .map(|n| n.created_at.clone())
            .or_else(|| w.completed_at.clone().map(Into::into));
        let held = match until.as_deref().and_then(time::parse) {
            Some(u) => time::secs_since(&h.created_at, u),
            None if w.status.is_terminal() => None,
            None => time::secs_since(&h.created_at, now),
        }
        .map_or_else(|| "-".into(), time::human_duration);
        let ack = match (&h.acknowledged_at, &h.acknowledged_by) {
            (Some(_), by) => format!("by {}", by.as_deref().unwrap_or("?")),
            (None, _) => match time::secs_since(&h.created_at, now) {
                Some(s) => format!("PENDING {}", time::human_duration(s)),
                None => "PENDING".into(),
            },
        };
        let from = match (&h.from_state, &h.from_role) {
            (Some(s), Some(r)) => format!("{s}/{r}"),
            (Some(s), None) => s.clone(),
            (None, Some(r)) => r.clone(),
            (None, None) => "-".into(),
        };
        t.row([
            format!("  {}", h.created_at),
            h.kind.to_string(),
            from,
            format!("{}/{}", h.to_state, h.to_role),
            held,
            ack,
            h.id.chars().take(8).collect(),
        ]);
    }
    t.write(out)
}

pub(super) fn print_outputs(
    out: &mut impl Write,
    w: &Workflow,
    def: Option<&Definition>,
) -> std::io::Result<()> {
    let Value::Object(m) = &w.phase_outputs else {
        writeln!(out, "\nPhase outputs")?;
        return writeln!(out, "{}", output::json_block(&w.phase_outputs, "  "));
    };
    writeln!(out, "\nPhase outputs ({})", m.len())?;
    if m.is_empty() {
        return writeln!(out, "  none yet");
    }
    let mut keys: Vec<&String> = m.keys().collect();
    let order = |k: &str| def.and_then(|d| d.phase_index(k)).unwrap_or(usize::MAX);
    keys.sort_by_key(|k| (order(k), (*k).clone()));
    for k in keys {
        writeln!(out, "  {}:", clean(k))?;
        writeln!(out, "{}", output::json_block(&m[k.as_str()], "    "))?;
    }
    Ok(())
}

pub(super) fn print_events(out: &mut impl Write, events: &[Event]) -> std::io::Result<()> {
    writeln!(out, "\nLatest events ({})", events.len())?;
    if events.is_empty() {
        return Ok(());
    }
    let mut t = output::Table::new(&["SEQ", "TIME", "TYPE", "BY", "DATA"]);
    for e in events {
        t.row([
            e.seq.to_string(),
            e.created_at.clone(),
            e.event_type.clone(),
            e.triggered_by.clone(),
            output::json_cell(&e.event_data, 120),
        ]);
    }
    let mut text = Vec::new();
    t.write(&mut text)?;
    for line in String::from_utf8_lossy(&text).lines() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}
