//! How the workflows pane draws the history view (`5`): finished workflows as the
//! database pages them, newest first, with a title that says how many match and how many
//! are held — never a truncated count passed off as the whole.

use crate::model::text::sanitize;
use crate::model::{Status, time};
use crate::tui::app::{App, HISTORY_HELD_MAX, Packed};
use crate::tui::msg::Total;
use crate::tui::view::grid::{self, Col, Cut};
use crate::tui::view::scroll;
use crate::tui::view::style::{Theme, filter_spans, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::borrow::Cow;

/// Header, how it is cut, its min before dropping, drop order (see `grid::Col`).
const COLUMNS: [Col; 7] = [
    Col::new("", Cut::End, 0, 0),
    Col::new("BUILD", Cut::Middle, 0, 0),
    Col::new("PROJECT", Cut::End, 6, 3),
    Col::new("STATUS", Cut::End, 0, 0),
    Col::new("ENDED IN", Cut::End, 0, 0),
    Col::new("FINISHED", Cut::End, 0, 2),
    Col::new("TOOK", Cut::End, 0, 1),
];
const STATUS: usize = 3;

/// `1,234` below ten thousand, then `12.3k`, `1.04M`: a title's count, read at a glance.
pub fn count(n: i64) -> String {
    if n >= 1_000_000 {
        return format!("{:.2}M", n as f64 / 1e6);
    }
    if n >= 10_000 {
        return format!("{:.1}k", n as f64 / 1e3);
    }
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) && c.is_ascii_digit() {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1–200 of ~1.04M finished`: the rows held, and how many match.
pub fn range_label(held: usize, more: bool, total: Option<Total>) -> String {
    let shown = if held == 0 {
        "0".to_string()
    } else {
        format!("1–{}", count(held as i64))
    };
    let of = match total {
        Some(Total::Exactly(n)) => count(n),
        Some(Total::About(n)) => format!("~{}", count(n)),
        Some(Total::AtLeast(n)) => format!("{}+", count(n)),
        None if more => format!("{}+", count(held as i64 + 1)),
        None => count(held as i64),
    };
    format!("{shown} of {of} finished")
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, focused: bool, t: Theme) {
    let h = app.history();
    let rows = h.rows();
    let mut title = vec![
        Span::styled(" History ", t.title()),
        Span::raw(format!("{} ", range_label(rows.len(), h.more(), h.total()))),
    ];
    if !rows.is_empty() {
        title.push(Span::styled(format!("▶{} ", h.selected() + 1), t.dim()));
    }
    if h.loading() && h.loaded() {
        title.push(Span::styled("loading more… ", t.dim()));
    }
    if h.capped() {
        title.push(Span::styled(
            format!(
                "(first {}: narrow the filter) ",
                count(HISTORY_HELD_MAX as i64)
            ),
            t.stuck(),
        ));
    }
    title.extend(filter_spans(h.filter_text(), h.filter_error(), t));
    let block = pane_block(Line::from(title), focused, t);
    let rows_h = super::workflows::table_rows(area);
    let end = (h.offset() + rows_h).min(rows.len());
    let start = h.offset().min(end);
    if start == end {
        let msg = match (h.error(), h.loaded()) {
            (Some(e), _) => format!("could not read history: {}", sanitize(e)),
            (None, false) => "loading history…".to_string(),
            (None, true) => {
                "no finished workflow matches: / changes the filter, Esc clears it, 1 returns to the live table".to_string()
            }
        };
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(
            Paragraph::new(Span::styled(msg, t.dim())).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let now = app.now();
    let lines: Vec<grid::Line> = rows[start..end]
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let selected = start + i == h.selected();
            let style = match r.wf.status() {
                Status::Failed => t.failed(),
                _ => Style::new(),
            };
            grid::Line {
                cells: cells(&r.wf, now).into(),
                style: if selected {
                    style.patch(t.selected())
                } else {
                    style
                },
                status: t.status(r.wf.status()),
                selected,
            }
        })
        .collect();
    let inner = block.inner(area);
    f.render_widget(block, area);
    grid::draw(f, inner, &COLUMNS, STATUS, &lines);
    scroll::bar(f, area, area.y + 2, rows.len(), rows_h, start, t);
}

/// One finished workflow's cells: mark, build, project, status, the phase it ended in,
/// when it finished (UTC, to the minute; the date too unless it was today) and how long it
/// took.
fn cells(w: &Packed, now: time::Timestamp) -> [Cow<'_, str>; 7] {
    let mark = match w.status() {
        Status::Failed => " ✗",
        Status::Cancelled => " ⊘",
        _ => "  ",
    };
    let ended = w.completed_at().unwrap_or(w.updated_at());
    let finished = ended.parse().map_or_else(
        || sanitize(&ended.text()).into_owned(),
        |at| {
            if at.date_naive() == now.date_naive() {
                at.format("%H:%M").to_string()
            } else {
                at.format("%Y-%m-%d %H:%M").to_string()
            }
        },
    );
    let took = match (w.created_at().parse(), ended.parse()) {
        (Some(a), Some(b)) if b >= a => time::human_duration((b - a).num_seconds()),
        _ => "?".into(),
    };
    let status = if w.status() == Status::Unknown {
        sanitize(w.status_raw())
    } else {
        Cow::Borrowed(w.status().as_str())
    };
    [
        Cow::Borrowed(mark),
        sanitize(w.build_id()),
        sanitize(w.project_id()),
        status,
        sanitize(w.current_state()),
        finished.into(),
        took.into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_at_a_glance_and_titles_never_pass_a_part_for_the_whole() {
        assert_eq!(count(7), "7");
        assert_eq!(count(1234), "1,234");
        assert_eq!(count(12_345), "12.3k");
        assert_eq!(count(1_040_000), "1.04M");
        assert_eq!(
            range_label(200, true, Some(Total::About(1_040_000))),
            "1–200 of ~1.04M finished"
        );
        assert_eq!(range_label(200, true, None), "1–200 of 201+ finished");
        assert_eq!(
            range_label(37, false, Some(Total::Exactly(37))),
            "1–37 of 37 finished"
        );
        assert_eq!(
            range_label(200, true, Some(Total::AtLeast(10_000))),
            "1–200 of 10.0k+ finished"
        );
        assert_eq!(
            range_label(0, false, Some(Total::Exactly(0))),
            "0 of 0 finished"
        );
    }
}
