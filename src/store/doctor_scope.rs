//! How much `baton doctor` reads: everything (the default), a bounded quick look
//! (`--quick`), or what changed since a moment (`--since`). Each scope is SQL both
//! backends accept, built from constants and times baton formatted itself.

/// Live workflows `--quick` checks: the most recently changed ones.
pub const QUICK_LIVE: usize = 500;
/// Newest events `--quick` checks.
pub const QUICK_EVENTS: i64 = 5_000;

use crate::model::time::{self, Timestamp};

/// The live statuses (what `--quick` counts and checks).
const LIVE: &str = "('running', 'paused', 'failed')";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every row of every table, and the file's (or the server's) integrity.
    Full,
    /// Bounded whatever the size: the schema, the live status counts, the
    /// [`QUICK_LIVE`] most recently changed live workflows with their trails, and the
    /// newest [`QUICK_EVENTS`] events.
    Quick,
    /// The workflows changed since `at` with their trails, and the events after `seq`
    /// (the last one before `at`). Typed, so the SQL text holds only what baton formats.
    Since { at: Timestamp, seq: i64 },
}

impl Scope {
    pub fn is_full(&self) -> bool {
        *self == Scope::Full
    }

    /// A query of the ids of the workflows checked; `None`: all of them.
    pub fn workflow_ids(&self) -> Option<String> {
        match self {
            Scope::Full => None,
            Scope::Quick => Some(format!(
                "SELECT id FROM build_workflows WHERE status IN {LIVE}
                 ORDER BY updated_at DESC LIMIT {QUICK_LIVE}"
            )),
            Scope::Since { at, .. } => {
                let since_text = time::format(*at);
                Some(format!(
                    "SELECT id FROM build_workflows WHERE updated_at >= '{since_text}'"
                ))
            }
        }
    }

    /// A condition on `workflow_events` (aliased `alias`), or `None` for all of them.
    pub fn events(&self, alias: &str) -> Option<String> {
        match self {
            Scope::Full => None,
            Scope::Quick => Some(format!(
                "{alias}.seq > (SELECT coalesce(max(seq), 0) FROM workflow_events) - {QUICK_EVENTS}"
            )),
            Scope::Since { seq, .. } => Some(format!("{alias}.seq > {seq}")),
        }
    }

    /// A condition on the rows of `table` (its columns unqualified), or `None` for all.
    pub fn rows_of(&self, table: &str) -> Option<String> {
        let ids = self.workflow_ids()?;
        match table {
            "build_workflows" => Some(format!("id IN ({ids})")),
            "workflow_events" => self.events("workflow_events"),
            "workflow_handoffs" | "workflow_checkpoints" => Some(format!("workflow_id IN ({ids})")),
            _ => None,
        }
    }

    /// ` WHERE <rows_of(table)>`, or nothing for all rows.
    pub fn where_of(&self, table: &str) -> String {
        self.rows_of(table)
            .map_or(String::new(), |cond| [" WHERE ", &cond].concat())
    }

    /// ` AND <events(alias)>`, or nothing for all events.
    pub fn and_events(&self, alias: &str) -> String {
        self.events(alias)
            .map_or(String::new(), |cond| [" AND ", &cond].concat())
    }

    /// A condition on the status counts compared: all of them, or the live ones (their
    /// count is a range of the census index, whatever history holds).
    pub fn statuses(&self) -> &'static str {
        match self {
            Scope::Full => "1 = 1",
            Scope::Quick | Scope::Since { .. } => "status IN ('running', 'paused', 'failed')",
        }
    }

    /// What the report says was checked.
    pub fn describe(&self) -> String {
        match self {
            Scope::Full => "everything".into(),
            Scope::Quick => format!(
                "quick: the schema, the live status counts, the {QUICK_LIVE} most recently changed live workflows with their handoffs, checkpoints and events, and the newest {QUICK_EVENTS} events (no integrity check or row counts: run the full doctor for those)"
            ),
            Scope::Since { at, .. } => format!(
                "since {}: the schema, the live status counts, the workflows changed since then with their handoffs, checkpoints and events, and the events written since",
                time::format(*at)
            ),
        }
    }
}
