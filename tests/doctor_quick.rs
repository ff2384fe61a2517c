//! `doctor --quick` and `--since`: they read what their scope names and nothing else. A
//! broken old finished workflow is beyond them (the full doctor finds it); a broken live
//! workflow, a recent orphaned event and wrong live status counts are found. The quick
//! check's statements are bounded: every read of a large table is a search of an index
//! (SQLite's query plans), never a scan of a table or a whole index.

mod common;

use baton::model::time;
use baton::sim::backfill::{self, BackfillConfig};
use baton::store::{Scope, Store};
use common::backend::*;
use std::sync::atomic::AtomicBool;

/// Tables that grow with history.
const LARGE: [&str; 4] = [
    "build_workflows",
    "workflow_events",
    "workflow_handoffs",
    "workflow_checkpoints",
];

fn checks(store: &Store, scope: &Scope) -> Vec<String> {
    let mut v: Vec<String> = store
        .doctor(scope, &|_| {})
        .unwrap()
        .problems
        .into_iter()
        .map(|p| format!("{}: {}", p.check, p.detail))
        .collect();
    v.sort();
    v
}

fn filled(b: Backend) -> (TestDb, Store) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let cfg = BackfillConfig {
        workflows: 300,
        live: 40,
        seed: 9,
        ..BackfillConfig::default()
    };
    backfill::run(&mut store, &cfg, &AtomicBool::new(false), &mut |_| {}).unwrap();
    (db, store)
}

fn since_an_hour_ago(store: &Store) -> Scope {
    let at = time::now() - chrono::Duration::hours(1);
    Scope::Since {
        at,
        seq: store.seq_before(at).unwrap(),
    }
}

fn quick_and_since_read_only_their_scope(b: Backend) {
    let (db, store) = filled(b);
    for scope in [Scope::Full, Scope::Quick, since_an_hour_ago(&store)] {
        assert_eq!(checks(&store, &scope), Vec::<String>::new(), "{scope:?}");
    }
    let mut raw = db.raw();
    // An old finished workflow whose version disagrees with its events.
    let (old,) = raw.query::<(String,)>(
        "SELECT build_id FROM build_workflows WHERE status = 'completed'
         ORDER BY updated_at LIMIT 1",
        &[],
    )[0]
    .clone();
    raw.execute(
        "UPDATE build_workflows SET version = version + 5 WHERE build_id = $1",
        &[&old],
    );
    let full = checks(&store, &Scope::Full);
    assert!(full.iter().any(|p| p.contains(&old)), "{full:#?}");
    assert_eq!(checks(&store, &Scope::Quick), Vec::<String>::new());
    assert_eq!(
        checks(&store, &since_an_hour_ago(&store)),
        Vec::<String>::new()
    );

    // A live workflow changed a moment ago, the same way: every scope finds it.
    let (live,) = raw.query::<(String,)>(
        "SELECT build_id FROM build_workflows WHERE status = 'running'
         ORDER BY updated_at DESC LIMIT 1",
        &[],
    )[0]
    .clone();
    let now = pg_time(chrono::Utc::now());
    raw.execute(
        "UPDATE build_workflows SET version = version + 5, updated_at = $2 WHERE build_id = $1",
        &[&live, &now],
    );
    for scope in [Scope::Full, Scope::Quick, since_an_hour_ago(&store)] {
        let found = checks(&store, &scope);
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("version matches recorded changes") && p.contains(&live)),
            "{scope:?}: {found:#?}"
        );
    }
    // Live status counts that disagree with the rows.
    raw.execute(
        "UPDATE workflow_status_counts SET n = n + 1 WHERE status = 'running'",
        &[],
    );
    let quick = checks(&store, &Scope::Quick);
    assert!(
        quick
            .iter()
            .any(|p| p.starts_with("status counts match the workflows: status running")),
        "{quick:#?}"
    );
}

both!(quick_and_since_read_only_their_scope);

#[test]
fn a_recent_orphaned_event_is_found_quickly_on_sqlite() {
    let (db, store) = filled(Backend::Sqlite);
    let mut raw = db.raw();
    raw.batch("PRAGMA foreign_keys = OFF");
    raw.execute(
        "INSERT INTO workflow_events (id, workflow_id, event_type, triggered_by, event_data, created_at)
         VALUES ('orphan-1', 'no-such-workflow', 'note', 'test', '{}', '2026-01-01T00:00:00.000Z')",
        &[],
    );
    let quick = checks(&store, &Scope::Quick);
    assert!(
        quick
            .iter()
            .any(|p| p.starts_with("events point at a workflow") && p.contains("no-such-workflow")),
        "{quick:#?}"
    );
}

#[test]
fn the_quick_check_searches_indexes_and_scans_no_large_table() {
    let (db, mut store) = filled(Backend::Sqlite);
    let log = store.record_statements().unwrap();
    store.doctor(&Scope::Quick, &|_| {}).unwrap();
    let statements = log.take();
    assert!(statements.len() >= 8, "{statements:#?}");
    let raw = rusqlite::Connection::open(&db.path).unwrap();
    for sql in statements {
        if sql.starts_with("PRAGMA") {
            continue;
        }
        let mut stmt = raw.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let mut rows = stmt.raw_query();
        let mut plan = Vec::new();
        while let Some(r) = rows.next().unwrap() {
            let line: String = r.get(3).unwrap();
            plan.push(line.clone());
            // A status that finished workflows have is a range as long as history: such
            // a statement must be driven by the scope's workflow ids instead.
            if line.contains("(status=?)") {
                assert!(
                    !sql.contains("'completed'") || sql.contains("(status || '')"),
                    "a finished status searched: {line}\n{sql}"
                );
            }
            let Some(rest) = line.strip_prefix("SCAN ") else {
                continue;
            };
            let table = rest.split_whitespace().next().unwrap_or("");
            assert!(!LARGE.contains(&table), "a scan of {table}: {line}\n{sql}");
        }
    }
}
