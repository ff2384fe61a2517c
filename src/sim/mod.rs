//! The simulator: a writer that drives workflows the way an orchestrator would, through
//! the engine API only. It starts workflows, lets the receiving role acknowledge each
//! handoff, heartbeats while a role works, advances with realistic phase outputs,
//! sometimes fails (then retries, rolls back with a reason, or leaves the workflow failed),
//! sometimes leaves a handoff unacknowledged so that it becomes stuck, and stops by itself.
//!
//! `fail_rate` is the chance that a phase fails instead of advancing; `stuck_rate` the
//! chance that a new handoff is never acknowledged (the workflow is then left alone: no
//! more heartbeats). Every decision comes from a seeded PRNG, so a seed reproduces a run
//! (as long as no other writer interferes).

pub mod backfill;
mod driver;
mod outputs;
mod rng;
#[cfg(test)]
mod tests;

use crate::engine::EngineError;
use crate::store::Store;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub use rng::Rng;

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Workflows to start (without `keep_alive`), or to keep going at once (with it).
    pub workflows: usize,
    /// Operations per second; 0 means as fast as possible.
    pub rate: f64,
    /// Stop after this long, even with work left.
    pub duration: Option<Duration>,
    /// Chance that a phase fails instead of advancing.
    pub fail_rate: f64,
    /// Chance that a handoff is left unacknowledged, so that the workflow becomes stuck.
    pub stuck_rate: f64,
    pub seed: u64,
    /// Start a new workflow whenever one finishes (completed, left failed or stuck), until
    /// `duration` elapses or `stop` is set.
    pub keep_alive: bool,
    /// Who the simulated orchestrator acts as; acknowledgements are made by the role.
    pub actor: String,
}

impl Default for SimConfig {
    fn default() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        SimConfig {
            workflows: 20,
            rate: 20.0,
            duration: None,
            fail_rate: 0.05,
            stuck_rate: 0.05,
            seed,
            keep_alive: false,
            actor: "orchestrator:sim".into(),
        }
    }
}

/// What a run did. Each counter is a successful write of that kind (`advanced` counts
/// moves to a next phase, `completed` advances out of the last phase); `ops` is their sum.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SimReport {
    pub started: u64,
    pub advanced: u64,
    pub acknowledged: u64,
    pub heartbeats: u64,
    pub retried: u64,
    pub rolled_back: u64,
    pub failed: u64,
    pub completed: u64,
    /// Workflows left with an unacknowledged handoff and no more heartbeats.
    pub left_stuck: u64,
    /// Times another writer changed a workflow first; the workflow was reloaded.
    pub conflicts: u64,
    pub ops: u64,
    pub elapsed_secs: f64,
    pub ops_per_sec: f64,
}

impl SimReport {
    fn timed(&self, elapsed: Duration) -> SimReport {
        let secs = elapsed.as_secs_f64();
        SimReport {
            elapsed_secs: secs,
            ops_per_sec: if secs > 0.0 {
                self.ops as f64 / secs
            } else {
                0.0
            },
            ..self.clone()
        }
    }
}

/// Longest single sleep, so that `stop` is noticed quickly.
const NAP: Duration = Duration::from_millis(50);

/// Runs the simulator on `store` until it has nothing left to do, `duration` elapses or
/// `stop` is set. `progress` is called about once a second.
pub fn run(
    store: &mut Store,
    cfg: &SimConfig,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(&SimReport),
) -> Result<SimReport, EngineError> {
    let began = Instant::now();
    let deadline = cfg.duration.map(|d| began + d);
    let interval =
        (cfg.rate.is_finite() && cfg.rate > 0.0).then(|| Duration::from_secs_f64(1.0 / cfg.rate));
    let mut driver = driver::Driver::new(store, cfg, stop)?;
    let mut next_tick = began;
    let mut last_progress = began;
    let mut last_parked_check = began;
    loop {
        let now = Instant::now();
        if stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| now >= d) || driver.is_done() {
            break;
        }
        if now.duration_since(last_progress) >= Duration::from_secs(1) {
            last_progress = now;
            progress(&driver.report.timed(now - began));
        }
        if now.duration_since(last_parked_check) >= Duration::from_secs(1) {
            last_parked_check = now;
            driver.check_parked()?;
        }
        if let Some(interval) = interval {
            if now < next_tick {
                std::thread::sleep((next_tick - now).min(NAP));
                continue;
            }
            // Fall behind by more than a second (a slow disk, a busy database) and the
            // schedule restarts from now instead of bursting to catch up.
            next_tick = if now > next_tick + Duration::from_secs(1) {
                now + interval
            } else {
                next_tick + interval
            };
        }
        if !driver.step()? {
            // Only workflows paused by someone else are left (with keep_alive): wait.
            std::thread::sleep(NAP);
        }
    }
    Ok(driver.report.timed(began.elapsed()))
}
