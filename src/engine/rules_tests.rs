//! The transition rules, tested without a database: snapshots are built by hand around the
//! built-in `build` definition and every resulting [`Change`] is checked field by field.

use super::error::RuleError;
use super::rules::{self, Context, DEFAULT_MAX_RETRIES};
use crate::model::time::{self, Timestamp};
use crate::model::{
    Action, Change, Checkpoint, Definition, EventType, Handoff, HandoffKind, NewWorkflow, Snapshot,
    Status, Workflow,
};
use serde_json::{Value, json};

const ACTOR: &str = "operator:alice@host";
const AT: &str = "2026-03-01T12:00:00.000Z";
const EARLIER: &str = "2026-03-01T11:00:00.000Z";

fn now() -> Timestamp {
    time::parse(AT).unwrap()
}

fn cx() -> Context<'static> {
    Context {
        actor: ACTOR,
        reason: None,
        expected_version: None,
        now: now(),
    }
}

fn with_reason(reason: &'static str) -> Context<'static> {
    Context {
        reason: Some(reason),
        ..cx()
    }
}

fn role_of(phase: &str) -> String {
    Definition::builtin()
        .phase(phase)
        .map_or_else(|| "nobody".to_string(), |p| p.role.clone())
}

/// A workflow at version 5 in `phase`, with outputs for every earlier phase.
fn wf(phase: &str, status: Status) -> Workflow {
    let def = Definition::builtin();
    let mut outputs = serde_json::Map::new();
    for p in def.phases.iter().take_while(|p| p.name != phase) {
        outputs.insert(p.name.clone(), json!({ "done": p.name }));
    }
    Workflow {
        id: "wf-1".into(),
        build_id: "atlas-1".into(),
        project_id: "atlas".into(),
        user_id: Some("alice".into()),
        definition: "build".into(),
        current_state: phase.into(),
        current_role: role_of(phase).into(),
        status,
        status_raw: status.as_str().into(),
        phase_outputs: Value::Object(outputs),
        retry_count: 0,
        max_retries: DEFAULT_MAX_RETRIES,
        last_error: (status == Status::Failed).then(|| "boom".to_string()),
        version: 5,
        metadata: json!({}),
        created_at: EARLIER.into(),
        updated_at: EARLIER.into(),
        completed_at: None,
        heartbeat_at: None,
        state_entered_at: Some(EARLIER.into()),
    }
}

fn snap(w: Workflow) -> Snapshot {
    Snapshot {
        workflow: w,
        definition: Some(Definition::builtin()),
        checkpoints: Vec::new(),
        pending: Vec::new(),
    }
}

fn checkpoint(state: &str, outputs: Value, version: i64) -> Checkpoint {
    Checkpoint {
        id: format!("cp-{state}-{version}"),
        workflow_id: "wf-1".into(),
        state: state.into(),
        phase_outputs: outputs,
        retry_count: 0,
        version,
        created_at: EARLIER.into(),
    }
}

fn pending(id: &str, to_state: &str) -> Handoff {
    Handoff {
        id: id.into(),
        workflow_id: "wf-1".into(),
        from_role: Some("q_assistant".into()),
        to_role: role_of(to_state),
        from_state: Some("planning".into()),
        to_state: to_state.into(),
        kind: HandoffKind::Advance,
        data_transferred: json!({}),
        created_at: EARLIER.into(),
        acknowledged_at: None,
        acknowledged_by: None,
    }
}

fn plan(s: &Snapshot, a: Action) -> Result<Change, RuleError> {
    rules::plan(s, &a, &cx())
}

fn advance(output: Option<Value>) -> Action {
    Action::Advance { output }
}

fn rollback(to: Option<&str>) -> Action {
    Action::Rollback {
        to: to.map(Into::into),
    }
}

/// What every successful change shares: version bump, timestamps, actor, event version.
fn assert_common(before: &Workflow, c: &Change, event: EventType) {
    assert_eq!(c.previous_version, before.version);
    assert_eq!(c.workflow.version, before.version + 1);
    assert_eq!(c.at, AT);
    assert_eq!(c.workflow.updated_at, AT);
    assert_eq!(c.workflow.id, before.id);
    assert_eq!(c.workflow.created_at, before.created_at);
    assert_eq!(c.event.event_type, event);
    assert_eq!(c.event.triggered_by, ACTOR);
    assert_eq!(c.event.data["version"], json!(before.version + 1));
}

/// Status-only changes write the event and nothing else.
fn assert_status_only(before: &Workflow, c: &Change, event: EventType, status: Status) {
    assert_common(before, c, event);
    assert_eq!(c.workflow.status, status);
    assert!(c.handoff.is_none() && c.checkpoint.is_none());
    assert_eq!(c.acknowledge.is_some(), event == EventType::Acknowledged);
    assert_eq!(c.workflow.current_state, before.current_state);
    assert_eq!(c.workflow.current_role, before.current_role);
    assert_eq!(c.workflow.phase_outputs, before.phase_outputs);
    assert_eq!(c.workflow.state_entered_at, before.state_entered_at);
    assert_eq!(c.event.data["phase"], json!(before.current_state));
}

fn wrong_status(r: Result<Change, RuleError>, verb: &str, status: Status) {
    match r {
        Err(RuleError::WrongStatus {
            verb: v, status: s, ..
        }) => {
            assert_eq!((v, s), (verb, status));
        }
        other => panic!("expected WrongStatus({verb}, {status}), got {other:?}"),
    }
}

// ---- start ----

#[test]
fn start_enters_the_first_phase_with_a_checkpoint_and_no_handoff() {
    let def = Definition::builtin();
    let new = NewWorkflow {
        build_id: None,
        project_id: "atlas".into(),
        user_id: Some("alice".into()),
        definition: "build".into(),
        metadata: json!({ "branch": "main" }),
    };
    let c = rules::plan_start(Some(&def), &new, &with_reason("nightly")).unwrap();
    let w = &c.workflow;
    assert_eq!(
        (w.status, w.version, c.previous_version),
        (Status::Running, 1, 0)
    );
    assert_eq!(
        (w.current_state.as_str(), w.current_role.as_str()),
        ("discovery", "q_assistant")
    );
    assert_eq!(w.build_id, format!("atlas-{}", &w.id[..8]));
    assert_eq!((w.retry_count, w.max_retries), (0, DEFAULT_MAX_RETRIES));
    assert_eq!(w.phase_outputs, json!({}));
    assert_eq!(w.metadata, json!({ "branch": "main" }));
    assert_eq!((w.created_at.as_str(), w.updated_at.as_str()), (AT, AT));
    assert_eq!(w.state_entered_at.as_deref(), Some(AT));
    assert!(c.handoff.is_none() && c.acknowledge.is_none());
    let cp = c.checkpoint.as_ref().unwrap();
    assert_eq!((cp.state.as_str(), cp.retry_count), ("discovery", 0));
    assert_eq!(cp.phase_outputs, json!({}));
    assert_eq!(c.event.event_type, EventType::Started);
    assert_eq!(c.event.triggered_by, ACTOR);
    assert_eq!(
        c.event.data,
        json!({ "definition": "build", "definition_version": 1, "phase": "discovery",
                "role": "q_assistant", "reason": "nightly", "version": 1 })
    );
}

#[test]
fn start_keeps_a_given_build_id_and_refuses_unknown_or_empty_definitions() {
    let mut new = NewWorkflow {
        build_id: Some("borealis-7".into()),
        project_id: "borealis".into(),
        user_id: None,
        definition: "build".into(),
        metadata: json!({}),
    };
    let def = Definition::builtin();
    let c = rules::plan_start(Some(&def), &new, &cx()).unwrap();
    assert_eq!(c.workflow.build_id, "borealis-7");
    new.definition = "nope".into();
    assert_eq!(
        rules::plan_start(None, &new, &cx()).unwrap_err(),
        RuleError::UnknownDefinition("nope".into())
    );
    let empty = Definition {
        phases: vec![],
        ..Definition::builtin()
    };
    assert!(matches!(
        rules::plan_start(Some(&empty), &new, &cx()),
        Err(RuleError::UnknownDefinition(_))
    ));
}

// ---- advance ----

#[test]
fn advance_moves_to_the_next_phase_with_handoff_checkpoint_and_event() {
    let mut w = wf("coding", Status::Running);
    w.retry_count = 2;
    let s = snap(w.clone());
    let out = json!({ "files_changed": 4 });
    let c = plan(&s, advance(Some(out.clone()))).unwrap();
    assert_common(&w, &c, EventType::Advanced);
    let n = &c.workflow;
    assert_eq!(
        (n.current_state.as_str(), n.current_role.as_str()),
        ("testing", "test_auditor")
    );
    assert_eq!(n.status, Status::Running);
    assert_eq!(n.retry_count, 0, "a new phase starts with no retries used");
    assert_eq!(n.state_entered_at.as_deref(), Some(AT));
    assert_eq!(n.phase_outputs["coding"], out);
    assert_eq!(n.phase_outputs["planning"], w.phase_outputs["planning"]);
    let h = c.handoff.as_ref().unwrap();
    assert_eq!(h.kind, HandoffKind::Advance);
    assert_eq!(
        (h.from_role.as_deref(), h.to_role.as_str()),
        (Some("code_writer"), "test_auditor")
    );
    assert_eq!(
        (h.from_state.as_deref(), h.to_state.as_str()),
        (Some("coding"), "testing")
    );
    assert_eq!(h.data_transferred, out);
    let cp = c.checkpoint.as_ref().unwrap();
    assert_eq!((cp.state.as_str(), cp.retry_count), ("testing", 0));
    assert_eq!(cp.phase_outputs, n.phase_outputs);
    assert!(c.acknowledge.is_none());
    assert_eq!(
        c.event.data,
        json!({ "from": "coding", "to": "testing", "from_role": "code_writer",
                "to_role": "test_auditor", "handoff_id": h.id, "in_phase_secs": 3600,
                "version": 6 })
    );
}

#[test]
fn advance_within_one_role_still_records_a_handoff() {
    let w = wf("discovery", Status::Running);
    let c = plan(&snap(w.clone()), advance(None)).unwrap();
    assert_common(&w, &c, EventType::Advanced);
    let h = c.handoff.unwrap();
    assert_eq!(
        (h.from_role.as_deref(), h.to_role.as_str()),
        (Some("q_assistant"), "q_assistant")
    );
    assert_eq!(h.to_state, "planning");
    assert_eq!(h.data_transferred, json!({}), "no output: an empty payload");
    assert_eq!(
        c.workflow.phase_outputs, w.phase_outputs,
        "no output: outputs unchanged"
    );
}

#[test]
fn advance_replaces_non_object_outputs_written_by_others() {
    let mut w = wf("planning", Status::Running);
    w.phase_outputs = json!("garbage");
    let c = plan(&snap(w), advance(Some(json!(42)))).unwrap();
    assert_eq!(c.workflow.phase_outputs, json!({ "planning": 42 }));
}

#[test]
fn advance_from_the_last_phase_completes_without_handoff_or_checkpoint() {
    let w = wf("release", Status::Running);
    let out = json!({ "version": "1.2.0" });
    let c = plan(&snap(w.clone()), advance(Some(out.clone()))).unwrap();
    assert_common(&w, &c, EventType::Completed);
    assert_eq!(c.workflow.status, Status::Completed);
    assert_eq!(c.workflow.completed_at.as_deref(), Some(AT));
    assert_eq!(c.workflow.current_state, "release");
    assert_eq!(c.workflow.phase_outputs["release"], out);
    assert!(c.handoff.is_none() && c.checkpoint.is_none());
    assert_eq!(
        c.event.data,
        json!({ "from": "release", "output": out, "in_phase_secs": 3600, "version": 6 })
    );
}

#[test]
fn advance_is_refused_unless_running() {
    for st in [
        Status::Completed,
        Status::Cancelled,
        Status::Paused,
        Status::Failed,
        Status::Unknown,
    ] {
        wrong_status(plan(&snap(wf("coding", st)), advance(None)), "advance", st);
    }
    let e = plan(&snap(wf("coding", Status::Completed)), advance(None)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot advance a workflow that is completed; it has ended"
    );
    let e = plan(&snap(wf("coding", Status::Paused)), advance(None)).unwrap_err();
    assert!(e.to_string().ends_with("; resume it first"), "{e}");
}

// ---- retry ----

#[test]
fn retry_reissues_the_current_phase() {
    let mut w = wf("testing", Status::Running);
    w.retry_count = 1;
    let c = plan(&snap(w.clone()), Action::Retry).unwrap();
    assert_common(&w, &c, EventType::Retried);
    let n = &c.workflow;
    assert_eq!(
        (n.current_state.as_str(), n.retry_count, n.status),
        ("testing", 2, Status::Running)
    );
    assert_eq!(n.state_entered_at.as_deref(), Some(AT));
    let h = c.handoff.as_ref().unwrap();
    assert_eq!(h.kind, HandoffKind::Retry);
    assert_eq!(
        (h.from_state.as_deref(), h.to_state.as_str()),
        (Some("testing"), "testing")
    );
    assert_eq!(
        (h.from_role.as_deref(), h.to_role.as_str()),
        (Some("test_auditor"), "test_auditor")
    );
    assert_eq!(
        h.data_transferred,
        json!({ "attempt": 2, "previous_error": null })
    );
    let cp = c.checkpoint.as_ref().unwrap();
    assert_eq!((cp.state.as_str(), cp.retry_count), ("testing", 2));
    assert_eq!(
        c.event.data,
        json!({ "phase": "testing", "role": "test_auditor", "attempt": 2, "max_retries": 3,
                "previous_error": null, "handoff_id": h.id, "in_phase_secs": 3600, "version": 6 })
    );
}

#[test]
fn retry_of_a_failed_workflow_runs_it_again_and_clears_the_error() {
    let w = wf("coding", Status::Failed);
    let c = plan(&snap(w.clone()), Action::Retry).unwrap();
    assert_common(&w, &c, EventType::Retried);
    assert_eq!(c.workflow.status, Status::Running);
    assert_eq!(c.workflow.last_error, None);
    assert_eq!(c.event.data["previous_error"], json!("boom"));
    assert_eq!(
        c.handoff.unwrap().data_transferred["previous_error"],
        json!("boom")
    );
}

#[test]
fn retry_beyond_the_workflows_max_retries_is_refused() {
    let mut w = wf("coding", Status::Failed);
    w.retry_count = 3;
    assert_eq!(
        plan(&snap(w.clone()), Action::Retry).unwrap_err(),
        RuleError::RetriesExhausted {
            used: 3,
            max: 3,
            phase: "coding".into()
        }
    );
    w.max_retries = 0;
    w.retry_count = 0;
    assert!(matches!(
        plan(&snap(w), Action::Retry),
        Err(RuleError::RetriesExhausted {
            used: 0,
            max: 0,
            ..
        })
    ));
}

#[test]
fn a_phase_limit_overrides_the_workflows_max_retries() {
    let mut s = snap(wf("coding", Status::Running));
    s.definition.as_mut().unwrap().phases[2].max_retries = Some(1);
    s.workflow.retry_count = 1;
    assert_eq!(
        plan(&s, Action::Retry).unwrap_err(),
        RuleError::RetriesExhausted {
            used: 1,
            max: 1,
            phase: "coding".into()
        }
    );
    // A more generous phase limit allows what the workflow's own limit would not.
    s.definition.as_mut().unwrap().phases[2].max_retries = Some(5);
    s.workflow.max_retries = 0;
    s.workflow.retry_count = 4;
    let c = plan(&s, Action::Retry).unwrap();
    assert_eq!(c.workflow.retry_count, 5);
    assert_eq!(c.event.data["max_retries"], json!(5));
}

#[test]
fn retry_is_refused_when_paused_or_ended() {
    for st in [Status::Paused, Status::Completed, Status::Cancelled] {
        wrong_status(plan(&snap(wf("coding", st)), Action::Retry), "retry", st);
    }
}

// ---- rollback ----

#[test]
fn rollback_goes_to_the_previous_phase_and_restores_its_checkpoint() {
    let mut s = snap(wf("testing", Status::Running));
    s.workflow.phase_outputs = json!({ "discovery": 1, "planning": 2, "coding": 3 });
    s.workflow.retry_count = 2;
    s.checkpoints = vec![
        checkpoint("coding", json!({ "discovery": 1, "planning": "old" }), 2),
        checkpoint("coding", json!({ "discovery": 1, "planning": 2 }), 4),
        checkpoint(
            "testing",
            json!({ "discovery": 1, "planning": 2, "coding": 3 }),
            5,
        ),
    ];
    let w = s.workflow.clone();
    let c = rules::plan(&s, &rollback(None), &with_reason("flaky build")).unwrap();
    assert_common(&w, &c, EventType::RolledBack);
    let n = &c.workflow;
    assert_eq!(
        (n.current_state.as_str(), n.current_role.as_str()),
        ("coding", "code_writer")
    );
    assert_eq!((n.status, n.retry_count), (Status::Running, 0));
    assert_eq!(
        n.phase_outputs,
        json!({ "discovery": 1, "planning": 2 }),
        "newest checkpoint"
    );
    let h = c.handoff.as_ref().unwrap();
    assert_eq!(h.kind, HandoffKind::Rollback);
    assert_eq!(
        (h.from_state.as_deref(), h.to_state.as_str()),
        (Some("testing"), "coding")
    );
    assert_eq!(
        (h.from_role.as_deref(), h.to_role.as_str()),
        (Some("test_auditor"), "code_writer")
    );
    assert_eq!(
        h.data_transferred,
        json!({ "reason": "flaky build", "discarded_outputs": ["coding"] })
    );
    let cp = c.checkpoint.as_ref().unwrap();
    assert_eq!((cp.state.as_str(), cp.retry_count), ("coding", 0));
    assert_eq!(cp.phase_outputs, n.phase_outputs);
    assert_eq!(
        c.event.data,
        json!({ "from": "testing", "to": "coding", "from_role": "test_auditor",
                "to_role": "code_writer", "discarded_outputs": ["coding"],
                "handoff_id": h.id, "reason": "flaky build", "in_phase_secs": 3600,
                "version": 6 })
    );
}

#[test]
fn rollback_to_a_named_phase_without_checkpoint_trims_later_outputs() {
    let mut s = snap(wf("review", Status::Failed));
    s.workflow.phase_outputs =
        json!({ "discovery": 1, "planning": 2, "coding": 3, "testing": 4, "other": 9 });
    s.checkpoints = vec![checkpoint("testing", json!({ "x": 1 }), 4)];
    let c = rules::plan(&s, &rollback(Some("planning")), &with_reason("wrong plan")).unwrap();
    let n = &c.workflow;
    assert_eq!(
        (n.current_state.as_str(), n.status),
        ("planning", Status::Running)
    );
    assert_eq!(n.last_error, None);
    assert_eq!(n.phase_outputs, json!({ "discovery": 1 }));
    let mut discarded: Vec<String> =
        serde_json::from_value(c.event.data["discarded_outputs"].clone()).unwrap();
    discarded.sort();
    assert_eq!(discarded, ["coding", "other", "planning", "testing"]);
    assert_eq!(c.handoff.unwrap().to_role, "q_assistant");
}

#[test]
fn rollback_illegal_targets_are_refused() {
    let s = snap(wf("coding", Status::Running));
    let r = |to: Option<&str>| rules::plan(&s, &rollback(to), &with_reason("because"));
    let first = snap(wf("discovery", Status::Running));
    assert_eq!(
        rules::plan(&first, &rollback(None), &with_reason("because")).unwrap_err(),
        RuleError::AtFirstPhase("discovery".into())
    );
    for to in ["testing", "release", "coding"] {
        assert_eq!(
            r(Some(to)).unwrap_err(),
            RuleError::NotEarlier {
                target: to.into(),
                current: "coding".into()
            }
        );
    }
    match r(Some("deploy")).unwrap_err() {
        RuleError::UnknownPhase {
            phase,
            definition,
            phases,
        } => {
            assert_eq!((phase.as_str(), definition.as_str()), ("deploy", "build"));
            assert_eq!(
                phases,
                "discovery, planning, coding, testing, review, release"
            );
        }
        e => panic!("expected UnknownPhase, got {e:?}"),
    }
}

#[test]
fn rollback_needs_a_reason_and_a_running_or_failed_workflow() {
    let s = snap(wf("coding", Status::Running));
    assert_eq!(
        plan(&s, rollback(None)).unwrap_err(),
        RuleError::ReasonRequired("rollback")
    );
    assert_eq!(
        rules::plan(&s, &rollback(None), &with_reason("  ")).unwrap_err(),
        RuleError::ReasonRequired("rollback")
    );
    for st in [Status::Paused, Status::Completed, Status::Cancelled] {
        let r = rules::plan(&snap(wf("coding", st)), &rollback(None), &with_reason("x"));
        wrong_status(r, "roll back", st);
    }
}

// ---- fail, pause, resume, cancel ----

#[test]
fn fail_records_the_error() {
    for st in [Status::Running, Status::Paused] {
        let w = wf("testing", st);
        let c = plan(
            &snap(w.clone()),
            Action::Fail {
                error: "3 tests failed".into(),
            },
        )
        .unwrap();
        assert_status_only(&w, &c, EventType::Failed, Status::Failed);
        assert_eq!(c.workflow.last_error.as_deref(), Some("3 tests failed"));
        assert_eq!(
            c.event.data,
            json!({ "phase": "testing", "error": "3 tests failed", "version": 6 })
        );
    }
}

#[test]
fn fail_needs_error_text_and_a_live_workflow() {
    let s = snap(wf("testing", Status::Running));
    for e in ["", "   "] {
        assert_eq!(
            plan(&s, Action::Fail { error: e.into() }).unwrap_err(),
            RuleError::ErrorRequired
        );
    }
    for st in [Status::Failed, Status::Completed, Status::Cancelled] {
        wrong_status(
            plan(&snap(wf("testing", st)), Action::Fail { error: "x".into() }),
            "fail",
            st,
        );
    }
}

#[test]
fn pause_and_resume_toggle_running() {
    let w = wf("coding", Status::Running);
    let c = plan(&snap(w.clone()), Action::Pause).unwrap();
    assert_status_only(&w, &c, EventType::Paused, Status::Paused);
    let p = wf("coding", Status::Paused);
    let c = plan(&snap(p.clone()), Action::Resume).unwrap();
    assert_status_only(&p, &c, EventType::Resumed, Status::Running);
    assert_eq!(c.event.data, json!({ "phase": "coding", "version": 6 }));
}

#[test]
fn pause_and_resume_refuse_the_wrong_status() {
    for st in [
        Status::Paused,
        Status::Failed,
        Status::Completed,
        Status::Cancelled,
    ] {
        wrong_status(plan(&snap(wf("coding", st)), Action::Pause), "pause", st);
    }
    for st in [Status::Running, Status::Failed, Status::Completed] {
        wrong_status(plan(&snap(wf("coding", st)), Action::Resume), "resume", st);
    }
    let e = plan(&snap(wf("coding", Status::Running)), Action::Resume).unwrap_err();
    assert!(
        e.to_string().contains("only paused workflows resume"),
        "{e}"
    );
}

#[test]
fn cancel_ends_any_live_workflow() {
    for st in [Status::Running, Status::Paused, Status::Failed] {
        let w = wf("review", st);
        let c = rules::plan(&snap(w.clone()), &Action::Cancel, &with_reason("obsolete")).unwrap();
        assert_status_only(&w, &c, EventType::Cancelled, Status::Cancelled);
        assert_eq!(c.workflow.completed_at.as_deref(), Some(AT));
        assert_eq!(c.event.data["reason"], json!("obsolete"));
    }
    for st in [Status::Completed, Status::Cancelled] {
        wrong_status(plan(&snap(wf("review", st)), Action::Cancel), "cancel", st);
    }
}

// ---- acknowledge ----

#[test]
fn acknowledge_marks_a_pending_handoff() {
    let w = wf("coding", Status::Running);
    let mut s = snap(w.clone());
    s.pending = vec![pending("h-old", "planning"), pending("h-1", "coding")];
    let c = plan(
        &s,
        Action::Acknowledge {
            handoff_id: "h-1".into(),
        },
    )
    .unwrap();
    assert_status_only(&w, &c, EventType::Acknowledged, Status::Running);
    assert_eq!(c.acknowledge.as_deref(), Some("h-1"));
    assert_eq!(
        c.event.data,
        json!({ "handoff_id": "h-1", "role": "code_writer", "phase": "coding",
                "waited_secs": 3600, "version": 6 })
    );
}

#[test]
fn acknowledge_refuses_a_handoff_that_is_not_pending() {
    let mut s = snap(wf("coding", Status::Running));
    s.pending = vec![pending("h-1", "coding")];
    assert_eq!(
        plan(
            &s,
            Action::Acknowledge {
                handoff_id: "h-2".into()
            }
        )
        .unwrap_err(),
        RuleError::NotPending("h-2".into())
    );
    for st in [Status::Completed, Status::Cancelled] {
        let mut s = snap(wf("coding", st));
        s.pending = vec![pending("h-1", "coding")];
        let r = plan(
            &s,
            Action::Acknowledge {
                handoff_id: "h-1".into(),
            },
        );
        wrong_status(r, "acknowledge a handoff of", st);
    }
}

// ---- versions, definitions ----

#[test]
fn a_stale_expected_version_is_refused_for_every_action() {
    let mut s = snap(wf("coding", Status::Running));
    s.pending = vec![pending("h-1", "coding")];
    let actions = [
        advance(None),
        Action::Retry,
        rollback(None),
        Action::Fail { error: "x".into() },
        Action::Pause,
        Action::Resume,
        Action::Cancel,
        Action::Acknowledge {
            handoff_id: "h-1".into(),
        },
    ];
    for a in &actions {
        let stale = Context {
            expected_version: Some(4),
            ..with_reason("r")
        };
        assert_eq!(
            rules::plan(&s, a, &stale).unwrap_err(),
            RuleError::Stale {
                expected: 4,
                actual: 5
            },
            "{a:?}"
        );
    }
    let current = Context {
        expected_version: Some(5),
        ..cx()
    };
    assert_eq!(
        rules::plan(&s, &advance(None), &current)
            .unwrap()
            .workflow
            .version,
        6
    );
}

#[test]
fn the_version_check_comes_before_the_status_check() {
    let s = snap(wf("coding", Status::Completed));
    let stale = Context {
        expected_version: Some(1),
        ..cx()
    };
    assert!(matches!(
        rules::plan(&s, &advance(None), &stale),
        Err(RuleError::Stale { .. })
    ));
}

#[test]
fn transitions_need_the_workflows_definition() {
    let mut s = snap(wf("coding", Status::Running));
    s.definition = None;
    for a in [advance(None), Action::Retry] {
        assert_eq!(
            plan(&s, a).unwrap_err(),
            RuleError::UnknownDefinition("build".into())
        );
    }
    assert_eq!(
        rules::plan(&s, &rollback(None), &with_reason("r")).unwrap_err(),
        RuleError::UnknownDefinition("build".into())
    );
    // Status changes do not depend on the definition, so an operator can still stop it.
    assert_eq!(
        plan(&s, Action::Pause).unwrap().workflow.status,
        Status::Paused
    );
}

#[test]
fn transitions_refuse_a_phase_the_definition_does_not_have() {
    let mut w = wf("coding", Status::Running);
    w.current_state = "deploy".into();
    let s = snap(w);
    let expected = RuleError::PhaseNotInDefinition {
        phase: "deploy".into(),
        definition: "build".into(),
    };
    assert_eq!(plan(&s, advance(None)).unwrap_err(), expected);
    assert_eq!(plan(&s, Action::Retry).unwrap_err(), expected);
    assert_eq!(
        rules::plan(&s, &rollback(None), &with_reason("r")).unwrap_err(),
        expected
    );
}

#[test]
fn rule_errors_read_as_one_line_with_what_to_do() {
    let errors = [
        RuleError::Stale {
            expected: 1,
            actual: 2,
        },
        RuleError::RetriesExhausted {
            used: 3,
            max: 3,
            phase: "coding".into(),
        },
        RuleError::ReasonRequired("rollback"),
        RuleError::ErrorRequired,
        RuleError::UnknownDefinition("x".into()),
    ];
    for e in errors {
        let s = e.to_string();
        assert!(!s.contains('\n'), "{s}");
    }
    assert!(
        RuleError::ReasonRequired("rollback")
            .to_string()
            .contains("--reason")
    );
    assert!(RuleError::ErrorRequired.to_string().contains("--error"));
}
