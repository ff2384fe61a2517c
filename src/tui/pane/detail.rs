//! The detail pane: the selected workflow's phase progress, why it is stuck, the handoff
//! timeline, and its phase outputs and newest handoff payload as pretty JSON. Scrolls as
//! one text.

use super::{Pane, PaneId, Place, Scroll, detail_travel};
use crate::engine::stuck::Stuck;
use crate::model::text::sanitize;
use crate::model::{Handoff, HandoffKind, Status, Workflow, time};
use crate::tui::app::{App, Row};
use crate::tui::keys::binding::Binding;
use crate::tui::msg::Detail;
use crate::tui::view::style::{Theme, clock, pane_block, progress_bar};
use crate::tui::view::{scroll, stuck};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::hash::BuildHasher;

pub const ID: PaneId = PaneId("detail");

pub struct DetailPane;

impl Pane for DetailPane {
    fn id(&self) -> PaneId {
        ID
    }
    fn place(&self) -> Place {
        Place::Side
    }
    fn bindings(&self) -> &'static [Binding] {
        detail_travel::KEYS
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, focused: bool, t: Theme) {
        draw(f, area, app, focused, t);
    }
    fn scroll(&self, app: &mut App, s: Scroll) {
        let d = app.detail_mut();
        match s {
            Scroll::By(delta) => d.scroll_by(delta),
            Scroll::Top => d.scroll_to_top(),
            Scroll::Bottom => d.scroll_to_bottom(),
        }
    }
    /// Clamps the scroll to the text as it wraps in `area` now, so that after `G` the
    /// first `k` moves up, and `j` at the bottom stores nothing to undo.
    fn settle(&self, app: &mut App, area: Rect) {
        // At the top there is nothing to clamp: spare building and wrapping the text
        // (this runs after every update, and most of them bring changes, not keys).
        if area.area() == 0 || app.detail().scroll() == 0 {
            return;
        }
        // In the theme it is drawn in, so that the count kept for drawing serves here too.
        let (total, shown) = measure(app, area, Theme::of(app));
        let max = u16::try_from(total.saturating_sub(shown)).unwrap_or(u16::MAX);
        app.detail_mut().clamp(max);
    }
}

/// The content, wrapped to the pane's inner width, as one paragraph, with the number of
/// lines it takes at `width` and a hash of its lines.
fn content(app: &App, t: Theme, width: u16) -> (Paragraph<'_>, usize, u64) {
    let travelling = app.travel().active();
    let lines = match (app.detail().pinned(), app.selected_row()) {
        (Some(id), _) => pinned(app, id, t),
        (None, None) => vec![Line::from(Span::styled("select a workflow", t.dim()))],
        (None, Some(r)) if travelling => detail_travel::lines(app.travel().frame_of(r.id()), t),
        (None, Some(r)) => lines(app, r, app.detail().of(r.id()), t),
    };
    let key = hash(&lines);
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = app
        .detail()
        .wrapped_lines(key, width, || text.line_count(width));
    (text, total, key)
}

/// (lines of content as wrapped in `area`, lines the pane shows).
fn measure(app: &App, area: Rect, t: Theme) -> (usize, usize) {
    let (_, total, _) = content(app, t, area.width.saturating_sub(2));
    (total, shown(area))
}

fn shown(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(2))
}

/// A workflow reached from the event log that the table does not hold: its history as
/// read, under a banner saying so, rendered as a selected one is.
fn pinned<'a>(app: &'a App, id: &str, t: Theme) -> Vec<Line<'a>> {
    let banner = Line::from(Span::styled(
        "◆ from the event log; not in the table (finished, not held) · Esc returns",
        t.stuck(),
    ));
    let Some(d) = app.detail().pinned_detail() else {
        let reading = format!("reading workflow {}…", s(id));
        return vec![banner, Line::from(Span::styled(reading, t.dim()))];
    };
    let row = Row::new(d.workflow.clone());
    let mut out = vec![banner];
    out.extend(lines(app, &row, Some(d), t));
    out
}

fn draw(f: &mut Frame, area: Rect, app: &App, focused: bool, t: Theme) {
    let pinned = app.detail().pinned_detail().map(|d| &d.workflow);
    let mut title = vec![Span::styled(
        match (pinned, app.selected_row()) {
            (Some(w), _) => format!(" Detail: {} (from the event log) ", sanitize(&w.build_id)),
            (None, Some(r)) => match app.travel().frame_of(r.id()) {
                Some(fr) => format!(
                    " Detail: {} {} ",
                    sanitize(r.wf.build_id()),
                    detail_travel::banner(fr)
                ),
                None => format!(" Detail: {} ", sanitize(r.wf.build_id())),
            },
            (None, None) => " Detail ".into(),
        },
        t.title(),
    )];
    // Built once, counted only when it changed: measuring, then rendering a second copy,
    // was half the pane's cost per frame.
    let (text, total, lines) = content(app, t, area.width.saturating_sub(2));
    let shown = shown(area);
    let top = usize::from(app.detail().scroll()).min(total.saturating_sub(shown));
    if total > shown {
        // Where the operator is: the lines on screen of all of them.
        let last = (top + shown).min(total);
        title.push(Span::raw(format!("{}–{last}/{total} ", top + 1)));
    }
    let title = Line::from(title);
    // Everything the pane's cells depend on; the area is checked by `Drawn` itself.
    let key = hash(&(lines, &title, top, focused, t.color, t.light));
    app.detail().drawn().draw(f, area, key, |f| {
        let block = pane_block(title, focused, t);
        let scroll = u16::try_from(top).unwrap_or(u16::MAX);
        f.render_widget(text.block(block).scroll((scroll, 0)), area);
        scroll::bar(f, area, area.y + 1, total, shown, top, t);
    });
}

fn hash(what: &impl std::hash::Hash) -> u64 {
    BuildHasher::hash_one(&foldhash::fast::FixedState::with_seed(0), what)
}

fn s(text: &str) -> String {
    sanitize(text).into_owned()
}

/// One event as the detail lists it, live or travelling: `#seq time type by actor`.
pub(super) fn event_line(e: &crate::model::Event) -> Line<'static> {
    Line::from(format!(
        "  #{} {} {} by {}",
        e.seq,
        clock(&e.created_at),
        s(&e.event_type),
        s(&e.triggered_by)
    ))
}

fn lines<'a>(app: &App, r: &Row, detail: Option<&'a Detail>, t: Theme) -> Vec<Line<'a>> {
    let w = &r.unpack();
    let (done, total) = app.progress(w);
    let status = if w.status == Status::Unknown {
        s(&w.status_raw)
    } else {
        w.status.to_string()
    };
    let mut out = vec![
        Line::from(vec![
            Span::styled(status, t.status(w.status)),
            Span::raw(format!(
                "  def {}  project {}  v{}  id {}",
                s(&w.definition),
                s(&w.project_id),
                w.version,
                s(w.short_id())
            )),
        ]),
        Line::from(vec![
            Span::raw(format!("{} ", progress_bar(done, total, 12))),
            Span::styled(s(&w.current_state), t.title()),
            Span::raw(format!(
                " ({}) for {}",
                s(&w.current_role),
                app.in_phase(w).map_or("?".into(), time::human_duration)
            )),
        ]),
    ];
    if let Some(def) = app.definition_of(w) {
        let cur = def.phase_index(&w.current_state);
        let spans: Vec<Span> = def
            .phases
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                let (mark, style) = match cur {
                    _ if w.status == Status::Completed => ("✓", t.ok()),
                    Some(c) if i < c => ("✓", t.ok()),
                    Some(c) if i == c => ("▶", t.selected()),
                    _ => ("·", t.dim()),
                };
                [
                    Span::styled(format!("{mark}{}", s(&p.name)), style),
                    Span::raw(" "),
                ]
            })
            .collect();
        out.push(Line::from(spans));
    }
    if let Some(st) = &app.held().stuck_of(r) {
        out.extend(stuck_lines(st, t));
        out.push(stuck::remedies(app, r, st, t));
    }
    if let Some(e) = &w.last_error {
        out.push(Line::from(Span::styled(
            format!("✗ error: {}", s(e)),
            t.failed(),
        )));
    }
    out.push(Line::from(format!(
        "retries {} of {}",
        w.retry_count, w.max_retries
    )));
    let Some(d) = detail else {
        out.push(Line::from(Span::styled("loading history…", t.dim())));
        return out;
    };
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        format!("Handoffs ({})", d.handoffs.len()),
        t.title(),
    )));
    if d.handoffs.is_empty() {
        out.push(Line::from(Span::styled(
            "  none yet: the workflow is in its first phase",
            t.dim(),
        )));
    }
    for (i, h) in d.handoffs.iter().enumerate() {
        out.extend(handoff_lines(app, w, h, d.handoffs.get(i + 1), t));
    }
    out.extend(stuck::past(app, r, d, t));
    out.push(Line::default());
    out.push(Line::from(Span::styled("Phase outputs", t.title())));
    out.extend(d.outputs_text.lines().map(|l| Line::from(format!("  {l}"))));
    if !d.payload_text.is_empty() {
        out.push(Line::default());
        out.push(Line::from(Span::styled(
            "Newest handoff payload",
            t.title(),
        )));
        out.extend(d.payload_text.lines().map(|l| Line::from(format!("  {l}"))));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        format!("Recent events ({})", d.events.len()),
        t.title(),
    )));
    out.extend(d.events.iter().rev().take(20).map(event_line));
    out
}

/// Why it is stuck, with both moments: when the limit was crossed (when it became stuck)
/// and when the wait began.
fn stuck_lines<'a>(st: &Stuck, t: Theme) -> Vec<Line<'a>> {
    let (Stuck::UnacknowledgedHandoff { limit_secs, .. } | Stuck::NoHeartbeat { limit_secs, .. }) =
        st;
    let crossed = time::parse(st.since())
        .and_then(|t| t.checked_add_signed(chrono::Duration::try_seconds(*limit_secs)?))
        .map_or_else(|| "?".into(), |t| t.format("%H:%M:%S").to_string());
    vec![
        Line::from(Span::styled(
            format!(
                "! STUCK since {crossed} (limit {} passed), waiting since {}",
                time::human_duration(*limit_secs),
                clock(st.since())
            ),
            t.stuck(),
        )),
        Line::from(Span::styled(format!("  {}", s(&st.describe())), t.stuck())),
    ]
}

/// One handoff: when, kind, from → to, how long the receiving role held the work, and
/// whether it was acknowledged (or how long it has been waiting).
fn handoff_lines<'a>(
    app: &App,
    w: &Workflow,
    h: &Handoff,
    next: Option<&Handoff>,
    t: Theme,
) -> Vec<Line<'a>> {
    let (glyph, style) = match h.kind {
        HandoffKind::Advance => ("→", t.ok()),
        HandoffKind::Retry => ("↻", t.stuck()),
        HandoffKind::Rollback => ("↩", t.failed()),
        HandoffKind::Unknown => ("?", t.stuck()),
    };
    let until = next
        .and_then(|n| time::parse(&n.created_at))
        .unwrap_or_else(|| app.clock_end(w));
    let held = time::parse(&h.created_at).map_or("?".into(), |c| {
        time::human_duration((until - c).num_seconds())
    });
    let ack = match (&h.acknowledged_at, &h.acknowledged_by) {
        (Some(at), by) => {
            let after = time::parse(at)
                .zip(time::parse(&h.created_at))
                .map_or("?".into(), |(a, c)| {
                    time::human_duration((a - c).num_seconds())
                });
            Span::styled(
                format!("ack {after} by {}", s(by.as_deref().unwrap_or("?"))),
                t.dim(),
            )
        }
        (None, _) => {
            let waited =
                time::secs_since(&h.created_at, app.now()).map_or("?".into(), time::human_duration);
            Span::styled(format!("UNACKNOWLEDGED {waited}"), t.stuck())
        }
    };
    // Two lines per handoff: what moved, then who held it and how it was received.
    vec![
        Line::from(vec![
            Span::raw(format!("  {} ", clock(&h.created_at))),
            Span::styled(format!("{glyph} {}", h.kind.as_str()), style),
            Span::raw(format!(
                "  {} → {}",
                s(h.from_state.as_deref().unwrap_or("-")),
                s(&h.to_state)
            )),
        ]),
        Line::from(vec![
            Span::styled(
                format!(
                    "           {} → {} · held {held} · ",
                    s(h.from_role.as_deref().unwrap_or("-")),
                    s(&h.to_role)
                ),
                t.dim(),
            ),
            ack,
        ]),
    ]
}
