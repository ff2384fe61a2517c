//! The transition rules, as pure functions: given a workflow as it is and an action, either
//! the complete [`Change`] to write or the reason it is refused. No I/O, no clock: the
//! caller passes the time in, so every rule is tested without a database.

use super::error::RuleError;
use crate::model::time::{self, Timestamp};
use crate::model::{
    Action, Change, Definition, EventType, HandoffKind, NewCheckpoint, NewEvent, NewHandoff,
    NewWorkflow, Phase, Snapshot, Status, Workflow,
};
use serde_json::{Map, Value, json};

/// Who acts, why, when, and which version they last saw.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub actor: &'a str,
    pub reason: Option<&'a str>,
    pub expected_version: Option<i64>,
    pub now: Timestamp,
}

/// Retries allowed when neither the phase nor the workflow says otherwise.
pub const DEFAULT_MAX_RETRIES: i64 = 3;

/// Plans `action` on the workflow in `s`.
pub fn plan(s: &Snapshot, action: &Action, cx: &Context<'_>) -> Result<Change, RuleError> {
    let w = &s.workflow;
    if let Some(expected) = cx.expected_version
        && expected != w.version
    {
        return Err(RuleError::Stale {
            expected,
            actual: w.version,
        });
    }
    if w.version < 1 || w.version == i64::MAX {
        // Another writer stored a version no change can follow (or none at all).
        return Err(RuleError::BadStoredValue(format!(
            "version {} of workflow {}",
            w.version, w.id
        )));
    }
    let mut next = w.clone();
    next.version = w.version + 1;
    next.updated_at = time::format(cx.now).into();
    let mut change = Change {
        workflow: next,
        previous_version: w.version,
        at: time::format(cx.now),
        handoff: None,
        checkpoint: None,
        acknowledge: None,
        event: NewEvent {
            event_type: EventType::Started,
            triggered_by: cx.actor.to_string(),
            data: Value::Null,
        },
    };
    let data = match action {
        Action::Advance { output } => advance(s, output.as_ref(), &mut change)?,
        Action::Retry => retry(s, &mut change)?,
        Action::Rollback { to } => rollback(s, to.as_deref(), cx.reason, &mut change)?,
        Action::Fail { error } => {
            require(w, "fail", &[Status::Running, Status::Paused], "")?;
            if error.trim().is_empty() {
                return Err(RuleError::ErrorRequired);
            }
            change.workflow.status = Status::Failed;
            change.workflow.last_error = Some(error.clone());
            change.event.event_type = EventType::Failed;
            json!({ "phase": w.current_state, "error": error })
        }
        Action::Pause => {
            require(w, "pause", &[Status::Running], "")?;
            change.workflow.status = Status::Paused;
            change.event.event_type = EventType::Paused;
            json!({ "phase": w.current_state })
        }
        Action::Resume => {
            require(
                w,
                "resume",
                &[Status::Paused],
                "; only paused workflows resume",
            )?;
            change.workflow.status = Status::Running;
            change.event.event_type = EventType::Resumed;
            json!({ "phase": w.current_state })
        }
        Action::Cancel => {
            require(
                w,
                "cancel",
                &[Status::Running, Status::Paused, Status::Failed],
                "",
            )?;
            change.workflow.status = Status::Cancelled;
            change.workflow.completed_at = Some(change.at.as_str().into());
            change.event.event_type = EventType::Cancelled;
            json!({ "phase": w.current_state })
        }
        Action::Acknowledge { handoff_id } => {
            require(
                w,
                "acknowledge a handoff of",
                &[Status::Running, Status::Paused, Status::Failed],
                "",
            )?;
            let h = s
                .pending
                .iter()
                .find(|h| &h.id == handoff_id)
                .ok_or_else(|| RuleError::NotPending(handoff_id.clone()))?;
            change.acknowledge = Some(h.id.clone());
            change.event.event_type = EventType::Acknowledged;
            let data = json!({ "handoff_id": h.id, "role": h.to_role, "phase": h.to_state });
            with_secs(data, "waited_secs", Some(&h.created_at), cx.now)
        }
    };
    let data = match change.event.event_type {
        EventType::Advanced
        | EventType::Completed
        | EventType::Retried
        | EventType::RolledBack
        | EventType::Cancelled => {
            with_secs(data, "in_phase_secs", w.state_entered_at.as_deref(), cx.now)
        }
        _ => data,
    };
    change.event.data = with_reason(data, cx.reason, change.workflow.version);
    Ok(change)
}

/// Adds `key`: the whole seconds from `since` to `now`, when `since` is known. Metrics
/// read the time spent in a phase and an acknowledgement's wait from the event that ends
/// them, with no look back at where they began.
fn with_secs(mut data: Value, key: &str, since: Option<&str>, now: Timestamp) -> Value {
    if let (Value::Object(m), Some(secs)) =
        (&mut data, since.and_then(|t| time::secs_since(t, now)))
    {
        m.insert(key.into(), Value::from(secs.max(0)));
    }
    data
}

/// Plans a new workflow in the first phase of `def`.
pub fn plan_start(
    def: Option<&Definition>,
    new: &NewWorkflow,
    cx: &Context<'_>,
) -> Result<Change, RuleError> {
    let def = def.ok_or_else(|| RuleError::UnknownDefinition(new.definition.clone()))?;
    let first = def
        .phases
        .first()
        .ok_or_else(|| RuleError::UnknownDefinition(new.definition.clone()))?;
    let id = uuid::Uuid::new_v4().to_string();
    let at = time::format(cx.now);
    let build_id = new
        .build_id
        .clone()
        .unwrap_or_else(|| format!("{}-{}", new.project_id, &id[..8]));
    let workflow = Workflow {
        id,
        build_id: build_id.into(),
        project_id: new.project_id.as_str().into(),
        user_id: new.user_id.clone().map(Into::into),
        definition: def.name.as_str().into(),
        current_state: first.name.as_str().into(),
        current_role: first.role.as_str().into(),
        status: Status::Running,
        status_raw: Status::Running.as_str().into(),
        phase_outputs: Value::Object(Map::new()),
        retry_count: 0,
        max_retries: DEFAULT_MAX_RETRIES,
        last_error: None,
        version: 1,
        metadata: new.metadata.clone(),
        created_at: at.as_str().into(),
        updated_at: at.as_str().into(),
        completed_at: None,
        heartbeat_at: None,
        state_entered_at: Some(at.as_str().into()),
    };
    let data = json!({
        "definition": def.name, "definition_version": def.version,
        "phase": first.name, "role": first.role,
    });
    Ok(Change {
        checkpoint: Some(NewCheckpoint {
            state: first.name.clone(),
            phase_outputs: workflow.phase_outputs.clone(),
            retry_count: 0,
        }),
        event: NewEvent {
            event_type: EventType::Started,
            triggered_by: cx.actor.to_string(),
            data: with_reason(data, cx.reason, 1),
        },
        workflow,
        previous_version: 0,
        at,
        handoff: None,
        acknowledge: None,
    })
}

fn require(
    w: &Workflow,
    verb: &'static str,
    allowed: &[Status],
    hint: &'static str,
) -> Result<(), RuleError> {
    if allowed.contains(&w.status) {
        return Ok(());
    }
    let hint = match (hint, w.status) {
        ("", Status::Paused) => "; resume it first",
        ("", Status::Failed) => "; retry or roll it back",
        ("", Status::Completed | Status::Cancelled) => "; it has ended",
        ("", Status::Unknown) => "; its status is not one baton knows",
        (h, _) => h,
    };
    Err(RuleError::WrongStatus {
        verb,
        status: w.status,
        hint,
    })
}

fn definition(s: &Snapshot) -> Result<&Definition, RuleError> {
    s.definition
        .as_ref()
        .ok_or_else(|| RuleError::UnknownDefinition(s.workflow.definition.as_str().into()))
}

fn current_index(s: &Snapshot) -> Result<(usize, &Definition), RuleError> {
    let def = definition(s)?;
    let i = def.phase_index(&s.workflow.current_state).ok_or_else(|| {
        RuleError::PhaseNotInDefinition {
            phase: s.workflow.current_state.as_str().into(),
            definition: def.name.clone(),
        }
    })?;
    Ok((i, def))
}

fn advance(s: &Snapshot, output: Option<&Value>, c: &mut Change) -> Result<Value, RuleError> {
    let w = &s.workflow;
    require(w, "advance", &[Status::Running], "")?;
    let (i, def) = current_index(s)?;
    if let Some(out) = output {
        let mut outputs = match &w.phase_outputs {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        outputs.insert(w.current_state.as_str().into(), out.clone());
        c.workflow.phase_outputs = Value::Object(outputs);
    }
    let Some(to) = def.phases.get(i + 1) else {
        c.workflow.status = Status::Completed;
        c.workflow.completed_at = Some(c.at.as_str().into());
        c.event.event_type = EventType::Completed;
        return Ok(json!({ "from": w.current_state, "output": output }));
    };
    enter(c, to, 0);
    let handoff = handoff(
        w,
        to,
        HandoffKind::Advance,
        output.cloned().unwrap_or_else(|| json!({})),
    );
    let data = json!({ "from": w.current_state, "to": to.name, "from_role": w.current_role,
        "to_role": to.role, "handoff_id": handoff.id });
    c.handoff = Some(handoff);
    c.event.event_type = EventType::Advanced;
    Ok(data)
}

/// How many retries of its phase `w` may still make: the phase's own limit, else the
/// workflow's, less those made.
pub fn retries_left(w: &Workflow, phase: Option<&Phase>) -> i64 {
    let max = phase.and_then(|p| p.max_retries).unwrap_or(w.max_retries);
    (max - w.retry_count).max(0)
}

fn retry(s: &Snapshot, c: &mut Change) -> Result<Value, RuleError> {
    let w = &s.workflow;
    require(w, "retry", &[Status::Running, Status::Failed], "")?;
    let (i, def) = current_index(s)?;
    let phase = &def.phases[i];
    let max = phase.max_retries.unwrap_or(w.max_retries);
    if retries_left(w, Some(phase)) == 0 {
        return Err(RuleError::RetriesExhausted {
            used: w.retry_count,
            max,
            phase: phase.name.clone(),
        });
    }
    c.workflow.status = Status::Running;
    c.workflow.last_error = None;
    enter(c, phase, w.retry_count + 1);
    let handoff = handoff(
        w,
        phase,
        HandoffKind::Retry,
        json!({
            "attempt": w.retry_count + 1, "previous_error": w.last_error,
        }),
    );
    let data = json!({ "phase": phase.name, "role": phase.role, "attempt": w.retry_count + 1,
        "max_retries": max, "previous_error": w.last_error, "handoff_id": handoff.id });
    c.handoff = Some(handoff);
    c.event.event_type = EventType::Retried;
    Ok(data)
}

fn rollback(
    s: &Snapshot,
    to: Option<&str>,
    reason: Option<&str>,
    c: &mut Change,
) -> Result<Value, RuleError> {
    let w = &s.workflow;
    require(w, "roll back", &[Status::Running, Status::Failed], "")?;
    if reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(RuleError::ReasonRequired("rollback"));
    }
    let (i, def) = current_index(s)?;
    let target_index = match to {
        None if i == 0 => return Err(RuleError::AtFirstPhase(w.current_state.as_str().into())),
        None => i - 1,
        Some(name) => {
            let t = def
                .phase_index(name)
                .ok_or_else(|| RuleError::UnknownPhase {
                    phase: name.to_string(),
                    definition: def.name.clone(),
                    phases: def
                        .phases
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            if t >= i {
                return Err(RuleError::NotEarlier {
                    target: name.to_string(),
                    current: w.current_state.as_str().into(),
                });
            }
            t
        }
    };
    let target = &def.phases[target_index];
    let restored = restored_outputs(s, def, target_index);
    let discarded = discarded_phases(&w.phase_outputs, &restored);
    c.workflow.status = Status::Running;
    c.workflow.last_error = None;
    c.workflow.phase_outputs = restored;
    enter(c, target, 0);
    let handoff = handoff(
        w,
        target,
        HandoffKind::Rollback,
        json!({
            "reason": reason, "discarded_outputs": discarded,
        }),
    );
    let data = json!({ "from": w.current_state, "to": target.name, "from_role": w.current_role,
        "to_role": target.role, "discarded_outputs": discarded, "handoff_id": handoff.id });
    c.handoff = Some(handoff);
    c.event.event_type = EventType::RolledBack;
    Ok(data)
}

/// The outputs as they were when the target phase was entered: its newest checkpoint, or,
/// for workflows written without checkpoints, the current outputs minus the later phases.
pub fn restored_outputs(s: &Snapshot, def: &Definition, target_index: usize) -> Value {
    let target = &def.phases[target_index].name;
    if let Some(cp) = s
        .checkpoints
        .iter()
        .filter(|c| &c.state == target)
        .max_by_key(|c| c.version)
    {
        return cp.phase_outputs.clone();
    }
    let mut kept = Map::new();
    if let Value::Object(m) = &s.workflow.phase_outputs {
        for (k, v) in m {
            if def.phase_index(k).is_some_and(|j| j < target_index) {
                kept.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(kept)
}

/// Phases whose output a rollback throws away (present now, absent or different after).
pub fn discarded_phases(now: &Value, after: &Value) -> Vec<String> {
    let Value::Object(m) = now else {
        return Vec::new();
    };
    m.iter()
        .filter(|(k, v)| after.get(k.as_str()) != Some(v))
        .map(|(k, _)| k.clone())
        .collect()
}

fn enter(c: &mut Change, phase: &Phase, retry_count: i64) {
    c.workflow.current_state = phase.name.as_str().into();
    c.workflow.current_role = phase.role.as_str().into();
    c.workflow.retry_count = retry_count;
    c.workflow.state_entered_at = Some(c.at.as_str().into());
    c.checkpoint = Some(NewCheckpoint {
        state: phase.name.clone(),
        phase_outputs: c.workflow.phase_outputs.clone(),
        retry_count,
    });
}

fn handoff(w: &Workflow, to: &Phase, kind: HandoffKind, data: Value) -> NewHandoff {
    NewHandoff {
        id: uuid::Uuid::new_v4().to_string(),
        from_role: Some(w.current_role.as_str().into()),
        to_role: to.role.clone(),
        from_state: Some(w.current_state.as_str().into()),
        to_state: to.name.clone(),
        kind,
        data_transferred: data,
    }
}

fn with_reason(mut data: Value, reason: Option<&str>, version: i64) -> Value {
    if let Value::Object(m) = &mut data {
        if let Some(r) = reason {
            m.insert("reason".into(), Value::from(r));
        }
        m.insert("version".into(), Value::from(version));
    }
    data
}
