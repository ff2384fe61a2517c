//! The selected workflow's history as last read, how far it is scrolled, and the one rule
//! for when to read it again. A workflow reached from the event log that the table does not
//! hold is *pinned*: its history is shown instead of the selection's until Esc or the
//! selection moves.

use super::Row;
use crate::tui::drawn::Drawn;
use crate::tui::msg::Detail;
use std::cell::Cell;

#[derive(Debug, Clone, Default)]
pub struct DetailState {
    loaded: Option<Detail>,
    scroll: u16,
    pinned: Option<String>,
    /// The selection's history must be read again (a pin was let go).
    again: bool,
    /// How many lines the pane's text took when last wrapped: (the text's hash, width,
    /// lines). Wrapping the whole text to count them was most of the pane's cost a frame,
    /// and between changes of the text (its durations tick once a second) it is the same.
    wrapped: Cell<Option<(u64, u16, usize)>>,
    /// The pane's cells as last drawn.
    drawn: Drawn,
}

impl DetailState {
    /// The lines a text of hash `key` wraps to at `width`, counted by `count` only when that
    /// text or width was not the last one counted.
    pub fn wrapped_lines(&self, key: u64, width: u16, count: impl FnOnce() -> usize) -> usize {
        match self.wrapped.get() {
            Some((k, w, n)) if k == key && w == width => n,
            _ => {
                let n = count();
                self.wrapped.set(Some((key, width, n)));
                n
            }
        }
    }

    pub fn drawn(&self) -> &Drawn {
        &self.drawn
    }

    /// The history read for workflow `id`, if that is the one held.
    pub fn of(&self, id: &str) -> Option<&Detail> {
        self.loaded.as_ref().filter(|d| d.workflow.id == id)
    }
    pub fn loaded(&self) -> Option<&Detail> {
        self.loaded.as_ref()
    }
    pub fn scroll(&self) -> u16 {
        self.scroll
    }

    /// The workflow shown instead of the selection, if one is pinned.
    pub fn pinned(&self) -> Option<&str> {
        self.pinned.as_deref()
    }
    /// The pinned workflow's history, once read.
    pub fn pinned_detail(&self) -> Option<&Detail> {
        self.pinned.as_deref().and_then(|id| self.of(id))
    }
    pub fn pin(&mut self, id: &str) {
        self.pinned = Some(id.to_string());
        self.scroll = 0;
    }
    /// Lets the pinned workflow go: the selection's history is shown (read again).
    pub fn unpin(&mut self) -> bool {
        let was = self.pinned.take().is_some();
        if was {
            self.again = true;
            self.scroll = 0;
        }
        was
    }

    /// Keeps a history that arrived, if it is of the workflow pinned, or else selected now
    /// (the selection may have moved on while it was read).
    pub fn accept(&mut self, d: Detail, selected: Option<&str>) {
        let shown = self.pinned.as_deref().or(selected);
        if shown == Some(d.workflow.id.as_str()) {
            self.loaded = Some(d);
        }
    }
    pub fn clear(&mut self) {
        self.loaded = None;
    }

    /// Scrolls by `delta` lines; the pane then clamps it to its content ([`Self::clamp`]).
    pub fn scroll_by(&mut self, delta: isize) {
        let delta = i16::try_from(delta).unwrap_or(if delta < 0 { i16::MIN } else { i16::MAX });
        self.scroll = self.scroll.saturating_add_signed(delta);
    }
    pub fn scroll_to_top(&mut self) {
        self.scroll = 0;
    }
    pub fn scroll_to_bottom(&mut self) {
        self.scroll = u16::MAX;
    }
    /// Keeps the scroll within the content: `max` is the first line of the last screenful.
    /// Without it, `G` set the offset far past the end and `k` then moved nothing visible.
    pub fn clamp(&mut self, max: u16) {
        self.scroll = self.scroll.min(max);
    }

    /// Which workflow's history to read now, if any. The one owner of that rule: read when
    /// the selection moves to another workflow, and when new data shows the history held
    /// is missing or of an older version — which is also how an action's own write is seen,
    /// so nothing else asks for a reload after an action.
    pub fn wanted(
        &mut self,
        before: Option<&str>,
        selected: Option<&Row>,
        data_arrived: bool,
    ) -> Option<String> {
        let now = selected.map(|r| r.id());
        if now != before {
            self.pinned = None;
            self.again = false;
            self.scroll = 0;
            if now.is_none() {
                self.loaded = None;
            }
            return now.map(str::to_string);
        }
        if self.pinned.is_some() {
            return None;
        }
        if std::mem::take(&mut self.again) {
            return now.map(str::to_string);
        }
        let r = selected.filter(|_| data_arrived)?;
        let stale = match &self.loaded {
            None => true,
            Some(d) => d.workflow.id == r.id() && d.workflow.version != r.wf.version(),
        };
        stale.then(|| r.id().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_are_counted_again_only_for_another_text_or_width() {
        let d = DetailState::default();
        let counts = Cell::new(0);
        let count = |n: usize| {
            counts.set(counts.get() + 1);
            n
        };
        assert_eq!(d.wrapped_lines(1, 40, || count(10)), 10);
        assert_eq!(d.wrapped_lines(1, 40, || count(99)), 10, "the same text");
        assert_eq!(counts.get(), 1);
        assert_eq!(d.wrapped_lines(2, 40, || count(12)), 12, "another text");
        assert_eq!(d.wrapped_lines(2, 30, || count(15)), 15, "another width");
        assert_eq!(counts.get(), 3);
    }
}
