//! What the store reports about itself: schema verification, the doctor's findings, the
//! connection's health, and the token that says whether anything changed.

use serde::Serialize;

/// The result of `baton migrate --verify`.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub version: i64,
    pub latest: i64,
    pub checksums_ok: usize,
    pub missing: Vec<String>,
    pub unexpected_columns: Vec<String>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.version == self.latest && self.missing.is_empty() && self.unexpected_columns.is_empty()
    }
}

/// How bad a doctor finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The contract is broken: baton may misread or refuse the rows. `doctor` fails.
    Error,
    /// Bookkeeping a foreign writer skipped (a version not bumped, no checkpoint): baton
    /// reads the rows correctly. Reported; `doctor --strict` fails on it.
    Warning,
}

/// One failed check, naming the rows involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub check: &'static str,
    pub severity: Severity,
    pub detail: String,
}

/// Checks that find bookkeeping a foreign writer may skip without breaking baton: the
/// seeds' orchestrators bump no version on some changes, write no checkpoints, and may leave
/// `completed_at` empty. baton reads such rows correctly, so these are warnings.
pub const BOOKKEEPING_CHECKS: [&str; 4] = [
    "version matches recorded changes",
    "every transition has its handoff",
    "every transition has its checkpoint",
    "completed workflows have completed_at",
];

impl Problem {
    /// A finding of `check`, as severe as that check is.
    pub fn new(check: &'static str, detail: impl Into<String>) -> Problem {
        let severity = if BOOKKEEPING_CHECKS.contains(&check) {
            Severity::Warning
        } else {
            Severity::Error
        };
        Problem {
            check,
            severity,
            detail: detail.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    pub schema_version: i64,
    /// The database's own integrity checks: `["ok"]` when they pass.
    pub integrity: Vec<String>,
    pub counts: Vec<(String, i64)>,
    pub problems: Vec<Problem>,
}

/// Whether the connection still reaches the database that was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Ok,
    /// The database is gone (the file deleted or moved away).
    Missing,
    /// Another database is there now (the file replaced, e.g. restored from a backup):
    /// reconnecting opens it.
    Replaced,
    /// The connection to the server was lost: reconnecting may bring it back.
    Disconnected,
}

/// An opaque value that differs from the previous one whenever any connection, this one
/// included, committed a change since. Asking reads no table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeToken(pub(crate) String);
