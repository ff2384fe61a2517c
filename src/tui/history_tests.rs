//! The history view in `update`: `5` asks the worker for the first page, pages arrive and
//! are appended, the next page is asked for as the selection nears the end, a filter asks
//! the database again (a new generation, so a late page of the old one is dropped), and a
//! quick view closes it. No terminal, no database.

use super::app::App;
use super::history_filter::HistoryFilter;
use super::msg::{Cmd, HistoryPage, HistoryRequest, Msg, Total};
use super::testing::{app, workflow};
use super::update::update;
use crate::model::{Status, Workflow};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn requests(cmds: &[Cmd]) -> Vec<&HistoryRequest> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::LoadHistory(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn finished(n: usize, from: usize) -> Vec<Workflow> {
    (from..from + n)
        .map(|i| {
            let mut w = workflow(
                &format!("h{i:05}"),
                &format!("old-{i}"),
                "release",
                Status::Completed,
            );
            // Newest first, a minute apart, the day before the fixture's now.
            w.updated_at = compact_str::format_compact!(
                "2026-11-21T{:02}:{:02}:00.000Z",
                23 - (i / 60) % 24,
                59 - i % 60
            );
            w.created_at = "2026-11-21T06:30:00.000Z".into();
            w.state_entered_at = Some("2026-11-21T06:30:00.000Z".into());
            w.completed_at = Some(w.updated_at.clone());
            w
        })
        .collect()
}

fn page(req: &HistoryRequest, rows: Vec<Workflow>, more: bool) -> Msg {
    let next = more
        .then(|| {
            rows.last().map(|w| {
                crate::store::Cursor::new(
                    crate::store::CursorKind::Sqlite,
                    w.updated_at.as_str().into(),
                    w.id.clone(),
                )
            })
        })
        .flatten();
    Msg::History(HistoryPage {
        generation: req.generation,
        rows,
        next,
        total: Some(Total::About(1_040_000)),
        error: None,
    })
}

#[test]
fn five_opens_history_from_the_database_and_pages_on_as_the_selection_nears_the_end() {
    let mut a = app();
    let cmds = key(&mut a, KeyCode::Char('5'));
    let first = requests(&cmds)[0].clone();
    assert_eq!(first.after, None);
    assert_eq!(first.filter, HistoryFilter::default());
    assert!(a.history().active());
    assert_eq!(
        a.selected_row().map(|r| r.id().to_string()),
        None,
        "nothing yet"
    );

    let cmds = update(&mut a, page(&first, finished(200, 0), true));
    assert_eq!(a.history().rows().len(), 200);
    assert_eq!(a.selected_row().unwrap().wf.build_id(), "old-0");
    // The first row's detail is read, as for the table.
    assert!(cmds.contains(&Cmd::LoadDetail("h00000".into())), "{cmds:?}");
    assert!(requests(&cmds).is_empty(), "no second page yet");

    // Moving near the end asks for the next page, once, after the last row held.
    let mut asked = Vec::new();
    for _ in 0..150 {
        asked.extend(
            requests(&key(&mut a, KeyCode::Char('j')))
                .into_iter()
                .cloned(),
        );
    }
    assert_eq!(asked.len(), 1, "{asked:?}");
    let next = &asked[0];
    assert_eq!(next.generation, first.generation);
    assert_eq!(next.after.as_ref().map(|c| c.id()), Some("h00199"));
    update(&mut a, page(next, finished(50, 200), false));
    assert_eq!(a.history().rows().len(), 250);
    assert!(!a.history().more());
    key(&mut a, KeyCode::Char('G'));
    assert_eq!(a.selected_row().unwrap().wf.build_id(), "old-249");
    assert!(
        requests(&key(&mut a, KeyCode::Char('j'))).is_empty(),
        "the last page came"
    );
}

#[test]
fn a_filter_asks_the_database_again_and_late_pages_of_the_old_one_are_dropped() {
    let mut a = app();
    let first = requests(&key(&mut a, KeyCode::Char('5')))[0].clone();
    key(&mut a, KeyCode::Char('/'));
    let mut last = None;
    for c in "status:cancelled".chars() {
        if let Some(r) = requests(&key(&mut a, KeyCode::Char(c))).first() {
            last = Some((*r).clone());
        }
    }
    key(&mut a, KeyCode::Enter);
    let filtered = last.expect("the filter was sent");
    assert_eq!(filtered.filter.status, Some(Status::Cancelled));
    assert!(filtered.generation > first.generation);
    // The unfiltered page arrives late: dropped.
    update(&mut a, page(&first, finished(200, 0), true));
    assert!(a.history().rows().is_empty());
    let mut c = finished(3, 0);
    for w in &mut c {
        w.status = Status::Cancelled;
    }
    update(&mut a, page(&filtered, c, false));
    assert_eq!(a.history().rows().len(), 3);
    assert_eq!(a.history().filter_text(), "status:cancelled");

    // A filter the database cannot answer is named and asks nothing; the rows of the
    // last good one stay.
    key(&mut a, KeyCode::Char('/'));
    let mut good = None;
    for c in " role".chars() {
        good = requests(&key(&mut a, KeyCode::Char(c)))
            .first()
            .map(|r| (*r).clone())
            .or(good);
    }
    let good = good.expect("`role` alone is a build-id prefix");
    assert_eq!(good.filter.build_prefix.as_deref(), Some("role"));
    update(&mut a, page(&good, finished(2, 0), false));
    for c in ":x".chars() {
        assert!(requests(&key(&mut a, KeyCode::Char(c))).is_empty(), "{c}");
    }
    assert!(a.history().filter_error().unwrap().contains("role"));
    assert_eq!(a.history().rows().len(), 2);
    // Esc clears the filter: all of history again.
    let cleared = key(&mut a, KeyCode::Esc);
    assert_eq!(requests(&cleared)[0].filter, HistoryFilter::default());
}

#[test]
fn a_quick_view_closes_history_and_the_table_selection_is_as_it_was() {
    let mut a = app();
    key(&mut a, KeyCode::Char('j'));
    let before = a.selected_id().map(str::to_string);
    let first = requests(&key(&mut a, KeyCode::Char('5')))[0].clone();
    update(&mut a, page(&first, finished(5, 0), false));
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(a.selected_row().unwrap().wf.build_id(), "old-1");
    let cmds = key(&mut a, KeyCode::Char('1'));
    assert!(!a.history().active());
    assert!(a.history().rows().is_empty(), "history rows are let go");
    assert!(cmds.iter().any(|c| matches!(c, Cmd::LoadDetail(_))));
    // A page in flight for the closed view is dropped.
    update(&mut a, page(&first, finished(5, 0), false));
    assert!(a.history().rows().is_empty());
    assert_eq!(
        a.selected_id().map(str::to_string).is_some(),
        before.is_some()
    );
}

/// The history view drawn: its honest title, finished rows with when they ended and how
/// long they took, at the common sizes.
#[test]
fn history_view_snapshots() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    for (w, h) in [(80, 24), (120, 40)] {
        let mut a = app();
        a.screen_mut().resize(w, h);
        let first = requests(&key(&mut a, KeyCode::Char('5')))[0].clone();
        let mut rows = finished(30, 0);
        for (i, r) in rows.iter_mut().enumerate() {
            if i % 7 == 3 {
                r.status = Status::Cancelled;
                r.current_state = "coding".into();
            }
        }
        update(&mut a, page(&first, rows, true));
        key(&mut a, KeyCode::Char('j'));
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| super::view::draw(f, &a)).unwrap();
        insta::assert_snapshot!(format!("history_{w}x{h}"), t.backend());
    }
}
