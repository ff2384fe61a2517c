//! Searching the trail by type, actor and range, a window at a time: whatever the window,
//! the direction or how often a search stops and goes on, it finds exactly the events that
//! filtering the whole trail finds, each once, in `seq` order.

mod common;

use baton::engine::{self, Request};
use baton::model::{Action, Event, NewWorkflow};
use baton::store::{Direction, EventQuery, Search, Store};
use common::backend::*;
use serde_json::json;

/// A trail of about fifty events by three actors, with an outside writer's
/// `state_advanced` among them.
fn trail(db: &TestDb) -> Store {
    let mut store = db.store();
    let actors = ["operator:alice@h", "orchestrator:sim", "operator:bob@h"];
    for i in 0..9 {
        let actor = actors[i % 3];
        let new = NewWorkflow {
            build_id: Some(format!("b-{i}")),
            project_id: "p".into(),
            user_id: None,
            definition: "build".into(),
            metadata: json!({}),
        };
        let w = engine::start(&mut store, &new, actor, None)
            .unwrap()
            .workflow;
        let mut version = w.version;
        // Up to two advances, then a pause.
        for step in 0..(i % 4 + 1) {
            let action = match step {
                2 => Action::Pause,
                3 => break,
                _ => Action::Advance { output: None },
            };
            let req = Request::new(action, actors[(i + step) % 3]).expect_version(version);
            version = engine::act_on_id(&mut store, &w.id, &req)
                .unwrap_or_else(|e| panic!("step {step} of b-{i}: {e}"))
                .workflow
                .version;
        }
        if i == 4 {
            db.raw().execute(
                "INSERT INTO workflow_events (workflow_id, event_type, triggered_by) VALUES ($1, 'state_advanced', 'seed-orchestrator')",
                &[&w.id],
            );
        }
    }
    store
}

fn all(store: &Store) -> Vec<Event> {
    store
        .events(&EventQuery::after(None, 0, 100_000))
        .expect("whole trail")
}

fn seqs(events: &[Event]) -> Vec<i64> {
    events.iter().map(|e| e.seq).collect()
}

/// Searches to the end, `reads` windows at a time, going on from where each stopped.
fn search_in_steps(
    store: &Store,
    q: &EventQuery,
    direction: Direction,
    window: i64,
    reads: usize,
    keep: &dyn Fn(&Event) -> bool,
) -> Vec<Event> {
    let mut q = q.clone();
    let mut out: Vec<Event> = Vec::new();
    for _ in 0..10_000 {
        let s = Search {
            query: &q,
            direction,
            max_reads: Some(reads),
            window,
        };
        let found = store.search_events(&s, keep).unwrap();
        match direction {
            Direction::Forward => {
                out.extend(found.events);
                q.after_seq = found.reached;
            }
            Direction::Back => {
                let mut older = found.events;
                older.append(&mut out);
                out = older;
                q.before_seq = Some(found.reached);
            }
        }
        if found.done {
            return out;
        }
    }
    panic!("the search never ended");
}

fn searches_find_what_filtering_the_whole_trail_finds(b: Backend) {
    let db = TestDb::new(b);
    let store = trail(&db);
    let everything = all(&store);
    assert!(everything.len() > 25, "{} events", everything.len());
    let max = everything.last().unwrap().seq;
    let advanced = vec!["phase_advanced".to_string(), "state_advanced".to_string()];
    let queries = [
        EventQuery::default(),
        EventQuery {
            types: advanced.clone(),
            ..EventQuery::default()
        },
        EventQuery {
            actor: Some("operator".into()),
            ..EventQuery::default()
        },
        EventQuery {
            actor: Some("operator:bob".into()),
            types: vec!["workflow_paused".into()],
            ..EventQuery::default()
        },
        EventQuery {
            actor: Some("nobody".into()),
            ..EventQuery::default()
        },
        EventQuery {
            after_seq: 5,
            before_seq: Some(max - 5),
            types: advanced,
            ..EventQuery::default()
        },
    ];
    let odd = |e: &Event| e.seq % 2 == 1;
    for q in &queries {
        for keep in [&(|_: &Event| true) as &dyn Fn(&Event) -> bool, &odd] {
            let expected: Vec<i64> = everything
                .iter()
                .filter(|e| {
                    q.keeps(e)
                        && e.seq > q.after_seq
                        && q.before_seq.is_none_or(|b| e.seq < b)
                        && keep(e)
                })
                .map(|e| e.seq)
                .collect();
            for direction in [Direction::Forward, Direction::Back] {
                for (window, reads) in [(1, 1), (3, 2), (7, 1), (1000, 1)] {
                    let q = EventQuery {
                        limit: 4,
                        ..q.clone()
                    };
                    let got = search_in_steps(&store, &q, direction, window, reads, keep);
                    assert_eq!(
                        seqs(&got),
                        expected,
                        "{q:?} {direction:?} window {window} reads {reads}"
                    );
                }
            }
        }
    }
    // The filters themselves: the seeds' spelling is found, and the actor is a prefix.
    let seed = everything
        .iter()
        .find(|e| e.event_type == "state_advanced")
        .unwrap();
    assert_eq!(seed.triggered_by, "seed-orchestrator");
    let by_bob = store
        .events(&EventQuery {
            actor: Some("operator:bob".into()),
            limit: 1000,
            ..EventQuery::default()
        })
        .unwrap();
    assert!(!by_bob.is_empty());
    assert!(by_bob.iter().all(|e| e.triggered_by == "operator:bob@h"));
}

/// A search for the newest few stops as soon as it has them: it reads one window, not
/// the whole trail.
fn a_search_back_stops_when_it_has_enough(b: Backend) {
    let db = TestDb::new(b);
    let store = trail(&db);
    let everything = all(&store);
    let q = EventQuery {
        limit: 3,
        ..EventQuery::default()
    };
    let found = store
        .search_events(&Search::new(&q, Direction::Back), &|_| true)
        .unwrap();
    assert_eq!(
        seqs(&found.events),
        seqs(&everything[everything.len() - 3..])
    );
    assert!(!found.done);
    assert_eq!(found.reached, everything[everything.len() - 3].seq);
}

both!(
    searches_find_what_filtering_the_whole_trail_finds,
    a_search_back_stops_when_it_has_enough,
);
