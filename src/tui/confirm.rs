//! The confirmation dialog: what an action will write, worked out before it opens (by the
//! action's entry in `keys::actions`), and the keys that choose, type a reason, confirm or
//! cancel. It holds data only, so any action can open it and nothing here names one.

use crate::engine::Request;
use crate::model::Action;
use crossterm::event::{KeyCode, KeyEvent};

/// One thing the dialog can do: e.g. a rollback has one per earlier phase.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The phase shown in the target row (empty when there is nothing to choose).
    pub label: String,
    /// Exactly what it will write, as the engine's rules plan it.
    pub lines: Vec<String>,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    title: String,
    workflow_id: String,
    build_id: String,
    /// The version on screen: the action fails with a conflict if the workflow moved on.
    version: i64,
    choices: Vec<Choice>,
    chosen: usize,
    needs_reason: bool,
    reason: String,
}

/// What a key did to the dialog.
pub enum Step {
    Open(Confirm),
    Cancelled(Confirm),
    Submitted(Confirm),
}

impl Confirm {
    /// A dialog on workflow `workflow_id` as shown at `version`; `choices` is never empty.
    pub fn new(
        title: impl Into<String>,
        (workflow_id, build_id, version): (String, String, i64),
        choices: Vec<Choice>,
        needs_reason: bool,
    ) -> Confirm {
        debug_assert!(!choices.is_empty());
        Confirm {
            title: title.into(),
            workflow_id,
            build_id,
            version,
            choices,
            chosen: 0,
            needs_reason,
            reason: String::new(),
        }
    }

    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn workflow_id(&self) -> &str {
        &self.workflow_id
    }
    pub fn build_id(&self) -> &str {
        &self.build_id
    }
    pub fn needs_reason(&self) -> bool {
        self.needs_reason
    }
    pub fn reason(&self) -> &str {
        &self.reason
    }
    pub fn lines(&self) -> &[String] {
        &self.choices[self.chosen].lines
    }
    /// The labels of the choices, and which is chosen.
    pub fn targets(&self) -> Vec<&str> {
        self.choices
            .iter()
            .map(|c| c.label.as_str())
            .filter(|l| !l.is_empty())
            .collect()
    }
    pub fn chosen(&self) -> usize {
        self.chosen
    }
    pub fn action(&self) -> &Action {
        &self.choices[self.chosen].action
    }

    pub fn request(&self, actor: &str) -> Request {
        Request {
            action: self.action().clone(),
            actor: actor.to_string(),
            reason: (!self.reason.trim().is_empty()).then(|| self.reason.trim().to_string()),
            expected_version: Some(self.version),
        }
    }

    /// Moves to the next or previous choice, wrapping around.
    pub fn cycle(&mut self, forward: bool) {
        let n = self.choices.len();
        self.chosen = if forward {
            (self.chosen + 1) % n
        } else {
            (self.chosen + n - 1) % n
        };
    }

    pub fn type_char(&mut self, c: char) {
        self.reason.push(c);
    }

    /// Handles one key. While a reason is asked for, letters are typed text, not y/n.
    pub fn on_key(mut self, k: &KeyEvent) -> Step {
        let typing = self.needs_reason;
        match k.code {
            KeyCode::Esc => return Step::Cancelled(self),
            KeyCode::Enter => return Step::Submitted(self),
            KeyCode::Char('y') | KeyCode::Char('Y') if !typing => return Step::Submitted(self),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Char('q') if !typing => {
                return Step::Cancelled(self);
            }
            KeyCode::Left | KeyCode::Up if typing => self.cycle(false),
            KeyCode::Right | KeyCode::Down | KeyCode::Tab if typing => self.cycle(true),
            KeyCode::Backspace if typing => {
                self.reason.pop();
            }
            KeyCode::Char(ch) if typing && !ch.is_control() => self.type_char(ch),
            _ => {}
        }
        Step::Open(self)
    }
}
