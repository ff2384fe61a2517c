//! Workflows written the way the seeds' orchestrators write them — `workflow_started`, then
//! `state_advanced` (not `phase_advanced`) and one handoff per transition, no checkpoints,
//! sometimes no `version` bump, no `completed_at` on completing — on both backends. baton
//! lists, shows, advances and rolls them back; `baton doctor` passes and names the skipped
//! bookkeeping as warnings; `baton doctor --strict` fails on them. The writer is
//! tests/writers/seed_writer.py (Python: sqlite3 on SQLite, psycopg on PostgreSQL);
//! docs/OUTSIDE_WRITERS.md describes the vocabulary.

mod common;

use common::writers::{Backend, Writer, WriterDb, problems_about};
use serde_json::{Value, json};

const CHECKPOINTS: &str = "every transition has its checkpoint";
const VERSIONS: &str = "version matches recorded changes";
const COMPLETED_AT: &str = "completed workflows have completed_at";

fn check_seed_vocabulary(backend: Backend) {
    let db = WriterDb::new(backend);
    let ids = db.write(Writer::Seed(backend), &["seed"]).json();
    let (a, b, c) = (
        ids["a"].as_str().unwrap().to_string(),
        ids["b"].as_str().unwrap().to_string(),
        ids["c"].as_str().unwrap().to_string(),
    );

    // Listed as written.
    let list = db.json(&["list", "--json"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{list}");
    let row = |build: &str| {
        rows.iter()
            .find(|w| w["build_id"] == build)
            .unwrap()
            .clone()
    };
    let (ra, rb) = (row("seed-a"), row("seed-b"));
    assert_eq!(ra["id"], a.as_str());
    assert_eq!(
        (&ra["current_state"], &ra["current_role"], &ra["version"]),
        (&json!("coding"), &json!("code_writer"), &json!(3))
    );
    assert_eq!(
        (&rb["current_state"], &rb["current_role"], &rb["version"]),
        (&json!("planning"), &json!("q_assistant"), &json!(1)),
        "seed-b's version was not bumped by its transition"
    );

    // Shown: progress from the phase, the handoffs as its timeline, the seeds' events.
    let s = db.json(&["status", "seed-a", "--json"]);
    assert_eq!(s["progress"], json!({"phase": 3, "of": 6, "done": 2}));
    assert_eq!(s["stuck"], Value::Null);
    assert_eq!(
        s["workflow"]["phase_outputs"],
        json!({"discovery": {"notes": "three services"}, "planning": {"plan": "split the API"}})
    );
    let handoffs = s["handoffs"].as_array().unwrap();
    assert_eq!(handoffs.len(), 2, "{s}");
    assert!(handoffs.iter().all(|h| h["kind"] == "advance"));
    let pending: Vec<&Value> = handoffs
        .iter()
        .filter(|h| h["acknowledged_at"].is_null())
        .collect();
    assert_eq!(pending.len(), 1, "only the newest handoff is pending: {s}");
    assert_eq!(pending[0]["to_state"], "coding");
    let types: Vec<&str> = s["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["workflow_started", "state_advanced", "state_advanced"]
    );
    let human = db.run(&["status", "seed-a"]);
    human.code(0);
    assert!(
        human
            .stdout
            .contains("coding (code_writer) — phase 3 of 6, 2 done"),
        "{}",
        human.stdout
    );
    // Time travel through seed-a: its phases are known from the handoffs and the events'
    // from_state/to_state; its versions and outputs are not recorded until the row answers
    // for them (nothing after its last event changes them), and say why.
    let seqs: Vec<String> = s["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].to_string())
        .collect();
    let at = |i: usize| db.json(&["status", "seed-a", "--at", &seqs[i], "--json"]);
    let (a0, a1, a2) = (at(0), at(1), at(2));
    assert_eq!(
        (
            &a0["workflow"]["current_state"],
            &a1["workflow"]["current_state"]
        ),
        (&json!("discovery"), &json!("planning"))
    );
    for a in [&a0, &a1] {
        let unknown: Vec<&String> = a["unknown"].as_object().unwrap().keys().collect();
        assert_eq!(unknown, ["phase_outputs", "version"], "{a}");
    }
    assert_eq!(a2["unknown"], json!({}), "{a2}");
    assert_eq!(a2["workflow"]["version"], 3);
    assert_eq!(
        a2["workflow"]["phase_outputs"],
        s["workflow"]["phase_outputs"]
    );
    let pending = |a: &Value| {
        a["handoffs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["acknowledged_at"].is_null())
            .count()
    };
    assert_eq!(
        (pending(&a1), pending(&a2)),
        (1, 1),
        "picked up at the next transition"
    );
    assert_eq!(a2["handoffs"].as_array().unwrap().len(), 2);

    let sb = db.json(&["status", "seed-b", "--json"]);
    assert_eq!(sb["progress"], json!({"phase": 2, "of": 6, "done": 1}));
    // seed-c went through every phase and completed without setting completed_at.
    let rc = row("seed-c");
    assert_eq!(
        (&rc["status"], &rc["current_state"], &rc["version"]),
        (&json!("completed"), &json!("release"), &json!(7))
    );
    let sc = db.json(&["status", "seed-c", "--json"]);
    assert_eq!(sc["progress"], json!({"phase": 6, "of": 6, "done": 6}));
    assert_eq!(sc["workflow"]["completed_at"], Value::Null);
    assert_eq!(sc["handoffs"].as_array().unwrap().len(), 5);
    let running = db.json(&["list", "--status", "running", "--json"]);
    assert_eq!(running.as_array().unwrap().len(), 2, "{running}");
    let done = db.json(&["list", "--status", "completed", "--json"]);
    assert_eq!(done[0]["build_id"], "seed-c", "{done}");

    // doctor: the skipped bookkeeping is reported as warnings, and is not a failure...
    let doctor = db.run(&["doctor", "--json"]);
    doctor.code(0);
    let d = doctor.json();
    assert_eq!(d["ok"], true, "{d:#}");
    let problems = d["problems"].as_array().unwrap();
    assert!(
        problems.iter().all(|p| p["severity"] == "warning"),
        "only warnings: {d:#}"
    );
    assert!(
        problems_about(&d, &a).contains(&CHECKPOINTS),
        "seed-a has no checkpoints: {d:#}"
    );
    assert!(
        !problems_about(&d, &a).contains(&VERSIONS),
        "seed-a bumped its version on each state_advanced: {d:#}"
    );
    let about_b = problems_about(&d, &b);
    assert!(
        about_b.contains(&CHECKPOINTS) && about_b.contains(&VERSIONS),
        "seed-b has no checkpoint and a version not bumped: {d:#}"
    );
    let about_c = problems_about(&d, &c);
    assert!(
        about_c.contains(&CHECKPOINTS) && about_c.contains(&COMPLETED_AT),
        "seed-c has no checkpoints and no completed_at: {d:#}"
    );
    assert!(!about_c.contains(&VERSIONS), "{d:#}");
    assert!(
        problems_about(&d, "transition events but").is_empty(),
        "each state_advanced has its handoff: {d:#}"
    );
    let human = db.run(&["doctor"]);
    human.code(0);
    for needle in [
        CHECKPOINTS,
        VERSIONS,
        COMPLETED_AT,
        a.as_str(),
        b.as_str(),
        c.as_str(),
    ] {
        assert!(
            human.stdout.contains(needle),
            "`baton doctor` names {needle}:\n{}",
            human.stdout
        );
    }
    // ...except when asked to be strict.
    let strict = db.run(&["doctor", "--strict"]);
    strict.code(1);
    assert!(
        strict.stderr.contains(CHECKPOINTS) || strict.stdout.contains(CHECKPOINTS),
        "--strict says which check failed:\n{}\n{}",
        strict.stdout,
        strict.stderr
    );

    // Operable: baton advances seed-a from the version the writer left (3)...
    let w = db.json(&["advance", "seed-a", "--expect-version", "3", "--json"]);
    assert_eq!(
        (w["current_state"].as_str(), w["version"].as_i64()),
        (Some("testing"), Some(4))
    );
    // ...and rolls it back to planning: with no checkpoint of planning, the outputs of the
    // phases from planning on are discarded.
    let w = db.json(&[
        "rollback",
        "seed-a",
        "--to",
        "planning",
        "--reason",
        "plan was wrong",
        "--json",
    ]);
    assert_eq!(w["current_state"], "planning");
    assert_eq!(w["current_role"], "q_assistant");
    assert_eq!(w["version"], 5);
    assert_eq!(
        w["phase_outputs"],
        json!({"discovery": {"notes": "three services"}})
    );
    // seed-b: at version 1 as written; ack its pending handoff, advance, roll back.
    let hb = sb["handoffs"][0]["id"].as_str().unwrap().to_string();
    let w = db.json(&["ack", &hb, "--expect-version", "1", "--json"]);
    assert_eq!(w["version"], 2);
    let w = db.json(&[
        "advance",
        "seed-b",
        "--output",
        r#"{"plan": "one step"}"#,
        "--json",
    ]);
    assert_eq!(
        (w["current_state"].as_str(), w["version"].as_i64()),
        (Some("coding"), Some(3))
    );
    let w = db.json(&[
        "rollback",
        "seed-b",
        "--to",
        "discovery",
        "--reason",
        "start over",
        "--json",
    ]);
    assert_eq!(w["current_state"], "discovery");
    assert_eq!(w["phase_outputs"], json!({}));

    // A completed workflow stays completed.
    db.run(&["advance", "seed-c"]).code(4);

    // The trail holds both vocabularies, in order.
    let types: Vec<String> = db
        .events("seed-a")
        .iter()
        .map(|e| e["event_type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        types,
        [
            "workflow_started",
            "state_advanced",
            "state_advanced",
            "phase_advanced",
            "phase_rolled_back"
        ]
    );

    // Still only warnings after baton's own changes.
    let d = db.json(&["doctor", "--json"]);
    assert_eq!(d["ok"], true, "{d:#}");
    assert!(
        d["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["severity"] == "warning"),
        "{d:#}"
    );
    db.run(&["doctor", "--strict"]).code(1);
}

#[test]
fn seed_vocabulary_on_sqlite() {
    check_seed_vocabulary(Backend::Sqlite);
}

#[test]
fn seed_vocabulary_on_postgres() {
    check_seed_vocabulary(Backend::Postgres);
}
