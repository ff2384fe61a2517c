//! What every command gets: the database (a file or a server), who is acting, and whether
//! writes are allowed. Opening never creates a database; only `baton migrate` does.

use super::config::Config;
use super::exit::{CliError, CliResult};
use super::progress;
use crate::engine::StuckPolicy;
use crate::store::{OpenMode, Opened, Store, Target};
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Ctx {
    pub db: Target,
    /// Whether --db or BATON_DB named the database (the demo uses a temp one otherwise).
    pub db_given: bool,
    pub actor: String,
    /// Whether --actor or BATON_ACTOR named the actor (the simulator acts as itself otherwise).
    pub actor_given: bool,
    pub read_only: bool,
    /// How long to wait for a lock held by another process (`--busy-timeout`).
    pub busy: Duration,
    /// The stuck limits where a definition sets none: the config file's, else the
    /// built-in ones (the dashboard's flags override them for the dashboard).
    pub policy: StuckPolicy,
    /// What the config file says (empty when there is none).
    pub config: Config,
}

impl Ctx {
    /// Opens the existing database: read-only with `--read-only` (so every write is refused
    /// by the database itself), read-write otherwise.
    pub fn open(&self) -> CliResult<Store> {
        let mode = if self.read_only {
            OpenMode::ReadOnly
        } else {
            OpenMode::ReadWrite
        };
        Ok(self.open_as(mode)?.0)
    }

    /// Opens with `mode` (e.g. `Create`), waiting `--busy-timeout` for locks.
    /// Migrations pending on the way are shown as they run ([`progress::Opening`]).
    pub fn open_as(&self, mode: OpenMode) -> CliResult<(Store, Opened)> {
        let mut opening = progress::Opening::new(&self.db);
        let opened = Store::open_showing(&self.db, mode, self.busy, &mut |s| opening.step(s));
        opening.done();
        Ok(opened?)
    }
}

/// Reads a JSON argument given inline or as `@FILE` (`@-` reads standard input). Malformed
/// JSON is a usage error, reported before the database is opened.
pub fn json_arg(flag: &str, raw: &str) -> CliResult<Value> {
    let (text, source) = match raw.strip_prefix('@') {
        Some("-") => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(|e| {
                CliError::usage(format!("cannot read {flag} from standard input: {e}"))
            })?;
            (s, "standard input".to_string())
        }
        Some(path) => (
            std::fs::read_to_string(path).map_err(|e| {
                CliError::usage(format!(
                    "cannot read {flag} file {path}: {e}; check the path after '@'"
                ))
            })?,
            format!("file {path}"),
        ),
        None => (raw.to_string(), "the value".to_string()),
    };
    serde_json::from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "{flag}: {source} is not valid JSON ({e}); pass JSON such as '{{\"key\": \"value\"}}' or @FILE"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_arg_parses_inline_and_rejects_garbage_as_usage() {
        assert_eq!(
            json_arg("--output", r#"{"a":1}"#).unwrap(),
            serde_json::json!({"a": 1})
        );
        let e = json_arg("--output", "{oops").unwrap_err();
        assert_eq!(e.code, super::super::exit::Code::Usage);
        assert!(e.message.contains("--output"));
        let e = json_arg("--output", "@/no/such/file.json").unwrap_err();
        assert!(e.message.contains("/no/such/file.json"));
    }
}
