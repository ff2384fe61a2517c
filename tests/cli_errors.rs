//! Bad input through the built binary: each gets the documented exit code and one line on
//! stderr that says what to do, and leaves the database (or the absence of one) as it was.

mod common;

use common::backend::*;
use common::cli::{baton, id, run_in};
use common::store::checkpoint_wal;
use std::time::{Duration, Instant};

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

// SQLite only: a missing file; PostgreSQL's missing and empty databases are tested below.
#[test]
fn a_missing_database_is_reported_and_never_created() {
    let db = TestDb::empty(Backend::Sqlite);
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

// SQLite only: a mistyped file path; a mistyped database name is tested below.
#[test]
fn a_mistyped_path_is_not_created_and_the_real_database_is_untouched() {
    let db = TestDb::cli(Backend::Sqlite);
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

fn baton_db_env_chooses_the_database(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    let r = baton(db.dir.path())
        .env("BATON_DB", db.arg())
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert!(r.status.success());
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v[0]["build_id"], "b1");
}

// SQLite only: a file of another kind at the path.
#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_byte_identical() {
    let db = TestDb::empty(Backend::Sqlite);
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

// SQLite only: a directory at the path.
#[test]
fn a_directory_is_not_a_database() {
    let db = TestDb::empty(Backend::Sqlite);
    std::fs::create_dir(&db.path).unwrap();
    db.run(&["list"]).one_line_error(1, &["directory"]);
    db.run(&["migrate"]).one_line_error(1, &["directory"]);
}

fn malformed_output_json_is_a_usage_error_that_changes_nothing(b: Backend) {
    let db = TestDb::cli(b);
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

fn bad_metadata_and_empty_names_are_usage_errors(b: Backend) {
    let db = TestDb::cli(b);
    db.run(&["start", "--project", "p", "--metadata", "[1, 2]"])
        .one_line_error(2, &["--metadata must be a JSON object"]);
    db.run(&["start", "--project", "p", "--metadata", "{"])
        .one_line_error(2, &["--metadata"]);
    db.run(&["start", "--project", " "])
        .one_line_error(2, &["--project must not be empty"]);
    assert_eq!(db.json(&["list", "--json"]), serde_json::json!([]));
}

fn an_unknown_workflow_is_not_found_for_every_command(b: Backend) {
    let db = TestDb::cli(b);
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

fn an_ambiguous_prefix_is_a_usage_error_naming_the_matches(b: Backend) {
    let db = TestDb::cli(b);
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

fn clap_usage_errors_exit_2(b: Backend) {
    let db = TestDb::cli(b);
    for args in [
        &["list", "--status", "fialed"][..],
        &["list", "--limit", "0"],
        &["list", "--limit", "many"],
        &["frobnicate"],
        &["rollback", "b1"],
        &["advance"],
        &["events", "--after-seq", "-1"],
        &["events", "--since", "120"],
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

fn help_documents_exit_codes_and_examples_for_every_subcommand(b: Backend) {
    let db = TestDb::cli(b);
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
        "diff",
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

fn a_newer_or_altered_schema_is_refused_and_the_file_not_modified(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    tamper(
        &db,
        "INSERT INTO baton_migrations VALUES (99, '0099_future.sql', 'x', 'now')",
    );
    let before = Unchanged::new(&db);
    for args in [&["list"][..], &["migrate"], &["advance", "b1"], &["doctor"]] {
        db.run(args)
            .one_line_error(1, &["newer than this baton knows", "not modified"]);
        before.check(&db, &format!("after {args:?}"));
    }

    let db = TestDb::cli(b);
    tamper(
        &db,
        "UPDATE baton_migrations SET checksum = 'deadbeef' WHERE version = 1",
    );
    let before = Unchanged::new(&db);
    db.run(&["migrate"])
        .one_line_error(1, &["checksum", "deadbeef", "not modified"]);
    db.run(&["list"]).one_line_error(1, &["checksum"]);
    before.check(&db, "after migrate and list");
}

/// Changes the database behind baton's back; on SQLite also folds the WAL into the file,
/// so that its bytes can be compared afterwards.
fn tamper(db: &TestDb, sql: &str) {
    db.raw().batch(sql);
    if !db.backend.is_pg() {
        checkpoint_wal(&db.path);
    }
}

/// What a refused command must leave as it was: every row, and on SQLite the file's bytes.
struct Unchanged {
    rows: Vec<String>,
    bytes: Option<Vec<u8>>,
}

impl Unchanged {
    fn new(db: &TestDb) -> Unchanged {
        Unchanged {
            rows: db.dump(),
            bytes: (!db.backend.is_pg()).then(|| std::fs::read(&db.path).unwrap()),
        }
    }

    fn check(&self, db: &TestDb, when: &str) {
        assert_eq!(db.dump(), self.rows, "{when}");
        if let Some(bytes) = &self.bytes {
            assert!(
                &std::fs::read(&db.path).unwrap() == bytes,
                "file bytes {when}"
            );
        }
    }
}

fn verify_and_doctor_name_what_is_broken(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    db.raw().batch("DROP INDEX idx_events_workflow_seq");
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

    let db = TestDb::cli(b);
    db.start("b1");
    db.raw()
        .batch("UPDATE build_workflows SET version = 5, current_state = 'limbo'");
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

fn a_duplicate_build_id_is_a_conflict(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    db.run(&["start", "--project", "p", "--build-id", "b1"])
        .one_line_error(4, &["build id 'b1' already exists"]);
}

fn illegal_transitions_exit_4_and_leave_the_workflow_alone(b: Backend) {
    let db = TestDb::cli(b);
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

/// A database name that does not exist on the test server.
fn missing_pg_url() -> String {
    let name = format!("baton_missing_{}", std::process::id());
    common::pg::with_database(&common::pg::admin_url(), &name)
}

fn pg_database_exists(name: &str) -> bool {
    let mut c =
        postgres::Client::connect(&common::pg::admin_url(), postgres::NoTls).expect("admin");
    c.query_one(
        "SELECT count(*) FROM pg_database WHERE datname = $1",
        &[&name],
    )
    .unwrap()
    .get::<_, i64>(0)
        == 1
}

// PostgreSQL only: a URL naming a database that is not on the server.
#[test]
fn a_missing_postgres_database_names_createdb_and_is_never_created() {
    let url = missing_pg_url();
    let name = url.rsplit('/').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut every: Vec<&[&str]> = NEEDS_A_DATABASE.to_vec();
    every.push(&["migrate"]);
    for args in every {
        let mut all = vec!["--db", url.as_str()];
        all.extend_from_slice(args);
        run_in(dir.path(), &all).one_line_error(
            1,
            &[
                &format!("database '{name}' does not exist"),
                &format!("createdb {name}"),
                "baton migrate --db",
            ],
        );
        assert!(
            !pg_database_exists(&name),
            "`baton {args:?}` created {name}"
        );
    }
}

// PostgreSQL only: a database that exists but has no schema (SQLite's counterpart is the
// missing file above).
#[test]
fn an_empty_postgres_database_is_reported_and_left_empty() {
    let db = TestDb::empty(Backend::Postgres);
    for args in NEEDS_A_DATABASE {
        db.run(args)
            .one_line_error(1, &["empty database", "baton migrate --db"]);
        assert!(!db.has_schema(), "`baton {args:?}` created the schema");
        assert_eq!(db.dump(), Vec::<String>::new(), "after {args:?}");
    }
}

// PostgreSQL only: nothing listens at the URL's port.
#[test]
fn an_unreachable_server_is_one_clear_line_within_seconds() {
    let url = format!("postgres://postgres:{SECRET}@127.0.0.1:1/baton");
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["status", "b1", "--json"],
        &["advance", "b1"],
        &["migrate"],
        &["doctor", "--json"],
        &["events", "--follow"],
    ] {
        let mut all = vec!["--db", url.as_str()];
        all.extend_from_slice(args);
        let t = Instant::now();
        let r = run_in(dir.path(), &all);
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "`baton {args:?}` took {:?}",
            t.elapsed()
        );
        r.one_line_error(1, &["cannot connect", "127.0.0.1:1", "connection refused"]);
        assert_no_secret(&r, &format!("{args:?}"));
    }
}

// PostgreSQL only: a server that wants a password and refuses the one given (the test
// server trusts everyone, so a stand-in speaks the protocol's refusal).
#[test]
fn a_wrong_password_is_one_line_without_the_password() {
    let port = server_refusing_passwords();
    let url = format!("postgres://postgres:{SECRET}@127.0.0.1:{port}/baton");
    let dir = tempfile::tempdir().unwrap();
    for args in [&["list"][..], &["status", "b1", "--json"], &["migrate"]] {
        let mut all = vec!["--db", url.as_str()];
        all.extend_from_slice(args);
        let t = Instant::now();
        let r = run_in(dir.path(), &all);
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
        r.one_line_error(
            1,
            &["refused the password", "user 'postgres'", "postgres:***@"],
        );
        assert_no_secret(&r, &format!("{args:?}"));
    }
    // A user the server does not know is refused the same way, by the real server.
    let unknown = common::pg::admin_url().replacen("postgres@", "nobody_here:x@", 1);
    run_in(dir.path(), &["--db", &unknown, "list"])
        .one_line_error(1, &["refused user 'nobody_here'", "does not exist"]);
}

// PostgreSQL only: a password in the URL is used to connect and shown nowhere.
#[test]
fn a_url_password_never_appears_in_any_output() {
    let db = TestDb::empty(Backend::Postgres);
    let url = with_secret(&db.arg());
    let dir = db.dir.path();
    let run = |args: &[&str]| {
        let mut all = vec!["--db", url.as_str()];
        all.extend_from_slice(args);
        let r = run_in(dir, &all);
        assert_no_secret(&r, &format!("{args:?}"));
        r
    };
    run(&["migrate"]).code(0);
    let v = run(&["migrate", "--json"]);
    v.code(0);
    assert!(v.json()["path"].as_str().unwrap().contains("postgres:***@"));
    run(&["migrate", "--verify", "--json"]).code(0);
    run(&["start", "--project", "p", "--build-id", "b1", "--json"]).code(0);
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["status", "b1"],
        &["status", "b1", "--json"],
        &["events", "--json"],
        &["doctor"],
        &["doctor", "--json"],
        &["advance", "b1", "--json"],
        &["definition", "list", "--json"],
    ] {
        run(args).code(0);
    }
    // Errors too: not found, a conflict, a read-only refusal, a usage error.
    run(&["status", "nope"]).code(3);
    run(&["advance", "b1", "--expect-version", "1"]).code(4);
    run(&["--read-only", "advance", "b1"]).code(1);
    run(&["--read-only", "migrate"]).code(2);
    // Through BATON_DB as well.
    let r = baton(dir)
        .env("BATON_DB", &url)
        .args(["status", "nope", "--json"])
        .output()
        .unwrap();
    assert_no_secret(&common::cli::Run::from_output(r), "BATON_DB status");
}

both!(
    baton_db_env_chooses_the_database,
    malformed_output_json_is_a_usage_error_that_changes_nothing,
    bad_metadata_and_empty_names_are_usage_errors,
    an_unknown_workflow_is_not_found_for_every_command,
    an_ambiguous_prefix_is_a_usage_error_naming_the_matches,
    clap_usage_errors_exit_2,
    help_documents_exit_codes_and_examples_for_every_subcommand,
    a_newer_or_altered_schema_is_refused_and_the_file_not_modified,
    verify_and_doctor_name_what_is_broken,
    a_duplicate_build_id_is_a_conflict,
    illegal_transitions_exit_4_and_leave_the_workflow_alone,
);
