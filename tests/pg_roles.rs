//! The least-privilege roles the README documents for PostgreSQL, run exactly as written
//! there: a role that only watches can read everything and write nothing; a role that acts
//! can do every operation. The SQL is taken from the README, so the two cannot drift.

mod common;

use common::cli::{id, run_in};
use common::pg::{PgDb, with_database};
use serde_json::Value;

/// The README's role block, with role names made unique to this run (roles are
/// server-wide, and other test processes may run the same test).
fn readme_roles(suffix: &str) -> String {
    let readme = include_str!("../README.md");
    let start = readme
        .find("```sql\nCREATE ROLE baton_watch")
        .expect("the README documents the roles in a sql block");
    let body = &readme[start + "```sql\n".len()..];
    let sql = &body[..body.find("```").expect("the sql block ends")];
    sql.replace("baton_watch", &format!("baton_watch_{suffix}"))
        .replace("baton_operator", &format!("baton_operator_{suffix}"))
        .replace("'…'", "'pw'")
}

fn url_as(db: &PgDb, role: &str) -> String {
    let base = with_database(&db.url, &db.name);
    let after = base.find("://").expect("scheme") + 3;
    let host_start = base[after..].find('@').map_or(after, |i| after + i + 1);
    format!("{}{role}:pw@{}", &base[..after], &base[host_start..])
}

#[test]
fn the_readme_roles_watch_and_act_as_documented() {
    let db = PgDb::migrated();
    let suffix = db.name.trim_start_matches("baton_test_").to_string();
    let mut admin = db.client();
    admin
        .batch_execute(&readme_roles(&suffix))
        .expect("the README's GRANTs run");
    let dir = tempfile::tempdir().unwrap();
    let watch = url_as(&db, &format!("baton_watch_{suffix}"));
    let operator = url_as(&db, &format!("baton_operator_{suffix}"));
    let run = |url: &str, args: &[&str]| {
        let mut all = vec!["--db", url];
        all.extend_from_slice(args);
        run_in(dir.path(), &all)
    };

    let started = run(&operator, &["start", "--project", "roles", "--json"]);
    started.code(0);
    let w: Value = started.json();
    let wid = id(&w);
    run(&operator, &["advance", &wid, "--output", r#"{"ok":1}"#]).code(0);
    run(&operator, &["heartbeat", &wid]).code(0);
    let status: Value = run(&watch, &["status", &wid, "--json"]).json();
    let pending = status["handoffs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["acknowledged_at"].is_null())
        .expect("the advance's handoff is pending")["id"]
        .as_str()
        .unwrap()
        .to_string();
    run(&operator, &["ack", &pending]).code(0);
    run(&operator, &["rollback", &wid, "--reason", "redo"]).code(0);
    run(&operator, &["pause", &wid, "--reason", "hold"]).code(0);
    run(&operator, &["cancel", &wid, "--reason", "done"]).code(0);

    run(&watch, &["list", "--json"]).code(0);
    let events: Value = run(&watch, &["events", "--json"]).json();
    // The window is read with COPY in a read-only snapshot: SELECT is all it needs.
    let m: Value = run(&watch, &["metrics", "--json"]).json();
    assert_eq!(
        m["events"].as_u64(),
        Some(events.as_array().unwrap().len() as u64),
        "every event of the hour: {m}"
    );
    run(&watch, &["doctor"]).code(0);
    let refused = run(&watch, &["start", "--project", "roles"]);
    let line = refused.one_line_error(1, &["permission denied", "start"]);
    assert!(!line.contains("pw@"), "no password in {line}");

    admin
        .batch_execute(&format!(
            "DROP OWNED BY baton_watch_{suffix}, baton_operator_{suffix};
             DROP ROLE baton_watch_{suffix}; DROP ROLE baton_operator_{suffix}"
        ))
        .expect("drop the roles");
}
