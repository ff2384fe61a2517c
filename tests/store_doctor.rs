//! `doctor()` passes on a healthy database and names each broken invariant.

mod common;

use baton::model::Action;
use baton::store::Store;
use common::backend::*;
use common::store::{act, advance, assert_healthy, start};
use serde_json::json;

/// A database with a few workflows in different states, all written by the engine.
fn healthy(b: Backend) -> (TestDb, Store, Vec<baton::model::Workflow>) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut out = Vec::new();
    for (i, project) in ["atlas", "borealis", "cygnus"].into_iter().enumerate() {
        let mut w = start(&mut store, project);
        for _ in 0..=i {
            w = advance(&mut store, &w, Some(json!({ "n": i })));
        }
        out.push(w);
    }
    let w = act(&mut store, &out[2], Action::Fail { error: "x".into() }).workflow;
    out[2] = w;
    (db, store, out)
}

/// A raw connection that may write rows pointing at missing workflows: SQLite's foreign
/// keys off, or PostgreSQL's foreign-key triggers skipped for this session.
fn raw_without_foreign_keys(db: &TestDb) -> Raw {
    let mut conn = db.raw();
    conn.batch(db.backend.pick(
        "PRAGMA foreign_keys = OFF",
        "SET session_replication_role = replica",
    ));
    conn
}

fn problems(store: &Store) -> Vec<(String, String)> {
    store
        .doctor(&baton::store::Scope::Full, &|_| {})
        .unwrap()
        .problems
        .into_iter()
        .map(|p| (p.check.to_string(), p.detail))
        .collect()
}

fn assert_found(store: &Store, check: &str, detail_contains: &str) {
    let found = problems(store);
    assert!(
        found
            .iter()
            .any(|(c, d)| c == check && d.contains(detail_contains)),
        "expected '{check}' naming '{detail_contains}', got {found:#?}"
    );
}

fn a_healthy_database_passes_with_counts(b: Backend) {
    let (_db, store, _) = healthy(b);
    assert_healthy(&store);
    let report = store.doctor(&baton::store::Scope::Full, &|_| {}).unwrap();
    assert_eq!(report.schema_version, b.latest_version());
    let count = |t: &str| report.counts.iter().find(|(n, _)| n == t).map(|(_, c)| *c);
    assert_eq!(count("build_workflows"), Some(3));
    assert_eq!(count("workflow_handoffs"), Some(6));
    assert_eq!(count("workflow_events"), Some(10));
    assert_eq!(count("workflow_definitions"), Some(1));
}

fn a_deleted_event_breaks_the_version_count(b: Backend) {
    let (db, store, ws) = healthy(b);
    db.raw().execute(
        "DELETE FROM workflow_events WHERE seq =
           (SELECT max(seq) FROM workflow_events WHERE workflow_id = $1)",
        &[&ws[1].id],
    );
    assert_found(&store, "version matches recorded changes", &ws[1].id);
    // The deleted event was a transition, so its handoff is now unaccounted for too.
    assert_found(&store, "every transition has its handoff", &ws[1].id);
}

fn an_event_for_a_missing_workflow_is_named(b: Backend) {
    let (db, store, _) = healthy(b);
    raw_without_foreign_keys(&db).batch(
        "INSERT INTO workflow_events (workflow_id, event_type) VALUES ('ghost-42', 'phase_advanced')",
    );
    assert_found(&store, "events point at a workflow", "ghost-42");
}

fn orphan_handoffs_and_checkpoints_are_named(b: Backend) {
    let (db, store, _) = healthy(b);
    raw_without_foreign_keys(&db).batch(
        "INSERT INTO workflow_handoffs (id, workflow_id, to_role, to_state) VALUES ('h-orphan', 'gone', 'r', 's');
         INSERT INTO workflow_checkpoints (id, workflow_id, state, version) VALUES ('c-orphan', 'gone', 's', 1);",
    );
    assert_found(&store, "handoffs point at a workflow", "h-orphan");
    assert_found(&store, "checkpoints point at a workflow", "c-orphan");
}

fn a_handoff_or_checkpoint_without_its_event_is_named(b: Backend) {
    let (db, store, ws) = healthy(b);
    let mut conn = db.raw();
    conn.execute(
        "INSERT INTO workflow_handoffs (workflow_id, to_role, to_state) VALUES ($1, 'x', 'coding')",
        &[&ws[0].id],
    );
    assert_found(&store, "every transition has its handoff", &ws[0].id);
    conn.execute(
        "DELETE FROM workflow_checkpoints WHERE workflow_id = $1",
        &[&ws[2].id],
    );
    assert_found(&store, "every transition has its checkpoint", &ws[2].id);
}

fn a_phase_or_role_outside_the_definition_is_named(b: Backend) {
    let (db, store, ws) = healthy(b);
    let mut conn = db.raw();
    conn.execute(
        "UPDATE build_workflows SET current_state = 'deploy' WHERE id = $1",
        &[&ws[0].id],
    );
    conn.execute(
        "UPDATE build_workflows SET \"current_role\" = 'intern' WHERE id = $1",
        &[&ws[1].id],
    );
    assert_found(&store, "phase belongs to definition", "'deploy'");
    assert_found(&store, "phase belongs to definition", "'intern'");
    conn.execute(
        "UPDATE build_workflows SET status = 'completed', completed_at = NULL WHERE id = $1",
        &[&ws[2].id],
    );
    assert_found(&store, "completed workflows have completed_at", &ws[2].id);
}

/// The number `workflow_event_metrics` gives the workflow whose id is `$1` (schema 10).
fn workflow_key(b: Backend) -> &'static str {
    b.pick(
        "SELECT rowid FROM build_workflows WHERE id = $1",
        "SELECT key FROM baton_workflow_keys WHERE id = $1",
    )
}

/// `workflow_event_metrics` follows `workflow_events` through the schema's triggers: a
/// workflow deleted with its trail takes its rows along, and a row removed behind the
/// triggers' back is counted.
fn the_metrics_rows_follow_the_events(b: Backend) {
    let (db, store, ws) = healthy(b);
    let counts = |db: &TestDb| -> (i64, i64) {
        db.raw().one(
            "SELECT (SELECT count(*) FROM workflow_events), (SELECT count(*) FROM workflow_event_metrics)",
            &[],
        )
    };
    assert_eq!(counts(&db), (10, 10));
    // One statement rewriting several of ws[1]'s events; how many rows then hold the new
    // time and `phase`.
    let rewrite = |set: &str, phase: &str| -> i64 {
        db.raw().execute(
            &format!("UPDATE workflow_events SET {set} WHERE workflow_id = $1"),
            &[&ws[1].id],
        );
        db.raw().value(
            &format!(
                "SELECT count(*) FROM workflow_event_metrics m
                 JOIN baton_names p ON p.id = m.phase_key
                 WHERE m.at_ms = 1767323045678 AND p.name = $2 AND m.workflow_key = ({})",
                workflow_key(b)
            ),
            &[&ws[1].id, &phase],
        )
    };
    let trail: i64 = db.raw().value(
        "SELECT count(*) FROM workflow_events WHERE workflow_id = $1",
        &[&ws[1].id],
    );
    assert!(trail > 1, "a trail of several events");
    let moved = rewrite(
        "created_at = '2026-01-02T03:04:05.678Z', event_data = '{\"phase\": \"moved\"}'",
        "moved",
    );
    assert_eq!(moved, trail, "every rewritten event's row follows it");
    assert_eq!(
        counts(&db),
        (10, 10),
        "and none is left behind at its old time"
    );
    // Rewriting the data alone keeps each row's key: the row is replaced, not lost.
    let again = rewrite("event_data = '{\"phase\": \"again\"}'", "again");
    assert_eq!(again, trail, "rows rewritten in place");
    assert_eq!(counts(&db), (10, 10));
    db.raw()
        .execute("DELETE FROM build_workflows WHERE id = $1", &[&ws[0].id]);
    let (events, rows) = counts(&db);
    assert!(events < 10, "the trail went with its workflow");
    assert_eq!(rows, events, "and its metrics rows with it");
    let numbered: i64 = db.raw().value(
        &format!("SELECT count(*) FROM ({}) AS k", workflow_key(b)),
        &[&ws[0].id],
    );
    assert_eq!(numbered, 0, "and the number the metrics gave it");
    db.raw()
        .execute("DELETE FROM workflow_event_metrics WHERE seq = (SELECT max(seq) FROM workflow_event_metrics)", &[]);
    assert_found(
        &store,
        "every event has its metrics row",
        &format!(
            "holds {events} events but workflow_event_metrics {} rows",
            events - 1
        ),
    );
}

both!(
    the_metrics_rows_follow_the_events,
    a_healthy_database_passes_with_counts,
    a_deleted_event_breaks_the_version_count,
    an_event_for_a_missing_workflow_is_named,
    orphan_handoffs_and_checkpoints_are_named,
    a_handoff_or_checkpoint_without_its_event_is_named,
    a_phase_or_role_outside_the_definition_is_named,
);
