//! Schema migrations on PostgreSQL: the files of `migrations/postgres/`, all pending ones in
//! one transaction (PostgreSQL's DDL is transactional: all or nothing) under an advisory
//! lock, so two baton processes migrating at once take turns and the second finds the work
//! done. A schema newer than this binary, or one whose recorded checksums differ, is
//! refused before anything is written.

use super::error::classify;
use super::{definitions, shown};
use crate::model::{Definition, time};
use crate::store::error::{Result, StoreError};
use crate::store::migration::{Migration, POSTGRES_MIGRATIONS, check_ledger, latest};
use crate::store::open::{OpenMode, Opened, Steps};
use crate::store::report::Verification;
use crate::store::target::Target;
use postgres::{Client, GenericClient};
use std::collections::BTreeSet;

const LEDGER: &str = "baton_migrations";
/// The advisory lock migrating holds: "baton" in ASCII.
const MIGRATION_LOCK: i64 = 0x0062_6174_6f6e;

/// What a database holds, read without writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaState {
    pub version: i64,
    pub has_tables: bool,
}

/// Reads the ledger and refuses a newer or altered schema. Never writes.
pub fn check(client: &mut impl GenericClient) -> Result<SchemaState> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema()),
                    to_regclass($1) IS NOT NULL",
            &[&LEDGER],
        )
        .map_err(|e| classify(e, "reading the schema"))?;
    let (has_tables, has_ledger): (bool, bool) = (row.get(0), row.get(1));
    if !has_ledger {
        return Ok(SchemaState {
            version: 0,
            has_tables,
        });
    }
    let rows = client
        .query(
            &format!("SELECT version, name, checksum FROM {LEDGER} ORDER BY version"),
            &[],
        )
        .map_err(|e| classify(e, "reading the schema"))?;
    let version = check_ledger(
        POSTGRES_MIGRATIONS,
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))),
    )?;
    Ok(SchemaState {
        version,
        has_tables,
    })
}

/// Checks the schema on opening and, when the mode allows, applies what is pending.
pub fn prepare(
    client: &mut Client,
    target: &Target,
    mode: OpenMode,
    steps: Steps,
) -> Result<Opened> {
    let state = check(client)?;
    let latest = latest(POSTGRES_MIGRATIONS);
    if state.version == 0 && mode != OpenMode::Create {
        let reason = if state.has_tables {
            "it has tables but no baton schema"
        } else {
            "it is an empty database"
        };
        return Err(StoreError::CannotOpen {
            path: shown(target),
            reason: format!("{reason}; run `baton migrate --db '{target}'` to set it up"),
        });
    }
    if mode == OpenMode::ReadOnly {
        if state.version < latest {
            return Err(StoreError::NeedsMigration {
                db: state.version,
                binary: latest,
            });
        }
        return Ok(Opened::default());
    }
    if state.version == latest {
        return Ok(Opened::default());
    }
    let applied = apply_pending(client, steps)?;
    Ok(Opened {
        created: applied.first().is_some_and(|m| m.version == 1),
        applied: applied.into_iter().map(|m| m.name).collect(),
    })
}

/// Applies every pending migration in one transaction, holding the migration lock.
pub fn apply_pending(client: &mut Client, steps: Steps) -> Result<Vec<&'static Migration>> {
    let during = "migrating";
    let mut tx = client.transaction().map_err(|e| classify(e, during))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(|e| classify(e, during))?;
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {LEDGER} (
            version bigint PRIMARY KEY, name text NOT NULL,
            checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    ))
    .map_err(|e| classify(e, during))?;
    // Another process may have migrated while this one waited for the lock.
    let done = check(&mut tx)?.version;
    let mut applied = Vec::new();
    for m in POSTGRES_MIGRATIONS.iter().filter(|m| m.version > done) {
        steps(&format!("applying migration {}", m.name));
        tx.batch_execute(m.sql)
            .map_err(|e| classify(e, &format!("applying migration {}", m.name)))?;
        tx.execute(
            &format!(
                "INSERT INTO {LEDGER} (version, name, checksum, applied_at)
                 VALUES ($1, $2, $3, $4::text::timestamptz)"
            ),
            &[&m.version, &m.name, &m.checksum(), &time::now_text()],
        )
        .map_err(|e| classify(e, during))?;
        if m.version == 1 {
            definitions::insert(&mut tx, &Definition::builtin())?;
        }
        applied.push(m);
    }
    tx.commit().map_err(|e| classify(e, during))?;
    Ok(applied)
}

/// What the migration files create: tables with their columns, indexes, triggers.
#[derive(Debug, Default)]
struct Expected {
    objects: BTreeSet<(String, String)>,
    columns: BTreeSet<(String, String)>,
}

impl Expected {
    /// A later migration dropped or replaced the object: neither it nor (for a table) its
    /// columns are expected any more. A table renamed is expected under its new name,
    /// its columns no longer checked.
    fn forget(&mut self, kind: &str, name: &str) {
        self.objects.remove(&(kind.to_string(), name.to_string()));
        if kind == "table" {
            self.columns.retain(|(t, _)| t != name);
        }
    }
}

/// Reads object names from baton's own migration files (their layout is ours: one
/// `CREATE`, `DROP` or `ALTER … RENAME` per statement, one column per line).
fn expected(version: i64) -> Expected {
    let mut out = Expected::default();
    for m in POSTGRES_MIGRATIONS.iter().filter(|m| m.version <= version) {
        let mut table: Option<String> = None;
        for line in m.sql.lines().map(str::trim) {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["CREATE", "TABLE", name, ..] => {
                    let name = name.trim_end_matches('(').to_string();
                    out.forget("table", &name);
                    out.objects.insert(("table".into(), name.clone()));
                    table = Some(name);
                }
                ["DROP", kind @ ("TABLE" | "INDEX" | "TRIGGER"), name, ..] => {
                    out.forget(&kind.to_ascii_lowercase(), name.trim_end_matches(';'));
                }
                ["ALTER", "TABLE", old, "RENAME", "TO", new] => {
                    let new = new.trim_end_matches(';');
                    out.forget("table", old);
                    out.objects.insert(("table".into(), new.to_string()));
                }
                ["CREATE", "INDEX" | "UNIQUE", ..] => {
                    let name = words
                        .iter()
                        .skip_while(|w| **w != "INDEX")
                        .nth(1)
                        .map(|w| w.to_string());
                    if let Some(n) = name {
                        out.objects.insert(("index".into(), n));
                    }
                }
                ["ALTER", "TABLE", t, "ADD", "COLUMN", col, ..] => {
                    out.columns
                        .insert((t.to_string(), col.trim_matches('"').to_string()));
                }
                ["CREATE", "TRIGGER", name, ..] => {
                    out.objects.insert(("trigger".into(), name.to_string()));
                }
                [");" | ")", ..] => table = None,
                [first, ..] if table.is_some() => {
                    let upper = first.to_ascii_uppercase();
                    let constraint = ["PRIMARY", "CHECK", "UNIQUE", "FOREIGN", "CONSTRAINT"]
                        .contains(&upper.as_str());
                    if !constraint && !first.starts_with("--") && !first.starts_with('(') {
                        let col = first.trim_matches('"').to_string();
                        if let Some(t) = &table {
                            out.columns.insert((t.clone(), col));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Checks every recorded checksum (via [`check`]) and that every table, index, trigger and
/// column the migrations create is present. Reads only the catalog.
pub fn verify(client: &mut Client) -> Result<Verification> {
    let state = check(client)?;
    let want = expected(state.version);
    let q = |client: &mut Client, sql: &str| -> Result<BTreeSet<(String, String)>> {
        Ok(client
            .query(sql, &[])
            .map_err(|e| classify(e, "reading the schema"))?
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
            .collect())
    };
    let mut have = q(
        client,
        "SELECT CASE c.relkind WHEN 'i' THEN 'index' ELSE 'table' END, c.relname::text
         FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
           AND c.relkind IN ('r', 'p', 'i')",
    )?;
    have.extend(q(
        client,
        "SELECT 'trigger', t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace",
    )?);
    let columns = q(
        client,
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema()",
    )?;
    let missing = want
        .objects
        .difference(&have)
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    let unexpected_columns = want
        .columns
        .iter()
        .filter(|(t, _)| have.contains(&("table".to_string(), t.clone())))
        .filter(|c| !columns.contains(c))
        .map(|(t, c)| format!("{t}.{c} is missing"))
        .collect();
    Ok(Verification {
        version: state.version,
        latest: latest(POSTGRES_MIGRATIONS),
        checksums_ok: state.version as usize,
        missing,
        unexpected_columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_objects_come_from_the_migration_files() {
        let e = expected(latest(POSTGRES_MIGRATIONS));
        for (kind, name) in [
            ("table", "build_workflows"),
            ("table", "workflow_status_counts"),
            ("index", "idx_events_workflow_seq"),
            ("index", "idx_handoffs_pending_workflow"),
            ("trigger", "trg_status_counts_update"),
        ] {
            assert!(
                e.objects.contains(&(kind.into(), name.into())),
                "{kind} {name}"
            );
        }
        assert!(
            e.columns
                .contains(&("build_workflows".into(), "current_role".into()))
        );
        assert!(
            e.columns
                .contains(&("workflow_events".into(), "seq".into()))
        );
        assert!(
            e.columns
                .contains(&("workflow_status_counts".into(), "shard".into()))
        );
        assert!(
            !e.columns
                .iter()
                .any(|(_, c)| c == "PRIMARY" || c == "CHECK")
        );
        assert_eq!(
            e.columns
                .iter()
                .filter(|(t, _)| t == "build_workflows")
                .count(),
            19
        );
        // Schema 10 renames the metrics table away, drops it, and makes it anew.
        let metrics = |c: &str| {
            e.columns
                .contains(&("workflow_event_metrics".into(), c.into()))
        };
        assert!(metrics("type_key") && !metrics("event_type"));
        assert!(
            !e.objects
                .iter()
                .any(|(_, n)| n == "baton_event_metrics_before_10")
        );
        assert!(
            e.objects
                .contains(&("trigger".into(), "trg_event_metrics_insert".into()))
        );
    }
}
