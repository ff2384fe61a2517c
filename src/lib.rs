//! baton: watch and operate multi-role build workflows kept in a SQLite database.
//!
//! Layers depend downward only: `cli`, `tui` → `engine` → `store` → `model`.

pub mod cli;
pub mod engine;
pub mod model;
pub mod sim;
pub mod store;
pub mod tui;
