//! What is drawn over the panes and takes the keys first: the help, a confirmation, and
//! the filter prompt in the footer.

use crate::tui::confirm::Confirm;

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help,
    Confirm(Confirm),
}

#[derive(Debug, Clone, Default)]
pub struct Overlays {
    shown: Option<Overlay>,
    prompt: bool,
}

impl Overlays {
    pub fn shown(&self) -> Option<&Overlay> {
        self.shown.as_ref()
    }
    pub fn prompt_open(&self) -> bool {
        self.prompt
    }
    pub fn show(&mut self, o: Overlay) {
        self.shown = Some(o);
    }
    /// Takes the overlay off the screen to hand it its key; `show` puts it back.
    pub fn take(&mut self) -> Option<Overlay> {
        self.shown.take()
    }
    pub fn open_prompt(&mut self) {
        self.prompt = true;
    }
    pub fn close_prompt(&mut self) {
        self.prompt = false;
    }
}
