//! Which of some workflows are stuck now, by the engine's rule (`engine::stuck`) and the
//! limits in force (the definitions' own, else the config file's, else the defaults): the
//! same answer the dashboard's `stuck` view gives.

use super::status::newest_pending;
use crate::engine::stuck::{self, Stuck, StuckPolicy};
use crate::model::time::Timestamp;
use crate::model::{Handoff, Status, Workflow};
use crate::store::{Result, Store};
use std::collections::HashMap;

/// Past this many running rows, one read of every live pending handoff is cheaper than a
/// probe per row.
const PROBE_MAX: usize = 1000;

/// The stuck ones among `rows`, by workflow id, with the reason. Only running workflows
/// can be stuck, so only their pending handoffs are read.
pub fn stuck_of(
    store: &Store,
    rows: &[Workflow],
    policy: StuckPolicy,
    now: Timestamp,
) -> Result<HashMap<String, Stuck>> {
    let running: Vec<String> = rows
        .iter()
        .filter(|w| w.status == Status::Running)
        .map(|w| w.id.clone())
        .collect();
    if running.is_empty() {
        return Ok(HashMap::new());
    }
    let handoffs = if running.len() > PROBE_MAX {
        store.pending_handoffs()?
    } else {
        store.pending_handoffs_of(&running)?
    };
    let mut pending: HashMap<&str, Vec<Handoff>> = HashMap::new();
    for h in &handoffs {
        pending
            .entry(h.workflow_id.as_str())
            .or_default()
            .push(h.clone());
    }
    let defs = store.definitions()?;
    let mut out = HashMap::new();
    for w in rows.iter().filter(|w| w.status == Status::Running) {
        let def = defs.iter().find(|d| d.name == w.definition);
        let newest = pending.get(w.id.as_str()).and_then(|hs| newest_pending(hs));
        if let Some(s) = stuck::detect(w, def, newest, policy, now) {
            out.insert(w.id.clone(), s);
        }
    }
    Ok(out)
}

/// Every live workflow that is stuck now, with the reason, longest stuck first.
pub fn stuck_workflows(
    store: &Store,
    policy: StuckPolicy,
    now: Timestamp,
) -> Result<Vec<(Workflow, Stuck)>> {
    let live = store.live()?;
    let mut found = stuck_of(store, &live, policy, now)?;
    let mut out: Vec<(Workflow, Stuck)> = live
        .into_iter()
        .filter_map(|w| found.remove(&w.id).map(|s| (w, s)))
        .collect();
    out.sort_by(|a, b| a.1.since().cmp(b.1.since()));
    Ok(out)
}

/// A short cell for a table: `handoff 5m12s`, `idle 2h03m`, or `-`.
pub fn cell(s: Option<&Stuck>) -> String {
    use crate::model::time::human_duration;
    match s {
        None => "-".into(),
        Some(Stuck::UnacknowledgedHandoff { waited_secs, .. }) => {
            format!("handoff {}", human_duration(*waited_secs))
        }
        Some(Stuck::NoHeartbeat { idle_secs, .. }) => {
            format!("idle {}", human_duration(*idle_secs))
        }
    }
}
