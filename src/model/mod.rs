//! Plain data types shared by every layer. Nothing here touches SQLite or the terminal.

mod change;
mod checkpoint;
pub mod checkpoint_patch;
mod definition;
mod event;
#[cfg(test)]
pub(crate) mod fuzz_cases;
mod handoff;
pub mod json_diff;
pub mod since;
mod stamp;
mod status;
pub mod text;
#[cfg(test)]
mod text_fuzz;
pub mod time;
mod workflow;

pub use change::{Action, Change, NewCheckpoint, NewEvent, NewHandoff, NewWorkflow, Snapshot};
pub use checkpoint::Checkpoint;
pub use definition::{Definition, Phase};
pub use event::{Event, EventType};
pub use handoff::{Handoff, HandoffKind};
pub use stamp::Stamp;
pub use status::Status;
pub use workflow::{Workflow, WorkflowFields, short_id};
