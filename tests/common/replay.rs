//! The audit trail as the source of truth: replays each workflow's events and checks that
//! the workflow row is exactly what they imply (no lost update), and that every transition
//! has its handoff and checkpoint and nothing more (no half-applied change). Read with a
//! plain SQLite connection, independently of baton's code.
#![allow(dead_code)]

use rusqlite::Connection;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// What replaying found, per workflow checked.
#[derive(Debug, Default)]
pub struct Replay {
    pub workflows: usize,
    pub events: usize,
    pub transitions: usize,
    pub problems: Vec<String>,
}

#[derive(Debug, Default)]
struct Trail {
    events: Vec<(String, Value)>,
    handoffs: BTreeSet<String>,
    acknowledged: BTreeSet<String>,
    checkpoints: usize,
}

/// Replays every workflow in the database at `path`.
pub fn replay(path: &std::path::Path) -> Replay {
    let c = Connection::open(path).expect("open for replay");
    c.busy_timeout(std::time::Duration::from_secs(30)).unwrap();
    replay_conn(&c)
}

pub fn replay_conn(c: &Connection) -> Replay {
    let all = |sql: &str| -> Vec<Vec<rusqlite::types::Value>> {
        let mut stmt = c.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    use rusqlite::types::Value as V;
    let text = |v: &V| match v {
        V::Text(s) => s.clone(),
        other => panic!("expected text, got {other:?}"),
    };
    let int = |v: &V| match v {
        V::Integer(i) => *i,
        other => panic!("expected an integer, got {other:?}"),
    };
    let events = all(EVENTS)
        .iter()
        .map(|r| (text(&r[0]), text(&r[1]), text(&r[2])))
        .collect();
    let handoffs = all(HANDOFFS)
        .iter()
        .map(|r| (text(&r[0]), text(&r[1]), int(&r[2]) != 0))
        .collect();
    let checkpoints = all(CHECKPOINTS)
        .iter()
        .map(|r| (text(&r[0]), int(&r[1])))
        .collect();
    let workflows = all(WORKFLOWS)
        .iter()
        .map(|r| {
            (
                text(&r[0]),
                text(&r[1]),
                int(&r[2]),
                text(&r[3]),
                text(&r[4]),
                int(&r[5]) != 0,
            )
        })
        .collect();
    replay_rows(events, handoffs, checkpoints, workflows)
}

/// The same replay through the backend-neutral raw connection (SQLite or PostgreSQL).
pub fn replay_raw(c: &mut super::backend::Raw) -> Replay {
    let events: Vec<(String, String, Value)> = c.query(EVENTS, &[]);
    let events = events
        .into_iter()
        .map(|(w, t, d)| (w, t, d.to_string()))
        .collect();
    let handoffs: Vec<(String, String, i64)> = c.query(HANDOFFS, &[]);
    let handoffs = handoffs
        .into_iter()
        .map(|(w, id, a)| (w, id, a != 0))
        .collect();
    let checkpoints = c.query(CHECKPOINTS, &[]);
    let workflows: Vec<(String, String, i64, String, String, i64)> = c.query(WORKFLOWS, &[]);
    let workflows = workflows
        .into_iter()
        .map(|(a, b, v, s, st, d)| (a, b, v, s, st, d != 0))
        .collect();
    replay_rows(events, handoffs, checkpoints, workflows)
}

const EVENTS: &str = "SELECT workflow_id, event_type, event_data FROM workflow_events ORDER BY seq";
const HANDOFFS: &str = "SELECT workflow_id, id, acknowledged_at IS NOT NULL FROM workflow_handoffs";
const CHECKPOINTS: &str =
    "SELECT workflow_id, count(*) FROM workflow_checkpoints GROUP BY workflow_id";
const WORKFLOWS: &str =
    "SELECT id, build_id, version, status, current_state, completed_at IS NOT NULL
     FROM build_workflows";

type WorkflowRow = (String, String, i64, String, String, bool);

fn replay_rows(
    events: Vec<(String, String, String)>,
    handoffs: Vec<(String, String, bool)>,
    checkpoints: Vec<(String, i64)>,
    workflows: Vec<WorkflowRow>,
) -> Replay {
    let mut trails: HashMap<String, Trail> = HashMap::new();
    let mut out = Replay::default();
    for (wid, t, data) in events {
        let data: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
        trails.entry(wid).or_default().events.push((t, data));
        out.events += 1;
    }
    for (wid, id, acked) in handoffs {
        let t = trails.entry(wid).or_default();
        if acked {
            t.acknowledged.insert(id.clone());
        }
        t.handoffs.insert(id);
    }
    for (wid, n) in checkpoints {
        trails.entry(wid).or_default().checkpoints = n as usize;
    }
    let mut seen = BTreeSet::new();
    for (id, build, version, status, state, done) in workflows {
        seen.insert(id.clone());
        out.workflows += 1;
        let trail = trails.remove(&id).unwrap_or_default();
        let who = format!("workflow {build} ({id})");
        check(&who, &trail, version, &status, &state, done, &mut out);
    }
    for (id, t) in trails {
        out.problems.push(format!(
            "{} events, {} handoffs, {} checkpoints for missing workflow {id}",
            t.events.len(),
            t.handoffs.len(),
            t.checkpoints
        ));
    }
    out
}

fn check(
    who: &str,
    t: &Trail,
    version: i64,
    status: &str,
    state: &str,
    completed: bool,
    out: &mut Replay,
) {
    let mut p = |m: String| out.problems.push(format!("{who}: {m}"));
    let (mut v, mut st, mut phase) = (0i64, String::new(), String::new());
    let mut starts = 0usize;
    let mut transition_handoffs = BTreeSet::new();
    let mut ack_handoffs = BTreeSet::new();
    let mut transitions = 0usize;
    for (i, (kind, data)) in t.events.iter().enumerate() {
        let text = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_string);
        let versioned = match kind.as_str() {
            "workflow_started" => {
                starts += 1;
                st = "running".into();
                phase = text("phase").unwrap_or_default();
                true
            }
            "phase_advanced" | "phase_rolled_back" => {
                st = "running".into();
                phase = text("to").unwrap_or_default();
                true
            }
            "phase_retried" => {
                st = "running".into();
                phase = text("phase").unwrap_or_default();
                true
            }
            "workflow_completed" => {
                st = "completed".into();
                true
            }
            "workflow_failed" => {
                st = "failed".into();
                true
            }
            "workflow_paused" => {
                st = "paused".into();
                true
            }
            "workflow_resumed" => {
                st = "running".into();
                true
            }
            "workflow_cancelled" => {
                st = "cancelled".into();
                true
            }
            "handoff_acknowledged" => {
                if let Some(h) = text("handoff_id") {
                    ack_handoffs.insert(h);
                }
                true
            }
            _ => false,
        };
        if !versioned {
            continue;
        }
        v += 1;
        if let Some(n) = data.get("version").and_then(Value::as_i64)
            && n != v
        {
            p(format!(
                "event {} ({kind}) records version {n}, but it is change number {v}",
                i + 1
            ));
        }
        if matches!(
            kind.as_str(),
            "phase_advanced" | "phase_rolled_back" | "phase_retried"
        ) {
            transitions += 1;
            match text("handoff_id") {
                Some(h) => {
                    transition_handoffs.insert(h);
                }
                None => p(format!("event {} ({kind}) names no handoff", i + 1)),
            }
        }
    }
    out.transitions += transitions;
    if starts != 1 {
        p(format!("{starts} workflow_started events"));
    }
    if (v, st.as_str(), phase.as_str()) != (version, status, state) {
        p(format!(
            "the trail implies version {v}, {st} in {phase}; the row says version {version}, {status} in {state}"
        ));
    }
    if (st == "completed" || st == "cancelled") && !completed {
        p("ended without completed_at".into());
    }
    if transition_handoffs != t.handoffs {
        p(format!(
            "transition events name handoffs {transition_handoffs:?}, the table holds {:?}",
            t.handoffs
        ));
    }
    if ack_handoffs != t.acknowledged {
        p(format!(
            "acknowledgement events name {ack_handoffs:?}, the acknowledged handoffs are {:?}",
            t.acknowledged
        ));
    }
    // A start writes a checkpoint when baton makes it; an outside writer may skip it.
    if t.checkpoints < transitions || t.checkpoints > transitions + starts {
        p(format!(
            "{} checkpoints for {transitions} transitions and {starts} start",
            t.checkpoints
        ));
    }
}

/// `PRAGMA integrity_check` through a plain connection: `["ok"]` when sound.
pub fn integrity(path: &std::path::Path) -> Vec<String> {
    let c = Connection::open(path).expect("open for integrity_check");
    c.busy_timeout(std::time::Duration::from_secs(30)).unwrap();
    let mut stmt = c.prepare("PRAGMA integrity_check").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}
