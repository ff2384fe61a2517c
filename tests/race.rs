//! Several `baton` processes advancing the same workflows at once. Afterwards no update is
//! lost: every success reported a distinct version, each workflow's version equals its
//! recorded changes, its phase matches the advances it took, and `baton doctor` passes.

mod common;

use common::backend::*;
use common::cli::baton;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::{Child, Stdio};

const BUILDS: [&str; 3] = ["race-0", "race-1", "race-2"];
const PHASES: [&str; 6] = [
    "discovery",
    "planning",
    "coding",
    "testing",
    "review",
    "release",
];

fn spawn(db: &TestDb, args: &[String]) -> Child {
    baton(db.dir.path())
        .arg("--db")
        .arg(db.arg())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn baton")
}

/// "… version N" at the end of an action's human line.
fn reported_version(stdout: &str) -> i64 {
    stdout
        .trim()
        .rsplit("version ")
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no version in {stdout:?}"))
}

fn concurrent_advances_lose_no_update_and_doctor_passes(backend: Backend) {
    let db = TestDb::cli(backend);
    for b in BUILDS {
        db.start(b);
    }
    // 10 advances per workflow (more than its 6 transitions), a third of them with
    // --expect-version, plus heartbeats, all started before any is waited for.
    let mut procs: Vec<(&str, bool, Child)> = Vec::new();
    for round in 0..10 {
        for b in BUILDS {
            let mut args: Vec<String> = vec!["advance".into(), b.into()];
            if round % 3 == 0 {
                args.extend(["--expect-version".into(), (round / 3 + 1).to_string()]);
            } else {
                args.extend(["--output".into(), format!(r#"{{"round": {round}}}"#)]);
            }
            procs.push((b, false, spawn(&db, &args)));
            if round % 4 == 0 {
                procs.push((b, true, spawn(&db, &["heartbeat".into(), b.into()])));
            }
        }
    }

    let mut versions: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); BUILDS.len()];
    let mut successes = [0i64; 3];
    for (b, is_heartbeat, child) in procs {
        let out = child.wait_with_output().expect("wait");
        let code = out.status.code();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let i = BUILDS.iter().position(|x| *x == b).unwrap();
        if is_heartbeat {
            assert_eq!(code, Some(0), "heartbeat failed: {stderr}");
            continue;
        }
        match code {
            Some(0) => {
                successes[i] += 1;
                let v = reported_version(&stdout);
                assert!(versions[i].insert(v), "two advances reported version {v}");
            }
            Some(4) => assert!(
                stderr.contains("conflict") || stderr.contains("completed"),
                "exit 4 for another reason: {stderr}"
            ),
            other => panic!("advance exited {other:?} (busy or worse?): {stderr}"),
        }
    }

    for (i, b) in BUILDS.iter().enumerate() {
        let k = successes[i];
        assert!((1..=6).contains(&k), "{b}: {k} successful advances");
        let expected: BTreeSet<i64> = (2..=k + 1).collect();
        assert_eq!(
            versions[i], expected,
            "{b}: every version reported exactly once"
        );

        let s = db.json(&["status", b, "--json"]);
        let w = &s["workflow"];
        assert_eq!(w["version"], k + 1, "{b}");
        let events = db.events(b);
        assert_eq!(events.len() as i64, k + 1, "{b}: one event per change");
        let count = |t: &str| events.iter().filter(|e| e["event_type"] == t).count() as i64;
        assert_eq!(count("workflow_started"), 1);
        assert_eq!(count("phase_advanced") + count("workflow_completed"), k);
        assert_eq!(
            s["handoffs"].as_array().unwrap().len() as i64,
            count("phase_advanced")
        );
        if k == 6 {
            assert_eq!(w["status"], "completed", "{b}");
            assert_eq!(w["current_state"], "release");
        } else {
            assert_eq!(w["status"], "running", "{b}");
            assert_eq!(w["current_state"], PHASES[k as usize], "{b}");
        }
        // Outputs recorded by the advances that carried one, each for a distinct phase.
        let outputs = w["phase_outputs"].as_object().unwrap();
        assert!(outputs.len() as i64 <= k);
        for phase in outputs.keys() {
            let idx = PHASES.iter().position(|p| p == phase).expect("known phase");
            assert!((idx as i64) < k, "{b}: output for a phase not yet left");
        }
        assert!(w["heartbeat_at"].is_string(), "{b}: heartbeats landed");
    }

    let r = db.run(&["doctor"]);
    r.code(0);
    let v: Value = db.json(&["doctor", "--json"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["problems"], serde_json::json!([]));
}

both!(concurrent_advances_lose_no_update_and_doctor_passes);
