//! Going from an event to its workflow. A workflow the dashboard holds is selected in the
//! table, leaving the history view and clearing the view and filter that hid it (and
//! saying so); one it does not hold
//! (finished long ago) is read on demand and shown pinned in the detail pane, over the
//! selection, until Esc or a move of the selection.

use super::{App, Level, QuickView};
use crate::model::text::sanitize;
use crate::tui::msg::Cmd;
use crate::tui::pane::detail;

impl App {
    /// Shows workflow `id` in the table and the detail pane; returns the read to make.
    pub fn jump_to_workflow(&mut self, id: &str) -> Vec<Cmd> {
        self.screen.set_zoomed(false);
        self.screen.focus_on(detail::ID);
        // The detail is to show this workflow as it is now, not a past frame of another.
        if self.travel.active() {
            self.travel.end();
        }
        let Some(build) = self.held.row(id).map(|r| r.wf.build_id().to_string()) else {
            self.detail.pin(id);
            self.session.say(
                Level::Info,
                format!(
                    "workflow {} is not in the table (finished, not held): reading it; Esc returns",
                    sanitize(&id.chars().take(8).collect::<String>())
                ),
            );
            return vec![Cmd::LoadDetail(id.to_string())];
        };
        self.detail.unpin();
        let shown = self.held.visible().iter().any(|v| v == id);
        if !shown || self.history.active() {
            let mut cleared = Vec::new();
            if self.history.active() {
                cleared.push("left the history view".to_string());
                self.history.close();
            }
            if self.table.view() != QuickView::All {
                cleared.push(format!("cleared view {}", self.table.view().label()));
                self.set_view(QuickView::All);
            }
            if !self.table.filter().is_empty() {
                cleared.push(format!(
                    "cleared filter `{}`",
                    sanitize(self.table.filter_text())
                ));
                self.set_filter(String::new());
            }
            if !cleared.is_empty() {
                let msg = format!("{} to show {}", cleared.join(" and "), sanitize(&build));
                self.session.say(Level::Info, msg);
            }
        }
        if let Some(at) = self.held.position(id, self.table.sort()) {
            self.table.set_placed(true);
            self.select_at(at);
        }
        Vec::new()
    }
}
