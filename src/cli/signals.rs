//! Being asked to stop. The long-running commands — the dashboard, `events --follow`,
//! `simulate` and `demo` — take SIGTERM, SIGHUP, SIGINT and SIGQUIT as a request: they
//! finish what they are writing, restore the terminal, print what they owe, and baton then
//! exits with 128 + the signal's number (143 for SIGTERM), as a process killed by it would
//! report to its shell. Short commands keep the default (the signal ends them at once; the
//! database's transactions see to the rest).

use super::exit::{CliError, CliResult};
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The signals that ask a long-running command to stop.
pub const STOPPING: [i32; 4] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT];

/// The number of the last stopping signal received (0: none), for the exit code.
static RECEIVED: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

fn received_cell() -> &'static Arc<AtomicUsize> {
    RECEIVED.get_or_init(|| Arc::new(AtomicUsize::new(0)))
}

/// A stop request: set once one of [`STOPPING`] arrives.
#[derive(Debug, Clone)]
pub struct Stop {
    flag: Arc<AtomicBool>,
}

impl Stop {
    pub fn requested(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// The flag itself, for loops that take an `&AtomicBool` (the simulator).
    pub fn flag(&self) -> &AtomicBool {
        &self.flag
    }
}

/// Replaces the default action of [`STOPPING`] with setting a flag (and remembering which
/// signal it was). Other handlers of the same signals (the dashboard's) still run.
pub fn install() -> CliResult<Stop> {
    let flag = Arc::new(AtomicBool::new(false));
    let which = Arc::clone(received_cell());
    for sig in STOPPING {
        let registered = signal_hook::flag::register_usize(sig, Arc::clone(&which), sig as usize)
            .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&flag)));
        registered.map_err(|e| CliError::error(format!("cannot handle signal {sig}: {e}")))?;
    }
    Ok(Stop { flag })
}

/// The stopping signal received, if any.
pub fn received() -> Option<i32> {
    let n = RECEIVED.get()?.load(Ordering::Relaxed);
    (n != 0).then_some(n as i32)
}

/// The exit code for a process stopped by `signal`: 128 + its number.
pub fn exit_code(signal: i32) -> i32 {
    128 + signal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(exit_code(SIGTERM), 143);
        assert_eq!(exit_code(SIGINT), 130);
        assert_eq!(exit_code(SIGHUP), 129);
    }
}
