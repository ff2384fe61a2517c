//! Exit codes and one-line error messages. Every failure a command can meet becomes a
//! [`CliError`]: a class (the process exit code) and a message that says what to do.

use crate::engine::{EngineError, RuleError};
use crate::model::text::sanitize;
use crate::store::StoreError;
use std::io::{self, Write};

/// The process exit codes, documented in `baton --help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Ok = 0,
    Error = 1,
    Usage = 2,
    NotFound = 3,
    Conflict = 4,
    /// `watch --exit-status`: a watched workflow failed (or was deleted).
    WatchFailed = 5,
    /// `watch --exit-status`: one was cancelled.
    WatchCancelled = 6,
    /// `watch --exit-status --fail-on-stuck`: one got stuck.
    WatchStuck = 7,
    /// A bulk action (`--filter`) applied to some of the workflows it matched, not all.
    Partial = 8,
}

#[derive(Debug)]
pub struct CliError {
    pub code: Code,
    /// One line; empty means "exit quietly" (the reader went away: broken pipe).
    pub message: String,
}

pub type CliResult<T = ()> = Result<T, CliError>;

impl CliError {
    pub fn new(code: Code, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(Code::Usage, message)
    }

    pub fn error(message: impl Into<String>) -> CliError {
        CliError::new(Code::Error, message)
    }

    /// Prints the message to stderr (made inert and kept on one line) and returns the code.
    pub fn report(&self) -> i32 {
        if !self.message.is_empty() {
            let _ = writeln!(io::stderr(), "error: {}", sanitize(&self.message));
        }
        self.code as i32
    }
}

fn not_found_hint(what: &str) -> &'static str {
    match what {
        "workflow" => {
            "; `baton list` shows the workflows (name one by id, unique id prefix or build id)"
        }
        "handoff" => "; `baton status WORKFLOW` shows a workflow's handoffs and their ids",
        "definition" => "; `baton definition list` shows the stored definitions",
        _ => "",
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> CliError {
        let code = match &e {
            StoreError::NotFound { .. } => Code::NotFound,
            StoreError::Ambiguous { .. } => Code::Usage,
            StoreError::Conflict { .. } | StoreError::Duplicate(_) => Code::Conflict,
            _ => Code::Error,
        };
        let message = match &e {
            StoreError::NotFound { what, .. } => format!("{e}{}", not_found_hint(what)),
            StoreError::Ambiguous {
                prefix,
                count,
                examples,
            } => ambiguous(prefix, *count, examples),
            _ => e.to_string(),
        };
        CliError::new(code, message)
    }
}

/// `'3f' matches 7 workflows (3f0…, 3f1…, 3f2…, 3f4…, and 3 more); give more characters`.
fn ambiguous(prefix: &str, count: usize, examples: &str) -> String {
    let shown = examples.split(", ").filter(|s| !s.is_empty()).count();
    let rest = count.saturating_sub(shown);
    let more = if rest > 0 {
        format!(", and {rest} more")
    } else {
        String::new()
    };
    format!(
        "'{prefix}' matches {count} workflows ({examples}{more}); give more characters of the id"
    )
}

impl From<RuleError> for CliError {
    fn from(e: RuleError) -> CliError {
        let code = match &e {
            RuleError::Stale { .. }
            | RuleError::WrongStatus { .. }
            | RuleError::AtFirstPhase(_)
            | RuleError::NotEarlier { .. }
            | RuleError::RetriesExhausted { .. }
            | RuleError::NotPending(_) => Code::Conflict,
            RuleError::UnknownDefinition(_) => Code::NotFound,
            RuleError::UnknownPhase { .. }
            | RuleError::ReasonRequired(_)
            | RuleError::ErrorRequired
            | RuleError::BadOutput(_) => Code::Usage,
            RuleError::PhaseNotInDefinition { .. } | RuleError::BadStoredValue(_) => Code::Error,
        };
        CliError::new(code, e.to_string())
    }
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> CliError {
        match e {
            EngineError::Rule(r) => r.into(),
            EngineError::Store(s) => s.into(),
            EngineError::Io(m) => CliError::new(Code::Error, m),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> CliError {
        if e.kind() == io::ErrorKind::BrokenPipe {
            CliError::new(Code::Ok, "")
        } else {
            CliError::error(format!("cannot write output: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_documented_codes() {
        let nf: CliError = StoreError::NotFound {
            what: "workflow",
            key: "x".into(),
        }
        .into();
        assert_eq!(nf.code, Code::NotFound);
        assert!(nf.message.contains("baton list"));
        let stale: CliError = RuleError::Stale {
            expected: 1,
            actual: 2,
        }
        .into();
        assert_eq!(stale.code, Code::Conflict);
        let amb: CliError = StoreError::Ambiguous {
            prefix: "3f".into(),
            count: 7,
            examples: "3fa, 3fb, 3fc, 3fd".into(),
        }
        .into();
        assert_eq!(amb.code, Code::Usage);
        assert_eq!(
            amb.message,
            "'3f' matches 7 workflows (3fa, 3fb, 3fc, 3fd, and 3 more); give more characters of the id"
        );
        let two: CliError = StoreError::Ambiguous {
            prefix: "3f".into(),
            count: 2,
            examples: "3fa, 3fb".into(),
        }
        .into();
        assert!(!two.message.contains("and"), "{}", two.message);
        let pipe: CliError = io::Error::from(io::ErrorKind::BrokenPipe).into();
        assert_eq!((pipe.code, pipe.message.as_str()), (Code::Ok, ""));
    }
}
