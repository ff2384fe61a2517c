//! The command palette drawn: a box over the bottom of the screen with the line being typed
//! and the candidates, the selected one marked.

use crate::model::text::sanitize;
use crate::tui::app::App;
use crate::tui::palette::{Palette, candidates};
use crate::tui::view::overlay;
use crate::tui::view::style::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(f: &mut Frame, screen: Rect, app: &App, p: &Palette, t: Theme) {
    let shown = candidates(app, p.field.text());
    let w = screen.width.min(90);
    let h = (shown.len() as u16 + 3).min(screen.height);
    let r = Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + screen.height.saturating_sub(h + 1),
        w,
        h,
    );
    let inner = usize::from(w.saturating_sub(2));
    let mut input = vec![Span::styled(":", t.key())];
    input.extend(overlay::field(&p.field, inner.saturating_sub(1), t));
    let mut lines = vec![Line::from(input)];
    let word_w = shown
        .iter()
        .map(|c| c.word.chars().count())
        .max()
        .unwrap_or(0)
        .min(30);
    for (i, c) in shown.iter().enumerate() {
        let word = sanitize(&c.word);
        let text = format!(
            "{}{word:<word_w$}  {}",
            if i == p.selected { "▶" } else { " " },
            c.about
        );
        let text: String = text.chars().take(inner).collect();
        let style = if i == p.selected {
            t.selected()
        } else {
            t.dim()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    if shown.is_empty() {
        lines.push(Line::from(Span::styled(
            " no view or command: Enter goes to the workflow with this id or build id",
            t.dim(),
        )));
    }
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(" Command ", t.title()))
        .title_bottom(Span::styled(
            " Tab complete · ↑/↓ choose · Enter run · Esc close ",
            t.dim(),
        ));
    f.render_widget(Paragraph::new(lines).block(block), r);
}
