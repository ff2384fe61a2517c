//! A pane's cells as last drawn, kept to be copied into the next frame when what it shows
//! has not changed. ratatui draws every frame from nothing; while a writer keeps the
//! dashboard redrawing sixty times a second, the detail pane wrapped and laid out the same
//! text each time (a fifth of the render thread). The pane names what it shows by a key,
//! a hash of everything its cells depend on; the same key at the same place gives the same
//! cells.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::cell::RefCell;

#[derive(Debug, Default, Clone)]
pub struct Drawn(RefCell<Option<(u64, Buffer)>>);

impl Drawn {
    /// Fills `area` of the frame: with the cells kept for `key` if they were drawn at this
    /// same `area`, else by `draw` (which must draw only inside `area`), keeping them.
    pub fn draw(&self, f: &mut Frame, area: Rect, key: u64, draw: impl FnOnce(&mut Frame)) {
        let area = area.intersection(f.area());
        let mut kept = self.0.borrow_mut();
        if let Some((k, cells)) = kept.as_ref()
            && *k == key
            && cells.area == area
        {
            copy(cells, f.buffer_mut(), area);
            return;
        }
        draw(f);
        let mut cells = Buffer::empty(area);
        copy(f.buffer_mut(), &mut cells, area);
        *kept = Some((key, cells));
    }
}

/// Copies `area`'s cells from one buffer to another, a row at a time.
fn copy(from: &Buffer, to: &mut Buffer, area: Rect) {
    let w = usize::from(area.width);
    for y in area.top()..area.bottom() {
        let src = from.index_of(area.x, y);
        let dst = to.index_of(area.x, y);
        to.content[dst..dst + w].clone_from_slice(&from.content[src..src + w]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::{Color, Style};
    use ratatui::widgets::Paragraph;

    fn frame(drawn: &Drawn, key: u64, text: &str, draws: &mut usize) -> Buffer {
        let mut t = Terminal::new(TestBackend::new(12, 3)).expect("backend");
        let area = Rect::new(2, 1, 8, 1);
        t.draw(|f| {
            f.render_widget(Paragraph::new("outside"), Rect::new(0, 0, 12, 1));
            drawn.draw(f, area, key, |f| {
                *draws += 1;
                f.render_widget(
                    Paragraph::new(text).style(Style::new().fg(Color::Red)),
                    area,
                );
            });
        })
        .expect("draw");
        t.backend().buffer().clone()
    }

    #[test]
    fn the_same_key_gives_the_same_cells_without_drawing_and_another_draws() {
        let drawn = Drawn::default();
        let mut draws = 0;
        let first = frame(&drawn, 1, "detail", &mut draws);
        // What the key stands for is the caller's promise: a stale text proves the copy.
        let again = frame(&drawn, 1, "changed", &mut draws);
        assert_eq!(draws, 1, "the second frame copied");
        assert_eq!(
            again, first,
            "cells and styles, and nothing outside the area"
        );
        let other = frame(&drawn, 2, "changed", &mut draws);
        assert_eq!(draws, 2);
        assert_eq!(other[(2, 1)].symbol(), "c");
        assert_eq!(other[(2, 1)].fg, Color::Red);
    }
}
