//! The workflows pane: the table of held workflows, its keys (filter, sort, quick views)
//! and its selection. Rows are built only for the visible slice: with 50,000 workflows the
//! cost of a frame depends on the terminal's height, not on the data.

use super::{Pane, PaneId, Place, Scroll};
use crate::model::text::sanitize;
use crate::model::{Status, time};
use crate::tui::app::{App, QuickView, Row};
use crate::tui::keys::binding::{Binding, Does};
use crate::tui::view::style::{Theme, pane_block, progress_bar};
use crossterm::event::KeyCode::Char;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row as TRow, Table};

pub const ID: PaneId = PaneId("workflows");

pub struct Workflows;

const KEYS: &[Binding] = &[
    Binding {
        name: "filter",
        keys: &[Char('/')],
        label: "/",
        footer: Some("filter"),
        help: "filter: text, status:, phase:, role:, project:, stuck",
        does: Does::Run(|app| {
            app.screen_mut().focus_on(ID);
            let text = app.table().filter_text().to_string();
            app.overlays_mut().open_prompt(&text);
            Vec::new()
        }),
    },
    Binding {
        name: "sort",
        keys: &[Char('s')],
        label: "s",
        footer: Some("sort"),
        help: "cycle sort order",
        does: Does::Run(|app| {
            app.sort_by(app.table().sort().next());
            Vec::new()
        }),
    },
    Binding {
        name: "view all",
        keys: &[Char('1')],
        label: "1-4,6-8",
        footer: Some("views"),
        help: "view: all",
        does: Does::Run(|app| {
            app.set_view(QuickView::All);
            Vec::new()
        }),
    },
    Binding {
        name: "view running",
        keys: &[Char('2')],
        label: "",
        footer: None,
        help: "view: running",
        does: Does::Run(|app| {
            app.set_view(QuickView::Running);
            Vec::new()
        }),
    },
    Binding {
        name: "view stuck",
        keys: &[Char('3')],
        label: "",
        footer: None,
        help: "view: stuck",
        does: Does::Run(|app| {
            app.set_view(QuickView::Stuck);
            Vec::new()
        }),
    },
    Binding {
        name: "view failed",
        keys: &[Char('4')],
        label: "",
        footer: None,
        help: "view: failed",
        does: Does::Run(|app| {
            app.set_view(QuickView::Failed);
            Vec::new()
        }),
    },
    // `5` is kept for the history view (issue 11).
    Binding {
        name: "view paused",
        keys: &[Char('6')],
        label: "",
        footer: None,
        help: "view: paused",
        does: Does::Run(|app| {
            app.set_view(QuickView::Paused);
            Vec::new()
        }),
    },
    Binding {
        name: "view completed",
        keys: &[Char('7')],
        label: "",
        footer: None,
        help: "view: completed (the most recent ones held)",
        does: Does::Run(|app| {
            app.set_view(QuickView::Completed);
            Vec::new()
        }),
    },
    Binding {
        name: "view cancelled",
        keys: &[Char('8')],
        label: "",
        footer: None,
        help: "view: cancelled (the most recent ones held)",
        does: Does::Run(|app| {
            app.set_view(QuickView::Cancelled);
            Vec::new()
        }),
    },
];

/// Table rows visible in the pane (borders and the header row excluded).
pub fn table_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3))
}

impl Pane for Workflows {
    fn id(&self) -> PaneId {
        ID
    }
    fn place(&self) -> Place {
        Place::Main
    }
    fn bindings(&self) -> &'static [Binding] {
        KEYS
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, focused: bool, t: Theme) {
        draw(f, area, app, focused, t);
    }
    fn scroll(&self, app: &mut App, s: Scroll) {
        match s {
            Scroll::By(delta) => app.move_selection(delta),
            Scroll::Top => app.select(0),
            Scroll::Bottom => app.select_last(),
        }
    }
    fn page(&self, area: Rect) -> usize {
        table_rows(area)
    }
    fn click(&self, app: &mut App, area: Rect, y: u16) {
        // Border and header row come before the first data row.
        let first = area.y + 2;
        if y >= first {
            let i = app.table().offset() + usize::from(y - first);
            if i < app.held().visible().len() {
                app.select(i);
            }
        }
    }
    fn settle(&self, app: &mut App, area: Rect) {
        app.keep_selection_visible(table_rows(area));
    }
}

fn draw(f: &mut Frame, area: Rect, app: &App, focused: bool, t: Theme) {
    let wide = area.width >= 90;
    let (held, table) = (app.held(), app.table());
    let mut title = vec![
        Span::styled(" Workflows ", t.title()),
        Span::raw(format!(
            "[{}] {}/{} ",
            table.view().label(),
            held.visible().len(),
            held.rows().len()
        )),
        Span::styled(format!("sort: {} ", table.sort().label()), t.dim()),
    ];
    if !table.filter_text().is_empty() {
        title.push(Span::styled(
            format!("/{} ", sanitize(table.filter_text())),
            t.key(),
        ));
    }
    let block = pane_block(Line::from(title), focused, t);

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

    let rows_h = table_rows(area);
    let visible = held.visible();
    let end = (table.offset() + rows_h).min(visible.len());
    let start = table.offset().min(end);
    let rows: Vec<TRow> = visible[start..end]
        .iter()
        .enumerate()
        .filter_map(|(i, id)| held.row(id).map(|r| (start + i, r)))
        .map(|(i, r)| row(app, r, wide, i == table.selected(), t))
        .collect();
    if rows.is_empty() {
        let msg = if !held.loaded() {
            "loading…"
        } else if held.rows().is_empty() {
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
        time::secs_since(w.phase_since(), app.now()).map_or("?".into(), time::human_duration);
    let age = time::secs_since(&w.created_at, app.now()).map_or("?".into(), time::human_duration);
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
