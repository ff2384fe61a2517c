//! Each engine operation against raw rusqlite running the same statements in the same
//! transaction shape (the baseline), on the same database file in the same run.
//!
//! The baseline reads the snapshot the engine reads (workflow row, definition, newest
//! checkpoints, pending handoffs), then writes the same UPDATE and INSERTs, with prepared
//! statements and no rules, no JSON parsing and no model types: what the engine's work
//! costs on top of SQLite's. Target: engine `advance` ≥ 0.7 × the baseline's throughput.

use baton::engine::{self, Request};
use baton::model::{Action, NewWorkflow};
use baton::store::{OpenMode, Store};
use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, TransactionBehavior, params};
use serde_json::json;
use std::time::{Duration, Instant};

const ACTOR: &str = "orchestrator:bench";

/// Statement shape of one operation: which columns its UPDATE sets besides version and
/// updated_at, and which rows it adds.
struct Shape {
    name: &'static str,
    /// Operations to bring a fresh workflow into a state where this one is legal.
    setup: &'static [Step],
    op: Step,
    update: &'static [&'static str],
    handoff: bool,
    checkpoint: bool,
    ack: bool,
}

#[derive(Clone, Copy)]
enum Step {
    Advance,
    Ack,
    Fail,
    Retry,
    Rollback,
    Pause,
    Resume,
    Cancel,
    Heartbeat,
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "advance",
        setup: &[],
        op: Step::Advance,
        update: &[
            "current_state",
            "current_role",
            "phase_outputs",
            "state_entered_at",
        ],
        handoff: true,
        checkpoint: true,
        ack: false,
    },
    Shape {
        name: "acknowledge",
        setup: &[Step::Advance],
        op: Step::Ack,
        update: &[],
        handoff: false,
        checkpoint: false,
        ack: true,
    },
    Shape {
        name: "fail",
        setup: &[],
        op: Step::Fail,
        update: &["status", "last_error"],
        handoff: false,
        checkpoint: false,
        ack: false,
    },
    Shape {
        name: "retry",
        setup: &[Step::Fail],
        op: Step::Retry,
        update: &["status", "retry_count", "last_error", "state_entered_at"],
        handoff: true,
        checkpoint: true,
        ack: false,
    },
    Shape {
        name: "rollback",
        setup: &[Step::Advance],
        op: Step::Rollback,
        update: &[
            "current_state",
            "current_role",
            "phase_outputs",
            "state_entered_at",
        ],
        handoff: true,
        checkpoint: true,
        ack: false,
    },
    Shape {
        name: "pause",
        setup: &[],
        op: Step::Pause,
        update: &["status"],
        handoff: false,
        checkpoint: false,
        ack: false,
    },
    Shape {
        name: "resume",
        setup: &[Step::Pause],
        op: Step::Resume,
        update: &["status"],
        handoff: false,
        checkpoint: false,
        ack: false,
    },
    Shape {
        name: "cancel",
        setup: &[],
        op: Step::Cancel,
        update: &["status", "completed_at"],
        handoff: false,
        checkpoint: false,
        ack: false,
    },
];

fn start(store: &mut Store, n: u64) -> String {
    let new = NewWorkflow {
        build_id: Some(format!("bench-{n}-{}", uuid::Uuid::new_v4())),
        project_id: "atlas".into(),
        user_id: Some("alice".into()),
        definition: "build".into(),
        metadata: json!({ "trigger": "push", "branch": "main", "commit": "abc1234" }),
    };
    engine::start(store, &new, ACTOR, None)
        .expect("start")
        .workflow
        .id
}

fn step(store: &mut Store, id: &str, s: Step) {
    let action = match s {
        Step::Heartbeat => {
            engine::heartbeat(store, id).expect("heartbeat");
            return;
        }
        Step::Ack => {
            let h = store
                .pending_handoffs_of(&[id.to_string()])
                .expect("pending");
            let hid = h.last().expect("a pending handoff").id.clone();
            Action::Acknowledge { handoff_id: hid }
        }
        Step::Advance => Action::Advance {
            output: Some(json!({ "tests_run": 412, "passed": 410, "coverage": 0.83 })),
        },
        Step::Fail => Action::Fail {
            error: "7 of 412 tests failed".into(),
        },
        Step::Retry => Action::Retry,
        Step::Rollback => Action::Rollback { to: None },
        Step::Pause => Action::Pause,
        Step::Resume => Action::Resume,
        Step::Cancel => Action::Cancel,
    };
    let mut req = Request::new(action, ACTOR);
    if matches!(s, Step::Rollback) {
        req = req.reason("plan missed the API");
    }
    engine::act_on_id(store, id, &req).expect("operation");
}

/// The baseline: the same statements, by hand.
fn raw(conn: &mut Connection, id: &str, shape: &Shape) {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("begin");
    let (version, definition): (i64, String) = tx
        .prepare_cached(
            "SELECT id, build_id, project_id, user_id, definition, current_state, current_role,
               status, phase_outputs, retry_count, max_retries, last_error, version, metadata,
               created_at, updated_at, completed_at, heartbeat_at, state_entered_at
             FROM build_workflows WHERE id = ?1",
        )
        .expect("prepare")
        .query_row([id], |r| Ok((r.get(12)?, r.get(4)?)))
        .expect("workflow");
    let _phases: String = tx
        .prepare_cached(
            "SELECT name, version, description, phases FROM workflow_definitions
             WHERE name = ?1 ORDER BY version DESC LIMIT 1",
        )
        .expect("prepare")
        .query_row([&definition], |r| r.get(3))
        .expect("definition");
    let mut last_id = String::new();
    for sql in [
        "SELECT id, workflow_id, state, phase_outputs, retry_count, version, created_at
         FROM workflow_checkpoints c WHERE workflow_id = ?1
         AND version = (SELECT max(version) FROM workflow_checkpoints
                        WHERE workflow_id = c.workflow_id AND state = c.state)",
        "SELECT id, workflow_id, from_role, to_role, from_state, to_state, kind,
           data_transferred, created_at, acknowledged_at, acknowledged_by
         FROM workflow_handoffs WHERE workflow_id = ?1 AND acknowledged_at IS NULL
         ORDER BY created_at",
    ] {
        let mut stmt = tx.prepare_cached(sql).expect("prepare");
        let mut rows = stmt.query([id]).expect("query");
        while let Some(r) = rows.next().expect("row") {
            last_id = r.get(0).expect("id");
        }
    }
    let now = baton::model::time::now_text();
    let pending_id = last_id;
    let mut sets = String::from("version = ?3, updated_at = ?4");
    for (i, col) in shape.update.iter().enumerate() {
        sets.push_str(&format!(", {col} = ?{}", i + 5));
    }
    let sql = format!("UPDATE build_workflows SET {sets} WHERE id = ?1 AND version = ?2");
    let mut values: Vec<Box<dyn rusqlite::ToSql>> = vec![
        Box::new(id.to_string()),
        Box::new(version),
        Box::new(version + 1),
        Box::new(now.clone()),
    ];
    for col in shape.update {
        values.push(match *col {
            "retry_count" => Box::new(1_i64),
            "phase_outputs" => Box::new(r#"{"discovery":{"summary":"x"}}"#.to_string()),
            "status" => Box::new("running".to_string()),
            _ => Box::new(now.clone()),
        });
    }
    let refs: Vec<&dyn rusqlite::ToSql> = values.iter().map(|b| b.as_ref()).collect();
    tx.prepare_cached(&sql)
        .expect("prepare")
        .execute(refs.as_slice())
        .expect("update");
    if shape.handoff {
        tx.prepare_cached(
            "INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role, from_state,
               to_state, kind, data_transferred, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .expect("prepare")
        .execute(params![
            uuid::Uuid::new_v4().to_string(),
            id,
            "q_assistant",
            "q_assistant",
            "discovery",
            "planning",
            "advance",
            r#"{"tests_run":412,"passed":410,"coverage":0.83}"#,
            now
        ])
        .expect("handoff");
    }
    if shape.checkpoint {
        tx.prepare_cached(
            "INSERT INTO workflow_checkpoints (id, workflow_id, state, phase_outputs, retry_count,
               version, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .expect("prepare")
        .execute(params![
            uuid::Uuid::new_v4().to_string(),
            id,
            "planning",
            r#"{"discovery":{"summary":"x"}}"#,
            0,
            version + 1,
            now
        ])
        .expect("checkpoint");
    }
    if shape.ack {
        tx.prepare_cached(
            "UPDATE workflow_handoffs SET acknowledged_at = ?2, acknowledged_by = ?3
             WHERE id = ?1 AND acknowledged_at IS NULL",
        )
        .expect("prepare")
        .execute(params![pending_id, now, ACTOR])
        .expect("ack");
    }
    tx.prepare_cached(
        "INSERT INTO workflow_events (id, workflow_id, event_type, triggered_by, event_data,
           created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .expect("prepare")
    .execute(params![
        uuid::Uuid::new_v4().to_string(),
        id,
        "phase_advanced",
        ACTOR,
        r#"{"from":"discovery","to":"planning","version":2}"#,
        now
    ])
    .expect("event");
    tx.commit().expect("commit");
}

fn raw_connection(path: &std::path::Path) -> Connection {
    let c = Connection::open(path).expect("open raw");
    c.pragma_update(None, "journal_mode", "WAL").expect("wal");
    c.pragma_update(None, "synchronous", "NORMAL")
        .expect("sync");
    c.pragma_update(None, "foreign_keys", true).expect("fk");
    c.busy_timeout(Duration::from_secs(5)).expect("busy");
    c
}

fn ops(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bench.db");
    let (mut store, _) = Store::open(&path, OpenMode::Create).expect("open");
    let mut conn = raw_connection(&path);
    let mut n = 0_u64;
    let mut g = c.benchmark_group("engine");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));

    g.bench_function("start/engine", |b| {
        b.iter(|| {
            n += 1;
            start(&mut store, n)
        })
    });
    // The heartbeat is one UPDATE; its baseline is the same UPDATE.
    g.bench_function("heartbeat/engine", |b| {
        let id = start(&mut store, u64::MAX);
        b.iter(|| step(&mut store, &id, Step::Heartbeat))
    });
    g.bench_function("heartbeat/raw", |b| {
        let id = start(&mut store, u64::MAX - 1);
        b.iter(|| {
            conn.prepare_cached("UPDATE build_workflows SET heartbeat_at = ?2 WHERE id = ?1")
                .expect("prepare")
                .execute(params![id, baton::model::time::now_text()])
                .expect("heartbeat")
        })
    });
    for shape in SHAPES {
        for engine_side in [true, false] {
            let label = format!(
                "{}/{}",
                shape.name,
                if engine_side { "engine" } else { "raw" }
            );
            g.bench_function(label, |b| {
                b.iter_custom(|iters| {
                    // Fresh workflows in the right state, prepared outside the timing.
                    let ids: Vec<String> = (0..iters)
                        .map(|_| {
                            n += 1;
                            let id = start(&mut store, n);
                            for s in shape.setup {
                                step(&mut store, &id, *s);
                            }
                            id
                        })
                        .collect();
                    let t = Instant::now();
                    for id in &ids {
                        if engine_side {
                            step(&mut store, id, shape.op);
                        } else {
                            raw(&mut conn, id, shape);
                        }
                    }
                    t.elapsed()
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, ops);
criterion_main!(benches);
