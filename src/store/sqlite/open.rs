//! Opening a database: file checks, connection flags, pragmas, and migrations, in an order
//! that never writes to a file that is about to be refused.

use super::migrate;
use crate::store::error::{Result, StoreError};
use crate::store::migration::{MIGRATIONS, latest};
use crate::store::open::{OpenMode, Opened, Steps};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

pub fn open(
    path: &Path,
    mode: OpenMode,
    busy: Duration,
    steps: Steps,
) -> Result<(Connection, Opened)> {
    let mut opened = Opened::default();
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(StoreError::CannotOpen {
                path: path.into(),
                reason: "it is a directory, not a database file".into(),
            });
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if mode != OpenMode::Create {
                return Err(StoreError::Missing(path.into()));
            }
            create_private(path)?;
            opened.created = true;
        }
        Err(e) => {
            return Err(StoreError::CannotOpen {
                path: path.into(),
                reason: e.to_string(),
            });
        }
    }

    let flags = match mode {
        OpenMode::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        _ => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    };
    let mut conn =
        Connection::open_with_flags(path, flags).map_err(|e| StoreError::CannotOpen {
            path: path.into(),
            reason: explain(&e, path, mode),
        })?;
    conn.busy_timeout(busy)?;
    keep_plans(&conn)?;

    // The first read of the file: a garbage, truncated or locked file fails here, with the
    // driver's error still at hand to say which.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(|e| classify(e, path, mode))?;
    let state = migrate::check(&conn)?;
    if mode == OpenMode::ReadOnly {
        // Belt and braces: the connection is already read-only at the file level.
        conn.pragma_update(None, "query_only", true)?;
        if state.version < latest(MIGRATIONS) {
            return Err(StoreError::NeedsMigration {
                db: state.version,
                binary: latest(MIGRATIONS),
            });
        }
        return Ok((conn, opened));
    }
    if state.version == 0 && state.has_tables && mode != OpenMode::Create {
        return Err(StoreError::CannotOpen {
            path: path.into(),
            reason: format!(
                "it has tables but no baton schema; run `baton migrate --db {}` to add one",
                path.display()
            ),
        });
    }
    if state.version == 0 && mode != OpenMode::Create {
        return Err(StoreError::CannotOpen {
            path: path.into(),
            reason: format!(
                "it is an empty database; run `baton migrate --db {}` to set it up",
                path.display()
            ),
        });
    }
    // Only now, with the schema accepted, may the file change. A new file frees pages
    // incrementally, so `baton prune` can give the space back without rewriting it (the
    // mode can only be chosen before the first table).
    if state.version == 0 && !state.has_tables {
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| StoreError::from_sqlite(e, "switching to WAL"))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // Only a database behind this binary needs the write lock that migrating takes; an
    // up-to-date one is opened without it, so reads never wait on a busy writer.
    if state.version < latest(MIGRATIONS) {
        opened.applied = migrate::apply_pending(&mut conn, steps)?
            .into_iter()
            .map(|m| m.name)
            .collect();
        // A migration that rebuilds a table (schema 9) leaves the old one's pages free.
        if state.version > 0 {
            steps("giving back the pages the migration freed");
            super::prune::give_back(&conn, "migrating")?;
        }
    }
    Ok((conn, opened))
}

/// Cached statements stay compiled. SQLite marks a statement whose plan might depend on a
/// bound value (`workflow_id = ?1` beside an `ORDER BY`, for one) to be compiled again after
/// its bindings are cleared, and rusqlite's statement cache clears them each time a
/// statement goes back: every such query was parsed and planned anew on every use, the
/// write path's snapshot reads among them. The query planner stability guarantee keeps one
/// plan whatever the values (baton keeps no `sqlite_stat4` samples and binds no `LIKE`
/// patterns, the plans that would differ). The cache is sized for every statement one
/// dashboard or command uses, so none is pushed out by the others.
fn keep_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

/// How many prepared statements one connection keeps (rusqlite's default is 16).
const STATEMENT_CACHE: usize = 64;

/// New database files are readable by their owner only: they hold build data.
fn create_private(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
        .map(drop)
        .map_err(|e| StoreError::CannotOpen {
            path: path.into(),
            reason: e.to_string(),
        })
}

/// SQLite says only "unable to open database file"; find out why, without writing.
fn explain(e: &rusqlite::Error, path: &Path, mode: OpenMode) -> String {
    use std::io::ErrorKind::PermissionDenied;
    if !matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
    ) {
        return e.to_string();
    }
    if let Err(io) = std::fs::File::open(path) {
        return if io.kind() == PermissionDenied {
            "permission denied: this user may not read it; check its owner and mode (ls -l)".into()
        } else {
            io.to_string()
        };
    }
    if mode != OpenMode::ReadOnly
        && let Err(io) = std::fs::OpenOptions::new().write(true).open(path)
        && io.kind() == PermissionDenied
    {
        return "it is read-only for this user; look at it with --read-only, or check its owner and mode (ls -l)".into();
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    format!(
        "SQLite could not open it or the -wal and -shm files it keeps beside it (even to read); \
         check that this user may write to the directory {}",
        dir.display()
    )
}

fn classify(e: rusqlite::Error, path: &Path, mode: OpenMode) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StoreError::Busy {
                during: "opening the database".into(),
            }
        }
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase(path.into()),
        _ => StoreError::CannotOpen {
            path: path.into(),
            reason: explain(&e, path, mode),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::SqliteStore;
    use crate::store::{OpenMode, Target};

    /// `--read-only` is enforced by SQLite, not only by hidden keys: a write sent straight
    /// to the connection is refused, even after switching `query_only` off again, because
    /// the file itself was opened read-only.
    #[test]
    fn a_read_only_connection_refuses_writes_at_the_sqlite_level() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro.db");
        SqliteStore::open(
            Target::from(&path),
            OpenMode::Create,
            crate::store::DEFAULT_BUSY_TIMEOUT,
            &mut |_| {},
        )
        .unwrap();
        let (ro, _) = SqliteStore::open(
            Target::from(&path),
            OpenMode::ReadOnly,
            crate::store::DEFAULT_BUSY_TIMEOUT,
            &mut |_| {},
        )
        .unwrap();
        let write = "INSERT INTO workflow_definitions (name, phases) VALUES ('x', '[]')";
        let code = |r: rusqlite::Result<usize>| r.unwrap_err().sqlite_error_code();
        assert_eq!(
            code(ro.conn.execute(write, [])),
            Some(rusqlite::ErrorCode::ReadOnly)
        );
        ro.conn.pragma_update(None, "query_only", false).unwrap();
        assert_eq!(
            code(ro.conn.execute(write, [])),
            Some(rusqlite::ErrorCode::ReadOnly)
        );
        let n: i64 = ro
            .conn
            .query_row("SELECT count(*) FROM workflow_definitions", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 1, "only the built-in definition");
    }

    /// A cached query with `= ?1` and an `ORDER BY` (the write path's pending handoffs and
    /// checkpoints) is compiled once, not again each time it comes back from the cache
    /// with a new id bound.
    #[test]
    fn a_cached_statement_is_not_compiled_again_for_new_values() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = SqliteStore::open(
            Target::from(&dir.path().join("plans.db")),
            OpenMode::Create,
            crate::store::DEFAULT_BUSY_TIMEOUT,
            &mut |_| {},
        )
        .unwrap();
        let sql = "SELECT id FROM workflow_checkpoints WHERE workflow_id = ?1 ORDER BY version";
        for id in ["a", "b", "c"] {
            let mut stmt = store.conn.prepare_cached(sql).unwrap();
            let rows = stmt.query_map([id], |r| r.get::<_, String>(0)).unwrap();
            assert_eq!(rows.count(), 0);
            assert_eq!(
                stmt.get_status(rusqlite::StatementStatus::RePrepare),
                0,
                "compiled again when bound to {id}"
            );
        }
    }
}
