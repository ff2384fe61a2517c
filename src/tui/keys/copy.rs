//! Getting text out of the dashboard: copying ids to the clipboard (through the terminal,
//! OSC 52) and letting the terminal select text by turning mouse capture off.

use super::binding::{Binding, Does};
use crate::tui::app::{App, Level, Overlay};
use crate::tui::copy_menu::CopyMenu;
use crossterm::event::KeyCode::Char;

pub const COPY: &[Binding] = &[
    Binding {
        name: "copy id",
        keys: &[Char('y')],
        label: "y",
        footer: Some("copy"),
        help: "copy the selected workflow's id to the clipboard",
        does: Does::Run(|app| {
            if let Some(id) = app.selected_id().map(str::to_string) {
                app.session_mut().copy("workflow id", &id);
            } else {
                nothing_selected(app);
            }
            Vec::new()
        }),
    },
    Binding {
        name: "copy menu",
        keys: &[Char('Y')],
        label: "Y",
        footer: None,
        help: "copy menu: workflow, build or pending handoff id",
        does: Does::Run(|app| {
            match app.selected_row().map(CopyMenu::of) {
                Some(m) => app.overlays_mut().show(Overlay::Copy(m)),
                None => nothing_selected(app),
            }
            Vec::new()
        }),
    },
    Binding {
        name: "mouse",
        keys: &[Char('m')],
        label: "m",
        footer: None,
        help: "mouse capture on / off (off: the terminal selects text)",
        does: Does::Run(|app| {
            app.session_mut().toggle_mouse();
            Vec::new()
        }),
    },
];

fn nothing_selected(app: &mut App) {
    app.session_mut()
        .say(Level::Error, "no workflow selected: nothing to copy");
}
