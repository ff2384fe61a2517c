//! An event opened in full: its fields and data (made inert when it was opened), the lines
//! in view, where they are of all, and the keys it answers to.

use super::Theme;
use super::scroll;
use crate::tui::event_view::{self, EventView, HINT};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(f: &mut Frame, screen: Rect, v: &EventView, t: Theme) {
    let r = event_view::area(screen);
    let rows = event_view::rows(screen);
    let all = v.lines();
    let top = v.top().min(all.len().saturating_sub(rows));
    let mut lines: Vec<Line> = all
        .iter()
        .skip(top)
        .take(rows)
        .enumerate()
        .map(|(i, l)| {
            // The field names, as the detail pane marks its headings.
            if top + i < 6 || l == "data" {
                let (k, rest) = l.split_at(l.find(' ').unwrap_or(l.len()));
                Line::from(vec![
                    Span::styled(k.to_string(), t.title()),
                    Span::raw(rest.to_string()),
                ])
            } else {
                Line::from(l.clone())
            }
        })
        .collect();
    lines.resize(rows, Line::default());
    lines.push(Line::from(Span::styled(HINT, t.dim())));
    let place = if all.len() > rows {
        format!(
            " {}–{}/{} ",
            top + 1,
            (top + rows).min(all.len()),
            all.len()
        )
    } else {
        " ".into()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(format!(" Event #{} ", v.seq()), t.title()))
        .title_bottom(Line::from(Span::styled(place, t.dim())));
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(lines).block(block), r);
    scroll::bar(f, r, r.y + 1, all.len(), rows, top, t);
}
