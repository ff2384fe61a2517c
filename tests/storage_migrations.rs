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
    assert_eq!(pending.len(), 4, "schemas 8 to 11: {pending:?}");
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

/// Every `workflow_event_metrics` row with its numbers turned back into the names and
/// workflow ids they stand for (schema 10), in `seq` order.
fn metric_rows_named(conn: &mut Raw) -> Vec<Vec<Cell>> {
    let workflow = conn.backend().pick(
        "build_workflows w ON w.rowid = m.workflow_key",
        "baton_workflow_keys w ON w.key = m.workflow_key",
    );
    conn.try_cells(
        &format!(
            "SELECT m.at_ms, m.seq, w.id, t.name, f.name, o.name, fr.name, tr.name, p.name,
                    r.name, m.handoff_id, m.in_phase_secs, m.waited_secs
             FROM workflow_event_metrics m
             LEFT JOIN {workflow}
             LEFT JOIN baton_names t ON t.id = m.type_key
             LEFT JOIN baton_names f ON f.id = m.from_key
             LEFT JOIN baton_names o ON o.id = m.to_key
             LEFT JOIN baton_names fr ON fr.id = m.from_role_key
             LEFT JOIN baton_names tr ON tr.id = m.to_role_key
             LEFT JOIN baton_names p ON p.id = m.phase_key
             LEFT JOIN baton_names r ON r.id = m.role_key
             ORDER BY m.seq"
        ),
        &[],
    )
    .unwrap()
}

/// Schema 10 stores the metrics rows' names and workflows as numbers: the rows schema 9
/// kept as text read back the same through the numbers, and events written after it are
/// numbered by the same rules, by baton and by plain SQL alike.
fn metric_rows_read_the_same_across_schema_10(b: Backend) {
    let db = at_schema(b, 9);
    let mut conn = db.raw();
    conn.batch(
        "INSERT INTO build_workflows (id, build_id, project_id, current_state, \"current_role\")
           VALUES ('w-a', 'a-1', 'legacy', 'coding', 'code_writer'),
                  ('w-b', 'b-1', 'legacy', 'discovery', 'q_assistant');
         INSERT INTO workflow_events (workflow_id, event_type, event_data) VALUES
           ('w-a', 'workflow_started', '{\"phase\": \"discovery\", \"role\": \"q_assistant\"}'),
           ('w-a', 'phase_advanced', '{\"from\": \"discovery\", \"to\": \"coding\",
              \"from_role\": \"q_assistant\", \"to_role\": \"code_writer\", \"handoff_id\": \"h-1\"}'),
           ('w-a', 'handoff_acknowledged', '{\"handoff_id\": \"h-1\", \"waited_secs\": 4}'),
           ('w-b', 'workflow_started', '{\"phase\": 7, \"role\": {\"odd\": true}}'),
           ('w-b', 'note', '[1, 2]');",
    );
    let before: Vec<Vec<Cell>> = conn
        .try_cells(
            "SELECT at_ms, seq, workflow_id, event_type, from_state, to_state, from_role,
                    to_role, phase, \"role\", handoff_id, in_phase_secs, waited_secs
             FROM workflow_event_metrics ORDER BY seq",
            &[],
        )
        .unwrap();
    assert_eq!(before.len(), 5);
    drop(conn);

    let (mut store, opened) = Store::open(db.target(), OpenMode::ReadWrite).unwrap();
    assert!(
        opened.applied.contains(&"0010_metric_keys.sql"),
        "{:?}",
        opened.applied
    );
    assert!(store.verify_schema().unwrap().ok());
    let mut conn = db.raw();
    assert_eq!(
        metric_rows_named(&mut conn),
        before,
        "every row reads the same"
    );
    let names: i64 = conn.value("SELECT count(*) FROM baton_names", &[]);
    assert_eq!(names, 9, "each name held once");

    // Written after: by baton, and by plain SQL with a name never seen before.
    let w = store.workflow("w-b").unwrap();
    advance(&mut store, &w, Some(json!({ "found": 1 })));
    conn.execute(
        "INSERT INTO workflow_events (workflow_id, event_type, event_data)
         VALUES ('w-a', 'phase_advanced', '{\"from\": \"coding\", \"to\": \"brand_new\"}')",
        &[],
    );
    let after = metric_rows_named(&mut conn);
    assert_eq!(after.len(), 7);
    assert_eq!(after[..5], before[..], "the old rows untouched");
    let named = |row: &[Cell], i: usize| match &row[i] {
        Cell::Text(t) => t.clone(),
        other => panic!("column {i}: {other:?}"),
    };
    assert_eq!(
        (
            named(&after[5], 2),
            named(&after[5], 3),
            named(&after[5], 4)
        ),
        ("w-b".into(), "phase_advanced".into(), "discovery".into()),
        "baton's advance numbered: {:?}",
        after[5]
    );
    assert_eq!(
        (named(&after[6], 2), named(&after[6], 5)),
        ("w-a".into(), "brand_new".into()),
        "a new name numbered on its first use: {:?}",
        after[6]
    );
    // Only names not held yet are inserted, so on PostgreSQL no number is used up.
    let (count, max): (i64, i64) = conn.one("SELECT count(*), max(id) FROM baton_names", &[]);
    assert_eq!(count, max, "numbers without gaps");
}

both!(metric_rows_read_the_same_across_schema_10);
