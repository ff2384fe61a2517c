//! Security posture: every SQL statement takes its values as bound parameters (checked in
//! the source, and by trying injections through the CLI); SQL lives only in `src/store`;
//! nothing in baton starts a program or a shell; new database files (and the -wal and -shm
//! files SQLite keeps beside them) are readable by their owner only. That read-only mode is
//! enforced by the SQLite connection itself is tested in `src/store/open.rs`.

mod common;

use common::backend::*;
use common::cli::run_in;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(p: &Path, out: &mut Vec<(PathBuf, String)>) {
        for e in std::fs::read_dir(p).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
    out
}

/// Every `format!(...)` call in `text`: (the format string, the arguments after it).
fn format_calls(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("format!(") {
        rest = &rest[i + "format!(".len()..];
        // Find the closing parenthesis, skipping string literals (plain and raw).
        let b = rest.as_bytes();
        let (mut depth, mut j, mut literal, mut args) = (1, 0, None, Vec::new());
        let mut arg_start = None;
        while j < b.len() && depth > 0 {
            match b[j] {
                b'r' if rest[j..].starts_with("r#\"") || rest[j..].starts_with("r\"") => {
                    let hashes = rest[j + 1..].chars().take_while(|c| *c == '#').count();
                    let close = format!("\"{}", "#".repeat(hashes));
                    let start = j + 2 + hashes;
                    let end = start + rest[start..].find(&close).unwrap();
                    if literal.is_none() {
                        literal = Some(rest[start..end].to_string());
                    }
                    j = end + close.len();
                    continue;
                }
                b'"' => {
                    let mut k = j + 1;
                    while b[k] != b'"' {
                        k += if b[k] == b'\\' { 2 } else { 1 };
                    }
                    if literal.is_none() {
                        literal = Some(rest[j + 1..k].to_string());
                    }
                    j = k + 1;
                    continue;
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 1 => {
                    if let Some(s) = arg_start {
                        args.push(rest[s..j].trim().to_string());
                    }
                    arg_start = Some(j + 1);
                }
                _ => {}
            }
            j += 1;
        }
        if let Some(s) = arg_start {
            args.push(rest[s..j - 1].trim().to_string());
        }
        if let Some(l) = literal {
            out.push((l, args.into_iter().filter(|a| !a.is_empty()).collect()));
        }
    }
    out
}

/// What may be spliced into SQL text: constant column lists and table names, placeholder
/// numbers, and lists built from those. Anything else must be a bound parameter.
const SPLICE_OK: &[&str] = &[
    "WORKFLOW_FULL",
    "WORKFLOW_SUMMARY",
    "HANDOFF",
    "EVENT",
    "CHECKPOINT",
    "LEDGER",
    "LIVE",
    "versioned",
    "transitions",
    "entering",
    "t",
    "args.len()",
    "i + 3",
    "assignments.join(\", \")",
    "t.key",
    "t.name",
    "cols.join(\", \")",
    "prefixed(\"h\", HANDOFF)",
    // store/*/pages.rs: conditions and branches built from fixed fragments around
    // placeholders (`p.arg`), the order and the index chosen by code, the limit a placeholder.
    "BUILD_INDEX",
    "branch_sql(b, WORKFLOW_SUMMARY, true, &limit)",
    "conds",
    "b.index",
    "parts.join(\" + \")",
    "branch_sql(b, \"1\", false, &cap)",
    "parts.join(\" UNION ALL \")",
    "limit",
    "order",
    "columns",
    "conds.join(\" AND \")",
    // store/prune.rs: the finished predicate, a constant.
    "FINISHED_SQL",
    // store/doctor_scope.rs and the doctor: the scope's conditions, built from constants,
    // a Timestamp baton formats (`since_text`) and the ids query built so.
    "QUICK_LIVE",
    "QUICK_EVENTS",
    "alias",
    "since_text",
    "ids",
    "only",
    "workflows",
    "events",
    "statuses",
    "completed",
    "VACUUM_STEP",
    // store/*/metric_events.rs: the projection's column list, a constant; on PostgreSQL the
    // window's bounds, which COPY cannot take as parameters: typed `i64` where they are
    // made.
    "COLUMNS",
    "copy_after_ms",
    "copy_after_seq",
    "copy_until_ms",
];

#[test]
fn sql_in_the_store_splices_only_constants() {
    let sql_words = [
        "SELECT ", "INSERT ", "UPDATE ", "DELETE ", "PRAGMA ", " WHERE ", "SET ",
    ];
    let mut checked = 0;
    for (path, text) in sources("src/store") {
        for (literal, args) in format_calls(&text) {
            if !sql_words.iter().any(|w| literal.contains(w)) {
                continue;
            }
            checked += 1;
            let mut spliced: Vec<String> = args.clone();
            // Named captures: `{name}` (not `{{`).
            let mut rest = literal.as_str();
            while let Some(i) = rest.find('{') {
                if rest[i..].starts_with("{{") {
                    rest = &rest[i + 2..];
                    continue;
                }
                let end = rest[i..].find('}').map_or(rest.len(), |e| i + e);
                let name = rest[i + 1..end].split(':').next().unwrap_or("").to_string();
                if !name.is_empty() {
                    spliced.push(name);
                }
                rest = &rest[(end + 1).min(rest.len())..];
            }
            for s in spliced {
                assert!(
                    SPLICE_OK.contains(&s.as_str()),
                    "{}: `{s}` is spliced into SQL text; bind it as a parameter instead:\n{literal}",
                    path.display()
                );
            }
        }
    }
    assert!(
        checked >= 15,
        "the scan found only {checked} SQL format! calls"
    );
}

#[test]
fn sql_lives_only_in_the_store_and_nothing_starts_a_program() {
    for dir in ["src/cli", "src/tui", "src/engine", "src/sim", "src/model"] {
        for (path, text) in sources(dir) {
            for needle in [
                "rusqlite",
                "SELECT ",
                "INSERT INTO",
                "UPDATE build_",
                "DELETE FROM",
            ] {
                assert!(
                    !text.contains(needle),
                    "{} contains {needle:?}: SQL belongs in src/store",
                    path.display()
                );
            }
        }
    }
    for (path, text) in sources("src") {
        for needle in ["Command::new", "process::Command", "libc::system", "exec("] {
            assert!(
                !text.contains(needle),
                "{} contains {needle:?}: baton starts no programs, so no database text can reach a shell",
                path.display()
            );
        }
    }
}

fn injection_attempts_are_plain_values(b: Backend) {
    let db = TestDb::cli(b);
    db.start("b1");
    let sneaky_project = "x' OR '1'='1";
    assert_eq!(
        db.json(&["list", "--project", sneaky_project, "--json"]),
        serde_json::json!([])
    );
    assert_eq!(
        db.json(&["list", "--phase", "' OR 1=1 --", "--json"]),
        serde_json::json!([])
    );
    db.run(&["status", "'; DROP TABLE build_workflows; --"])
        .code(3);
    db.run(&["advance", "b1' OR '1'='1"]).code(3);
    // LIKE wildcards are not wildcards: a prefix of "%" or "_" matches nothing.
    db.run(&["status", "%"]).code(3);
    db.run(&["status", "_"]).code(3);
    db.run(&["ack", "%"]).code(3);
    // Stored literally, read back literally.
    let evil = "'); DROP TABLE workflow_events; --";
    db.json(&["start", "--project", evil, "--build-id", "b'2", "--json"]);
    let w = db.workflow("b'2");
    assert_eq!(w["project_id"], evil);
    assert_eq!(
        db.json(&["list", "--project", evil, "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    db.run(&["events"]).code(0);
    db.run(&["doctor"]).code(0);
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

// SQLite only: file modes of the database and its -wal/-shm files.
#[test]
fn new_database_files_are_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("migrated.db");
    run_in(dir.path(), &["--db", a.to_str().unwrap(), "migrate"]).code(0);
    assert_eq!(mode(&a), 0o600, "baton migrate");
    let b = dir.path().join("simulated.db");
    run_in(
        dir.path(),
        &[
            "--db",
            b.to_str().unwrap(),
            "simulate",
            "--workflows",
            "1",
            "--rate",
            "0",
        ],
    )
    .code(0);
    assert_eq!(mode(&b), 0o600, "baton simulate");
    // The -wal and -shm files SQLite creates take the database file's mode.
    let c = rusqlite::Connection::open(&a).unwrap();
    c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    for suffix in ["-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", a.display()));
        assert_eq!(mode(&p), 0o600, "{suffix}");
    }
}

both!(injection_attempts_are_plain_values);
