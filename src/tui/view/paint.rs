//! Text written straight into the frame's buffer, for the panes redrawn on every frame (the
//! table, the event log). ratatui's widgets split every string into grapheme clusters, a
//! table search per character, and build a `Text` of styled cells per table cell; at
//! 200×60 with a writer going that walk and its allocations were a third of a frame. Text
//! that is all ASCII is one cell a byte and is written so; anything else is placed
//! grapheme by grapheme exactly as `Paragraph` places it, so the cells are the same either
//! way.

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::Position;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Writes `text` at (`x`, `y`) in `style` (patched over what the cells have), at most
/// `width` cells and never past the buffer's right edge; control characters take no cell.
/// Returns the column after the last cell written.
pub fn text(buf: &mut Buffer, x: u16, y: u16, text: &str, width: u16, style: Style) -> u16 {
    let right = x.saturating_add(width).min(buf.area.right());
    if y < buf.area.top() || y >= buf.area.bottom() || x >= right {
        return x;
    }
    if text.is_ascii() {
        let mut x = x;
        for b in text.bytes() {
            if x >= right {
                break;
            }
            if b.is_ascii_control() {
                continue;
            }
            buf[(x, y)].set_char(char::from(b)).set_style(style);
            x += 1;
        }
        return x;
    }
    graphemes(buf, x, y, text, right, style)
}

/// As `Paragraph` renders a grapheme: zero-width ones (controls) take no cell, a wide one
/// that would cross `right` ends the line.
fn graphemes(buf: &mut Buffer, mut x: u16, y: u16, text: &str, right: u16, style: Style) -> u16 {
    for g in Span::raw(text).styled_graphemes(style) {
        let w = g.symbol.cell_width();
        if w == 0 {
            continue;
        }
        if x.saturating_add(w) > right {
            break;
        }
        buf[Position::new(x, y)]
            .set_symbol(g.symbol)
            .set_style(g.style);
        x += w;
    }
    x
}

/// Writes a line's spans one after another from (`x`, `y`), each in the line's style
/// patched with its own, at most `width` cells: what a `Paragraph` without wrapping draws
/// for one line.
pub fn line(buf: &mut Buffer, x: u16, y: u16, line: &Line, width: u16) -> u16 {
    let right = x.saturating_add(width);
    let mut at = x;
    for span in &line.spans {
        if at >= right {
            break;
        }
        at = text(
            buf,
            at,
            y,
            &span.content,
            right - at,
            line.style.patch(span.style),
        );
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Modifier, Stylize};
    use ratatui::widgets::{Paragraph, Widget};

    /// The cells `Paragraph` leaves for one line, against the cells [`line`] leaves.
    fn both(l: Line<'static>, width: u16) -> (Buffer, Buffer) {
        let area = Rect::new(0, 0, width, 1);
        let mut theirs = Buffer::empty(area);
        Paragraph::new(l.clone()).render(area, &mut theirs);
        let mut ours = Buffer::empty(area);
        line(&mut ours, 0, 0, &l, width);
        (theirs, ours)
    }

    #[test]
    fn ascii_and_wider_text_land_as_paragraph_puts_them() {
        let cases = [
            Line::from("plain ascii text"),
            Line::from(vec![
                Span::raw("▸"),
                Span::styled("#12 ", Style::new().fg(Color::DarkGray)),
                Span::styled("phase_advanced ", Style::new().add_modifier(Modifier::BOLD)),
                Span::raw("atlas-1 by q"),
            ]),
            Line::from("a ✗ b █▋░ c"),
            Line::from("wide 漢字 text"),
            Line::from("e\u{301}t\u{e9}"),
            Line::from("tab\there\u{7}bell"),
            Line::from(vec![Span::raw("cut "), Span::raw("exactly at the edge")]).reversed(),
        ];
        for l in cases {
            for width in [1, 5, 9, 12, 40] {
                let (theirs, ours) = both(l.clone(), width);
                assert_eq!(ours, theirs, "{l:?} at width {width}");
            }
        }
    }

    #[test]
    fn a_wide_character_that_would_cross_the_edge_is_left_out() {
        let (theirs, ours) = both(Line::from("ab漢"), 3);
        assert_eq!(ours, theirs);
        assert_eq!(ours[(2, 0)].symbol(), " ");
    }

    #[test]
    fn writing_stops_at_the_buffer_edge_and_outside_rows_are_untouched() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        assert_eq!(text(&mut buf, 2, 0, "abcdef", 10, Style::new()), 4);
        assert_eq!(text(&mut buf, 0, 1, "abcdef", 10, Style::new()), 0);
        assert_eq!(buf, Buffer::with_lines(["  ab"]));
    }
}
