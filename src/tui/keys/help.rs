//! The help's text, generated from the registry (every binding with all its keys, control
//! keys included), the text-field and dialog keys, and the mouse; laid out for a given
//! screen so `update` can scroll it exactly as far as `view` draws it.

use super::{Move, key_names, sections};
use crate::tui::{confirm, text_field};
use ratatui::layout::Rect;

/// How wide the help box is at most, and the key column inside it.
const WIDTH: u16 = 80;
const KEY_COLUMN: usize = 18;

/// One drawn line of help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Title(String),
    /// Keys (empty on a wrapped continuation), text, whether it asks before writing.
    Key(String, String, bool),
    Note(String),
    Blank,
}

/// Every line of help before wrapping, in registry order.
fn lines(read_only: bool) -> Vec<Line> {
    let mut out = Vec::new();
    if read_only {
        // First, where it is seen without scrolling.
        out.push(Line::Note("read-only: action keys are disabled".into()));
        out.push(Line::Blank);
    }
    for s in sections() {
        let shown: Vec<_> = s
            .bindings
            .iter()
            .filter(|b| !(read_only && b.dangerous()))
            .collect();
        if shown.is_empty() {
            continue;
        }
        out.push(Line::Title(s.title));
        for b in shown {
            out.push(Line::Key(
                key_names(b).join(" "),
                b.help.into(),
                b.dangerous(),
            ));
        }
        out.push(Line::Blank);
    }
    let mut table = |title: &str, rows: &[(&str, &str)]| {
        out.push(Line::Title(title.into()));
        out.extend(
            rows.iter()
                .map(|(k, t)| Line::Key((*k).into(), (*t).into(), false)),
        );
        out.push(Line::Blank);
    };
    table("In the filter (/) and a reason field", text_field::KEYS);
    if !read_only {
        table("In a confirmation", confirm::KEYS);
    }
    table("Mouse (while captured; m toggles)", super::MOUSE);
    out.pop();
    out
}

/// Words of `text` in lines of at most `width` characters (a longer word is cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let rest: String = line.chars().skip(width).collect();
            out.push(line.chars().take(width).collect());
            line = rest;
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// The help laid out for `inner_width` columns: long texts wrap under their text column.
pub fn layout(read_only: bool, inner_width: u16) -> Vec<Line> {
    let text_width = usize::from(inner_width).saturating_sub(KEY_COLUMN + 2);
    let mut out = Vec::new();
    for line in lines(read_only) {
        match line {
            Line::Key(keys, text, asks) => {
                let text = if asks {
                    format!("{text} (asks first)")
                } else {
                    text
                };
                for (i, part) in wrap(&text, text_width).into_iter().enumerate() {
                    let keys = if i == 0 { keys.clone() } else { String::new() };
                    out.push(Line::Key(keys, part, asks));
                }
            }
            other => out.push(other),
        }
    }
    out
}

pub fn key_column() -> usize {
    KEY_COLUMN
}

/// How many columns of help stand side by side on `screen`: two where two full-width
/// columns fit, so a wide terminal shows it all without scrolling.
pub fn columns(screen: Rect) -> usize {
    if screen.width >= 2 * WIDTH + 2 { 2 } else { 1 }
}

/// The width of one column's text, inside the box on `screen`.
pub fn column_width(screen: Rect) -> u16 {
    let cols = columns(screen) as u16;
    let inner = (WIDTH * cols).min(screen.width).saturating_sub(2);
    inner.saturating_sub(2 * (cols - 1)) / cols
}

/// The help laid out for `screen`, as rows of one line per column. With two columns the
/// second begins at the first section that starts past the middle.
pub fn grid(read_only: bool, screen: Rect) -> Vec<Vec<Line>> {
    let all = layout(read_only, column_width(screen));
    if columns(screen) == 1 {
        return all.into_iter().map(|l| vec![l]).collect();
    }
    let split = (all.len() / 2..all.len())
        .find(|&i| all[i] == Line::Blank)
        .unwrap_or(all.len());
    let right: Vec<Line> = all[(split + 1).min(all.len())..].to_vec();
    let left: Vec<Line> = all[..split].to_vec();
    let rows = left.len().max(right.len());
    (0..rows)
        .map(|r| {
            vec![
                left.get(r).cloned().unwrap_or(Line::Blank),
                right.get(r).cloned().unwrap_or(Line::Blank),
            ]
        })
        .collect()
}

/// The help box on a `screen`: centred, as tall as its text or the screen allows.
pub fn area(read_only: bool, screen: Rect) -> Rect {
    let w = (WIDTH * columns(screen) as u16).min(screen.width);
    let lines = grid(read_only, screen).len() as u16;
    let h = (lines + 2).min(screen.height);
    Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height - h) / 2,
        w,
        h,
    )
}

/// Rows shown at once, and the furthest first row, on a `screen`.
pub fn window(read_only: bool, screen: Rect) -> (usize, usize) {
    let a = area(read_only, screen);
    let shown = usize::from(a.height.saturating_sub(2));
    let total = grid(read_only, screen).len();
    (shown, total.saturating_sub(shown))
}

/// Where help's first line goes after `m`, from `at`.
pub fn scroll(at: usize, m: Move, read_only: bool, screen: Rect) -> usize {
    let (shown, last) = window(read_only, screen);
    let page = shown.max(1);
    let to = match m {
        Move::Up => at.saturating_sub(1),
        Move::Down => at + 1,
        Move::PageUp => at.saturating_sub(page),
        Move::PageDown => at + page,
        Move::Top => 0,
        Move::Bottom => last,
    };
    to.min(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(read_only: bool, w: u16) -> String {
        layout(read_only, w)
            .iter()
            .map(|l| match l {
                Line::Title(t) | Line::Note(t) => t.clone(),
                Line::Key(k, t, _) => format!("{k} {t}"),
                Line::Blank => String::new(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn help_lists_every_key_of_every_binding_control_keys_and_the_mouse() {
        let t = text(false, 78);
        for (_, b) in super::super::all() {
            assert!(
                t.contains(b.help.split_whitespace().next().unwrap()),
                "{}",
                b.name
            );
            for k in key_names(b) {
                assert!(t.contains(&k), "{k} of {}", b.name);
            }
        }
        for k in [
            "Ctrl-C", "Ctrl-D", "Ctrl-U", "Ctrl-W", "click", "wheel", "m ",
        ] {
            assert!(t.contains(k), "{k} missing:\n{t}");
        }
    }

    #[test]
    fn long_texts_wrap_within_the_box_and_scrolling_stops_at_the_end() {
        for w in [40u16, 58, 78] {
            for l in layout(false, w) {
                if let Line::Key(_, t, _) = l {
                    assert!(t.chars().count() <= usize::from(w) - KEY_COLUMN - 2, "{t}");
                }
            }
        }
        let small = Rect::new(0, 0, 80, 24);
        let (shown, last) = window(false, small);
        assert_eq!(shown, 22);
        assert!(last > 0, "80×24 cannot show it all at once");
        assert_eq!(scroll(0, Move::Bottom, false, small), last);
        assert_eq!(scroll(last, Move::Down, false, small), last, "clamped");
        assert_eq!(scroll(last, Move::PageUp, false, small), last - 22);
        let big = Rect::new(0, 0, 200, 80);
        assert_eq!(window(false, big).1, 0, "fits: nothing to scroll");
        // A wide terminal shows it in two columns, so even 200×60 needs no scrolling.
        let wide = Rect::new(0, 0, 200, 60);
        assert_eq!(columns(wide), 2);
        assert_eq!(window(false, wide).1, 0, "two columns fit");
        let rows = grid(false, wide);
        assert!(rows.iter().all(|r| r.len() == 2));
        assert!(
            rows.iter().any(|r| matches!(&r[1], Line::Title(_))),
            "a section on the right"
        );
        assert_eq!(columns(Rect::new(0, 0, 120, 40)), 1);
    }

    #[test]
    fn read_only_help_has_no_action_and_says_why() {
        let t = text(true, 78);
        assert!(!t.contains("advance"));
        assert!(!t.contains("In a confirmation"));
        assert!(t.contains("read-only: action keys are disabled"));
    }
}
