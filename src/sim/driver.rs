//! One simulated orchestrator: the workflows it drives, what each is waiting for, and the
//! single operation it performs per step. Everything goes through the engine API.

use super::outputs;
use super::rng::Rng;
use super::{SimConfig, SimReport};
use crate::engine::{self, EngineError, Request, RuleError};
use crate::model::{Action, Definition, NewWorkflow, Status, Workflow};
use crate::store::{Store, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The definition simulated workflows follow.
const DEFINITION: &str = "build";
/// Busy retries per operation (each one already waited the store's busy timeout).
const BUSY_ATTEMPTS: u32 = 20;
/// Tolerated refusals in a row (other writers changing rows without bumping the version)
/// before the simulator lets a workflow go.
const MAX_STRIKES: u32 = 3;

/// What a driven workflow waits for next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Stage {
    /// A handoff waits for the receiving role to acknowledge it.
    Ack { handoff_id: String },
    /// The role works: `beats` more heartbeats, then it advances (or fails).
    Work { beats: u64 },
    /// The workflow failed: retry, roll back, or leave it failed.
    Recover,
}

#[derive(Debug, Clone)]
pub(super) struct Tracked {
    pub w: Workflow,
    pub stage: Stage,
    strikes: u32,
}

/// What happens to a workflow after an operation.
enum Next {
    Keep(Tracked),
    /// Paused by someone else: checked about once a second until resumed.
    Park(Tracked),
    /// Finished, left stuck or failed, or gone.
    Drop,
}

/// The outcome of one engine call.
enum Attempt<T> {
    Done(T),
    /// Someone else changed the workflow first.
    Conflict,
    /// A refusal that another writer's unversioned change can explain.
    Refused,
    /// The workflow no longer exists.
    Gone,
}

pub(super) struct Driver<'a> {
    store: &'a mut Store,
    cfg: &'a SimConfig,
    stop: &'a AtomicBool,
    rng: Rng,
    def: Definition,
    pub active: Vec<Tracked>,
    pub parked: Vec<Tracked>,
    to_start: usize,
    pub report: SimReport,
}

impl<'a> Driver<'a> {
    pub fn new(
        store: &'a mut Store,
        cfg: &'a SimConfig,
        stop: &'a AtomicBool,
    ) -> Result<Driver<'a>, EngineError> {
        let def = store
            .definition(DEFINITION)?
            .ok_or_else(|| RuleError::UnknownDefinition(DEFINITION.into()))?;
        Ok(Driver {
            store,
            cfg,
            stop,
            rng: Rng::new(cfg.seed),
            def,
            active: Vec::new(),
            parked: Vec::new(),
            to_start: cfg.workflows,
            report: SimReport::default(),
        })
    }

    /// Nothing left to drive and nothing left to start (never, with `keep_alive`).
    pub fn is_done(&self) -> bool {
        self.to_start == 0
            && self.active.is_empty()
            && (!self.cfg.keep_alive || self.cfg.workflows == 0)
    }

    /// Performs one operation: starts a workflow or moves one along. False when there was
    /// nothing to do (only parked workflows).
    pub fn step(&mut self) -> Result<bool, EngineError> {
        let slots = self.active.len() + usize::from(self.to_start > 0);
        if slots == 0 {
            return Ok(false);
        }
        let pick = self.rng.below(slots);
        if pick == self.active.len() {
            self.start_one()?;
        } else {
            let t = self.active.swap_remove(pick);
            let next = self.drive(t)?;
            self.place(next);
        }
        Ok(true)
    }

    /// Reloads workflows paused by someone else; resumed ones are driven again.
    pub fn check_parked(&mut self) -> Result<(), EngineError> {
        for t in std::mem::take(&mut self.parked) {
            let next = self.reload(&t.w.id)?;
            self.place(next);
        }
        Ok(())
    }

    fn place(&mut self, next: Next) {
        match next {
            Next::Keep(t) => self.active.push(t),
            Next::Park(t) => self.parked.push(t),
            Next::Drop => {
                if self.cfg.keep_alive {
                    self.to_start += 1;
                }
            }
        }
    }

    fn counted(&mut self, field: fn(&mut SimReport) -> &mut u64) {
        *field(&mut self.report) += 1;
        self.report.ops += 1;
    }

    fn work(&mut self, w: Workflow) -> Tracked {
        let beats = self.rng.range(0, 3);
        Tracked {
            w,
            stage: Stage::Work { beats },
            strikes: 0,
        }
    }

    fn start_one(&mut self) -> Result<(), EngineError> {
        let project = self.rng.pick(outputs::PROJECTS).to_string();
        let new = NewWorkflow {
            build_id: None,
            project_id: project,
            user_id: Some(outputs::user(&mut self.rng)),
            definition: DEFINITION.into(),
            metadata: outputs::metadata(&mut self.rng),
        };
        let actor = self.cfg.actor.clone();
        let written = busy_retry(self.stop, || {
            engine::start(self.store, &new, &actor, Some("simulated build"))
        })?;
        self.to_start -= 1;
        self.counted(|r| &mut r.started);
        let t = self.work(written.workflow);
        self.active.push(t);
        Ok(())
    }

    fn drive(&mut self, t: Tracked) -> Result<Next, EngineError> {
        match t.stage.clone() {
            Stage::Work { beats } if beats > 0 => self.heartbeat(t, beats),
            Stage::Work { .. } if self.rng.chance(self.cfg.fail_rate) => self.fail(t),
            Stage::Work { .. } => self.advance(t),
            Stage::Ack { handoff_id } => self.acknowledge(t, &handoff_id),
            Stage::Recover => self.recover(t),
        }
    }

    fn heartbeat(&mut self, mut t: Tracked, beats: u64) -> Result<Next, EngineError> {
        let id = t.w.id.clone();
        match self.attempt(|s| engine::heartbeat(s, &id))? {
            Attempt::Done(_) => {
                self.counted(|r| &mut r.heartbeats);
                t.stage = Stage::Work { beats: beats - 1 };
                Ok(Next::Keep(t))
            }
            other => self.after_refusal(t, other),
        }
    }

    fn act(
        &mut self,
        t: &Tracked,
        action: Action,
        reason: Option<String>,
    ) -> Result<Attempt<Workflow>, EngineError> {
        let mut req = Request::new(action, self.cfg.actor.clone()).expect_version(t.w.version);
        req.reason = reason;
        let id = t.w.id.clone();
        Ok(match self.attempt(|s| engine::act_on_id(s, &id, &req))? {
            Attempt::Done(written) => Attempt::Done(written.workflow),
            Attempt::Conflict => Attempt::Conflict,
            Attempt::Refused => Attempt::Refused,
            Attempt::Gone => Attempt::Gone,
        })
    }

    fn advance(&mut self, t: Tracked) -> Result<Next, EngineError> {
        let output = outputs::phase_output(&mut self.rng, &t.w.project_id, &t.w.current_state);
        match self.act(
            &t,
            Action::Advance {
                output: Some(output),
            },
            None,
        )? {
            Attempt::Done(w) if w.status == Status::Completed => {
                self.counted(|r| &mut r.completed);
                Ok(Next::Drop)
            }
            Attempt::Done(w) => {
                self.counted(|r| &mut r.advanced);
                self.handed_off(w)
            }
            other => self.after_refusal(t, other),
        }
    }

    fn fail(&mut self, t: Tracked) -> Result<Next, EngineError> {
        let error = outputs::failure(&mut self.rng, &t.w.current_state);
        match self.act(&t, Action::Fail { error }, None)? {
            Attempt::Done(w) => {
                self.counted(|r| &mut r.failed);
                Ok(Next::Keep(Tracked {
                    w,
                    stage: Stage::Recover,
                    strikes: 0,
                }))
            }
            other => self.after_refusal(t, other),
        }
    }

    /// A failed workflow: retry while retries remain, or roll back, or leave it failed.
    fn recover(&mut self, t: Tracked) -> Result<Next, EngineError> {
        let index = self.def.phase_index(&t.w.current_state);
        let max = self
            .def
            .phase(&t.w.current_state)
            .and_then(|p| p.max_retries)
            .unwrap_or(t.w.max_retries);
        let roll = self.rng.f64();
        if t.w.retry_count < max && roll < 0.5 {
            return match self.act(&t, Action::Retry, None)? {
                Attempt::Done(w) => {
                    self.counted(|r| &mut r.retried);
                    self.handed_off(w)
                }
                other => self.after_refusal(t, other),
            };
        }
        if index.is_some_and(|i| i > 0) && roll < 0.85 {
            let from = t.w.current_state.clone();
            let i = index.unwrap_or(1);
            // Failures late in the build often send the work straight back to coding.
            let coding = self.def.phase_index("coding").filter(|&c| c + 1 < i);
            let to = match coding {
                Some(c) if self.rng.chance(0.5) => self.def.phases[c].name.clone(),
                _ => self.def.phases[i - 1].name.clone(),
            };
            let reason = outputs::rollback_reason(&mut self.rng, &from, &to);
            let action = Action::Rollback { to: Some(to) };
            return match self.act(&t, action, Some(reason))? {
                Attempt::Done(w) => {
                    self.counted(|r| &mut r.rolled_back);
                    self.handed_off(w)
                }
                other => self.after_refusal(t, other),
            };
        }
        Ok(Next::Drop) // left failed for an operator to find
    }

    fn acknowledge(&mut self, t: Tracked, handoff_id: &str) -> Result<Next, EngineError> {
        let role = t.w.current_role.clone();
        let version = t.w.version;
        match self.attempt(|s| engine::acknowledge(s, handoff_id, &role, Some(version)))? {
            Attempt::Done(written) => {
                self.counted(|r| &mut r.acknowledged);
                Ok(Next::Keep(self.work(written.workflow)))
            }
            other => self.after_refusal(t, other),
        }
    }

    /// A transition created a handoff: sometimes nobody will ever pick it up.
    fn handed_off(&mut self, w: Workflow) -> Result<Next, EngineError> {
        if self.rng.chance(self.cfg.stuck_rate) {
            self.report.left_stuck += 1;
            return Ok(Next::Drop);
        }
        self.classify(w)
    }

    fn after_refusal<T>(
        &mut self,
        mut t: Tracked,
        outcome: Attempt<T>,
    ) -> Result<Next, EngineError> {
        match outcome {
            Attempt::Gone => Ok(Next::Drop),
            Attempt::Conflict => {
                self.report.conflicts += 1;
                self.reload(&t.w.id)
            }
            Attempt::Refused if t.strikes + 1 >= MAX_STRIKES => Ok(Next::Drop),
            Attempt::Refused | Attempt::Done(_) => {
                t.strikes += 1;
                let strikes = t.strikes;
                Ok(match self.reload(&t.w.id)? {
                    Next::Keep(mut n) => {
                        n.strikes = strikes;
                        Next::Keep(n)
                    }
                    other => other,
                })
            }
        }
    }

    fn reload(&mut self, id: &str) -> Result<Next, EngineError> {
        match self.attempt(|s| Ok(s.workflow(id)?))? {
            Attempt::Done(w) => self.classify(w),
            _ => Ok(Next::Drop),
        }
    }

    /// Decides what a workflow, as stored, waits for next.
    fn classify(&mut self, w: Workflow) -> Result<Next, EngineError> {
        Ok(match w.status {
            Status::Running => {
                let id = w.id.clone();
                let newest = match self.attempt(|s| Ok(s.handoffs(&id, 1)?))? {
                    Attempt::Done(h) => h.into_iter().next(),
                    _ => return Ok(Next::Drop),
                };
                match newest {
                    Some(h) if h.is_pending() && h.to_state == w.current_state => {
                        Next::Keep(Tracked {
                            w,
                            stage: Stage::Ack { handoff_id: h.id },
                            strikes: 0,
                        })
                    }
                    _ => Next::Keep(self.work(w)),
                }
            }
            Status::Failed => Next::Keep(Tracked {
                w,
                stage: Stage::Recover,
                strikes: 0,
            }),
            Status::Paused => Next::Park(Tracked {
                w,
                stage: Stage::Work { beats: 0 },
                strikes: 0,
            }),
            Status::Completed | Status::Cancelled | Status::Unknown => Next::Drop,
        })
    }

    /// Runs one engine call, retrying while the database is busy, and sorts its outcome.
    fn attempt<T>(
        &mut self,
        mut op: impl FnMut(&mut Store) -> Result<T, EngineError>,
    ) -> Result<Attempt<T>, EngineError> {
        match busy_retry(self.stop, || op(self.store)) {
            Ok(v) => Ok(Attempt::Done(v)),
            Err(e) if e.is_conflict() => Ok(Attempt::Conflict),
            Err(EngineError::Store(StoreError::NotFound { .. })) => Ok(Attempt::Gone),
            Err(EngineError::Rule(RuleError::NotPending(_) | RuleError::WrongStatus { .. })) => {
                Ok(Attempt::Refused)
            }
            Err(e) => Err(e),
        }
    }
}

/// Retries `op` while the store reports a busy database, unless `stop` is set.
fn busy_retry<T>(
    stop: &AtomicBool,
    mut op: impl FnMut() -> Result<T, EngineError>,
) -> Result<T, EngineError> {
    let mut attempt = 0;
    loop {
        match op() {
            Err(EngineError::Store(StoreError::Busy { .. }))
                if attempt < BUSY_ATTEMPTS && !stop.load(Ordering::Relaxed) =>
            {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(10 * u64::from(attempt)));
            }
            other => return other,
        }
    }
}
