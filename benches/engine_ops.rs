//! Each engine operation against raw rusqlite running the same statements in the same
//! transaction shape (the baseline), on the same database file in the same run.
//!
//! The baseline reads the snapshot the engine reads (workflow row, definition, every
//! checkpoint, pending handoffs), then writes the same UPDATE and INSERTs, with prepared
//! statements and no rules, no JSON parsing and no model types: what the engine's work
//! costs on top of SQLite's. Target: engine `advance` ≥ 0.7 × the baseline's throughput.

#[path = "common/raw.rs"]
mod raw_ops;

use baton::store::{OpenMode, Store};
use criterion::{Criterion, criterion_group, criterion_main};
use raw_ops::{SHAPES, Step, raw, raw_connection, raw_start, start, step};
use rusqlite::params;
use std::time::{Duration, Instant};

fn ops(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bench.db");
    let (mut store, _) = Store::open(&path, OpenMode::Create).expect("open");
    let mut conn = raw_connection(&path);
    let mut n = 0_u64;
    let mut g = c.benchmark_group("engine");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));

    g.bench_function("start/engine", |b| {
        b.iter(|| {
            n += 1;
            start(&mut store, n)
        })
    });
    g.bench_function("start/raw", |b| {
        b.iter(|| {
            n += 1;
            raw_start(&mut conn, n)
        })
    });
    // The heartbeat is one UPDATE; its baseline is the same UPDATE.
    g.bench_function("heartbeat/engine", |b| {
        let id = start(&mut store, u64::MAX);
        b.iter(|| step(&mut store, &id, Step::Heartbeat))
    });
    g.bench_function("heartbeat/raw", |b| {
        let id = start(&mut store, u64::MAX - 1);
        b.iter(|| {
            conn.prepare_cached("UPDATE build_workflows SET heartbeat_at = ?2 WHERE id = ?1")
                .expect("prepare")
                .execute(params![id, baton::model::time::now_text()])
                .expect("heartbeat")
        })
    });
    for shape in SHAPES {
        for engine_side in [true, false] {
            let label = format!(
                "{}/{}",
                shape.name,
                if engine_side { "engine" } else { "raw" }
            );
            g.bench_function(label, |b| {
                b.iter_custom(|iters| {
                    // Fresh workflows in the right state, prepared outside the timing.
                    let ids: Vec<String> = (0..iters)
                        .map(|_| {
                            n += 1;
                            let id = start(&mut store, n);
                            for s in shape.setup {
                                step(&mut store, &id, *s);
                            }
                            id
                        })
                        .collect();
                    let t = Instant::now();
                    for id in &ids {
                        if engine_side {
                            step(&mut store, id, shape.op);
                        } else {
                            raw(&mut conn, id, shape);
                        }
                    }
                    t.elapsed()
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, ops);
criterion_main!(benches);
