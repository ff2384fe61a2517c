//! Opening databases: migrations applied once, newer or altered schemas refused without
//! touching the file, read-only connections that cannot write, missing files not created.

mod common;

use baton::engine::{self, Request};
use baton::model::{Action, Definition};
use baton::store::{MIGRATIONS, OpenMode, Store, StoreError, latest_version};
use common::store::*;
use rusqlite::Connection;

#[test]
fn migrations_are_applied_once_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let (store, opened) = Store::open(&path, OpenMode::Create).unwrap();
    assert!(opened.created);
    assert_eq!(
        opened.applied,
        MIGRATIONS.iter().map(|m| m.name).collect::<Vec<_>>()
    );
    assert_eq!(store.schema_version().unwrap(), latest_version());
    drop(store);
    for mode in [OpenMode::ReadWrite, OpenMode::Create, OpenMode::ReadWrite] {
        let (store, opened) = Store::open(&path, mode).unwrap();
        assert!(!opened.created, "{mode:?}");
        assert!(
            opened.applied.is_empty(),
            "{mode:?} applied {:?}",
            opened.applied
        );
        let v = store.verify_schema().unwrap();
        assert!(v.ok(), "{v:?}");
        assert_eq!((v.version, v.latest), (latest_version(), latest_version()));
    }
    let conn = Connection::open(&path).unwrap();
    let ledger: i64 = conn
        .query_row("SELECT count(*) FROM baton_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ledger, MIGRATIONS.len() as i64);
    let defs: i64 = conn
        .query_row("SELECT count(*) FROM workflow_definitions", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(defs, 1, "the built-in definition is installed once");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

/// Prepares a database that must be refused, then proves every open mode refuses it with
/// `expect` and leaves the file's bytes exactly as they were.
fn assert_refused_untouched(tamper: &str, expect: fn(&StoreError) -> bool) {
    let db = TestDb::new();
    {
        let mut store = db.store();
        let w = start(&mut store, "atlas");
        advance(&mut store, &w, None);
    }
    db.raw().execute_batch(tamper).unwrap();
    checkpoint_wal(&db.path);
    let before = file_bytes(&db.path);
    for mode in [OpenMode::ReadWrite, OpenMode::Create, OpenMode::ReadOnly] {
        let err = Store::open(&db.path, mode).err().expect("refused");
        assert!(expect(&err), "{mode:?}: unexpected error {err}");
        assert!(err.to_string().contains("not modified"), "{err}");
        assert_eq!(file_bytes(&db.path), before, "{mode:?} changed the file");
        assert_eq!(wal_len(&db.path), 0, "{mode:?} left WAL content");
    }
}

#[test]
fn a_newer_schema_is_refused_and_the_file_is_unchanged() {
    assert_refused_untouched(
        "INSERT INTO baton_migrations (version, name, checksum, applied_at)
         VALUES (99, '0099_future.sql', 'ffff', '2030-01-01T00:00:00.000Z')",
        |e| matches!(e, StoreError::SchemaTooNew { db: 99, .. }),
    );
}

#[test]
fn an_altered_checksum_is_refused_and_the_file_is_unchanged() {
    assert_refused_untouched(
        "UPDATE baton_migrations SET checksum = '0123456789abcdef' WHERE version = 1",
        |e| matches!(e, StoreError::ChecksumMismatch { version: 1, .. }),
    );
}

#[test]
fn read_only_connections_cannot_write() {
    let db = TestDb::new();
    let w = {
        let mut store = db.store();
        start(&mut store, "atlas")
    };
    let before = dump(&db.raw());
    let (mut ro, opened) = Store::open(&db.path, OpenMode::ReadOnly).unwrap();
    assert!(ro.is_read_only());
    assert!(opened.applied.is_empty() && !opened.created);
    // Reads work.
    assert_eq!(ro.workflow(&w.id).unwrap().build_id, w.build_id);
    assert!(ro.doctor().unwrap().problems.is_empty());
    // `add_definition` goes straight to SQLite: the connection itself refuses the write.
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
    assert_eq!(dump(&db.raw()), before);
}

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
