//! The header: flags, counts, the database and the time, in one line that fits any width.
//! What an operator must not miss comes first and goes last: read-only, paused, a database
//! problem and the stuck count are never pushed off the edge; the counts of quiet statuses
//! and the last refresh give way before them; the database's path takes whatever room is
//! left, shortened at its start so the file name stays.

use super::{Theme, cut};
use crate::model::Status;
use crate::model::text::sanitize;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// One piece of the header and how much it matters: 0 is always shown, higher numbers give
/// way first.
struct Item {
    text: String,
    style: Style,
    rank: u8,
    /// Drawn at the right edge.
    right: bool,
}

const GAP: usize = 2;
/// The path is shown only when at least this much of it fits.
const PATH_MIN: usize = 8;

pub fn draw(f: &mut Frame, area: Rect, app: &App, t: Theme) {
    let line = line(app, usize::from(area.width), t);
    f.render_widget(Paragraph::new(line), area);
}

fn item(text: impl Into<String>, style: Style, rank: u8) -> Item {
    Item {
        text: text.into(),
        style,
        rank,
        right: false,
    }
}

fn items(app: &App, t: Theme) -> Vec<Item> {
    let (session, held) = (app.session(), app.held());
    let mut out = vec![item(" baton ", t.badge(), 0)];
    if session.read_only() {
        out.push(item(" RO ", t.badge(), 0));
    }
    if session.paused() {
        out.push(item(" PAUSED ", t.badge(), 0));
    }
    if let Some(p) = session.problem() {
        out.push(item(format!(" {} ", sanitize(p)), t.error(), 0));
    }
    if let Some(why) = session.polling() {
        out.push(item(format!("polling: {}", sanitize(why)), t.stuck(), 3));
    }
    let stuck = held.stuck_count();
    out.push(if stuck > 0 {
        item(format!("! stuck {stuck}"), t.stuck(), 0)
    } else {
        item("stuck 0", t.dim(), 4)
    });
    for s in [
        Status::Failed,
        Status::Running,
        Status::Paused,
        Status::Completed,
        Status::Cancelled,
        Status::Unknown,
    ] {
        let n = held
            .counts()
            .iter()
            .find(|(c, _)| *c == s)
            .map_or(0, |(_, n)| *n);
        let rank = match s {
            _ if n == 0 && s != Status::Running => continue,
            Status::Failed | Status::Unknown => 1,
            Status::Running | Status::Paused => 2,
            Status::Completed | Status::Cancelled => 5,
        };
        out.push(item(format!("{s} {n}"), t.status(s), rank));
    }
    if let Some(r) = session.last_refresh() {
        out.push(Item {
            right: true,
            ..item(format!("↻ {}", r.format("%H:%M:%S")), t.dim(), 6)
        });
    }
    // The time now, so that the durations on screen can be trusted at a glance.
    out.push(Item {
        right: true,
        ..item(format!("{} UTC", app.now().format("%H:%M")), t.title(), 1)
    });
    out
}

/// The header for `width` cells.
fn line(app: &App, width: usize, t: Theme) -> Line<'static> {
    let mut items = items(app, t);
    let used = |items: &[Item]| -> usize {
        items.iter().map(|i| cut::width(&i.text)).sum::<usize>()
            + GAP * items.len().saturating_sub(1)
    };
    // Let the least important go, the later first among equals, until the rest fit.
    while used(&items) > width {
        let Some(at) = items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.rank > 0)
            .max_by_key(|(n, i)| (i.rank, *n))
            .map(|(n, _)| n)
        else {
            break;
        };
        items.remove(at);
    }
    // Still too wide: only what is always shown is left; a long problem text is cut.
    let over = used(&items).saturating_sub(width);
    if let Some(p) = items
        .iter_mut()
        .max_by_key(|i| cut::width(&i.text))
        .filter(|_| over > 0)
    {
        let keep = cut::width(&p.text).saturating_sub(over);
        p.text = cut::end(&p.text, keep).into_owned();
    }
    let (right, left): (Vec<Item>, Vec<Item>) = items.into_iter().partition(|i| i.right);
    let mut spans: Vec<Span<'static>> = Vec::new();
    for i in &left {
        spans.push(Span::styled(i.text.clone(), i.style));
        spans.push(Span::raw(" ".repeat(GAP)));
    }
    let room = width.saturating_sub(used(&left) + GAP + used(&right) + GAP);
    let path = sanitize(app.session().label()).into_owned();
    if room >= PATH_MIN.min(cut::width(&path)) {
        spans.push(Span::raw(cut::start(&path, room).into_owned()));
    }
    let taken: usize = spans.iter().map(|s| s.width()).sum();
    let pad = width.saturating_sub(taken + used(&right));
    spans.push(Span::raw(" ".repeat(pad)));
    for (n, i) in right.iter().enumerate() {
        if n > 0 {
            spans.push(Span::raw(" ".repeat(GAP)));
        }
        spans.push(Span::styled(i.text.clone(), i.style));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing;

    fn text(app: &App, width: usize) -> String {
        let t = Theme {
            color: false,
            light: false,
        };
        line(app, width, t)
            .spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect()
    }

    #[test]
    fn flags_and_the_stuck_count_stay_at_every_width_the_path_gives_way() {
        let long = "/home/operator/builds/fleet-east/production/workflows/baton-main.db";
        let mut app = testing::labelled(long, true);
        app.session_mut().toggle_paused();
        for width in [40, 60, 80, 120, 200] {
            let h = text(&app, width);
            assert!(cut::width(&h) <= width, "{width}: {h}");
            for must in [" RO ", " PAUSED ", "! stuck 1"] {
                assert!(h.contains(must), "{width}: {must:?} missing from {h:?}");
            }
            assert!(width < 60 || h.contains("10:30 UTC"), "{width}: {h}");
        }
        assert!(text(&app, 200).contains(long), "room for all of it at 200");
        let at_120 = text(&app, 120);
        assert!(
            at_120.contains("…") && at_120.contains("baton-main.db"),
            "{at_120}"
        );
    }
}
