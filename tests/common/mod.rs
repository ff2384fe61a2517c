pub mod backend;
pub mod cli;
pub mod pg;
pub mod pty;
pub mod replay;
pub mod store;
pub mod writers;
