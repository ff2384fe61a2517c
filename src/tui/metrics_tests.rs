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
