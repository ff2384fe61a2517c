//! Rollback restores the phase outputs recorded in the target phase's checkpoint, and
//! falls back to dropping later phases' outputs for workflows written without checkpoints.

mod common;

use baton::engine::{self, Request};
use baton::model::Action;
use common::backend::*;
use common::store::{ACTOR, act_with_reason, advance, assert_healthy, start};
use serde_json::json;

fn rollback_restores_the_outputs_checkpointed_when_the_target_was_entered(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let mut w = start(&mut store, "atlas");
    w = advance(&mut store, &w, Some(json!({ "requirements": 3 })));
    w = advance(&mut store, &w, Some(json!({ "steps": ["a", "b"] })));
    w = advance(&mut store, &w, Some(json!({ "files_changed": 7 })));
    assert_eq!(w.current_state, "testing");
    // Someone rewrites an earlier output behind the engine's back: the checkpoint wins.
    let mut tampered = conn.outputs(&w.id);
    tampered["discovery"] = json!("tampered");
    conn.execute(
        "UPDATE build_workflows SET phase_outputs = $2 WHERE id = $1",
        &[&w.id, &tampered],
    );

    let req = Request::new(
        Action::Rollback {
            to: Some("planning".into()),
        },
        ACTOR,
    )
    .reason("requirements changed")
    .expect_version(w.version);
    let written = engine::act_on_id(&mut store, &w.id, &req).unwrap();
    assert_eq!(written.workflow.current_state, "planning");
    assert_eq!(written.workflow.current_role, "q_assistant");
    let restored = json!({ "discovery": { "requirements": 3 } });
    assert_eq!(conn.outputs(&w.id), restored);
    assert_eq!(written.workflow.phase_outputs, restored);
    let (t, _, data) = conn.last_event(&w.id);
    assert_eq!(t, "phase_rolled_back");
    assert_eq!(data["reason"], "requirements changed");
    let mut discarded: Vec<String> =
        serde_json::from_value(data["discarded_outputs"].clone()).unwrap();
    discarded.sort();
    assert_eq!(discarded, ["coding", "discovery", "planning"]);

    // Going forward again records new outputs; a second rollback uses the newest checkpoint.
    w = written.workflow;
    w = advance(&mut store, &w, Some(json!({ "steps": ["c"] })));
    w = advance(&mut store, &w, Some(json!({ "files_changed": 1 })));
    w = act_with_reason(
        &mut store,
        &w,
        Action::Rollback { to: None },
        "tests missing",
    )
    .workflow;
    assert_eq!(w.current_state, "coding");
    assert_eq!(
        conn.outputs(&w.id),
        json!({ "discovery": { "requirements": 3 }, "planning": { "steps": ["c"] } })
    );
    assert_healthy(&store);
}

fn rollback_without_checkpoints_trims_later_phases(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    // An orchestrator that writes plain SQL and no checkpoints.
    conn.batch(
        "INSERT INTO build_workflows (id, build_id, project_id, current_state, \"current_role\",
           phase_outputs, version)
         VALUES ('ext-1', 'hydra-1', 'hydra', 'review', 'verification_specialist',
           '{\"discovery\":1,\"planning\":2,\"coding\":3,\"testing\":4}', 1);
         INSERT INTO workflow_events (workflow_id, event_type) VALUES ('ext-1', 'workflow_started');",
    );
    let req = Request::new(
        Action::Rollback {
            to: Some("coding".into()),
        },
        ACTOR,
    )
    .reason("redo");
    let w = engine::act(&mut store, "hydra-1", &req).unwrap().workflow;
    assert_eq!((w.current_state.as_str(), w.version), ("coding", 2));
    assert_eq!(
        conn.outputs("ext-1"),
        json!({ "discovery": 1, "planning": 2 })
    );
    // The rollback itself leaves a checkpoint for the phase it entered.
    let cps = store.checkpoints("ext-1").unwrap();
    assert_eq!(cps.len(), 1);
    assert_eq!(cps[0].state, "coding");
    assert_eq!(
        cps[0].phase_outputs,
        json!({ "discovery": 1, "planning": 2 })
    );
    assert_healthy(&store);
}

both!(
    rollback_restores_the_outputs_checkpointed_when_the_target_was_entered,
    rollback_without_checkpoints_trims_later_phases,
);
