//! The dashboard's full load reads the live set in chunks: every live workflow arrives
//! exactly once, however many chunks it takes, on both backends (on PostgreSQL each chunk
//! is a keyset page, and the page after the first once failed to prepare: the dashboard
//! then showed only its first screenful).

mod common;

use common::backend::*;
use std::collections::HashSet;

fn the_live_set_arrives_whole_in_chunks(b: Backend) {
    let db = TestDb::cli(b);
    db.run(&[
        "simulate",
        "--backfill",
        "40",
        "--live",
        "120",
        "--seed",
        "5",
    ])
    .code(0);
    let store = db.store();
    let live = store.live().unwrap();
    assert_eq!(live.len(), 120);
    let mut seen = HashSet::new();
    let mut chunks = 0;
    store
        .live_chunks(25, |rows| {
            chunks += 1;
            assert!(rows.len() <= 25);
            for w in rows {
                assert!(seen.insert(w.id.clone()), "{} twice", w.id);
            }
            true
        })
        .unwrap();
    assert_eq!(seen.len(), 120, "every live workflow, once");
    assert!(chunks >= 5, "{chunks} chunks");
}

both!(the_live_set_arrives_whole_in_chunks);
