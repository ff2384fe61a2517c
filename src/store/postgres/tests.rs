//! Tests that need the backend's own connection, on a real server (`BATON_TEST_PG`, default
//! the local one), each in a database it creates and drops.

use super::PgStore;
use crate::store::backend::Backend;
use crate::store::{DEFAULT_BUSY_TIMEOUT, OpenMode, StoreError, Target};

struct Scratch {
    admin: String,
    name: String,
    url: String,
}

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let admin = std::env::var("BATON_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("baton_unit_{tag}_{}", std::process::id());
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap_or_else(|e| {
            panic!(
                "PostgreSQL unit tests need a server at BATON_TEST_PG ({e}); start one or set it"
            )
        });
        // Two statements: CREATE DATABASE cannot share a transaction with anything.
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop a leftover scratch database");
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a scratch database");
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        Scratch { admin, name, url }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `--read-only` is enforced by the server, not only by baton's checks: a write sent
/// straight down a read-only store's connection is refused by PostgreSQL.
#[test]
fn a_read_only_session_is_refused_writes_by_the_server() {
    let db = Scratch::new("ro");
    let target = Target::parse(&db.url);
    PgStore::open(
        target.clone(),
        OpenMode::Create,
        DEFAULT_BUSY_TIMEOUT,
        &mut |_| {},
    )
    .expect("migrate");
    let (ro, _) = PgStore::open(
        target,
        OpenMode::ReadOnly,
        DEFAULT_BUSY_TIMEOUT,
        &mut |_| {},
    )
    .expect("open");
    let write = "INSERT INTO workflow_definitions (name, phases) VALUES ('x', '[]')";
    let err = ro.client.borrow_mut().batch_execute(write).unwrap_err();
    assert!(
        matches!(
            super::error::classify(err, "writing"),
            StoreError::ReadOnly(_)
        ),
        "the server refuses the write as read-only"
    );
    let n = ro
        .query("SELECT count(*) FROM workflow_definitions", &[])
        .unwrap();
    assert_eq!(n[0].get::<_, i64>(0), 1, "only the built-in definition");
}

/// Two processes migrating at once take turns on the advisory lock: one applies, the other
/// finds the schema done; neither fails.
#[test]
fn concurrent_migrations_take_turns() {
    let db = Scratch::new("mig");
    let target = Target::parse(&db.url);
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let t = target.clone();
            std::thread::spawn(move || {
                PgStore::open(t, OpenMode::Create, DEFAULT_BUSY_TIMEOUT, &mut |_| {})
                    .map(|(_, o)| o.applied)
            })
        })
        .collect();
    let applied: Vec<Vec<&str>> = runs
        .into_iter()
        .map(|r| r.join().expect("thread").expect("migrate"))
        .collect();
    assert_eq!(
        applied.iter().filter(|a| !a.is_empty()).count(),
        1,
        "exactly one migrated: {applied:?}"
    );
    let (store, _) = PgStore::open(
        target,
        OpenMode::ReadOnly,
        DEFAULT_BUSY_TIMEOUT,
        &mut |_| {},
    )
    .unwrap();
    assert!(store.verify_schema().unwrap().ok());
    assert_eq!(
        store.definitions().unwrap().len(),
        1,
        "the built-in definition, once"
    );
}
