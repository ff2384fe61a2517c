//! `baton watch ID…`: a live line per workflow — phase, progress, stuck or not — until
//! each has ended, like `gh run watch`. Woken by the database's own push; between
//! commits it only re-judges the stuck rule once a second, reading nothing. With
//! `--exit-status` the exit code says how they ended.

use super::changes::{Changes, Waited};
use super::status::{newest_pending, progress};
use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult, Code};
use crate::cli::output::clean;
use crate::cli::signals;
use crate::engine::stuck::{self, Stuck, StuckPolicy};
use crate::model::time::{self, Timestamp};
use crate::model::{Definition, Handoff, Status, Workflow};
use crate::store::Store;
use clap::Args;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The workflows to watch (each an id, unique id prefix, or build id)
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<String>,
    /// Exit with a code that says how they ended: 0 all completed, 5 one failed, 6 one
    /// cancelled, 7 one stuck (with --fail-on-stuck); the first of 5, 7, 6 that applies
    #[arg(long)]
    pub exit_status: bool,
    /// Stop watching a workflow once it is stuck, as if it had ended (exit 7 with
    /// --exit-status)
    #[arg(long)]
    pub fail_on_stuck: bool,
    /// JSON: one object per line each time a workflow's line changes
    #[arg(long)]
    pub json: bool,
}

/// How a watched workflow ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    Completed,
    Failed,
    Cancelled,
    /// Stuck, with `--fail-on-stuck`.
    Stuck,
    /// Deleted while watched.
    Gone,
}

impl End {
    /// The exit code `--exit-status` gives when this is the worst ending.
    fn code(self) -> Code {
        match self {
            End::Completed => Code::Ok,
            End::Failed | End::Gone => Code::WatchFailed,
            End::Stuck => Code::WatchStuck,
            End::Cancelled => Code::WatchCancelled,
        }
    }
    /// Which ending decides the exit code when several differ: failure first.
    fn weight(self) -> u8 {
        match self {
            End::Failed | End::Gone => 3,
            End::Stuck => 2,
            End::Cancelled => 1,
            End::Completed => 0,
        }
    }
}

/// One watched workflow as last read.
struct Watched {
    id: String,
    w: Option<Workflow>,
    pending: Option<Handoff>,
    stuck: Option<Stuck>,
    end: Option<End>,
}

/// A line's content, as printed with `--json`.
#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    build_id: &'a str,
    status: String,
    phase: &'a str,
    role: &'a str,
    phase_index: Option<usize>,
    phases: Option<usize>,
    stuck: Option<&'a Stuck>,
    ended: Option<End>,
}

pub fn run(ctx: &Ctx, a: &WatchArgs) -> CliResult {
    let store = ctx.open()?;
    let mut ids: Vec<String> = Vec::new();
    for key in &a.ids {
        let id = store.resolve(key)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let stop = signals::install()?;
    let mut changes = Changes::start(ctx, &store)?;
    let tty = !a.json && std::io::stdout().is_terminal();
    let mut watched: Vec<Watched> = ids
        .into_iter()
        .map(|id| Watched {
            id,
            w: None,
            pending: None,
            stuck: None,
            end: None,
        })
        .collect();
    let mut defs = definitions(&store)?;
    let mut out = std::io::stdout().lock();
    let mut shown: Vec<String> = Vec::new();
    let mut fresh = true;
    loop {
        let now = time::now();
        if fresh {
            read(&store, &mut watched)?;
            if watched.iter().any(|v| {
                v.w.as_ref()
                    .is_some_and(|w| !defs.contains_key(w.definition.as_str()))
            }) {
                defs = definitions(&store)?;
            }
        }
        judge(&mut watched, &defs, ctx.policy, a.fail_on_stuck, now);
        let lines: Vec<String> = watched
            .iter()
            .map(|v| render(v, &defs, now, a.json, tty))
            .collect();
        print(&mut out, &lines, &mut shown, tty)?;
        if watched.iter().all(|v| v.end.is_some()) {
            break;
        }
        // Re-judge the stuck rule on the next whole second even if nothing commits.
        let until =
            Instant::now() + Duration::from_millis(1000 - u64::from(now.timestamp_subsec_millis()));
        fresh = match changes.wait(&store, &stop, Some(until))? {
            Waited::Changed => true,
            Waited::TimedOut => false,
            Waited::Stopped => return Ok(()),
        };
    }
    let worst = watched
        .iter()
        .filter_map(|v| v.end)
        .max_by_key(|e| e.weight())
        .unwrap_or(End::Completed);
    if a.exit_status && worst != End::Completed {
        return Err(CliError::new(worst.code(), ""));
    }
    Ok(())
}

fn definitions(store: &Store) -> CliResult<HashMap<String, Definition>> {
    Ok(store
        .definitions()?
        .into_iter()
        .map(|d| (d.name.clone(), d))
        .collect())
}

/// Reads the rows of the workflows still watched, and the pending handoffs of the
/// running ones (what the stuck rule needs).
fn read(store: &Store, watched: &mut [Watched]) -> CliResult {
    let ids: Vec<String> = watched
        .iter()
        .filter(|v| v.end.is_none())
        .map(|v| v.id.clone())
        .collect();
    let mut rows: HashMap<String, Workflow> = store
        .workflows_by_id(&ids)?
        .into_iter()
        .map(|w| (w.id.clone(), w))
        .collect();
    let running: Vec<String> = rows
        .values()
        .filter(|w| w.status == Status::Running)
        .map(|w| w.id.clone())
        .collect();
    let handoffs = store.pending_handoffs_of(&running)?;
    for v in watched.iter_mut().filter(|v| v.end.is_none()) {
        v.w = rows.remove(&v.id);
        let mine: Vec<Handoff> = handoffs
            .iter()
            .filter(|h| h.workflow_id == v.id)
            .cloned()
            .collect();
        v.pending = newest_pending(&mine).cloned();
        if v.w.is_none() {
            v.end = Some(End::Gone);
        }
    }
    Ok(())
}

/// Applies the stuck rule at `now` and decides which workflows have ended.
fn judge(
    watched: &mut [Watched],
    defs: &HashMap<String, Definition>,
    policy: StuckPolicy,
    fail_on_stuck: bool,
    now: Timestamp,
) {
    for v in watched.iter_mut().filter(|v| v.end.is_none()) {
        let Some(w) = &v.w else { continue };
        v.stuck = stuck::detect(
            w,
            defs.get(w.definition.as_str()),
            v.pending.as_ref(),
            policy,
            now,
        );
        v.end = match w.status {
            Status::Completed => Some(End::Completed),
            Status::Cancelled => Some(End::Cancelled),
            Status::Failed => Some(End::Failed),
            _ if fail_on_stuck && v.stuck.is_some() => Some(End::Stuck),
            _ => None,
        };
    }
}

/// A workflow's line: build, status, phase i/n with a bar, role, time in phase on a
/// terminal, and why it is stuck. Printed lines leave out the ticking time, so that a
/// pipe gets a line only when something changed.
fn render(
    v: &Watched,
    defs: &HashMap<String, Definition>,
    now: Timestamp,
    json: bool,
    tty: bool,
) -> String {
    let Some(w) = &v.w else {
        return if json {
            serde_json::json!({ "id": v.id, "ended": End::Gone }).to_string()
        } else {
            format!("{}  gone: deleted while watched", v.id)
        };
    };
    let p = progress(w, defs.get(w.definition.as_str()));
    if json {
        let line = Line {
            id: &w.id,
            build_id: &w.build_id,
            status: w.status_raw.as_str().into(),
            phase: &w.current_state,
            role: &w.current_role,
            phase_index: p.phase,
            phases: p.of,
            stuck: v.stuck.as_ref(),
            ended: v.end,
        };
        return serde_json::to_string(&line).unwrap_or_default();
    }
    let of = p.of.unwrap_or(0);
    let bar: String = (0..of)
        .map(|i| if i < p.done { '█' } else { '░' })
        .collect();
    let mut line = format!(
        "{}  {}  {} {}/{}  {} ({})",
        clean(&w.build_id),
        w.status,
        bar,
        p.done,
        of,
        clean(&w.current_state),
        clean(&w.current_role),
    );
    if tty && v.end.is_none() {
        let entered = w.state_entered_at.as_deref().unwrap_or(&w.updated_at);
        if let Some(secs) = time::secs_since(entered, now) {
            line.push_str(&format!(" for {}", time::human_duration(secs)));
        }
    }
    if let Some(s) = &v.stuck {
        line.push_str(&format!("  STUCK: {}", s.describe()));
    }
    match v.end {
        Some(End::Completed) => line.push_str("  ✓ done"),
        Some(End::Failed) => {
            let why = w.last_error.as_deref().map(clean).unwrap_or_default();
            line.push_str(&format!("  ✗ failed {why}"));
        }
        Some(End::Cancelled) => line.push_str("  ⊘ cancelled"),
        Some(End::Stuck) => line.push_str("  (stopped watching: stuck)"),
        Some(End::Gone) | None => {}
    }
    line.trim_end().to_string()
}

/// On a terminal, redraws the block of lines in place; elsewhere prints each line that
/// changed since it was last printed.
fn print(out: &mut impl Write, lines: &[String], shown: &mut Vec<String>, tty: bool) -> CliResult {
    if tty {
        if !shown.is_empty() {
            write!(out, "\x1b[{}A", shown.len())?;
        }
        for l in lines {
            writeln!(out, "\x1b[2K{l}")?;
        }
    } else {
        for (i, l) in lines.iter().enumerate() {
            if shown.get(i) != Some(l) {
                writeln!(out, "{l}")?;
            }
        }
    }
    out.flush()?;
    *shown = lines.to_vec();
    Ok(())
}
