pub mod cli;
pub mod pty;
pub mod store;
