//! Builders shared by the dashboard's unit tests.

use crate::model::{Status, Workflow};
use serde_json::json;

pub fn workflow(id: &str, build: &str, phase: &str, status: Status) -> Workflow {
    let role = crate::model::Definition::builtin()
        .phase(phase)
        .map_or("unknown_role".to_string(), |p| p.role.clone());
    Workflow {
        id: id.into(),
        build_id: build.into(),
        project_id: build.split('-').next().unwrap_or("p").into(),
        user_id: None,
        definition: "build".into(),
        current_state: phase.into(),
        current_role: role.into(),
        status,
        status_raw: status.as_str().into(),
        phase_outputs: json!({}),
        retry_count: 0,
        max_retries: 3,
        last_error: None,
        version: 2,
        metadata: json!({}),
        created_at: "2026-11-22T10:00:00.000Z".into(),
        updated_at: "2026-11-22T10:00:00.000Z".into(),
        completed_at: None,
        heartbeat_at: None,
        state_entered_at: Some("2026-11-22T10:00:00.000Z".into()),
    }
}

use super::app::App;
use super::msg::{Delta, Detail, Msg};
use crate::engine::StuckPolicy;
use crate::model::{Definition, Event, Handoff, HandoffKind, time};

pub fn now() -> time::Timestamp {
    time::parse("2026-11-22T10:30:00.000Z").expect("fixed time")
}

pub fn event(seq: i64, wf: &str, kind: &str) -> Event {
    Event {
        seq,
        id: format!("e{seq}"),
        workflow_id: wf.into(),
        event_type: kind.into(),
        triggered_by: "orchestrator:sim".into(),
        event_data: json!({ "phase": "coding" }),
        created_at: "2026-11-22T10:29:00.000Z".into(),
    }
}

pub fn handoff(
    id: &str,
    wf: &str,
    kind: HandoffKind,
    from: &str,
    to: &str,
    at: &str,
    acked: bool,
) -> Handoff {
    let def = Definition::builtin();
    let role = |p: &str| def.phase(p).map_or("?".to_string(), |p| p.role.clone());
    Handoff {
        id: id.into(),
        workflow_id: wf.into(),
        from_role: Some(role(from)),
        to_role: role(to),
        from_state: Some(from.into()),
        to_state: to.into(),
        kind,
        data_transferred: json!({ "summary": format!("{from} done") }),
        created_at: at.into(),
        acknowledged_at: acked.then(|| {
            time::format(time::parse(at).expect("fixture time") + chrono::Duration::seconds(60))
        }),
        acknowledged_by: acked.then(|| "code_writer".to_string()),
    }
}

/// A dashboard holding a varied set: running, failed, paused, completed, and one stuck on an
/// unacknowledged handoff. The clock is fixed so ages render the same every run.
pub fn app() -> App {
    opened(false)
}

/// The same set, opened read-only or not.
pub fn opened(read_only: bool) -> App {
    labelled("/tmp/demo.db", read_only)
}

/// The same set, from a database called `label`.
pub fn labelled(label: &str, read_only: bool) -> App {
    let mut app = App::new(label, read_only, StuckPolicy::default(), now());
    app.session_mut().set_actor("operator:alice@host");
    let mut wfs = vec![
        workflow(
            "a1111111-0000-4000-8000-000000000001",
            "atlas-101",
            "coding",
            Status::Running,
        ),
        workflow(
            "b2222222-0000-4000-8000-000000000002",
            "borealis-7",
            "testing",
            Status::Failed,
        ),
        workflow(
            "c3333333-0000-4000-8000-000000000003",
            "cygnus-12",
            "review",
            Status::Paused,
        ),
        workflow(
            "d4444444-0000-4000-8000-000000000004",
            "draco-3",
            "release",
            Status::Completed,
        ),
        workflow(
            "e5555555-0000-4000-8000-000000000005",
            "eridanus-9",
            "planning",
            Status::Running,
        ),
    ];
    wfs[0].updated_at = "2026-11-22T10:25:00.000Z".into();
    wfs[0].heartbeat_at = Some("2026-11-22T10:29:30.000Z".into());
    wfs[1].last_error = Some("3 tests failed in tests/api.rs".into());
    wfs[1].updated_at = "2026-11-22T10:20:00.000Z".into();
    wfs[3].updated_at = "2026-11-22T10:10:00.000Z".into();
    wfs[3].completed_at = Some("2026-11-22T10:10:00.000Z".into());
    wfs[4].updated_at = "2026-11-22T10:05:00.000Z".into();
    wfs[4].state_entered_at = Some("2026-11-22T10:05:00.000Z".into());
    let pending = vec![handoff(
        "h-e5-1",
        &wfs[4].id,
        HandoffKind::Advance,
        "discovery",
        "planning",
        "2026-11-22T10:05:00.000Z",
        false,
    )];
    let events = (1..=6)
        .map(|i| event(i, &wfs[(i as usize) % 5].id, "phase_advanced"))
        .collect();
    app.screen_mut().resize(120, 40);
    app.apply_delta(Delta {
        full: true,
        workflows: wfs,
        events,
        pending,
        counts: vec![
            (Status::Running, 2),
            (Status::Paused, 1),
            (Status::Failed, 1),
            (Status::Completed, 1),
        ],
        definitions: vec![Definition::builtin()],
        at: Some(now()),
    });
    app
}

/// `atlas-101`'s phase outputs, as stored.
fn atlas_outputs() -> serde_json::Value {
    json!({ "discovery": { "questions": 3 }, "planning": { "tasks": ["api", "ui"] } })
}

/// The detail for `atlas-101`: its row whole, as the worker reads it from the store (the
/// table holds summary rows, without their JSON documents, as the store's live reads
/// return them).
pub fn atlas_detail(app: &App) -> Msg {
    let mut w = app
        .held()
        .rows()
        .iter()
        .find(|r| r.wf.build_id() == "atlas-101")
        .expect("atlas")
        .unpack();
    w.phase_outputs = atlas_outputs();
    let handoffs = vec![
        handoff(
            "h1",
            &w.id,
            HandoffKind::Advance,
            "discovery",
            "planning",
            "2026-11-22T10:00:00.000Z",
            true,
        ),
        handoff(
            "h2",
            &w.id,
            HandoffKind::Advance,
            "planning",
            "coding",
            "2026-11-22T10:10:00.000Z",
            true,
        ),
        handoff(
            "h3",
            &w.id,
            HandoffKind::Retry,
            "coding",
            "coding",
            "2026-11-22T10:20:00.000Z",
            true,
        ),
    ];
    Msg::Detail(Box::new(Detail {
        outputs_text: super::json_text::pretty(&w.phase_outputs),
        payload_text: super::json_text::pretty(&handoffs[2].data_transferred),
        checkpoints: Vec::new(),
        events: vec![event(1, &w.id, "workflow_started")],
        handoffs,
        workflow: w,
    }))
}
