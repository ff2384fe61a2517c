//! The invariants `baton doctor` checks on either backend, as SQL both dialects accept:
//! each query returns one description per offending row. Which of them are errors and which
//! are bookkeeping warnings is decided by [`Problem::new`](super::report::Problem::new).

use super::doctor_scope::Scope;
use super::report::Problem;
use crate::model::{Definition, EventType};

/// Rows shown per failed check; the count says how many more there are.
pub const SHOWN: usize = 20;

/// Adds the findings of `check`: at most [`SHOWN`] of them, then how many more there are.
pub fn report(problems: &mut Vec<Problem>, check: &'static str, details: Vec<String>) {
    let extra = details.len().saturating_sub(SHOWN);
    for detail in details.into_iter().take(SHOWN) {
        problems.push(Problem::new(check, detail));
    }
    if extra > 0 {
        problems.push(Problem::new(check, format!("… and {extra} more")));
    }
}

/// Why a workflow's phase or role does not fit its definition, if it does not.
pub fn phase_problem(
    defs: &[Definition],
    id: &str,
    build: &str,
    def: &str,
    state: &str,
    role: &str,
) -> Option<String> {
    match defs.iter().find(|d| d.name == def) {
        None => Some(format!(
            "workflow {id} ({build}) uses unknown definition '{def}'"
        )),
        Some(d) => match d.phase(state) {
            None => Some(format!(
                "workflow {id} ({build}) is in phase '{state}', which definition '{def}' does not have"
            )),
            Some(p) if p.role != role => Some(format!(
                "workflow {id} ({build}) has role '{role}' in phase '{state}', which belongs to '{}'",
                p.role
            )),
            Some(_) => None,
        },
    }
}

pub const PHASES_CHECK: &str = "phase belongs to definition";
/// A checkpoint stored as a patch (schema 8) names its base by version; every patch is
/// probed, so the full scope only.
const PATCH_BASE_CHECK: &str = "checkpoint patches have their base";
/// Counts every event twice over: the full scope only.
const EVENT_METRICS_CHECK: &str = "every event has its metrics row";

/// Every stored name of `types` (baton's and the seeds'), as a SQL list of constants.
fn in_list(types: impl Iterator<Item = EventType>) -> String {
    let v: Vec<String> = types
        .flat_map(|t| t.spellings().iter())
        .map(|name| format!("'{name}'"))
        .collect();
    format!("({})", v.join(", "))
}

/// (check name, SQL returning one description per offending row), over `scope`'s rows.
/// Orphaned handoffs and checkpoints are looked for in the full scope only: a scoped
/// check reaches them through their workflow, which an orphan does not have.
pub fn queries(scope: &Scope) -> Vec<(&'static str, String)> {
    // `FROM build_workflows w` narrowed to the scope's workflows.
    let workflows = match scope.workflow_ids() {
        Some(ids) => format!("build_workflows w WHERE w.id IN ({ids})"),
        None => "build_workflows w".to_string(),
    };
    let events = scope.and_events("e");
    let statuses = scope.statuses();
    // Scoped, the scope's ids must drive the read: SQLite would otherwise walk every
    // completed workflow of history through the status index, so the status is compared
    // as an expression no index serves (`|| ''`, in both dialects).
    let completed = match scope.workflow_ids() {
        Some(ids) => format!("(status || '') = 'completed' AND id IN ({ids})"),
        None => "status = 'completed'".to_string(),
    };
    let versioned = in_list(EventType::ALL.into_iter());
    let transitions = in_list(EventType::ALL.into_iter().filter(|t| t.is_transition()));
    let entering = in_list(
        EventType::ALL
            .into_iter()
            .filter(|t| t.is_transition() || *t == EventType::Started),
    );
    let mut all = vec![
        (
            "version matches recorded changes",
            format!(
                "SELECT 'workflow ' || w.id || ' (' || w.build_id || ') is at version ' || w.version
                   || ' but has ' || n || ' change events' FROM (
                   SELECT w.id, w.build_id, w.version, (SELECT count(*) FROM workflow_events e
                     WHERE e.workflow_id = w.id AND e.event_type IN {versioned}) AS n
                   FROM {workflows}) AS w WHERE w.version != w.n"
            ),
        ),
        (
            "every transition has its handoff",
            format!(
                "SELECT 'workflow ' || id || ' has ' || t || ' transition events but ' || h || ' handoffs'
                 FROM (SELECT w.id,
                   (SELECT count(*) FROM workflow_events e WHERE e.workflow_id = w.id AND e.event_type IN {transitions}) AS t,
                   (SELECT count(*) FROM workflow_handoffs h WHERE h.workflow_id = w.id) AS h
                   FROM {workflows}) AS counted WHERE t != h"
            ),
        ),
        (
            "every transition has its checkpoint",
            format!(
                "SELECT 'workflow ' || id || ' has ' || c || ' checkpoints for ' || t || ' transitions and '
                   || e || ' phase entries' FROM (SELECT w.id,
                   (SELECT count(*) FROM workflow_events e WHERE e.workflow_id = w.id AND e.event_type IN {transitions}) AS t,
                   (SELECT count(*) FROM workflow_events e WHERE e.workflow_id = w.id AND e.event_type IN {entering}) AS e,
                   (SELECT count(*) FROM workflow_checkpoints c WHERE c.workflow_id = w.id) AS c
                   FROM {workflows}) AS counted WHERE c < t OR c > e"
            ),
        ),
        (
            "events point at a workflow",
            format!("SELECT 'event ' || seq || ' (' || event_type || ') points at missing workflow ' || workflow_id
             FROM workflow_events e WHERE NOT EXISTS (SELECT 1 FROM build_workflows w WHERE w.id = e.workflow_id){events}"),
        ),
        (
            "handoffs point at a workflow",
            "SELECT 'handoff ' || id || ' points at missing workflow ' || workflow_id
             FROM workflow_handoffs h WHERE NOT EXISTS (SELECT 1 FROM build_workflows w WHERE w.id = h.workflow_id)"
                .into(),
        ),
        (
            "checkpoints point at a workflow",
            "SELECT 'checkpoint ' || id || ' points at missing workflow ' || workflow_id
             FROM workflow_checkpoints c WHERE NOT EXISTS (SELECT 1 FROM build_workflows w WHERE w.id = c.workflow_id)"
                .into(),
        ),
        (
            PATCH_BASE_CHECK,
            "SELECT 'checkpoint ' || id || ' of workflow ' || workflow_id || ' patches version '
               || base_version || ', which no checkpoint of that workflow holds (a rollback to '
               || state || ' cannot restore its outputs)'
             FROM workflow_checkpoints c WHERE base_version IS NOT NULL AND NOT EXISTS
               (SELECT 1 FROM workflow_checkpoints b
                WHERE b.workflow_id = c.workflow_id AND b.version = c.base_version)"
                .into(),
        ),
        (
            "status counts match the workflows",
            format!("SELECT 'status ' || s || ': ' || c || ' workflows, but workflow_status_counts says ' || n
             FROM (SELECT s, sum(c) AS c, sum(n) AS n FROM (
                 SELECT status AS s, count(*) AS c, 0 AS n FROM build_workflows
                   WHERE {statuses} GROUP BY status
                 UNION ALL SELECT status, 0, n FROM workflow_status_counts WHERE {statuses})
                 AS both_counts GROUP BY s) AS merged WHERE c != n"),
        ),
        (
            // Both sides kept by the schema's triggers; they part only if triggers were
            // bypassed (PostgreSQL's `session_replication_role = replica`, say).
            EVENT_METRICS_CHECK,
            "SELECT 'workflow_events holds ' || a || ' events but workflow_event_metrics '
               || b || ' rows (baton metrics miss the difference)'
             FROM (SELECT (SELECT count(*) FROM workflow_events) AS a,
                          (SELECT count(*) FROM workflow_event_metrics) AS b) AS counted
             WHERE a != b"
                .into(),
        ),
        (
            "completed workflows have completed_at",
            format!("SELECT 'workflow ' || id || ' (' || build_id || ') is completed but has no completed_at'
             FROM build_workflows WHERE {completed} AND completed_at IS NULL"),
        ),
    ];
    if !scope.is_full() {
        all.retain(|(check, _)| {
            !matches!(
                *check,
                "handoffs point at a workflow"
                    | "checkpoints point at a workflow"
                    | PATCH_BASE_CHECK
                    | EVENT_METRICS_CHECK
            )
        });
    }
    all
}
