//! The workflows table. Rows are built only for the visible slice: with 50,000 workflows
//! the cost of a frame depends on the terminal's height, not on the data.

use super::{Theme, pane_block, progress_bar};
use crate::model::text::sanitize;
use crate::model::{Status, time};
use crate::tui::app::{App, Pane, Row};
use crate::tui::layout;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row as TRow, Table};

pub fn draw(f: &mut Frame, area: Rect, app: &App, t: Theme) {
    let wide = area.width >= 90;
    let mut title = vec![
        Span::styled(" Workflows ", t.title()),
        Span::raw(format!(
            "[{}] {}/{} ",
            app.view.label(),
            app.visible.len(),
            app.rows.len()
        )),
        Span::styled(format!("sort: {} ", app.sort.label()), t.dim()),
    ];
    if !app.filter_text.is_empty() {
        title.push(Span::styled(
            format!("/{} ", sanitize(&app.filter_text)),
            t.key(),
        ));
    }
    let block = pane_block(Line::from(title), app.focus == Pane::Workflows, t);

    let mut header = vec!["", "BUILD", "PROJECT", "PHASE"];
    let mut widths = vec![
        Constraint::Length(2),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Length(10),
    ];
    if wide {
        header.push("ROLE");
        widths.push(Constraint::Fill(2));
    }
    header.extend(["PROGRESS", "STATUS", "IN PHASE"]);
    widths.extend([
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Length(8),
    ]);
    if wide {
        header.push("AGE");
        widths.push(Constraint::Length(7));
    }

    let rows_h = layout::table_rows(area);
    let end = (app.table_offset + rows_h).min(app.visible.len());
    let start = app.table_offset.min(end);
    let rows: Vec<TRow> = app.visible[start..end]
        .iter()
        .enumerate()
        .filter_map(|(i, id)| app.rows.get(id).map(|r| (start + i, r)))
        .map(|(i, r)| row(app, r, wide, i == app.selected, t))
        .collect();
    if rows.is_empty() {
        let msg = if !app.loaded {
            "loading…"
        } else if app.rows.is_empty() {
            "no live workflows: start one with `baton start --project P`, or run `baton demo`"
        } else {
            "nothing matches this view and filter (Esc clears the filter, 1 shows all)"
        };
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(
            ratatui::widgets::Paragraph::new(Span::styled(msg, t.dim())),
            inner,
        );
        return;
    }
    let table = Table::new(rows, widths)
        .header(
            TRow::new(header)
                .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)),
        )
        .column_spacing(1)
        .block(block);
    f.render_widget(table, area);
}

fn row<'a>(app: &App, r: &'a Row, wide: bool, selected: bool, t: Theme) -> TRow<'a> {
    let w = &r.wf;
    // The mark column carries the meaning without colour: ! stuck, ✗ failed, ‖ paused.
    let (mark, style) = if r.stuck.is_some() {
        ("!", t.stuck())
    } else {
        match w.status {
            Status::Failed => ("✗", t.failed()),
            Status::Paused => ("‖", t.paused()),
            Status::Completed | Status::Cancelled => (" ", t.dim()),
            Status::Unknown => ("?", t.stuck()),
            Status::Running => (" ", Style::new()),
        }
    };
    let (done, total) = app.progress(w);
    let in_phase =
        time::secs_since(w.phase_since(), app.now).map_or("?".into(), time::human_duration);
    let age = time::secs_since(&w.created_at, app.now).map_or("?".into(), time::human_duration);
    let status = if w.status == Status::Unknown {
        sanitize(&w.status_raw).into_owned()
    } else {
        w.status.to_string()
    };
    let mut cells = vec![
        // ▶ marks the selection in text too, for NO_COLOR and screen readers.
        Cell::from(format!("{}{mark}", if selected { "▶" } else { " " })),
        Cell::from(sanitize(&w.build_id).into_owned()),
        Cell::from(sanitize(&w.project_id).into_owned()),
        Cell::from(sanitize(&w.current_state).into_owned()),
    ];
    if wide {
        cells.push(Cell::from(sanitize(&w.current_role).into_owned()));
    }
    cells.push(Cell::from(progress_bar(done, total, 5)));
    cells.push(Cell::from(Span::styled(status, t.status(w.status))));
    cells.push(Cell::from(in_phase));
    if wide {
        cells.push(Cell::from(age));
    }
    let row = TRow::new(cells).style(style);
    if selected {
        row.style(style.patch(t.selected()))
    } else {
        row
    }
}
