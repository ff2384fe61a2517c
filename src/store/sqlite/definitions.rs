//! `workflow_definitions`: named, versioned phase lists.

use super::SqliteStore;
use super::row;
use crate::model::{Definition, time};
use crate::store::error::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, params};

/// Inserts a definition as given (used by the first migration for the built-in one).
pub(super) fn insert(conn: &Connection, d: &Definition) -> Result<()> {
    let phases =
        serde_json::to_string(&d.phases).map_err(|e| StoreError::Invalid(e.to_string()))?;
    conn.execute(
        "INSERT OR IGNORE INTO workflow_definitions (name, version, description, phases, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![d.name, d.version, d.description, phases, time::now_text()],
    )?;
    Ok(())
}

/// The newest version of `name`, read on an existing connection (also inside transactions).
pub(super) fn latest(conn: &Connection, name: &str) -> Result<Option<Definition>> {
    let found = conn
        .prepare_cached(
            "SELECT name, version, description, phases FROM workflow_definitions
             WHERE name = ?1 ORDER BY version DESC LIMIT 1",
        )?
        .query_row([name], |r| {
            Ok((
                row::text(r, 0)?,
                row::int(r, 1)?,
                row::opt_text(r, 2)?,
                row::text(r, 3)?,
            ))
        })
        .optional()?;
    let Some((name, version, description, phases)) = found else {
        return Ok(None);
    };
    let phases = serde_json::from_str(&phases).map_err(|e| {
        StoreError::Invalid(format!(
            "definition '{name}' v{version} has unreadable phases: {e}"
        ))
    })?;
    Ok(Some(Definition {
        name,
        version,
        description,
        phases,
    }))
}

impl SqliteStore {
    /// Every definition name with its newest version. A definition whose stored phases do
    /// not parse (written by another program) is left out rather than failing the whole
    /// list: the dashboard and the doctor still work, and `baton doctor` names it.
    pub fn definitions(&self) -> Result<Vec<Definition>> {
        let names: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT DISTINCT name FROM workflow_definitions ORDER BY name")?;
            stmt.query_map([], |r| row::text(r, 0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            match latest(&self.conn, &n) {
                Ok(Some(d)) => out.push(d),
                Ok(None) | Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Stores `d` as the next version of its name; returns the version it got.
    pub fn add_definition(&mut self, d: &Definition) -> Result<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(e, "adding a definition"))?;
        let next: i64 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM workflow_definitions WHERE name = ?1",
            [&d.name],
            |r| r.get(0),
        )?;
        insert(
            &tx,
            &Definition {
                version: next,
                ..d.clone()
            },
        )?;
        tx.commit()?;
        Ok(next)
    }
}
