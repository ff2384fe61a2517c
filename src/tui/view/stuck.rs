//! What the detail pane adds to a stuck verdict: what the operator can do about it now, and
//! the workflow's past stuck episodes (computed by `engine::stuck_history`).

use super::style::Theme;
use crate::engine::rules::retries_left;
use crate::engine::stuck::Stuck;
use crate::engine::stuck_history;
use crate::model::text::sanitize;
use crate::tui::app::{App, Row};
use crate::tui::msg::Detail;
use ratatui::text::{Line, Span};

/// Past episodes shown, at most (the newest).
const SHOWN: usize = 5;

/// `A acknowledges the handoff to test_auditor · r retries (2 left)`, under the verdict.
pub fn remedies<'a>(app: &App, r: &Row, st: &Stuck, t: Theme) -> Line<'a> {
    if app.session().read_only() {
        return Line::from(Span::styled("  read-only: no action from here", t.dim()));
    }
    let mut spans = vec![Span::raw("  ")];
    if let Stuck::UnacknowledgedHandoff { role, .. } = st {
        spans.push(Span::styled("A", t.key()));
        spans.push(Span::raw(format!(
            " acknowledges the handoff to {} · ",
            sanitize(role)
        )));
    }
    let phase = app
        .definition_of(r)
        .and_then(|d| d.phase(r.wf.current_state()));
    match retries_left(&r.unpack(), phase) {
        0 => spans.push(Span::styled("no retries left", t.failed())),
        n => {
            spans.push(Span::styled("r", t.key()));
            spans.push(Span::raw(format!(" retries ({n} left)")));
        }
    }
    Line::from(spans)
}

/// The past stuck episodes found in the history read (its newest handoffs and events).
pub fn past<'a>(app: &App, r: &Row, d: &Detail, t: Theme) -> Vec<Line<'a>> {
    let found = stuck_history::episodes(
        app.definition_of(r),
        &d.handoffs,
        &d.events,
        app.held().policy(),
    );
    if found.is_empty() {
        return Vec::new();
    }
    let mut out = vec![
        Line::default(),
        Line::from(vec![
            Span::styled(format!("Past stuck episodes ({})", found.len()), t.title()),
            Span::styled(
                format!(
                    " of the last {} events; heartbeats are not kept",
                    d.events.len()
                ),
                t.dim(),
            ),
        ]),
    ];
    let skip = found.len().saturating_sub(SHOWN);
    out.extend(found[skip..].iter().rev().map(|e| {
        Line::from(Span::styled(
            format!("  {}", sanitize(&e.describe())),
            t.stuck(),
        ))
    }));
    out
}

#[cfg(test)]
mod tests {
    use crate::model::HandoffKind;
    use crate::tui::app::App;
    use crate::tui::msg::Msg;
    use crate::tui::testing;
    use crate::tui::update::update;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn screen(a: &App) -> String {
        let mut t = Terminal::new(TestBackend::new(160, 60)).expect("test backend");
        t.draw(|f| crate::tui::view::draw(f, a)).expect("draw");
        t.backend().to_string()
    }

    /// Selects `build` and zooms the detail, so its lines are not wrapped.
    fn select(a: &mut App, build: &str) {
        a.screen_mut().resize(160, 60);
        a.screen_mut().focus_on(crate::tui::pane::detail::ID);
        a.screen_mut().set_zoomed(true);
        let at = a
            .held()
            .visible()
            .iter()
            .position(|id| a.held().rows()[id].wf.build_id() == build)
            .expect("shown");
        a.select(at);
    }

    #[test]
    fn a_stuck_verdict_says_what_can_be_done_and_how_many_retries_are_left() {
        let mut a = testing::app();
        a.screen_mut().resize(160, 60);
        select(&mut a, "eridanus-9");
        let s = screen(&a);
        assert!(
            s.contains("A acknowledges the handoff to q_assistant · r retries (3 left)"),
            "{s}"
        );
        let id = a.selected_id().unwrap().to_string();
        a.row_mut(&id).unwrap().edit(|w| w.retry_count = 3);
        assert!(screen(&a).contains("no retries left"));
        let mut ro = testing::opened(true);
        ro.screen_mut().resize(160, 60);
        select(&mut ro, "eridanus-9");
        assert!(screen(&ro).contains("read-only: no action from here"));
    }

    #[test]
    fn past_episodes_are_listed_from_the_history_read() {
        let mut a = testing::app();
        a.screen_mut().resize(160, 60);
        select(&mut a, "atlas-101");
        assert!(
            !screen(&a).contains("Past stuck episodes"),
            "none before it is read"
        );
        let Msg::Detail(mut d) = testing::atlas_detail(&a) else {
            unreachable!()
        };
        // The planning → coding handoff acknowledged 12 minutes after it was made.
        let mut slow = testing::handoff(
            "h9",
            &d.workflow.id,
            HandoffKind::Advance,
            "planning",
            "coding",
            "2026-11-22T10:10:00.000Z",
            false,
        );
        slow.acknowledged_at = Some("2026-11-22T10:22:00.000Z".into());
        d.handoffs[1] = slow;
        update(&mut a, Msg::Detail(d));
        let s = screen(&a);
        assert!(s.contains("Past stuck episodes (1)"), "{s}");
        assert!(
            s.contains("coding: handoff to code_writer waited 12m (limit 5m00s), 10:10–10:22"),
            "{s}"
        );
    }
}
