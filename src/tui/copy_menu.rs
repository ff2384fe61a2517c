//! The copy menu (`Y`): the selected workflow's ids, each with a letter that copies it.
//! The pending handoff's id is here because `baton ack` needs it and nothing else shows it
//! whole.

use crate::tui::app::Row;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: char,
    pub what: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyMenu {
    build_id: String,
    items: Vec<Item>,
}

/// What a key did to the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    Stay,
    Close,
    Copy(&'static str, String),
}

impl CopyMenu {
    pub fn of(row: &Row) -> CopyMenu {
        let w = &row.unpack();
        let mut items = vec![
            Item {
                key: 'i',
                what: "workflow id",
                value: w.id.clone(),
            },
            Item {
                key: 'b',
                what: "build id",
                value: w.build_id.as_str().into(),
            },
        ];
        if let Some(h) = &row.pending {
            items.push(Item {
                key: 'h',
                what: "handoff id",
                value: h.id().to_string(),
            });
        }
        CopyMenu {
            build_id: w.build_id.as_str().into(),
            items,
        }
    }

    pub fn build_id(&self) -> &str {
        &self.build_id
    }
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn on_key(&self, k: &KeyEvent) -> Pick {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Esc | KeyCode::Char('q' | 'n') => Pick::Close,
            KeyCode::Char('c') if ctrl => Pick::Close,
            // `yy` copies the workflow id, as `y` does outside the menu.
            KeyCode::Char('y') => self.pick('i'),
            KeyCode::Char(c) => self.pick(c),
            _ => Pick::Stay,
        }
    }

    fn pick(&self, key: char) -> Pick {
        self.items
            .iter()
            .find(|i| i.key == key)
            .map_or(Pick::Stay, |i| Pick::Copy(i.what, i.value.clone()))
    }
}
