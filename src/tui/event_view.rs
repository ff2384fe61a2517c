//! One event opened in full over the panes: every field and its data as pretty JSON,
//! scrolled with the movement keys. `w` goes to its workflow; Esc, `q` or Enter close it.
//! The text is made once, inert and bounded, when the event is opened.

use super::json_text;
use super::keys::{self, Does, Move};
use crate::model::Event;
use crate::model::text::sanitize;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

#[derive(Debug, Clone, PartialEq)]
pub struct EventView {
    seq: i64,
    workflow_id: String,
    build: Option<String>,
    /// Field lines, then the data's lines: all of it inert.
    lines: Vec<String>,
    top: usize,
}

/// What a key does to the open event.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Stay(EventView),
    Close,
    /// Close it and go to this workflow.
    Jump(String),
    Quit,
}

/// Keys the open event answers to, for its own hint line.
pub const HINT: &str = "j/k PgUp/PgDn g/G scroll · w its workflow · Esc q close";

impl EventView {
    /// `build` is the event's workflow's build id, when the dashboard holds it.
    pub fn new(e: &Event, build: Option<&str>) -> EventView {
        let s = |t: &str| sanitize(t).into_owned();
        let workflow = match build {
            Some(b) => format!("{} ({})", s(&e.workflow_id), s(b)),
            None => s(&e.workflow_id),
        };
        let mut lines = vec![
            format!("seq       #{}", e.seq),
            format!("id        {}", s(&e.id)),
            format!("type      {}", s(&e.event_type)),
            format!("by        {}", s(&e.triggered_by)),
            format!("workflow  {workflow}"),
            format!("created   {}", s(&e.created_at)),
            String::new(),
            "data".into(),
        ];
        lines.extend(
            json_text::pretty(&e.event_data)
                .lines()
                .map(|l| format!("  {l}")),
        );
        EventView {
            seq: e.seq,
            workflow_id: e.workflow_id.clone(),
            build: build.map(str::to_string),
            lines,
            top: 0,
        }
    }

    pub fn seq(&self) -> i64 {
        self.seq
    }
    pub fn workflow_id(&self) -> &str {
        &self.workflow_id
    }
    pub fn build(&self) -> Option<&str> {
        self.build.as_deref()
    }
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
    pub fn top(&self) -> usize {
        self.top
    }

    /// Handles a key on a screen of `screen`; the view's box is [`area`].
    pub fn on_key(mut self, k: &KeyEvent, screen: Rect) -> Step {
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            return Step::Quit;
        }
        match k.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => return Step::Close,
            KeyCode::Char('w') => return Step::Jump(self.workflow_id),
            _ => {}
        }
        let shown = rows(screen);
        let last = self.lines.len().saturating_sub(shown);
        let page = shown.max(1) as isize;
        let by = |top: usize, d: isize| top.saturating_add_signed(d).min(last);
        let focus = crate::tui::pane::events::ID;
        self.top = match keys::action_for(k, focus).map(|b| b.does) {
            Some(Does::Move(Move::Down)) => by(self.top, 1),
            Some(Does::Move(Move::Up)) => by(self.top, -1),
            Some(Does::Move(Move::PageDown)) => by(self.top, page),
            Some(Does::Move(Move::PageUp)) => by(self.top, -page),
            Some(Does::Move(Move::Top)) => 0,
            Some(Does::Move(Move::Bottom)) => last,
            _ => self.top,
        };
        Step::Stay(self)
    }
}

/// The box the open event is drawn in: most of the screen.
pub fn area(screen: Rect) -> Rect {
    let w = screen.width.saturating_sub(4).clamp(1, 120);
    let h = screen.height.saturating_sub(2).max(1);
    Rect {
        x: screen.x + (screen.width - w) / 2,
        y: screen.y + (screen.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Lines of text the box shows (inside its border, above its hint line).
pub fn rows(screen: Rect) -> usize {
    usize::from(area(screen).height.saturating_sub(3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::event;
    use serde_json::json;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn every_field_and_the_data_are_shown_inert() {
        let mut e = event(42, "w1", "phase_advanced");
        e.event_data = json!({"note": "a\u{1b}[2Jb", "n": [1, 2]});
        let v = EventView::new(&e, Some("atlas-1"));
        let text = v.lines().join("\n");
        for want in [
            "#42",
            "e42",
            "phase_advanced",
            "orchestrator:sim",
            "w1 (atlas-1)",
        ] {
            assert!(text.contains(want), "{want} in {text}");
        }
        assert!(
            text.contains("\"n\": [") && !text.contains('\u{1b}'),
            "{text}"
        );
    }

    #[test]
    fn it_scrolls_within_its_text_and_closes_or_jumps() {
        let mut e = event(1, "w1", "x");
        e.event_data = json!((0..100).collect::<Vec<_>>());
        let screen = Rect::new(0, 0, 80, 24);
        let v = EventView::new(&e, None);
        let last = v.lines().len() - rows(screen);
        let Step::Stay(v) = v.on_key(&key(KeyCode::Char('G')), screen) else {
            panic!()
        };
        assert_eq!(v.top(), last);
        let Step::Stay(v) = v.on_key(&key(KeyCode::Char('k')), screen) else {
            panic!()
        };
        assert_eq!(v.top(), last - 1, "k after G moves at once");
        assert_eq!(
            v.clone().on_key(&key(KeyCode::Char('w')), screen),
            Step::Jump("w1".into())
        );
        assert_eq!(v.on_key(&key(KeyCode::Esc), screen), Step::Close);
    }
}
