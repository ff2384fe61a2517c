//! Writing: every change is one transaction that locks the workflow row
//! (`SELECT … FOR UPDATE`, waiting at most `lock_timeout`), hands what the rules need to a
//! pure planning function, and writes the resulting change (workflow with a
//! compare-and-swap on its version, handoff, checkpoint, acknowledgement, event) together,
//! or nothing at all.

use super::PgStore;
use super::error::{classify, is_unique_violation};
use super::row::{self, HANDOFF, WORKFLOW_FULL};
use crate::model::checkpoint_patch;
use crate::model::{Change, Checkpoint, Snapshot, Workflow};
use crate::store::backend::{Plan, StartPlan};
use crate::store::error::{Result, StoreError};
use crate::store::written::Written;
use postgres::Transaction;

impl PgStore {
    pub fn apply(&mut self, id: &str, during: &str, plan: Plan<'_>) -> Result<Option<Written>> {
        self.refuse_writes(during)?;
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| classify(e, during))?;
        let snapshot = self.snapshot(&mut tx, id, during)?;
        let Some(change) = plan(&snapshot) else {
            return Ok(None);
        };
        let seq = self.write_change(&mut tx, &change, true, snapshot.checkpoints.last(), during)?;
        tx.commit().map_err(|e| classify(e, during))?;
        Ok(Some(Written {
            workflow: change.workflow,
            seq,
        }))
    }

    pub fn insert(&mut self, definition: &str, plan: StartPlan<'_>) -> Result<Option<Written>> {
        let during = "start";
        self.refuse_writes(during)?;
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction().map_err(|e| classify(e, during))?;
        let def = self.latest_definition(&mut tx, definition)?;
        let Some(change) = plan(def.as_ref()) else {
            return Ok(None);
        };
        let seq = self.write_change(&mut tx, &change, false, None, during)?;
        tx.commit().map_err(|e| classify(e, during))?;
        Ok(Some(Written {
            workflow: change.workflow,
            seq,
        }))
    }

    /// Sets `heartbeat_at` only: no version bump, no event (see docs/DECISIONS.md).
    pub fn heartbeat(&mut self, id: &str, at: &str) -> Result<()> {
        self.refuse_writes("heartbeat")?;
        let n = self
            .execute_in(
                &mut *self.client.borrow_mut(),
                "UPDATE build_workflows SET heartbeat_at = $2::text::timestamptz WHERE id = $1",
                &[&id, &at],
            )
            .map_err(|e| classify(e, "heartbeat"))?;
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "workflow",
                key: id.into(),
            });
        }
        Ok(())
    }

    /// The workflow, locked until the transaction ends, and what the rules need with it.
    fn snapshot(&self, tx: &mut Transaction<'_>, id: &str, during: &str) -> Result<Snapshot> {
        let rows = self.query_in(
            tx,
            &format!("SELECT {WORKFLOW_FULL} FROM build_workflows WHERE id = $1 FOR UPDATE"),
            &[&id],
            during,
        )?;
        let workflow = match rows.first() {
            Some(r) => row::workflow(r)?,
            None => {
                return Err(StoreError::NotFound {
                    what: "workflow",
                    key: id.into(),
                });
            }
        };
        let definition = self.latest_definition(tx, &workflow.definition)?;
        let checkpoints = self.checkpoints_in(tx, id, during)?;
        let pending = self
            .query_in(
                tx,
                &format!(
                    "SELECT {HANDOFF} FROM workflow_handoffs
                     WHERE workflow_id = $1 AND acknowledged_at IS NULL ORDER BY created_at"
                ),
                &[&id],
                during,
            )?
            .iter()
            .map(row::handoff)
            .collect::<row::Result<Vec<_>>>()?;
        Ok(Snapshot {
            workflow,
            definition,
            checkpoints,
            pending,
        })
    }

    /// Writes every row of `change`; returns the event's sequence number. An update is
    /// conditional on the version the workflow was read with; a new checkpoint is stored as
    /// a patch on the workflow's `newest`.
    fn write_change(
        &self,
        tx: &mut Transaction<'_>,
        c: &Change,
        update: bool,
        newest: Option<&Checkpoint>,
        during: &str,
    ) -> Result<i64> {
        let w = &c.workflow;
        let fail = |e: postgres::Error| classify(e, during);
        if update {
            let n = self
                .execute_in(
                    tx,
                    "UPDATE build_workflows SET version = $3, updated_at = $4::text::timestamptz,
                       current_state = $5, \"current_role\" = $6, status = $7,
                       phase_outputs = $8, retry_count = $9::int8, last_error = $10,
                       completed_at = $11::text::timestamptz,
                       state_entered_at = $12::text::timestamptz
                     WHERE id = $1 AND version = $2",
                    &[
                        &w.id,
                        &c.previous_version,
                        &w.version,
                        &w.updated_at.as_str(),
                        &w.current_state.as_str(),
                        &w.current_role.as_str(),
                        &w.status.as_str(),
                        &w.phase_outputs,
                        &w.retry_count,
                        &w.last_error,
                        &w.completed_at.as_deref(),
                        &w.state_entered_at.as_deref(),
                    ],
                )
                .map_err(fail)?;
            if n != 1 {
                // The row is locked: it can only miss when its version moved under a writer
                // that ignored the lock protocol. Refuse rather than guess.
                return Err(StoreError::Conflict {
                    id: w.id.clone(),
                    expected: c.previous_version,
                    actual: w.version - 1,
                });
            }
        } else {
            self.insert_workflow(tx, w).map_err(|e| {
                if is_unique_violation(&e, "build_workflows_build_id_key") {
                    StoreError::Duplicate(format!(
                        "a workflow with build id '{}' already exists; choose another build id",
                        w.build_id
                    ))
                } else {
                    classify(e, during)
                }
            })?;
        }
        if let Some(h) = &c.handoff {
            self.execute_in(
                tx,
                "INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role, from_state,
                   to_state, kind, data_transferred, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::timestamptz)",
                &[
                    &h.id,
                    &w.id,
                    &h.from_role,
                    &h.to_role,
                    &h.from_state,
                    &h.to_state,
                    &h.kind.as_str(),
                    &h.data_transferred,
                    &c.at,
                ],
            )
            .map_err(fail)?;
        }
        if let Some(cp) = &c.checkpoint {
            let (outputs, base_version) =
                checkpoint_patch::stored_outputs(newest, w.version, &cp.phase_outputs);
            self.execute_in(
                tx,
                "INSERT INTO workflow_checkpoints (id, workflow_id, state, phase_outputs,
                   retry_count, version, created_at, base_version)
                 VALUES ($1, $2, $3, $4, $5::int8, $6, $7::text::timestamptz, $8)",
                &[
                    &uuid::Uuid::new_v4().to_string(),
                    &w.id,
                    &cp.state,
                    &outputs,
                    &cp.retry_count,
                    &w.version,
                    &c.at,
                    &base_version,
                ],
            )
            .map_err(fail)?;
        }
        if let Some(hid) = &c.acknowledge {
            self.execute_in(
                tx,
                "UPDATE workflow_handoffs SET acknowledged_at = $2::text::timestamptz,
                   acknowledged_by = $3 WHERE id = $1 AND acknowledged_at IS NULL",
                &[hid, &c.at, &c.event.triggered_by],
            )
            .map_err(fail)?;
        }
        let rows = self.query_in(
            tx,
            "INSERT INTO workflow_events (id, workflow_id, event_type, triggered_by, event_data,
               created_at) VALUES ($1, $2, $3, $4, $5, $6::text::timestamptz) RETURNING seq",
            &[
                &uuid::Uuid::new_v4().to_string(),
                &w.id,
                &c.event.event_type.as_str(),
                &c.event.triggered_by,
                &c.event.data,
                &c.at,
            ],
            during,
        )?;
        Ok(row::int(&rows[0], 0)?)
    }

    fn insert_workflow(
        &self,
        tx: &mut Transaction<'_>,
        w: &Workflow,
    ) -> std::result::Result<u64, postgres::Error> {
        self.execute_in(
            tx,
            "INSERT INTO build_workflows (id, build_id, project_id, user_id, definition,
               current_state, \"current_role\", status, phase_outputs, retry_count, max_retries,
               last_error, version, metadata, created_at, updated_at, completed_at, heartbeat_at,
               state_entered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::int8, $11::int8, $12, $13, $14,
               $15::text::timestamptz, $16::text::timestamptz, $17::text::timestamptz,
               $18::text::timestamptz, $19::text::timestamptz)",
            &[
                &w.id,
                &w.build_id.as_str(),
                &w.project_id.as_str(),
                &w.user_id.as_deref(),
                &w.definition.as_str(),
                &w.current_state.as_str(),
                &w.current_role.as_str(),
                &w.status.as_str(),
                &w.phase_outputs,
                &w.retry_count,
                &w.max_retries,
                &w.last_error,
                &w.version,
                &w.metadata,
                &w.created_at.as_str(),
                &w.updated_at.as_str(),
                &w.completed_at.as_deref(),
                &w.heartbeat_at.as_deref(),
                &w.state_entered_at.as_deref(),
            ],
        )
    }
}
