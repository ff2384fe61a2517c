//! `update`: the only place the dashboard's state changes. It performs no I/O; effects are
//! returned as [`Cmd`]s for the runtime to carry out. Keys go to the overlay on top, else
//! to the binding the key registry names; movement goes to the focused pane.

use super::app::{App, DiffView, Level, Overlay, SIDEWAYS};
use super::confirm::{Confirm, Step, Subject};
use super::copy_menu::{CopyMenu, Pick};
use super::event_view::{EventView, Step as EventStep};
use super::keys::{self, Does, Move};
use super::layout;
use super::msg::{Cmd, Msg};
use super::palette;
use super::pane::{self, PANES, Scroll};
use super::text_field::Edit;
use super::travel::DiffText;
use crate::store::WatchMode;
use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

pub fn update(app: &mut App, msg: Msg) -> Vec<Cmd> {
    let before = app.selected_id().map(str::to_string);
    let data_arrived = matches!(msg, Msg::Data(_));
    let mut cmds = match msg {
        Msg::Key(k) if k.kind != KeyEventKind::Release => {
            app.touched();
            on_key(app, k)
        }
        Msg::Key(_) => Vec::new(),
        Msg::Mouse(m) => {
            app.touched();
            on_mouse(app, m)
        }
        Msg::Resize(w, h) => {
            app.screen_mut().resize(w, h);
            Vec::new()
        }
        Msg::Tick(now) => {
            app.tick(now);
            if app.overlays_mut().metrics_due(now) {
                vec![Cmd::LoadMetrics]
            } else {
                Vec::new()
            }
        }
        Msg::Metrics(lines) => {
            // Shown when asked for over nothing else; refreshed in place while shown.
            let at = match app.overlays().shown() {
                Some(Overlay::Metrics(v)) => Some((v.at, v.left)),
                None if app.overlays().metrics_wanted() => Some((0, 0)),
                _ => None,
            };
            if let Some((at, left)) = at {
                let text = DiffText {
                    workflow_id: String::new(),
                    title: "Metrics · the last hour (refreshed every 5 s)".into(),
                    lines,
                };
                app.overlays_mut()
                    .show(Overlay::Metrics(DiffView { text, at, left }));
            }
            Vec::new()
        }
        Msg::Data(d) => {
            app.session_mut().clear_problem();
            app.apply_delta(d);
            Vec::new()
        }
        Msg::History(page) => {
            app.history_mut().receive(page);
            Vec::new()
        }
        Msg::Detail(d) => {
            let selected = app.selected_id().map(str::to_string);
            app.detail_mut().accept(*d, selected.as_deref());
            Vec::new()
        }
        Msg::EventPage(p) => {
            let p = *p;
            if let Some(why) = &p.problem {
                app.session_mut().say(Level::Error, why.clone());
            }
            app.accept_event_page(&p.want, p.events, p.reached, p.done);
            Vec::new()
        }
        Msg::Travel(f) => {
            app.travel_mut().accept(*f);
            Vec::new()
        }
        Msg::TravelRefused { workflow_id, why } => {
            if app.travel().workflow_id() == Some(workflow_id.as_str()) {
                app.travel_mut().end();
                app.session_mut()
                    .say(Level::Error, format!("no time travel: {why}"));
            }
            Vec::new()
        }
        Msg::Diff(d) => {
            // Only over nothing else, and only for the workflow still selected.
            let wanted = app.selected_id() == Some(d.workflow_id.as_str());
            if wanted && app.overlays().shown().is_none() {
                app.overlays_mut().show(Overlay::Diff(DiffView {
                    text: *d,
                    at: 0,
                    left: 0,
                }));
            }
            Vec::new()
        }
        Msg::DbProblem(p) => {
            app.session_mut().set_problem(p);
            Vec::new()
        }
        Msg::Watching(mode) => {
            app.session_mut().set_polling(match mode {
                WatchMode::Pushed => None,
                WatchMode::Polling(why) => Some(why),
            });
            Vec::new()
        }
        Msg::Terminate(_) => vec![Cmd::Quit],
        Msg::Resolved(Ok(id)) => app.jump_to_workflow(&id),
        Msg::Resolved(Err(e)) => {
            app.session_mut().say(Level::Error, e);
            Vec::new()
        }
        Msg::BulkProgress { verb, done, total } => {
            let msg = format!("{verb}: {done} of {total} workflows…");
            app.session_mut().say(Level::Info, msg);
            Vec::new()
        }
        Msg::ActionDone(r) => {
            match r {
                Ok(m) => app.session_mut().say(Level::Info, m),
                Err(e) => app.session_mut().say(Level::Error, e),
            }
            Vec::new()
        }
    };
    // A trip through one workflow's past ends when the selection leaves it.
    if app
        .travel()
        .workflow_id()
        .is_some_and(|t| Some(t) != app.selected_id())
    {
        app.travel_mut().end();
    }
    if let Some(id) = app.detail_wanted(before.as_deref(), data_arrived) {
        cmds.push(Cmd::LoadDetail(id));
    }
    if let Some(w) = app.events_mut().take_want() {
        cmds.push(Cmd::EventPage(w));
    }
    cmds.extend(app.history_mut().wanted());
    let areas = areas(app);
    for p in PANES {
        p.settle(app, areas.of(p.id()));
    }
    cmds
}

fn on_key(app: &mut App, k: KeyEvent) -> Vec<Cmd> {
    match app.overlays_mut().take() {
        Some(Overlay::Help(at)) => return on_help_key(app, at, &k),
        Some(Overlay::Confirm(c)) => return on_confirm_key(app, c, &k),
        Some(Overlay::Diff(v)) => return on_diff_key(app, v, &k),
        Some(Overlay::Metrics(v)) => return on_metrics_key(app, v, &k),
        Some(Overlay::Copy(m)) => {
            on_copy_key(app, m, &k);
            return Vec::new();
        }
        Some(Overlay::Event(v)) => return on_event_key(app, *v, &k),
        Some(Overlay::Palette(p)) => {
            return match palette::on_key(app, p, &k) {
                palette::Step::Open(p) => {
                    app.overlays_mut().show(Overlay::Palette(p));
                    Vec::new()
                }
                palette::Step::Closed(cmds) => cmds,
            };
        }
        None => {}
    }
    if app.overlays().prompt_open() {
        return on_prompt_key(app, k);
    }
    let Some(binding) = keys::action_for(&k, pane::focused(app).id()) else {
        return Vec::new();
    };
    run_binding(app, binding)
}

/// Does what `binding` does, as its key would (refusing an action where one may not act):
/// for a key, and for the command palette.
pub fn run_binding(app: &mut App, binding: &keys::Binding) -> Vec<Cmd> {
    if binding.dangerous() && app.session().read_only() {
        app.session_mut().say(
            Level::Error,
            "read-only: actions are disabled (started with --read-only)",
        );
        return Vec::new();
    }
    if binding.dangerous() && app.travel().active() {
        // What is on screen is the past; an action would act on the present.
        let at = app
            .travel()
            .frame()
            .map_or("the past".to_string(), |f| format!("#{}", f.seq));
        let msg = format!(
            "read-only while travelling: the detail shows {at}, not now; Esc returns to live"
        );
        app.session_mut().say(Level::Error, msg);
        return Vec::new();
    }
    app.session_mut().clear_flash();
    match binding.does {
        Does::Move(m) => {
            move_focused(app, m);
            Vec::new()
        }
        Does::Run(run) => run(app),
        Does::Act(_) if !app.marks().is_empty() && !app.history().active() => {
            match keys::bulk::confirm(app, binding.name) {
                Ok(c) => app.overlays_mut().show(Overlay::Confirm(c)),
                Err(e) => app.session_mut().say(Level::Error, e),
            }
            Vec::new()
        }
        Does::Act(_) if app.detail().pinned().is_some() => {
            app.session_mut().say(
                Level::Error,
                "the detail shows a workflow from the event log, not the selection: Esc first",
            );
            Vec::new()
        }
        Does::Act(plan) => {
            let opened = match app.selected_row() {
                Some(row) => plan(app, row),
                None => Err("no workflow selected".into()),
            };
            match opened {
                Ok(c) => app.overlays_mut().show(Overlay::Confirm(c)),
                Err(e) => app.session_mut().say(Level::Error, e),
            }
            Vec::new()
        }
    }
}

fn on_confirm_key(app: &mut App, c: Confirm, k: &KeyEvent) -> Vec<Cmd> {
    match c.on_key(k) {
        Step::Open(c) => {
            app.overlays_mut().show(Overlay::Confirm(c));
            Vec::new()
        }
        Step::Cancelled(c) => {
            let msg = format!("{} cancelled; nothing was written", c.title());
            app.session_mut().say(Level::Info, msg);
            Vec::new()
        }
        Step::Submitted(c) => {
            let msg = format!("{} {}…", c.title(), c.target_label());
            app.session_mut().say(Level::Info, msg);
            if matches!(c.subject(), Subject::Marked(_)) {
                // The marks were the question; once it is answered they are spent.
                app.clear_marks();
            }
            let actor = app.session().actor().to_string();
            vec![c.into_cmd(&actor)]
        }
    }
}

/// Help scrolls with the movement keys and closes only on Esc, `?` or `q`: a key pressed
/// to read further must not throw it away. Ctrl-C still quits.
fn on_help_key(app: &mut App, at: usize, k: &KeyEvent) -> Vec<Cmd> {
    if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
        return vec![Cmd::Quit];
    }
    let at = match keys::action_for(k, pane::focused(app).id()).map(|b| (b.name, b.does)) {
        Some(("back" | "help" | "quit", _)) => return Vec::new(),
        Some((_, Does::Move(m))) => {
            let (w, h) = app.screen().size();
            let read_only = app.session().read_only();
            keys::help::scroll(at, m, read_only, Rect::new(0, 0, w, h))
        }
        _ => at,
    };
    app.overlays_mut().show(Overlay::Help(at));
    Vec::new()
}

fn on_event_key(app: &mut App, v: EventView, k: &KeyEvent) -> Vec<Cmd> {
    let (w, h) = app.screen().size();
    match v.on_key(k, Rect::new(0, 0, w, h)) {
        EventStep::Stay(v) => {
            app.overlays_mut().show(Overlay::Event(Box::new(v)));
            Vec::new()
        }
        EventStep::Close => Vec::new(),
        EventStep::Jump(id) => app.jump_to_workflow(&id),
        EventStep::Quit => vec![Cmd::Quit],
    }
}

/// The diff scrolls with the movement keys and closes on Esc, `q` or `d`. Ctrl-C quits.
fn on_metrics_key(app: &mut App, v: DiffView, k: &KeyEvent) -> Vec<Cmd> {
    if matches!(k.code, KeyCode::Char('M')) {
        app.overlays_mut().metrics_closed();
        return Vec::new();
    }
    if matches!(k.code, KeyCode::Char('d')) {
        // `d` closes the diff it shares a look with, not this.
        app.overlays_mut().show(Overlay::Metrics(v));
        return Vec::new();
    }
    let cmds = on_diff_key(app, v, k);
    match app.overlays_mut().take() {
        Some(Overlay::Diff(v)) => app.overlays_mut().show(Overlay::Metrics(v)),
        _ => app.overlays_mut().metrics_closed(),
    }
    cmds
}

fn on_diff_key(app: &mut App, mut v: DiffView, k: &KeyEvent) -> Vec<Cmd> {
    if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
        return vec![Cmd::Quit];
    }
    if matches!(k.code, KeyCode::Esc | KeyCode::Char('q' | 'd')) {
        return Vec::new();
    }
    let (w, h) = app.screen().size();
    let page = usize::from(h.saturating_sub(6)).max(1);
    let last = v.text.lines.len().saturating_sub(1);
    let sideways = SIDEWAYS as isize;
    match k.code {
        KeyCode::Left => v.scroll_sideways(-sideways, w),
        KeyCode::Right => v.scroll_sideways(sideways, w),
        _ => {}
    }
    if let Some(Does::Move(m)) = keys::action_for(k, pane::focused(app).id()).map(|b| b.does) {
        v.at = match m {
            Move::Up => v.at.saturating_sub(1),
            Move::Down => v.at + 1,
            Move::PageUp => v.at.saturating_sub(page),
            Move::PageDown => v.at + page,
            Move::Top => 0,
            Move::Bottom => last,
        }
        .min(last);
    }
    app.overlays_mut().show(Overlay::Diff(v));
    Vec::new()
}

fn on_copy_key(app: &mut App, m: CopyMenu, k: &KeyEvent) {
    match m.on_key(k) {
        Pick::Stay => app.overlays_mut().show(Overlay::Copy(m)),
        Pick::Close => {}
        Pick::Copy(what, value) => app.session_mut().copy(what, &value),
    }
}

/// The filter prompt: every edit filters (the table, or the history view while it is
/// open); Enter keeps the filter, Esc and Ctrl-C clear it.
fn on_prompt_key(app: &mut App, k: KeyEvent) -> Vec<Cmd> {
    let events = app.overlays().prompt_is_events();
    let Some(field) = app.overlays_mut().prompt_mut() else {
        return Vec::new();
    };
    let text = match field.on_key(&k) {
        Edit::Changed => field.text().to_string(),
        Edit::Submit => {
            app.overlays_mut().close_prompt();
            return Vec::new();
        }
        Edit::Cancel => {
            app.overlays_mut().close_prompt();
            String::new()
        }
        Edit::Moved | Edit::Ignored => return Vec::new(),
    };
    if events {
        app.set_event_filter(text);
        return Vec::new();
    }
    if app.history().active() {
        return app.history_mut().set_filter(text);
    }
    app.set_filter(text);
    Vec::new()
}

fn move_focused(app: &mut App, m: Move) {
    let p = pane::focused(app);
    let page = p.page(areas(app).of(p.id())).max(1) as isize;
    let s = match m {
        Move::Up => Scroll::By(-1),
        Move::Down => Scroll::By(1),
        Move::PageUp => Scroll::By(-page),
        Move::PageDown => Scroll::By(page),
        Move::Top => Scroll::Top,
        Move::Bottom => Scroll::Bottom,
    };
    p.scroll(app, s);
}

fn areas(app: &App) -> layout::Areas {
    let (w, h) = app.screen().size();
    let zoomed = app.screen().zoomed().then(|| pane::focused(app).id());
    layout::areas(Rect::new(0, 0, w, h), zoomed)
}

fn on_mouse(app: &mut App, m: MouseEvent) -> Vec<Cmd> {
    if app.overlays().shown().is_some() {
        return Vec::new();
    }
    let a = areas(app);
    let Some(p) = a.pane_at(m.column, m.row).and_then(pane::get) else {
        return Vec::new();
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            app.screen_mut().focus_on(p.id());
            p.click(app, a.of(p.id()), m.row);
        }
        // The wheel scrolls the pane under the pointer without taking the focus.
        MouseEventKind::ScrollDown => p.scroll(app, Scroll::By(3)),
        MouseEventKind::ScrollUp => p.scroll(app, Scroll::By(-3)),
        _ => {}
    }
    Vec::new()
}
