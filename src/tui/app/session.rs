//! The session: which database, opened how, how changes reach it and whether that is
//! working, the one message the footer shows, and what the terminal itself is asked to do
//! (copy to the clipboard, capture the mouse or not).

use crate::model::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// Something only the terminal can do. `update` records it here (it does no I/O); the
/// runtime takes the list after each update and writes it (`terminal::TerminalGuard::apply`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermRequest {
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
    /// Capture the mouse (clicks and the wheel reach baton) or not (the terminal selects).
    Mouse(bool),
    /// Ring the bell and show a desktop notification.
    Notify { title: String, body: String },
}

#[derive(Debug, Clone)]
pub struct Session {
    label: String,
    read_only: bool,
    /// Who actions are recorded as (`--actor`).
    actor: String,
    /// Colours on; off under `NO_COLOR` (selection and marks then rely on bold/reverse).
    color: bool,
    /// Colours chosen for a light background (config `theme = "light"`).
    light: bool,
    mouse: bool,
    /// Live refresh paused by the operator (`p`).
    paused: bool,
    /// Why changes are polled rather than pushed, when they are.
    polling: Option<String>,
    /// The worker could not read: shown until the next good read.
    problem: Option<String>,
    last_refresh: Option<Timestamp>,
    flash: Option<(Level, String)>,
    requests: Vec<TermRequest>,
}

impl Session {
    pub fn new(label: String, read_only: bool) -> Session {
        Session {
            label,
            read_only,
            actor: "operator:dashboard".into(),
            color: true,
            light: false,
            mouse: true,
            paused: false,
            polling: None,
            problem: None,
            last_refresh: None,
            flash: None,
            requests: Vec::new(),
        }
    }

    pub fn label(&self) -> &str {
        &self.label
    }
    pub fn read_only(&self) -> bool {
        self.read_only
    }
    pub fn actor(&self) -> &str {
        &self.actor
    }
    pub fn color(&self) -> bool {
        self.color
    }
    pub fn light(&self) -> bool {
        self.light
    }
    pub fn mouse(&self) -> bool {
        self.mouse
    }
    pub fn paused(&self) -> bool {
        self.paused
    }
    pub fn polling(&self) -> Option<&str> {
        self.polling.as_deref()
    }
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
    pub fn last_refresh(&self) -> Option<Timestamp> {
        self.last_refresh
    }
    pub fn flash(&self) -> Option<&(Level, String)> {
        self.flash.as_ref()
    }

    pub fn set_actor(&mut self, actor: impl Into<String>) {
        self.actor = actor.into();
    }
    pub fn set_color(&mut self, on: bool) {
        self.color = on;
    }
    pub fn set_light(&mut self, on: bool) {
        self.light = on;
    }
    pub fn set_mouse(&mut self, on: bool) {
        self.mouse = on;
    }
    /// Flips live refresh; returns whether it is now paused.
    pub fn toggle_paused(&mut self) -> bool {
        self.paused = !self.paused;
        self.paused
    }
    pub fn set_polling(&mut self, why: Option<String>) {
        self.polling = why;
    }
    pub fn set_problem(&mut self, problem: String) {
        self.problem = Some(problem);
    }
    pub fn clear_problem(&mut self) {
        self.problem = None;
    }
    pub fn refreshed(&mut self, at: Timestamp) {
        self.last_refresh = Some(at);
    }
    pub fn say(&mut self, level: Level, msg: impl Into<String>) {
        self.flash = Some((level, msg.into()));
    }
    pub fn clear_flash(&mut self) {
        self.flash = None;
    }

    /// Asks the terminal to put `text` on the clipboard and says so in the footer.
    pub fn copy(&mut self, what: &str, text: &str) {
        self.requests.push(TermRequest::Copy(text.to_string()));
        self.say(
            Level::Info,
            format!("copied {what} {text} to the clipboard"),
        );
    }
    /// Turns mouse capture off (the terminal can select text) or back on.
    pub fn toggle_mouse(&mut self) {
        self.mouse = !self.mouse;
        self.requests.push(TermRequest::Mouse(self.mouse));
        self.say(
            Level::Info,
            if self.mouse {
                "mouse on: click selects, the wheel scrolls (m: off, to select text)"
            } else {
                "mouse off: drag to select text in the terminal; m turns it back on"
            },
        );
    }
    /// Asks the terminal to announce `body` (bell and desktop notification) and says it in
    /// the footer too.
    pub fn notify(&mut self, title: String, body: String) {
        self.say(Level::Error, body.clone());
        self.requests.push(TermRequest::Notify { title, body });
    }
    /// What the terminal has been asked to do and has not done yet.
    pub fn requests(&self) -> &[TermRequest] {
        &self.requests
    }
    pub fn take_requests(&mut self) -> Vec<TermRequest> {
        std::mem::take(&mut self.requests)
    }
}
