//! Marks and the bulk confirmation: Space and `*` gather rows (beyond the screen), an
//! action key then asks once for all of them with the count, a sample and what the rules
//! refuse, and confirming sends one bulk command with the versions as marked.

use super::app::{App, Level, Overlay};
use super::confirm::{Confirm, Stage, Subject};
use super::msg::{Cmd, Delta, Msg};
use super::testing::app;
use super::update::update;
use super::view;
use crate::engine::bulk::Intent;
use crate::model::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}
fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}
fn filter(app: &mut App, text: &str) {
    key(app, KeyCode::Char('/'));
    let old = app.table().filter_text().chars().count();
    for _ in 0..old {
        key(app, KeyCode::Backspace);
    }
    typed(app, text);
    key(app, KeyCode::Enter);
}
fn marked_builds(app: &App) -> Vec<String> {
    app.marked_rows()
        .iter()
        .map(|r| r.wf.build_id().to_string())
        .collect()
}
fn confirm(app: &App) -> &Confirm {
    match app.overlays().shown() {
        Some(Overlay::Confirm(c)) => c,
        other => panic!("no dialog: {other:?} / {:?}", app.session().flash()),
    }
}
fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    t.draw(|f| view::draw(f, app)).expect("draw");
    let buf = t.backend().buffer().clone();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

#[test]
fn space_marks_the_row_and_star_marks_every_match_then_unmarks_them() {
    let mut a = app();
    key(&mut a, KeyCode::Char(' '));
    assert_eq!(marked_builds(&a), ["eridanus-9"]);
    key(&mut a, KeyCode::Char(' '));
    assert!(a.marks().is_empty(), "Space again unmarks");

    filter(&mut a, "status:running");
    key(&mut a, KeyCode::Char('*'));
    assert_eq!(marked_builds(&a), ["atlas-101", "eridanus-9"]);
    assert!(a.session().flash().unwrap().1.contains("all 2 matching"));
    // A mark outlives the filter: rows gather from several.
    filter(&mut a, "status:failed");
    key(&mut a, KeyCode::Char('*'));
    assert_eq!(marked_builds(&a), ["atlas-101", "borealis-7", "eridanus-9"]);
    key(&mut a, KeyCode::Char('*'));
    assert_eq!(
        marked_builds(&a),
        ["atlas-101", "eridanus-9"],
        "all matches marked: * unmarks them"
    );
    key(&mut a, KeyCode::Char('u'));
    assert!(a.marks().is_empty());
}

#[test]
fn star_marks_rows_beyond_the_screen() {
    let mut a = app();
    a.screen_mut().resize(80, 10); // room for a row or two of the table
    let shown = super::pane::workflows::table_rows(
        super::layout::areas(ratatui::layout::Rect::new(0, 0, 80, 10), None)
            .of(super::pane::workflows::ID),
    );
    assert!(shown < 5, "the table shows {shown} rows");
    key(&mut a, KeyCode::Char('*'));
    assert_eq!(a.marks().len(), 5);
}

#[test]
fn marked_rows_are_drawn_with_a_dot_and_counted_in_the_title() {
    let mut a = app();
    let before = screen(&a);
    assert!(!before.contains('●'));
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char(' '));
    let s = screen(&a);
    assert!(s.contains("1 marked"), "{s}");
    let line = s.lines().find(|l| l.contains("borealis-7")).unwrap();
    assert!(line.contains('●'), "{line}");
    let other = s.lines().find(|l| l.contains("atlas-101")).unwrap();
    assert!(!other.contains('●'), "{other}");
}

#[test]
fn an_action_with_marks_asks_once_with_count_sample_and_refusals() {
    let mut a = app();
    key(&mut a, KeyCode::Char('*'));
    key(&mut a, KeyCode::Char('P'));
    let c = confirm(&a);
    assert_eq!(c.title(), "Pause or resume 5 marked");
    assert_eq!(c.targets(), ["pause", "resume"], "most are not paused");
    let lines = c.lines().join("\n");
    assert!(
        lines.contains("5 marked: 2 would pause, 3 the rules refuse"),
        "{lines}"
    );
    assert!(
        lines.contains("atlas-101   coding → paused in coding"),
        "{lines}"
    );
    assert!(
        lines.contains("eridanus-9  planning → paused in planning"),
        "{lines}"
    );
    assert!(lines.contains("refused 1: cannot pause"), "{lines}");
    assert!(lines.contains("(cygnus-12)"), "{lines}");
    assert_eq!(c.stage(), Stage::Target);
    key(&mut a, KeyCode::Down);
    let lines = confirm(&a).lines().join("\n");
    assert!(lines.contains("1 would resume"), "{lines}");
    assert!(
        lines.contains("cygnus-12  review → running in review"),
        "{lines}"
    );
    key(&mut a, KeyCode::Up);
    key(&mut a, KeyCode::Enter);
    assert_eq!(
        confirm(&a).stage(),
        Stage::Reason,
        "a bulk action needs a reason"
    );
    typed(&mut a, "runner pool drained");
    assert!(key(&mut a, KeyCode::Enter).is_empty(), "only y confirms");
    let cmds = key(&mut a, KeyCode::Char('y'));
    let [
        Cmd::PerformBulk {
            items,
            intent,
            actor,
            reason,
        },
    ] = &cmds[..]
    else {
        panic!("{cmds:?}")
    };
    let builds: Vec<&str> = items.iter().map(|i| i.build_id.as_str()).collect();
    assert_eq!(
        builds,
        [
            "atlas-101",
            "borealis-7",
            "cygnus-12",
            "draco-3",
            "eridanus-9"
        ],
        "every mark goes: the rules judge each again in its transaction"
    );
    let atlas = a.held().row(&items[0].id).unwrap();
    assert_eq!(items[0].version, atlas.wf.version());
    assert_eq!(intent, &Intent::Do(Action::Pause));
    assert_eq!(reason, "runner pool drained");
    assert_eq!(actor, "operator:alice@host");
    assert!(a.marks().is_empty(), "the marks are spent");
}

#[test]
fn acknowledging_marks_takes_each_ones_pending_handoff() {
    let mut a = app();
    key(&mut a, KeyCode::Char('*'));
    key(&mut a, KeyCode::Char('A'));
    let lines = confirm(&a).lines().join("\n");
    assert!(lines.contains("1 would acknowledge"), "{lines}");
    assert!(
        lines.contains("refused 4: no handoff is waiting for acknowledgement"),
        "{lines}"
    );
    assert!(matches!(
        confirm(&a).subject(),
        Subject::Marked(m) if m.len() == 5
    ));
}

#[test]
fn when_the_rules_refuse_every_mark_no_dialog_opens() {
    let mut a = app();
    filter(&mut a, "status:completed");
    key(&mut a, KeyCode::Char('*'));
    key(&mut a, KeyCode::Char('a'));
    assert!(a.overlays().shown().is_none());
    let (level, msg) = a.session().flash().unwrap().clone();
    assert_eq!(level, Level::Error);
    assert!(msg.starts_with("none of the 1 marked can advance"), "{msg}");
    assert_eq!(a.marks().len(), 1, "kept for another action");
}

#[test]
fn a_mark_leaves_with_its_workflow_and_cancelling_keeps_the_rest() {
    let mut a = app();
    key(&mut a, KeyCode::Char('*'));
    let gone = a.marked_rows()[0].id().to_string();
    let rest: Vec<_> = a
        .held()
        .rows()
        .iter()
        .filter(|r| r.id() != gone)
        .map(|r| r.unpack())
        .collect();
    update(
        &mut a,
        Msg::Data(Delta {
            full: true,
            workflows: rest,
            definitions: vec![crate::model::Definition::builtin()],
            ..Delta::default()
        }),
    );
    assert_eq!(
        a.marks().len(),
        4,
        "the deleted workflow's mark went with it"
    );
    key(&mut a, KeyCode::Char('x'));
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.marks().len(), 4, "a cancelled dialog spends nothing");
}

#[test]
fn the_history_view_does_not_take_marks() {
    let mut a = app();
    key(&mut a, KeyCode::Char('5'));
    key(&mut a, KeyCode::Char(' '));
    assert!(a.marks().is_empty());
    let (level, msg) = a.session().flash().unwrap().clone();
    assert_eq!(level, Level::Error);
    assert!(msg.contains("live workflows"), "{msg}");
}
