mod common;
use common::backend::*;
use common::pg::PgDb;
#[test]
fn pg_raw_works() {
    let pg = PgDb::empty();
    let mut c = pg.client();
    for f in [
        "migrations/postgres/0001_initial.sql",
        "migrations/postgres/0002_counts_and_pending.sql",
    ] {
        c.batch_execute(&std::fs::read_to_string(f).unwrap())
            .unwrap();
    }
    let mut raw = Raw::Pg(c);
    raw.execute("INSERT INTO build_workflows (id, build_id, project_id, current_state, \"current_role\", phase_outputs, version, created_at) VALUES ($1, 'b-1', 'p', 'coding', 'code_writer', $2, $3, $4)",
        &[&"ext-1", &r#"{"a":1}"#, &3i64, &"2024-01-02T03:04:05.678Z"]);
    raw.execute(
        "INSERT INTO workflow_events (workflow_id, event_type, event_data) VALUES ($1, 'x', $2)",
        &[&"ext-1", &r#"{"handoff_id":"h1"}"#],
    );
    raw.execute("INSERT INTO workflow_handoffs (id, workflow_id, to_role, to_state) VALUES ('h1', $1, 'r', 's')", &[&"ext-1"]);
    println!("{:?}", raw.head("ext-1"));
    println!("{:?}", raw.rows("ext-1"));
    println!("{:?}", raw.last_event("ext-1"));
    println!("{:?}", raw.pending_handoff("ext-1"));
    let t: (String, serde_json::Value, Option<String>, i64) = raw.one("SELECT created_at, phase_outputs, heartbeat_at, retry_count FROM build_workflows WHERE id = $1", &[&"ext-1"]);
    println!("{t:?} {}", is_timestamp(&t.0));
    println!(
        "{:?}",
        raw.value::<i64>(
            "SELECT CAST(sum(n) AS bigint) FROM workflow_status_counts",
            &[]
        )
    );
    for l in raw.dump() {
        println!("{l}");
    }
    println!("{:?}", raw.try_batch("SELECT nope"));
}
