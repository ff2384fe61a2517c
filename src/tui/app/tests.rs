//! The incremental path of `apply_delta` must leave the same state as re-deriving
//! everything: same order, same visible rows, same stuck marks, same deadline.
use super::*;
use crate::model::time;
use crate::model::{Handoff, Status, Workflow};
use crate::sim::Rng;
use crate::tui::testing::{self, workflow};
use std::collections::HashMap;

const STATUSES: [Status; 4] = [
    Status::Running,
    Status::Paused,
    Status::Failed,
    Status::Completed,
];
const PHASES: [&str; 6] = [
    "discovery",
    "planning",
    "coding",
    "testing",
    "review",
    "release",
];

fn stamp(base: Timestamp, secs: u64) -> String {
    time::format(base + chrono::Duration::seconds(secs as i64))
}

fn random_row(rng: &mut Rng, i: usize, base: Timestamp) -> Workflow {
    let mut w = workflow(
        &format!("w{i:04}"),
        &format!(
            "{}-{}",
            ["atlas", "borealis", "cygnus"][rng.below(3)],
            rng.below(50)
        ),
        PHASES[rng.below(6)],
        STATUSES[rng.below(4)],
    );
    w.updated_at = stamp(base, rng.range(0, 3000)).into();
    w.created_at = stamp(base, rng.range(0, 600)).into();
    w.state_entered_at = Some(stamp(base, rng.range(0, 3000)).into());
    w.heartbeat_at = (rng.chance(0.5).then(|| stamp(base, rng.range(0, 3000)))).map(Into::into);
    w
}

fn pending_for(rng: &mut Rng, w: &Workflow, base: Timestamp) -> Option<Handoff> {
    rng.chance(0.3).then(|| {
        let at = stamp(base, rng.range(0, 3000));
        let mut h = testing::handoff(
            &format!("h-{}-{}", w.id, w.version),
            &w.id,
            crate::model::HandoffKind::Advance,
            "discovery",
            &w.current_state,
            &at,
            false,
        );
        h.to_state = w.current_state.as_str().into();
        h
    })
}

fn assert_same(app: &App) {
    let mut fresh = app.clone();
    let keep = app.selected_id().map(str::to_string);
    fresh.recompute(keep.as_deref());
    // Entries agree on everything, their folded text included, wherever it is kept.
    assert_eq!(
        app.held().folded_order(),
        fresh.held().folded_order(),
        "order"
    );
    // Texts left behind by changed rows are let go: at most a quarter of all text kept
    // (and at least the least ever laid out again) was written since the last layout.
    let live = fresh.held().texts().len();
    assert!(
        app.held().texts().len() <= live + live / 3 + held::COMPACT_MIN,
        "{} bytes of text kept for {live} live",
        app.held().texts().len()
    );
    assert_eq!(
        app.held().full_passes(),
        0,
        "every changed row was found where its old values put it"
    );
    assert_eq!(app.held().visible(), fresh.held().visible(), "visible");
    assert_eq!(app.selected_id(), fresh.selected_id(), "selection");
    assert_eq!(
        app.held().stuck_count(),
        fresh.held().stuck_count(),
        "stuck count"
    );
    // Marks agree, and so do the reasons derived from them (as of the same now).
    for r in app.held().rows().iter() {
        let id = r.id();
        let other = &fresh.held().rows()[id];
        assert_eq!(r.stuck, other.stuck, "stuck mark of {id}");
        assert_eq!(
            app.held().stuck_of(r),
            fresh.held().stuck_of(other),
            "why {id} is stuck"
        );
        assert_eq!(
            app.held().stuck_since(r).map(|s| s.to_string()),
            app.held()
                .stuck_of(r)
                .as_ref()
                .map(|s| s.since().to_string()),
            "when {id}'s stuck episode began, read from the row as the verdict says"
        );
    }
    assert_eq!(app.held().due(), fresh.held().due(), "deadlines");
}

#[test]
fn incremental_changes_match_a_full_recompute() {
    let base = testing::now() - chrono::Duration::seconds(3000);
    for seed in 1..=12 {
        let mut rng = Rng::new(seed);
        let mut a = testing::app();
        // Half the seeds hold few finished rows: rows are let go as others finish, and their
        // slots are given to new rows.
        if seed % 2 == 0 {
            a.held_mut().keep_finished(20);
        }
        let mut versions: HashMap<String, i64> = HashMap::new();
        let workflows: Vec<Workflow> = (0..300).map(|i| random_row(&mut rng, i, base)).collect();
        let pending: Vec<Handoff> = workflows
            .iter()
            .filter_map(|w| pending_for(&mut rng, w, base))
            .collect();
        for w in &workflows {
            versions.insert(w.id.clone(), w.version);
        }
        a.apply_delta(Delta {
            full: true,
            workflows,
            pending,
            at: Some(testing::now()),
            ..Delta::default()
        });
        assert_same(&a);
        let mut now = testing::now();
        for round in 0..40 {
            if rng.chance(0.15) {
                a.sort_by(a.table().sort().next());
            }
            if rng.chance(0.15) {
                a.set_view(
                    [
                        QuickView::All,
                        QuickView::Running,
                        QuickView::Stuck,
                        QuickView::Failed,
                    ][rng.below(4)],
                );
                a.set_filter(["", "atlas", "status:failed", "stuck", "cod"][rng.below(5)].into());
            }
            a.select(rng.below(a.held().visible().len().max(1)));
            if rng.chance(0.2) {
                // Time passes with no write.
                now += chrono::Duration::seconds(rng.range(1, 900) as i64);
                a.tick(now);
                assert_same(&a);
            }
            let k = [1, 2, 5, 40][rng.below(4)];
            let mut changed = Vec::new();
            for _ in 0..k {
                let i = rng.below(330); // some are new rows
                let mut w = random_row(&mut rng, i, base);
                let v = versions.entry(w.id.clone()).or_insert(1);
                // Now and then an older copy arrives (an overlapping read).
                *v += if rng.chance(0.1) { 0 } else { 1 };
                w.version = *v - i64::from(rng.chance(0.05));
                changed.push(w);
            }
            let pending = changed
                .iter()
                .filter_map(|w| pending_for(&mut rng, w, base))
                .collect();
            // Usually seconds pass; now and then past a stuck deadline.
            now += chrono::Duration::seconds(rng.range(0, 5) as i64);
            if rng.chance(0.1) {
                now += chrono::Duration::seconds(1000);
            }
            a.apply_delta(Delta {
                workflows: changed,
                pending,
                at: Some(now),
                ..Delta::default()
            });
            assert!(a.held().rows().len() <= 330, "round {round}");
            assert_same(&a);
        }
        if seed % 2 == 0 {
            let finished = a
                .held()
                .rows()
                .iter()
                .filter(|r| r.wf.status().is_terminal());
            assert!(finished.count() <= 20, "finished rows let go");
            assert!(
                a.held().rows().len() < versions.len(),
                "some rows were let go"
            );
        }
    }
}

/// On PostgreSQL an event with a lower seq can commit after a higher one: it takes its
/// place by seq, and an event sent twice (around a full reload) is held once.
#[test]
fn late_events_take_their_place_and_none_is_held_twice() {
    let mut a = App::new("t", false, StuckPolicy::default(), testing::now());
    let batch = |seqs: &[i64]| Delta {
        events: seqs
            .iter()
            .map(|s| testing::event(*s, "w1", "phase_advanced"))
            .collect(),
        at: Some(testing::now()),
        ..Delta::default()
    };
    a.apply_delta(batch(&[5]));
    a.apply_delta(batch(&[3, 6]));
    a.apply_delta(batch(&[3, 4, 6, 7]));
    let seqs: Vec<i64> = a.events().all().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [3, 4, 5, 6, 7]);
}
