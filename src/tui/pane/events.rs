//! The event log pane: the audit trail, newest at the bottom, with a cursor. It follows new
//! events while the cursor is at the newest; moving up past the oldest held pages back
//! through the whole trail. Enter opens the event, `w` goes to its workflow, `/` filters.

use super::{Pane, PaneId, Place, Scroll};
use crate::model::text::sanitize;
use crate::tui::app::{App, Level, cursor_index};
use crate::tui::keys::binding::{Binding, Does};
use crate::tui::view::style::{Theme, clock, filter_spans, pane_block};
use crate::tui::view::{paint, scroll};
use crossterm::event::KeyCode::{Char, Enter};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

pub const ID: PaneId = PaneId("events");

pub struct Events;

const KEYS: &[Binding] = &[
    Binding {
        name: "open event",
        keys: &[Enter],
        label: "Enter",
        footer: Some("open"),
        help: "open the event under the cursor: all fields, JSON data",
        does: Does::Run(|app| {
            app.open_event();
            Vec::new()
        }),
    },
    Binding {
        name: "event's workflow",
        keys: &[Char('w')],
        label: "w",
        footer: Some("workflow"),
        help: "to the event's workflow: selected, or pinned in detail",
        does: Does::Run(|app| match app.event_under_cursor() {
            Some(e) => {
                let id = e.workflow_id.clone();
                app.jump_to_workflow(&id)
            }
            None => {
                app.session_mut()
                    .say(Level::Info, "no event under the cursor".to_string());
                Vec::new()
            }
        }),
    },
    Binding {
        name: "filter events",
        keys: &[Char('/')],
        label: "/",
        footer: Some("filter"),
        help: "filter by type: actor: workflow: or text",
        does: Does::Run(|app| {
            let text = app.events().filter_text().to_string();
            app.overlays_mut().open_events_prompt(&text);
            Vec::new()
        }),
    },
    Binding {
        name: "follow",
        keys: &[Char('f')],
        label: "f",
        footer: Some("follow"),
        help: "follow / pause the event log (follows at the newest)",
        does: Does::Run(|app| {
            app.toggle_event_follow();
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
        match s {
            Scroll::By(delta) => app.move_event_cursor(delta),
            Scroll::Top => app.event_cursor_to_top(),
            Scroll::Bottom => app.event_cursor_to_bottom(),
        }
    }
    fn click(&self, app: &mut App, area: Rect, y: u16) {
        if y > area.y {
            app.click_event(usize::from(y - area.y - 1), lines_shown(area));
        }
    }
    /// Keeps the cursor within the lines `area` shows.
    fn settle(&self, app: &mut App, area: Rect) {
        app.settle_events(lines_shown(area));
    }
}

fn lines_shown(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(2))
}

/// Where the log stands, for its title: the run held (`#1200–#3400 of #9812`), the cursor
/// among the events shown, the filter, and whether it follows, is paused, or stands back in
/// history.
fn title<'a>(app: &App, shown: usize, at: usize, focused: bool, t: Theme) -> Line<'a> {
    let log = app.events();
    let scope = if log.selected_only() {
        "selected"
    } else {
        "all"
    };
    let held = log.all();
    let range = match (held.front(), held.back()) {
        (Some(a), Some(b)) => format!("#{}–#{} of #{} ", a.seq, b.seq, log.newest_seen()),
        _ => String::new(),
    };
    let place = if shown == 0 {
        "0/0".into()
    } else {
        format!("{}/{shown}", at + 1)
    };
    let mut spans = vec![
        Span::styled(" Events ", t.title()),
        Span::raw(format!("[{scope}] {range}· {place} ")),
    ];
    spans.extend(filter_spans(log.filter_text().trim(), None, t));
    let paging = log.paging();
    let (mode, ok) = if log.following() {
        ("following", true)
    } else if paging.detached() {
        ("history · G newest", false)
    } else {
        ("paused", false)
    };
    spans.push(Span::styled(
        format!("{mode} "),
        if ok { t.ok() } else { t.stuck() },
    ));
    let older = if paging.asking() {
        Some("reading older… ".to_string())
    } else if paging.done() {
        Some("start of trail ".to_string())
    } else {
        paging
            .reached()
            .filter(|r| held.front().is_none_or(|e| *r < e.seq))
            .map(|r| format!("searched to #{r} "))
    };
    if let Some(o) = older.filter(|_| focused || paging.asking()) {
        spans.push(Span::styled(o, t.dim()));
    }
    Line::from(spans)
}

fn draw(f: &mut Frame, area: Rect, app: &App, focused: bool, t: Theme) {
    let shown = app.shown_events();
    let log = app.events();
    let seqs: Vec<i64> = shown.iter().map(|e| e.seq).collect();
    let at = cursor_index(log.cursor(), &seqs);
    let h = lines_shown(area);
    let end = shown.len().saturating_sub(log.view_back());
    let start = end.saturating_sub(h);
    let block = pane_block(title(app, shown.len(), at, focused, t), focused, t);
    let lines: Vec<Line> = shown[start..end]
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let build = app
                .held()
                .row(&e.workflow_id)
                .map_or_else(|| short(&e.workflow_id), |r| r.wf.build_id().into());
            let here = start + i == at;
            let marked = here && (focused || log.cursor().is_some());
            // The cursor is marked by a glyph and reversed, so it shows without colour.
            let line = Line::from(vec![
                Span::raw(if marked { "▸" } else { " " }),
                Span::styled(format!("#{:<6} {} ", e.seq, clock(&e.created_at)), t.dim()),
                Span::styled(format!("{:<20} ", sanitize(&e.event_type)), t.key()),
                Span::raw(format!(
                    "{} by {}  ",
                    sanitize(&build),
                    sanitize(&e.triggered_by)
                )),
                Span::styled(summary(&e.event_data), t.dim()),
            ]);
            if here && focused {
                line.patch_style(t.selected().add_modifier(Modifier::REVERSED))
            } else {
                line
            }
        })
        .collect();
    let empty = shown.is_empty() && !log.filter_text().trim().is_empty();
    let lines = if empty {
        vec![Line::from(Span::styled(
            "  no held event matches the filter: k pages back through the trail",
            t.dim(),
        ))]
    } else {
        lines
    };
    let inner = block.inner(area);
    f.render_widget(block, area);
    let buf = f.buffer_mut();
    for (y, line) in (inner.top()..inner.bottom()).zip(&lines) {
        paint::line(buf, inner.x, y, line, inner.width);
    }
    scroll::bar(f, area, area.y + 1, shown.len(), h, start, t);
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// The event data on one line, cut short: the detail pane shows it in full. Serialises
/// only what is shown, so a 10 MB payload costs no more per frame than a small one.
pub fn summary(v: &serde_json::Value) -> String {
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
