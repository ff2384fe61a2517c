//! The confirmation dialog: what an action will write, worked out before it opens (by the
//! action's entry in `keys::actions`), and the keys that choose, type a reason, confirm or
//! cancel. It holds data only, so any action can open it and nothing here names one
//! (except that a failure's error is the reason typed: the engine stores it as such).
//! It acts on one workflow, or on the marked ones: each then in its own transaction.
//!
//! Choosing, typing and confirming are separate stages, so no key means two things at once:
//! a target is picked with ↑/↓ and fixed with Enter before the reason field takes keys
//! (where arrows move the text cursor), and an irreversible action is confirmed only by `y`.

use crate::engine::Request;
use crate::engine::bulk::{Intent, Selected};
use crate::model::Action;
use crate::tui::msg::Cmd;
use crate::tui::text_field::{Edit, TextField};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One thing the dialog can do: e.g. a rollback has one per earlier phase.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The phase shown in the target list (empty when there is nothing to choose).
    pub label: String,
    /// Exactly what it will write, as the engine's rules plan it.
    pub lines: Vec<String>,
    pub intent: Intent,
}

/// What the dialog acts on, each as shown: acting expects that version, so a workflow
/// that moved on since is a conflict and untouched.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    One(Selected),
    /// The marked workflows, in build-id order.
    Marked(Vec<Selected>),
}

/// Where the dialog is: each stage takes its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// ↑/↓ pick the target; Enter fixes it.
    Target,
    /// Typing the reason; Enter goes on once there is one.
    Reason,
    /// `y` performs (and Enter too, unless the action is irreversible).
    Confirm,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    title: String,
    subject: Subject,
    choices: Vec<Choice>,
    chosen: usize,
    needs_reason: bool,
    /// Only an explicit `y` confirms it: Enter alone (typed to end a reason, or by habit)
    /// must not discard outputs or end a workflow.
    irreversible: bool,
    reason: TextField,
    stage: Stage,
    /// Said above the plan, e.g. that live refresh is paused and the screen may be old.
    warning: Option<String>,
    /// Why the last key did not go on (no reason yet, Enter on an irreversible action).
    notice: Option<String>,
}

/// What a key did to the dialog.
pub enum Step {
    Open(Confirm),
    Cancelled(Confirm),
    Submitted(Confirm),
}

/// The dialog's keys, as help lists them.
pub const KEYS: &[(&str, &str)] = &[
    ("↑/↓ j/k", "choose the target phase (rollback), then Enter"),
    ("Shift-Tab", "back to the previous step"),
    (
        "y",
        "confirm (the only key that confirms cancel, fail, rollback)",
    ),
    ("Enter", "next step; confirms only reversible actions"),
    ("n Esc Ctrl-C", "cancel: nothing is written"),
];

impl Confirm {
    /// A dialog on `subject`; `choices` is never empty.
    pub fn new(title: impl Into<String>, subject: Subject, choices: Vec<Choice>) -> Confirm {
        debug_assert!(!choices.is_empty());
        let mut c = Confirm {
            title: title.into(),
            subject,
            choices,
            chosen: 0,
            needs_reason: false,
            irreversible: false,
            reason: TextField::default(),
            stage: Stage::Confirm,
            warning: None,
            notice: None,
        };
        c.stage = c.first_stage();
        c
    }

    /// Asks for a reason before it can be confirmed.
    pub fn with_reason(mut self) -> Confirm {
        self.needs_reason = true;
        self.stage = self.first_stage();
        self
    }
    /// Confirmed only by `y`.
    pub fn irreversible(mut self) -> Confirm {
        self.irreversible = true;
        self
    }
    pub fn warn(mut self, warning: impl Into<String>) -> Confirm {
        self.warning = Some(warning.into());
        self
    }

    fn first_stage(&self) -> Stage {
        if self.targets().len() > 1 {
            Stage::Target
        } else if self.needs_reason {
            Stage::Reason
        } else {
            Stage::Confirm
        }
    }

    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn subject(&self) -> &Subject {
        &self.subject
    }
    /// What the status line says is under way: a build id, or how many marked.
    pub fn target_label(&self) -> String {
        match &self.subject {
            Subject::One(w) => w.build_id.clone(),
            Subject::Marked(m) => format!("{} marked workflows", m.len()),
        }
    }
    pub fn needs_reason(&self) -> bool {
        self.needs_reason
    }
    pub fn is_irreversible(&self) -> bool {
        self.irreversible
    }
    pub fn reason(&self) -> &TextField {
        &self.reason
    }
    pub fn stage(&self) -> Stage {
        self.stage
    }
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
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
    pub fn intent(&self) -> &Intent {
        &self.choices[self.chosen].intent
    }

    /// The keys that work in the current stage, for the dialog's last line.
    pub fn hint(&self) -> String {
        let back = if self.can_go_back() {
            " · Shift-Tab back"
        } else {
            ""
        };
        match self.stage {
            Stage::Target => "↑/↓ choose the phase · Enter next · Esc cancel".into(),
            Stage::Reason if self.irreversible => {
                format!("type the reason · Enter next{back} · Esc cancel")
            }
            Stage::Reason => format!("type the reason · Enter confirm{back} · Esc cancel"),
            Stage::Confirm if self.irreversible => {
                format!("y confirm · n/Esc cancel{back} (Enter does not confirm this)")
            }
            Stage::Confirm => format!("y/Enter confirm · n/Esc cancel{back}"),
        }
    }

    /// The command that performs what was confirmed, on behalf of `actor`.
    pub fn into_cmd(self, actor: &str) -> Cmd {
        let reason = self.reason.text().trim();
        let reason = (!reason.is_empty()).then(|| reason.to_string());
        let mut intent = self.choices[self.chosen].intent.clone();
        if let (Intent::Do(Action::Fail { error }), Some(r)) = (&mut intent, &reason) {
            error.clone_from(r);
        }
        match (self.subject, intent) {
            (Subject::One(w), Intent::Do(action)) => Cmd::Perform {
                workflow_id: w.id,
                request: Request {
                    action,
                    actor: actor.to_string(),
                    reason,
                    expected_version: Some(w.version),
                },
            },
            (Subject::One(w), intent) => Cmd::PerformBulk {
                items: vec![w],
                intent,
                actor: actor.to_string(),
                reason: reason.unwrap_or_default(),
            },
            (Subject::Marked(items), intent) => Cmd::PerformBulk {
                items,
                intent,
                actor: actor.to_string(),
                reason: reason.unwrap_or_default(),
            },
        }
    }

    /// Moves to the next or previous choice, stopping at either end: wrapping around would
    /// turn "to the previous phase" into "to the very first" with one key too many.
    pub fn choose(&mut self, forward: bool) {
        let last = self.choices.len() - 1;
        self.chosen = if forward {
            (self.chosen + 1).min(last)
        } else {
            self.chosen.saturating_sub(1)
        };
    }

    /// Types `text` into the reason (tests and snapshots).
    #[cfg(test)]
    pub fn type_reason(&mut self, text: &str) {
        for ch in text.chars() {
            self.reason
                .on_key(&KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE));
        }
    }

    fn can_go_back(&self) -> bool {
        self.previous_stage().is_some()
    }
    fn previous_stage(&self) -> Option<Stage> {
        let multi = self.targets().len() > 1;
        match self.stage {
            Stage::Target => None,
            Stage::Reason => multi.then_some(Stage::Target),
            Stage::Confirm if self.needs_reason => Some(Stage::Reason),
            Stage::Confirm => multi.then_some(Stage::Target),
        }
    }
    /// Enter from `Target` or `Reason`: the next stage, or submitted.
    fn next(mut self) -> Step {
        if self.stage == Stage::Target && self.needs_reason {
            self.stage = Stage::Reason;
        } else if self.needs_reason && self.reason.text().trim().is_empty() {
            self.notice = Some("a reason is required: type it, then Enter".into());
        } else if self.irreversible {
            self.stage = Stage::Confirm;
        } else {
            return Step::Submitted(self);
        }
        Step::Open(self)
    }

    /// Handles one key.
    pub fn on_key(mut self, k: &KeyEvent) -> Step {
        self.notice = None;
        // An Esc typed just before a letter reaches us as Alt+letter: never read it as
        // the letter (Esc then `y` must not confirm).
        if k.modifiers.contains(KeyModifiers::ALT) {
            return Step::Open(self);
        }
        let ctrl_c = k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c');
        if k.code == KeyCode::Esc || ctrl_c {
            return Step::Cancelled(self);
        }
        if k.code == KeyCode::BackTab {
            if let Some(s) = self.previous_stage() {
                self.stage = s;
            }
            return Step::Open(self);
        }
        match self.stage {
            Stage::Target => match k.code {
                KeyCode::Up | KeyCode::Char('k') => self.choose(false),
                KeyCode::Down | KeyCode::Char('j') => self.choose(true),
                KeyCode::Enter | KeyCode::Tab => return self.next(),
                KeyCode::Char('n' | 'N' | 'q') => return Step::Cancelled(self),
                _ => {}
            },
            // Every other key belongs to the text: arrows move its cursor, never the target.
            Stage::Reason => match self.reason.on_key(k) {
                Edit::Submit => return self.next(),
                Edit::Cancel => return Step::Cancelled(self),
                _ => {}
            },
            Stage::Confirm => match k.code {
                KeyCode::Char('y' | 'Y') => return Step::Submitted(self),
                KeyCode::Enter if !self.irreversible => return Step::Submitted(self),
                KeyCode::Enter => {
                    let verb = self.title.to_lowercase();
                    self.notice = Some(format!("press y to {verb}: Enter alone does not"));
                }
                KeyCode::Char('n' | 'N' | 'q') => return Step::Cancelled(self),
                _ => {}
            },
        }
        Step::Open(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(label: &str, to: &str) -> Choice {
        Choice {
            label: label.into(),
            lines: vec![format!("Roll back to {to}")],
            intent: Intent::Do(Action::Rollback {
                to: Some(to.into()),
            }),
        }
    }
    fn rollback() -> Confirm {
        let choices = vec![
            choice("review", "review"),
            choice("testing", "testing"),
            choice("coding", "coding"),
        ];
        Confirm::new("Roll back", one("b-1", 4), choices)
            .with_reason()
            .irreversible()
    }
    fn one(build: &str, version: i64) -> Subject {
        Subject::One(Selected {
            id: "id".into(),
            build_id: build.into(),
            version,
        })
    }
    fn request(c: Confirm) -> Request {
        match c.into_cmd("op") {
            Cmd::Perform { request, .. } => request,
            other => panic!("one workflow is performed alone: {other:?}"),
        }
    }
    fn press(c: Confirm, code: KeyCode) -> Step {
        c.on_key(&KeyEvent::new(code, KeyModifiers::NONE))
    }
    fn open(s: Step) -> Confirm {
        match s {
            Step::Open(c) => c,
            Step::Cancelled(_) => panic!("cancelled"),
            Step::Submitted(_) => panic!("submitted"),
        }
    }
    fn keys(mut c: Confirm, codes: &[KeyCode]) -> Confirm {
        for code in codes {
            c = open(press(c, *code));
        }
        c
    }

    #[test]
    fn arrows_in_the_reason_move_the_text_cursor_never_the_target() {
        use KeyCode::*;
        let c = keys(rollback(), &[Down, Enter]);
        assert_eq!(c.stage(), Stage::Reason);
        assert_eq!(c.targets()[c.chosen()], "testing");
        let mut c = c;
        c.type_reason("flaky tset");
        let c = keys(c, &[Left, Left, Left, Left, Right, Up, Down, Tab, Right]);
        assert_eq!(c.targets()[c.chosen()], "testing", "the target stayed");
        assert_eq!(c.reason().cursor(), 8);
        let c = keys(c, &[Backspace, Right, Char('s')]);
        assert_eq!(c.reason().text(), "flaky test");
        assert_eq!(
            c.intent(),
            &Intent::Do(Action::Rollback {
                to: Some("testing".into())
            })
        );
    }

    #[test]
    fn alt_letters_neither_confirm_nor_type() {
        let c = keys(rollback(), &[KeyCode::Enter]);
        let mut c = c;
        c.type_reason("why");
        let c = keys(c, &[KeyCode::Enter]);
        let alt_y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::ALT);
        let c = open(c.on_key(&alt_y));
        assert_eq!(c.stage(), Stage::Confirm);
        assert_eq!(c.reason().text(), "why");
    }

    #[test]
    fn choosing_the_target_stops_at_either_end() {
        use KeyCode::*;
        let c = keys(rollback(), &[Up]);
        assert_eq!(c.chosen(), 0, "no wrap to the earliest phase");
        let c = keys(c, &[Down, Down, Down, Char('j')]);
        assert_eq!(c.chosen(), 2, "no wrap back to the nearest");
    }

    #[test]
    fn enter_never_confirms_an_irreversible_action_only_y_does() {
        use KeyCode::*;
        let c = keys(rollback(), &[Enter, Enter]);
        assert_eq!(c.stage(), Stage::Reason, "no reason yet");
        assert!(c.notice().unwrap().contains("reason is required"));
        let mut c = c;
        c.type_reason("spec changed");
        let c = keys(c, &[Enter, Enter, Enter]);
        assert_eq!(c.stage(), Stage::Confirm);
        assert!(c.notice().unwrap().contains("press y"));
        let Step::Submitted(c) = press(c, Char('y')) else {
            panic!("y confirms")
        };
        let r = request(c);
        assert_eq!(r.reason.as_deref(), Some("spec changed"));
        assert_eq!(r.expected_version, Some(4));
    }

    #[test]
    fn y_and_n_are_text_in_the_reason_and_shift_tab_goes_back() {
        use KeyCode::*;
        let c = keys(rollback(), &[Enter, Char('y'), Char('n'), Char('q')]);
        assert_eq!(c.reason().text(), "ynq");
        let c = keys(c, &[BackTab]);
        assert_eq!(c.stage(), Stage::Target);
        let c = keys(c, &[Down]);
        assert_eq!(c.chosen(), 1);
        assert!(matches!(press(c, Char('n')), Step::Cancelled(_)));
    }

    #[test]
    fn ctrl_c_cancels_and_a_reversible_action_confirms_with_enter() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        let c = open(press(rollback(), KeyCode::Enter));
        assert!(matches!(c.on_key(&ctrl_c), Step::Cancelled(_)));
        let fail = Confirm::new(
            "Fail",
            one("b", 1),
            vec![Choice {
                label: String::new(),
                lines: Vec::new(),
                intent: Intent::Do(Action::Fail {
                    error: "(preview)".into(),
                }),
            }],
        )
        .with_reason();
        assert_eq!(fail.stage(), Stage::Reason, "nothing to choose");
        let mut fail = fail;
        fail.type_reason(" disk full ");
        let Step::Submitted(f) = press(fail, KeyCode::Enter) else {
            panic!("not irreversible here: Enter confirms")
        };
        assert_eq!(
            request(f).action,
            Action::Fail {
                error: "disk full".into()
            },
            "the reason is the error"
        );
    }
}
