//! One set of test bodies for both backends. A test is a plain `fn name(b: Backend)`;
//! `both!(name);` turns it into `name::sqlite` and `name::postgres`, so a failure names
//! its backend. [`TestDb`] gives, for either backend, the `--db` string for the CLI, a
//! [`Store`], and a [`Raw`] outside connection that runs the same checking SQL on SQLite
//! (rusqlite) and on PostgreSQL (postgres::Client).
//!
//! Raw SQL is written once with `$1`, `$2`… placeholders (PostgreSQL's; translated to
//! `?1`… for SQLite) and in the dialect both accept: `"current_role"` quoted, no `rowid`,
//! `CAST(… AS bigint)` around sums. Values come back as [`Cell`]s: on PostgreSQL `jsonb` is
//! its JSON text and `timestamptz` is baton's text form (`2024-01-02T03:04:05.678Z`), so
//! the same assertions read both.
#![allow(dead_code)]

use super::cli::{Run, run_in};
use super::pg::PgDb;
use baton::store::{OpenMode, Store, Target};
use chrono::{DateTime, SecondsFormat, Utc};
use postgres::types::{ToSql, Type};
use rusqlite::types::ValueRef;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn is_pg(self) -> bool {
        self == Backend::Postgres
    }

    /// `sqlite` on SQLite, `pg` on PostgreSQL: for the few statements (fault-injecting
    /// triggers, schema damage) that have no common spelling.
    /// The migrations this backend has, and the schema version they bring it to.
    pub fn migrations(self) -> &'static [baton::store::Migration] {
        self.pick(baton::store::MIGRATIONS, baton::store::POSTGRES_MIGRATIONS)
    }

    pub fn latest_version(self) -> i64 {
        baton::store::latest(self.migrations())
    }

    pub fn pick<T>(self, sqlite: T, pg: T) -> T {
        match self {
            Backend::Sqlite => sqlite,
            Backend::Postgres => pg,
        }
    }
}

/// `both!(a, b);` after `fn a(b: Backend)` and `fn b(b: Backend)`: one test per backend,
/// named `a::sqlite`, `a::postgres`.
#[allow(unused_macros)]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name($crate::common::backend::Backend::Sqlite)
                }
                #[test]
                fn postgres() {
                    super::$name($crate::common::backend::Backend::Postgres)
                }
            }
        )+
    };
}
#[allow(unused_imports)]
pub(crate) use both;

/// A migrated (or, with [`TestDb::empty`], not yet created) database of one backend:
/// a file in a temp dir, or a throwaway database on the test server.
pub struct TestDb {
    pub backend: Backend,
    /// The working directory for CLI runs (and, on SQLite, where the file lives).
    pub dir: TempDir,
    /// The SQLite file (unused on PostgreSQL).
    pub path: PathBuf,
    pub pg: Option<PgDb>,
}

impl TestDb {
    /// A database migrated through the library.
    pub fn new(backend: Backend) -> TestDb {
        let db = TestDb::empty(backend);
        let (_, opened) = Store::open(db.target(), OpenMode::Create).expect("create database");
        assert!(opened.created, "a new database is reported as created");
        db
    }

    /// A database migrated by `baton migrate`, as the CLI tests start from.
    pub fn cli(backend: Backend) -> TestDb {
        let db = TestDb::empty(backend);
        db.run(&["migrate"]).code(0);
        db
    }

    /// No schema yet: on SQLite the file does not exist, on PostgreSQL the database exists
    /// and is empty.
    pub fn empty(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("baton.db");
        let pg = backend.is_pg().then(PgDb::empty);
        TestDb {
            backend,
            dir,
            path,
            pg,
        }
    }

    /// What `--db` takes: the file path or the database URL.
    pub fn arg(&self) -> String {
        match &self.pg {
            Some(pg) => pg.url.clone(),
            None => self.path.to_str().expect("utf-8 temp path").to_string(),
        }
    }

    /// How baton shows this database (the URL has no password here, so the same).
    pub fn shown(&self) -> String {
        self.arg()
    }

    pub fn target(&self) -> Target {
        Target::parse(&self.arg())
    }

    /// The PostgreSQL database's name (panics on SQLite).
    pub fn pg_name(&self) -> &str {
        &self.pg.as_ref().expect("a PostgreSQL test database").name
    }

    pub fn store(&self) -> Store {
        Store::open(self.target(), OpenMode::ReadWrite)
            .expect("open database")
            .0
    }

    pub fn open(&self, mode: OpenMode) -> baton::store::Result<Store> {
        Store::open(self.target(), mode).map(|(s, _)| s)
    }

    /// A plain connection, as another program would have.
    pub fn raw(&self) -> Raw {
        match &self.pg {
            Some(pg) => Raw::Pg(pg.client()),
            None => Raw::Sqlite(rusqlite::Connection::open(&self.path).expect("raw connection")),
        }
    }

    /// Whether the schema is there (SQLite: the file exists and has the workflows table).
    pub fn has_schema(&self) -> bool {
        if !self.backend.is_pg() && !self.path.exists() {
            return false;
        }
        let sql = self.backend.pick(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'build_workflows'",
            "SELECT count(*) FROM pg_tables WHERE tablename = 'build_workflows'",
        );
        self.raw().value::<i64>(sql, &[]) == 1
    }

    // ---- the CLI ----

    /// `baton --db DB args...` in the temp dir.
    pub fn run(&self, args: &[&str]) -> Run {
        let arg = self.arg();
        let mut all = vec!["--db", arg.as_str()];
        all.extend_from_slice(args);
        run_in(self.dir.path(), &all)
    }

    /// Writes `json` to `NAME.json` in the temp dir and adds it with `baton definition add`.
    pub fn add_definition(&self, name: &str, json: &str) {
        let file = self.dir.path().join(format!("{name}.json"));
        std::fs::write(&file, json).unwrap();
        self.run(&["definition", "add", file.to_str().unwrap()])
            .code(0);
    }

    /// `baton args...` with BATON_DB naming this database.
    pub fn command(&self) -> std::process::Command {
        let mut c = super::cli::baton(self.dir.path());
        c.env("BATON_DB", self.arg());
        c
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

    /// Starts `build` of project `p` with `definition` (added first).
    pub fn start_in(&self, definition: &str, build: &str) -> Value {
        self.json(&[
            "start",
            "--project",
            "p",
            "--build-id",
            build,
            "--definition",
            definition,
            "--json",
        ])
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

    /// Every row of the database, to prove a refused command changed nothing.
    pub fn dump(&self) -> Vec<String> {
        self.raw().dump()
    }
}

// ---- the raw connection ----

/// One value read by [`Raw`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// A parameter for [`Raw`]: text, integer or NULL; on PostgreSQL converted to the type the
/// statement expects (text holding JSON for `jsonb`, baton's time text for `timestamptz`).
#[derive(Debug, Clone, PartialEq)]
pub enum P {
    Null,
    Int(i64),
    Text(String),
}

pub trait Param {
    fn param(&self) -> P;
}
impl Param for str {
    fn param(&self) -> P {
        P::Text(self.to_string())
    }
}
impl Param for &str {
    fn param(&self) -> P {
        P::Text(self.to_string())
    }
}
impl Param for String {
    fn param(&self) -> P {
        P::Text(self.clone())
    }
}
impl Param for i64 {
    fn param(&self) -> P {
        P::Int(*self)
    }
}
impl Param for i32 {
    fn param(&self) -> P {
        P::Int(i64::from(*self))
    }
}
impl Param for Value {
    fn param(&self) -> P {
        P::Text(self.to_string())
    }
}
impl<T: Param> Param for Option<T> {
    fn param(&self) -> P {
        self.as_ref().map_or(P::Null, Param::param)
    }
}
impl Param for P {
    fn param(&self) -> P {
        self.clone()
    }
}

pub trait FromCell: Sized {
    fn from_cell(c: &Cell) -> Result<Self, String>;
}
impl FromCell for Cell {
    fn from_cell(c: &Cell) -> Result<Self, String> {
        Ok(c.clone())
    }
}
impl FromCell for i64 {
    fn from_cell(c: &Cell) -> Result<Self, String> {
        match c {
            Cell::Int(v) => Ok(*v),
            other => Err(format!("expected an integer, got {other:?}")),
        }
    }
}
impl FromCell for f64 {
    fn from_cell(c: &Cell) -> Result<Self, String> {
        match c {
            Cell::Int(v) => Ok(*v as f64),
            Cell::Real(v) => Ok(*v),
            other => Err(format!("expected a number, got {other:?}")),
        }
    }
}
impl FromCell for String {
    fn from_cell(c: &Cell) -> Result<Self, String> {
        match c {
            Cell::Text(v) => Ok(v.clone()),
            other => Err(format!("expected text, got {other:?}")),
        }
    }
}
/// JSON: the column's text parsed (SQLite) or the `jsonb` value (PostgreSQL).
impl FromCell for Value {
    fn from_cell(c: &Cell) -> Result<Self, String> {
        match c {
            Cell::Null => Ok(Value::Null),
            Cell::Int(v) => Ok(Value::from(*v)),
            Cell::Real(v) => Ok(Value::from(*v)),
            Cell::Text(s) => serde_json::from_str(s).map_err(|e| format!("not JSON ({e}): {s}")),
        }
    }
}
impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(c: &Cell) -> Result<Self, String> {
        match c {
            Cell::Null => Ok(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

pub trait FromRow: Sized {
    fn from_row(cells: &[Cell]) -> Result<Self, String>;
}
macro_rules! tuple_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: FromCell),+> FromRow for ($($t,)+) {
            fn from_row(cells: &[Cell]) -> Result<Self, String> {
                Ok(($(
                    $t::from_cell(cells.get($i).ok_or("too few columns")?)
                        .map_err(|e| format!("column {}: {e}", $i))?,
                )+))
            }
        }
    };
}
tuple_row!(A 0);
tuple_row!(A 0, B 1);
tuple_row!(A 0, B 1, C 2);
tuple_row!(A 0, B 1, C 2, D 3);
tuple_row!(A 0, B 1, C 2, D 3, E 4);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// Rows each table holds for one workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rows {
    pub handoffs: i64,
    pub checkpoints: i64,
    pub events: i64,
}

/// A plain connection to the test database, as another program would have.
pub enum Raw {
    Sqlite(rusqlite::Connection),
    Pg(postgres::Client),
}

/// `$1` → `?1` (only `$` followed by a digit, so JSON paths like `'$.a'` stay).
fn to_sqlite_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// baton's time text for a PostgreSQL time.
pub fn pg_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("parameter {s:?} is not an RFC 3339 time: {e}"))
        .with_timezone(&Utc)
}

type PgParam = Box<dyn ToSql + Sync>;

fn pg_param(p: &P, ty: &Type) -> PgParam {
    let int = |p: &P| -> Option<i64> {
        match p {
            P::Null => None,
            P::Int(v) => Some(*v),
            P::Text(s) => Some(s.parse().unwrap_or_else(|_| panic!("{s:?} as {ty}"))),
        }
    };
    let text = |p: &P| -> Option<String> {
        match p {
            P::Null => None,
            P::Int(v) => Some(v.to_string()),
            P::Text(s) => Some(s.clone()),
        }
    };
    match *ty {
        Type::INT2 => Box::new(int(p).map(|v| i16::try_from(v).expect("int2"))),
        Type::INT4 => Box::new(int(p).map(|v| i32::try_from(v).expect("int4"))),
        Type::INT8 => Box::new(int(p)),
        Type::FLOAT8 => Box::new(int(p).map(|v| v as f64)),
        Type::BOOL => Box::new(int(p).map(|v| v != 0)),
        Type::JSON | Type::JSONB => Box::new(text(p).map(|s| {
            serde_json::from_str::<Value>(&s)
                .unwrap_or_else(|e| panic!("parameter for a {ty} column is not JSON ({e}): {s}"))
        })),
        Type::TIMESTAMPTZ => Box::new(text(p).map(|s| parse_time(&s))),
        _ => Box::new(text(p)),
    }
}

fn pg_cell(row: &postgres::Row, i: usize) -> Cell {
    let ty = row.columns()[i].type_().clone();
    let get = |r: Result<Option<Cell>, postgres::Error>| {
        r.unwrap_or_else(|e| panic!("column {i} ({ty}): {e}"))
            .unwrap_or(Cell::Null)
    };
    match ty {
        Type::INT2 => get(row
            .try_get::<_, Option<i16>>(i)
            .map(|v| v.map(|v| Cell::Int(v.into())))),
        Type::INT4 => get(row
            .try_get::<_, Option<i32>>(i)
            .map(|v| v.map(|v| Cell::Int(v.into())))),
        Type::INT8 => get(row.try_get::<_, Option<i64>>(i).map(|v| v.map(Cell::Int))),
        Type::OID => get(row
            .try_get::<_, Option<u32>>(i)
            .map(|v| v.map(|v| Cell::Int(v.into())))),
        Type::BOOL => get(row
            .try_get::<_, Option<bool>>(i)
            .map(|v| v.map(|v| Cell::Int(v.into())))),
        Type::FLOAT4 => get(row
            .try_get::<_, Option<f32>>(i)
            .map(|v| v.map(|v| Cell::Real(v.into())))),
        Type::FLOAT8 => get(row.try_get::<_, Option<f64>>(i).map(|v| v.map(Cell::Real))),
        Type::JSON | Type::JSONB => get(row
            .try_get::<_, Option<Value>>(i)
            .map(|v| v.map(|v| Cell::Text(v.to_string())))),
        Type::TIMESTAMPTZ => get(row
            .try_get::<_, Option<DateTime<Utc>>>(i)
            .map(|v| v.map(|t| Cell::Text(pg_time(t))))),
        _ => get(row
            .try_get::<_, Option<String>>(i)
            .map(|v| v.map(Cell::Text))),
    }
}

impl Raw {
    pub fn backend(&self) -> Backend {
        match self {
            Raw::Sqlite(_) => Backend::Sqlite,
            Raw::Pg(_) => Backend::Postgres,
        }
    }

    /// Every row `sql` returns, as cells.
    pub fn try_cells(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
    ) -> Result<Vec<Vec<Cell>>, String> {
        let params: Vec<P> = params.iter().map(|p| p.param()).collect();
        match self {
            Raw::Sqlite(c) => {
                let sql = to_sqlite_placeholders(sql);
                let mut stmt = c.prepare(&sql).map_err(|e| e.to_string())?;
                let n = stmt.column_count();
                let values: Vec<rusqlite::types::Value> = params
                    .iter()
                    .map(|p| match p {
                        P::Null => rusqlite::types::Value::Null,
                        P::Int(v) => rusqlite::types::Value::Integer(*v),
                        P::Text(s) => rusqlite::types::Value::Text(s.clone()),
                    })
                    .collect();
                let mut q = stmt
                    .query(rusqlite::params_from_iter(values))
                    .map_err(|e| e.to_string())?;
                let mut out = Vec::new();
                while let Some(r) = q.next().map_err(|e| e.to_string())? {
                    out.push(
                        (0..n)
                            .map(|i| match r.get_ref(i).expect("column") {
                                ValueRef::Null => Cell::Null,
                                ValueRef::Integer(v) => Cell::Int(v),
                                ValueRef::Real(v) => Cell::Real(v),
                                ValueRef::Text(b) => {
                                    Cell::Text(String::from_utf8_lossy(b).into_owned())
                                }
                                ValueRef::Blob(b) => Cell::Text(format!("<{} bytes>", b.len())),
                            })
                            .collect(),
                    );
                }
                Ok(out)
            }
            Raw::Pg(c) => {
                let stmt = c.prepare(sql).map_err(|e| e.to_string())?;
                let boxed: Vec<PgParam> = params
                    .iter()
                    .zip(stmt.params())
                    .map(|(p, ty)| pg_param(p, ty))
                    .collect();
                let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
                let rows = c.query(&stmt, &refs).map_err(|e| e.to_string())?;
                Ok(rows
                    .iter()
                    .map(|r| (0..r.len()).map(|i| pg_cell(r, i)).collect())
                    .collect())
            }
        }
    }

    pub fn try_query<R: FromRow>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
    ) -> Result<Vec<R>, String> {
        self.try_cells(sql, params)?
            .iter()
            .map(|r| R::from_row(r))
            .collect()
    }

    /// Every row, each as a tuple.
    pub fn query<R: FromRow>(&mut self, sql: &str, params: &[&dyn Param]) -> Vec<R> {
        self.try_query(sql, params)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The first row, if any.
    pub fn opt<R: FromRow>(&mut self, sql: &str, params: &[&dyn Param]) -> Option<R> {
        self.query(sql, params).into_iter().next()
    }

    /// The first row; panics without one.
    pub fn one<R: FromRow>(&mut self, sql: &str, params: &[&dyn Param]) -> R {
        self.opt(sql, params)
            .unwrap_or_else(|| panic!("{sql}: no row"))
    }

    /// The single value of the first row.
    pub fn value<T: FromCell>(&mut self, sql: &str, params: &[&dyn Param]) -> T {
        self.one::<(T,)>(sql, params).0
    }

    /// Runs one statement with parameters; returns the rows changed.
    pub fn try_execute(&mut self, sql: &str, params: &[&dyn Param]) -> Result<u64, String> {
        match self {
            Raw::Sqlite(c) => {
                let sql = to_sqlite_placeholders(sql);
                let values: Vec<rusqlite::types::Value> = params
                    .iter()
                    .map(|p| match p.param() {
                        P::Null => rusqlite::types::Value::Null,
                        P::Int(v) => rusqlite::types::Value::Integer(v),
                        P::Text(s) => rusqlite::types::Value::Text(s),
                    })
                    .collect();
                c.execute(&sql, rusqlite::params_from_iter(values))
                    .map(|n| n as u64)
                    .map_err(|e| e.to_string())
            }
            Raw::Pg(c) => {
                let params: Vec<P> = params.iter().map(|p| p.param()).collect();
                let stmt = c.prepare(sql).map_err(|e| e.to_string())?;
                let boxed: Vec<PgParam> = params
                    .iter()
                    .zip(stmt.params())
                    .map(|(p, ty)| pg_param(p, ty))
                    .collect();
                let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
                c.execute(&stmt, &refs).map_err(|e| e.to_string())
            }
        }
    }

    pub fn execute(&mut self, sql: &str, params: &[&dyn Param]) -> u64 {
        self.try_execute(sql, params)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Several statements without parameters.
    pub fn try_batch(&mut self, sql: &str) -> Result<(), String> {
        match self {
            Raw::Sqlite(c) => c.execute_batch(sql).map_err(|e| e.to_string()),
            Raw::Pg(c) => c.batch_execute(sql).map_err(|e| {
                // The server's message, not just "db error".
                e.as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_string())
            }),
        }
    }

    pub fn batch(&mut self, sql: &str) {
        self.try_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    // ---- checks shared by the suites ----

    pub fn count(&mut self, sql: &str, id: &str) -> i64 {
        self.value(sql, &[&id])
    }

    pub fn rows(&mut self, id: &str) -> Rows {
        Rows {
            handoffs: self.count(
                "SELECT count(*) FROM workflow_handoffs WHERE workflow_id = $1",
                id,
            ),
            checkpoints: self.count(
                "SELECT count(*) FROM workflow_checkpoints WHERE workflow_id = $1",
                id,
            ),
            events: self.count(
                "SELECT count(*) FROM workflow_events WHERE workflow_id = $1",
                id,
            ),
        }
    }

    /// `(version, status, current_state)` of a workflow.
    pub fn head(&mut self, id: &str) -> (i64, String, String) {
        self.one(
            "SELECT version, status, current_state FROM build_workflows WHERE id = $1",
            &[&id],
        )
    }

    /// A workflow's `phase_outputs` as stored.
    pub fn outputs(&mut self, id: &str) -> Value {
        self.value(
            "SELECT phase_outputs FROM build_workflows WHERE id = $1",
            &[&id],
        )
    }

    /// The newest event of a workflow: (type, triggered_by, data).
    pub fn last_event(&mut self, id: &str) -> (String, String, Value) {
        self.one(
            "SELECT event_type, triggered_by, event_data FROM workflow_events
             WHERE workflow_id = $1 ORDER BY seq DESC LIMIT 1",
            &[&id],
        )
    }

    /// The newest pending handoff of `id`.
    pub fn pending_handoff(&mut self, id: &str) -> Option<String> {
        self.opt::<(String,)>(
            &format!(
                "SELECT h.id FROM workflow_handoffs h
                 WHERE h.workflow_id = $1 AND h.acknowledged_at IS NULL
                 ORDER BY {NEWEST_HANDOFF} LIMIT 1"
            ),
            &[&id],
        )
        .map(|r| r.0)
    }

    /// Every row of every table, rendered as text, to compare a whole database
    /// before/after. SQLite: in rowid order; PostgreSQL: in primary-key order.
    pub fn dump(&mut self) -> Vec<String> {
        match self {
            Raw::Sqlite(conn) => super::store::dump(conn),
            Raw::Pg(c) => {
                let tables: Vec<String> = c
                    .query(
                        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()
                         ORDER BY tablename",
                        &[],
                    )
                    .expect("tables")
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let mut out = Vec::new();
                for t in tables {
                    let pk: Vec<String> = c
                        .query(
                            "SELECT a.attname::text FROM pg_index i
                             JOIN pg_attribute a ON a.attrelid = i.indrelid
                                               AND a.attnum = ANY(i.indkey)
                             WHERE i.indrelid = $1::text::regclass AND i.indisprimary
                             ORDER BY array_position(i.indkey, a.attnum)",
                            &[&format!("\"{t}\"")],
                        )
                        .expect("primary key")
                        .iter()
                        .map(|r| format!("\"{}\"", r.get::<_, String>(0)))
                        .collect();
                    let order = if pk.is_empty() {
                        "1".to_string()
                    } else {
                        pk.join(", ")
                    };
                    for r in c
                        .query(
                            &format!("SELECT r::text FROM \"{t}\" r ORDER BY {order}"),
                            &[],
                        )
                        .expect("table rows")
                    {
                        out.push(format!("{t}: {}", r.get::<_, String>(0)));
                    }
                }
                out
            }
        }
    }
}

/// Orders handoffs newest first without `rowid`: by creation time, and within the same
/// instant by the event that created them (every transition's event names its handoff).
pub const NEWEST_HANDOFF: &str = "h.created_at DESC,
    (SELECT max(e.seq) FROM workflow_events e
     WHERE e.workflow_id = h.workflow_id AND e.event_type <> 'handoff_acknowledged'
       AND e.event_data ->> 'handoff_id' = h.id) DESC";

/// Whether `s` is a time in baton's text form (`2024-01-02T03:04:05.678Z`).
pub fn is_timestamp(s: &str) -> bool {
    s.len() == 24 && s.ends_with('Z') && baton::model::time::parse(s).is_some()
}

/// The SQLite file of `db` (for the SQLite-only file checks).
pub fn file_of(db: &TestDb) -> &Path {
    assert!(
        !db.backend.is_pg(),
        "a SQLite-only check on {:?}",
        db.backend
    );
    &db.path
}

/// The password the PostgreSQL-only tests put in URLs; it must never be printed.
pub const SECRET: &str = "s3cretpw";

/// `url` with the user info `postgres:SECRET` (trust authentication accepts any password).
pub fn with_secret(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.split_once('@').map_or(rest, |(_, h)| h);
    format!("{scheme}://postgres:{SECRET}@{host}")
}

/// A local listener that speaks just enough of PostgreSQL's wire protocol to ask for a
/// password and refuse it (SQLSTATE 28P01), as a server with password authentication
/// does; the test server trusts everyone, so this is how a wrong password is tested.
/// Returns its port; it serves until the test process ends.
pub fn server_refusing_passwords() -> u16 {
    use std::net::TcpListener;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = refuse_password(stream);
            });
        }
    });
    port
}

fn refuse_password(mut s: std::net::TcpStream) -> std::io::Result<()> {
    use std::io::{Read, Write};
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let read_body = |s: &mut std::net::TcpStream| -> std::io::Result<Vec<u8>> {
        let mut len = [0u8; 4];
        s.read_exact(&mut len)?;
        let mut body = vec![0; (u32::from_be_bytes(len) as usize).saturating_sub(4)];
        s.read_exact(&mut body)?;
        Ok(body)
    };
    // SSLRequest / GSSENCRequest are declined with 'N'; then comes the startup message.
    loop {
        let body = read_body(&mut s)?;
        let code = body
            .get(..4)
            .map_or(0, |c| u32::from_be_bytes(c.try_into().unwrap()));
        if code == 80_877_103 || code == 80_877_104 {
            s.write_all(b"N")?;
            continue;
        }
        break;
    }
    // AuthenticationCleartextPassword, then the client's PasswordMessage.
    s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3])?;
    let mut tag = [0u8; 1];
    s.read_exact(&mut tag)?;
    read_body(&mut s)?;
    let mut fields = Vec::new();
    for (k, v) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', "28P01"),
        (b'M', "password authentication failed for user \"postgres\""),
    ] {
        fields.push(k);
        fields.extend_from_slice(v.as_bytes());
        fields.push(0);
    }
    fields.push(0);
    let mut msg = vec![b'E'];
    msg.extend_from_slice(&(fields.len() as u32 + 4).to_be_bytes());
    msg.extend(fields);
    s.write_all(&msg)?;
    s.flush()
}

/// Asserts that nothing `r` printed holds [`SECRET`].
pub fn assert_no_secret(r: &Run, what: &str) {
    assert!(
        !r.stdout.contains(SECRET) && !r.stderr.contains(SECRET),
        "`{what}` printed the password:\nstdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
}
