//! The dashboard's state. `App` is made of sub-states, each in its own file with private
//! fields and methods that keep its rules: the session, the held workflows (and their
//! order), the table settings, the detail, the event log, the screen and the overlays.
//! `App` itself only coordinates what spans two of them (the selection lives in the table
//! but points into the held rows). `update` changes it; `view` draws it.

mod alerts;
mod clock;
mod detail;
mod events;
mod held;
mod history;
mod jump;
mod log;
mod marks;
mod overlays;
mod paging;
mod screen;
mod session;
mod table;
#[cfg(test)]
mod tests;
mod travel;

pub use detail::DetailState;
pub use events::{EVENTS_KEPT, EventLog, cursor_index};
pub use held::{Entry, FINISHED_KEPT, Held, Packed, Row};
pub use history::{HELD_MAX as HISTORY_HELD_MAX, History, PAGE as HISTORY_PAGE};
pub use marks::Marks;
pub use overlays::{DiffView, Overlay, Overlays, SIDEWAYS};
pub use paging::{Paging, Want};
pub use screen::{PaneId, Screen};
pub use session::{Level, Session, TermRequest};
pub use table::{QuickView, SortKey, Table};
pub use travel::{Step, Travel};

use super::msg::Delta;
use crate::engine::stuck::StuckPolicy;
use crate::model::time::Timestamp;
use crate::model::{Definition, WorkflowFields};

#[derive(Debug, Clone)]
pub struct App {
    session: Session,
    held: Held,
    table: Table,
    detail: DetailState,
    events: EventLog,
    history: History,
    marks: Marks,
    alerts: alerts::Alerts,
    screen: Screen,
    overlays: Overlays,
    travel: Travel,
}

impl App {
    pub fn new(
        db_label: impl Into<String>,
        read_only: bool,
        policy: StuckPolicy,
        now: Timestamp,
    ) -> App {
        App {
            session: Session::new(db_label.into(), read_only),
            held: Held::new(policy, now),
            table: Table::default(),
            detail: DetailState::default(),
            events: EventLog::default(),
            history: History::default(),
            marks: Marks::default(),
            alerts: alerts::Alerts::default(),
            screen: Screen::default(),
            overlays: Overlays::default(),
            travel: Travel::default(),
        }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }
    pub fn held(&self) -> &Held {
        &self.held
    }
    pub fn table(&self) -> &Table {
        &self.table
    }
    pub fn detail(&self) -> &DetailState {
        &self.detail
    }
    pub fn detail_mut(&mut self) -> &mut DetailState {
        &mut self.detail
    }
    pub fn events(&self) -> &EventLog {
        &self.events
    }
    pub fn events_mut(&mut self) -> &mut EventLog {
        &mut self.events
    }
    pub fn history(&self) -> &History {
        &self.history
    }
    pub fn history_mut(&mut self) -> &mut History {
        &mut self.history
    }
    pub fn screen(&self) -> &Screen {
        &self.screen
    }
    pub fn screen_mut(&mut self) -> &mut Screen {
        &mut self.screen
    }
    pub fn overlays(&self) -> &Overlays {
        &self.overlays
    }
    pub fn overlays_mut(&mut self) -> &mut Overlays {
        &mut self.overlays
    }

    pub fn travel(&self) -> &Travel {
        &self.travel
    }
    pub fn travel_mut(&mut self) -> &mut Travel {
        &mut self.travel
    }

    pub fn now(&self) -> Timestamp {
        self.held.now()
    }
    pub fn definition_of(&self, w: &impl WorkflowFields) -> Option<&Definition> {
        self.held.definition_of(w)
    }
    pub fn progress(&self, w: &impl WorkflowFields) -> (usize, usize) {
        self.held.progress(w)
    }

    /// The selected workflow: the history view's row while it is open, else the table's.
    pub fn selected_id(&self) -> Option<&str> {
        if self.history.active() {
            return self.history.selected_row().map(|r| r.id());
        }
        self.table_selected_id()
    }
    pub fn selected_row(&self) -> Option<&Row> {
        if self.history.active() {
            return self.history.selected_row();
        }
        self.held.visible().row(self.table.selected())
    }
    /// The table's selection, whether or not the history view covers it.
    fn table_selected_id(&self) -> Option<&str> {
        self.held.visible().get(self.table.selected())
    }
    /// Merges a batch from the worker, keeping the selection on the same workflow once the
    /// operator has placed it, and on the first row until then.
    pub fn apply_delta(&mut self, mut d: Delta) {
        let keep = self
            .table_selected_id()
            .filter(|_| self.table.placed())
            .map(str::to_string);
        let held = &self.held;
        self.events.merge(
            std::mem::take(&mut d.events),
            d.full,
            keep.as_deref(),
            &|id| held.row(id).map(|r| r.wf.build_id()),
        );
        if let Some(at) = d.at {
            self.session.refreshed(at);
        }
        self.held.merge(d, &self.table);
        if !self.marks.is_empty() {
            let held = &self.held;
            self.marks.retain(|id| held.row(id).is_some());
        }
        self.settle(keep.as_deref());
        self.announce();
    }

    pub fn marks(&self) -> &Marks {
        &self.marks
    }
    /// Unmarks everything; how many were marked.
    pub fn clear_marks(&mut self) -> usize {
        self.marks.clear()
    }
    /// Why marking is refused: the history view's finished rows take no marks.
    fn refuse_marks_in_history(&self) -> Result<(), String> {
        match self.history.active() {
            true => Err("marks are for live workflows: 1 returns to the table".into()),
            false => Ok(()),
        }
    }
    /// Marks or unmarks the selected row of the live table; what it did, or why not.
    pub fn toggle_mark(&mut self) -> Result<String, String> {
        self.refuse_marks_in_history()?;
        let id = self.table_selected_id().ok_or("no workflow selected")?;
        let build = self.held.row(id).map_or(id, |r| r.wf.build_id());
        let build = crate::model::text::sanitize(build).into_owned();
        let id = id.to_string();
        let done = if self.marks.toggle(&id) {
            "marked"
        } else {
            "unmarked"
        };
        Ok(format!("{done} {build} · {} marked", self.marks.len()))
    }
    /// Marks every held workflow the view and filter match, on screen or not (or, when
    /// all are marked already, unmarks them); what it did, or why not.
    pub fn toggle_marks_matching(&mut self) -> Result<String, String> {
        self.refuse_marks_in_history()?;
        // The sorted order keeps each row's folded search text: no row is folded again.
        let (table, texts) = (&self.table, self.held.texts());
        let matching = self
            .held
            .order()
            .iter()
            .filter(|e| table.matches(e.text(texts), &e.find))
            .map(|e| self.held.id_of(e));
        let n = matching.clone().count();
        if n == 0 {
            return Err("nothing matches this view and filter: nothing to mark".into());
        }
        let done = if self.marks.toggle_all(matching) {
            "marked"
        } else {
            "unmarked"
        };
        Ok(format!(
            "{done} all {n} matching · {} marked",
            self.marks.len()
        ))
    }
    /// The marked workflows that are held, in build-id order (what a bulk action acts on).
    pub fn marked_rows(&self) -> Vec<&Row> {
        let mut rows: Vec<&Row> = self
            .marks
            .ids()
            .filter_map(|id| self.held.row(id))
            .collect();
        rows.sort_by(|a, b| {
            a.wf.build_id()
                .cmp(b.wf.build_id())
                .then(a.id().cmp(b.id()))
        });
        rows
    }

    /// Announces (`--notify`) each workflow newly stuck or failed, once per episode.
    pub fn set_notify(&mut self, on: bool) {
        self.alerts.set_on(on);
    }
    fn announce(&mut self) {
        for a in self.alerts.observe(&self.held) {
            self.session.notify(a.title, a.body);
        }
    }

    /// Time passed with no write: re-checks the rows whose stuck deadline has come.
    pub fn tick(&mut self, now: Timestamp) {
        let keep = self.table_selected_id().map(str::to_string);
        self.held.tick(now, &self.table);
        self.settle(keep.as_deref());
        self.announce();
    }

    /// When the runtime should wake to re-check stuck rows with no write at all.
    pub fn next_stuck_deadline(&self) -> Option<Timestamp> {
        self.held.next_stuck_deadline()
    }

    /// Re-derives every mark, the order and the visible list; keeps `keep` selected if it
    /// is still shown.
    pub fn recompute(&mut self, keep: Option<&str>) {
        self.held.recompute(&self.table);
        self.settle(keep);
    }

    pub fn select(&mut self, i: usize) {
        if self.history.active() {
            return self.history.select(i);
        }
        self.table.set_placed(true);
        self.select_at(i);
    }
    /// The operator did something (a key, a click): from now on the selection follows its
    /// workflow (see [`Table::placed`]).
    pub fn touched(&mut self) {
        self.table.set_placed(true);
    }
    /// Moves the selection by `delta` rows, stopping at either end.
    pub fn move_selection(&mut self, delta: isize) {
        if self.history.active() {
            return self.history.move_by(delta);
        }
        let max = self.held.visible().len().saturating_sub(1);
        self.table.set_placed(true);
        self.select_at(self.table.selected().saturating_add_signed(delta).min(max));
    }
    pub fn select_last(&mut self) {
        if self.history.active() {
            return self.history.select_last();
        }
        self.table.set_placed(true);
        self.select_at(self.held.visible().len().saturating_sub(1));
    }

    /// Opens the history view (`5`) on its first page.
    pub fn open_history(&mut self) -> Vec<super::msg::Cmd> {
        self.history.open()
    }

    /// Sorts by `key`, keeping the selected workflow selected.
    pub fn sort_by(&mut self, key: SortKey) {
        let keep = self.table_selected_id().map(str::to_string);
        self.table.set_sort(key);
        self.recompute(keep.as_deref());
    }

    /// A new quick view starts at its first row.
    pub fn set_view(&mut self, v: QuickView) {
        self.history.close();
        self.table.set_view(v);
        self.start_over();
    }

    /// A new filter starts at its first row; the order is filtered again, not re-sorted.
    /// What is wrong with it (an unknown key, a status or phase no workflow can have) is
    /// kept for the operator to read.
    pub fn set_filter(&mut self, text: String) {
        let error = {
            let f = crate::tui::filter::Filter::parse(&text);
            let held = &self.held;
            f.problem(&held.phase_names(), &held.role_names(), &|raw: &str| {
                held.holds_status(raw)
            })
        };
        self.table.set_filter(text, error);
        self.start_over();
    }

    /// The named filters of the config file's `[views]`, which `v` steps through.
    pub fn set_saved_views(&mut self, views: Vec<(String, String)>) {
        self.table.set_saved(views);
    }

    /// Applies the next saved view (all workflows, its filter); false when there are none.
    pub fn next_saved_view(&mut self) -> bool {
        let Some((i, filter)) = self.table.next_saved() else {
            return false;
        };
        self.history.close();
        self.table.set_view(QuickView::All);
        self.set_filter(filter);
        self.table.mark_saved(i);
        true
    }

    /// Applies the saved view called `name`; false when there is none.
    pub fn apply_saved_view(&mut self, name: &str) -> bool {
        let Some(i) = self.table.saved().iter().position(|(n, _)| n == name) else {
            return false;
        };
        let filter = self.table.saved()[i].1.clone();
        self.history.close();
        self.table.set_view(QuickView::All);
        self.set_filter(filter);
        self.table.mark_saved(i);
        true
    }

    /// After a new view or filter: no workflow is pinned any more, the first row is selected.
    fn start_over(&mut self) {
        self.table.set_pin(None);
        self.table.set_placed(false);
        self.table.select(0);
        self.refilter();
    }

    fn refilter(&mut self) {
        let keep = self.table_selected_id().map(str::to_string);
        self.held.refilter(&self.table);
        self.settle(keep.as_deref());
    }

    /// After the held rows moved: the selection follows `keep` if it is still shown (else
    /// stays in range), and its stuck mark is made current, as the detail shows how long
    /// it has been stuck.
    fn settle(&mut self, keep: Option<&str>) {
        let visible = self.held.visible();
        // Most changes leave the selected row where it was: look there before searching.
        let at = self.table.selected();
        let pos = keep.and_then(|k| match visible.get(at) {
            Some(id) if id == k => Some(at),
            _ => self.held.position(k, self.table.sort()),
        });
        let i = pos.unwrap_or(self.table.selected().min(visible.len().saturating_sub(1)));
        self.select_at(i);
        if let Some(id) = self.table_selected_id().map(str::to_string) {
            self.held.restuck_id(&id);
        }
    }

    /// Selects row `i` and pins its workflow. The workflow pinned before, if it no longer
    /// matches the view and filter, leaves the table now that the cursor has left it; the
    /// selection stays on the workflow it moved to.
    fn select_at(&mut self, i: usize) {
        self.table.select(i);
        let now = self.table_selected_id().map(str::to_string);
        if self.table.pin() == now.as_deref() {
            return;
        }
        let Some(old) = self.table.set_pin(now.clone()) else {
            return;
        };
        let moved = self.held.unshow_unless_matching(&old, &self.table);
        if let Some(at) = now
            .filter(|_| moved)
            .and_then(|id| self.held.position(&id, self.table.sort()))
        {
            self.table.select(at);
        }
    }

    /// Whether the selected workflow is shown only because it is selected (it no longer
    /// matches the view or filter).
    pub fn selected_is_pinned_only(&self) -> bool {
        self.selected_row().is_some_and(|r| {
            let (text, find) = crate::tui::filter::Searchable::of(r, r.stuck.is_some());
            !self.table.matches(&text, &find)
        })
    }

    /// Which workflow's history to read now; the rule is [`DetailState::wanted`]'s.
    pub fn detail_wanted(&mut self, before: Option<&str>, data_arrived: bool) -> Option<String> {
        let row = if self.history.active() {
            self.history.selected_row()
        } else {
            self.held.visible().row(self.table.selected())
        };
        self.detail.wanted(before, row, data_arrived)
    }

    #[cfg(test)]
    pub fn held_mut(&mut self) -> &mut Held {
        &mut self.held
    }

    /// Edits a held row in place; tests follow it with `recompute`.
    #[cfg(test)]
    pub fn row_mut(&mut self, id: &str) -> Option<&mut Row> {
        self.held.row_mut(id)
    }

    pub fn keep_selection_visible(&mut self, shown: usize) {
        if self.history.active() {
            return self.history.keep_selection_visible(shown);
        }
        let total = self.held.visible().len();
        self.table.keep_selection_visible(shown, total);
    }
}
