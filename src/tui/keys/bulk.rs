//! An action key with rows marked: one confirmation for all of them, saying how many, a
//! sample of what would happen, and what the engine's rules would refuse — each judged by
//! the same pure rules the single dialog uses, on what is on screen. The reason is always
//! asked for (it goes into every workflow's event) and only `y` confirms.

use super::actions::{PREVIEW_REASON, snapshot};
use crate::engine::bulk::{Intent, Selected, pending_one};
use crate::engine::rules::{self, Context};
use crate::model::text::sanitize;
use crate::model::{Action, Status};
use crate::tui::app::{App, Row};
use crate::tui::confirm::{Choice, Confirm, Subject};
use std::collections::BTreeMap;

/// Would-be results listed by build.
const SAMPLE: usize = 4;
/// Kinds of refusal listed, each with a few builds.
const REFUSALS: usize = 3;
const REFUSED_NAMED: usize = 3;

/// The confirmation of action `name` (a binding's name in `keys::actions`) on every
/// marked workflow that is still held, or why none of them can take it.
pub fn confirm(app: &App, name: &str) -> Result<Confirm, String> {
    let rows = app.marked_rows();
    if rows.is_empty() {
        return Err("none of the marked workflows is held any more".into());
    }
    let (title, intents) = intents(app, &rows, name)?;
    let judged: Vec<(String, Intent, Judged)> = intents
        .into_iter()
        .map(|(label, intent)| {
            let j = judge(app, &rows, &intent);
            (label, intent, j)
        })
        .collect();
    if judged.iter().all(|(_, _, j)| j.would.is_empty()) {
        let (_, intent, j) = &judged[0];
        let (why, builds) = j.most_refused().expect("every row is judged");
        return Err(format!(
            "none of the {} marked can {}: {why} ({} of them)",
            rows.len(),
            intent.verb(),
            builds.len()
        ));
    }
    let choices: Vec<Choice> = judged
        .into_iter()
        .map(|(label, intent, j)| Choice {
            label,
            lines: j.lines(rows.len(), &intent),
            intent,
        })
        .collect();
    let subject = Subject::Marked(
        rows.iter()
            .map(|r| Selected {
                id: r.id().to_string(),
                build_id: r.wf.build_id().into(),
                version: r.wf.version(),
            })
            .collect(),
    );
    let mut c = Confirm::new(format!("{title} {} marked", rows.len()), subject, choices)
        .with_reason()
        .irreversible();
    if app.session().paused() {
        c = c.warn("Live refresh is paused (p): the marked rows may be out of date; any that changed are skipped as conflicts.");
    }
    Ok(c)
}

/// The dialog's title and its choices (label, intent) for action `name`.
type Intents = (&'static str, Vec<(String, Intent)>);

fn intents(app: &App, rows: &[&Row], name: &str) -> Result<Intents, String> {
    let one = |a: Action| vec![(String::new(), Intent::Do(a))];
    Ok(match name {
        "advance" => ("Advance", one(Action::Advance { output: None })),
        "retry" => ("Retry", one(Action::Retry)),
        "fail" => (
            "Fail",
            one(Action::Fail {
                error: PREVIEW_REASON.into(),
            }),
        ),
        "cancel" => ("Cancel", one(Action::Cancel)),
        "acknowledge" => ("Acknowledge", vec![(String::new(), Intent::AckPending)]),
        "pause/resume" => {
            let paused = rows
                .iter()
                .filter(|r| r.wf.status() == Status::Paused)
                .count();
            let pause = ("pause".to_string(), Intent::Do(Action::Pause));
            let resume = ("resume".to_string(), Intent::Do(Action::Resume));
            let both = if paused * 2 > rows.len() {
                vec![resume, pause]
            } else {
                vec![pause, resume]
            };
            ("Pause or resume", both)
        }
        "rollback" => {
            let mut targets = vec![(
                "each to its previous phase".to_string(),
                Intent::Do(Action::Rollback { to: None }),
            )];
            targets.extend(phases(app, rows).into_iter().map(|p| {
                (
                    format!("to {p}"),
                    Intent::Do(Action::Rollback { to: Some(p) }),
                )
            }));
            ("Roll back", targets)
        }
        other => return Err(format!("{other} cannot act on marked workflows")),
    })
}

/// Every phase of the marked workflows' definitions but the last, each once, in order.
fn phases(app: &App, rows: &[&Row]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in rows.iter().filter_map(|r| app.definition_of(&**r)) {
        let earlier = &d.phases[..d.phases.len().saturating_sub(1)];
        for p in earlier {
            if !out.contains(&p.name) {
                out.push(p.name.clone());
            }
        }
    }
    out
}

/// The rules' verdict on every marked row.
struct Judged {
    /// Build, from (phase), to (status in phase), in build order.
    would: Vec<(String, String, String)>,
    /// Reason → the builds it refuses, most common first when listed.
    refused: BTreeMap<String, Vec<String>>,
}

fn judge(app: &App, rows: &[&Row], intent: &Intent) -> Judged {
    let mut j = Judged {
        would: Vec::new(),
        refused: BTreeMap::new(),
    };
    for r in rows {
        let build = sanitize(r.wf.build_id()).into_owned();
        let snapshot = snapshot(app, r);
        // The engine's own choice of the handoff, as the worker will make it.
        let action = match intent {
            Intent::Do(a) => Ok(a.clone()),
            Intent::AckPending => {
                pending_one(&snapshot).map(|handoff_id| Action::Acknowledge { handoff_id })
            }
        };
        let cx = Context {
            actor: app.session().actor(),
            reason: Some(PREVIEW_REASON),
            expected_version: Some(r.wf.version()),
            now: app.now(),
        };
        let planned =
            action.and_then(|a| rules::plan(&snapshot, &a, &cx).map_err(|e| e.to_string()));
        match planned {
            Ok(c) => j.would.push((
                build,
                sanitize(r.wf.current_state()).into_owned(),
                format!(
                    "{} in {}",
                    c.workflow.status,
                    sanitize(&c.workflow.current_state)
                ),
            )),
            Err(why) => j.refused.entry(why).or_default().push(build),
        }
    }
    j
}

impl Judged {
    /// Refusals, the most common first.
    fn refusals(&self) -> Vec<(&String, &Vec<String>)> {
        let mut refused: Vec<(&String, &Vec<String>)> = self.refused.iter().collect();
        refused.sort_by_key(|(_, builds)| std::cmp::Reverse(builds.len()));
        refused
    }
    fn most_refused(&self) -> Option<(&String, &Vec<String>)> {
        self.refusals().into_iter().next()
    }

    fn lines(&self, marked: usize, intent: &Intent) -> Vec<String> {
        let verb = intent.verb();
        let mut out = vec![format!(
            "{marked} marked: {} would {verb}, {} the rules refuse (left untouched).",
            self.would.len(),
            marked - self.would.len()
        )];
        let width = self
            .would
            .iter()
            .take(SAMPLE)
            .map(|(b, _, _)| b.chars().count())
            .max()
            .unwrap_or(0);
        for (build, from, to) in self.would.iter().take(SAMPLE) {
            out.push(format!("  {build:<width$}  {from} → {to}"));
        }
        if self.would.len() > SAMPLE {
            out.push(format!("  … and {} more", self.would.len() - SAMPLE));
        }
        let refused = self.refusals();
        for (why, builds) in refused.iter().take(REFUSALS) {
            let named: Vec<&str> = builds
                .iter()
                .take(REFUSED_NAMED)
                .map(String::as_str)
                .collect();
            let more = if builds.len() > REFUSED_NAMED {
                ", …"
            } else {
                ""
            };
            out.push(format!(
                "  refused {}: {} ({}{more})",
                builds.len(),
                sanitize(why),
                named.join(", ")
            ));
        }
        if refused.len() > REFUSALS {
            out.push(format!(
                "  … and {} more kinds of refusal",
                refused.len() - REFUSALS
            ));
        }
        out.push(
            "Each is its own transaction expecting the version shown: one changed since is skipped."
                .into(),
        );
        out
    }
}
