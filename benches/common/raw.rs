//! The baseline for engine operations, shared by `benches/engine_ops.rs` and the
//! whole-program measurement (`examples/perf`): raw rusqlite running the statements the
//! engine runs for each operation, in the same `BEGIN IMMEDIATE` transaction shape.
#![allow(dead_code)]

use baton::engine::{self, Request};
use baton::model::{Action, NewWorkflow};
use baton::store::Store;
use rusqlite::{Connection, TransactionBehavior, params};
use serde_json::json;
use std::time::Duration;

pub const ACTOR: &str = "orchestrator:bench";

/// Statement shape of one operation: which columns its UPDATE sets besides version and
/// updated_at, and which rows it adds.
pub struct Shape {
    pub name: &'static str,
    /// Operations to bring a fresh workflow into a state where this one is legal.
    pub setup: &'static [Step],
    pub op: Step,
    pub update: &'static [&'static str],
    pub handoff: bool,
    pub checkpoint: bool,
    pub ack: bool,
}

#[derive(Clone, Copy)]
pub enum Step {
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

pub const SHAPES: &[Shape] = &[
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

pub fn start(store: &mut Store, n: u64) -> String {
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

pub fn step(store: &mut Store, id: &str, s: Step) {
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
pub fn raw(conn: &mut Connection, id: &str, shape: &Shape) {
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
        "SELECT id, workflow_id, state, phase_outputs, retry_count, version, created_at,
           base_version
         FROM workflow_checkpoints WHERE workflow_id = ?1 ORDER BY version, rowid",
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

/// The baseline for `start`: read the definition, insert the workflow, its first
/// checkpoint and its event, in one `BEGIN IMMEDIATE` transaction.
pub fn raw_start(conn: &mut Connection, n: u64) {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("begin");
    let _phases: String = tx
        .prepare_cached(
            "SELECT name, version, description, phases FROM workflow_definitions
             WHERE name = ?1 ORDER BY version DESC LIMIT 1",
        )
        .expect("prepare")
        .query_row(["build"], |r| r.get(3))
        .expect("definition");
    let id = uuid::Uuid::new_v4().to_string();
    let now = baton::model::time::now_text();
    tx.prepare_cached(
        "INSERT INTO build_workflows (id, build_id, project_id, user_id, definition,
           current_state, current_role, status, phase_outputs, retry_count, max_retries,
           last_error, version, metadata, created_at, updated_at, completed_at, heartbeat_at,
           state_entered_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
           ?18, ?19)",
    )
    .expect("prepare")
    .execute(params![
        id,
        format!("raw-{n}-{id}"),
        "atlas",
        "alice",
        "build",
        "discovery",
        "q_assistant",
        "running",
        "{}",
        0,
        3,
        None::<String>,
        1,
        r#"{"trigger":"push","branch":"main","commit":"abc1234"}"#,
        now,
        now,
        None::<String>,
        None::<String>,
        now
    ])
    .expect("workflow");
    tx.prepare_cached(
        "INSERT INTO workflow_checkpoints (id, workflow_id, state, phase_outputs, retry_count,
           version, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .expect("prepare")
    .execute(params![
        uuid::Uuid::new_v4().to_string(),
        id,
        "discovery",
        "{}",
        0,
        1,
        now
    ])
    .expect("checkpoint");
    tx.prepare_cached(
        "INSERT INTO workflow_events (id, workflow_id, event_type, triggered_by, event_data,
           created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .expect("prepare")
    .execute(params![
        uuid::Uuid::new_v4().to_string(),
        id,
        "workflow_started",
        ACTOR,
        r#"{"definition":"build","definition_version":1,"phase":"discovery","role":"q_assistant","version":1}"#,
        now
    ])
    .expect("event");
    tx.commit().expect("commit");
}

pub fn raw_connection(path: &std::path::Path) -> Connection {
    let c = Connection::open(path).expect("open raw");
    c.pragma_update(None, "journal_mode", "WAL").expect("wal");
    c.pragma_update(None, "synchronous", "NORMAL")
        .expect("sync");
    c.pragma_update(None, "foreign_keys", true).expect("fk");
    c.busy_timeout(Duration::from_secs(5)).expect("busy");
    // As baton's own connections: cached statements are not compiled again on each use
    // (see `keep_plans` in src/store/sqlite/open.rs), so the baseline stays the floor.
    c.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .expect("qpsg");
    c.set_prepared_statement_cache_capacity(64);
    // What the schema's own cost is: `BATON_BENCH_SCHEMA_SQL="DROP INDEX …; DROP TRIGGER …"`
    // runs on the bench's database before anything is timed, so a run without some index
    // or trigger can be set beside one with it (docs/PERFORMANCE.md, the write path's floor).
    if let Ok(sql) = std::env::var("BATON_BENCH_SCHEMA_SQL") {
        c.execute_batch(&sql).expect("BATON_BENCH_SCHEMA_SQL");
    }
    c
}
