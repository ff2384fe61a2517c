//! `baton ack` by workflow (id, prefix, build id) as well as by handoff, and the ambiguous
//! prefix error naming a few matches "and N more".

mod common;

use common::backend::*;
use common::cli::{ACTOR, id};

fn ack_takes_a_workflow_and_acknowledges_its_pending_handoff(b: Backend) {
    let db = TestDb::cli(b);
    let w = db.start("b1");
    db.run(&["advance", "b1"]).code(0);
    let st = db.json(&["status", "b1", "--json"]);
    let hid = st["handoffs"][0]["id"].as_str().unwrap().to_string();

    // By build id.
    let after = db.json(&["ack", "b1", "--json"]);
    assert_eq!(after["version"], 3);
    let st = db.json(&["status", "b1", "--json"]);
    assert_eq!(st["handoffs"][0]["id"], hid.as_str());
    assert_eq!(st["handoffs"][0]["acknowledged_by"], ACTOR);

    // Nothing pending any more: a conflict that says so.
    db.run(&["ack", "b1"])
        .one_line_error(4, &["b1", "no pending handoff", "baton status b1"]);

    // By workflow id and by a unique prefix of it.
    db.run(&["advance", "b1"]).code(0);
    let r = db.run(&["ack", &id(&w)]);
    r.code(0);
    assert!(
        r.stdout.starts_with("acknowledged a handoff of b1"),
        "{}",
        r.stdout
    );
    db.run(&["advance", "b1"]).code(0);
    db.run(&["ack", &id(&w)[..13]]).code(0);

    // A handoff id still works, and wins.
    db.run(&["advance", "b1"]).code(0);
    let st = db.json(&["status", "b1", "--json"]);
    let newest = st["handoffs"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.run(&["ack", &newest]).code(0);

    db.run(&["ack", "no-such-thing"])
        .one_line_error(3, &["no handoff or workflow 'no-such-thing'"]);
}

fn ack_refuses_a_workflow_with_several_pending_handoffs(b: Backend) {
    let db = TestDb::cli(b);
    let w = db.start("b2");
    db.run(&["advance", "b2"]).code(0);
    db.run(&["advance", "b2"]).code(0);
    let before = db.fingerprint("b2");
    let line = db
        .run(&["ack", "b2"])
        .one_line_error(2, &["b2", "has 2 pending handoffs", "baton ack HANDOFF_ID"]);
    // Both ids are named, in full, so either can be pasted.
    let pending: Vec<(String,)> = db.raw().query(
        "SELECT id FROM workflow_handoffs WHERE workflow_id = $1 AND acknowledged_at IS NULL",
        &[&id(&w)],
    );
    assert_eq!(pending.len(), 2);
    for (h,) in &pending {
        assert!(line.contains(h.as_str()), "{line}");
    }
    assert_eq!(db.fingerprint("b2"), before, "nothing was written");
    db.run(&["ack", &pending[0].0]).code(0);
}

/// Seven workflows whose ids share a prefix, written as another program would.
fn an_ambiguous_prefix_names_four_matches_and_how_many_more(b: Backend) {
    let db = TestDb::cli(b);
    let mut raw = db.raw();
    for i in 0..7 {
        raw.execute(
            "INSERT INTO build_workflows (id, build_id, project_id, current_state, \"current_role\")
             VALUES ($1, $2, 'p', 'discovery', 'q_assistant')",
            &[&format!("c0ffee00-0000-4000-8000-00000000000{i}"), &format!("amb-{i}")],
        );
    }
    for args in [
        &["status", "c0ffee"][..],
        &["advance", "c0ffee"],
        &["ack", "c0ffee"],
    ] {
        let line = db.run(args).one_line_error(
            2,
            &[
                "'c0ffee' matches 7 workflows",
                ", and 3 more)",
                "give more characters",
            ],
        );
        assert_eq!(line.matches("c0ffee00-").count(), 4, "{line}");
    }
}

both!(
    ack_takes_a_workflow_and_acknowledges_its_pending_handoff,
    ack_refuses_a_workflow_with_several_pending_handoffs,
    an_ambiguous_prefix_names_four_matches_and_how_many_more,
);
