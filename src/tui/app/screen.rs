//! How the screen is arranged: its size, which pane has the focus, and whether that pane
//! fills the screen.

/// A pane's name; the pane registry (`tui::pane`) maps it to the pane itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PaneId(pub &'static str);

#[derive(Debug, Clone)]
pub struct Screen {
    size: (u16, u16),
    /// `None` until the operator moves it: the first registered pane has the focus.
    focus: Option<PaneId>,
    zoomed: bool,
}

impl Default for Screen {
    fn default() -> Screen {
        Screen {
            size: (80, 24),
            focus: None,
            zoomed: false,
        }
    }
}

impl Screen {
    pub fn size(&self) -> (u16, u16) {
        self.size
    }
    pub fn focus(&self) -> Option<PaneId> {
        self.focus
    }
    pub fn zoomed(&self) -> bool {
        self.zoomed
    }
    pub fn resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
    }
    pub fn focus_on(&mut self, pane: PaneId) {
        self.focus = Some(pane);
    }
    pub fn set_zoomed(&mut self, on: bool) {
        self.zoomed = on;
    }
}
