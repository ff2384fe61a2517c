//! The selected workflow's history as last read, how far it is scrolled, and the one rule
//! for when to read it again.

use super::Row;
use crate::tui::msg::Detail;

#[derive(Debug, Clone, Default)]
pub struct DetailState {
    loaded: Option<Detail>,
    scroll: u16,
}

impl DetailState {
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

    /// Keeps a history that arrived, if it is of the workflow selected now (the selection
    /// may have moved on while it was read).
    pub fn accept(&mut self, d: Detail, selected: Option<&str>) {
        if selected == Some(d.workflow.id.as_str()) {
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
        let now = selected.map(|r| r.wf.id.as_str());
        if now != before {
            self.scroll = 0;
            if now.is_none() {
                self.loaded = None;
            }
            return now.map(str::to_string);
        }
        let r = selected.filter(|_| data_arrived)?;
        let stale = match &self.loaded {
            None => true,
            Some(d) => d.workflow.id == r.wf.id && d.workflow.version != r.wf.version,
        };
        stale.then(|| r.wf.id.clone())
    }
}
