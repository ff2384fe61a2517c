//! Migrations that change how baton stores things keep everything stored before them:
//! a database left at an older schema by an earlier binary, with rows written by other
//! programs, reads the same after the upgrade and keeps taking writes.

mod common;

use baton::model::Definition;
use baton::store::{OpenMode, Store};
use common::backend::*;
use common::store::{act_with_reason, advance};
use serde_json::json;

/// A database brought to `version` the way a binary of that time left it: each migration
/// up to it applied and recorded, and the built-in definition installed.
fn at_schema(b: Backend, version: i64) -> TestDb {
    let db = TestDb::empty(b);
    let mut conn = db.raw();
    conn.batch(b.pick(
        "CREATE TABLE baton_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
           checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
        "CREATE TABLE baton_migrations (version bigint PRIMARY KEY, name text NOT NULL,
           checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    ));
    for m in b.migrations().iter().filter(|m| m.version <= version) {
        conn.batch(m.sql);
        conn.execute(
            "INSERT INTO baton_migrations (version, name, checksum, applied_at)
             VALUES ($1, $2, $3, $4)",
            &[
                &m.version,
                &m.name,
                &m.checksum(),
                &"2026-01-01T00:00:00.000Z",
            ],
        );
    }
    let phases = serde_json::to_value(&Definition::builtin().phases).unwrap();
    conn.execute(
        "INSERT INTO workflow_definitions (name, version, phases) VALUES ('build', 1, $1)",
        &[&phases],
    );
    db
}

fn events(conn: &mut Raw) -> Vec<(i64, String, String)> {
    conn.query(
        "SELECT seq, id, event_type FROM workflow_events ORDER BY seq",
        &[],
    )
}

/// Schema 9 drops the unique index on event ids; SQLite rebuilds the table for it.
fn events_keep_their_seq_ids_and_metrics_across_schema_9(b: Backend) {
    let db = at_schema(b, 8);
    let mut conn = db.raw();
    conn.batch(
        "INSERT INTO build_workflows (id, build_id, project_id, current_state, \"current_role\")
           VALUES ('w-old', 'old-1', 'legacy', 'discovery', 'q_assistant');
         INSERT INTO workflow_events (id, workflow_id, event_type, event_data)
           VALUES ('e-1', 'w-old', 'workflow_started', '{\"phase\": \"discovery\"}');
         INSERT INTO workflow_events (id, workflow_id, event_type) VALUES ('e-2', 'w-old', 'note');
         INSERT INTO workflow_events (id, workflow_id, event_type) VALUES ('e-3', 'w-old', 'note');
         INSERT INTO workflow_checkpoints (workflow_id, state, version) VALUES ('w-old', 'discovery', 1);",
    );
    // The newest event pruned: its seq must still never be given out again.
    conn.execute("DELETE FROM workflow_events WHERE id = 'e-3'", &[]);
    let before = events(&mut conn);
    let metrics_before: i64 = conn.value("SELECT count(*) FROM workflow_event_metrics", &[]);
    assert_eq!(metrics_before, 2);
    drop(conn);

    let (mut store, opened) = Store::open(db.target(), OpenMode::ReadWrite).unwrap();
    assert!(
        opened.applied.contains(&"0009_event_ids_unindexed.sql"),
        "{:?}",
        opened.applied
    );
    assert!(store.verify_schema().unwrap().ok());
    let mut conn = db.raw();
    assert_eq!(
        events(&mut conn),
        before,
        "every event kept with its seq and id"
    );
    let metrics: i64 = conn.value("SELECT count(*) FROM workflow_event_metrics", &[]);
    assert_eq!(metrics, 2, "the metrics rows kept");

    // baton writes on: the next seq is past the pruned one, and the metrics triggers fire.
    let w = store.workflow("w-old").unwrap();
    let w = advance(&mut store, &w, Some(json!({ "found": 1 })));
    let seqs: Vec<i64> = events(&mut conn).iter().map(|e| e.0).collect();
    assert!(
        seqs[2] > 3,
        "seq {} reused after the migration: {seqs:?}",
        seqs[2]
    );
    let metrics: i64 = conn.value("SELECT count(*) FROM workflow_event_metrics", &[]);
    assert_eq!(metrics, 3);
    // And rollback still restores from the checkpoint the old writer left whole.
    let back = act_with_reason(
        &mut store,
        &w,
        baton::model::Action::Rollback {
            to: Some("discovery".into()),
        },
        "redo",
    )
    .workflow;
    assert_eq!(back.phase_outputs, json!({}));
    let problems = store
        .doctor(&baton::store::Scope::Full, &|_| {})
        .unwrap()
        .problems;
    let errors: Vec<_> = problems
        .iter()
        .filter(|p| p.severity == baton::store::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

both!(events_keep_their_seq_ids_and_metrics_across_schema_9);

/// Any command that opens an older database migrates it on the way and says so, each
/// migration as it begins (plain lines, standard error not being a terminal here), so it
/// never sits silent while a big database migrates; `--json` output is untouched, and an
/// up-to-date database is opened without a word.
fn a_command_that_migrates_on_its_way_says_what_it_applies(b: Backend) {
    let db = at_schema(b, 7);
    let first = db.run(&["list", "--json"]);
    first.code(0);
    let pending: Vec<&str> = b
        .migrations()
        .iter()
        .filter(|m| m.version > 7)
        .map(|m| m.name)
        .collect();
    assert_eq!(pending.len(), 2, "schemas 8 and 9: {pending:?}");
    for name in &pending {
        assert!(
            first.stderr.contains(&format!("applying migration {name}")),
            "{name} not named:\n{}",
            first.stderr
        );
    }
    assert!(first.stderr.contains("writers wait"), "{}", first.stderr);
    assert_eq!(first.json(), json!([]), "stdout is the listing alone");
    let again = db.run(&["list", "--json"]);
    again.code(0);
    assert_eq!(again.stderr, "", "nothing pending, nothing said");
}

both!(a_command_that_migrates_on_its_way_says_what_it_applies);
