//! Writing: every change is one `BEGIN IMMEDIATE` transaction. The store loads what the
//! rules need, hands it to a pure planning function, and writes the resulting [`Change`]
//! (workflow, handoff, checkpoint, acknowledgement, event) together, or nothing at all.

use super::SqliteStore;
use super::definitions;
use super::row::{self, HANDOFF};
use crate::model::checkpoint_patch;
use crate::model::{Change, Checkpoint, Snapshot, Workflow};
use crate::store::backend::{Plan, StartPlan};
use crate::store::error::{Result, StoreError};
use crate::store::written::Written;
use rusqlite::{Transaction, TransactionBehavior, params};

impl SqliteStore {
    fn begin(&mut self, during: &str) -> Result<Transaction<'_>> {
        if self.read_only {
            return Err(StoreError::ReadOnly(format!("{during} needs to write")));
        }
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(e, during))
    }

    /// Loads workflow `id`, lets `plan` decide, and writes the change atomically; `None`
    /// when the plan refused (the transaction is rolled back).
    pub fn apply(&mut self, id: &str, during: &str, plan: Plan<'_>) -> Result<Option<Written>> {
        let tx = self.begin(during)?;
        let snapshot = snapshot(&tx, id)?;
        let Some(change) = plan(&snapshot) else {
            return Ok(None);
        };
        let before = Some((&snapshot.workflow, snapshot.checkpoints.last()));
        let seq = write_change(&tx, &change, before).map_err(|e| {
            if matches!(e, rusqlite::Error::QueryReturnedNoRows) {
                StoreError::Invalid(format!(
                    "workflow {id} did not hold the version {} it was read with (another \
                     writer stored a non-integer version?); nothing was written. `baton \
                     doctor` names the row",
                    change.previous_version
                ))
            } else {
                StoreError::from_sqlite(e, during)
            }
        })?;
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(e, during))?;
        Ok(Some(Written {
            workflow: change.workflow,
            seq,
        }))
    }

    /// Creates a workflow: `plan` receives the named definition (if stored) and returns the
    /// change whose `workflow` is inserted.
    pub fn insert(&mut self, definition: &str, plan: StartPlan<'_>) -> Result<Option<Written>> {
        let tx = self.begin("start")?;
        let def = definitions::latest(&tx, definition)?;
        let Some(change) = plan(def.as_ref()) else {
            return Ok(None);
        };
        let seq = write_change(&tx, &change, None).map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
                && e.to_string().contains("build_workflows.build_id")
            {
                StoreError::Duplicate(format!(
                    "a workflow with build id '{}' already exists; choose another build id",
                    change.workflow.build_id
                ))
            } else {
                StoreError::from_sqlite(e, "start")
            }
        })?;
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(e, "start"))?;
        Ok(Some(Written {
            workflow: change.workflow,
            seq,
        }))
    }

    /// Sets `heartbeat_at` only: no version bump, no event (see docs/DECISIONS.md).
    pub fn heartbeat(&mut self, id: &str, at: &str) -> Result<()> {
        if self.read_only {
            return Err(StoreError::ReadOnly("heartbeat needs to write".into()));
        }
        let n = self
            .conn
            .execute(
                "UPDATE build_workflows SET heartbeat_at = ?2 WHERE id = ?1",
                params![id, at],
            )
            .map_err(|e| StoreError::from_sqlite(e, "heartbeat"))?;
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "workflow",
                key: id.into(),
            });
        }
        Ok(())
    }
}

fn snapshot(tx: &Transaction<'_>, id: &str) -> Result<Snapshot> {
    let workflow = super::workflows::load(tx, id)?;
    let definition = definitions::latest(tx, &workflow.definition)?;
    let checkpoints = super::history::checkpoints_of(tx, id)?;
    let pending = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {HANDOFF} FROM workflow_handoffs WHERE workflow_id = ?1 AND acknowledged_at IS NULL
             ORDER BY created_at"
        ))?;
        stmt.query_map([id], row::handoff)?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    Ok(Snapshot {
        workflow,
        definition,
        checkpoints,
        pending,
    })
}

fn json_text(v: &serde_json::Value) -> String {
    v.to_string()
}

/// Writes every row of `change`; returns the event's sequence number. `before` is the
/// workflow as read for an update, with its newest checkpoint (`None` inserts): only the
/// columns the change alters are written, so a value baton could not read faithfully (a
/// BLOB, bad UTF-8, malformed JSON written by another program) is never overwritten with
/// its lossy rendering; a new checkpoint is stored as a patch on the newest.
fn write_change(
    tx: &Transaction<'_>,
    c: &Change,
    before: Option<(&Workflow, Option<&Checkpoint>)>,
) -> rusqlite::Result<i64> {
    let w = &c.workflow;
    match before.map(|(old, _)| old) {
        None => {
            tx.prepare_cached(
                "INSERT INTO build_workflows (id, build_id, project_id, user_id, definition, current_state,
                   current_role, status, phase_outputs, retry_count, max_retries, last_error, version,
                   metadata, created_at, updated_at, completed_at, heartbeat_at, state_entered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            )?
            .execute(params![
                w.id, w.build_id.as_str(), w.project_id.as_str(), w.user_id.as_deref(),
                w.definition.as_str(), w.current_state.as_str(), w.current_role.as_str(),
                w.status.as_str(), json_text(&w.phase_outputs), w.retry_count, w.max_retries,
                w.last_error, w.version, json_text(&w.metadata), w.created_at.as_str(),
                w.updated_at.as_str(), w.completed_at.as_deref(), w.heartbeat_at.as_deref(),
                w.state_entered_at.as_deref()
            ])?;
        }
        Some(old) => {
            // Column names are fixed here; every value is a bound parameter.
            let mut sets: Vec<&str> = vec!["version = ?3", "updated_at = ?4"];
            let mut values: Vec<Box<dyn rusqlite::ToSql + '_>> = vec![
                Box::new(w.id.as_str()),
                Box::new(c.previous_version),
                Box::new(w.version),
                Box::new(w.updated_at.as_str()),
            ];
            type Col<'v> = (&'static str, bool, Box<dyn rusqlite::ToSql + 'v>);
            let columns: Vec<Col<'_>> = vec![
                (
                    "current_state",
                    w.current_state != old.current_state,
                    Box::new(w.current_state.as_str()),
                ),
                (
                    "current_role",
                    w.current_role != old.current_role,
                    Box::new(w.current_role.as_str()),
                ),
                (
                    "status",
                    w.status != old.status,
                    Box::new(w.status.as_str()),
                ),
                (
                    "phase_outputs",
                    w.phase_outputs != old.phase_outputs,
                    Box::new(json_text(&w.phase_outputs)),
                ),
                (
                    "retry_count",
                    w.retry_count != old.retry_count,
                    Box::new(w.retry_count),
                ),
                (
                    "last_error",
                    w.last_error != old.last_error,
                    Box::new(w.last_error.as_deref()),
                ),
                (
                    "completed_at",
                    w.completed_at != old.completed_at,
                    Box::new(w.completed_at.as_deref()),
                ),
                (
                    "state_entered_at",
                    w.state_entered_at != old.state_entered_at,
                    Box::new(w.state_entered_at.as_deref()),
                ),
            ];
            for (col, changed, v) in columns {
                if changed {
                    sets.push(col);
                    values.push(v);
                }
            }
            let assignments: Vec<String> = sets
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if i < 2 {
                        (*s).to_string()
                    } else {
                        format!("{s} = ?{}", i + 3)
                    }
                })
                .collect();
            let sql = format!(
                "UPDATE build_workflows SET {} WHERE id = ?1 AND version = ?2",
                assignments.join(", ")
            );
            let params: Vec<&dyn rusqlite::ToSql> = values.iter().map(|b| b.as_ref()).collect();
            let n = tx.prepare_cached(&sql)?.execute(params.as_slice())?;
            if n != 1 {
                // Under the write lock the row can only miss when its stored version is not
                // the integer it was read as; refuse rather than guess.
                return Err(rusqlite::Error::QueryReturnedNoRows);
            }
        }
    }
    if let Some(h) = &c.handoff {
        tx.prepare_cached(
            "INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role, from_state, to_state,
               kind, data_transferred, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            h.id, w.id, h.from_role, h.to_role, h.from_state, h.to_state, h.kind.as_str(),
            json_text(&h.data_transferred), c.at
        ])?;
    }
    if let Some(cp) = &c.checkpoint {
        let base = before.and_then(|(_, newest)| newest);
        let (outputs, base_version) =
            checkpoint_patch::stored_outputs(base, w.version, &cp.phase_outputs);
        tx.prepare_cached(
            "INSERT INTO workflow_checkpoints (id, workflow_id, state, phase_outputs, retry_count,
               version, created_at, base_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            uuid::Uuid::new_v4().to_string(),
            w.id,
            cp.state,
            json_text(&outputs),
            cp.retry_count,
            w.version,
            c.at,
            base_version
        ])?;
    }
    if let Some(hid) = &c.acknowledge {
        tx.prepare_cached(
            "UPDATE workflow_handoffs SET acknowledged_at = ?2, acknowledged_by = ?3
             WHERE id = ?1 AND acknowledged_at IS NULL",
        )?
        .execute(params![hid, c.at, c.event.triggered_by])?;
    }
    tx.prepare_cached(
        "INSERT INTO workflow_events (id, workflow_id, event_type, triggered_by, event_data, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        uuid::Uuid::new_v4().to_string(), w.id, c.event.event_type.as_str(),
        c.event.triggered_by, json_text(&c.event.data), c.at
    ])?;
    Ok(tx.last_insert_rowid())
}
