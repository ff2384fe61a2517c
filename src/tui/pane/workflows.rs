//! The workflows pane: the table of held workflows, its keys (filter, sort, quick views)
//! and its selection. Rows are built only for the visible slice: with 50,000 workflows the
//! cost of a frame depends on the terminal's height, not on the data.

use super::{Pane, PaneId, Place, Scroll};
use crate::model::text::sanitize;
use crate::model::{Status, time};
use crate::tui::app::{App, Level, QuickView, Row};
use crate::tui::keys::binding::{Binding, Does};
use crate::tui::view::grid::{self, Col, Cut};
use crate::tui::view::scroll;
use crate::tui::view::style::{Theme, filter_spans, pane_block, progress_bar};
use crossterm::event::KeyCode::Char;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::borrow::Cow;

pub const ID: PaneId = PaneId("workflows");

pub struct Workflows;

const KEYS: &[Binding] = &[
    Binding {
        name: "mark",
        keys: &[Char(' ')],
        label: "Space",
        footer: None,
        help: "mark / unmark the row; actions then apply to all marked",
        does: Does::Run(|app| {
            let said = app.toggle_mark();
            say(app, said);
            Vec::new()
        }),
    },
    Binding {
        name: "mark all",
        keys: &[Char('*')],
        label: "*",
        footer: None,
        help: "mark all the view and filter match, off screen too",
        does: Does::Run(|app| {
            let said = app.toggle_marks_matching();
            say(app, said);
            Vec::new()
        }),
    },
    Binding {
        name: "unmark all",
        keys: &[Char('u')],
        label: "u",
        footer: None,
        help: "unmark every marked workflow",
        does: Does::Run(|app| {
            let n = app.clear_marks();
            app.session_mut().say(Level::Info, format!("unmarked {n}"));
            Vec::new()
        }),
    },
    Binding {
        name: "filter",
        keys: &[Char('/')],
        label: "/",
        footer: Some("filter"),
        help: "filter: text, status:, phase:, role:, project:, stuck",
        does: Does::Run(|app| {
            app.screen_mut().focus_on(ID);
            let text = if app.history().active() {
                app.history().filter_text().to_string()
            } else {
                app.table().filter_text().to_string()
            };
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
        label: "1-8",
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
    Binding {
        name: "view history",
        keys: &[Char('5')],
        label: "",
        footer: None,
        help: "history, newest first; / filters it in the database: build prefix, status:, project:, phase:, since:7d",
        does: Does::Run(|app| {
            app.screen_mut().focus_on(ID);
            app.open_history()
        }),
    },
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
    Binding {
        name: "saved views",
        keys: &[Char('v')],
        label: "",
        footer: None,
        help: "next saved view (the config file's [views])",
        does: Does::Run(|app| {
            if !app.next_saved_view() {
                app.session_mut().say(
                    Level::Error,
                    "no saved views: add a [views] table to the config file (see README, Config file)",
                );
            }
            Vec::new()
        }),
    },
];

fn say(app: &mut App, said: Result<String, String>) {
    match said {
        Ok(m) => app.session_mut().say(Level::Info, m),
        Err(e) => app.session_mut().say(Level::Error, e),
    }
}

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
            let (offset, len) = if app.history().active() {
                (app.history().offset(), app.history().rows().len())
            } else {
                (app.table().offset(), app.held().visible().len())
            };
            let i = offset + usize::from(y - first);
            if i < len {
                app.select(i);
            }
        }
    }
    fn settle(&self, app: &mut App, area: Rect) {
        app.keep_selection_visible(table_rows(area));
    }
}

/// The table's columns, in order: header, how a cut value is cut, how well it cuts (the
/// `min` it may be cut to before any column is dropped) and when it is dropped.
const COLUMNS: [Col; 9] = [
    Col::new("", Cut::Never, 0, 0),
    Col::new("BUILD", Cut::Middle, 0, 0),
    Col::new("PROJECT", Cut::End, 6, 3),
    Col::new("PHASE", Cut::End, 0, 0),
    Col::new("ROLE", Cut::End, 12, 1),
    Col::new("PROGRESS", Cut::Never, 0, 4),
    Col::new("STATUS", Cut::End, 0, 0),
    Col::new("IN PHASE", Cut::End, 0, 0),
    Col::new("AGE", Cut::End, 0, 2),
];
const STATUS: usize = 6;

fn draw(f: &mut Frame, area: Rect, app: &App, focused: bool, t: Theme) {
    if app.history().active() {
        return super::history::draw(f, area, app, focused, t);
    }
    let (held, table) = (app.held(), app.table());
    let visible = held.visible();
    let mut title = vec![
        Span::styled(" Workflows ", t.title()),
        Span::raw(format!("[{}] ", table.view_label())),
    ];
    // Where the cursor is: `3/11`, and how many are held when the view hides some.
    let at = if visible.is_empty() {
        0
    } else {
        table.selected() + 1
    };
    title.push(Span::raw(format!("{at}/{} ", visible.len())));
    if visible.len() != held.rows().len() {
        title.push(Span::styled(format!("of {} ", held.rows().len()), t.dim()));
    }
    title.push(Span::styled(
        format!("sort: {} ", table.sort().label()),
        t.dim(),
    ));
    title.extend(filter_spans(table.filter_text(), table.filter_error(), t));
    if app.selected_is_pinned_only() {
        title.push(Span::styled("(selected: no longer in view) ", t.stuck()));
    }
    if !app.marks().is_empty() {
        let n = app.marks().len();
        title.push(Span::styled(
            format!("● {n} marked: actions apply to them (u unmarks) "),
            t.marked(),
        ));
    }
    let block = pane_block(Line::from(title), focused, t);

    let rows_h = table_rows(area);
    let end = (table.offset() + rows_h).min(visible.len());
    let start = table.offset().min(end);
    let shown: Vec<(usize, &Row)> = visible
        .range(start..end)
        .rows()
        .enumerate()
        .map(|(i, r)| (start + i, r))
        .collect();
    if shown.is_empty() {
        let msg = if !held.loaded() {
            "loading…".to_string()
        } else if held.rows().is_empty() {
            "no live workflows: start one with `baton start --project P`, or run `baton demo`"
                .to_string()
        } else if let Some(e) = table.filter_error() {
            format!("nothing matches: {}", sanitize(e))
        } else {
            "nothing matches this view and filter: Esc clears the filter, 1 shows all".to_string()
        };
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(
            Paragraph::new(Span::styled(msg, t.dim())).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }

    // Only the rows drawn are measured: the widths follow what is on screen.
    let lines: Vec<grid::Line> = shown
        .iter()
        .map(|(i, r)| {
            let selected = *i == table.selected();
            let marked = app.marks().contains(r.id());
            grid::Line {
                cells: cells(app, r).into(),
                style: row_style(r, (selected, marked), t),
                status: t.status(r.wf.status()),
                selected,
            }
        })
        .collect();
    let inner = block.inner(area);
    f.render_widget(block, area);
    grid::draw(f, inner, &COLUMNS, STATUS, &lines);
    scroll::bar(f, area, area.y + 2, visible.len(), rows_h, start, t);
}

/// The text of each column for one workflow, uncut.
fn cells<'a>(app: &App, r: &'a Row) -> [Cow<'a, str>; 9] {
    let w = &r.wf;
    // The mark column carries the meaning without colour: ! stuck, ✗ failed, ‖ paused.
    let mark = if r.stuck.is_some() {
        "!"
    } else {
        match w.status() {
            Status::Failed => "✗",
            Status::Paused => "‖",
            Status::Unknown => "?",
            Status::Completed | Status::Cancelled | Status::Running => " ",
        }
    };
    // With rows marked, a second mark column: ● for each marked row.
    let marks = match app.marks().is_empty() {
        true => "",
        false if app.marks().contains(r.id()) => "●",
        false => " ",
    };
    let (done, total) = app.progress(r);
    let duration = |secs: Option<i64>| secs.map_or("?".into(), time::human_duration);
    let status = if w.status() == Status::Unknown {
        sanitize(w.status_raw())
    } else {
        Cow::Borrowed(w.status().as_str())
    };
    [
        format!(" {marks}{mark}").into(),
        sanitize(w.build_id()),
        sanitize(w.project_id()),
        sanitize(w.current_state()),
        sanitize(w.current_role()),
        progress_bar(done, total, 5).into(),
        status,
        duration(app.in_phase(r)).into(),
        duration(app.age(r)).into(),
    ]
}

/// The row's style: trouble first, then its status; marks and the selection over it.
fn row_style(r: &Row, (selected, marked): (bool, bool), t: Theme) -> Style {
    let style = if r.stuck.is_some() {
        t.stuck()
    } else {
        match r.wf.status() {
            Status::Failed => t.failed(),
            Status::Paused => t.paused(),
            Status::Completed | Status::Cancelled => t.dim(),
            Status::Unknown => t.stuck(),
            Status::Running => Style::new(),
        }
    };
    let style = if marked {
        style.patch(t.marked())
    } else {
        style
    };
    if selected {
        style.patch(t.selected())
    } else {
        style
    }
}
