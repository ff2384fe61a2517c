//! Engine `advance` on PostgreSQL next to the same transaction written by hand through the
//! same client (the `postgres` crate, same TLS setting), in the same run, alternating.
//!
//! ```text
//! cargo run --release --example perf_pg -- --db postgres://postgres@127.0.0.1/perf_adv
//! ```
//!
//! The database must exist and be empty or migrated (`baton migrate` or `createdb`); the
//! example migrates it. `examples/perf_pg/run.sh` runs this and the other PostgreSQL
//! measurements of docs/PERFORMANCE.md.
//!
//! The baseline (`raw`) runs the statements baton's PostgreSQL backend runs for one advance
//! (src/store/postgres/write.rs), every one prepared once on its connection: `BEGIN`; the
//! workflow row `FOR UPDATE`; the newest definition; the newest checkpoint per phase; the
//! pending handoffs; the version-checked `UPDATE`; `INSERT` handoff, checkpoint and event
//! (`RETURNING seq`); `COMMIT`. No rules, no model types, no JSON parsing. A second
//! baseline (`raw, definition unprepared`) is the same with the definition read sent as
//! text each time, as `definitions::latest` does (the driver then prepares an unnamed
//! statement first: one more round trip).

#[path = "../../benches/common/raw.rs"]
mod raw_ops;

use baton::store::{OpenMode, Store, Target};
use postgres::{Client, Config, Statement};
use std::time::Instant;

struct Args {
    db: String,
    workflows: usize,
    rounds: usize,
}

fn args() -> Args {
    let mut a = Args {
        db: String::new(),
        workflows: 500,
        rounds: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--db" => a.db = val(),
            "--workflows" => a.workflows = val().parse().expect("--workflows N"),
            "--rounds" => a.rounds = val().parse().expect("--rounds N"),
            _ => panic!("usage: perf_pg --db postgres://… [--workflows N] [--rounds N]"),
        }
    }
    assert!(
        a.db.starts_with("postgres://") || a.db.starts_with("postgresql://"),
        "--db postgres://… is required"
    );
    a
}

/// A client the way baton connects for `sslmode` prefer/require/disable: TLS without
/// certificate checks unless disabled (the URL's `sslmode`, default prefer, as libpq).
fn raw_client(url: &str) -> Client {
    let config: Config = url.parse().expect("URL");
    let tls = baton::store::MakeTls::new(baton::store::TlsCheck::Nothing, None).expect("tls");
    let mut c = config.connect(tls).expect("connect raw");
    c.batch_execute("SET lock_timeout = 5000").expect("session");
    c
}

const WORKFLOW_FULL: &str = "id, build_id, project_id, user_id, definition, current_state, \
    \"current_role\", status, phase_outputs, retry_count, max_retries, last_error, version, \
    metadata, created_at, updated_at, completed_at, heartbeat_at, state_entered_at";
const DEFINITION: &str = "SELECT name, version, description, phases FROM workflow_definitions
             WHERE name = $1 ORDER BY version DESC LIMIT 1";

struct Prepared {
    lock: Statement,
    definition: Statement,
    checkpoints: Statement,
    pending: Statement,
    update: Statement,
    handoff: Statement,
    checkpoint: Statement,
    event: Statement,
}

fn prepare(c: &mut Client) -> Prepared {
    let mut p = |sql: &str| c.prepare(sql).expect("prepare");
    Prepared {
        lock: p(&format!(
            "SELECT {WORKFLOW_FULL} FROM build_workflows WHERE id = $1 FOR UPDATE"
        )),
        definition: p(DEFINITION),
        checkpoints: p(
            "SELECT DISTINCT ON (state) id, workflow_id, state, phase_outputs, retry_count,
               version, created_at FROM workflow_checkpoints
             WHERE workflow_id = $1 ORDER BY state, version DESC, created_at DESC",
        ),
        pending: p(
            "SELECT id, workflow_id, from_role, to_role, from_state, to_state, kind,
               data_transferred, created_at, acknowledged_at, acknowledged_by
             FROM workflow_handoffs
             WHERE workflow_id = $1 AND acknowledged_at IS NULL ORDER BY created_at",
        ),
        update: p(
            "UPDATE build_workflows SET version = $3, updated_at = $4::text::timestamptz,
               current_state = $5, \"current_role\" = $6, status = $7,
               phase_outputs = $8, retry_count = $9::int8, last_error = $10,
               completed_at = $11::text::timestamptz,
               state_entered_at = $12::text::timestamptz
             WHERE id = $1 AND version = $2",
        ),
        handoff: p(
            "INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role, from_state,
               to_state, kind, data_transferred, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::timestamptz)",
        ),
        checkpoint: p(
            "INSERT INTO workflow_checkpoints (id, workflow_id, state, phase_outputs,
               retry_count, version, created_at)
             VALUES ($1, $2, $3, $4, $5::int8, $6, $7::text::timestamptz)",
        ),
        event: p(
            "INSERT INTO workflow_events (id, workflow_id, event_type, triggered_by, event_data,
               created_at) VALUES ($1, $2, $3, $4, $5, $6::text::timestamptz) RETURNING seq",
        ),
    }
}

/// One advance by hand: the statements baton runs, values fixed, nothing checked.
fn raw_advance(c: &mut Client, p: &Prepared, id: &str, prepared_definition: bool) {
    let mut tx = c.transaction().expect("begin");
    let row = tx.query_one(&p.lock, &[&id]).expect("workflow");
    let version: i64 = row.get(12);
    let definition: String = row.get(4);
    let def = if prepared_definition {
        tx.query_opt(&p.definition, &[&definition])
    } else {
        tx.query_opt(DEFINITION, &[&definition])
    };
    let _phases: serde_json::Value = def.expect("definition").expect("defined").get(3);
    for r in tx.query(&p.checkpoints, &[&id]).expect("checkpoints") {
        let _: serde_json::Value = r.get(3);
    }
    for r in tx.query(&p.pending, &[&id]).expect("pending") {
        let _: String = r.get(0);
    }
    let now = baton::model::time::now_text();
    let outputs = serde_json::json!({ "discovery": { "summary": "x" } });
    let n = tx
        .execute(
            &p.update,
            &[
                &id,
                &version,
                &(version + 1),
                &now,
                &"planning",
                &"architect",
                &"running",
                &outputs,
                &0_i64,
                &None::<String>,
                &None::<String>,
                &now,
            ],
        )
        .expect("update");
    assert_eq!(n, 1);
    let data = serde_json::json!({ "tests_run": 412, "passed": 410, "coverage": 0.83 });
    tx.execute(
        &p.handoff,
        &[
            &uuid::Uuid::new_v4().to_string(),
            &id,
            &"q_assistant",
            &"architect",
            &"discovery",
            &"planning",
            &"advance",
            &data,
            &now,
        ],
    )
    .expect("handoff");
    tx.execute(
        &p.checkpoint,
        &[
            &uuid::Uuid::new_v4().to_string(),
            &id,
            &"planning",
            &outputs,
            &0_i64,
            &(version + 1),
            &now,
        ],
    )
    .expect("checkpoint");
    let ev = serde_json::json!({ "from": "discovery", "to": "planning", "version": version + 1 });
    let _seq: i64 = tx
        .query_one(
            &p.event,
            &[
                &uuid::Uuid::new_v4().to_string(),
                &id,
                &"phase_advanced",
                &raw_ops::ACTOR,
                &ev,
                &now,
            ],
        )
        .expect("event")
        .get(0);
    tx.commit().expect("commit");
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let a = args();
    let (mut store, _) = Store::open(Target::parse(&a.db), OpenMode::Create).expect("open store");
    let mut conn = raw_client(&a.db);
    let p = prepare(&mut conn);
    let advances = 4; // per workflow, all legal: the build definition has six phases
    let ops = (a.workflows * advances) as f64;
    let mut n = 0_u64;
    let mut fresh = |store: &mut Store| -> Vec<String> {
        (0..a.workflows)
            .map(|_| {
                n += 1;
                raw_ops::start(store, n)
            })
            .collect()
    };
    let (mut eng, mut raw, mut raw_text) = (Vec::new(), Vec::new(), Vec::new());
    // Warm both connections' caches and the server's before the first timed round.
    for id in fresh(&mut store).iter().take(50) {
        raw_ops::step(&mut store, id, raw_ops::Step::Advance);
        raw_advance(&mut conn, &p, id, true);
    }
    // The machine and the server are shared: the three sides take turns every `CHUNK`
    // advances, so that a burst of outside load falls on all of them alike.
    const CHUNK: usize = 25;
    for round in 0..a.rounds {
        let sides = [fresh(&mut store), fresh(&mut store), fresh(&mut store)];
        let mut spent = [std::time::Duration::ZERO; 3];
        for _ in 0..advances {
            for at in (0..a.workflows).step_by(CHUNK) {
                for (side, ids) in sides.iter().enumerate() {
                    let ids = &ids[at..(at + CHUNK).min(a.workflows)];
                    let t = Instant::now();
                    for id in ids {
                        match side {
                            0 => raw_ops::step(&mut store, id, raw_ops::Step::Advance),
                            1 => raw_advance(&mut conn, &p, id, true),
                            _ => raw_advance(&mut conn, &p, id, false),
                        }
                    }
                    spent[side] += t.elapsed();
                }
            }
        }
        eng.push(ops / spent[0].as_secs_f64());
        raw.push(ops / spent[1].as_secs_f64());
        raw_text.push(ops / spent[2].as_secs_f64());
        eprintln!(
            "round {round}: engine {:.0} raw {:.0} raw(definition unprepared) {:.0} ops/s",
            eng[round], raw[round], raw_text[round]
        );
    }
    // Ratios per round (each round's three sides ran interleaved), then their median.
    let mut ratio: Vec<f64> = eng.iter().zip(&raw).map(|(e, r)| e / r).collect();
    let mut ratio_text: Vec<f64> = eng.iter().zip(&raw_text).map(|(e, r)| e / r).collect();
    let (e, r, rt) = (median(&mut eng), median(&mut raw), median(&mut raw_text));
    println!("advances per side per round: {ops}, rounds: {}", a.rounds);
    println!("engine advance (PostgreSQL)          {e:.0} ops/s");
    println!(
        "raw postgres, same statements        {r:.0} ops/s  (engine/raw per round, median {:.2}x)",
        median(&mut ratio)
    );
    println!(
        "raw, definition read unprepared      {rt:.0} ops/s  (engine/raw per round, median {:.2}x)",
        median(&mut ratio_text)
    );
}
