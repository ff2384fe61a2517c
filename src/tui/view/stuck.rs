//! What the detail pane adds to a stuck verdict: what the operator can do about it now, and
//! the workflow's past stuck episodes (computed by `engine::stuck_history`).

use super::style::Theme;
use crate::engine::rules::retries_left;
use crate::engine::stuck::Stuck;
use crate::engine::stuck_history;
use crate::model::text::sanitize;
use crate::tui::app::{App, Row};
use crate::tui::msg::Detail;
use ratatui::text::{Line, Span};

/// Past episodes shown, at most (the newest).
const SHOWN: usize = 5;

/// `A acknowledges the handoff to test_auditor · r retries (2 left)`, under the verdict.
pub fn remedies<'a>(app: &App, r: &Row, st: &Stuck, t: Theme) -> Line<'a> {
    if app.session().read_only() {
        return Line::from(Span::styled("  read-only: no action from here", t.dim()));
    }
    let mut spans = vec![Span::raw("  ")];
    if let Stuck::UnacknowledgedHandoff { role, .. } = st {
        spans.push(Span::styled("A", t.key()));
        spans.push(Span::raw(format!(
            " acknowledges the handoff to {} · ",
            sanitize(role)
        )));
    }
    let phase = app
        .definition_of(&r.wf)
        .and_then(|d| d.phase(&r.wf.current_state));
    match retries_left(&r.wf, phase) {
        0 => spans.push(Span::styled("no retries left", t.failed())),
        n => {
            spans.push(Span::styled("r", t.key()));
            spans.push(Span::raw(format!(" retries ({n} left)")));
        }
    }
    Line::from(spans)
}

/// The past stuck episodes found in the history read (its newest handoffs and events).
pub fn past<'a>(app: &App, r: &Row, d: &Detail, t: Theme) -> Vec<Line<'a>> {
    let found = stuck_history::episodes(
        app.definition_of(&r.wf),
        &d.handoffs,
        &d.events,
        app.held().policy(),
    );
    if found.is_empty() {
        return Vec::new();
    }
    let mut out = vec![
        Line::default(),
        Line::from(vec![
            Span::styled(format!("Past stuck episodes ({})", found.len()), t.title()),
            Span::styled(
                format!(
                    " of the last {} events; heartbeats are not kept",
                    d.events.len()
                ),
                t.dim(),
            ),
        ]),
    ];
    let skip = found.len().saturating_sub(SHOWN);
    out.extend(found[skip..].iter().rev().map(|e| {
        Line::from(Span::styled(
            format!("  {}", sanitize(&e.describe())),
            t.stuck(),
        ))
    }));
    out
}
