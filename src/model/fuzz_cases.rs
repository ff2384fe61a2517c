//! How many cases the property and fuzz tests run: a default per test, or
//! `BATON_FUZZ_CASES` for long runs. Kept in the bottom layer so that tests of every layer
//! can share it without importing upward.

use proptest::prelude::ProptestConfig;

/// Case count: `default`, or `BATON_FUZZ_CASES` for long runs.
pub fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("BATON_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
