//! Time travel and the diff in the dashboard, without a database: atlas-101's trail is
//! built by hand (started, advanced, rolled back, advanced twice, in baton's vocabulary),
//! frames and diffs are made from it as the worker makes them, and fed to `update`.
//! Snapshots of the banner, the diff overlay and the refusal of actions.

use super::app::{App, Overlay};
use super::msg::{Cmd, Msg};
use super::testing::{self, handoff};
use super::travel::{self, TravelTo};
use super::update::update;
use super::view;
use crate::engine::history::History;
use crate::model::{Checkpoint, Definition, Event, HandoffKind};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

const ATLAS: &str = "a1111111-0000-4000-8000-000000000001";

fn ev(seq: i64, kind: &str, at: &str, data: Value) -> Event {
    Event {
        seq,
        id: format!("e{seq}"),
        workflow_id: ATLAS.into(),
        event_type: kind.into(),
        triggered_by: "orchestrator:sim".into(),
        event_data: data,
        created_at: format!("2026-11-22T10:{at}:00.000Z"),
    }
}

fn cp(state: &str, version: i64, at: &str, outputs: Value) -> Checkpoint {
    Checkpoint {
        id: format!("cp{version}"),
        workflow_id: ATLAS.into(),
        state: state.into(),
        phase_outputs: outputs,
        retry_count: 0,
        version,
        created_at: format!("2026-11-22T10:{at}:00.000Z"),
    }
}

/// atlas-101's trail: #11 start, #12 advance to planning, #13 rollback to discovery, #14
/// advance to planning again (discovery's output now 3 questions, not 2), #15 to coding.
fn history(app: &App) -> History {
    let mut workflow = app.held().row(ATLAS).expect("atlas").unpack();
    workflow.version = 5;
    let t = |at: &str| format!("2026-11-22T10:{at}:00.000Z");
    let h = |id: &str, kind, from, to, at: &str| handoff(id, ATLAS, kind, from, to, &t(at), true);
    let adv = |from: &str, to: &str, role: &str, hid: &str, v: i64| json!({"from": from, "to": to, "to_role": role, "handoff_id": hid, "version": v});
    History {
        workflow,
        definition: Some(Definition::builtin()),
        events: vec![
            ev(
                11,
                "workflow_started",
                "00",
                json!({"phase": "discovery", "role": "q_assistant", "version": 1}),
            ),
            ev(
                12,
                "phase_advanced",
                "05",
                adv("discovery", "planning", "q_assistant", "h1", 2),
            ),
            ev(
                13,
                "phase_rolled_back",
                "10",
                adv("planning", "discovery", "q_assistant", "h2", 3),
            ),
            ev(
                14,
                "phase_advanced",
                "15",
                adv("discovery", "planning", "q_assistant", "h3", 4),
            ),
            ev(
                15,
                "phase_advanced",
                "20",
                adv("planning", "coding", "code_writer", "h4", 5),
            ),
        ],
        handoffs: vec![
            h("h1", HandoffKind::Advance, "discovery", "planning", "05"),
            h("h2", HandoffKind::Rollback, "planning", "discovery", "10"),
            h("h3", HandoffKind::Advance, "discovery", "planning", "15"),
            h("h4", HandoffKind::Advance, "planning", "coding", "20"),
        ],
        checkpoints: vec![
            cp("discovery", 1, "00", json!({})),
            cp("planning", 2, "05", json!({"discovery": {"questions": 2}})),
            cp("discovery", 3, "10", json!({})),
            cp("planning", 4, "15", json!({"discovery": {"questions": 3}})),
            cp(
                "coding",
                5,
                "20",
                json!({"discovery": {"questions": 3}, "planning": {"tasks": ["api", "ui"]}}),
            ),
        ],
    }
}

fn key(a: &mut App, code: KeyCode) -> Vec<Cmd> {
    update(a, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// What the worker would answer to `cmd`, fed back to `update`.
fn answer(a: &mut App, cmds: Vec<Cmd>) {
    for c in cmds {
        let h = history(a);
        match c {
            Cmd::Travel { to, .. } => {
                let f = travel::frame(&h, to).expect("an event of atlas");
                update(a, Msg::Travel(Box::new(f)));
            }
            Cmd::Diff { to, .. } => {
                update(a, Msg::Diff(Box::new(travel::diff_text(&h, to))));
            }
            _ => {}
        }
    }
}

fn atlas(w: u16, h: u16) -> App {
    let mut a = testing::app();
    a.screen_mut().resize(w, h);
    let i = a
        .held()
        .visible()
        .iter()
        .position(|id| id == ATLAS)
        .expect("shown");
    a.select(i);
    let d = testing::atlas_detail(&a);
    update(&mut a, d);
    a
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| view::draw(f, app)).expect("draw");
    t.backend().to_string()
}

#[test]
fn brackets_step_through_the_events_and_past_the_newest_return_to_live() {
    let mut a = atlas(120, 40);
    let cmds = key(&mut a, KeyCode::Char('['));
    assert_eq!(
        cmds,
        vec![Cmd::Travel {
            workflow_id: ATLAS.into(),
            to: TravelTo::BackFromNow
        }]
    );
    answer(&mut a, cmds);
    assert_eq!(
        a.travel().frame().map(|f| f.seq),
        Some(14),
        "one back from now"
    );
    let back = key(&mut a, KeyCode::Char('['));
    assert_eq!(
        back,
        vec![Cmd::Travel {
            workflow_id: ATLAS.into(),
            to: TravelTo::Seq(13)
        }]
    );
    answer(&mut a, back);
    let f = a.travel().frame().unwrap();
    assert_eq!(f.state.phase.known().map(String::as_str), Some("discovery"));
    assert_eq!(f.handoffs.len(), 2);
    let fwd = key(&mut a, KeyCode::Char(']'));
    answer(&mut a, fwd);
    let fwd = key(&mut a, KeyCode::Char(']'));
    answer(&mut a, fwd);
    assert_eq!(a.travel().frame().map(|f| f.seq), Some(15));
    assert!(key(&mut a, KeyCode::Char(']')).is_empty());
    assert!(!a.travel().active(), "past the newest event: live again");
    assert!(a.session().flash().unwrap().1.contains("back to live"));
}

#[test]
fn keys_faster_than_frames_step_on_from_the_event_asked_for() {
    let mut a = atlas(120, 40);
    let cmds = key(&mut a, KeyCode::Char('['));
    answer(&mut a, cmds);
    // Two steps back before either frame arrives: #13, then #12.
    let first = key(&mut a, KeyCode::Char('['));
    let second = key(&mut a, KeyCode::Char('['));
    assert_eq!(
        second,
        vec![Cmd::Travel {
            workflow_id: ATLAS.into(),
            to: TravelTo::Seq(12)
        }]
    );
    answer(&mut a, first);
    answer(&mut a, second);
    assert_eq!(a.travel().frame().map(|f| f.seq), Some(12));
}

#[test]
fn actions_are_refused_while_travelling_and_esc_returns_to_live() {
    let mut a = atlas(120, 40);
    let cmds = key(&mut a, KeyCode::Char('['));
    answer(&mut a, cmds);
    for k in ['a', 'r', 'b', 'x'] {
        assert!(key(&mut a, KeyCode::Char(k)).is_empty());
        assert!(a.overlays().shown().is_none(), "no dialog for {k}");
        let (_, msg) = a.session().flash().unwrap();
        assert!(
            msg.contains("read-only while travelling") && msg.contains("#14"),
            "{msg}"
        );
    }
    key(&mut a, KeyCode::Esc);
    assert!(!a.travel().active());
    key(&mut a, KeyCode::Char('a'));
    assert!(
        matches!(a.overlays().shown(), Some(Overlay::Confirm(_))),
        "live: it acts again"
    );
}

#[test]
fn a_workflow_without_events_ends_the_trip_saying_why() {
    let mut a = atlas(120, 40);
    let cmds = key(&mut a, KeyCode::Char('['));
    assert_eq!(cmds.len(), 1);
    let mut h = history(&a);
    h.events.clear();
    assert!(travel::frame(&h, TravelTo::BackFromNow).is_none());
    update(
        &mut a,
        Msg::TravelRefused {
            workflow_id: ATLAS.into(),
            why: "it has no events to travel through".into(),
        },
    );
    assert!(!a.travel().active());
    assert!(a.session().flash().unwrap().1.contains("no time travel"));
}

#[test]
fn moving_the_selection_ends_the_trip() {
    let mut a = atlas(120, 40);
    let cmds = key(&mut a, KeyCode::Char('['));
    answer(&mut a, cmds);
    key(&mut a, KeyCode::Char('j'));
    assert!(!a.travel().active());
}

#[test]
fn d_diffs_now_or_as_of_the_event_shown_and_the_overlay_scrolls_and_closes() {
    let mut a = atlas(80, 24);
    let cmds = key(&mut a, KeyCode::Char('d'));
    assert_eq!(
        cmds,
        vec![Cmd::Diff {
            workflow_id: ATLAS.into(),
            to: None
        }]
    );
    answer(&mut a, cmds);
    let Some(Overlay::Diff(v)) = a.overlays().shown() else {
        panic!("the diff overlay")
    };
    assert!(
        v.text.lines[0].contains("no previous attempt of phase coding"),
        "{:?}",
        v.text.lines
    );
    key(&mut a, KeyCode::Esc);
    assert!(a.overlays().shown().is_none());
    // As of #14: planning's second attempt against its first (ended by the rollback).
    let cmds = key(&mut a, KeyCode::Char('['));
    answer(&mut a, cmds);
    let cmds = key(&mut a, KeyCode::Char('d'));
    assert_eq!(
        cmds,
        vec![Cmd::Diff {
            workflow_id: ATLAS.into(),
            to: Some(14)
        }]
    );
    answer(&mut a, cmds);
    let Some(Overlay::Diff(v)) = a.overlays().shown() else {
        panic!("the diff overlay")
    };
    assert!(
        v.text
            .lines
            .contains(&"~ /discovery/questions  2 → 3".to_string()),
        "{:?}",
        v.text.lines
    );
    key(&mut a, KeyCode::Char('j'));
    let Some(Overlay::Diff(v)) = a.overlays().shown() else {
        panic!("still open")
    };
    assert_eq!(v.at, 1);
    key(&mut a, KeyCode::Char('q'));
    assert!(
        a.overlays().shown().is_none(),
        "q closes the diff, not the dashboard"
    );
    assert!(a.travel().active(), "and the trip goes on");
}

#[test]
fn the_banner_says_as_of_which_event_and_when() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut a = atlas(w, h);
        let cmds = key(&mut a, KeyCode::Char('['));
        answer(&mut a, cmds);
        let back = key(&mut a, KeyCode::Char('['));
        answer(&mut a, back);
        let shown = screen(&a, w, h);
        assert!(shown.contains("as of #13 · 10:10:00"), "{shown}");
        insta::assert_snapshot!(format!("travel_banner_{w}x{h}"), shown);
    }
}

#[test]
fn the_diff_overlay_shows_each_path_with_old_and_new() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut a = atlas(w, h);
        let cmds = key(&mut a, KeyCode::Char('['));
        answer(&mut a, cmds);
        let cmds = key(&mut a, KeyCode::Char('d'));
        answer(&mut a, cmds);
        insta::assert_snapshot!(format!("travel_diff_{w}x{h}"), screen(&a, w, h));
    }
}
