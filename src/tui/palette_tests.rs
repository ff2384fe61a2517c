//! The command palette in `update`: `:` opens it, candidates complete what is typed, Enter
//! runs views, saved views, commands and build ids the way their keys would, and text that
//! names nothing it knows is looked up as a workflow by the worker.

use super::app::{App, Level, Overlay, QuickView};
use super::msg::{Cmd, Msg};
use super::palette::candidates;
use super::testing::{app, opened};
use super::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) -> Vec<Cmd> {
    text.chars()
        .flat_map(|c| key(app, KeyCode::Char(c)))
        .collect()
}

fn palette_open(app: &App) -> bool {
    matches!(app.overlays().shown(), Some(Overlay::Palette(_)))
}

#[test]
fn views_complete_and_run_like_their_keys() {
    let mut a = app();
    key(&mut a, KeyCode::Char(':'));
    assert!(palette_open(&a));
    typed(&mut a, "fai");
    let words: Vec<String> = candidates(&a, "fai").into_iter().map(|c| c.word).collect();
    assert_eq!(
        words.first().map(String::as_str),
        Some("failed"),
        "{words:?}"
    );
    key(&mut a, KeyCode::Enter);
    assert!(!palette_open(&a));
    assert_eq!(a.table().view(), QuickView::Failed);

    // Tab takes the word; Enter on `history` asks the database for its first page.
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "hist");
    key(&mut a, KeyCode::Tab);
    let Some(Overlay::Palette(p)) = a.overlays().shown() else {
        panic!("still open");
    };
    assert_eq!(p.field.text(), "history");
    let cmds = key(&mut a, KeyCode::Enter);
    assert!(a.history().active());
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::LoadHistory(_))),
        "{cmds:?}"
    );

    // Esc closes, doing nothing.
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "all");
    key(&mut a, KeyCode::Esc);
    assert!(!palette_open(&a));
    assert!(a.history().active(), "Esc ran nothing");
}

#[test]
fn a_build_id_goes_to_its_workflow_and_an_unknown_word_is_looked_up() {
    let mut a = app();
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "cygnus");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.selected_row().unwrap().wf.build_id(), "cygnus-12");

    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "shop-9000");
    assert!(candidates(&a, "shop-9000").is_empty());
    assert_eq!(
        key(&mut a, KeyCode::Enter),
        [Cmd::Resolve("shop-9000".into())]
    );
    update(
        &mut a,
        Msg::Resolved(Err(
            "no view, command or workflow is called `shop-9000`".into()
        )),
    );
    let (level, msg) = a.session().flash().unwrap();
    assert_eq!(*level, Level::Error);
    assert!(msg.contains("shop-9000"));
    // Found: it is shown as `w` shows a workflow from the event log.
    let cmds = update(&mut a, Msg::Resolved(Ok("not-held-id".into())));
    assert_eq!(cmds, [Cmd::LoadDetail("not-held-id".into())]);
}

#[test]
fn commands_run_through_the_same_rules_as_their_keys() {
    let mut a = app();
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "metrics");
    assert_eq!(key(&mut a, KeyCode::Enter), [Cmd::LoadMetrics]);
    // `:advance` opens the same confirmation `a` does...
    key(&mut a, KeyCode::Char(':'));
    typed(&mut a, "advance");
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.overlays().shown(), Some(Overlay::Confirm(_))));
    // ...and read-only refuses it the same way.
    let mut ro = opened(true);
    key(&mut ro, KeyCode::Char(':'));
    typed(&mut ro, "advance");
    key(&mut ro, KeyCode::Enter);
    assert!(ro.overlays().shown().is_none());
    assert!(ro.session().flash().unwrap().1.contains("read-only"));
}
