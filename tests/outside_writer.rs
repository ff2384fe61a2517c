//! A workflow written by another program — plain SQL through Python's sqlite3 module, no
//! baton code — is listed, shown, followed and operated on correctly by `baton`.
//! docs/OUTSIDE_WRITERS.md lists the columns such a writer must fill.

mod common;

use common::cli::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

/// What an orchestrator in Python would do. Prints the two workflow ids.
const WRITER: &str = r#"
import datetime, json, sqlite3, sys, uuid

def now():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")

c = sqlite3.connect(sys.argv[1], timeout=5)
c.execute("PRAGMA foreign_keys = ON")

# 1. The minimum: required columns only; id, status, version, JSON columns and
#    timestamps come from the schema's defaults. Plus its workflow_started event.
with c:
    cur = c.execute(
        "INSERT INTO build_workflows (build_id, project_id, current_state, current_role)"
        " VALUES ('py-min', 'pyproj', 'discovery', 'q_assistant')")
    wid = c.execute("SELECT id FROM build_workflows WHERE rowid = ?", (cur.lastrowid,)).fetchone()[0]
    c.execute("INSERT INTO workflow_events (workflow_id, event_type, triggered_by)"
              " VALUES (?, 'workflow_started', 'orchestrator:py')", (wid,))

# 2. Mid-flight: already advanced once (version 2), with the handoff into planning still
#    unacknowledged, the checkpoint of entering planning, and both events.
wid2, t = str(uuid.uuid4()), now()
outputs = json.dumps({"discovery": {"found": 3}})
with c:
    c.execute(
        "INSERT INTO build_workflows (id, build_id, project_id, user_id, definition,"
        " current_state, current_role, status, phase_outputs, version, metadata,"
        " created_at, updated_at, state_entered_at)"
        " VALUES (?, 'py-mid', 'pyproj', 'carol', 'build', 'planning', 'q_assistant',"
        " 'running', ?, 2, ?, ?, ?, ?)",
        (wid2, outputs, json.dumps({"source": "python"}), t, t, t))
    c.execute("INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data, created_at)"
              " VALUES (?, 'workflow_started', 'orchestrator:py', '{}', ?)", (wid2, t))
    c.execute("INSERT INTO workflow_handoffs (workflow_id, from_role, to_role, from_state, to_state,"
              " kind, data_transferred, created_at)"
              " VALUES (?, 'q_assistant', 'q_assistant', 'discovery', 'planning', 'advance', ?, ?)",
              (wid2, json.dumps({"found": 3}), t))
    c.execute("INSERT INTO workflow_checkpoints (workflow_id, state, phase_outputs, version, created_at)"
              " VALUES (?, 'planning', ?, 2, ?)", (wid2, outputs, t))
    c.execute("INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data, created_at)"
              " VALUES (?, 'phase_advanced', 'orchestrator:py', ?, ?)",
              (wid2, json.dumps({"from": "discovery", "to": "planning"}), t))
print(wid, wid2)
"#;

fn write_with_python(db: &Db) -> (String, String) {
    let out = Command::new("python3")
        .arg("-c")
        .arg(WRITER)
        .arg(&db.path)
        .output()
        .expect("python3 runs (it ships on every machine of this project's kind)");
    assert!(
        out.status.success(),
        "the Python writer failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut ids = text.split_whitespace().map(str::to_string);
    (ids.next().unwrap(), ids.next().unwrap())
}

#[test]
fn rows_written_with_plain_sql_are_listed_shown_and_operable() {
    let db = Db::new();
    // A follower started before the writer sees its events arrive.
    let mut follower = baton(db.dir.path())
        .args(["--db", db.path_str(), "events", "--follow", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = follower.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().take(3) {
            let _ = tx.send(line.unwrap());
        }
    });
    std::thread::sleep(Duration::from_millis(300));

    let (min_id, mid_id) = write_with_python(&db);
    assert_eq!(min_id.len(), 32, "the schema's default id: {min_id}");

    let followed: Vec<Value> = (0..3)
        .map(|_| serde_json::from_str(&rx.recv_timeout(Duration::from_secs(10)).unwrap()).unwrap())
        .collect();
    let _ = follower.kill();
    let _ = follower.wait();
    let types: Vec<&str> = followed
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["workflow_started", "workflow_started", "phase_advanced"]
    );
    assert_eq!(followed[0]["workflow_id"], min_id.as_str());

    // list --json
    let list = db.json(&["list", "--json"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let min = rows.iter().find(|w| w["build_id"] == "py-min").unwrap();
    assert_eq!(min["id"], min_id.as_str());
    assert_eq!(min["project_id"], "pyproj");
    assert_eq!(min["definition"], "build");
    assert_eq!(min["current_state"], "discovery");
    assert_eq!(min["current_role"], "q_assistant");
    assert_eq!(min["status"], "running");
    assert_eq!(min["version"], 1);
    assert_eq!(min["user_id"], Value::Null);
    assert!(min["created_at"].as_str().unwrap().ends_with('Z'));
    let mid = rows.iter().find(|w| w["build_id"] == "py-mid").unwrap();
    assert_eq!(mid["id"], mid_id.as_str());
    assert_eq!(mid["current_state"], "planning");
    assert_eq!(mid["version"], 2);
    assert_eq!(mid["user_id"], "carol");
    let table = db.run(&["list"]);
    table.code(0);
    assert!(table.stdout.contains("py-min") && table.stdout.contains("py-mid"));
    assert!(table.stdout.contains(&min_id[..8]));

    // status of each
    let s = db.json(&["status", "py-mid", "--json"]);
    assert_eq!(s["progress"], json!({"phase": 2, "of": 6, "done": 1}));
    assert_eq!(s["stuck"], Value::Null);
    assert_eq!(
        s["workflow"]["phase_outputs"],
        json!({"discovery": {"found": 3}})
    );
    assert_eq!(s["workflow"]["metadata"], json!({"source": "python"}));
    let h = &s["handoffs"][0];
    assert_eq!(h["kind"], "advance");
    assert_eq!(h["to_state"], "planning");
    assert_eq!(h["data_transferred"], json!({"found": 3}));
    assert_eq!(h["acknowledged_at"], Value::Null);
    assert_eq!(s["events"].as_array().unwrap().len(), 2);
    assert_eq!(s["events"][1]["triggered_by"], "orchestrator:py");
    let human = db.run(&["status", "py-mid"]);
    human.code(0);
    assert!(
        human
            .stdout
            .contains("planning (q_assistant) — phase 2 of 6, 1 done")
    );
    assert!(human.stdout.contains("PENDING"));
    let s = db.json(&["status", &min_id[..10], "--json"]);
    assert_eq!(s["progress"], json!({"phase": 1, "of": 6, "done": 0}));
    assert_eq!(s["handoffs"], json!([]));

    // The invariants hold for what the writer wrote...
    db.run(&["doctor"]).code(0);

    // ...and baton operates on it as on its own rows.
    let hid = h["id"].as_str().unwrap().to_string();
    let w = db.json(&["ack", &hid[..6], "--expect-version", "2", "--json"]);
    assert_eq!(w["version"], 3);
    let w = db.json(&[
        "advance",
        "py-mid",
        "--output",
        r#"{"plan": "ok"}"#,
        "--json",
    ]);
    assert_eq!(w["current_state"], "coding");
    let w = db.json(&["rollback", "py-mid", "--reason", "check", "--json"]);
    assert_eq!(w["current_state"], "planning");
    assert_eq!(w["phase_outputs"], json!({"discovery": {"found": 3}}));
    let w = db.json(&["advance", "py-min", "--json"]);
    assert_eq!(
        (w["current_state"].as_str(), w["version"].as_i64()),
        (Some("planning"), Some(2))
    );
    db.run(&["doctor"]).code(0);
}
