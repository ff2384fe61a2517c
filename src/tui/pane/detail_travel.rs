//! The detail pane's keys for the past — `[` and `]` step through the selected workflow's
//! events, `d` opens the diff of its phase outputs — and the lines it shows while
//! travelling: a banner "as of #SEQ · time", the workflow's fields then (or why one is
//! unknown), the handoffs that existed then, its outputs then and the events up to then.

use crate::engine::replay::Known;
use crate::model::text::sanitize;
use crate::model::{HandoffKind, time};
use crate::tui::app::{App, Level, Step};
use crate::tui::keys::binding::{Binding, Does};
use crate::tui::msg::Cmd;
use crate::tui::travel::{Frame, TravelTo};
use crate::tui::view::style::{Theme, clock};
use crossterm::event::KeyCode::Char;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

pub const KEYS: &[Binding] = &[
    Binding {
        name: "travel back",
        keys: &[Char('[')],
        label: "[ ]",
        footer: Some("travel"),
        help: "step back through its events: as it was then, read-only",
        does: Does::Run(back),
    },
    Binding {
        name: "travel forward",
        keys: &[Char(']')],
        label: "",
        footer: None,
        help: "step forward; past the newest, back to live (or Esc)",
        does: Does::Run(forward),
    },
    Binding {
        name: "diff",
        keys: &[Char('d')],
        label: "d",
        footer: Some("diff"),
        help: "diff the outputs: previous attempt of the phase vs now",
        does: Does::Run(diff),
    },
];

fn selected(app: &mut App) -> Option<String> {
    let id = app.selected_id().map(str::to_string);
    if id.is_none() {
        app.session_mut().say(Level::Error, "no workflow selected");
    }
    id
}

fn back(app: &mut App) -> Vec<Cmd> {
    let Some(id) = selected(app) else {
        return Vec::new();
    };
    if !app.travel().active() {
        app.travel_mut().start(id.clone());
        return vec![Cmd::Travel {
            workflow_id: id,
            to: TravelTo::BackFromNow,
        }];
    }
    match app.travel().step(false) {
        Step::To(seq) => {
            app.travel_mut().want(seq);
            vec![Cmd::Travel {
                workflow_id: id,
                to: TravelTo::Seq(seq),
            }]
        }
        Step::AtFirst => {
            app.session_mut()
                .say(Level::Info, "this is the workflow's first event");
            Vec::new()
        }
        Step::Live | Step::Waiting => Vec::new(),
    }
}

fn forward(app: &mut App) -> Vec<Cmd> {
    let Some(id) = selected(app) else {
        return Vec::new();
    };
    if !app.travel().active() {
        app.session_mut()
            .say(Level::Info, "live already: [ steps back through its events");
        return Vec::new();
    }
    match app.travel().step(true) {
        Step::To(seq) => {
            app.travel_mut().want(seq);
            vec![Cmd::Travel {
                workflow_id: id,
                to: TravelTo::Seq(seq),
            }]
        }
        Step::Live => {
            app.travel_mut().end();
            app.session_mut().say(Level::Info, "back to live");
            Vec::new()
        }
        Step::AtFirst | Step::Waiting => Vec::new(),
    }
}

fn diff(app: &mut App) -> Vec<Cmd> {
    let Some(id) = selected(app) else {
        return Vec::new();
    };
    let to = app.travel().frame_of(&id).map(|f| f.seq);
    vec![Cmd::Diff {
        workflow_id: id,
        to,
    }]
}

fn s(text: &str) -> String {
    sanitize(text).into_owned()
}

fn shown<T>(k: &Known<T>, f: impl Fn(&T) -> String) -> String {
    match k {
        Known::Known(v) => f(v),
        Known::Unknown(why) => format!("unknown ({})", s(why)),
    }
}

/// The banner, on the pane's first line and in its title: where in the past this is.
pub fn banner(f: &Frame) -> String {
    format!("as of #{} · {}", f.seq, clock(&f.at))
}

/// The pane's lines while travelling: `frame` when it has arrived.
pub fn lines(frame: Option<&Frame>, t: Theme) -> Vec<Line<'static>> {
    let mark = t.stuck().add_modifier(Modifier::BOLD);
    let Some(f) = frame else {
        return vec![Line::from(Span::styled(
            "◀ reading the workflow's past…",
            mark,
        ))];
    };
    let at = f.seqs.iter().position(|q| *q == f.seq).map_or(0, |i| i + 1);
    let st = &f.state;
    let mut out = vec![
        Line::from(vec![
            Span::styled(format!("◀ {}", banner(f)), mark),
            Span::styled(
                format!(
                    "  event {at} of {} · {} by {} · read-only · [ ] step · Esc live",
                    f.seqs.len(),
                    s(&f.event_type),
                    s(&f.triggered_by)
                ),
                t.dim(),
            ),
        ]),
        Line::from(vec![
            Span::styled(shown(&st.phase, |p| s(p)), t.title()),
            Span::raw(format!(" ({})", shown(&st.role, |r| s(r)))),
        ]),
        Line::from(format!(
            "status {}  v{}  retries {}",
            shown(&st.status, |v| v.to_string()),
            shown(&st.version, i64::to_string),
            shown(&st.retry_count, i64::to_string),
        )),
    ];
    match &st.last_error {
        Known::Known(None) => {}
        Known::Known(Some(e)) => out.push(Line::from(Span::styled(
            format!("✗ error: {}", s(e)),
            t.failed(),
        ))),
        Known::Unknown(why) => out.push(Line::from(format!("error: unknown ({})", s(why)))),
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        format!("Handoffs then ({})", f.handoffs.len()),
        t.title(),
    )));
    for h in &f.handoffs {
        let glyph = match h.kind {
            HandoffKind::Advance => "→",
            HandoffKind::Retry => "↻",
            HandoffKind::Rollback => "↩",
            HandoffKind::Unknown => "?",
        };
        let ack = match &h.acknowledged_by {
            Some(by) => Span::styled(format!("ack by {}", s(by)), t.dim()),
            None if h.acknowledged_at.is_some() => Span::styled("ack", t.dim()),
            None => {
                let waited = time::parse(&f.at)
                    .and_then(|now| time::secs_since(&h.created_at, now))
                    .map_or("?".into(), time::human_duration);
                Span::styled(format!("unacknowledged {waited}"), t.stuck())
            }
        };
        out.push(Line::from(vec![
            Span::raw(format!(
                "  {} {glyph} {} {} → {} ",
                clock(&h.created_at),
                h.kind.as_str(),
                s(h.from_state.as_deref().unwrap_or("-")),
                s(&h.to_state)
            )),
            ack,
        ]));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("Phase outputs then", t.title())));
    out.extend(f.outputs_text.lines().map(|l| Line::from(format!("  {l}"))));
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        format!("Events up to #{}", f.seq),
        t.title(),
    )));
    out.extend(f.events.iter().rev().map(super::detail::event_line));
    out
}
