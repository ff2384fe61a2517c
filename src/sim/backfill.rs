//! Backfill: years of history in minutes. Each workflow's trail is produced by the engine's
//! own pure rules (`plan_start`, `plan`) on an in-memory snapshot with a synthetic clock, so
//! the rows are exactly what the engine would have written one operation at a time (and
//! `baton doctor` finds them consistent); the store then writes thousands of trails per
//! transaction. A generator thread plans while the calling thread writes.
//!
//! Finished workflows follow `build` (6 phases) or a shorter `hotfix` (3 phases), sometimes
//! fail and are retried or rolled back, and some are cancelled; about 10 events each. Live
//! workflows (`live`) stop part-way: running (some with a handoff still pending), paused or
//! failed, with recent timestamps. Ids are UUIDs, time-ordered (version 7, from the
//! synthetic clock) for history and random (version 4) for live workflows: every index keyed
//! by an id or a workflow id then grows near its end instead of taking random inserts, which
//! on a 10 GB file is the difference between minutes and a quarter of an hour of random
//! page writes. (Like any v7 ids, those of workflows started in the same minute share their
//! first 8 hex digits; use longer prefixes to name old workflows.)

use super::outputs;
use super::rng::Rng;
use crate::engine::rules::{self, Context};
use crate::engine::{EngineError, RuleError};
use crate::model::{
    Action, Change, Checkpoint, Definition, Event, NewWorkflow, Phase, Snapshot, Status, time,
};
use crate::store::{Encoded, Store, Trail};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct BackfillConfig {
    /// Finished (completed or cancelled) workflows to write.
    pub workflows: usize,
    /// Live workflows (running, paused, failed) to write after them.
    pub live: usize,
    pub seed: u64,
    /// History spreads over this many days before now.
    pub days: u32,
    /// Workflows per transaction.
    pub batch: usize,
}

impl Default for BackfillConfig {
    fn default() -> Self {
        BackfillConfig {
            workflows: 0,
            live: 0,
            seed: 1,
            days: 365,
            batch: 5_000,
        }
    }
}

/// What a backfill wrote so far.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BackfillReport {
    pub workflows: u64,
    pub live: u64,
    pub events: u64,
    pub handoffs: u64,
    pub checkpoints: u64,
    /// Workflows to write in all (finished + live).
    pub total: u64,
    pub elapsed_secs: f64,
    /// What settling the load is doing now, once every workflow is written.
    #[serde(skip)]
    pub settling: Option<String>,
    /// Seconds spent settling the load (see [`Store::settle_after_bulk`]); 0 where there
    /// was nothing to settle.
    pub settle_secs: f64,
}

impl BackfillReport {
    pub fn written(&self) -> u64 {
        self.workflows + self.live
    }
}

/// The shorter definition a share of the history follows, added when missing.
pub fn hotfix_definition() -> Definition {
    let phase = |name: &str, role: &str, stuck: i64| Phase {
        name: name.into(),
        role: role.into(),
        max_retries: None,
        stuck_after_secs: Some(stuck),
        handoff_timeout_secs: Some(300),
    };
    Definition {
        name: "hotfix".into(),
        version: 1,
        description: Some("An urgent fix: straight to coding, tested, released.".into()),
        phases: vec![
            phase("coding", "code_writer", 3600),
            phase("testing", "test_auditor", 1800),
            phase("release", "release_manager", 900),
        ],
    }
}

/// Writes `cfg.workflows` finished and `cfg.live` live workflows. `progress` is called after
/// every transaction; setting `stop` ends the run after the current one.
pub fn run(
    store: &mut Store,
    cfg: &BackfillConfig,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(&BackfillReport),
) -> Result<BackfillReport, EngineError> {
    let began = Instant::now();
    let build = store
        .definition("build")?
        .ok_or_else(|| RuleError::UnknownDefinition("build".into()))?;
    let hotfix = match store.definition("hotfix")? {
        Some(d) => d,
        None => {
            let d = hotfix_definition();
            let version = store.add_definition(&d)?;
            Definition { version, ..d }
        }
    };
    store.tune_for_bulk()?;
    let mut generator = Generator::new(cfg, build, hotfix, time::now().timestamp_millis());
    let total = cfg.workflows + cfg.live;
    let batch = cfg.batch.max(1);
    let (tx, rx) = mpsc::sync_channel::<Result<Vec<Encoded>, RuleError>>(2);
    // Written batches go back to the generator to be freed there: freeing millions of
    // small JSON values allocated on another thread would otherwise cost the writer a
    // third of its time in the allocator.
    let (done_tx, done_rx) = mpsc::channel::<Vec<Encoded>>();
    let mut report = BackfillReport {
        total: total as u64,
        ..BackfillReport::default()
    };
    std::thread::scope(|s| -> Result<(), EngineError> {
        s.spawn(move || {
            let mut i = 0;
            while i < total {
                while let Ok(written) = done_rx.try_recv() {
                    drop(written);
                }
                let end = (i + batch).min(total);
                let trails: Result<Vec<Encoded>, RuleError> = (i..end)
                    .map(|k| generator.trail(k).map(Trail::encode))
                    .collect();
                if tx.send(trails).is_err() {
                    return;
                }
                i = end;
            }
        });
        for trails in rx.iter() {
            let trails = trails?;
            store.backfill(&trails)?;
            for t in trails.iter().map(|e| &e.trail) {
                if t.workflow.status.is_terminal() {
                    report.workflows += 1;
                } else {
                    report.live += 1;
                }
                report.events += t.events.len() as u64;
                report.handoffs += t.handoffs.len() as u64;
                report.checkpoints += t.checkpoints.len() as u64;
            }
            let _ = done_tx.send(trails);
            report.elapsed_secs = began.elapsed().as_secs_f64();
            progress(&report);
            if stop.load(Ordering::Relaxed) {
                break; // dropping the receiver ends the generator
            }
        }
        Ok(())
    })?;
    if !stop.load(Ordering::Relaxed) {
        let settling = Instant::now();
        let loaded = report.events;
        store.settle_after_bulk(loaded, &mut |step| {
            report.settling = Some(step.to_string());
            report.elapsed_secs = began.elapsed().as_secs_f64();
            progress(&report);
        })?;
        // A backend with nothing to settle reports no step and no time.
        if report.settling.take().is_some() {
            report.settle_secs = settling.elapsed().as_secs_f64();
        }
    }
    report.elapsed_secs = began.elapsed().as_secs_f64();
    Ok(report)
}

struct Generator {
    rng: Rng,
    build: Definition,
    hotfix: Definition,
    finished: usize,
    days: u32,
    now_ms: i64,
    /// Distinguishes this run's build ids from earlier runs' on the same database.
    tag: String,
}

/// One workflow being planned: the snapshot the rules see, the rows written so far, and the
/// synthetic clock.
struct Plan<'a> {
    snap: Snapshot,
    trail: Trail,
    at_ms: i64,
    rng: &'a mut Rng,
}

const ORCHESTRATOR: &str = "orchestrator:sim";

impl Generator {
    fn new(cfg: &BackfillConfig, build: Definition, hotfix: Definition, now_ms: i64) -> Generator {
        let mut rng = Rng::new(cfg.seed);
        let tag = rng.hex(4);
        Generator {
            rng,
            build,
            hotfix,
            finished: cfg.workflows,
            days: cfg.days.max(1),
            now_ms,
            tag,
        }
    }

    /// Workflow `k`: finished for `k < finished`, live after.
    fn trail(&mut self, k: usize) -> Result<Trail, RuleError> {
        let live = k >= self.finished;
        let def = if !live && self.rng.chance(0.3) {
            self.hotfix.clone()
        } else {
            self.build.clone()
        };
        // History ends a day ago and spreads evenly over `days` before that; live work
        // started within the last three hours.
        let start_ms = if live {
            self.now_ms - self.rng.range(10 * 60, 3 * 3600) as i64 * 1000
        } else {
            let span = i64::from(self.days) * 86_400_000;
            let step = span / self.finished.max(1) as i64;
            self.now_ms - 86_400_000 - span + k as i64 * step
        };
        let project = self.rng.pick(outputs::PROJECTS).to_string();
        let new = NewWorkflow {
            build_id: Some(format!("{project}-{}{k:07}", self.tag)),
            project_id: project,
            user_id: Some(outputs::user(&mut self.rng)),
            definition: def.name.clone(),
            metadata: outputs::metadata(&mut self.rng),
        };
        let now_ms = self.now_ms;
        let mut p = Plan::start(&def, &new, start_ms, !live, &mut self.rng)?;
        if live {
            p.live(now_ms)?;
        } else {
            p.finish()?;
        }
        Ok(p.trail)
    }
}

fn uuid_v4(rng: &mut Rng) -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    b[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

fn uuid_v7(rng: &mut Rng, ms: i64) -> String {
    let mut b = [0u8; 10];
    b[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    b[8..].copy_from_slice(&rng.next_u64().to_le_bytes()[..2]);
    uuid::Builder::from_unix_timestamp_millis(ms.max(0) as u64, &b)
        .into_uuid()
        .to_string()
}

fn timestamp(ms: i64) -> time::Timestamp {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl<'a> Plan<'a> {
    /// Plans the start of a workflow; `ordered` gives it a time-ordered id.
    fn start(
        def: &Definition,
        new: &NewWorkflow,
        at_ms: i64,
        ordered: bool,
        rng: &'a mut Rng,
    ) -> Result<Plan<'a>, RuleError> {
        let cx = Context {
            actor: ORCHESTRATOR,
            reason: Some("simulated build"),
            expected_version: None,
            now: timestamp(at_ms),
        };
        let mut change = rules::plan_start(Some(def), new, &cx)?;
        change.workflow.id = if ordered {
            uuid_v7(rng, at_ms)
        } else {
            uuid_v4(rng)
        };
        let mut p = Plan {
            snap: Snapshot {
                workflow: change.workflow.clone(),
                definition: Some(def.clone()),
                checkpoints: Vec::new(),
                pending: Vec::new(),
            },
            trail: Trail {
                workflow: change.workflow.clone(),
                handoffs: Vec::new(),
                checkpoints: Vec::new(),
                events: Vec::new(),
            },
            at_ms,
            rng,
        };
        p.record(change);
        Ok(p)
    }

    fn phases(&self) -> usize {
        self.snap.definition.as_ref().map_or(0, |d| d.phases.len())
    }

    fn index(&self) -> usize {
        self.snap
            .definition
            .as_ref()
            .and_then(|d| d.phase_index(&self.snap.workflow.current_state))
            .unwrap_or(0)
    }

    /// Moves the clock on by a realistic gap (seconds).
    fn wait(&mut self, lo: u64, hi: u64) {
        self.at_ms += self.rng.range(lo * 1000, hi * 1000) as i64;
    }

    fn act(&mut self, action: Action, actor: &str, reason: Option<&str>) -> Result<(), RuleError> {
        let cx = Context {
            actor,
            reason,
            expected_version: Some(self.snap.workflow.version),
            now: timestamp(self.at_ms),
        };
        let change = rules::plan(&self.snap, &action, &cx)?;
        self.record(change);
        Ok(())
    }

    /// Turns a planned change into rows and moves the snapshot on, as the store would.
    fn record(&mut self, mut c: Change) {
        let wid = c.workflow.id.clone();
        if let Some(h) = &mut c.handoff {
            let id = uuid_v7(self.rng, self.at_ms);
            if let Value::Object(m) = &mut c.event.data
                && m.contains_key("handoff_id")
            {
                m.insert("handoff_id".into(), Value::String(id.clone()));
            }
            h.id = id;
            let row = h.row(&wid, &c.at);
            self.snap.pending.push(row.clone());
            self.trail.handoffs.push(row);
        }
        if let Some(cp) = c.checkpoint.take() {
            let row = Checkpoint {
                id: uuid_v7(self.rng, self.at_ms),
                workflow_id: wid.clone(),
                state: cp.state,
                phase_outputs: cp.phase_outputs,
                retry_count: cp.retry_count,
                version: c.workflow.version,
                created_at: c.at.clone(),
            };
            self.snap.checkpoints.retain(|k| k.state != row.state);
            self.snap.checkpoints.push(row.clone());
            self.trail.checkpoints.push(row);
        }
        if let Some(hid) = &c.acknowledge {
            self.snap.pending.retain(|h| &h.id != hid);
            if let Some(h) = self.trail.handoffs.iter_mut().find(|h| &h.id == hid) {
                h.acknowledged_at = Some(c.at.clone());
                h.acknowledged_by = Some(c.event.triggered_by.clone());
            }
        }
        self.trail.events.push(Event {
            seq: 0,
            id: uuid_v7(self.rng, self.at_ms),
            workflow_id: wid,
            event_type: c.event.event_type.as_str().into(),
            triggered_by: c.event.triggered_by,
            event_data: c.event.data,
            created_at: c.at,
        });
        self.snap.workflow = c.workflow.clone();
        self.trail.workflow = c.workflow;
    }

    /// The receiving role picks up the newest pending handoff.
    fn acknowledge(&mut self) -> Result<(), RuleError> {
        let Some(h) = self.snap.pending.last().cloned() else {
            return Ok(());
        };
        self.wait(5, 240);
        self.act(Action::Acknowledge { handoff_id: h.id }, &h.to_role, None)
    }

    /// The role works on the phase, heartbeating, then either fails it (and the
    /// orchestrator retries or an operator rolls back) or advances; the receiving role
    /// acknowledges the handoff unless `ack` is false.
    fn work_phase(&mut self, ack: bool) -> Result<(), RuleError> {
        self.wait(60, 1800);
        let beat = self.at_ms - self.rng.range(0, 50_000) as i64;
        self.snap.workflow.heartbeat_at = Some(time::format(timestamp(beat)).into());
        if self.rng.chance(0.05) {
            let phase = self.snap.workflow.current_state.clone();
            let error = outputs::failure(self.rng, &phase);
            self.act(Action::Fail { error }, ORCHESTRATOR, None)?;
            self.wait(30, 900);
            let i = self.index();
            let exhausted = self.snap.workflow.retry_count >= self.snap.workflow.max_retries;
            if i > 0 && (exhausted || self.rng.chance(0.3)) {
                let to = self.phase_name(i - 1);
                let reason = outputs::rollback_reason(self.rng, &phase, &to);
                let action = Action::Rollback { to: Some(to) };
                self.act(action, "operator:alice@ops", Some(&reason))?;
            } else if exhausted {
                return self.act(Action::Cancel, "operator:bob@ops", Some("gave up"));
            } else {
                self.act(Action::Retry, ORCHESTRATOR, None)?;
            }
            return if ack { self.acknowledge() } else { Ok(()) };
        }
        let w = &self.snap.workflow;
        let output = outputs::phase_output(self.rng, &w.project_id, &w.current_state);
        self.act(
            Action::Advance {
                output: Some(output),
            },
            ORCHESTRATOR,
            None,
        )?;
        if ack && self.snap.workflow.status == Status::Running {
            self.acknowledge()?;
        }
        Ok(())
    }

    fn phase_name(&self, i: usize) -> String {
        self.snap
            .definition
            .as_ref()
            .and_then(|d| d.phases.get(i))
            .map_or_else(String::new, |p| p.name.clone())
    }

    /// Runs the workflow to its end: completed, or (sometimes) cancelled part-way.
    fn finish(&mut self) -> Result<(), RuleError> {
        let cancel_at = self
            .rng
            .chance(0.08)
            .then(|| self.rng.below(self.phases().max(1)));
        for _ in 0..64 {
            if self.snap.workflow.status.is_terminal() {
                return Ok(());
            }
            if cancel_at == Some(self.index()) {
                break;
            }
            self.work_phase(true)?;
        }
        if self.snap.workflow.status.is_terminal() {
            return Ok(());
        }
        self.wait(60, 900);
        self.act(Action::Cancel, "operator:bob@ops", Some("superseded"))
    }

    /// Stops part-way with recent timestamps: running (perhaps with a handoff not yet
    /// acknowledged), paused or failed.
    fn live(&mut self, now_ms: i64) -> Result<(), RuleError> {
        let stop_at = self.rng.below(self.phases().max(1));
        let roll = self.rng.f64();
        // About a fifth stop just after a handoff that nobody has acknowledged yet.
        let pending = (0.13..0.33).contains(&roll) && stop_at > 0;
        for _ in 0..64 {
            let i = self.index();
            if i >= stop_at || self.snap.workflow.status != Status::Running {
                break;
            }
            self.work_phase(!(pending && i + 1 == stop_at))?;
        }
        if self.snap.workflow.status == Status::Running && roll < 0.05 {
            self.wait(10, 300);
            self.act(Action::Pause, "operator:carol@ops", None)?;
        } else if self.snap.workflow.status == Status::Running && roll < 0.13 {
            let phase = self.snap.workflow.current_state.clone();
            let error = outputs::failure(self.rng, &phase);
            self.wait(10, 300);
            self.act(Action::Fail { error }, ORCHESTRATOR, None)?;
        }
        // The clock ran from a start within the last three hours; pull the whole trail
        // back if it ran past now, to end at a moment of the last ten minutes (not all at
        // one: a fifth of the live set sharing one `updated_at` made every newest-first
        // page sort that whole tie), and heartbeat recently unless the role went quiet.
        let overshoot = (self.at_ms - now_ms).max(0);
        if overshoot > 0 {
            let end = self.rng.range(1_000, 600_000) as i64;
            shift(&mut self.trail, -(overshoot + end));
        }
        let quiet = self.rng.chance(0.1);
        self.trail.workflow.heartbeat_at = (!quiet)
            .then(|| {
                let beat = now_ms - self.rng.range(0, 120_000) as i64;
                time::format(timestamp(beat))
            })
            .map(Into::into);
        Ok(())
    }
}

/// Moves every timestamp of a trail by `delta_ms`.
fn shift(t: &mut Trail, delta_ms: i64) {
    // Workflows keep their times inline, the other rows as `String`s: one mover for both.
    fn mv<T: AsRef<str> + From<String>>(s: &mut T, delta_ms: i64) {
        if let Some(ts) = time::parse(s.as_ref()) {
            *s = time::format(ts + chrono::Duration::milliseconds(delta_ms)).into();
        }
    }
    let w = &mut t.workflow;
    for s in [&mut w.created_at, &mut w.updated_at] {
        mv(s, delta_ms);
    }
    for s in [
        &mut w.completed_at,
        &mut w.heartbeat_at,
        &mut w.state_entered_at,
    ]
    .into_iter()
    .flatten()
    {
        mv(s, delta_ms);
    }
    for h in &mut t.handoffs {
        mv(&mut h.created_at, delta_ms);
        if let Some(a) = &mut h.acknowledged_at {
            mv(a, delta_ms);
        }
    }
    for c in &mut t.checkpoints {
        mv(&mut c.created_at, delta_ms);
    }
    for e in &mut t.events {
        mv(&mut e.created_at, delta_ms);
    }
}

/// The time a backfill still needs at its current pace, for progress lines.
pub fn eta(report: &BackfillReport) -> Option<Duration> {
    let done = report.written();
    if done == 0 || report.elapsed_secs <= 0.0 {
        return None;
    }
    let rate = done as f64 / report.elapsed_secs;
    Some(Duration::from_secs_f64(
        report.total.saturating_sub(done) as f64 / rate,
    ))
}
