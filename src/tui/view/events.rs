//! The live audit trail: newest at the bottom, following unless scrolled back.

use super::detail::clock;
use super::{Theme, pane_block};
use crate::model::text::sanitize;
use crate::tui::app::{App, Pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame, area: Rect, app: &App, t: Theme) {
    let shown = app.shown_events();
    let scope = if app.events_selected_only {
        "selected"
    } else {
        "all"
    };
    let mode = if app.events_follow {
        "following"
    } else {
        "paused"
    };
    let title = Line::from(vec![
        Span::styled(" Events ", t.title()),
        Span::raw(format!("[{scope}] {} ", shown.len())),
        Span::styled(
            format!("{mode} "),
            if app.events_follow { t.ok() } else { t.stuck() },
        ),
    ]);
    let block = pane_block(title, app.focus == Pane::Events, t);
    let h = usize::from(area.height.saturating_sub(2));
    let end = shown.len().saturating_sub(app.events_back);
    let start = end.saturating_sub(h);
    let lines: Vec<Line> = shown[start..end]
        .iter()
        .map(|e| {
            let build = app
                .rows
                .get(&e.workflow_id)
                .map_or_else(|| short(&e.workflow_id), |r| r.wf.build_id.clone());
            Line::from(vec![
                Span::styled(format!("#{:<6} {} ", e.seq, clock(&e.created_at)), t.dim()),
                Span::styled(format!("{:<20} ", sanitize(&e.event_type)), t.key()),
                Span::raw(format!(
                    "{} by {}  ",
                    sanitize(&build),
                    sanitize(&e.triggered_by)
                )),
                Span::styled(summary(&e.event_data), t.dim()),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// The event data on one line, cut short: the detail pane shows it in full.
fn summary(v: &serde_json::Value) -> String {
    let mut s = v.to_string();
    if s.len() > 160 {
        let mut cut = 160;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    sanitize(&s).into_owned()
}
