//! Rules and operations: what may happen to a workflow, and doing it.

pub mod archive;
pub mod attempt_diff;
pub mod bulk;
mod error;
pub mod filter;
pub mod history;
pub mod metrics;
pub mod metrics_text;
mod ops;
pub mod preview;
pub mod prune;
pub mod replay;
pub mod rules;
pub mod stuck;
pub mod stuck_history;

pub use error::{EngineError, RuleError};
pub use ops::{Request, acknowledge, act, act_on_id, default_actor, heartbeat, start};
pub use stuck::{Stuck, StuckPolicy};

#[cfg(test)]
mod replay_tests;
#[cfg(test)]
mod rules_props;
#[cfg(test)]
mod rules_tests;
