//! A table of text drawn cell by cell, for the workflows pane's live table and its history
//! view: columns as wide as what is on screen (`columns::fit`), each value cut to its
//! column with a mark, an underlined header, a style across each row, the status column in
//! its own colour and the selection marked `▶` in the first column. Written straight into
//! the buffer (`paint`), cell for cell what a `Table` with these widths and a column
//! spacing of 1 draws, without its per-cell allocations.

use super::columns::{self, Column};
use super::{cut, paint};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use std::borrow::Cow;

/// How a value too wide for its column is cut.
#[derive(Clone, Copy)]
pub enum Cut {
    Never,
    End,
    /// Ids: keep the head and the distinguishing tail.
    Middle,
}

/// A column: its header, how it is cut, the `min` it may be cut to before any column is
/// dropped, and when it is dropped (`columns::Column`).
pub struct Col {
    pub head: &'static str,
    pub cut: Cut,
    pub min: usize,
    pub drop: u8,
}

impl Col {
    pub const fn new(head: &'static str, cut: Cut, min: usize, drop: u8) -> Col {
        Col {
            head,
            cut,
            min,
            drop,
        }
    }
}

/// One row: its cells' text, uncut (one per column), the style across the row, and the
/// style of its status cell's text.
pub struct Line<'a> {
    pub cells: Vec<Cow<'a, str>>,
    pub style: Style,
    pub status: Style,
    pub selected: bool,
}

/// Draws `rows` under the header inside `inner`; `status` is the column whose text takes
/// each row's status style.
pub fn draw(f: &mut Frame, inner: Rect, cols: &[Col], status: usize, rows: &[Line<'_>]) {
    let specs: Vec<Column> = cols
        .iter()
        .enumerate()
        .map(|(c, col)| Column {
            want: rows
                .iter()
                .map(|r| cut::width(&r.cells[c]))
                .chain([cut::width(col.head)])
                .max()
                .unwrap_or(0),
            min: col.min,
            drop: col.drop,
        })
        .collect();
    let widths = columns::fit(&specs, usize::from(inner.width), 1);
    let mut xs = Vec::with_capacity(cols.len());
    let mut x = inner.x;
    for (c, w) in widths.iter().enumerate() {
        if let Some(w) = w {
            let w = u16::try_from(*w).unwrap_or(u16::MAX);
            xs.push((c, x, w));
            x = x.saturating_add(w).saturating_add(1);
        }
    }
    let buf = f.buffer_mut();
    let mut lines = (inner.top()..inner.bottom()).map(|y| Rect {
        y,
        height: 1,
        ..inner
    });
    if let Some(header) = lines.next() {
        buf.set_style(
            header,
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        );
        for &(c, x, w) in &xs {
            let head = cut::end(cols[c].head, w.into());
            paint::text(buf, x, header.y, &head, w, Style::new());
        }
    }
    for (line, row) in lines.zip(rows) {
        buf.set_style(line, row.style);
        for &(c, x, w) in &xs {
            let text = &row.cells[c];
            let text = match cols[c].cut {
                Cut::Never => Cow::Borrowed(text.as_ref()),
                Cut::End => cut::end(text, w.into()),
                Cut::Middle => cut::middle(text, w.into()),
            };
            let style = if c == status {
                row.status
            } else {
                Style::new()
            };
            // ▶ marks the selection in text too, for NO_COLOR and screen readers.
            if c == 0 && row.selected {
                let after = paint::text(buf, x, line.y, "▶", w, style);
                let rest = text.char_indices().nth(1).map_or("", |(i, _)| &text[i..]);
                paint::text(buf, after, line.y, rest, w - (after - x), style);
            } else {
                paint::text(buf, x, line.y, &text, w, style);
            }
        }
    }
}
