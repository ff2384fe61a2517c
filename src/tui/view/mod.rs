//! `view`: draws the whole screen from the state, nothing else: the header, each
//! registered pane where the layout puts it, the footer, and any overlay. Every string
//! that came from the database passes through `model::text::sanitize` before it is drawn.

pub mod columns;
pub mod cut;
mod header;
mod overlay;
pub mod scroll;
pub mod style;

use super::app::{App, Level, Overlay};
use super::filter;
use super::keys;
use super::layout;
use super::pane::{self, PANES};
use crate::model::text::sanitize;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
pub use style::{Theme, progress_bar};

/// Below this the panes cannot be told apart; a one-line notice is drawn instead.
const MIN_WIDTH: u16 = 30;
const MIN_HEIGHT: u16 = 8;

pub fn draw(f: &mut Frame, app: &App) {
    let size = f.area();
    let theme = Theme {
        color: app.session().color(),
        light: app.session().light(),
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
    if let Some(field) = app.overlays().prompt() {
        let mut spans = vec![Span::styled("/", theme.key())];
        spans.extend(overlay::field(field, usize::from(area.width) / 2, theme));
        spans.push(match app.table().filter_error() {
            Some(e) => Span::styled(format!("  {}", sanitize(e)), theme.error()),
            None => Span::styled(
                format!("  Enter keep · Esc clear · keys: {}", filter::KEYS),
                theme.dim(),
            ),
        });
        return message(f, area, Line::from(spans));
    }
    if let Some((level, msg)) = app.session().flash() {
        let style = if *level == Level::Error {
            theme.error()
        } else {
            theme.ok()
        };
        let line = Line::from(Span::styled(sanitize(msg).into_owned(), style));
        return message(f, area, line);
    }
    let mut spans = Vec::new();
    for b in keys::footer(pane::focused(app).id(), app.session().read_only()) {
        spans.push(Span::styled(b.label, theme.key()));
        spans.push(Span::raw(format!(" {}  ", b.footer.unwrap_or_default())));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A message longer than the footer grows upwards over the panes (until the next key
/// clears it), so the fix at its end is read whole rather than cut off at the edge.
fn message(f: &mut Frame, footer: Rect, line: Line<'_>) {
    let p = Paragraph::new(line).wrap(Wrap { trim: true });
    let rows = u16::try_from(p.line_count(footer.width))
        .unwrap_or(u16::MAX)
        .clamp(1, footer.y.saturating_sub(1) + 1);
    let area = Rect {
        y: footer.bottom() - rows,
        height: rows,
        ..footer
    };
    f.render_widget(Clear, area);
    f.render_widget(p, area);
}
