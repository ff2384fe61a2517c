//! Schema migrations on SQLite: the files of `migrations/sqlite/`, applied in order and
//! recorded with a checksum. A database that is newer than this binary
//! or whose recorded checksums differ is refused before anything is written.

use crate::model::{Definition, time};
use crate::store::error::{Result, StoreError};
use crate::store::migration::{MIGRATIONS, Migration, check_ledger, latest};
use crate::store::open::Steps;
use crate::store::report::Verification;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeSet;

const LEDGER: &str = "baton_migrations";

/// What a database holds, read without writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaState {
    /// Highest recorded migration, 0 when the database has no baton schema.
    pub version: i64,
    /// Whether the database holds any table at all (baton's or someone else's).
    pub has_tables: bool,
}

/// Reads the ledger and refuses a newer or altered schema. Never writes.
pub fn check(conn: &Connection) -> Result<SchemaState> {
    let has_tables: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table')",
        [],
        |r| r.get(0),
    )?;
    let has_ledger: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [LEDGER],
        |r| r.get(0),
    )?;
    if !has_ledger {
        return Ok(SchemaState {
            version: 0,
            has_tables,
        });
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT version, name, checksum FROM {LEDGER} ORDER BY version"
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let recorded = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let version = check_ledger(MIGRATIONS, recorded)?;
    Ok(SchemaState {
        version,
        has_tables,
    })
}

/// Applies every pending migration, each in its own `BEGIN IMMEDIATE` transaction that
/// re-checks the ledger (another process may be migrating too). Returns what it applied.
pub fn apply_pending(conn: &mut Connection, steps: Steps) -> Result<Vec<&'static Migration>> {
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(e, "migrating"))?;
        tx.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {LEDGER} (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                checksum TEXT NOT NULL, applied_at TEXT NOT NULL)"
        ))?;
        let done: Option<i64> = tx
            .query_row(
                &format!("SELECT version FROM {LEDGER} WHERE version = ?1"),
                [m.version],
                |r| r.get(0),
            )
            .optional()?;
        if done.is_some() {
            continue;
        }
        steps(&format!("applying migration {}", m.name));
        tx.execute_batch(m.sql)?;
        tx.execute(
            &format!(
                "INSERT INTO {LEDGER} (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, ?4)"
            ),
            params![m.version, m.name, m.checksum(), time::now_text()],
        )?;
        if m.version == 1 {
            super::definitions::insert(&tx, &Definition::builtin())?;
        }
        tx.commit()?;
        applied.push(m);
    }
    Ok(applied)
}

/// Checks every recorded checksum (via [`check`]) and that every table, index, trigger and
/// column the migrations create is present, by comparing with a fresh in-memory copy.
pub fn verify(conn: &Connection) -> Result<Verification> {
    let state = check(conn)?;
    let reference = Connection::open_in_memory()?;
    for m in MIGRATIONS.iter().filter(|m| m.version <= state.version) {
        reference.execute_batch(m.sql)?;
    }
    let objects = |c: &Connection| -> Result<BTreeSet<(String, String)>> {
        let mut stmt = c.prepare(
            "SELECT type, name FROM sqlite_master
             WHERE type IN ('table', 'index', 'trigger') AND name NOT LIKE 'sqlite_%'",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let expected = objects(&reference)?;
    let actual = objects(conn)?;
    let missing: Vec<String> = expected
        .difference(&actual)
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    let mut unexpected_columns = Vec::new();
    for (_, table) in expected.iter().filter(|(t, _)| t == "table") {
        if !actual.contains(&("table".to_string(), table.clone())) {
            continue;
        }
        let want = columns(&reference, table)?;
        let have = columns(conn, table)?;
        for col in want.difference(&have) {
            unexpected_columns.push(format!("{table}.{col} is missing"));
        }
    }
    Ok(Verification {
        version: state.version,
        latest: latest(MIGRATIONS),
        checksums_ok: state.version as usize,
        missing,
        unexpected_columns,
    })
}

fn columns(conn: &Connection, table: &str) -> Result<BTreeSet<String>> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let rows = stmt.query_map([table], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_migrates_and_verifies() {
        let mut c = Connection::open_in_memory().unwrap();
        assert_eq!(check(&c).unwrap().version, 0);
        assert_eq!(
            apply_pending(&mut c, &mut |_| {}).unwrap().len(),
            MIGRATIONS.len()
        );
        assert!(apply_pending(&mut c, &mut |_| {}).unwrap().is_empty());
        let v = verify(&c).unwrap();
        assert!(v.ok(), "{v:?}");
        c.execute_batch("DROP INDEX idx_events_workflow_seq")
            .unwrap();
        let v = verify(&c).unwrap();
        assert_eq!(v.missing, ["index idx_events_workflow_seq"]);
        c.execute_batch("DROP TRIGGER trg_status_counts_update")
            .unwrap();
        let v = verify(&c).unwrap();
        assert_eq!(
            v.missing,
            [
                "index idx_events_workflow_seq",
                "trigger trg_status_counts_update"
            ]
        );
    }
}
