//! Dialogs drawn over the panes: help (generated from the keymap) and confirmations.

use super::Theme;
use crate::model::text::sanitize;
use crate::tui::app::App;
use crate::tui::confirm::Confirm;
use crate::tui::keys;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    r
}

pub fn help(f: &mut Frame, area: Rect, app: &App, t: Theme) {
    let read_only = app.session().read_only();
    let mut lines: Vec<Line> = keys::help(read_only)
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(keys::key_name).collect();
            let mark = if b.dangerous() { " (asks first)" } else { "" };
            Line::from(vec![
                Span::styled(format!("{:>14}  ", keys.join(" ")), t.key()),
                Span::raw(format!("{}{mark}", b.help)),
            ])
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!("{:>14}  ", "Ctrl-C"), t.key()),
        Span::raw("quit"),
    ]));
    if read_only {
        lines.push(Line::from(Span::styled(
            "read-only: action keys are disabled",
            t.stuck(),
        )));
    }
    lines.push(Line::from(Span::styled(
        "any key closes this help",
        t.dim(),
    )));
    let r = centered(area, 76, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(" Keys ", t.title()));
    f.render_widget(Paragraph::new(lines).block(block), r);
}

pub fn confirm(f: &mut Frame, area: Rect, c: &Confirm, t: Theme) {
    let mut lines: Vec<Line> = c
        .lines()
        .iter()
        .map(|l| Line::from(sanitize(l).into_owned()))
        .collect();
    if c.needs_reason() {
        lines.push(Line::default());
        let targets: Vec<Span> = c
            .targets()
            .into_iter()
            .enumerate()
            .flat_map(|(i, p)| {
                let style = if i == c.chosen() {
                    t.selected()
                } else {
                    t.dim()
                };
                [
                    Span::styled(format!(" {} ", sanitize(p)), style),
                    Span::raw(" "),
                ]
            })
            .collect();
        lines.push(Line::from([vec![Span::raw("to: ")], targets].concat()));
        lines.push(Line::from(vec![
            Span::raw("reason: "),
            Span::styled(sanitize(c.reason()).into_owned(), t.key()),
            Span::styled("█", t.key()),
        ]));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Enter confirm · Esc cancel · ←/→ target",
            t.dim(),
        )));
    } else {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "y/Enter confirm · n/Esc cancel",
            t.dim(),
        )));
    }
    let w = 78.min(area.width);
    let h = (lines.len() as u16 + 4).min(area.height);
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    let title = format!(" {}: {} ", c.title(), sanitize(c.build_id()));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.error())
        .title(Span::styled(title, t.error()));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        r,
    );
}
