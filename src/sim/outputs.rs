//! What the simulated roles produce: realistic phase outputs, failure messages, rollback
//! reasons and workflow metadata, all drawn from the seeded [`Rng`].

use super::rng::Rng;
use serde_json::{Value, json};

pub const PROJECTS: &[&str] = &[
    "atlas", "borealis", "cygnus", "draco", "eridanus", "fornax", "gemini", "hydra", "indus",
    "lyra", "meridian", "nimbus", "orion", "perseus", "quasar", "rigel", "sirius", "tycho",
];

const USERS: &[&str] = &["alice", "bob", "carol", "dmitri", "erin", "farah", "grace"];

const FEATURES: &[&str] = &[
    "single sign-on",
    "rate limiting",
    "audit log export",
    "billing webhooks",
    "search indexing",
    "offline sync",
    "dark mode",
    "bulk import",
];

const REQUIREMENTS: &[&str] = &[
    "works behind the corporate proxy",
    "p99 latency under 200 ms",
    "backwards compatible API",
    "feature flag for rollout",
    "GDPR-compliant retention",
    "admin can revoke access",
    "metrics on the ops dashboard",
];

const RISKS: &[&str] = &[
    "schema migration on a large table",
    "third-party API quota",
    "flaky integration environment",
    "unclear ownership of the auth module",
];

pub fn metadata(rng: &mut Rng) -> Value {
    json!({
        "trigger": rng.pick(&["push", "schedule", "manual", "pull_request"]),
        "branch": rng.pick(&["main", "develop", "release/2.4"]),
        "commit": rng.hex(7),
        "feature": rng.pick(FEATURES),
        "simulated": true,
    })
}

pub fn user(rng: &mut Rng) -> String {
    rng.pick(USERS).to_string()
}

fn sample(rng: &mut Rng, pool: &[&str], n: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(n);
    while out.len() < n.min(pool.len()) {
        let s = rng.pick(pool).to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The output a role records when it finishes `phase` of `project`.
pub fn phase_output(rng: &mut Rng, project: &str, phase: &str) -> Value {
    match phase {
        "discovery" => {
            let n = rng.range(2, 4) as usize;
            json!({
                "summary": format!("{} for {project}", rng.pick(FEATURES)),
                "requirements": sample(rng, REQUIREMENTS, n),
                "open_questions": rng.range(0, 3),
            })
        }
        "planning" => {
            let risks = rng.range(0, 2) as usize;
            json!({
                "tasks": rng.range(3, 14),
                "estimate_hours": rng.range(4, 60),
                "risks": sample(rng, RISKS, risks),
            })
        }
        "coding" => {
            let added = rng.range(20, 900);
            json!({
                "branch": format!("feature/{project}-{}", rng.hex(4)),
                "commit": rng.hex(7),
                "files_changed": rng.range(1, 25),
                "lines_added": added,
                "lines_removed": rng.range(0, added),
            })
        }
        "testing" => {
            let run = rng.range(80, 1200);
            let skipped = rng.range(0, 6);
            json!({
                "tests_run": run,
                "passed": run - skipped,
                "failed": 0,
                "skipped": skipped,
                "coverage": (rng.range(650, 950) as f64) / 1000.0,
                "duration_secs": rng.range(20, 600),
            })
        }
        "review" => json!({
            "approved": true,
            "comments": rng.range(0, 9),
            "blocking": 0,
        }),
        "release" => {
            let version = format!(
                "{}.{}.{}",
                rng.range(1, 3),
                rng.range(0, 12),
                rng.range(0, 9)
            );
            json!({
                "artifact": format!("{project}-{version}.tar.gz"),
                "sha256": rng.hex(64),
                "channel": rng.pick(&["stable", "canary"]),
                "version": version,
            })
        }
        other => json!({ "phase": other, "result": "done" }),
    }
}

/// Why `phase` failed, as a role would report it.
pub fn failure(rng: &mut Rng, phase: &str) -> String {
    let pool: &[&str] = match phase {
        "discovery" => &[
            "issue tracker unreachable: HTTP 503",
            "requirements document missing",
        ],
        "planning" => &[
            "plan rejected: estimate exceeds the sprint budget",
            "dependency graph has a cycle",
        ],
        "coding" => &[
            "compilation failed: 3 errors in src/auth/session.rs",
            "merge conflict in Cargo.lock",
            "linter found 12 violations",
        ],
        "testing" => &[
            "7 of 412 tests failed (auth::session::refresh_token)",
            "integration environment timed out after 600 s",
            "coverage dropped below 70%",
        ],
        "review" => &[
            "verification failed: missing migration for users.locale",
            "security review: secret committed in config/dev.env",
        ],
        "release" => &[
            "artifact upload failed: registry timeout after 30 s",
            "signing key expired",
        ],
        _ => &["the role reported an error"],
    };
    rng.pick(pool).to_string()
}

/// Why the orchestrator sends work from `from` back to `to`.
pub fn rollback_reason(rng: &mut Rng, from: &str, to: &str) -> String {
    let why = rng.pick(&[
        "needs rework",
        "root cause is upstream",
        "requirements changed",
        "fix belongs in an earlier phase",
    ]);
    format!("{from} failed: {why}; back to {to}")
}
