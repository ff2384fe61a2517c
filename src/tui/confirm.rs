//! The confirmation dialog for actions. Its text is computed by running the engine's pure
//! rules on what is on screen, so it says exactly what the action will write, and an action
//! the rules would refuse is refused before the dialog opens.

use super::app::{App, Row};
use crate::engine::Request;
use crate::engine::rules::{self, Context};
use crate::model::{Action, Change, HandoffKind, Snapshot, Status, time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmKind {
    Advance,
    Retry,
    Rollback,
    Cancel,
    Acknowledge { handoff_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub kind: ConfirmKind,
    pub workflow_id: String,
    pub build_id: String,
    /// The version on screen: the action fails with a conflict if the workflow moved on.
    pub version: i64,
    pub title: String,
    pub lines: Vec<String>,
    /// Rollback only: earlier phases, nearest first, and the chosen one.
    pub targets: Vec<String>,
    pub target: usize,
    pub reason: String,
}

/// Reason placeholder used while planning a rollback preview (the real one is typed later).
const PREVIEW_REASON: &str = "(preview)";

impl Confirm {
    /// Opens a dialog for `kind` on the selected workflow, or says why it cannot be done.
    pub fn open(app: &App, kind: ConfirmKind) -> Result<Confirm, String> {
        let row = app.selected_row().ok_or("no workflow selected")?;
        let targets = match kind {
            ConfirmKind::Rollback => earlier_phases(app, row),
            _ => Vec::new(),
        };
        let mut c = Confirm {
            kind,
            workflow_id: row.wf.id.clone(),
            build_id: row.wf.build_id.clone(),
            version: row.wf.version,
            title: String::new(),
            lines: Vec::new(),
            targets,
            target: 0,
            reason: String::new(),
        };
        c.describe(app)?;
        Ok(c)
    }

    pub fn needs_reason(&self) -> bool {
        self.kind == ConfirmKind::Rollback
    }

    /// Moves the rollback target and re-describes.
    pub fn cycle_target(&mut self, app: &App, forward: bool) {
        if self.targets.is_empty() {
            return;
        }
        let n = self.targets.len();
        self.target = if forward {
            (self.target + 1) % n
        } else {
            (self.target + n - 1) % n
        };
        // The target set came from the same rules, so re-describing cannot fail here; if the
        // workflow changed meanwhile, the old text stays and the action reports the conflict.
        let _ = self.describe(app);
    }

    pub fn action(&self) -> Action {
        match &self.kind {
            ConfirmKind::Advance => Action::Advance { output: None },
            ConfirmKind::Retry => Action::Retry,
            ConfirmKind::Rollback => Action::Rollback {
                to: self.targets.get(self.target).cloned(),
            },
            ConfirmKind::Cancel => Action::Cancel,
            ConfirmKind::Acknowledge { handoff_id } => Action::Acknowledge {
                handoff_id: handoff_id.clone(),
            },
        }
    }

    pub fn request(&self, actor: &str) -> Request {
        Request {
            action: self.action(),
            actor: actor.to_string(),
            reason: (!self.reason.trim().is_empty()).then(|| self.reason.trim().to_string()),
            expected_version: Some(self.version),
        }
    }

    fn describe(&mut self, app: &App) -> Result<(), String> {
        let row = app
            .rows
            .get(&self.workflow_id)
            .ok_or("the workflow is no longer shown")?;
        let snapshot = snapshot(app, row);
        let cx = Context {
            actor: &app.actor,
            reason: Some(PREVIEW_REASON),
            expected_version: Some(self.version),
            now: app.now,
        };
        let change = rules::plan(&snapshot, &self.action(), &cx).map_err(|e| e.to_string())?;
        let w = &row.wf;
        let (title, mut lines) = match &self.kind {
            ConfirmKind::Advance => advance_text(w, &change),
            ConfirmKind::Retry => (
                "Retry".to_string(),
                vec![
                    format!(
                        "Retry phase {} of {} (attempt {} of {}).",
                        w.current_state,
                        w.build_id,
                        change.workflow.retry_count,
                        max_retries(app, row)
                    ),
                    format!(
                        "Writes a retry handoff to {}, a checkpoint and a phase_retried event.",
                        w.current_role
                    ),
                ],
            ),
            ConfirmKind::Rollback => {
                let discarded = rules::discarded_phases(
                    &snapshot.workflow.phase_outputs,
                    &change.workflow.phase_outputs,
                );
                let mut l = vec![
                    format!(
                        "Roll back {} from {} to {} ({}).",
                        w.build_id,
                        w.current_state,
                        change.workflow.current_state,
                        change.workflow.current_role
                    ),
                    format!(
                        "Writes a rollback handoff {} → {}, a checkpoint and a phase_rolled_back event.",
                        w.current_role, change.workflow.current_role
                    ),
                ];
                l.push(if discarded.is_empty() {
                    "Restores the outputs checkpointed when that phase was entered; none are discarded.".into()
                } else {
                    format!("Discards the outputs of: {}.", discarded.join(", "))
                });
                l.push("Target: ←/→ to choose. Reason (required): type below.".into());
                ("Roll back".to_string(), l)
            }
            ConfirmKind::Cancel => (
                "Cancel".to_string(),
                vec![
                    format!(
                        "Cancel {} in phase {} ({}).",
                        w.build_id, w.current_state, w.status
                    ),
                    "A cancelled workflow has ended: it cannot be resumed, retried or rolled back."
                        .into(),
                ],
            ),
            ConfirmKind::Acknowledge { handoff_id } => {
                let h = row.pending.as_ref().filter(|h| &h.id == handoff_id);
                let age = h
                    .and_then(|h| time::secs_since(&h.created_at, app.now))
                    .map_or("?".into(), time::human_duration);
                (
                    "Acknowledge handoff".to_string(),
                    vec![
                        format!(
                            "Acknowledge handoff {} → {} into {}, waiting {age}.",
                            h.and_then(|h| h.from_role.as_deref()).unwrap_or("-"),
                            h.map_or("-", |h| h.to_role.as_str()),
                            h.map_or("-", |h| h.to_state.as_str()),
                        ),
                        format!("Recorded as acknowledged by {}.", app.actor),
                    ],
                )
            }
        };
        lines.push(format!(
            "Acts on version {}; if the workflow changed since, nothing is written.",
            self.version
        ));
        self.title = title;
        self.lines = lines;
        Ok(())
    }
}

fn advance_text(w: &crate::model::Workflow, c: &Change) -> (String, Vec<String>) {
    if c.workflow.status == Status::Completed {
        return (
            "Advance".into(),
            vec![
                format!(
                    "Complete {}: {} is its last phase.",
                    w.build_id, w.current_state
                ),
                "Writes a workflow_completed event; no handoff follows the last phase.".into(),
            ],
        );
    }
    let h = c.handoff.as_ref();
    (
        "Advance".into(),
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
                h.map_or(HandoffKind::Advance, |h| h.kind),
                w.current_role,
                c.workflow.current_role
            ),
        ],
    )
}

fn max_retries(app: &App, row: &Row) -> i64 {
    app.definition_of(&row.wf)
        .and_then(|d| d.phase(&row.wf.current_state))
        .and_then(|p| p.max_retries)
        .unwrap_or(row.wf.max_retries)
}

/// The snapshot the rules see: the full workflow from the detail pane when it is loaded
/// (it carries phase outputs and checkpoints), else the summary row.
fn snapshot(app: &App, row: &Row) -> Snapshot {
    let detail = app
        .detail
        .as_ref()
        .filter(|d| d.workflow.id == row.wf.id && d.workflow.version == row.wf.version);
    Snapshot {
        workflow: detail.map_or_else(|| row.wf.clone(), |d| d.workflow.clone()),
        definition: app.definition_of(&row.wf).cloned(),
        checkpoints: detail.map(|d| d.checkpoints.clone()).unwrap_or_default(),
        pending: row.pending.iter().map(|h| (**h).clone()).collect(),
    }
}

fn earlier_phases(app: &App, row: &Row) -> Vec<String> {
    let Some(def) = app.definition_of(&row.wf) else {
        return Vec::new();
    };
    let i = def.phase_index(&row.wf.current_state).unwrap_or(0);
    def.phases[..i]
        .iter()
        .rev()
        .map(|p| p.name.clone())
        .collect()
}
