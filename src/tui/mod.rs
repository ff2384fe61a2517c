//! The live dashboard: model (`app`), messages (`msg`), pure `update`, `view`, and the
//! runtime that wires them to the terminal and the database worker.

pub mod alert;
pub mod app;
mod bulk_run;
pub mod clipboard;
pub mod confirm;
pub mod copy_menu;
mod drawn;
pub mod event_filter;
pub mod event_pages;
pub mod event_view;
mod frame_out;
mod give_back;
pub use crate::engine::filter;
pub mod history_filter;
mod history_reader;
mod json_text;
pub mod keys;
pub mod layout;
pub mod msg;
mod neighbours;
mod overlap;
pub mod pace;
pub mod palette;
pub mod pane;
mod pressure;
mod runtime;
mod terminal;
pub mod text_field;
pub mod travel;
pub mod update;
pub mod view;
pub mod watcher;
pub mod worker;

pub use runtime::{Options, ThemeName, run};

#[cfg(test)]
mod event_log_tests;
#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod history_tests;
#[cfg(test)]
mod marks_tests;
#[cfg(test)]
mod metrics_tests;
#[cfg(test)]
mod overlay_tests;
#[cfg(test)]
mod palette_tests;
#[cfg(test)]
mod pane_tests;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod travel_tests;
#[cfg(test)]
mod update_tests;
#[cfg(test)]
mod view_tests;
