pub mod cli;
pub mod pty;
pub mod replay;
pub mod store;
