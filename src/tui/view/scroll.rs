//! Where a scrolled pane is: a scrollbar on its right border when its content is longer
//! than the pane, so the operator sees how much lies above and below.

use super::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState};

/// Draws a scrollbar on the right border of `area` over its rows `from..area.bottom() - 1`,
/// for `total` lines of which `shown` are shown from line `top`. Nothing when all fit.
pub fn bar(f: &mut Frame, area: Rect, from: u16, total: usize, shown: usize, top: usize, t: Theme) {
    if total <= shown || area.width < 2 {
        return;
    }
    let track = Rect {
        x: area.x,
        y: from,
        width: area.width,
        height: area.bottom().saturating_sub(1).saturating_sub(from),
    };
    let mut state = ScrollbarState::new(total - shown + 1)
        .position(top)
        .viewport_content_length(shown);
    let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
        .begin_symbol(None)
        .end_symbol(None)
        .track_symbol(Some("│"))
        .thumb_symbol("█")
        .track_style(t.dim())
        .thumb_style(t.title());
    f.render_stateful_widget(bar, track, &mut state);
}
