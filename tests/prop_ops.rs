//! Property: any sequence of operations from any number of actors — each with its own
//! connection and its own, possibly stale, view of each workflow — keeps every invariant.
//! A refused operation changes nothing; an accepted one is exactly one version step; at the
//! end `doctor` finds nothing and the event trail replays to every row.
//! `BATON_FUZZ_CASES` raises the case count for long runs.

mod common;

use baton::engine::{self, Request};
use baton::model::Action;
use baton::store::{OpenMode, Store};
use common::replay;
use common::store::{TestDb, assert_healthy, new_workflow, rows};
use proptest::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum Op {
    Start,
    Act(Action),
    Ack,
    Heartbeat,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Start),
        5 => Just(Op::Act(Action::Advance { output: Some(serde_json::json!({"n": 1})) })),
        2 => Just(Op::Act(Action::Retry)),
        2 => prop::option::of(prop::sample::select(vec!["discovery", "planning", "coding", "nowhere"]))
            .prop_map(|to| Op::Act(Action::Rollback { to: to.map(str::to_string) })),
        2 => Just(Op::Act(Action::Fail { error: "boom".into() })),
        1 => Just(Op::Act(Action::Pause)),
        1 => Just(Op::Act(Action::Resume)),
        1 => Just(Op::Act(Action::Cancel)),
        2 => Just(Op::Ack),
        1 => Just(Op::Heartbeat),
    ]
}

/// (actor, workflow slot, operation, act on the actor's own view or on whatever is current)
fn steps() -> impl Strategy<Value = Vec<(usize, usize, Op, bool)>> {
    prop::collection::vec((0usize..4, 0usize..4, op(), any::<bool>()), 1..40)
}

fn config() -> ProptestConfig {
    let cases = std::env::var("BATON_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn version(store: &Store, id: &str) -> i64 {
    store.workflow(id).map(|w| w.version).unwrap_or(0)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_interleaving_of_actors_keeps_every_invariant(steps in steps()) {
        let db = TestDb::new();
        let mut actors: Vec<Store> = (0..4)
            .map(|_| Store::open(&db.path, OpenMode::ReadWrite).unwrap().0)
            .collect();
        let raw = db.raw();
        let mut ids: Vec<String> = Vec::new();
        // What each actor last saw of each workflow.
        let mut seen: HashMap<(usize, String), i64> = HashMap::new();
        for (actor, slot, op, own_view) in steps {
            let who = format!("actor:{actor}");
            let store = &mut actors[actor];
            if matches!(op, Op::Start) || ids.is_empty() {
                let w = engine::start(store, &new_workflow("prop"), &who, None).unwrap().workflow;
                seen.insert((actor, w.id.clone()), w.version);
                ids.push(w.id);
                continue;
            }
            let id = ids[slot % ids.len()].clone();
            let before = (version(store, &id), rows(&raw, &id));
            let view = *seen.entry((actor, id.clone())).or_insert(before.0);
            let expected = own_view.then_some(view);
            let result = match op {
                Op::Start => unreachable!(),
                Op::Heartbeat => {
                    engine::heartbeat(store, &id).unwrap();
                    prop_assert_eq!((version(store, &id), rows(&raw, &id)), before);
                    continue;
                }
                Op::Ack => match common::store::pending_handoff(&raw, &id) {
                    Some(h) => engine::acknowledge(store, &h, &who, expected),
                    None => continue,
                },
                Op::Act(action) => {
                    let mut req = Request::new(action, who.clone()).reason("property");
                    req.expected_version = expected;
                    engine::act_on_id(store, &id, &req)
                }
            };
            let after = (version(store, &id), rows(&raw, &id));
            match result {
                Ok(w) => {
                    prop_assert_eq!(w.workflow.version, before.0 + 1);
                    prop_assert_eq!(after.0, before.0 + 1);
                    prop_assert_eq!(after.1.events, before.1.events + 1);
                    prop_assert!(after.1.handoffs - before.1.handoffs <= 1);
                    prop_assert_eq!(after.1.handoffs - before.1.handoffs,
                                    after.1.checkpoints - before.1.checkpoints);
                    prop_assert!(expected.is_none_or(|v| v == before.0), "a stale view was accepted");
                    seen.insert((actor, id), w.workflow.version);
                }
                Err(e) => {
                    prop_assert_eq!(after, before, "refused ({}) but changed", e);
                    if e.is_conflict() {
                        prop_assert!(expected.is_some_and(|v| v != before.0));
                        // A conflict is how an actor learns: it reloads.
                        seen.insert((actor, id), before.0);
                    }
                }
            }
        }
        assert_healthy(&actors[0]);
        let r = replay::replay_conn(&raw);
        prop_assert!(r.problems.is_empty(), "{:?}", r.problems);
    }
}
