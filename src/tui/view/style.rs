//! Colours and emphasis. With colour off (`NO_COLOR`), every distinction that matters is
//! still made by a glyph, bold or reverse video.

use crate::model::text::sanitize_multiline;
use crate::model::time;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    /// For a light background: yellow and cyan text turn unreadable on white, so those
    /// roles take blue and magenta.
    pub light: bool,
}

impl Theme {
    /// The theme the dashboard draws in: the session's colour and background.
    pub fn of(app: &crate::tui::app::App) -> Theme {
        Theme {
            color: app.session().color(),
            light: app.session().light(),
        }
    }
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }
    /// Cyan on a dark background, blue on a light one.
    fn accent(self) -> Color {
        if self.light { Color::Blue } else { Color::Cyan }
    }
    /// Yellow on a dark background, magenta on a light one.
    fn warn(self) -> Color {
        if self.light {
            Color::Magenta
        } else {
            Color::Yellow
        }
    }
    pub fn title(self) -> Style {
        self.fg(self.accent()).add_modifier(Modifier::BOLD)
    }
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    pub fn key(self) -> Style {
        self.fg(self.warn()).add_modifier(Modifier::BOLD)
    }
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
    /// A row marked for a bulk action; the `●` in its first column says so without colour.
    pub fn marked(self) -> Style {
        self.fg(self.accent()).add_modifier(Modifier::BOLD)
    }
    pub fn failed(self) -> Style {
        self.fg(Color::Red)
    }
    pub fn stuck(self) -> Style {
        self.fg(self.warn()).add_modifier(Modifier::BOLD)
    }
    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }
    pub fn paused(self) -> Style {
        self.fg(Color::Blue)
    }
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(self.accent()).add_modifier(Modifier::BOLD)
        } else {
            self.dim()
        }
    }
    pub fn badge(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    pub fn status(self, s: crate::model::Status) -> Style {
        use crate::model::Status::*;
        match s {
            Running => self.ok(),
            Paused => self.paused(),
            Failed => self.failed(),
            Completed => self.dim(),
            Cancelled => self.dim(),
            Unknown => self.stuck(),
        }
    }
}

/// A text progress bar: `██▌░░ 3/6`. Glyphs, not colour, carry the meaning. Cells fill in
/// eighths (`▏▎▍▌▋▊▉█`), so in `width` cells up to `8 × width` phases each draw differently.
pub fn progress_bar(done: usize, total: usize, width: usize) -> String {
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    if total == 0 {
        return format!("{:width$}", "?", width = width + 4);
    }
    let eighths = (done.min(total) * width * 8 + total / 2) / total;
    let (full, part) = (eighths / 8, eighths % 8);
    let used = full + usize::from(part > 0);
    format!(
        "{}{}{} {done}/{total}",
        "█".repeat(full),
        EIGHTHS[part],
        "░".repeat(width.saturating_sub(used))
    )
}

/// A pane title's filter: `/text` when there is one, then `⚠ what is wrong` when it is
/// wrong; both made inert.
pub fn filter_spans(text: &str, error: Option<&str>, theme: Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if !text.is_empty() {
        spans.push(Span::styled(
            format!("/{} ", crate::model::text::sanitize(text)),
            theme.key(),
        ));
    }
    if let Some(e) = error {
        spans.push(Span::styled(
            format!("⚠ {} ", crate::model::text::sanitize(e)),
            theme.error(),
        ));
    }
    spans
}

/// A bordered block for a pane, highlighted when focused.
pub fn pane_block(title: Line<'_>, focused: bool, theme: Theme) -> Block<'_> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(title)
}

/// `HH:MM:SS` of a stored timestamp, or the sanitised text when it does not parse.
pub fn clock(ts: &str) -> String {
    time::parse(ts).map_or_else(
        || sanitize_multiline(ts).replace('\n', " "),
        |t| t.format("%H:%M:%S").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_bar_fills_in_proportion() {
        assert_eq!(progress_bar(0, 6, 6), "░░░░░░ 0/6");
        assert_eq!(progress_bar(3, 6, 6), "███░░░ 3/6");
        assert_eq!(progress_bar(6, 6, 6), "██████ 6/6");
        assert_eq!(progress_bar(1, 0, 2).trim(), "?");
    }

    #[test]
    fn every_phase_draws_differently_in_five_cells() {
        // The defect: 3/6 and 4/6 both drew `███░░` in five cells.
        assert_eq!(progress_bar(3, 6, 5), "██▌░░ 3/6");
        assert_eq!(progress_bar(4, 6, 5), "███▍░ 4/6");
        let bars: Vec<String> = (0..=6)
            .map(|d| progress_bar(d, 6, 5).chars().take(5).collect())
            .collect();
        for (i, a) in bars.iter().enumerate() {
            assert_eq!(a.chars().count(), 5, "{a}");
            assert!(!bars[i + 1..].contains(a), "{a} drawn twice");
        }
    }

    #[test]
    fn a_light_theme_trades_yellow_and_cyan_for_magenta_and_blue() {
        let dark = Theme {
            color: true,
            light: false,
        };
        let light = Theme {
            color: true,
            light: true,
        };
        let plain = Theme {
            color: false,
            light: true,
        };
        assert_eq!(dark.key().fg, Some(Color::Yellow));
        assert_eq!(dark.title().fg, Some(Color::Cyan));
        assert_eq!(light.key().fg, Some(Color::Magenta));
        assert_eq!(light.stuck().fg, Some(Color::Magenta));
        assert_eq!(light.title().fg, Some(Color::Blue));
        assert_eq!(light.border(true).fg, Some(Color::Blue));
        assert_eq!(plain.key().fg, None, "no colour at all");
    }
}
