//! Where each pane goes for a given terminal size. Shared by `view` (to draw) and `update`
//! (to page by a screenful and to map mouse clicks), so both agree.

use super::app::Pane;
use ratatui::layout::{Constraint, Direction, Layout, Rect};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub header: Rect,
    pub workflows: Rect,
    pub detail: Rect,
    pub events: Rect,
    pub footer: Rect,
}

impl Areas {
    pub fn of(&self, pane: Pane) -> Rect {
        match pane {
            Pane::Workflows => self.workflows,
            Pane::Detail => self.detail,
            Pane::Events => self.events,
        }
    }

    pub fn pane_at(&self, x: u16, y: u16) -> Option<Pane> {
        [Pane::Workflows, Pane::Detail, Pane::Events]
            .into_iter()
            .find(|p| self.of(*p).contains((x, y).into()))
    }
}

/// Wide terminals put the detail beside the table; narrow ones put it below.
const SIDE_BY_SIDE_MIN_WIDTH: u16 = 120;

pub fn areas(size: Rect, zoomed: Option<Pane>) -> Areas {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(size);
    let mut a = Areas {
        header,
        footer,
        ..Areas::default()
    };
    if let Some(p) = zoomed {
        match p {
            Pane::Workflows => a.workflows = body,
            Pane::Detail => a.detail = body,
            Pane::Events => a.events = body,
        }
        return a;
    }
    let events_h = (body.height / 4).clamp(3.min(body.height), 14);
    let [main, events] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(events_h)]).areas(body);
    let (dir, split) = if size.width >= SIDE_BY_SIDE_MIN_WIDTH {
        (
            Direction::Horizontal,
            [Constraint::Percentage(60), Constraint::Percentage(40)],
        )
    } else {
        (
            Direction::Vertical,
            [Constraint::Percentage(55), Constraint::Percentage(45)],
        )
    };
    let parts = Layout::default()
        .direction(dir)
        .constraints(split)
        .split(main);
    a.workflows = parts[0];
    a.detail = parts[1];
    a.events = events;
    a
}

/// Table rows visible in the workflows pane (borders and the header row excluded).
pub fn table_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_size_yields_areas_inside_the_screen() {
        for (w, h) in [
            (1, 1),
            (2, 3),
            (20, 5),
            (80, 24),
            (119, 30),
            (120, 40),
            (300, 80),
        ] {
            let size = Rect::new(0, 0, w, h);
            for z in [
                None,
                Some(Pane::Workflows),
                Some(Pane::Detail),
                Some(Pane::Events),
            ] {
                let a = areas(size, z);
                for r in [a.header, a.workflows, a.detail, a.events, a.footer] {
                    assert!(size.union(r) == size || r.area() == 0, "{w}x{h} {r:?}");
                }
            }
        }
    }

    #[test]
    fn wide_screens_put_detail_beside_the_table() {
        let a = areas(Rect::new(0, 0, 160, 48), None);
        assert_eq!(a.workflows.y, a.detail.y);
        let a = areas(Rect::new(0, 0, 80, 24), None);
        assert!(a.detail.y > a.workflows.y);
    }
}
