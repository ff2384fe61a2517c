//! Unit tests of the simulator's pieces: the PRNG, the generated outputs, and how the
//! driver reacts when another writer changes a workflow under it.

use super::driver::{Driver, Stage};
use super::outputs;
use super::rng::Rng;
use super::{SimConfig, SimReport};
use crate::engine::{self, Request};
use crate::model::{Action, Definition, Status};
use crate::store::{OpenMode, Store};
use std::sync::atomic::AtomicBool;

#[test]
fn the_same_seed_gives_the_same_sequence() {
    let a: Vec<u64> = {
        let mut r = Rng::new(42);
        (0..8).map(|_| r.next_u64()).collect()
    };
    let mut r = Rng::new(42);
    assert!(a.iter().all(|&x| x == r.next_u64()));
    let mut other = Rng::new(43);
    assert_ne!(a[0], other.next_u64());
    // SplitMix64's published first output for seed 0.
    assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
}

#[test]
fn draws_stay_in_range() {
    let mut r = Rng::new(7);
    for _ in 0..10_000 {
        let f = r.f64();
        assert!((0.0..1.0).contains(&f));
        assert!(r.below(3) < 3);
        assert!((2..=4).contains(&r.range(2, 4)));
    }
    assert!(!(0..1000).any(|_| r.chance(0.0)));
    assert!((0..1000).all(|_| r.chance(1.0)));
    let heads = (0..10_000).filter(|_| r.chance(0.25)).count();
    assert!((2_000..3_000).contains(&heads), "{heads}");
    let h = r.hex(64);
    assert_eq!(h.len(), 64);
    assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn every_phase_has_a_realistic_output_and_failure() {
    let mut r = Rng::new(1);
    for p in Definition::builtin().phases {
        let out = outputs::phase_output(&mut r, "atlas", &p.name);
        assert!(
            out.is_object() && out.as_object().is_some_and(|m| m.len() >= 3),
            "{out}"
        );
        assert!(!outputs::failure(&mut r, &p.name).trim().is_empty());
    }
    let release = outputs::phase_output(&mut r, "atlas", "release");
    assert!(release["artifact"].as_str().unwrap().starts_with("atlas-"));
    let testing = outputs::phase_output(&mut r, "atlas", "testing");
    assert_eq!(
        testing["passed"].as_u64().unwrap() + testing["skipped"].as_u64().unwrap(),
        testing["tests_run"].as_u64().unwrap()
    );
    assert!(outputs::rollback_reason(&mut r, "testing", "coding").contains("back to coding"));
}

fn temp_store() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.db");
    let (store, _) = Store::open(&path, OpenMode::Create).unwrap();
    (dir, path, store)
}

fn quiet(workflows: usize) -> SimConfig {
    SimConfig {
        workflows,
        rate: 0.0,
        fail_rate: 0.0,
        stuck_rate: 0.0,
        seed: 11,
        ..SimConfig::default()
    }
}

/// Steps `d` until `done` holds (at most `limit` steps).
fn step_until(d: &mut Driver<'_>, limit: usize, done: impl Fn(&Driver<'_>) -> bool) {
    for _ in 0..limit {
        if done(d) {
            return;
        }
        d.step().unwrap();
    }
    assert!(
        done(d),
        "condition not reached in {limit} steps: {:?}",
        d.report
    );
}

#[test]
fn a_change_by_another_writer_is_a_counted_conflict_and_the_workflow_is_reloaded() {
    let (_dir, path, mut store) = temp_store();
    let (mut operator, _) = Store::open(&path, OpenMode::ReadWrite).unwrap();
    let cfg = quiet(1);
    let stop = AtomicBool::new(false);
    let mut d = Driver::new(&mut store, &cfg, &stop).unwrap();
    d.step().unwrap();
    assert_eq!(d.report.started, 1);
    let id = d.active[0].w.id.clone();

    // An operator advances the workflow behind the simulator's back.
    let req = Request::new(Action::Advance { output: None }, "operator:bob@host");
    let theirs = engine::act_on_id(&mut operator, &id, &req)
        .unwrap()
        .workflow;
    step_until(&mut d, 20, |d| d.report.conflicts > 0);
    assert_eq!(d.report.conflicts, 1);
    let t = &d.active[0];
    assert_eq!(t.w.version, theirs.version, "reloaded");
    assert_eq!(t.w.current_state, "planning");
    assert!(matches!(t.stage, Stage::Ack { .. }), "{:?}", t.stage);

    // It carries on from there and finishes without further conflicts.
    step_until(&mut d, 200, |d| d.is_done());
    assert_eq!((d.report.completed, d.report.conflicts), (1, 1));
    drop(d);
    assert!(
        store
            .doctor(&crate::store::Scope::Full, &|_| {})
            .unwrap()
            .problems
            .is_empty()
    );
    assert_eq!(store.workflow(&id).unwrap().status, Status::Completed);
}

#[test]
fn a_workflow_paused_by_an_operator_waits_until_resumed() {
    let (_dir, path, mut store) = temp_store();
    let (mut operator, _) = Store::open(&path, OpenMode::ReadWrite).unwrap();
    let cfg = quiet(1);
    let stop = AtomicBool::new(false);
    let mut d = Driver::new(&mut store, &cfg, &stop).unwrap();
    d.step().unwrap();
    let id = d.active[0].w.id.clone();
    let pause = Request::new(Action::Pause, "operator:bob@host");
    engine::act_on_id(&mut operator, &id, &pause).unwrap();
    step_until(&mut d, 20, |d| !d.parked.is_empty());
    assert!(d.active.is_empty());
    assert!(
        d.is_done(),
        "without keep_alive, only paused workflows left means done"
    );
    d.check_parked().unwrap();
    assert_eq!(d.parked.len(), 1, "still paused");

    let resume = Request::new(Action::Resume, "operator:bob@host");
    engine::act_on_id(&mut operator, &id, &resume).unwrap();
    d.check_parked().unwrap();
    assert_eq!((d.parked.len(), d.active.len()), (0, 1));
    step_until(&mut d, 200, |d| d.is_done());
    assert_eq!(d.report.completed, 1);
    assert!(d.report.heartbeats <= d.report.ops);
}

#[test]
fn report_timing_divides_ops_by_elapsed() {
    let r = SimReport {
        ops: 50,
        ..SimReport::default()
    }
    .timed(std::time::Duration::from_secs(2));
    assert_eq!((r.elapsed_secs, r.ops_per_sec), (2.0, 25.0));
    assert_eq!(
        SimReport::default()
            .timed(std::time::Duration::ZERO)
            .ops_per_sec,
        0.0
    );
}
