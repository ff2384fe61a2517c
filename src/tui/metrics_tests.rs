//! The metrics overlay (`M`) in `update`: asked for on the key, shown when it arrives,
//! asked for again every few seconds while shown (and only then), closed by `M` or Esc.

use super::app::{App, Overlay};
use super::msg::{Cmd, Msg};
use super::testing::{app, now};
use super::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn tick(app: &mut App, secs: i64) -> Vec<Cmd> {
    update(app, Msg::Tick(now() + chrono::Duration::seconds(secs)))
}

fn lines(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("line {i}")).collect()
}

#[test]
fn m_shows_the_metrics_and_refreshes_them_while_shown() {
    let mut a = app();
    assert_eq!(key(&mut a, KeyCode::Char('M')), [Cmd::LoadMetrics]);
    update(&mut a, Msg::Metrics(lines(40)));
    let Some(Overlay::Metrics(v)) = a.overlays().shown() else {
        panic!("metrics shown");
    };
    assert_eq!(v.text.lines.len(), 40);
    // Scrolled, then refreshed in place: the scroll stays.
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char('j'));
    assert!(tick(&mut a, 1).is_empty(), "not yet");
    assert_eq!(tick(&mut a, 5), [Cmd::LoadMetrics]);
    assert!(tick(&mut a, 6).is_empty(), "once per period");
    update(&mut a, Msg::Metrics(lines(41)));
    let Some(Overlay::Metrics(v)) = a.overlays().shown() else {
        panic!("still shown");
    };
    assert_eq!((v.text.lines.len(), v.at), (41, 2));
    // The render loop wakes for the next refresh.
    assert!(a.next_wake().is_some());
    // M closes it; nothing more is asked for.
    assert!(key(&mut a, KeyCode::Char('M')).is_empty());
    assert!(a.overlays().shown().is_none());
    assert!(tick(&mut a, 30).is_empty());
    // A reply arriving after it was closed does not open it again, nor cover another.
    update(&mut a, Msg::Metrics(lines(3)));
    assert!(a.overlays().shown().is_none());
    key(&mut a, KeyCode::Char('?'));
    update(&mut a, Msg::Metrics(lines(3)));
    assert!(matches!(a.overlays().shown(), Some(Overlay::Help(_))));
}

#[test]
fn esc_closes_the_metrics() {
    let mut a = app();
    key(&mut a, KeyCode::Char('M'));
    update(&mut a, Msg::Metrics(lines(3)));
    key(&mut a, KeyCode::Esc);
    assert!(a.overlays().shown().is_none());
}

/// The metrics' table is wider than an 80-column screen: ←/→ move the view sideways, as
/// far as the widest line's end and back, the place survives a refresh, and the frame
/// shows the columns scrolled to and says which they are.
#[test]
fn wide_metrics_scroll_sideways_on_a_narrow_screen() {
    use ratatui::{Terminal, backend::TestBackend};
    let mut a = app();
    a.screen_mut().resize(80, 24);
    key(&mut a, KeyCode::Char('M'));
    let wide: Vec<String> = (0..5)
        .map(|i| format!("row{i} {}END", "abcdefghij".repeat(14)))
        .collect();
    let widest = wide[0].chars().count();
    update(&mut a, Msg::Metrics(wide.clone()));
    let left = |a: &App| match a.overlays().shown() {
        Some(Overlay::Metrics(v)) => v.left,
        other => panic!("metrics shown, not {other:?}"),
    };
    let draw = |a: &App| {
        let mut t = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
        t.draw(|f| super::view::draw(f, a)).expect("draw");
        t.backend().to_string()
    };
    assert!(draw(&a).contains("row0 abcdefghij"), "{}", draw(&a));
    assert!(!draw(&a).contains("END"));
    key(&mut a, KeyCode::Right);
    assert_eq!(left(&a), 8);
    let shot = draw(&a);
    // "row0 " and three letters scrolled past.
    assert!(shot.contains("│defghijabc"), "{shot}");
    assert!(
        shot.contains(&format!("cols 9-82 of {widest} · ←/→")),
        "{shot}"
    );
    for _ in 0..30 {
        key(&mut a, KeyCode::Right);
    }
    let inner = 80 - 4 - 2;
    assert_eq!(left(&a), widest - inner, "no further than the end");
    assert!(draw(&a).contains("END│"), "{}", draw(&a));
    update(&mut a, Msg::Metrics(wide));
    assert_eq!(left(&a), widest - inner, "a refresh keeps the place");
    key(&mut a, KeyCode::Left);
    assert_eq!(left(&a), widest - inner - 8);
    for _ in 0..30 {
        key(&mut a, KeyCode::Left);
    }
    assert_eq!(left(&a), 0);
}
