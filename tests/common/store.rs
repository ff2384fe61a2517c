//! Helpers for the store and engine integration tests: real SQLite files in temp dirs, a
//! second raw connection for checking and breaking rows behind the store's back, and
//! whole-database dumps to prove that a refused operation changed nothing.
#![allow(dead_code)]

use baton::engine::{self, Request};
use baton::model::{Action, NewWorkflow, Workflow};
use baton::store::{OpenMode, Store, Written};
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const ACTOR: &str = "operator:test@host";

/// A fresh, migrated database file in its own temp dir (dropped with the dir).
pub struct TestDb {
    pub dir: TempDir,
    pub path: PathBuf,
}

impl TestDb {
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("baton.db");
        let (_, opened) = Store::open(&path, OpenMode::Create).expect("create database");
        assert!(opened.created, "a new file is reported as created");
        TestDb { dir, path }
    }

    pub fn store(&self) -> Store {
        Store::open(&self.path, OpenMode::ReadWrite)
            .expect("open database")
            .0
    }

    /// A plain SQLite connection, as another program would have.
    pub fn raw(&self) -> Connection {
        Connection::open(&self.path).expect("raw connection")
    }
}

pub fn new_workflow(project: &str) -> NewWorkflow {
    NewWorkflow {
        build_id: None,
        project_id: project.into(),
        user_id: Some("alice".into()),
        definition: "build".into(),
        metadata: json!({ "branch": "main" }),
    }
}

pub fn start(store: &mut Store, project: &str) -> Workflow {
    engine::start(store, &new_workflow(project), ACTOR, None)
        .expect("start")
        .workflow
}

/// Performs `action` on workflow `id`, expecting the version `w` was at.
pub fn act(store: &mut Store, w: &Workflow, action: Action) -> Written {
    let req = Request::new(action, ACTOR).expect_version(w.version);
    engine::act_on_id(store, &w.id, &req).unwrap_or_else(|e| panic!("act on {}: {e}", w.id))
}

pub fn act_with_reason(store: &mut Store, w: &Workflow, action: Action, reason: &str) -> Written {
    let req = Request::new(action, ACTOR)
        .reason(reason)
        .expect_version(w.version);
    engine::act_on_id(store, &w.id, &req).unwrap_or_else(|e| panic!("act on {}: {e}", w.id))
}

pub fn advance(store: &mut Store, w: &Workflow, output: Option<Value>) -> Workflow {
    act(store, w, Action::Advance { output }).workflow
}

/// The newest pending handoff of `id`, read with raw SQL.
pub fn pending_handoff(conn: &Connection, id: &str) -> Option<String> {
    conn.query_row(
        "SELECT id FROM workflow_handoffs WHERE workflow_id = ?1 AND acknowledged_at IS NULL
         ORDER BY rowid DESC LIMIT 1",
        [id],
        |r| r.get(0),
    )
    .ok()
}

pub fn count(conn: &Connection, sql: &str, id: &str) -> i64 {
    conn.query_row(sql, [id], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Rows each table holds for one workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rows {
    pub handoffs: i64,
    pub checkpoints: i64,
    pub events: i64,
}

pub fn rows(conn: &Connection, id: &str) -> Rows {
    Rows {
        handoffs: count(
            conn,
            "SELECT count(*) FROM workflow_handoffs WHERE workflow_id = ?1",
            id,
        ),
        checkpoints: count(
            conn,
            "SELECT count(*) FROM workflow_checkpoints WHERE workflow_id = ?1",
            id,
        ),
        events: count(
            conn,
            "SELECT count(*) FROM workflow_events WHERE workflow_id = ?1",
            id,
        ),
    }
}

/// `(version, status, current_state)` of a workflow, read with raw SQL.
pub fn head(conn: &Connection, id: &str) -> (i64, String, String) {
    conn.query_row(
        "SELECT version, status, current_state FROM build_workflows WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .expect("workflow row")
}

/// The newest event of a workflow: (type, triggered_by, data).
pub fn last_event(conn: &Connection, id: &str) -> (String, String, Value) {
    let (t, by, data): (String, String, String) = conn
        .query_row(
            "SELECT event_type, triggered_by, event_data FROM workflow_events
             WHERE workflow_id = ?1 ORDER BY seq DESC LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("an event");
    (
        t,
        by,
        serde_json::from_str(&data).expect("event_data is JSON"),
    )
}

/// Every row of every table, rendered as text, to compare a whole database before/after.
pub fn dump(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    let tables: Vec<String> = {
        let mut s = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    // Each table's rows sorted as text: `WITHOUT ROWID` tables have no rowid to order by.
    for t in tables {
        let mut rows = Vec::new();
        let mut s = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = s.column_count();
        let mut q = s.query([]).unwrap();
        while let Some(r) = q.next().unwrap() {
            let cells: Vec<String> = (0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    ValueRef::Null => "NULL".to_string(),
                    ValueRef::Integer(v) => v.to_string(),
                    ValueRef::Real(v) => v.to_string(),
                    ValueRef::Text(b) => format!("'{}'", String::from_utf8_lossy(b)),
                    ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
                })
                .collect();
            rows.push(format!("{t}: {}", cells.join(" | ")));
        }
        rows.sort();
        out.extend(rows);
    }
    out
}

/// The main database file's bytes, after making sure no WAL content is pending.
pub fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read database file")
}

/// Size of the `-wal` file next to `path` (0 when absent).
pub fn wal_len(path: &Path) -> u64 {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).map_or(0, |m| m.len())
}

/// Checkpoints the WAL into the main file and truncates it, through a raw connection.
pub fn checkpoint_wal(path: &Path) {
    let c = Connection::open(path).expect("raw connection");
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    drop(c);
    assert_eq!(
        wal_len(path),
        0,
        "WAL is empty after a clean checkpoint and close"
    );
}

/// Asserts that `doctor()` finds nothing wrong.
pub fn assert_healthy(store: &Store) {
    let report = store
        .doctor(&baton::store::Scope::Full, &|_| {})
        .expect("doctor");
    assert_eq!(report.integrity, ["ok"]);
    assert!(
        report.problems.is_empty(),
        "doctor found: {:#?}",
        report.problems
    );
}
