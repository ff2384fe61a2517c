//! The operations: resolve the workflow, then let the store run the pure rules inside one
//! `BEGIN IMMEDIATE` transaction and write the result.

use super::error::EngineError;
use super::rules::{self, Context};
use crate::model::{Action, NewWorkflow, time};
use crate::store::{Store, Written};

/// An operator's (or orchestrator's) request to change a workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub action: Action,
    pub actor: String,
    pub reason: Option<String>,
    /// The version the caller last saw; `None` acts on whatever is current.
    pub expected_version: Option<i64>,
}

impl Request {
    pub fn new(action: Action, actor: impl Into<String>) -> Request {
        Request {
            action,
            actor: actor.into(),
            reason: None,
            expected_version: None,
        }
    }

    pub fn reason(mut self, reason: impl Into<String>) -> Request {
        self.reason = Some(reason.into());
        self
    }

    pub fn expect_version(mut self, v: i64) -> Request {
        self.expected_version = Some(v);
        self
    }
}

/// Applies `req` to the workflow named by `key` (id, build id or unique id prefix).
pub fn act(store: &mut Store, key: &str, req: &Request) -> Result<Written, EngineError> {
    let id = store.resolve(key)?;
    act_on_id(store, &id, req)
}

/// Applies `req` to the workflow with exactly this id.
pub fn act_on_id(store: &mut Store, id: &str, req: &Request) -> Result<Written, EngineError> {
    let cx = Context {
        actor: &req.actor,
        reason: req.reason.as_deref(),
        expected_version: req.expected_version,
        now: time::now(),
    };
    Ok(store.apply(id, req.action.verb(), |s| rules::plan(s, &req.action, &cx))?)
}

/// Acknowledges the handoff named by `key` (id or unique prefix) on behalf of `actor`.
pub fn acknowledge(
    store: &mut Store,
    key: &str,
    actor: &str,
    expected_version: Option<i64>,
) -> Result<Written, EngineError> {
    let h = store.handoff(key)?;
    let req = Request {
        action: Action::Acknowledge { handoff_id: h.id },
        actor: actor.to_string(),
        reason: None,
        expected_version,
    };
    act_on_id(store, &h.workflow_id, &req)
}

/// Starts a workflow in the first phase of its definition.
pub fn start(
    store: &mut Store,
    new: &NewWorkflow,
    actor: &str,
    reason: Option<&str>,
) -> Result<Written, EngineError> {
    let cx = Context {
        actor,
        reason,
        expected_version: None,
        now: time::now(),
    };
    Ok(store.insert(&new.definition, |def| rules::plan_start(def, new, &cx))?)
}

/// Records a sign of life: sets `heartbeat_at` only.
pub fn heartbeat(store: &mut Store, key: &str) -> Result<String, EngineError> {
    let id = store.resolve(key)?;
    store.heartbeat(&id, &time::now_text())?;
    Ok(id)
}

/// `operator:$USER@$HOST`, the default actor for people at a terminal.
pub fn default_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("operator:{user}@{host}")
}
