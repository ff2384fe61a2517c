//! The workflows table as the operator has set it: which quick view, which filter, which
//! sort, which row is selected and where the table is scrolled to, and which workflow the
//! selection is pinned to.

use crate::model::Status;
use crate::tui::filter::{Filter, Searchable};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickView {
    All,
    Running,
    Stuck,
    Failed,
    Paused,
    Completed,
    Cancelled,
}

impl QuickView {
    pub fn label(self) -> &'static str {
        match self {
            QuickView::All => "all",
            QuickView::Running => "running",
            QuickView::Stuck => "stuck",
            QuickView::Failed => "failed",
            QuickView::Paused => "paused",
            QuickView::Completed => "completed",
            QuickView::Cancelled => "cancelled",
        }
    }
}

/// The table's sort orders. The default, `Status`, moves a row only when its status or
/// stuck mark changes; `Updated` reorders on every write, so it is one to choose, not the
/// default (see docs/DECISIONS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Status,
    Age,
    Build,
    Progress,
    TimeInPhase,
    Updated,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Status => SortKey::Age,
            SortKey::Age => SortKey::Build,
            SortKey::Build => SortKey::Progress,
            SortKey::Progress => SortKey::TimeInPhase,
            SortKey::TimeInPhase => SortKey::Updated,
            SortKey::Updated => SortKey::Status,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Updated => "updated",
            SortKey::Age => "age",
            SortKey::Build => "build",
            SortKey::Progress => "progress",
            SortKey::Status => "status",
            SortKey::TimeInPhase => "time in phase",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// Index into the visible list.
    selected: usize,
    /// The first visible row drawn.
    offset: usize,
    sort: SortKey,
    view: QuickView,
    filter_text: String,
    filter: Filter,
    /// What is wrong with the filter text (an unknown key or value), for the operator.
    filter_error: Option<String>,
    /// The selected workflow: shown even when it stops matching the view or filter (an
    /// action in the failed view must not move the cursor to another workflow), until the
    /// selection moves on.
    pin: Option<Pin>,
    /// Whether the operator has put the selection anywhere (a key, a click, a jump) since
    /// the dashboard opened or the view or filter changed. Until then the selection stays
    /// on the first row as rows arrive, so the trouble sorted first is what the detail shows;
    /// after, it follows its workflow wherever the rows move it.
    placed: bool,
    /// Named filters from the config file (`[views]`), and which one is applied.
    saved: Vec<(String, String)>,
    saved_at: Option<usize>,
}

/// The pinned workflow's id, and the same folded as it is in each row's folded text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pin {
    id: String,
    folded: String,
}

impl Default for Table {
    fn default() -> Table {
        Table {
            selected: 0,
            offset: 0,
            sort: SortKey::Status,
            view: QuickView::All,
            filter_text: String::new(),
            filter: Filter::default(),
            filter_error: None,
            pin: None,
            placed: false,
            saved: Vec::new(),
            saved_at: None,
        }
    }
}

impl Table {
    /// Whether the operator has placed the selection since opening or the last new view or
    /// filter (until then it stays on the first row as rows arrive).
    pub fn placed(&self) -> bool {
        self.placed
    }
    pub(super) fn set_placed(&mut self, placed: bool) {
        self.placed = placed;
    }
    pub fn selected(&self) -> usize {
        self.selected
    }
    pub fn offset(&self) -> usize {
        self.offset
    }
    pub fn sort(&self) -> SortKey {
        self.sort
    }
    pub fn view(&self) -> QuickView {
        self.view
    }
    pub fn filter(&self) -> &Filter {
        &self.filter
    }
    pub fn filter_text(&self) -> &str {
        &self.filter_text
    }
    pub fn filter_error(&self) -> Option<&str> {
        self.filter_error.as_deref()
    }
    pub fn pin(&self) -> Option<&str> {
        self.pin.as_ref().map(|p| p.id.as_str())
    }

    /// Whether the table shows workflow `id` with these fields: it matches the view and
    /// filter, or it is the pinned selection.
    /// The id is asked for only when the folded one matches the pin's.
    pub fn shows<'a>(&self, id: impl FnOnce() -> &'a str, text: &str, find: &Searchable) -> bool {
        self.matches(text, find) || self.is_pinned(id, text, find)
    }

    /// Whether `id` is the pinned selection. The folded id, in `text` beside the rest of the
    /// row's, is compared first: a filter keystroke asks this of every row that does not
    /// match, and reading each id itself would be a cache miss a row.
    fn is_pinned<'a>(&self, id: impl FnOnce() -> &'a str, text: &str, find: &Searchable) -> bool {
        self.pin
            .as_ref()
            .is_some_and(|p| find.folded_id(text) == p.folded && p.id == id())
    }

    /// Whether the current view and filter match a workflow with these fields.
    pub fn matches(&self, text: &str, find: &Searchable) -> bool {
        let in_view = match self.view {
            QuickView::All => true,
            QuickView::Running => find.status() == Status::Running,
            QuickView::Stuck => find.stuck,
            QuickView::Failed => find.status() == Status::Failed,
            QuickView::Paused => find.status() == Status::Paused,
            QuickView::Completed => find.status() == Status::Completed,
            QuickView::Cancelled => find.status() == Status::Cancelled,
        };
        in_view && self.filter.matches_searchable(text, find)
    }

    /// Whether a row turning stuck (or not) can move it in or out of the table or change its
    /// place: then passing time must re-place rows, not only re-mark them.
    pub fn depends_on_stuck(&self) -> bool {
        self.sort == SortKey::Status || self.view == QuickView::Stuck || self.filter.uses_stuck()
    }

    pub(super) fn select(&mut self, i: usize) {
        self.selected = i;
    }
    pub(super) fn set_sort(&mut self, key: SortKey) {
        self.sort = key;
    }
    pub(super) fn set_view(&mut self, v: QuickView) {
        self.view = v;
        self.saved_at = None;
    }
    pub(super) fn set_filter(&mut self, text: String, error: Option<String>) {
        self.filter = Filter::parse(&text);
        self.filter_text = text;
        self.filter_error = error;
        self.saved_at = None;
    }
    pub(super) fn set_saved(&mut self, views: Vec<(String, String)>) {
        self.saved = views;
        self.saved_at = None;
    }
    /// The saved view after the one applied (the first when none is), as (index, filter).
    pub(super) fn next_saved(&self) -> Option<(usize, String)> {
        let n = self.saved.len();
        (n > 0).then(|| {
            let i = self.saved_at.map_or(0, |i| (i + 1) % n);
            (i, self.saved[i].1.clone())
        })
    }
    /// The saved views, as (name, filter), in file order.
    pub fn saved(&self) -> &[(String, String)] {
        &self.saved
    }
    pub(super) fn mark_saved(&mut self, i: usize) {
        self.saved_at = Some(i);
    }
    /// What the title calls the rows shown: the saved view's name, or the quick view's.
    pub fn view_label(&self) -> &str {
        match self.saved_at.and_then(|i| self.saved.get(i)) {
            Some((name, _)) => name,
            None => self.view.label(),
        }
    }
    /// Pins the selection to `id`; returns the workflow pinned before.
    pub(super) fn set_pin(&mut self, id: Option<String>) -> Option<String> {
        let pin = id.map(|id| Pin {
            folded: crate::tui::filter::fold_field(&id),
            id,
        });
        std::mem::replace(&mut self.pin, pin).map(|p| p.id)
    }

    /// Scrolls so the selection is among the `shown` rows drawn, and never past the end of
    /// `total` rows.
    pub fn keep_selection_visible(&mut self, shown: usize, total: usize) {
        let shown = shown.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + shown {
            self.offset = self.selected + 1 - shown;
        }
        self.offset = self.offset.min(total.saturating_sub(shown));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::workflow;

    #[test]
    fn the_pinned_workflow_is_shown_and_no_other_whose_id_folds_alike() {
        let mut t = Table::default();
        t.set_filter("borealis".into(), None);
        t.set_pin(Some("W-Atlas".into()));
        let shows = |t: &Table, id: &str| {
            let (text, find) =
                Searchable::of(&workflow(id, "atlas-1", "coding", Status::Running), false);
            t.shows(|| id, &text, &find)
        };
        assert!(
            shows(&t, "W-Atlas"),
            "pinned, though the filter does not match"
        );
        assert!(!shows(&t, "w-atlas"), "same folded id, another workflow");
        assert!(!shows(&t, "W-Other"));
        t.set_pin(None);
        assert!(!shows(&t, "W-Atlas"), "no longer pinned");
        t.set_filter("atlas".into(), None);
        assert!(shows(&t, "w-other"), "matching the filter");
    }
}
