use super::Theme;
use crate::model::Status;
use crate::model::text::sanitize;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame, area: Rect, app: &App, t: Theme) {
    let (session, held) = (app.session(), app.held());
    let mut spans = vec![Span::styled(" baton ", t.badge()), Span::raw(" ")];
    // Flags and problems come first, so that a narrow terminal or a long database URL
    // never pushes them off the edge.
    if session.read_only() {
        spans.push(Span::styled(" RO ", t.badge()));
        spans.push(Span::raw(" "));
    }
    if session.paused() {
        spans.push(Span::styled(" PAUSED ", t.badge()));
        spans.push(Span::raw(" "));
    }
    if let Some(p) = session.problem() {
        spans.push(Span::styled(format!(" {} ", sanitize(p)), t.error()));
        spans.push(Span::raw("  "));
    }
    if let Some(why) = session.polling() {
        spans.push(Span::styled(
            format!("polling: {}", sanitize(why)),
            t.stuck(),
        ));
        spans.push(Span::raw("  "));
    }
    spans.push(Span::raw(sanitize(session.label()).into_owned()));
    spans.push(Span::raw("  "));
    for s in [
        Status::Running,
        Status::Paused,
        Status::Failed,
        Status::Completed,
        Status::Cancelled,
        Status::Unknown,
    ] {
        let n = held
            .counts()
            .iter()
            .find(|(c, _)| *c == s)
            .map_or(0, |(_, n)| *n);
        if n == 0 && matches!(s, Status::Unknown | Status::Paused | Status::Cancelled) {
            continue;
        }
        spans.push(Span::styled(format!("{s} {n}"), t.status(s)));
        spans.push(Span::raw("  "));
    }
    spans.push(Span::styled(
        format!("! stuck {}", held.stuck_count()),
        if held.stuck_count() > 0 {
            t.stuck()
        } else {
            t.dim()
        },
    ));
    spans.push(Span::raw("  "));
    let refreshed = session.last_refresh().map_or_else(
        || "loading…".to_string(),
        |r| format!("↻ {}", r.format("%H:%M:%S")),
    );
    spans.push(Span::styled(refreshed, t.dim()));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
