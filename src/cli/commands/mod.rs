//! One file per command (or small group of commands), each with its clap arguments and
//! the function that runs it.

pub mod ack_target;
pub mod act;
pub mod bulk;
pub mod changes;
pub mod completions;
pub mod dashboard;
pub mod definition;
pub mod demo;
pub mod diff;
pub mod doctor;
pub mod events;
pub mod heartbeat;
pub mod import;
pub mod list;
pub mod list_more;
pub mod man;
pub mod metrics;
pub mod migrate;
pub mod prune;
pub mod simulate;
pub mod since;
pub mod start;
pub mod status;
pub mod status_at;
pub mod stuck;
pub mod watch;
