//! The keys that mean the same in every pane: moving, switching and zooming panes, live
//! refresh, help and quit. They come first and last in the registry, around the panes' own
//! keys and the actions.

use super::binding::{Binding, Does, Move};
use crate::tui::app::{App, Level, Overlay};
use crate::tui::msg::Cmd;
use crate::tui::pane;
use crossterm::event::KeyCode::{
    BackTab, Char, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up,
};

pub const HEAD: &[Binding] = &[
    Binding {
        name: "down",
        keys: &[Char('j'), Down],
        label: "j/k",
        footer: Some("move"),
        help: "move down / scroll down",
        does: Does::Move(Move::Down),
    },
    Binding {
        name: "up",
        keys: &[Char('k'), Up],
        label: "",
        footer: None,
        help: "move up / scroll up",
        does: Does::Move(Move::Up),
    },
    Binding {
        name: "top",
        keys: &[Char('g'), Home],
        label: "g/G",
        footer: None,
        help: "go to top",
        does: Does::Move(Move::Top),
    },
    Binding {
        name: "bottom",
        keys: &[Char('G'), End],
        label: "",
        footer: None,
        help: "go to bottom",
        does: Does::Move(Move::Bottom),
    },
    Binding {
        name: "page up",
        keys: &[PageUp],
        label: "PgUp",
        footer: None,
        help: "page up",
        does: Does::Move(Move::PageUp),
    },
    Binding {
        name: "page down",
        keys: &[PageDown],
        label: "PgDn",
        footer: None,
        help: "page down",
        does: Does::Move(Move::PageDown),
    },
    Binding {
        name: "next pane",
        keys: &[Tab],
        label: "Tab",
        footer: Some("pane"),
        help: "next pane",
        does: Does::Run(|app| {
            pane::focus_next(app, true);
            Vec::new()
        }),
    },
    Binding {
        name: "previous pane",
        keys: &[BackTab],
        label: "S-Tab",
        footer: None,
        help: "previous pane",
        does: Does::Run(|app| {
            pane::focus_next(app, false);
            Vec::new()
        }),
    },
    Binding {
        name: "zoom",
        keys: &[Char('z'), Enter],
        label: "z",
        footer: Some("zoom"),
        help: "zoom the pane to full screen",
        does: Does::Run(|app| {
            let on = !app.screen().zoomed();
            app.screen_mut().set_zoomed(on);
            Vec::new()
        }),
    },
    Binding {
        name: "back",
        keys: &[Esc],
        label: "Esc",
        footer: None,
        help: "back: unpin, leave time travel, unzoom, clear the filter",
        does: Does::Run(back),
    },
];

pub const TAIL: &[Binding] = &[
    Binding {
        name: "pause",
        keys: &[Char('p')],
        label: "p",
        footer: None,
        help: "pause / resume live refresh",
        does: Does::Run(|app| vec![Cmd::SetPaused(app.session_mut().toggle_paused())]),
    },
    Binding {
        name: "refresh",
        keys: &[Char('R')],
        label: "R",
        footer: None,
        help: "refresh now",
        does: Does::Run(|_| vec![Cmd::Refresh]),
    },
    Binding {
        name: "command",
        keys: &[Char(':')],
        label: ":",
        footer: None,
        help: "command palette: a view (:failed, :history, a saved view), a command (:metrics), a build id (:atlas-42)",
        does: Does::Run(|app| {
            app.overlays_mut()
                .show(Overlay::Palette(crate::tui::palette::Palette::new()));
            Vec::new()
        }),
    },
    Binding {
        name: "metrics",
        keys: &[Char('M')],
        label: "M",
        footer: None,
        help: "metrics of the last hour: per phase and role, the bottleneck (←/→ scroll wide lines; M or Esc closes)",
        does: Does::Run(|app| {
            let now = app.now();
            app.overlays_mut().metrics_asked(now);
            vec![Cmd::LoadMetrics]
        }),
    },
    Binding {
        name: "help",
        keys: &[Char('?')],
        label: "?",
        footer: Some("help"),
        help: "this help: j/k, PgUp/PgDn, g/G scroll; Esc, ? or q close",
        does: Does::Run(|app| {
            app.overlays_mut().show(Overlay::Help(0));
            Vec::new()
        }),
    },
    Binding {
        name: "quit",
        keys: &[Char('q')],
        label: "q",
        footer: Some("quit"),
        help: "quit",
        does: Does::Run(|_| vec![Cmd::Quit]),
    },
];

fn back(app: &mut App) -> Vec<Cmd> {
    if app.detail_mut().unpin() {
        // The selection's history is read again by the detail's own rule.
    } else if app.travel().active() {
        app.travel_mut().end();
        app.session_mut().say(Level::Info, "back to live");
    } else if app.screen().zoomed() {
        app.screen_mut().set_zoomed(false);
    } else if pane::focused(app).id() == pane::events::ID && !app.events().filter_text().is_empty()
    {
        app.set_event_filter(String::new());
    } else if app.history().active() {
        if !app.history().filter_text().is_empty() {
            return app.history_mut().set_filter(String::new());
        }
    } else if !app.table().filter().is_empty() {
        app.set_filter(String::new());
    }
    Vec::new()
}
