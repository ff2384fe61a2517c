//! Throwaway PostgreSQL databases for the tests: one fresh database per test on the server
//! named by `BATON_TEST_PG` (default: the local server), dropped again when the test ends.
//! When no server can be reached the test fails with one line that says what to do; it
//! never skips.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

/// The maintenance connection's URL: `BATON_TEST_PG`, or the local server.
pub fn admin_url() -> String {
    std::env::var("BATON_TEST_PG")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database created for one test, dropped (with its connections) on drop.
pub struct PgDb {
    pub name: String,
    /// The URL baton connects with (the admin URL with this database's name).
    pub url: String,
}

fn admin() -> postgres::Client {
    let url = admin_url();
    postgres::Client::connect(&url, postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL tests need a server: cannot connect to BATON_TEST_PG={} ({e}); \
             install and start PostgreSQL (`.ci/run` does: apt-get install postgresql; \
             pg_ctlcluster 15 main start) or set BATON_TEST_PG to a server where this user \
             may CREATE DATABASE",
            baton::store::redact(&url)
        )
    })
}

/// Replaces the database name (the path) of a postgres URL.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{db}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl PgDb {
    /// An empty database (no schema).
    pub fn empty() -> PgDb {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "baton_test_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        admin()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let url = with_database(&admin_url(), &name);
        PgDb { name, url }
    }

    /// A database with baton's schema.
    pub fn migrated() -> PgDb {
        let db = PgDb::empty();
        baton::store::Store::open(
            baton::store::Target::parse(&db.url),
            baton::store::OpenMode::Create,
        )
        .expect("migrate the test database");
        db
    }

    /// A plain client on this database, as another program would have.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to {}: {e}", self.name))
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut c) = std::panic::catch_unwind(admin) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
