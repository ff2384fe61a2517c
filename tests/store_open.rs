//! Opening databases: migrations applied once, newer or altered schemas refused without
//! touching the file, read-only connections that cannot write, missing files not created.

mod common;

use baton::engine::{self, Request};
use baton::model::{Action, Definition};
use baton::store::{Migration, OpenMode, Store, StoreError};
use common::backend::*;
use common::store::{ACTOR, advance, checkpoint_wal, file_bytes, new_workflow, start, wal_len};

fn migrations(b: Backend) -> &'static [Migration] {
    b.migrations()
}

fn migrations_are_applied_once_and_verify(b: Backend) {
    let db = TestDb::empty(b);
    let (store, opened) = Store::open(db.target(), OpenMode::Create).unwrap();
    assert!(opened.created);
    assert_eq!(
        opened.applied,
        migrations(b).iter().map(|m| m.name).collect::<Vec<_>>()
    );
    assert_eq!(store.schema_version().unwrap(), b.latest_version());
    drop(store);
    for mode in [OpenMode::ReadWrite, OpenMode::Create, OpenMode::ReadWrite] {
        let (store, opened) = Store::open(db.target(), mode).unwrap();
        assert!(!opened.created, "{mode:?}");
        assert!(
            opened.applied.is_empty(),
            "{mode:?} applied {:?}",
            opened.applied
        );
        let v = store.verify_schema().unwrap();
        assert!(v.ok(), "{v:?}");
        assert_eq!(
            (v.version, v.latest),
            (b.latest_version(), b.latest_version())
        );
    }
    let mut conn = db.raw();
    let ledger: i64 = conn.value("SELECT count(*) FROM baton_migrations", &[]);
    assert_eq!(ledger, migrations(b).len() as i64);
    let defs: i64 = conn.value("SELECT count(*) FROM workflow_definitions", &[]);
    assert_eq!(defs, 1, "the built-in definition is installed once");
    if !b.is_pg() {
        // SQLite only: the journal mode.
        let mode: String = conn.value("PRAGMA journal_mode", &[]);
        assert_eq!(mode, "wal");
    }
}

/// Prepares a database that must be refused, then proves every open mode refuses it with
/// `expect` and leaves every row (and on SQLite the file's bytes) exactly as they were.
fn assert_refused_untouched(b: Backend, tamper: &str, expect: fn(&StoreError) -> bool) {
    let db = TestDb::new(b);
    {
        let mut store = db.store();
        let w = start(&mut store, "atlas");
        advance(&mut store, &w, None);
    }
    db.raw().batch(tamper);
    let sqlite = !b.is_pg();
    if sqlite {
        checkpoint_wal(&db.path);
    }
    let before = sqlite.then(|| file_bytes(&db.path));
    let rows = db.dump();
    for mode in [OpenMode::ReadWrite, OpenMode::Create, OpenMode::ReadOnly] {
        let err = db.open(mode).err().expect("refused");
        assert!(expect(&err), "{mode:?}: unexpected error {err}");
        assert!(err.to_string().contains("not modified"), "{err}");
        assert_eq!(db.dump(), rows, "{mode:?} changed the database");
        if let Some(before) = &before {
            assert!(file_bytes(&db.path) == *before, "{mode:?} changed the file");
            assert_eq!(wal_len(&db.path), 0, "{mode:?} left WAL content");
        }
    }
}

fn a_newer_schema_is_refused_and_the_database_is_unchanged(b: Backend) {
    assert_refused_untouched(
        b,
        "INSERT INTO baton_migrations (version, name, checksum, applied_at)
         VALUES (99, '0099_future.sql', 'ffff', '2030-01-01T00:00:00.000Z')",
        |e| matches!(e, StoreError::SchemaTooNew { db: 99, .. }),
    );
}

fn an_altered_checksum_is_refused_and_the_database_is_unchanged(b: Backend) {
    assert_refused_untouched(
        b,
        "UPDATE baton_migrations SET checksum = '0123456789abcdef' WHERE version = 1",
        |e| matches!(e, StoreError::ChecksumMismatch { version: 1, .. }),
    );
}

fn read_only_connections_cannot_write(b: Backend) {
    let db = TestDb::new(b);
    let w = {
        let mut store = db.store();
        start(&mut store, "atlas")
    };
    let before = db.dump();
    let (mut ro, opened) = Store::open(db.target(), OpenMode::ReadOnly).unwrap();
    assert!(ro.is_read_only());
    assert!(opened.applied.is_empty() && !opened.created);
    // Reads work.
    assert_eq!(ro.workflow(&w.id).unwrap().build_id, w.build_id);
    assert!(
        ro.doctor(&baton::store::Scope::Full, &|_| {})
            .unwrap()
            .problems
            .is_empty()
    );
    // `add_definition` goes straight to the database: the connection itself (SQLite's
    // read-only open, PostgreSQL's read-only session) refuses the write.
    let mut def = Definition::builtin();
    def.name = "other".into();
    let err = ro.add_definition(&def).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly(_)), "{err}");
    // Engine operations and heartbeats are refused too.
    let err = engine::act_on_id(&mut ro, &w.id, &Request::new(Action::Pause, ACTOR)).unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    assert!(engine::heartbeat(&mut ro, &w.id).is_err());
    assert!(engine::start(&mut ro, &new_workflow("x"), ACTOR, None).is_err());
    drop(ro);
    assert_eq!(db.dump(), before);
}

// SQLite only: a missing file; the missing PostgreSQL database is tested below.
#[test]
fn a_missing_file_is_not_created_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.db");
    for mode in [OpenMode::ReadWrite, OpenMode::ReadOnly] {
        let err = Store::open(&path, mode)
            .err()
            .expect("missing file refused");
        assert!(matches!(err, StoreError::Missing(_)), "{mode:?}: {err}");
        assert!(err.to_string().contains("baton migrate"), "{err}");
        assert!(!path.exists(), "{mode:?} created the file");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing created"
    );
    let (_, opened) = Store::open(&path, OpenMode::Create).unwrap();
    assert!(opened.created && path.exists());
}

// SQLite only: files of other kinds; the empty PostgreSQL database is tested below.
#[test]
fn files_that_are_not_baton_databases_are_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        b"this is not a database, just some text padding it out....",
    )
    .unwrap();
    let err = Store::open(&text, OpenMode::ReadWrite).err().unwrap();
    assert!(matches!(err, StoreError::NotADatabase(_)), "{err}");
    assert_eq!(
        std::fs::read(&text).unwrap(),
        b"this is not a database, just some text padding it out...."
    );
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let err = Store::open(&empty, OpenMode::ReadWrite).err().unwrap();
    assert!(err.to_string().contains("baton migrate"), "{err}");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
}

// PostgreSQL only: a database that is not on the server is never created, in any mode:
// baton says to run createdb.
#[test]
fn a_missing_postgres_database_is_not_created_in_any_mode() {
    let name = format!("baton_missing_open_{}", std::process::id());
    let url = common::pg::with_database(&common::pg::admin_url(), &name);
    for mode in [OpenMode::ReadWrite, OpenMode::ReadOnly, OpenMode::Create] {
        let err = Store::open(baton::store::Target::parse(&url), mode)
            .err()
            .expect("missing database refused");
        assert!(
            matches!(err, StoreError::MissingDatabase { .. }),
            "{mode:?}: {err}"
        );
        assert!(
            err.to_string().contains(&format!("createdb {name}")),
            "{err}"
        );
    }
    let mut admin =
        postgres::Client::connect(&common::pg::admin_url(), postgres::NoTls).expect("admin");
    let n: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "the database was created");
}

// PostgreSQL only: an existing database without baton's schema is set up only by Create.
#[test]
fn an_empty_postgres_database_is_migrated_only_when_asked() {
    let db = TestDb::empty(Backend::Postgres);
    for mode in [OpenMode::ReadWrite, OpenMode::ReadOnly] {
        let err = db.open(mode).err().expect("an empty database refused");
        assert!(err.to_string().contains("baton migrate"), "{mode:?}: {err}");
        assert!(!db.has_schema(), "{mode:?} created the schema");
        assert_eq!(db.dump(), Vec::<String>::new(), "{mode:?} wrote rows");
    }
    let (store, opened) = Store::open(db.target(), OpenMode::Create).unwrap();
    assert!(opened.created);
    assert_eq!(
        store.schema_version().unwrap(),
        Backend::Postgres.latest_version()
    );
}

both!(
    migrations_are_applied_once_and_verify,
    a_newer_schema_is_refused_and_the_database_is_unchanged,
    an_altered_checksum_is_refused_and_the_database_is_unchanged,
    read_only_connections_cannot_write,
);
