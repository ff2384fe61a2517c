//! `update`: the only place the dashboard's state changes. It performs no I/O; effects are
//! returned as [`Cmd`]s for the runtime to carry out.

use super::app::{App, Level, Overlay, Pane};
use super::confirm::{Confirm, ConfirmKind};
use super::filter::Filter;
use super::keymap::{self, KeyAction};
use super::layout;
use super::msg::{Cmd, Msg};
use crate::store::WatchMode;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

pub fn update(app: &mut App, msg: Msg) -> Vec<Cmd> {
    let before = app.selected_id().map(str::to_string);
    let mut cmds = match msg {
        Msg::Key(k) if k.kind != KeyEventKind::Release => on_key(app, k),
        Msg::Key(_) => Vec::new(),
        Msg::Mouse(m) => on_mouse(app, m),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Tick(now) => {
            app.tick(now);
            Vec::new()
        }
        Msg::Data(d) => {
            app.db_problem = None;
            app.apply_delta(d);
            let stale = match (&app.detail, app.selected_row()) {
                (Some(d), Some(r)) => {
                    d.workflow.id == r.wf.id && d.workflow.version != r.wf.version
                }
                _ => false,
            };
            let mut c = Vec::new();
            if stale || (app.detail.is_none() && app.selected_id().is_some()) {
                c.extend(app.selected_id().map(|id| Cmd::LoadDetail(id.to_string())));
            }
            c
        }
        Msg::Detail(d) => {
            if app.selected_id() == Some(d.workflow.id.as_str()) {
                app.detail = Some(*d);
            }
            Vec::new()
        }
        Msg::DbProblem(p) => {
            app.db_problem = Some(p);
            Vec::new()
        }
        Msg::Watching(mode) => {
            app.polling = match mode {
                WatchMode::Pushed => None,
                WatchMode::Polling(why) => Some(why),
            };
            Vec::new()
        }
        Msg::Terminate(_) => vec![Cmd::Quit],
        Msg::ActionDone(r) => {
            app.flash = Some(match r {
                Ok(m) => (Level::Info, m),
                Err(e) => (Level::Error, e),
            });
            Vec::new()
        }
    };
    let after = app.selected_id().map(str::to_string);
    if after != before {
        app.detail_scroll = 0;
        if let Some(id) = after {
            cmds.push(Cmd::LoadDetail(id));
        } else {
            app.detail = None;
        }
    }
    keep_selection_visible(app);
    cmds
}

fn on_key(app: &mut App, k: KeyEvent) -> Vec<Cmd> {
    match app.overlay.take() {
        Some(Overlay::Help) => {
            // Any key closes help; q still quits.
            return if keymap::action_for(&k) == Some(KeyAction::Quit) && k.code != KeyCode::Esc {
                vec![Cmd::Quit]
            } else {
                Vec::new()
            };
        }
        Some(Overlay::Confirm(c)) => return on_confirm_key(app, c, k),
        None => {}
    }
    if app.filter_editing {
        on_filter_key(app, k);
        return Vec::new();
    }
    let Some(action) = keymap::action_for(&k) else {
        return Vec::new();
    };
    if keymap::is_dangerous(action) && app.read_only {
        app.flash = Some((
            Level::Error,
            "read-only: actions are disabled (started with --read-only)".into(),
        ));
        return Vec::new();
    }
    app.flash = None;
    let page = page_size(app);
    match action {
        KeyAction::Quit => return vec![Cmd::Quit],
        KeyAction::Up => move_by(app, -1),
        KeyAction::Down => move_by(app, 1),
        KeyAction::PageUp => move_by(app, -(page as isize)),
        KeyAction::PageDown => move_by(app, page as isize),
        KeyAction::Top => move_to(app, Edge::Top),
        KeyAction::Bottom => move_to(app, Edge::Bottom),
        KeyAction::NextPane => app.focus = app.focus.next(),
        KeyAction::PrevPane => app.focus = app.focus.prev(),
        KeyAction::Zoom => app.zoomed = !app.zoomed,
        KeyAction::Back => {
            if app.zoomed {
                app.zoomed = false;
            } else if !app.filter.is_empty() {
                set_filter(app, String::new());
            }
        }
        KeyAction::Filter => {
            app.focus = Pane::Workflows;
            app.filter_editing = true;
        }
        KeyAction::Sort => {
            app.sort = app.sort.next();
            resort(app);
        }
        KeyAction::View(v) => {
            app.view = v;
            app.selected = 0;
            refilter(app);
        }
        KeyAction::Follow => {
            app.events_follow = !app.events_follow;
            if app.events_follow {
                app.events_back = 0;
            }
        }
        KeyAction::EventsScope => {
            app.events_selected_only = !app.events_selected_only;
            app.events_back = 0;
        }
        KeyAction::PauseLive => {
            app.live_paused = !app.live_paused;
            return vec![Cmd::SetPaused(app.live_paused)];
        }
        KeyAction::Refresh => return vec![Cmd::Refresh],
        KeyAction::Help => app.overlay = Some(Overlay::Help),
        KeyAction::Advance => open_confirm(app, ConfirmKind::Advance),
        KeyAction::Retry => open_confirm(app, ConfirmKind::Retry),
        KeyAction::Rollback => open_confirm(app, ConfirmKind::Rollback),
        KeyAction::Cancel => open_confirm(app, ConfirmKind::Cancel),
        KeyAction::Acknowledge => match app.selected_row().and_then(|r| r.pending.as_ref()) {
            Some(h) => open_confirm(
                app,
                ConfirmKind::Acknowledge {
                    handoff_id: h.id.clone(),
                },
            ),
            None => {
                app.flash = Some((
                    Level::Error,
                    "the selected workflow has no pending handoff".into(),
                ))
            }
        },
    }
    Vec::new()
}

fn open_confirm(app: &mut App, kind: ConfirmKind) {
    match Confirm::open(app, kind) {
        Ok(c) => app.overlay = Some(Overlay::Confirm(c)),
        Err(e) => app.flash = Some((Level::Error, e)),
    }
}

fn on_confirm_key(app: &mut App, mut c: Confirm, k: KeyEvent) -> Vec<Cmd> {
    let typing = c.needs_reason();
    match k.code {
        KeyCode::Esc => {
            app.flash = Some((
                Level::Info,
                format!("{} cancelled; nothing was written", c.title),
            ));
            return Vec::new();
        }
        KeyCode::Enter => return submit(app, c),
        KeyCode::Char('y') | KeyCode::Char('Y') if !typing => return submit(app, c),
        KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Char('q') if !typing => {
            app.flash = Some((
                Level::Info,
                format!("{} cancelled; nothing was written", c.title),
            ));
            return Vec::new();
        }
        KeyCode::Left | KeyCode::Up if typing => c.cycle_target(app, false),
        KeyCode::Right | KeyCode::Down | KeyCode::Tab if typing => c.cycle_target(app, true),
        KeyCode::Backspace if typing => {
            c.reason.pop();
        }
        KeyCode::Char(ch) if typing && !ch.is_control() => c.reason.push(ch),
        _ => {}
    }
    app.overlay = Some(Overlay::Confirm(c));
    Vec::new()
}

fn submit(app: &mut App, c: Confirm) -> Vec<Cmd> {
    if c.needs_reason() && c.reason.trim().is_empty() {
        app.flash = Some((
            Level::Error,
            "a rollback needs a reason: type it, then Enter".into(),
        ));
        app.overlay = Some(Overlay::Confirm(c));
        return Vec::new();
    }
    app.flash = Some((Level::Info, format!("{} {}…", c.title, c.build_id)));
    vec![Cmd::Perform {
        workflow_id: c.workflow_id.clone(),
        request: c.request(&app.actor),
    }]
}

fn on_filter_key(app: &mut App, k: KeyEvent) {
    let mut text = app.filter_text.clone();
    match k.code {
        KeyCode::Enter => {
            app.filter_editing = false;
            return;
        }
        KeyCode::Esc => {
            app.filter_editing = false;
            text.clear();
        }
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c) if !c.is_control() => text.push(c),
        _ => return,
    }
    set_filter(app, text);
}

fn set_filter(app: &mut App, text: String) {
    app.filter = Filter::parse(&text);
    app.filter_text = text;
    app.selected = 0;
    refilter(app);
}

fn resort(app: &mut App) {
    let keep = app.selected_id().map(str::to_string);
    app.recompute(keep.as_deref());
}

/// A new view or filter: filters the sorted order again, without sorting.
fn refilter(app: &mut App) {
    let keep = app.selected_id().map(str::to_string);
    app.refilter(keep.as_deref());
}

enum Edge {
    Top,
    Bottom,
}

fn move_by(app: &mut App, delta: isize) {
    match app.focus {
        Pane::Workflows => {
            let max = app.visible.len().saturating_sub(1);
            app.selected = app.selected.saturating_add_signed(delta).min(max);
        }
        Pane::Detail => {
            app.detail_scroll = app.detail_scroll.saturating_add_signed(delta as i16);
        }
        Pane::Events => {
            // Scrolling up leaves follow mode; back at the bottom resumes it.
            app.events_back = app.events_back.saturating_add_signed(-delta);
            let max = app.shown_events().len().saturating_sub(1);
            app.events_back = app.events_back.min(max);
            app.events_follow = app.events_back == 0;
        }
    }
}

fn move_to(app: &mut App, edge: Edge) {
    match (app.focus, edge) {
        (Pane::Workflows, Edge::Top) => app.selected = 0,
        (Pane::Workflows, Edge::Bottom) => app.selected = app.visible.len().saturating_sub(1),
        (Pane::Detail, Edge::Top) => app.detail_scroll = 0,
        (Pane::Detail, Edge::Bottom) => app.detail_scroll = u16::MAX / 2,
        (Pane::Events, Edge::Top) => {
            app.events_back = app.shown_events().len().saturating_sub(1);
            app.events_follow = false;
        }
        (Pane::Events, Edge::Bottom) => {
            app.events_back = 0;
            app.events_follow = true;
        }
    }
}

fn areas(app: &App) -> layout::Areas {
    let size = Rect::new(0, 0, app.size.0, app.size.1);
    layout::areas(size, app.zoomed.then_some(app.focus))
}

fn page_size(app: &App) -> usize {
    let a = areas(app);
    let h = match app.focus {
        Pane::Workflows => layout::table_rows(a.workflows),
        p => usize::from(a.of(p).height.saturating_sub(2)),
    };
    h.max(1)
}

fn keep_selection_visible(app: &mut App) {
    let rows = layout::table_rows(areas(app).workflows).max(1);
    if app.selected < app.table_offset {
        app.table_offset = app.selected;
    } else if app.selected >= app.table_offset + rows {
        app.table_offset = app.selected + 1 - rows;
    }
    let max_offset = app.visible.len().saturating_sub(rows);
    app.table_offset = app.table_offset.min(max_offset);
}

fn on_mouse(app: &mut App, m: MouseEvent) -> Vec<Cmd> {
    if app.overlay.is_some() {
        return Vec::new();
    }
    let a = areas(app);
    let Some(pane) = a.pane_at(m.column, m.row) else {
        return Vec::new();
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            app.focus = pane;
            if pane == Pane::Workflows {
                // Border and header row come before the first data row.
                let first = a.workflows.y + 2;
                if m.row >= first {
                    let i = app.table_offset + usize::from(m.row - first);
                    if i < app.visible.len() {
                        app.selected = i;
                    }
                }
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let focus = app.focus;
            app.focus = pane;
            move_by(
                app,
                if m.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                },
            );
            app.focus = focus;
        }
        _ => {}
    }
    Vec::new()
}
