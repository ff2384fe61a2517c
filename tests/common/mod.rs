pub mod backend;
pub mod cli;
pub mod pg;
pub mod pg_cluster;
pub mod pty;
pub mod replay;
pub mod store;
pub mod writers;
