//! Dialogs drawn over the panes: help (generated from the key registry, scrollable),
//! confirmations, the copy menu, a diff, and a text field with its cursor.

use super::Theme;
use crate::model::text::sanitize;
use crate::tui::app::{App, DiffView};
use crate::tui::confirm::{Confirm, Stage, Subject};
use crate::tui::copy_menu::CopyMenu;
use crate::tui::keys::help::{self, Line as HelpLine};
use crate::tui::text_field::TextField;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    r
}

/// A text field's text with its cursor: the character under it reversed (a block at the
/// end), so it shows without colour too. Text before the cursor that would not fit in
/// `width` columns scrolls off to the left, so the cursor is always seen.
pub fn field<'a>(f: &TextField, width: usize, t: Theme) -> Vec<Span<'a>> {
    let (before, after) = f.split();
    let skip = before
        .chars()
        .count()
        .saturating_sub(width.saturating_sub(1));
    let before: String = before.chars().skip(skip).collect();
    let before = before.as_str();
    let mut rest = after.chars();
    let under = rest.next().map_or(" ".to_string(), |c| c.to_string());
    let cursor = t.key().add_modifier(Modifier::REVERSED);
    vec![
        Span::styled(sanitize(before).into_owned(), t.key()),
        Span::styled(sanitize(&under).into_owned(), cursor),
        Span::styled(sanitize(rest.as_str()).into_owned(), t.key()),
    ]
}

pub fn help(f: &mut Frame, area: Rect, app: &App, at: usize, t: Theme) {
    let read_only = app.session().read_only();
    let r = help::area(read_only, area);
    let (shown, last) = help::window(read_only, area);
    let at = at.min(last);
    let grid = help::grid(read_only, area);
    let total = grid.len();
    let col = help::key_column();
    let width = usize::from(help::column_width(area));
    // One cell: its spans, padded to the column's width when another column follows.
    let cell = |l: HelpLine, pad: bool| -> Vec<Span> {
        let mut spans = match l {
            HelpLine::Title(s) => vec![Span::styled(s, t.title())],
            HelpLine::Note(s) => vec![Span::styled(s, t.stuck())],
            HelpLine::Blank => Vec::new(),
            HelpLine::Key(k, text, _) => vec![
                Span::styled(format!("{k:>col$}  "), t.key()),
                Span::raw(text),
            ],
        };
        if pad {
            let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
            spans.push(Span::raw(" ".repeat(width.saturating_sub(used) + 2)));
        }
        spans
    };
    let lines: Vec<Line> = grid
        .into_iter()
        .skip(at)
        .take(shown)
        .map(|row| {
            let n = row.len();
            let spans: Vec<Span> = row
                .into_iter()
                .enumerate()
                .flat_map(|(i, l)| cell(l, i + 1 < n))
                .collect();
            Line::from(spans)
        })
        .collect();
    f.render_widget(Clear, r);
    // Where you are, when not everything fits: the first and last lines shown of all.
    let place = if last > 0 {
        format!(" {}-{} of {total} · j/k PgUp/PgDn g/G ", at + 1, at + shown)
    } else {
        " ".into()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(" Keys ", t.title()))
        .title_bottom(Line::from(vec![
            Span::styled(place, t.dim()),
            Span::styled("Esc ? q close ", t.dim()),
        ]));
    f.render_widget(Paragraph::new(lines).block(block), r);
}

pub fn confirm(f: &mut Frame, area: Rect, c: &Confirm, t: Theme) {
    let w = 78.min(area.width);
    let inner = usize::from(w.saturating_sub(2)).max(1);
    // Wrapped here, not by the paragraph, so the box is exactly as tall as its text.
    let para = |text: &str, style: Style| -> Vec<Line<'static>> {
        help::wrap(&sanitize(text), inner)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style)))
            .collect()
    };
    let mut lines: Vec<Line> = Vec::new();
    if let Some(warning) = c.warning() {
        let style = t.error().add_modifier(Modifier::BOLD);
        lines.extend(para(&format!("⚠ {warning}"), style));
        lines.push(Line::default());
    }
    for l in c.lines() {
        if l.starts_with("  ") {
            // An indented item (a rollback's value by value) keeps its columns: cut to
            // the box, never wrapped.
            lines.push(Line::from(cut_to(&sanitize(l), inner)));
        } else {
            lines.extend(para(l, Style::default()));
        }
    }
    lines.push(Line::default());
    let targets = c.targets();
    if targets.len() > 1 && c.stage() == Stage::Target {
        lines.push(Line::from("Roll back to (↑/↓, then Enter):"));
        for (i, p) in targets.iter().enumerate() {
            let (mark, style) = if i == c.chosen() {
                ("▸ ", t.selected())
            } else {
                ("  ", Style::default())
            };
            lines.push(Line::from(Span::styled(
                format!("{mark}{}", sanitize(p)),
                style,
            )));
        }
    } else if targets.len() > 1 {
        lines.push(Line::from(vec![
            Span::raw("to: "),
            Span::styled(sanitize(targets[c.chosen()]).into_owned(), t.title()),
        ]));
    }
    if c.needs_reason() && c.stage() != Stage::Target {
        let label = "reason: ";
        let mut spans = vec![Span::raw(label)];
        if c.stage() == Stage::Reason {
            spans.extend(field(c.reason(), inner - label.len(), t));
        } else {
            spans.push(Span::styled(
                sanitize(c.reason().text()).into_owned(),
                t.key(),
            ));
        }
        lines.push(Line::from(spans));
    }
    if let Some(n) = c.notice() {
        lines.extend(para(n, t.error()));
    }
    lines.extend(para(&c.hint(), t.dim()));
    let h = (lines.len() as u16 + 2).min(area.height);
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    let title = match c.subject() {
        Subject::One(w) => format!(" {}: {} ", c.title(), sanitize(&w.build_id)),
        Subject::Marked(_) => format!(" {} ", c.title()),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.error())
        .title(Span::styled(title, t.error()));
    f.render_widget(Paragraph::new(lines).block(block), r);
}

/// The diff of a workflow's phase outputs (`d`), or the metrics (`M`): `+` added, `-`
/// removed, `~` changed, each in its colour (and its sign, for `NO_COLOR`), scrolled to
/// line `v.at` and column `v.left`.
pub fn diff(f: &mut Frame, area: Rect, v: &DiffView, t: Theme) {
    let cols = v.columns(area.width);
    let w = cols.width;
    let h = (v.text.lines.len() as u16 + 2)
        .min(area.height.saturating_sub(2))
        .max(3);
    let r = centered(area, w, h);
    let shown = usize::from(h.saturating_sub(2));
    let at = v.at.min(v.text.lines.len().saturating_sub(shown));
    let inner = usize::from(w.saturating_sub(2));
    // Kept in range here too: the screen may have grown since the last key.
    let left = v.left.min(cols.max_left);
    let lines: Vec<Line> = v
        .text
        .lines
        .iter()
        .skip(at)
        .take(shown)
        .map(|l| {
            let style = match l.get(..2) {
                Some("+ ") => t.ok(),
                Some("- ") => t.failed(),
                Some("~ ") => t.stuck(),
                _ => Style::default(),
            };
            // From column `left` on, without a copy.
            let rest = l.char_indices().nth(left).map_or("", |(at, _)| &l[at..]);
            Line::from(Span::styled(cut_to(rest, inner), style))
        })
        .collect();
    let place = if v.text.lines.len() > shown {
        format!(
            " {}-{} of {} · j/k PgUp/PgDn ",
            at + 1,
            at + shown,
            v.text.lines.len()
        )
    } else {
        " ".into()
    };
    let widest = cols.widest;
    let sideways = if widest > inner {
        format!(
            "cols {}-{} of {widest} · ←/→ · ",
            left + 1,
            (left + inner).min(widest)
        )
    } else {
        String::new()
    };
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(format!(" {} ", v.text.title), t.title()))
        .title_bottom(Line::from(vec![
            Span::styled(place, t.dim()),
            Span::styled(sideways, t.dim()),
            Span::styled("Esc q close ", t.dim()),
        ]));
    f.render_widget(Paragraph::new(lines).block(block), r);
}

/// `text` in at most `width` columns, an ellipsis marking the cut.
fn cut_to(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut t: String = text.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

pub fn copy_menu(f: &mut Frame, area: Rect, m: &CopyMenu, t: Theme) {
    let mut lines: Vec<Line> = m
        .items()
        .iter()
        .map(|i| {
            Line::from(vec![
                Span::styled(format!(" {} ", i.key), t.key()),
                Span::raw(format!("{:<12}", i.what)),
                Span::raw(sanitize(&i.value).into_owned()),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "the letter copies it (y: the workflow id) · Esc close",
        t.dim(),
    )));
    let r = centered(area, 70, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(
            format!(" Copy from {} ", sanitize(m.build_id())),
            t.title(),
        ));
    f.render_widget(Paragraph::new(lines).block(block), r);
}
