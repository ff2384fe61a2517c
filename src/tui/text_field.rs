//! A one-line text field with the editing keys of readline (bash, psql, most shells), used
//! by the filter prompt and the reason in a confirmation. Control keys edit or leave the
//! field; they are never typed as letters.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The text and a cursor, counted in characters (not bytes) so multi-byte text edits safely.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextField {
    text: String,
    cursor: usize,
}

/// What a key did to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// Enter: the owner decides what it means.
    Submit,
    /// Esc or Ctrl-C: leave the field.
    Cancel,
    /// Not a key the field uses (the owner may use it).
    Ignored,
}

/// The keys the field understands, as help lists them; a test holds the field to it.
pub const KEYS: &[(&str, &str)] = &[
    ("←/→", "move the cursor"),
    ("Home/End Ctrl-A/E", "start / end of the line"),
    ("Backspace/Delete", "delete before / under the cursor"),
    ("Ctrl-U", "delete to the start (clears the line)"),
    ("Ctrl-K", "delete to the end"),
    ("Ctrl-W", "delete the word before the cursor"),
    ("Ctrl-C Esc", "leave the field"),
];

impl TextField {
    /// A field holding `text`, the cursor at its end.
    pub fn with(text: &str) -> TextField {
        TextField {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }
    /// The cursor's position in characters.
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    /// The text before and from the cursor, for drawing it.
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte(self.cursor))
    }

    fn byte(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }
    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Deletes the characters in `from..to` and puts the cursor at `from`.
    fn delete(&mut self, from: usize, to: usize) -> Edit {
        if from >= to {
            return Edit::Ignored;
        }
        let (a, b) = (self.byte(from), self.byte(to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
        Edit::Changed
    }

    fn move_to(&mut self, at: usize) -> Edit {
        self.cursor = at.min(self.len());
        Edit::Moved
    }

    /// Where the word before the cursor starts: spaces, then non-spaces (readline's
    /// `unix-word-rubout`).
    fn word_start(&self) -> usize {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut i = chars.len();
        while i > 0 && chars[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !chars[i - 1].is_whitespace() {
            i -= 1;
        }
        i
    }

    pub fn on_key(&mut self, k: &KeyEvent) -> Edit {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        match k.code {
            KeyCode::Enter => Edit::Submit,
            KeyCode::Esc => Edit::Cancel,
            KeyCode::Char(c) if ctrl => match c.to_ascii_lowercase() {
                'c' => Edit::Cancel,
                'u' => self.delete(0, self.cursor),
                'k' => self.delete(self.cursor, self.len()),
                'w' => self.delete(self.word_start(), self.cursor),
                // Ctrl-H is Backspace on terminals that send it that way.
                'h' => self.delete(self.cursor.saturating_sub(1), self.cursor),
                'a' => self.move_to(0),
                'e' => self.move_to(self.len()),
                'b' => self.move_to(self.cursor.saturating_sub(1)),
                'f' => self.move_to(self.cursor + 1),
                _ => Edit::Ignored,
            },
            // Alt-letters are shortcuts elsewhere, never text.
            KeyCode::Char(_) if alt => Edit::Ignored,
            KeyCode::Char(c) if !c.is_control() => {
                let at = self.byte(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
                Edit::Changed
            }
            KeyCode::Backspace => self.delete(self.cursor.saturating_sub(1), self.cursor),
            KeyCode::Delete => self.delete(self.cursor, (self.cursor + 1).min(self.len())),
            KeyCode::Left => self.move_to(self.cursor.saturating_sub(1)),
            KeyCode::Right => self.move_to(self.cursor + 1),
            KeyCode::Home => self.move_to(0),
            KeyCode::End => self.move_to(self.len()),
            _ => Edit::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(f: &mut TextField, code: KeyCode, m: KeyModifiers) -> Edit {
        f.on_key(&KeyEvent::new(code, m))
    }
    fn ctrl(f: &mut TextField, c: char) -> Edit {
        press(f, KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    fn key(f: &mut TextField, code: KeyCode) -> Edit {
        press(f, code, KeyModifiers::NONE)
    }
    fn typed(f: &mut TextField, s: &str) {
        s.chars().for_each(|c| {
            key(f, KeyCode::Char(c));
        });
    }

    #[test]
    fn control_keys_edit_and_are_never_typed_as_letters() {
        let mut f = TextField::default();
        typed(&mut f, "status:failed atlas");
        assert_eq!(ctrl(&mut f, 'w'), Edit::Changed);
        assert_eq!(f.text(), "status:failed ");
        ctrl(&mut f, 'w');
        assert_eq!(f.text(), "");
        typed(&mut f, "coding");
        assert_eq!(ctrl(&mut f, 'u'), Edit::Changed);
        assert_eq!(f.text(), "");
        assert_eq!(ctrl(&mut f, 'c'), Edit::Cancel);
        assert_eq!(ctrl(&mut f, 'x'), Edit::Ignored);
        assert_eq!(
            press(&mut f, KeyCode::Char('b'), KeyModifiers::ALT),
            Edit::Ignored
        );
        assert_eq!(f.text(), "", "no control key left a letter behind");
    }

    #[test]
    fn the_cursor_moves_and_edits_happen_where_it_is() {
        let mut f = TextField::default();
        typed(&mut f, "bad pln");
        key(&mut f, KeyCode::Left);
        key(&mut f, KeyCode::Left);
        typed(&mut f, "a");
        assert_eq!(f.text(), "bad paln");
        key(&mut f, KeyCode::Backspace);
        key(&mut f, KeyCode::Right);
        typed(&mut f, "a");
        assert_eq!(f.text(), "bad plan");
        key(&mut f, KeyCode::Home);
        key(&mut f, KeyCode::Delete);
        assert_eq!((f.text(), f.cursor()), ("ad plan", 0));
        ctrl(&mut f, 'e');
        assert_eq!(f.cursor(), 7);
        key(&mut f, KeyCode::Right);
        assert_eq!(f.cursor(), 7, "stops at the end, no wrap");
        key(&mut f, KeyCode::Home);
        key(&mut f, KeyCode::Left);
        assert_eq!(f.cursor(), 0, "stops at the start, no wrap");
        key(&mut f, KeyCode::End);
        ctrl(&mut f, 'a');
        ctrl(&mut f, 'k');
        assert_eq!(f.text(), "");
    }

    #[test]
    fn ctrl_u_deletes_what_is_before_the_cursor_and_w_one_word() {
        let mut f = TextField::with("one two  three");
        key(&mut f, KeyCode::Left);
        key(&mut f, KeyCode::Left);
        ctrl(&mut f, 'w');
        assert_eq!(f.text(), "one two  ee");
        ctrl(&mut f, 'w');
        assert_eq!(f.text(), "one ee");
        ctrl(&mut f, 'u');
        assert_eq!((f.text(), f.cursor()), ("ee", 0));
    }

    #[test]
    fn multi_byte_text_edits_by_character() {
        let mut f = TextField::with("zürich→");
        key(&mut f, KeyCode::Backspace);
        key(&mut f, KeyCode::Left);
        key(&mut f, KeyCode::Backspace);
        assert_eq!(f.text(), "zürih");
        assert_eq!(f.split(), ("züri", "h"));
    }

    #[test]
    fn every_key_help_lists_is_one_the_field_uses() {
        use KeyCode::*;
        let listed: &[(KeyCode, KeyModifiers)] = &[
            (Left, KeyModifiers::NONE),
            (Right, KeyModifiers::NONE),
            (Home, KeyModifiers::NONE),
            (End, KeyModifiers::NONE),
            (Char('a'), KeyModifiers::CONTROL),
            (Char('e'), KeyModifiers::CONTROL),
            (Backspace, KeyModifiers::NONE),
            (Delete, KeyModifiers::NONE),
            (Char('u'), KeyModifiers::CONTROL),
            (Char('k'), KeyModifiers::CONTROL),
            (Char('w'), KeyModifiers::CONTROL),
            (Char('c'), KeyModifiers::CONTROL),
            (Esc, KeyModifiers::NONE),
        ];
        for (code, m) in listed {
            let mut f = TextField::with("ab cd");
            key(&mut f, KeyCode::Left);
            let e = press(&mut f, *code, *m);
            assert_ne!(e, Edit::Ignored, "{code:?} {m:?}");
        }
        let named: String = KEYS.iter().map(|(k, _)| *k).collect();
        for k in [
            "Ctrl-U",
            "Ctrl-W",
            "Ctrl-K",
            "Ctrl-C",
            "Backspace",
            "Delete",
        ] {
            assert!(named.contains(k), "{k} not in help");
        }
    }
}
