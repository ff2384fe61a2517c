//! Bad input through the built binary: each gets the documented exit code and one line on
//! stderr that says what to do, and leaves the database (or the absence of one) as it was.

mod common;

use common::cli::*;
use rusqlite::Connection;

/// Every command that must refuse to run without an existing database.
const NEEDS_A_DATABASE: &[&[&str]] = &[
    &["list"],
    &["list", "--json"],
    &["status", "b1"],
    &["events"],
    &["doctor"],
    &["definition", "list"],
    &["start", "--project", "p"],
    &["advance", "b1"],
    &["heartbeat", "b1"],
    &["ack", "abc"],
    &["migrate", "--verify"],
];

#[test]
fn a_missing_database_is_reported_and_never_created() {
    let db = Db::unmigrated();
    for args in NEEDS_A_DATABASE {
        db.run(args)
            .one_line_error(1, &["no database at", "baton migrate --db"]);
        assert!(!db.path.exists(), "`baton {args:?}` created {:?}", db.path);
    }
    // The default path, ./baton.db, is refused the same way.
    let r = run_in(db.dir.path(), &["list"]);
    r.one_line_error(1, &["no database at baton.db"]);
    assert!(!db.dir.path().join("baton.db").exists());
}

#[test]
fn a_mistyped_path_is_not_created_and_the_real_database_is_untouched() {
    let db = Db::new();
    db.start("b1");
    let before = db.fingerprint("b1");
    let typo = db.dir.path().join("baton.bd");
    let typo_s = typo.to_str().unwrap();
    for cmd in [&["list"][..], &["advance", "b1"], &["events", "--follow"]] {
        let mut args = vec!["--db", typo_s];
        args.extend_from_slice(cmd);
        run_in(db.dir.path(), &args).one_line_error(1, &["no database at", "baton.bd"]);
        assert!(!typo.exists());
    }
    // A missing directory too.
    let deep = db.dir.path().join("no/such/dir/baton.db");
    run_in(db.dir.path(), &["--db", deep.to_str().unwrap(), "list"]).code(1);
    assert!(!deep.exists());
    assert_eq!(db.fingerprint("b1"), before);
}

#[test]
fn baton_db_env_chooses_the_database() {
    let db = Db::new();
    db.start("b1");
    let r = baton(db.dir.path())
        .env("BATON_DB", &db.path)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert!(r.status.success());
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v[0]["build_id"], "b1");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_byte_identical() {
    let db = Db::unmigrated();
    let junk: Vec<u8> = b"this is a build log, not a database\n"
        .iter()
        .cycle()
        .take(8192)
        .copied()
        .collect();
    std::fs::write(&db.path, &junk).unwrap();
    for args in [
        &["list"][..],
        &["status", "b1"],
        &["advance", "b1"],
        &["doctor"],
        &["migrate"],
        &["migrate", "--verify"],
        &["events", "--follow"],
    ] {
        db.run(args)
            .one_line_error(1, &["is not a SQLite database", "check --db"]);
        assert_eq!(std::fs::read(&db.path).unwrap(), junk, "after {args:?}");
    }
    let names: Vec<_> = std::fs::read_dir(db.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no -wal or -shm left behind: {names:?}");
}

#[test]
fn a_directory_is_not_a_database() {
    let db = Db::unmigrated();
    std::fs::create_dir(&db.path).unwrap();
    db.run(&["list"]).one_line_error(1, &["directory"]);
    db.run(&["migrate"]).one_line_error(1, &["directory"]);
}

#[test]
fn malformed_output_json_is_a_usage_error_that_changes_nothing() {
    let db = Db::new();
    db.start("b1");
    let before = db.fingerprint("b1");
    db.run(&["advance", "b1", "--output", "{not json"])
        .one_line_error(2, &["--output", "not valid JSON", "@FILE"]);
    db.run(&["advance", "b1", "--output", ""])
        .one_line_error(2, &["--output"]);
    db.run(&["advance", "b1", "--output", "@missing.json"])
        .one_line_error(2, &["missing.json"]);
    let bad = db.dir.path().join("bad.json");
    std::fs::write(&bad, "{\"a\": }").unwrap();
    let arg = format!("@{}", bad.display());
    db.run(&["advance", "b1", "--output", &arg])
        .one_line_error(2, &["bad.json", "not valid JSON"]);
    // Malformed JSON is caught before the database is even opened.
    run_in(
        db.dir.path(),
        &["--db", "nowhere.db", "advance", "b1", "--output", "{"],
    )
    .one_line_error(2, &["--output"]);
    assert_eq!(db.fingerprint("b1"), before);
    assert_eq!(db.workflow("b1")["current_state"], "discovery");
}

#[test]
fn bad_metadata_and_empty_names_are_usage_errors() {
    let db = Db::new();
    db.run(&["start", "--project", "p", "--metadata", "[1, 2]"])
        .one_line_error(2, &["--metadata must be a JSON object"]);
    db.run(&["start", "--project", "p", "--metadata", "{"])
        .one_line_error(2, &["--metadata"]);
    db.run(&["start", "--project", " "])
        .one_line_error(2, &["--project must not be empty"]);
    assert_eq!(db.json(&["list", "--json"]), serde_json::json!([]));
}

#[test]
fn an_unknown_workflow_is_not_found_for_every_command() {
    let db = Db::new();
    db.start("b1");
    for args in [
        &["status", "nope"][..],
        &["advance", "nope"],
        &["retry", "nope"],
        &["rollback", "nope", "--reason", "r"],
        &["fail", "nope", "--error", "e"],
        &["pause", "nope"],
        &["resume", "nope"],
        &["cancel", "nope"],
        &["heartbeat", "nope"],
        &["events", "--workflow", "nope"],
    ] {
        db.run(args)
            .one_line_error(3, &["workflow 'nope' not found", "baton list"]);
    }
    db.run(&["start", "--project", "p", "--definition", "nope"])
        .one_line_error(3, &["definition 'nope'", "baton definition add"]);
}

#[test]
fn an_ambiguous_prefix_is_a_usage_error_naming_the_matches() {
    let db = Db::new();
    // UUIDs start with one of 16 hex digits: 17 workflows must share a first character.
    let mut ids: Vec<String> = Vec::new();
    let shared = loop {
        let w = db.start(&format!("b{}", ids.len()));
        let new = id(&w);
        if let Some(old) = ids.iter().find(|o| o[..1] == new[..1]) {
            break old[..1].to_string();
        }
        ids.push(new);
        assert!(ids.len() <= 16);
    };
    let before: Vec<_> = ids.iter().map(|i| db.fingerprint(i)).collect();
    for args in [
        &["status", &shared][..],
        &["advance", &shared],
        &["events", "--workflow", &shared],
    ] {
        db.run(args)
            .one_line_error(2, &["matches 2 workflows", "give more characters"]);
    }
    let after: Vec<_> = ids.iter().map(|i| db.fingerprint(i)).collect();
    assert_eq!(before, after);
    // A longer, unique prefix works.
    db.run(&["status", &ids[0][..13]]).code(0);
}

#[test]
fn clap_usage_errors_exit_2() {
    let db = Db::new();
    for args in [
        &["list", "--status", "fialed"][..],
        &["list", "--limit", "0"],
        &["list", "--limit", "many"],
        &["frobnicate"],
        &["rollback", "b1"],
        &["advance"],
        &["events", "--since", "-1"],
    ] {
        let r = db.run(args);
        r.code(2);
        assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    }
    let r = db.run(&["list", "--status", "fialed"]);
    assert!(
        r.stderr
            .contains("valid statuses are running, paused, failed, completed, cancelled"),
        "{}",
        r.stderr
    );
    // Bare `baton` is the dashboard, which needs a terminal: a script gets told what to use.
    db.run(&[])
        .one_line_error(2, &["needs a terminal", "baton list"]);
}

#[test]
fn help_documents_exit_codes_and_examples_for_every_subcommand() {
    let db = Db::new();
    let r = db.run(&["--help"]);
    r.code(0);
    for needle in [
        "Exit codes:",
        "0  success",
        "2  usage",
        "3  not found",
        "4  conflict or illegal transition",
        "BATON_DB",
    ] {
        assert!(r.stdout.contains(needle), "--help lacks {needle:?}");
    }
    for sub in [
        "migrate",
        "start",
        "advance",
        "retry",
        "rollback",
        "fail",
        "pause",
        "resume",
        "cancel",
        "ack",
        "heartbeat",
        "status",
        "list",
        "events",
        "doctor",
        "definition",
    ] {
        let r = db.run(&[sub, "--help"]);
        r.code(0);
        assert!(
            r.stdout.contains("Examples:") && r.stdout.contains(&format!("baton {sub}")),
            "`baton {sub} --help` has no example:\n{}",
            r.stdout
        );
    }
}

#[test]
fn a_newer_or_altered_schema_is_refused_and_the_file_not_modified() {
    let db = Db::new();
    db.start("b1");
    let wal = db.path.with_extension("db-wal");
    {
        let c = Connection::open(&db.path).unwrap();
        c.execute_batch(
            "PRAGMA wal_checkpoint(TRUNCATE);
             INSERT INTO baton_migrations VALUES (99, '0099_future.sql', 'x', 'now');
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    }
    let _ = std::fs::remove_file(&wal);
    let before = db.bytes();
    for args in [&["list"][..], &["migrate"], &["advance", "b1"], &["doctor"]] {
        db.run(args)
            .one_line_error(1, &["newer than this baton knows", "not modified"]);
        assert_eq!(db.bytes(), before, "after {args:?}");
    }

    let db = Db::new();
    {
        let c = Connection::open(&db.path).unwrap();
        c.execute_batch(
            "UPDATE baton_migrations SET checksum = 'deadbeef' WHERE version = 1;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    }
    let before = db.bytes();
    db.run(&["migrate"])
        .one_line_error(1, &["checksum", "deadbeef", "not modified"]);
    db.run(&["list"]).one_line_error(1, &["checksum"]);
    assert_eq!(db.bytes(), before);
}

#[test]
fn verify_and_doctor_name_what_is_broken() {
    let db = Db::new();
    db.start("b1");
    {
        let c = Connection::open(&db.path).unwrap();
        c.execute_batch("DROP INDEX idx_events_workflow_seq;")
            .unwrap();
    }
    let r = db.run(&["migrate", "--verify"]);
    r.code(1);
    assert!(
        r.stdout.contains("missing: index idx_events_workflow_seq"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("schema check failed: index idx_events_workflow_seq")
    );
    let v = db.run(&["migrate", "--verify", "--json"]);
    v.code(1);
    assert_eq!(v.json()["ok"], false);

    let db = Db::new();
    db.start("b1");
    {
        let c = Connection::open(&db.path).unwrap();
        c.execute_batch("UPDATE build_workflows SET version = 5, current_state = 'limbo';")
            .unwrap();
    }
    // A phase the definition lacks breaks the contract; a version ahead of the recorded
    // changes is bookkeeping another writer may skip: a warning, failing only with --strict.
    let r = db.run(&["doctor"]);
    let line = r.one_line_error(1, &["phase belongs to definition"]);
    assert!(line.contains("1 check(s)"), "{line}");
    assert!(
        r.stdout
            .contains("WARN version matches recorded changes: workflow"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("'limbo'"));
    let strict = db.run(&["doctor", "--strict"]);
    let line = strict.one_line_error(
        1,
        &[
            "version matches recorded changes",
            "phase belongs to definition",
        ],
    );
    assert!(line.contains("2 check(s)"), "{line}");
    let j = db.run(&["doctor", "--json"]);
    j.code(1);
    let v = j.json();
    assert_eq!(v["ok"], false);
    assert_eq!(
        v["failed_checks"],
        serde_json::json!(["phase belongs to definition"])
    );
    assert_eq!(
        v["warned_checks"],
        serde_json::json!(["version matches recorded changes"])
    );
    let severities: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["severity"].as_str().unwrap())
        .collect();
    assert!(severities.contains(&"warning") && severities.contains(&"error"));
}

#[test]
fn a_duplicate_build_id_is_a_conflict() {
    let db = Db::new();
    db.start("b1");
    db.run(&["start", "--project", "p", "--build-id", "b1"])
        .one_line_error(4, &["build id 'b1' already exists"]);
}

#[test]
fn illegal_transitions_exit_4_and_leave_the_workflow_alone() {
    let db = Db::new();
    db.start("b1");
    let before = db.fingerprint("b1");
    db.run(&["resume", "b1"])
        .one_line_error(4, &["only paused workflows resume"]);
    db.run(&["rollback", "b1", "--reason", "r"])
        .one_line_error(4, &["first phase"]);
    db.run(&["retry", "b1", "--expect-version", "3"])
        .one_line_error(4, &["conflict"]);
    assert_eq!(db.fingerprint("b1"), before);
}
