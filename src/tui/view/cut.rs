//! Cutting text to a width in terminal cells. A cut is always marked with `…`, so nobody
//! mistakes a shortened value for the whole one. Ids are cut in the middle: what tells two
//! ids apart is usually their tail (a counter, a hash), and their head says what they are.

use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub const MARK: char = '…';

/// Cells `s` takes on screen.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` in at most `w` cells, its end replaced by `…` when it does not fit.
pub fn end(s: &str, w: usize) -> Cow<'_, str> {
    if width(s) <= w {
        return Cow::Borrowed(s);
    }
    let Some(room) = w.checked_sub(1) else {
        return Cow::Borrowed("");
    };
    let mut out = head(s, room);
    out.push(MARK);
    out.into()
}

/// `s` in at most `w` cells, its start replaced by `…` (for paths: the file name matters).
pub fn start(s: &str, w: usize) -> Cow<'_, str> {
    if width(s) <= w {
        return Cow::Borrowed(s);
    }
    let Some(room) = w.checked_sub(1) else {
        return Cow::Borrowed("");
    };
    let mut out = String::from(MARK);
    out.push_str(&tail(s, room));
    out.into()
}

/// `s` in at most `w` cells, its middle replaced by `…`: the head and the tail stay, the
/// tail getting no less than half of what is kept (`atlas-2f…000501`).
pub fn middle(s: &str, w: usize) -> Cow<'_, str> {
    if width(s) <= w {
        return Cow::Borrowed(s);
    }
    let Some(room) = w.checked_sub(1) else {
        return Cow::Borrowed("");
    };
    let back = room.div_ceil(2);
    let front = head(s, room - back);
    // What the head did not use (a wide character that did not fit) goes to the tail.
    let back = room - width(&front);
    format!("{front}{MARK}{}", tail(s, back)).into()
}

/// The longest start of `s` that fits in `w` cells.
fn head(s: &str, w: usize) -> String {
    let mut used = 0;
    s.chars()
        .take_while(|c| {
            used += c.width().unwrap_or(0);
            used <= w
        })
        .collect()
}

/// The longest end of `s` that fits in `w` cells.
fn tail(s: &str, w: usize) -> String {
    let mut used = 0;
    let mut out: Vec<char> = s
        .chars()
        .rev()
        .take_while(|c| {
            used += c.width().unwrap_or(0);
            used <= w
        })
        .collect();
    out.reverse();
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_fits_is_left_alone() {
        for f in [end, start, middle] {
            assert_eq!(f("atlas-7", 7), "atlas-7");
            assert_eq!(f("", 0), "");
        }
    }

    #[test]
    fn every_cut_is_marked_and_fits() {
        assert_eq!(end("verification_specialist", 12), "verificatio…");
        assert_eq!(start("/var/lib/baton/demo.db", 10), "…n/demo.db");
        assert_eq!(middle("atlas-2fdc000501", 14), "atlas-…c000501");
        for w in 0..20 {
            for f in [end, start, middle] {
                let cut = f("ünïcode-名前-wide-id", w);
                assert!(width(&cut) <= w, "{cut:?} in {w}");
                assert!(w == 0 || cut.contains(MARK), "{cut:?} in {w}");
            }
        }
    }

    #[test]
    fn ids_cut_in_the_middle_stay_different() {
        // The defect: three workflows whose ids share their first 15 characters all read
        // `atlas-2fdc00050` when cut at the end.
        let ids = ["atlas-2fdc000501", "atlas-2fdc000502", "atlas-2fdc000503"];
        let cut: Vec<String> = ids.iter().map(|id| middle(id, 12).into_owned()).collect();
        assert_eq!(cut, ["atlas…000501", "atlas…000502", "atlas…000503"]);
    }
}
