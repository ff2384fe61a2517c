//! What is drawn over the panes and takes the keys first: the help (and how far it is
//! scrolled), a confirmation, the copy menu, a diff, and the filter prompt in the footer.

use crate::tui::confirm::Confirm;
use crate::tui::copy_menu::CopyMenu;
use crate::tui::text_field::TextField;
use crate::tui::travel::DiffText;

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The first help line shown.
    Help(usize),
    Confirm(Confirm),
    Copy(CopyMenu),
    /// The diff of the selected workflow's phase outputs (`d`).
    Diff(DiffView),
}

/// A diff on screen and the first of its lines shown.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffView {
    pub text: DiffText,
    pub at: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Overlays {
    shown: Option<Overlay>,
    /// The filter being typed, when the prompt is open.
    prompt: Option<TextField>,
}

impl Overlays {
    pub fn shown(&self) -> Option<&Overlay> {
        self.shown.as_ref()
    }
    pub fn prompt_open(&self) -> bool {
        self.prompt.is_some()
    }
    pub fn prompt(&self) -> Option<&TextField> {
        self.prompt.as_ref()
    }
    pub fn show(&mut self, o: Overlay) {
        self.shown = Some(o);
    }
    /// Takes the overlay off the screen to hand it its key; `show` puts it back.
    pub fn take(&mut self) -> Option<Overlay> {
        self.shown.take()
    }
    /// Opens the prompt on the filter as it is, the cursor at its end.
    pub fn open_prompt(&mut self, text: &str) {
        self.prompt = Some(TextField::with(text));
    }
    pub fn prompt_mut(&mut self) -> Option<&mut TextField> {
        self.prompt.as_mut()
    }
    pub fn close_prompt(&mut self) {
        self.prompt = None;
    }
}
