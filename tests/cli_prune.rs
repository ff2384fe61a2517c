//! `baton prune` and `baton import`, on both backends: a dry run counts exactly what the
//! real run removes and writes nothing; live workflows (running, paused, failed with
//! retries left) are never removed however old; everything hanging off a removed workflow
//! goes with it; an archive round-trips through `baton import`; and a run killed between
//! archiving a batch and deleting it carries on when run again, losing nothing.

mod common;

use chrono::{Duration, Utc};
use common::backend::*;
use serde_json::Value;

const DEF: &str = r#"{"name": "two", "phases": [{"name": "a", "role": "ra"},
    {"name": "b", "role": "rb"}]}"#;

/// Builds the fleet and dates every workflow 100 days back; returns the builds that are
/// finished (and so prunable): `done-*` completed, `gone-*` cancelled, `dead-1` failed
/// with no retries left. `run-1`, `hold-1` (paused) and `retry-1` (failed, retries left)
/// are live.
fn fleet(db: &TestDb) -> Vec<String> {
    db.add_definition("two", DEF);
    let start = |build: &str| {
        db.start_in("two", build);
    };
    let mut finished = Vec::new();
    for i in 0..5 {
        let b = format!("done-{i}");
        start(&b);
        db.run(&["advance", &b]).code(0);
        db.run(&["advance", &b]).code(0);
        finished.push(b);
    }
    for i in 0..2 {
        let b = format!("gone-{i}");
        start(&b);
        db.run(&["cancel", &b, "--reason", "obsolete"]).code(0);
        finished.push(b);
    }
    start("dead-1");
    for _ in 0..3 {
        db.run(&["fail", "dead-1", "--error", "flaky"]).code(0);
        db.run(&["retry", "dead-1", "--reason", "again"]).code(0);
    }
    db.run(&["fail", "dead-1", "--error", "no retries left"])
        .code(0);
    finished.push("dead-1".into());
    for b in ["run-1", "hold-1", "retry-1"] {
        start(b);
    }
    db.run(&["pause", "hold-1"]).code(0);
    db.run(&["fail", "retry-1", "--error", "flaky"]).code(0);
    let old = pg_time(Utc::now() - Duration::days(100));
    db.raw()
        .execute("UPDATE build_workflows SET updated_at = $1", &[&old]);
    finished.sort();
    finished
}

fn builds(db: &TestDb) -> Vec<String> {
    let mut v: Vec<String> = db
        .raw()
        .query::<(String,)>("SELECT build_id FROM build_workflows", &[])
        .into_iter()
        .map(|(b,)| b)
        .collect();
    v.sort();
    v
}

fn prune_removes_only_finished_workflows_and_round_trips_through_an_archive(b: Backend) {
    let db = TestDb::cli(b);
    let finished = fleet(&db);
    let before: Vec<Value> = finished
        .iter()
        .map(|b| db.json(&["status", b, "--json"]))
        .collect();
    let dump = db.dump();
    let dry = db.json(&["prune", "--before", "30d", "--dry-run", "--json"]);
    assert_eq!(db.dump(), dump, "a dry run writes nothing");
    assert_eq!(dry["matched"], finished.len(), "{dry}");
    assert_eq!(dry["by_status"]["completed"], 5, "{dry}");
    assert_eq!(dry["by_status"]["cancelled"], 2, "{dry}");
    assert_eq!(dry["by_status"]["failed"], 1, "{dry}");
    // Nothing is old enough for a shorter retention than their age... or a longer one.
    let none = db.json(&["prune", "--before", "200d", "--dry-run", "--json"]);
    assert_eq!(none["matched"], 0);

    let archive = db.dir.path().join("old.jsonl.zst");
    let archive_arg = archive.to_str().unwrap();
    let real = db.json(&[
        "prune",
        "--before",
        "30d",
        "--archive",
        archive_arg,
        "--batch",
        "3",
        "--json",
    ]);
    assert_eq!(
        real["removed"], dry["matched"],
        "the dry run predicted it: {real}"
    );
    assert_eq!(real["archived"], finished.len());
    assert_eq!(
        builds(&db),
        ["hold-1", "retry-1", "run-1"],
        "live ones stay"
    );
    // Everything hanging off the removed workflows went with them.
    let live_ids: Vec<(String,)> = db.raw().query("SELECT id FROM build_workflows", &[]);
    let orphans = db.raw().value::<i64>(
        "SELECT count(*) FROM workflow_events e WHERE NOT EXISTS
           (SELECT 1 FROM build_workflows w WHERE w.id = e.workflow_id)",
        &[],
    );
    assert_eq!((live_ids.len(), orphans), (3, 0));
    // The status counts (summed over PostgreSQL's shards) follow the deletes.
    let completed = db.raw().value::<i64>(
        "SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM workflow_status_counts WHERE status = 'completed'",
        &[],
    );
    assert_eq!(completed, 0);
    db.run(&["doctor"]).code(0);

    // Into a fresh database: the same workflows, field for field, and their trails.
    let other = TestDb::cli(b);
    other.add_definition("two", DEF);
    let r = other.json(&["import", archive_arg, "--json"]);
    assert_eq!(r["imported"], finished.len());
    assert_eq!(builds(&other), finished);
    for (build, was) in finished.iter().zip(&before) {
        let now = other.json(&["status", build, "--json"]);
        assert_eq!(now["workflow"], was["workflow"], "{build}");
        assert_eq!(now["handoffs"], was["handoffs"], "{build}");
        let kinds = |v: &Value| -> Vec<Value> {
            v["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["event_type"].clone())
                .collect()
        };
        assert_eq!(kinds(&now), kinds(was), "{build}");
    }
    other.run(&["doctor"]).code(0);
    let again = other.json(&["import", archive_arg, "--json"]);
    assert_eq!(
        (again["imported"].clone(), again["skipped"].clone()),
        (0.into(), 8.into())
    );
}

both!(prune_removes_only_finished_workflows_and_round_trips_through_an_archive);

fn a_killed_prune_carries_on_and_loses_nothing(b: Backend) {
    let db = TestDb::cli(b);
    let finished = fleet(&db);
    let archive = db.dir.path().join("old.jsonl");
    let archive_arg = archive.to_str().unwrap();
    // Killed after archiving the second batch of 3, before deleting it.
    let out = db
        .command()
        .args([
            "prune",
            "--before",
            "30d",
            "--archive",
            archive_arg,
            "--batch",
            "3",
        ])
        .env("BATON_DEBUG_PRUNE_ABORT_AFTER", "1")
        .output()
        .unwrap();
    assert!(!out.status.success(), "it was killed");
    assert_eq!(
        builds(&db).len(),
        11 - 3,
        "the first batch went, the second did not"
    );
    let r = db.json(&[
        "prune",
        "--before",
        "30d",
        "--archive",
        archive_arg,
        "--json",
    ]);
    assert_eq!(r["removed"], finished.len() - 3);
    assert_eq!(builds(&db), ["hold-1", "retry-1", "run-1"]);
    let other = TestDb::cli(b);
    other.add_definition("two", DEF);
    let imported = other.json(&["import", archive_arg, "--json"]);
    assert_eq!(imported["imported"], finished.len(), "{imported}");
    assert_eq!(
        imported["skipped"], 3,
        "the batch archived before the kill, twice"
    );
    assert_eq!(builds(&other), finished);
}

both!(a_killed_prune_carries_on_and_loses_nothing);

fn prune_takes_its_period_from_the_config_and_refuses_nonsense(b: Backend) {
    let db = TestDb::cli(b);
    let finished = fleet(&db);
    let r = db.run(&["prune"]);
    r.one_line_error(2, &["--before", "retention"]);
    db.run(&["prune", "--before", "soon"]).code(2);
    db.run(&[
        "prune",
        "--before",
        "30d",
        "--dry-run",
        "--archive",
        "x.jsonl",
    ])
    .code(2);
    db.run(&["prune", "--before", "30d", "--status", "running"])
        .code(2);
    let config = db.dir.path().join("baton.toml");
    std::fs::write(&config, "retention = \"30d\"\n").unwrap();
    let r = db.json(&[
        "--config",
        config.to_str().unwrap(),
        "prune",
        "--status",
        "cancelled",
        "--json",
    ]);
    assert_eq!(r["removed"], 2);
    assert_eq!(builds(&db).len(), 11 - 2);
    let cutoff = db.json(&["prune", "--before", "2000-01-01", "--dry-run", "--json"]);
    assert_eq!(cutoff["matched"], 0);
    assert!(finished.len() > 2);
}

both!(prune_takes_its_period_from_the_config_and_refuses_nonsense);

/// A prune that finds nothing to remove still leaves an archive that reads: empty, not a
/// file of zero bytes that neither `import` nor `zstd -dc` would take.
fn an_archive_of_nothing_imports_as_nothing(b: Backend) {
    let db = TestDb::cli(b);
    fleet(&db);
    let archive = db.dir.path().join("none.jsonl.zst");
    let archive_arg = archive.to_str().unwrap();
    let r = db.json(&[
        "prune",
        "--before",
        "200d",
        "--archive",
        archive_arg,
        "--json",
    ]);
    assert_eq!(
        (r["removed"].clone(), r["archived"].clone()),
        (0.into(), 0.into())
    );
    assert!(
        std::fs::metadata(&archive).unwrap().len() > 0,
        "a zstd frame"
    );
    let other = TestDb::cli(b);
    let r = other.json(&["import", archive_arg, "--json"]);
    assert_eq!(r["imported"], 0, "{r}");
}

both!(an_archive_of_nothing_imports_as_nothing);
