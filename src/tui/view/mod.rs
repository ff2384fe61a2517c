//! `view`: draws the whole screen from the state, nothing else: the header, each
//! registered pane where the layout puts it, the footer, and any overlay. Every string
//! that came from the database passes through `model::text::sanitize` before it is drawn.

pub mod columns;
pub mod cut;
mod event_overlay;
pub mod grid;
mod header;
mod overlay;
pub mod paint;
mod palette;
pub mod scroll;
pub mod stuck;
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
    let theme = Theme::of(app);
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
        Some(Overlay::Event(v)) => event_overlay::draw(f, size, v, theme),
        Some(Overlay::Diff(v) | Overlay::Metrics(v)) => overlay::diff(f, size, v, theme),
        Some(Overlay::Palette(p)) => palette::draw(f, size, app, p, theme),
        None => {}
    }
}

fn footer(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    if let Some(field) = app.overlays().prompt() {
        let mut spans = vec![Span::styled("/", theme.key())];
        spans.extend(overlay::field(field, usize::from(area.width) / 2, theme));
        let (problem, keys) = if app.overlays().prompt_is_events() {
            (app.events().filter().problem(), super::event_filter::KEYS)
        } else {
            (app.table().filter_error().map(str::to_string), filter::KEYS)
        };
        spans.push(match problem {
            Some(e) => Span::styled(format!("  {}", sanitize(&e)), theme.error()),
            None => Span::styled(
                format!("  Enter keep · Esc clear · keys: {keys}"),
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
    let entries = keys::footer(pane::focused(app).id(), app.session().read_only());
    let line = footer_line(
        entries
            .iter()
            .map(|b| (b.label, b.footer.unwrap_or_default()))
            .collect(),
        usize::from(area.width),
        theme,
    );
    f.render_widget(Paragraph::new(line), area);
}

/// The footer's keys, whole entries only: when they do not all fit, the last that fit is
/// followed by `…` (`?` comes first and shows them all), never a word cut mid-way.
fn footer_line<'a>(entries: Vec<(&'a str, &'a str)>, width: usize, theme: Theme) -> Line<'a> {
    let mut spans = Vec::new();
    let mut used = 0;
    let n = entries.len();
    for (i, (label, word)) in entries.into_iter().enumerate() {
        let key = Span::styled(label, theme.key());
        let text = Span::raw(format!(" {word}"));
        let shown = key.width() + text.width();
        // Room for this entry, and for the mark if more entries follow.
        let need = used + shown + usize::from(i + 1 < n);
        if need > width {
            spans.push(Span::styled("…", theme.dim()));
            break;
        }
        spans.extend([key, text, Span::raw("  ")]);
        used += shown + 2;
    }
    Line::from(spans)
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

#[cfg(test)]
mod footer_tests {
    use super::*;

    fn text(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_footer_too_wide_ends_with_a_mark_after_whole_entries() {
        let t = Theme {
            color: false,
            light: false,
        };
        let entries = || {
            vec![
                ("?", "help"),
                ("j/k", "move"),
                ("a", "advance"),
                ("q", "quit"),
            ]
        };
        let all = text(&footer_line(entries(), 80, t));
        assert_eq!(all.trim_end(), "? help  j/k move  a advance  q quit");
        let cut = text(&footer_line(entries(), 24, t));
        assert_eq!(cut, "? help  j/k move  …", "never `a advan`");
        assert!(cut.chars().count() <= 24);
    }
}
