//! Workflows written into PostgreSQL by orchestrators in other languages — plain SQL with
//! parameters, no baton code — are followed, listed, shown and operated on by `baton`, and
//! baton's own changes are seen by those writers' compare-and-swap. One body, two writers:
//! Python with psycopg 3 (tests/writers/pg_writer.py) and Node.js with node-postgres
//! (tests/writers/pg_writer.js). Both follow docs/OUTSIDE_WRITERS.md. Each test runs the built
//! binary against a throwaway database on `BATON_TEST_PG` (default: the local server).

mod common;

use common::writers::{Backend, PgRole, Writer, WriterDb, is_uuid};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// What differs between the two writers' seeds.
struct Expect {
    writer: Writer,
    prefix: &'static str,
    project: &'static str,
    user: &'static str,
    actor: &'static str,
    metadata: Value,
    found: Value,
}

fn check_writer(x: Expect) {
    x.writer.require();
    let db = WriterDb::new(Backend::Postgres);
    let (min_build, mid_build) = (format!("{}-min", x.prefix), format!("{}-mid", x.prefix));

    // A follower started before the writer sees its commits arrive, though the writer does
    // nothing to announce them.
    let mut follower = db
        .command()
        .args(["events", "--follow", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = follower.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().take(3) {
            let _ = tx.send((line.unwrap(), Instant::now()));
        }
    });
    std::thread::sleep(Duration::from_millis(500));

    let written_at = Instant::now();
    let ids = db.write(x.writer, &["seed"]).json();
    let written_in = written_at.elapsed();
    let (min_id, mid_id) = (
        ids["min"].as_str().unwrap().to_string(),
        ids["mid"].as_str().unwrap().to_string(),
    );
    assert!(is_uuid(&min_id), "the schema's default id: {min_id}");

    let mut followed = Vec::new();
    for _ in 0..3 {
        match rx.recv_timeout(Duration::from_secs(15)) {
            Ok((line, at)) => followed.push((line, at)),
            Err(_) => {
                let _ = follower.kill();
                let out = follower.wait_with_output().unwrap();
                panic!(
                    "`baton events --follow` printed {} of the writer's 3 events within 15 s: {:?}\nstderr:\n{}",
                    followed.len(),
                    followed,
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
    let _ = follower.kill();
    let _ = follower.wait();
    eprintln!(
        "{:?}: the writer ran {written_in:?}; the follower printed its last event {:?} after the writer started",
        x.writer,
        followed[2].1.duration_since(written_at)
    );
    let followed: Vec<Value> = followed
        .iter()
        .map(|(l, _)| serde_json::from_str(l).unwrap())
        .collect();
    let types: Vec<&str> = followed
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["workflow_started", "workflow_started", "phase_advanced"]
    );
    assert_eq!(followed[0]["workflow_id"], min_id.as_str());
    assert_eq!(followed[2]["workflow_id"], mid_id.as_str());
    assert!(followed[0]["seq"].as_i64() < followed[2]["seq"].as_i64());

    // list --json: the minimal row shows the schema's defaults.
    let list = db.json(&["list", "--json"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{list}");
    let min = rows.iter().find(|w| w["build_id"] == min_build).unwrap();
    assert_eq!(min["id"], min_id.as_str());
    assert_eq!(min["project_id"], x.project);
    assert_eq!(min["definition"], "build");
    assert_eq!(min["current_state"], "discovery");
    assert_eq!(min["current_role"], "q_assistant");
    assert_eq!(min["status"], "running");
    assert_eq!(min["version"], 1);
    assert_eq!(min["user_id"], Value::Null);
    let created = min["created_at"].as_str().unwrap();
    assert!(
        created.ends_with('Z') && created.len() == 24,
        "timestamps print as on SQLite, RFC 3339 UTC with ms: {created}"
    );
    let mid = rows.iter().find(|w| w["build_id"] == mid_build).unwrap();
    assert_eq!(mid["id"], mid_id.as_str());
    assert_eq!(mid["current_state"], "planning");
    assert_eq!(mid["version"], 2);
    assert_eq!(mid["user_id"], x.user);
    let table = db.run(&["list"]);
    table.code(0);
    assert!(table.stdout.contains(&min_build) && table.stdout.contains(&mid_build));
    assert!(table.stdout.contains(&min_id[..8]));

    // status: progress, outputs, metadata, the pending handoff, the writer's events.
    let s = db.json(&["status", &mid_build, "--json"]);
    assert_eq!(s["progress"], json!({"phase": 2, "of": 6, "done": 1}));
    assert_eq!(s["stuck"], Value::Null);
    assert_eq!(
        s["workflow"]["phase_outputs"],
        json!({"discovery": x.found})
    );
    assert_eq!(s["workflow"]["metadata"], x.metadata);
    assert!(s["workflow"]["state_entered_at"].is_string());
    let h = &s["handoffs"][0];
    assert_eq!(h["kind"], "advance");
    assert_eq!(
        (h["from_state"].as_str(), h["to_state"].as_str()),
        (Some("discovery"), Some("planning"))
    );
    assert_eq!(h["data_transferred"], x.found);
    assert_eq!(h["acknowledged_at"], Value::Null);
    let events = s["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{s}");
    assert!(events.iter().all(|e| e["triggered_by"] == x.actor));
    assert_eq!(events[1]["event_data"]["handoff_id"], h["id"]);
    let human = db.run(&["status", &mid_build]);
    human.code(0);
    assert!(
        human
            .stdout
            .contains("planning (q_assistant) — phase 2 of 6, 1 done"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("PENDING"), "{}", human.stdout);
    let s = db.json(&["status", &min_id[..10], "--json"]);
    assert_eq!(s["progress"], json!({"phase": 1, "of": 6, "done": 0}));
    assert_eq!(s["handoffs"], json!([]));
    assert_eq!(s["events"][0]["triggered_by"], "system");

    // The writer kept every invariant: no errors, no warnings.
    let d = db.json(&["doctor", "--json"]);
    assert_eq!(
        (d["ok"].as_bool(), &d["problems"]),
        (Some(true), &json!([])),
        "{d:#}"
    );
    db.run(&["doctor"]).code(0);
    db.run(&["doctor", "--strict"]).code(0);

    // A heartbeat from the writer: heartbeat_at only.
    db.write(x.writer, &["heartbeat", &mid_id]);
    let w = db.json(&["status", &mid_build, "--json"])["workflow"].clone();
    assert!(w["heartbeat_at"].is_string(), "{w}");
    assert_eq!(w["version"], 2);

    // baton acknowledges the writer's handoff...
    let hid = h["id"].as_str().unwrap().to_string();
    let w = db.json(&["ack", &hid[..8], "--expect-version", "2", "--json"]);
    assert_eq!(w["version"], 3);
    // ...so the writer, still holding version 2, finds it changed and writes nothing;
    let r = db.write(x.writer, &["advance", &mid_id, "2"]).json();
    assert_eq!(r, json!({"result": "conflict", "version": 3}));
    // baton advances it...
    let w = db.json(&[
        "advance",
        &mid_build,
        "--output",
        r#"{"plan": "ok"}"#,
        "--expect-version",
        "3",
        "--json",
    ]);
    assert_eq!(
        (w["current_state"].as_str(), w["version"].as_i64()),
        (Some("coding"), Some(4))
    );
    // ...and the writer, re-reading, advances from there.
    let r = db.write(x.writer, &["advance", &mid_id, "4"]).json();
    assert_eq!(r, json!({"result": "ok", "version": 5}));
    let w = db.json(&["status", &mid_build, "--json"])["workflow"].clone();
    assert_eq!(w["current_state"], "testing");
    assert_eq!(w["current_role"], "test_auditor");
    // baton's own stale version is refused too (exit 4), and changes nothing.
    db.run(&["advance", &mid_build, "--expect-version", "4"])
        .code(4);

    // Rolling back to planning restores the outputs from the writer's checkpoint of it.
    let w = db.json(&[
        "rollback",
        &mid_build,
        "--to",
        "planning",
        "--reason",
        "spec changed",
        "--json",
    ]);
    assert_eq!(w["current_state"], "planning");
    assert_eq!(w["version"], 6);
    assert_eq!(w["phase_outputs"], json!({"discovery": x.found}));
    let w = db.json(&["advance", &min_build, "--json"]);
    assert_eq!(
        (w["current_state"].as_str(), w["version"].as_i64()),
        (Some("planning"), Some(2))
    );

    // The trail, in commit order, with who did what.
    let trail: Vec<(String, String)> = db
        .events(&mid_build)
        .iter()
        .map(|e| {
            (
                e["event_type"].as_str().unwrap().to_string(),
                e["triggered_by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let op = common::writers::OPERATOR.to_string();
    let me = x.actor.to_string();
    assert_eq!(
        trail,
        [
            ("workflow_started".into(), me.clone()),
            ("phase_advanced".into(), me.clone()),
            ("handoff_acknowledged".into(), op.clone()),
            ("phase_advanced".into(), op.clone()),
            ("phase_advanced".into(), me),
            ("phase_rolled_back".into(), op),
        ]
    );
    let human = db.run(&["events", "--workflow", &mid_build]);
    human.code(0);
    // A header and the six events, each naming the workflow by its build id.
    assert_eq!(human.stdout.lines().count(), 7, "{}", human.stdout);
    assert!(
        human
            .stdout
            .lines()
            .skip(1)
            .all(|l| l.contains(&format!(" {mid_build} "))),
        "{}",
        human.stdout
    );

    // Everything still adds up.
    let d = db.json(&["doctor", "--json"]);
    assert_eq!(
        (d["ok"].as_bool(), &d["problems"]),
        (Some(true), &json!([])),
        "{d:#}"
    );
    db.run(&["doctor", "--strict"]).code(0);
}

#[test]
fn python_psycopg_writer_is_followed_listed_shown_and_operable() {
    check_writer(Expect {
        writer: Writer::PythonPg,
        prefix: "py",
        project: "pyproj",
        user: "carol",
        actor: "orchestrator:py",
        metadata: json!({"source": "python"}),
        found: json!({"found": 3}),
    });
}

#[test]
fn node_pg_writer_is_followed_listed_shown_and_operable() {
    check_writer(Expect {
        writer: Writer::NodePg,
        prefix: "js",
        project: "jsproj",
        user: "dave",
        actor: "orchestrator:js",
        metadata: json!({"source": "node", "tags": ["a", "b"]}),
        found: json!({"found": [1, 2, 3]}),
    });
}

/// The grants docs/OUTSIDE_WRITERS.md names are enough for a writer, and the one that is easy
/// to miss — on the trigger-kept status counts — is needed: without it the writer's first
/// insert fails with the error the docs quote.
#[test]
fn a_writer_role_with_the_documented_grants_can_write() {
    Writer::PythonPg.require();
    let role = PgRole::new("baton_writer");
    let db = WriterDb::new(Backend::Postgres);
    let url = role.url(&db.target);
    let mut admin = db.pg_client();
    admin
        .batch_execute(&format!(
            "GRANT SELECT, INSERT, UPDATE ON build_workflows, workflow_events, workflow_handoffs,
               workflow_checkpoints TO {r};
             GRANT SELECT ON workflow_definitions TO {r};",
            r = role.name
        ))
        .unwrap();

    let refused = Writer::PythonPg.try_run(&url, &["seed"]);
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("permission denied for table workflow_status_counts"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        db.json(&["list", "--json"]),
        json!([]),
        "nothing was written"
    );

    admin
        .batch_execute(&format!(
            "GRANT SELECT, INSERT, UPDATE ON workflow_status_counts TO {}",
            role.name
        ))
        .unwrap();
    let ids = Writer::PythonPg.run(&url, &["seed"]).json();
    let mid = ids["mid"].as_str().unwrap();
    let r = Writer::PythonPg.run(&url, &["advance", mid, "2"]).json();
    assert_eq!(r, json!({"result": "ok", "version": 3}));
    Writer::PythonPg.run(&url, &["heartbeat", mid]);
    let w = db.json(&["status", "py-mid", "--json"])["workflow"].clone();
    assert_eq!(
        (w["current_state"].as_str(), w["version"].as_i64()),
        (Some("coding"), Some(3))
    );
    let d = db.json(&["doctor", "--json"]);
    assert_eq!(
        (d["ok"].as_bool(), &d["problems"]),
        (Some(true), &json!([])),
        "{d:#}"
    );
    drop(admin);
    drop(db);
}

/// Two orchestrators write at once: the one whose transaction took the lower `seq` commits
/// after the other. `baton events --follow` must print both events — on PostgreSQL `seq`
/// order is not commit order, and a follower that reads only `seq > last printed` skips the
/// late one for good. (Whether the follower prints the fast event at once or holds it until
/// the slow transaction ends is its own business; skipping or repeating one is not.)
#[test]
fn an_event_committed_late_with_a_lower_seq_is_still_followed() {
    let db = WriterDb::new(Backend::Postgres);
    let mut slow = db.pg_client();
    let mut fast = db.pg_client();
    let mut ids = Vec::new();
    for build in ["slow-1", "fast-1"] {
        let id: String = slow
            .query_one(
                r#"INSERT INTO build_workflows (build_id, project_id, current_state, "current_role")
                   VALUES ($1, 'late', 'discovery', 'q_assistant') RETURNING id"#,
                &[&build],
            )
            .unwrap()
            .get(0);
        slow.execute(
            "INSERT INTO workflow_events (workflow_id, event_type) VALUES ($1, 'workflow_started')",
            &[&id],
        )
        .unwrap();
        ids.push(id);
    }

    let mut follower = db
        .command()
        .args(["events", "--follow", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = follower.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let e: Value = serde_json::from_str(&line).unwrap();
            if tx.send(e).is_err() {
                break;
            }
        }
    });
    // The follower prints the events already there first.
    for _ in 0..2 {
        rx.recv_timeout(Duration::from_secs(15))
            .expect("the follower prints the events already there");
    }

    // The slow orchestrator takes its seq first and holds its transaction open...
    let mut tx_slow = slow.transaction().unwrap();
    let slow_seq: i64 = tx_slow
        .query_one(
            "INSERT INTO workflow_events (workflow_id, event_type, triggered_by)
             VALUES ($1, 'slow_step', 'orchestrator:slow') RETURNING seq",
            &[&ids[0]],
        )
        .unwrap()
        .get(0);
    // ...while the fast one takes the next seq and commits; the follower polls meanwhile.
    let fast_seq: i64 = fast
        .query_one(
            "INSERT INTO workflow_events (workflow_id, event_type, triggered_by)
             VALUES ($1, 'fast_step', 'orchestrator:fast') RETURNING seq",
            &[&ids[1]],
        )
        .unwrap()
        .get(0);
    assert!(slow_seq < fast_seq);
    std::thread::sleep(Duration::from_millis(1500));
    tx_slow.commit().unwrap();

    let mut printed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(e) => printed.push((
                e["seq"].as_i64().unwrap(),
                e["event_type"].as_str().unwrap_or("").to_string(),
            )),
            Err(_) => break,
        }
        if printed.len() >= 2 {
            // Long enough for a repeat to show.
            std::thread::sleep(Duration::from_millis(600));
            while let Ok(e) = rx.try_recv() {
                printed.push((
                    e["seq"].as_i64().unwrap(),
                    e["event_type"].as_str().unwrap_or("").to_string(),
                ));
            }
            break;
        }
    }
    let _ = follower.kill();
    let _ = follower.wait();
    let mut seqs: Vec<i64> = printed.iter().map(|(s, _)| *s).collect();
    seqs.sort();
    assert_eq!(
        seqs,
        [slow_seq, fast_seq],
        "`baton events --follow` printed {printed:?} after seq {fast_seq} (committed first) and \
         seq {slow_seq} (committed 1.5 s later): each must be printed exactly once"
    );
}
