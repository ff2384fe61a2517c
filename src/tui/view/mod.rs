//! `view`: draws the whole screen from the state, nothing else: the header, each
//! registered pane where the layout puts it, the footer, and any overlay. Every string
//! that came from the database passes through `model::text::sanitize` before it is drawn.

mod header;
mod overlay;
pub mod style;

use super::app::{App, Level, Overlay};
use super::keys;
use super::layout;
use super::pane::{self, PANES};
use crate::model::text::sanitize;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
pub use style::{Theme, progress_bar};

/// Below this the panes cannot be told apart; a one-line notice is drawn instead.
const MIN_WIDTH: u16 = 30;
const MIN_HEIGHT: u16 = 8;

pub fn draw(f: &mut Frame, app: &App) {
    let size = f.area();
    let theme = Theme {
        color: app.session().color(),
    };
    if size.width < MIN_WIDTH || size.height < MIN_HEIGHT {
        let msg = format!(
            "too small: {}×{}, baton needs {MIN_WIDTH}×{MIN_HEIGHT}",
            size.width, size.height
        );
        f.render_widget(Paragraph::new(msg), size);
        return;
    }
    let focus = pane::focused(app).id();
    let areas = layout::areas(size, app.screen().zoomed().then_some(focus));
    header::draw(f, areas.header, app, theme);
    for p in PANES {
        let area = areas.of(p.id());
        if area.area() > 0 {
            p.draw(f, area, app, p.id() == focus, theme);
        }
    }
    footer(f, areas.footer, app, theme);
    match app.overlays().shown() {
        Some(Overlay::Help(at)) => overlay::help(f, size, app, *at, theme),
        Some(Overlay::Confirm(c)) => overlay::confirm(f, size, c, theme),
        Some(Overlay::Copy(m)) => overlay::copy_menu(f, size, m, theme),
        None => {}
    }
}

fn footer(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let line = if let Some(field) = app.overlays().prompt() {
        let mut spans = vec![Span::styled("/", theme.key())];
        spans.extend(overlay::field(field, usize::from(area.width) / 2, theme));
        spans.push(Span::styled(
            "  Enter keep · Esc clear · tokens: status: phase: role: project: stuck",
            theme.dim(),
        ));
        Line::from(spans)
    } else if let Some((level, msg)) = app.session().flash() {
        let style = if *level == Level::Error {
            theme.error()
        } else {
            theme.ok()
        };
        Line::from(Span::styled(sanitize(msg).into_owned(), style))
    } else {
        let mut spans = Vec::new();
        for b in keys::footer(pane::focused(app).id(), app.session().read_only()) {
            spans.push(Span::styled(b.label, theme.key()));
            spans.push(Span::raw(format!(" {}  ", b.footer.unwrap_or_default())));
        }
        Line::from(spans)
    };
    f.render_widget(Paragraph::new(line), area);
}
