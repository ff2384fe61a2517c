//! `workflow_definitions`: named, versioned phase lists, phases as `jsonb`.

use super::PgStore;
use super::error::classify;
use crate::model::{Definition, Phase};
use crate::store::error::{Result, StoreError};
use postgres::GenericClient;
use serde_json::Value;

/// Inserts a definition as given (used by the first migration for the built-in one).
pub fn insert(client: &mut impl GenericClient, d: &Definition) -> Result<()> {
    let phases = serde_json::to_value(&d.phases).map_err(|e| StoreError::Invalid(e.to_string()))?;
    client
        .execute(
            "INSERT INTO workflow_definitions (name, version, description, phases)
             VALUES ($1, $2::int8, $3, $4) ON CONFLICT DO NOTHING",
            &[&d.name, &d.version, &d.description, &phases],
        )
        .map_err(|e| classify(e, "adding a definition"))?;
    Ok(())
}

const LATEST: &str = "SELECT name, version, description, phases FROM workflow_definitions
     WHERE name = $1 ORDER BY version DESC LIMIT 1";

fn definition(r: &postgres::Row) -> Result<Definition> {
    let (name, version): (String, i32) = (r.get(0), r.get(1));
    let phases: Value = r.get(3);
    let phases: Vec<Phase> = serde_json::from_value(phases).map_err(|e| {
        StoreError::Invalid(format!(
            "definition '{name}' v{version} has unreadable phases: {e}"
        ))
    })?;
    Ok(Definition {
        name,
        version: i64::from(version),
        description: r.get(2),
        phases,
    })
}

/// The newest version of `name`, on any client (also inside a transaction).
pub fn latest(client: &mut impl GenericClient, name: &str) -> Result<Option<Definition>> {
    let row = client
        .query_opt(LATEST, &[&name])
        .map_err(|e| classify(e, "reading a definition"))?;
    row.as_ref().map(definition).transpose()
}

impl PgStore {
    /// The newest version of `name` inside `client` (a write transaction), through the
    /// statement cache: every write reads its workflow's definition.
    pub(super) fn latest_definition(
        &self,
        client: &mut impl GenericClient,
        name: &str,
    ) -> Result<Option<Definition>> {
        let rows = self.query_in(client, LATEST, &[&name], "reading a definition")?;
        rows.first().map(definition).transpose()
    }

    /// Every definition name with its newest version; one whose phases do not parse is
    /// left out (the doctor names it).
    pub fn definitions(&self) -> Result<Vec<Definition>> {
        let names: Vec<String> = self
            .query(
                "SELECT DISTINCT name FROM workflow_definitions ORDER BY name",
                &[],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut client = self.client.borrow_mut();
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            match latest(&mut *client, &n) {
                Ok(Some(d)) => out.push(d),
                Ok(None) | Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Stores `d` as the next version of its name, under a lock on the name so that two
    /// writers adding at once get consecutive versions.
    pub fn add_definition(&mut self, d: &Definition) -> Result<i64> {
        self.refuse_writes("adding a definition")?;
        let during = "adding a definition";
        let client = self.client.get_mut();
        let mut tx = client.transaction().map_err(|e| classify(e, during))?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('baton definition ' || $1))",
            &[&d.name],
        )
        .map_err(|e| classify(e, during))?;
        let next: i32 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM workflow_definitions WHERE name = $1",
                &[&d.name],
            )
            .map_err(|e| classify(e, during))?
            .get(0);
        insert(
            &mut tx,
            &Definition {
                version: i64::from(next),
                ..d.clone()
            },
        )?;
        tx.commit().map_err(|e| classify(e, during))?;
        Ok(i64::from(next))
    }
}
