pub mod store;
pub mod cli;
