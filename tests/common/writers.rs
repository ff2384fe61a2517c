//! Outside writers for the tests: programs in other languages (tests/writers/) that write
//! baton's tables with plain SQL, and a database on either backend to run them and the
//! built `baton` binary against. When a writer's driver is missing the test fails with one
//! line naming the install command; it never skips.
#![allow(dead_code)]

use super::pg::PgDb;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

/// Recorded as the actor of the commands these tests run.
pub const OPERATOR: &str = "operator:writers-test";

/// The folder of the writer scripts (and of node-postgres, after `npm ci` there).
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/writers")
}

/// What one run of a program did.
#[derive(Debug)]
pub struct Out {
    pub what: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    fn of(what: String, o: Output) -> Out {
        Out {
            what,
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing everything the program printed when it differs.
    pub fn code(&self, expected: i32) -> &Out {
        assert_eq!(
            self.code, expected,
            "`{}`: expected exit {expected}\nstdout:\n{}\nstderr:\n{}",
            self.what, self.stdout, self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "`{}` panicked:\n{}",
            self.what,
            self.stderr
        );
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`{}`: stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.what, self.stdout, self.stderr
            )
        })
    }
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A migrated database on one backend, with a temp dir to run baton in (so that a default
/// `baton.db` could never land in the repository). The PostgreSQL database is dropped when
/// this is dropped.
pub struct WriterDb {
    pub backend: Backend,
    /// What `--db` takes: the file's path or the server's URL.
    pub target: String,
    pub dir: TempDir,
    _pg: Option<PgDb>,
}

impl WriterDb {
    pub fn new(backend: Backend) -> WriterDb {
        match backend {
            Backend::Sqlite => WriterDb::sqlite(),
            Backend::Postgres => WriterDb::postgres(),
        }
    }

    /// A SQLite file created by `baton migrate`.
    pub fn sqlite() -> WriterDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("baton.db").to_str().unwrap().to_string();
        let db = WriterDb {
            backend: Backend::Sqlite,
            target,
            dir,
            _pg: None,
        };
        db.run(&["migrate"]).code(0);
        db
    }

    /// A throwaway PostgreSQL database with baton's schema (`BATON_TEST_PG`'s server).
    pub fn postgres() -> WriterDb {
        let pg = PgDb::migrated();
        WriterDb {
            backend: Backend::Postgres,
            target: pg.url.clone(),
            dir: tempfile::tempdir().expect("temp dir"),
            _pg: Some(pg),
        }
    }

    /// `baton` with `--db` this database, a clean environment and a fixed actor.
    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_baton"));
        c.current_dir(self.dir.path())
            .env_remove("BATON_DB")
            .env("BATON_ACTOR", OPERATOR)
            .env("NO_COLOR", "1")
            .args(["--db", &self.target]);
        c
    }

    /// `baton --db TARGET args...`
    pub fn run(&self, args: &[&str]) -> Out {
        let o = self.command().args(args).output().expect("run baton");
        Out::of(format!("baton {}", args.join(" ")), o)
    }

    /// Runs, asserts exit 0, parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let r = self.run(args);
        r.code(0);
        r.json()
    }

    /// Every event of one workflow, oldest first.
    pub fn events(&self, key: &str) -> Vec<Value> {
        let v = self.json(&["events", "--workflow", key, "--limit", "100000", "--json"]);
        v.as_array().expect("events array").clone()
    }

    /// A plain client on the PostgreSQL database (as its admin), for set-up.
    pub fn pg_client(&self) -> postgres::Client {
        self._pg.as_ref().expect("a PostgreSQL database").client()
    }

    /// Runs a writer script with this database as its first argument.
    pub fn write(&self, writer: Writer, args: &[&str]) -> Out {
        writer.run(&self.target, args)
    }
}

/// A program in another language that writes baton's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// tests/writers/pg_writer.py: Python, psycopg 3, PostgreSQL.
    PythonPg,
    /// tests/writers/pg_writer.js: Node.js, node-postgres, PostgreSQL.
    NodePg,
    /// tests/writers/seed_writer.py: Python writing the seeds' vocabulary, sqlite3 or psycopg.
    Seed(Backend),
}

impl Writer {
    /// Fails the test with one line if the driver this writer needs is missing.
    pub fn require(self) {
        let (program, check, install) = match self {
            Writer::PythonPg | Writer::Seed(Backend::Postgres) => (
                "python3",
                vec!["-c", "import psycopg"],
                "python3 -m pip install 'psycopg[binary]' (.ci/run does)",
            ),
            Writer::Seed(Backend::Sqlite) => (
                "python3",
                vec!["-c", "import sqlite3"],
                "a python3 with its sqlite3 module (apt-get install python3)",
            ),
            Writer::NodePg => (
                "node",
                vec!["-e", "require('pg')"],
                "npm ci --prefix tests/writers (.ci/run does)",
            ),
        };
        let ok = Command::new(program)
            .args(&check)
            .current_dir(scripts_dir())
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "{self:?} writer: `{program} {}` failed; install it: {install}",
            check.join(" ")
        );
    }

    /// Runs the writer on `target` with `args`; asserts it succeeded.
    pub fn run(self, target: &str, args: &[&str]) -> Out {
        let out = self.try_run(target, args);
        out.code(0);
        out
    }

    /// Runs the writer on `target` with `args`, whatever comes of it.
    pub fn try_run(self, target: &str, args: &[&str]) -> Out {
        self.require();
        let (program, script, backend): (&str, &str, Option<&str>) = match self {
            Writer::PythonPg => ("python3", "pg_writer.py", None),
            Writer::NodePg => ("node", "pg_writer.js", None),
            Writer::Seed(Backend::Sqlite) => ("python3", "seed_writer.py", Some("sqlite")),
            Writer::Seed(Backend::Postgres) => ("python3", "seed_writer.py", Some("postgres")),
        };
        let mut c = Command::new(program);
        c.current_dir(scripts_dir()).arg(scripts_dir().join(script));
        if let Some(b) = backend {
            c.arg(b);
        }
        c.arg(target).args(args);
        let o = c.output().unwrap_or_else(|e| panic!("run {program}: {e}"));
        Out::of(format!("{program} {script} {}", args.join(" ")), o)
    }
}

/// True when `s` looks like a UUID in its text form (what PostgreSQL's default id is).
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The `check` names of the doctor's problems whose detail mentions `needle`.
pub fn problems_about<'a>(doctor: &'a Value, needle: &str) -> Vec<&'a str> {
    doctor["problems"]
        .as_array()
        .expect("doctor --json has problems")
        .iter()
        .filter(|p| p["detail"].as_str().is_some_and(|d| d.contains(needle)))
        .map(|p| p["check"].as_str().expect("check name"))
        .collect()
}

/// A PostgreSQL URL with its user (and password) replaced.
pub fn with_user(url: &str, user: &str, password: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    format!("{}{user}:{password}@{host}", &url[..scheme_end])
}

/// A login role made for one test, dropped when the test ends (after its databases, so
/// declare it before them).
pub struct PgRole {
    pub name: String,
    pub password: String,
}

impl PgRole {
    pub fn new(prefix: &str) -> PgRole {
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let password = "writer-test-pw".to_string();
        admin()
            .batch_execute(&format!("CREATE ROLE {name} LOGIN PASSWORD '{password}'"))
            .unwrap_or_else(|e| panic!("CREATE ROLE {name}: {e}"));
        PgRole { name, password }
    }

    /// `url` with this role as its user.
    pub fn url(&self, url: &str) -> String {
        with_user(url, &self.name, &self.password)
    }
}

impl Drop for PgRole {
    fn drop(&mut self) {
        if let Ok(mut c) = std::panic::catch_unwind(admin) {
            let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS {}", self.name));
        }
    }
}

fn admin() -> postgres::Client {
    postgres::Client::connect(&super::pg::admin_url(), postgres::NoTls)
        .unwrap_or_else(|e| panic!("connect to BATON_TEST_PG: {e}"))
}
