//! Helpers for the command-line tests: run the built `baton` binary against real SQLite
//! files in temp dirs and check its exit code, stdout and stderr.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

pub const ACTOR: &str = "test:cli";

/// What one run of baton did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(o: Output) -> Run {
        Run::from(o)
    }

    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing everything baton printed when it differs.
    pub fn code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code, expected,
            "expected exit {expected}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "baton panicked:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts a failure with exit `code` and exactly one line `error: ...` on stderr that
    /// contains every one of `needles`; returns that line.
    pub fn one_line_error(&self, code: i32, needles: &[&str]) -> String {
        self.code(code);
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr, got:\n{}", self.stderr);
        let line = lines[0];
        assert!(line.starts_with("error: "), "{line}");
        for n in needles {
            assert!(line.contains(n), "{line:?} should contain {n:?}");
        }
        line.to_string()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// A `baton` command with a clean environment: no BATON_DB, a fixed actor, and the temp
/// dir as working directory (so a default `baton.db` could never land in the repository).
/// The config directory is the temp dir too: no config file unless a test writes
/// `baton/config.toml` there.
pub fn baton(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_baton"));
    c.current_dir(cwd)
        .env_remove("BATON_DB")
        .env_remove("BATON_CONFIG")
        .env("XDG_CONFIG_HOME", cwd)
        .env("BATON_ACTOR", ACTOR)
        .env("NO_COLOR", "1");
    c
}

pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    Run::from(baton(cwd).args(args).output().expect("run baton"))
}

/// A temp dir with a database created by `baton migrate`.
pub struct Db {
    pub dir: TempDir,
    pub path: PathBuf,
}

impl Db {
    pub fn new() -> Db {
        let db = Db::unmigrated();
        db.run(&["migrate"]).code(0);
        db
    }

    /// A temp dir where the database file does not exist yet.
    pub fn unmigrated() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("baton.db");
        Db { dir, path }
    }

    pub fn path_str(&self) -> &str {
        self.path.to_str().expect("utf-8 temp path")
    }

    /// `baton --db PATH args...`
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--db", self.path_str()];
        all.extend_from_slice(args);
        run_in(self.dir.path(), &all)
    }

    /// Runs, asserts exit 0, parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let r = self.run(args);
        r.code(0);
        r.json()
    }

    /// Starts a workflow with this build id in project `shop`; returns it as JSON.
    pub fn start(&self, build: &str) -> Value {
        self.json(&["start", "--project", "shop", "--build-id", build, "--json"])
    }

    pub fn workflow(&self, key: &str) -> Value {
        self.json(&["status", key, "--json"])["workflow"].clone()
    }

    pub fn events(&self, key: &str) -> Vec<Value> {
        let v = self.json(&["events", "--workflow", key, "--limit", "100000", "--json"]);
        v.as_array().expect("events array").clone()
    }

    /// (version, number of events) of a workflow: what a refused command must not change.
    pub fn fingerprint(&self, key: &str) -> (i64, usize) {
        let w = self.workflow(key);
        (
            w["version"].as_i64().expect("version"),
            self.events(key).len(),
        )
    }

    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).expect("read database file")
    }
}

/// The workflow's id as a string.
pub fn id(w: &Value) -> String {
    w["id"].as_str().expect("id").to_string()
}
