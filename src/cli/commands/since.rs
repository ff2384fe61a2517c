//! `--since WHEN`: a time, given as how long ago (`10m`, `2h`, `7d`) or as an RFC 3339
//! time (parsed by `model::since`; where the trail reaches it, `Store::seq_before`).

pub use crate::model::since::{Since, parse_since};
