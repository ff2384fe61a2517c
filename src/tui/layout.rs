//! Where each pane goes for a given terminal size. Shared by `view` (to draw) and `update`
//! (to page by a screenful and to map mouse clicks), so both agree. Panes are placed by
//! the place each declares, so a new pane needs no change here.

use super::pane::{PANES, PaneId, Place};
use ratatui::layout::{Constraint, Direction, Layout, Rect};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Areas {
    pub header: Rect,
    pub footer: Rect,
    /// Each registered pane's area; a pane hidden by another's zoom has none.
    panes: Vec<(PaneId, Rect)>,
}

impl Areas {
    /// The pane's area (empty when it is not shown).
    pub fn of(&self, pane: PaneId) -> Rect {
        self.panes
            .iter()
            .find(|(p, _)| *p == pane)
            .map_or_else(Rect::default, |(_, r)| *r)
    }

    pub fn pane_at(&self, x: u16, y: u16) -> Option<PaneId> {
        self.panes
            .iter()
            .find(|(_, r)| r.contains((x, y).into()))
            .map(|(p, _)| *p)
    }
}

/// Wide terminals put the side pane beside the main one; narrow ones put it below.
const SIDE_BY_SIDE_MIN_WIDTH: u16 = 120;

pub fn areas(size: Rect, zoomed: Option<PaneId>) -> Areas {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(size);
    let mut a = Areas {
        header,
        footer,
        panes: Vec::new(),
    };
    if let Some(p) = zoomed {
        a.panes.push((p, body));
        return a;
    }
    let placed = |place: Place| -> Vec<PaneId> {
        PANES
            .iter()
            .filter(|p| p.place() == place)
            .map(|p| p.id())
            .collect()
    };
    let (main, side, strip) = (
        placed(Place::Main),
        placed(Place::Side),
        placed(Place::Strip),
    );
    let (top, bottom) = if strip.is_empty() {
        (body, Rect::default())
    } else {
        let strip_h = (body.height / 4).clamp(3.min(body.height), 14);
        let [top, bottom] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(strip_h)]).areas(body);
        (top, bottom)
    };
    let wide = size.width >= SIDE_BY_SIDE_MIN_WIDTH;
    let (main_area, side_area) = if side.is_empty() {
        (top, Rect::default())
    } else {
        let (dir, split) = if wide {
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
            .split(top);
        (parts[0], parts[1])
    };
    // Several panes in one place share it: across a strip, along the main/side split.
    let along = if wide {
        Direction::Vertical
    } else {
        Direction::Horizontal
    };
    share(&mut a.panes, &main, main_area, along);
    share(&mut a.panes, &side, side_area, along);
    share(&mut a.panes, &strip, bottom, Direction::Horizontal);
    a
}

fn share(out: &mut Vec<(PaneId, Rect)>, panes: &[PaneId], area: Rect, dir: Direction) {
    if let [one] = panes {
        out.push((*one, area));
        return;
    }
    let n = u32::try_from(panes.len()).unwrap_or(1);
    let parts = Layout::default()
        .direction(dir)
        .constraints(panes.iter().map(|_| Constraint::Ratio(1, n)))
        .split(area);
    out.extend(panes.iter().copied().zip(parts.iter().copied()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::pane::{detail, workflows};

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
            let zooms = std::iter::once(None).chain(PANES.iter().map(|p| Some(p.id())));
            for z in zooms {
                let a = areas(size, z);
                let panes = PANES.iter().map(|p| a.of(p.id()));
                for r in [a.header, a.footer].into_iter().chain(panes) {
                    assert!(size.union(r) == size || r.area() == 0, "{w}x{h} {r:?}");
                }
            }
        }
    }

    #[test]
    fn every_registered_pane_gets_room_and_a_zoom_fills_the_body() {
        let size = Rect::new(0, 0, 120, 40);
        let a = areas(size, None);
        for p in PANES {
            assert!(a.of(p.id()).area() > 0, "{:?} has no room", p.id());
            let z = areas(size, Some(p.id()));
            assert_eq!(z.of(p.id()).height, size.height - 2);
            for other in PANES.iter().filter(|o| o.id() != p.id()) {
                assert_eq!(z.of(other.id()).area(), 0);
            }
        }
    }

    #[test]
    fn wide_screens_put_detail_beside_the_table() {
        let a = areas(Rect::new(0, 0, 160, 48), None);
        assert_eq!(a.of(workflows::ID).y, a.of(detail::ID).y);
        let a = areas(Rect::new(0, 0, 80, 24), None);
        assert!(a.of(detail::ID).y > a.of(workflows::ID).y);
    }
}
