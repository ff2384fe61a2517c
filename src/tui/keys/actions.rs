//! The actions that change the database, each defined once: its key, footer word and help
//! text, and the plan that works out its confirmation (the engine's `Action` it sends and
//! the text saying exactly what that writes). The dialog and the worker's dispatch both
//! come from here; read-only mode drops them all, as they are the only `Does::Act`.

use super::binding::{Binding, Does};
use crate::engine::bulk::{Intent, Selected};
use crate::engine::rules::{self, Context};
use crate::model::json_diff::{self, ChangeKind};
use crate::model::{Action, Change, HandoffKind, Snapshot, Status, Workflow, time};
use crate::tui::app::{App, Row};
use crate::tui::confirm::{Choice, Confirm, Subject};
use crossterm::event::KeyCode::Char;

pub const ACTIONS: &[Binding] = &[
    Binding {
        name: "advance",
        keys: &[Char('a')],
        label: "a",
        footer: Some("advance"),
        help: "advance to the next phase",
        does: Does::Act(advance),
    },
    Binding {
        name: "retry",
        keys: &[Char('r')],
        label: "r",
        footer: Some("retry"),
        help: "retry the current phase",
        does: Does::Act(retry),
    },
    Binding {
        name: "rollback",
        keys: &[Char('b')],
        label: "b",
        footer: Some("rollback"),
        help: "roll back to an earlier phase",
        does: Does::Act(rollback),
    },
    Binding {
        name: "pause/resume",
        keys: &[Char('P')],
        label: "P",
        footer: None,
        help: "pause a running / resume a paused workflow",
        does: Does::Act(pause_or_resume),
    },
    Binding {
        name: "fail",
        keys: &[Char('F')],
        label: "F",
        footer: None,
        help: "fail it, the reason stored as its error",
        does: Does::Act(fail),
    },
    Binding {
        name: "cancel",
        keys: &[Char('x')],
        label: "x",
        footer: None,
        help: "cancel the workflow (it ends for good)",
        does: Does::Act(cancel),
    },
    Binding {
        name: "acknowledge",
        keys: &[Char('A')],
        label: "A",
        footer: None,
        help: "acknowledge the pending handoff",
        does: Does::Act(acknowledge),
    },
];

/// Reason placeholder used while planning a preview (the real one is typed later).
pub(super) const PREVIEW_REASON: &str = "(preview)";

/// Opens the confirmation of action `name` on the selected workflow.
pub fn confirm(app: &App, name: &str) -> Result<Confirm, String> {
    let plan = ACTIONS
        .iter()
        .find(|b| b.name == name)
        .and_then(|b| match b.does {
            Does::Act(plan) => Some(plan),
            _ => None,
        })
        .ok_or_else(|| format!("no action called {name}"))?;
    let row = app.selected_row().ok_or("no workflow selected")?;
    plan(app, row)
}

/// Text for one planned change: what `describe` says, then the version it acts on.
type Describe = fn(&App, &Row, &Snapshot, &Change) -> Vec<String>;

/// How the dialog asks: its title, whether a reason must be typed, and whether only an
/// explicit `y` confirms (an action that discards work or ends the workflow).
struct Ask {
    title: &'static str,
    reason: bool,
    irreversible: bool,
}

/// Plans each of `actions` (label, action) with the engine's pure rules on what is on
/// screen, so the dialog says exactly what will be written. The first must be legal (its
/// refusal is the answer); a later one the rules refuse is not offered.
fn plan_all(
    app: &App,
    row: &Row,
    ask: Ask,
    actions: Vec<(String, Action)>,
    describe: Describe,
) -> Result<Confirm, String> {
    let snapshot = snapshot(app, row);
    let cx = Context {
        actor: app.session().actor(),
        reason: Some(PREVIEW_REASON),
        expected_version: Some(row.wf.version()),
        now: app.now(),
    };
    let mut choices = Vec::new();
    for (i, (label, action)) in actions.into_iter().enumerate() {
        let change = match rules::plan(&snapshot, &action, &cx) {
            Ok(c) => c,
            Err(e) if i == 0 => return Err(e.to_string()),
            Err(_) => continue,
        };
        let mut lines = describe(app, row, &snapshot, &change);
        lines.push(format!(
            "Acts on version {}; if the workflow changed since, nothing is written.",
            row.wf.version()
        ));
        choices.push(Choice {
            label,
            lines,
            intent: Intent::Do(action),
        });
    }
    let w = &row.unpack();
    let mut c = Confirm::new(
        ask.title,
        Subject::One(Selected {
            id: w.id.clone(),
            build_id: w.build_id.as_str().into(),
            version: w.version,
        }),
        choices,
    );
    if ask.reason {
        c = c.with_reason();
    }
    if ask.irreversible {
        c = c.irreversible();
    }
    if app.session().paused() {
        // The operator decides from this screen; it says when it stopped following.
        let since = app
            .session()
            .last_refresh()
            .map_or("the start".into(), |t| t.format("%H:%M:%S UTC").to_string());
        c = c.warn(format!(
            "Live refresh is paused (p): this screen shows the data as of {since} and may be out of date."
        ));
    }
    Ok(c)
}

fn one(action: Action) -> Vec<(String, Action)> {
    vec![(String::new(), action)]
}

fn advance(app: &App, row: &Row) -> Result<Confirm, String> {
    let action = Action::Advance { output: None };
    let ask = Ask {
        title: "Advance",
        reason: false,
        irreversible: false,
    };
    plan_all(app, row, ask, one(action), |_, r, _, c| {
        advance_text(&r.unpack(), c)
    })
}

fn advance_text(w: &Workflow, c: &Change) -> Vec<String> {
    if c.workflow.status == Status::Completed {
        return vec![
            format!(
                "Complete {}: {} is its last phase.",
                w.build_id, w.current_state
            ),
            "Writes a workflow_completed event; no handoff follows the last phase.".into(),
        ];
    }
    vec![
        format!(
            "Advance {} from {} ({}) to {} ({}).",
            w.build_id,
            w.current_state,
            w.current_role,
            c.workflow.current_state,
            c.workflow.current_role
        ),
        format!(
            "Writes an {} handoff {} → {}, a checkpoint and a phase_advanced event.",
            c.handoff.as_ref().map_or(HandoffKind::Advance, |h| h.kind),
            w.current_role,
            c.workflow.current_role
        ),
    ]
}

fn retry(app: &App, row: &Row) -> Result<Confirm, String> {
    let ask = Ask {
        title: "Retry",
        reason: true,
        irreversible: false,
    };
    plan_all(app, row, ask, one(Action::Retry), |app, r, _, c| {
        let w = &r.unpack();
        vec![
            format!(
                "Retry phase {} of {} (attempt {} of {}).",
                w.current_state,
                w.build_id,
                c.workflow.retry_count,
                max_retries(app, r)
            ),
            format!(
                "Writes a retry handoff to {}, a checkpoint and a phase_retried event with your reason.",
                w.current_role
            ),
        ]
    })
}

/// One choice per earlier phase, nearest first.
fn rollback(app: &App, row: &Row) -> Result<Confirm, String> {
    let mut targets: Vec<(String, Action)> = earlier_phases(app, row)
        .into_iter()
        .map(|p| (p.clone(), Action::Rollback { to: Some(p) }))
        .collect();
    if targets.is_empty() {
        targets = one(Action::Rollback { to: None });
    }
    let ask = Ask {
        title: "Roll back",
        reason: true,
        irreversible: true,
    };
    plan_all(app, row, ask, targets, |a, r, s, c| {
        let w = &r.unpack();
        let mut lines = vec![
            format!(
                "Roll back {} from {} to {} ({}).",
                w.build_id, w.current_state, c.workflow.current_state, c.workflow.current_role
            ),
            format!(
                "Writes a rollback handoff {} → {}, a checkpoint and a phase_rolled_back event.",
                w.current_role, c.workflow.current_role
            ),
        ];
        if whole(a, r).is_some() {
            lines.extend(discarded_values(
                &s.workflow.phase_outputs,
                &c.workflow.phase_outputs,
            ));
        } else {
            lines.push("The values it discards show once the detail has read them.".into());
        }
        lines
    })
}

/// Diff lines a rollback dialog shows at most: the reason field and the keys below them
/// must stay on an 80×24 screen.
const DISCARDED_SHOWN: usize = 8;

/// What a rollback throws away, value by value: the phase outputs now against those it
/// restores (the checkpoint of entering the target phase), as `baton diff` shows them.
fn discarded_values(now: &serde_json::Value, restored: &serde_json::Value) -> Vec<String> {
    let changes = json_diff::diff(now, restored);
    if changes.is_empty() {
        return vec![
            "Restores the outputs checkpointed when that phase was entered; none are discarded."
                .into(),
        ];
    }
    let width = changes
        .iter()
        .take(DISCARDED_SHOWN)
        .map(|c| c.path.chars().count())
        .max()
        .unwrap_or(0);
    let has = |k| changes.iter().any(|c| c.kind == k);
    let legend: Vec<&str> = [
        (ChangeKind::Removed, "- discarded"),
        (ChangeKind::Changed, "~ set back to the older value"),
        (ChangeKind::Added, "+ brought back"),
    ]
    .into_iter()
    .filter(|(k, _)| has(*k))
    .map(|(_, l)| l)
    .collect();
    let mut out = vec![format!(
        "Restores the outputs of entering that phase, value by value ({}):",
        legend.join(", ")
    )];
    out.extend(
        changes
            .iter()
            .take(DISCARDED_SHOWN)
            .map(|c| format!("  {}", c.line(width, 40))),
    );
    if changes.len() > DISCARDED_SHOWN {
        out.push(format!(
            "  … and {} more values",
            changes.len() - DISCARDED_SHOWN
        ));
    }
    out
}

/// Pause when running, resume when paused: one key, and the rules say which applies.
fn pause_or_resume(app: &App, row: &Row) -> Result<Confirm, String> {
    let resume = row.wf.status() == Status::Paused;
    let (action, title) = if resume {
        (Action::Resume, "Resume")
    } else {
        (Action::Pause, "Pause")
    };
    let ask = Ask {
        title,
        reason: false,
        irreversible: false,
    };
    let describe: Describe = if resume {
        |_, r, _, _| {
            vec![
                format!(
                    "Resume {} in phase {} ({}): it is running again.",
                    r.wf.build_id(),
                    r.wf.current_state(),
                    r.wf.current_role()
                ),
                "Writes a workflow_resumed event.".into(),
            ]
        }
    } else {
        |_, r, _, _| {
            vec![
                format!(
                    "Pause {} in phase {} ({}): orchestrators leave a paused workflow alone until it is resumed (P again).",
                    r.wf.build_id(),
                    r.wf.current_state(),
                    r.wf.current_role()
                ),
                "Writes a workflow_paused event.".into(),
            ]
        }
    };
    plan_all(app, row, ask, one(action), describe)
}

fn fail(app: &App, row: &Row) -> Result<Confirm, String> {
    // The rules require an error; the one typed in the dialog replaces this preview.
    let action = Action::Fail {
        error: PREVIEW_REASON.into(),
    };
    let ask = Ask {
        title: "Fail",
        reason: true,
        irreversible: true,
    };
    plan_all(app, row, ask, one(action), |_, r, _, _| {
        let w = &r.unpack();
        vec![
            format!(
                "Fail {} in phase {} ({}): the reason you type becomes its last error.",
                w.build_id, w.current_state, w.status
            ),
            "Writes a workflow_failed event. A failed workflow can be retried or cancelled.".into(),
        ]
    })
}

fn cancel(app: &App, row: &Row) -> Result<Confirm, String> {
    let ask = Ask {
        title: "Cancel",
        reason: true,
        irreversible: true,
    };
    plan_all(app, row, ask, one(Action::Cancel), |_, r, _, _| {
        let w = &r.unpack();
        vec![
            format!(
                "Cancel {} in phase {} ({}).",
                w.build_id, w.current_state, w.status
            ),
            "A cancelled workflow has ended: it cannot be resumed, retried or rolled back.".into(),
        ]
    })
}

fn acknowledge(app: &App, row: &Row) -> Result<Confirm, String> {
    let h = row
        .pending
        .as_ref()
        .ok_or("the selected workflow has no pending handoff")?;
    let action = Action::Acknowledge {
        handoff_id: h.id().to_string(),
    };
    let ask = Ask {
        title: "Acknowledge handoff",
        reason: false,
        irreversible: false,
    };
    plan_all(app, row, ask, one(action), |app, r, _, _| {
        let h = r.pending.as_deref();
        let age = h
            .and_then(|h| time::secs_since(h.created_at(), app.now()))
            .map_or("?".into(), time::human_duration);
        vec![
            format!(
                "Acknowledge handoff {} → {} into {}, waiting {age}.",
                h.and_then(|h| h.from_role()).unwrap_or("-"),
                h.map_or("-", |h| h.to_role()),
                h.map_or("-", |h| h.to_state()),
            ),
            format!("Recorded as acknowledged by {}.", app.session().actor()),
        ]
    })
}

fn max_retries(app: &App, row: &Row) -> i64 {
    app.definition_of(row)
        .and_then(|d| d.phase(row.wf.current_state()))
        .and_then(|p| p.max_retries)
        .unwrap_or(row.wf.max_retries())
}

/// The detail of `row` when it holds the workflow whole (documents and checkpoints) at its
/// version: the table holds rows without their JSON documents.
fn whole<'a>(app: &'a App, row: &Row) -> Option<&'a crate::tui::msg::Detail> {
    app.detail()
        .of(row.id())
        .filter(|d| d.workflow.version == row.wf.version())
}

/// The snapshot the rules see: the full workflow from the detail pane when it is loaded
/// (it carries phase outputs and checkpoints), else the summary row.
pub(super) fn snapshot(app: &App, row: &Row) -> Snapshot {
    let detail = whole(app, row);
    Snapshot {
        workflow: detail.map_or_else(|| row.unpack(), |d| d.workflow.clone()),
        definition: app.definition_of(row).cloned(),
        checkpoints: detail.map(|d| d.checkpoints.clone()).unwrap_or_default(),
        pending: row.pending.iter().map(|h| h.unpack()).collect(),
    }
}

fn earlier_phases(app: &App, row: &Row) -> Vec<String> {
    let Some(def) = app.definition_of(row) else {
        return Vec::new();
    };
    let i = def.phase_index(row.wf.current_state()).unwrap_or(0);
    def.phases[..i]
        .iter()
        .rev()
        .map(|p| p.name.clone())
        .collect()
}
