//! The event log pane: the live audit trail, newest at the bottom, following unless
//! scrolled back; all workflows or the selected one.

use super::{Pane, PaneId, Place, Scroll};
use crate::model::text::sanitize;
use crate::tui::app::App;
use crate::tui::keys::binding::{Binding, Does};
use crate::tui::view::scroll;
use crate::tui::view::style::{Theme, clock, pane_block};
use crossterm::event::KeyCode::Char;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub const ID: PaneId = PaneId("events");

pub struct Events;

const KEYS: &[Binding] = &[
    Binding {
        name: "follow",
        keys: &[Char('f')],
        label: "f",
        footer: Some("follow"),
        help: "follow / pause the event log",
        does: Does::Run(|app| {
            app.events_mut().toggle_follow();
            Vec::new()
        }),
    },
    Binding {
        name: "events scope",
        keys: &[Char('e')],
        label: "e",
        footer: Some("scope"),
        help: "event log: all workflows / selected",
        does: Does::Run(|app| {
            app.events_mut().toggle_scope();
            Vec::new()
        }),
    },
];

impl Pane for Events {
    fn id(&self) -> PaneId {
        ID
    }
    fn place(&self) -> Place {
        Place::Strip
    }
    fn bindings(&self) -> &'static [Binding] {
        KEYS
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, focused: bool, t: Theme) {
        draw(f, area, app, focused, t);
    }
    fn scroll(&self, app: &mut App, s: Scroll) {
        let shown = app.shown_events().len();
        let log = app.events_mut();
        match s {
            Scroll::By(delta) => log.scroll_by(delta, shown),
            Scroll::Top => log.scroll_to_top(shown),
            Scroll::Bottom => log.scroll_to_bottom(),
        }
    }
    /// Clamps how far back the log is scrolled to what it holds, as shown in `area`.
    fn settle(&self, app: &mut App, area: Rect) {
        let max = app.shown_events().len().saturating_sub(lines_shown(area));
        app.events_mut().clamp(max);
    }
}

fn lines_shown(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(2))
}

fn draw(f: &mut Frame, area: Rect, app: &App, focused: bool, t: Theme) {
    let shown = app.shown_events();
    let log = app.events();
    let scope = if log.selected_only() {
        "selected"
    } else {
        "all"
    };
    let mode = if log.following() {
        "following"
    } else {
        "paused"
    };
    let h = lines_shown(area);
    let end = shown.len().saturating_sub(log.back());
    let start = end.saturating_sub(h);
    let title = Line::from(vec![
        Span::styled(" Events ", t.title()),
        // Where the operator is: the newest line shown of all of them.
        Span::raw(format!("[{scope}] {end}/{} ", shown.len())),
        Span::styled(
            format!("{mode} "),
            if log.following() { t.ok() } else { t.stuck() },
        ),
    ]);
    let block = pane_block(title, focused, t);
    let lines: Vec<Line> = shown[start..end]
        .iter()
        .map(|e| {
            let build = app
                .held()
                .row(&e.workflow_id)
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
    scroll::bar(f, area, area.y + 1, shown.len(), h, start, t);
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// The event data on one line, cut short: the detail pane shows it in full. Serialises
/// only what is shown, so a 10 MB payload costs no more per frame than a small one.
fn summary(v: &serde_json::Value) -> String {
    const SHOWN: usize = 160;
    /// Keeps the first bytes, then stops the serialiser with an error.
    struct Head(Vec<u8>);
    impl std::io::Write for Head {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = (SHOWN + 4).saturating_sub(self.0.len());
            self.0.extend_from_slice(&buf[..buf.len().min(room)]);
            if room < buf.len() {
                return Err(std::io::Error::other("enough"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut head = Head(Vec::with_capacity(SHOWN + 4));
    let _ = serde_json::to_writer(&mut head, v);
    let mut s = String::from_utf8_lossy(&head.0).into_owned();
    if s.len() > SHOWN {
        let mut cut = SHOWN;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    sanitize(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::summary;
    use serde_json::json;

    #[test]
    fn summaries_are_cut_without_serialising_everything() {
        assert_eq!(summary(&json!({"a": 1})), r#"{"a":1}"#);
        let big = json!({ "x": "é".repeat(5_000_000) });
        let s = summary(&big);
        assert!(s.ends_with('…') && s.chars().count() <= 161, "{s}");
        assert!(!summary(&json!({"k": "\u{1b}[2J"})).contains('\u{1b}'));
    }
}
