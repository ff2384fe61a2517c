//! `view`: draws the whole screen from the state, nothing else. Every string that came
//! from the database passes through `model::text::sanitize` before it is drawn.

mod detail;
mod events;
mod header;
mod overlay;
mod style;
mod table;

use super::app::{App, Overlay, Pane};
use super::layout;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
pub use style::{Theme, progress_bar};

/// Below this the panes cannot be told apart; a one-line notice is drawn instead.
const MIN_WIDTH: u16 = 30;
const MIN_HEIGHT: u16 = 8;

pub fn draw(f: &mut Frame, app: &App) {
    let size = f.area();
    let theme = Theme { color: app.color };
    if size.width < MIN_WIDTH || size.height < MIN_HEIGHT {
        let msg = format!(
            "too small: {}×{}, baton needs {MIN_WIDTH}×{MIN_HEIGHT}",
            size.width, size.height
        );
        f.render_widget(Paragraph::new(msg), size);
        return;
    }
    let areas = layout::areas(size, app.zoomed.then_some(app.focus));
    header::draw(f, areas.header, app, theme);
    for pane in [Pane::Workflows, Pane::Detail, Pane::Events] {
        let area = areas.of(pane);
        if area.area() == 0 {
            continue;
        }
        match pane {
            Pane::Workflows => table::draw(f, area, app, theme),
            Pane::Detail => detail::draw(f, area, app, theme),
            Pane::Events => events::draw(f, area, app, theme),
        }
    }
    footer(f, areas.footer, app, theme);
    match &app.overlay {
        Some(Overlay::Help) => overlay::help(f, size, app, theme),
        Some(Overlay::Confirm(c)) => overlay::confirm(f, size, c, theme),
        None => {}
    }
}

/// A bordered block for a pane, highlighted when focused.
fn pane_block(title: Line<'_>, focused: bool, theme: Theme) -> Block<'_> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(title)
}

fn footer(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    use super::app::Level;
    use super::keymap;
    let line = if app.filter_editing {
        Line::from(vec![
            Span::styled("/", theme.key()),
            Span::raw(crate::model::text::sanitize(&app.filter_text).into_owned()),
            Span::styled("█", theme.key()),
            Span::styled(
                "  Enter keep · Esc clear · tokens: status: phase: role: project: stuck",
                theme.dim(),
            ),
        ])
    } else if let Some((level, msg)) = &app.flash {
        let style = if *level == Level::Error {
            theme.error()
        } else {
            theme.ok()
        };
        Line::from(Span::styled(
            crate::model::text::sanitize(msg).into_owned(),
            style,
        ))
    } else {
        let mut spans = Vec::new();
        let mut shown: Vec<_> = keymap::footer(app.focus, app.read_only)
            .filter(|b| !b.label.is_empty())
            .collect();
        // `?` first: a narrow terminal cuts the footer at the right, and help must survive.
        shown.sort_by_key(|b| b.action != keymap::KeyAction::Help);
        for b in shown {
            let label = b.label;
            spans.push(Span::styled(label, theme.key()));
            spans.push(Span::raw(format!(" {}  ", short_help(b.action))));
        }
        Line::from(spans)
    };
    f.render_widget(Paragraph::new(line), area);
}

fn short_help(a: super::keymap::KeyAction) -> &'static str {
    use super::keymap::KeyAction::*;
    match a {
        Down => "move",
        NextPane => "pane",
        Zoom => "zoom",
        Filter => "filter",
        Sort => "sort",
        View(_) => "views",
        Advance => "advance",
        Retry => "retry",
        Rollback => "rollback",
        Follow => "follow",
        EventsScope => "scope",
        Help => "help",
        Quit => "quit",
        _ => "",
    }
}
