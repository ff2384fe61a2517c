//! Schema migrations: numbered `.sql` files under `migrations/sqlite/` and
//! `migrations/postgres/`, embedded in the binary and recorded with a checksum. The same
//! number means the same tables and columns on both backends; PostgreSQL has migrations of
//! its own for what only a server with concurrent writers needs (3 to 5), which SQLite's
//! numbering skips, so a shared change keeps one number on both; both end at the same
//! version, even where one has nothing to change (SQLite's 11).

use super::error::{Result, StoreError};
use super::target::Target;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
    /// [`fnv1a`] of `sql`, worked out when baton is compiled: every command checks the
    /// ledger, and hashing 24 KB of SQL a byte at a time was 1 % of a `list`.
    hash: u64,
}

macro_rules! migrations {
    ($dir:literal: $($version:literal => $name:literal),* $(,)?) => {
        &[$({
            const SQL: &str = include_str!(concat!("../../migrations/", $dir, "/", $name));
            Migration {
                version: $version,
                name: $name,
                sql: SQL,
                hash: fnv1a(SQL),
            }
        }),*]
    };
}

/// FNV-1a over `s`'s bytes: enough to notice an edited migration, without a cryptographic
/// dependency (this guards against accidents, not attackers).
const fn fnv1a(s: &str) -> u64 {
    let b = s.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < b.len() {
        h ^= b[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// Every SQLite migration this binary knows, in order. A new one takes the next number
/// after the newest of either backend.
pub const MIGRATIONS: &[Migration] = migrations!("sqlite":
    1 => "0001_initial.sql",
    2 => "0002_counts_and_pending.sql",
    6 => "0006_census_indexes.sql",
    7 => "0007_event_metrics.sql",
    8 => "0008_checkpoint_patches.sql",
    9 => "0009_event_ids_unindexed.sql",
    10 => "0010_metric_keys.sql",
    11 => "0011_census_bytes.sql",
);

/// The same versions for PostgreSQL.
pub const POSTGRES_MIGRATIONS: &[Migration] = migrations!("postgres":
    1 => "0001_initial.sql",
    2 => "0002_counts_and_pending.sql",
    3 => "0003_commit_order.sql",
    4 => "0004_notify.sql",
    5 => "0005_build_prefix.sql",
    6 => "0006_census_indexes.sql",
    7 => "0007_event_metrics.sql",
    8 => "0008_checkpoint_patches.sql",
    9 => "0009_event_ids_unindexed.sql",
    10 => "0010_metric_keys.sql",
    11 => "0011_census_bytes.sql",
);

/// The newest version in a list.
pub fn latest(list: &[Migration]) -> i64 {
    list.last().map_or(0, |m| m.version)
}

/// The migrations of the backend `target` names.
pub fn migrations_for(target: &Target) -> &'static [Migration] {
    match target {
        Target::Sqlite(_) => MIGRATIONS,
        Target::Postgres(_) => POSTGRES_MIGRATIONS,
    }
}

/// The schema version this binary brings the backend `target` names to.
pub fn latest_for(target: &Target) -> i64 {
    latest(migrations_for(target))
}

/// Checks what a database's ledger records against `list`: a version this binary does not
/// know means the schema is newer; a checksum that differs means a migration was altered.
/// Returns the highest recorded version. `recorded` holds (version, name, checksum).
pub fn check_ledger(
    list: &[Migration],
    recorded: impl IntoIterator<Item = (i64, String, String)>,
) -> Result<i64> {
    let mut version = 0;
    for (v, name, recorded) in recorded {
        let Some(m) = list.iter().find(|m| m.version == v) else {
            return Err(StoreError::SchemaTooNew {
                db: v,
                binary: latest(list),
            });
        };
        let embedded = m.checksum();
        if recorded != embedded {
            return Err(StoreError::ChecksumMismatch {
                version: v,
                name,
                recorded,
                embedded,
            });
        }
        version = version.max(v);
    }
    Ok(version)
}

impl Migration {
    /// The checksum the ledger records: [`fnv1a`] of the file, in hex.
    pub fn checksum(&self) -> String {
        format!("{:016x}", self.hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_shared_versions_match() {
        for (i, m) in POSTGRES_MIGRATIONS.iter().enumerate() {
            assert_eq!(
                m.version,
                i as i64 + 1,
                "PostgreSQL's run from one, no gaps"
            );
        }
        for list in [MIGRATIONS, POSTGRES_MIGRATIONS] {
            assert!(list.windows(2).all(|w| w[0].version < w[1].version));
            for m in list {
                assert!(m.name.starts_with(&format!("{:04}_", m.version)));
            }
        }
        for a in MIGRATIONS {
            let b = POSTGRES_MIGRATIONS.iter().find(|b| b.version == a.version);
            assert_eq!(
                b.map(|b| b.name),
                Some(a.name),
                "every SQLite version is PostgreSQL's too, with the same file name"
            );
        }
        assert_eq!(latest(MIGRATIONS), latest(POSTGRES_MIGRATIONS));
    }

    #[test]
    fn checksum_changes_with_content() {
        let of = |sql| Migration {
            version: 1,
            name: "a",
            sql,
            hash: fnv1a(sql),
        };
        let (a, b) = (of("CREATE TABLE t(x);"), of("CREATE TABLE t(y);"));
        assert_ne!(a.checksum(), b.checksum());
        assert_eq!(a.checksum().len(), 16);
    }

    /// The checksums worked out at compile time are the ones every earlier binary recorded
    /// in its ledgers (computed then at run time, as here), so existing databases pass.
    #[test]
    fn compiled_checksums_are_the_recorded_ones() {
        let at_run_time = |sql: &str| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in sql.bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            format!("{h:016x}")
        };
        for m in MIGRATIONS.iter().chain(POSTGRES_MIGRATIONS) {
            assert_eq!(m.checksum(), at_run_time(m.sql), "{}", m.name);
        }
        assert_eq!(at_run_time(""), "cbf29ce484222325");
    }
}
