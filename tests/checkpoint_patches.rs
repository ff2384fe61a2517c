//! Schema 8: baton stores each checkpoint's outputs as a patch on the workflow's previous
//! checkpoint, reads them back whole, and still reads the whole checkpoints that other
//! writers (and every earlier schema) store.

mod common;

use baton::model::Action;
use common::backend::*;
use common::store::{act_with_reason, advance, assert_healthy, start};
use serde_json::{Value, json};

/// Each checkpoint as stored, oldest first: (phase, outputs as stored, base version).
fn stored(conn: &mut Raw, id: &str) -> Vec<(String, Value, Option<i64>)> {
    conn.query(
        "SELECT state, phase_outputs, base_version FROM workflow_checkpoints
         WHERE workflow_id = $1 ORDER BY version",
        &[&id],
    )
}

fn each_checkpoint_stores_what_changed_and_reads_back_whole(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let mut w = start(&mut store, "atlas");
    w = advance(&mut store, &w, Some(json!({ "requirements": 3 })));
    w = advance(&mut store, &w, Some(json!({ "steps": ["a", "b"] })));
    w = advance(&mut store, &w, Some(json!({ "files_changed": 7 })));
    assert_eq!(w.current_state, "testing");

    let rows = stored(&mut conn, &w.id);
    let phases: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(phases, ["discovery", "planning", "coding", "testing"]);
    // The first two hold no more than a patch would: stored whole.
    assert_eq!(rows[1].1, json!({ "discovery": { "requirements": 3 } }));
    assert_eq!(rows[1].2, None);
    // Later ones hold only the output the phase before them added.
    assert_eq!(rows[2].1, json!({ "planning": { "steps": ["a", "b"] } }));
    assert_eq!(rows[3].1, json!({ "coding": { "files_changed": 7 } }));
    let versions: Vec<i64> = conn
        .query::<(i64,)>(
            "SELECT version FROM workflow_checkpoints WHERE workflow_id = $1 ORDER BY version",
            &[&w.id],
        )
        .into_iter()
        .map(|(v,)| v)
        .collect();
    assert_eq!(rows[2].2, Some(versions[1]));
    assert_eq!(rows[3].2, Some(versions[2]));

    // Read back, each is whole.
    let whole = store.checkpoints(&w.id).unwrap();
    assert_eq!(whole.len(), 4);
    assert_eq!(whole[3].phase_outputs, conn.outputs(&w.id));
    assert_eq!(
        whole[2].phase_outputs,
        json!({ "discovery": { "requirements": 3 }, "planning": { "steps": ["a", "b"] } })
    );

    // A rollback restores whole outputs, and its own checkpoint patches by removal.
    w = act_with_reason(
        &mut store,
        &w,
        Action::Rollback {
            to: Some("planning".into()),
        },
        "redo",
    )
    .workflow;
    assert_eq!(
        conn.outputs(&w.id),
        json!({ "discovery": { "requirements": 3 } })
    );
    let rows = stored(&mut conn, &w.id);
    let last = rows.last().unwrap();
    assert_eq!(last.0, "planning");
    // Two outputs to remove, one to keep: stored whole, as the smaller.
    assert_eq!(last.1, json!({ "discovery": { "requirements": 3 } }));
    w = advance(&mut store, &w, Some(json!({ "steps": ["c"] })));
    w = advance(&mut store, &w, Some(json!({ "files_changed": 1 })));
    assert_eq!(
        stored(&mut conn, &w.id).last().unwrap().1,
        json!({ "coding": { "files_changed": 1 } })
    );
    w = act_with_reason(&mut store, &w, Action::Rollback { to: None }, "again").workflow;
    assert_eq!(w.current_state, "coding");
    assert_eq!(
        conn.outputs(&w.id),
        json!({ "discovery": { "requirements": 3 }, "planning": { "steps": ["c"] } })
    );
    assert_healthy(&store);
}

/// A writer that knows nothing of patches writes whole checkpoints (no `base_version`);
/// baton reads them as they are and patches its next checkpoint on top of them.
fn a_foreign_whole_checkpoint_is_read_and_patched_on(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let mut w = start(&mut store, "hydra");
    w = advance(&mut store, &w, Some(json!({ "requirements": 1 })));
    // The outside writer advances planning → coding as plain SQL, with its checkpoint.
    let foreign = json!({ "discovery": { "requirements": 1 }, "planning": "theirs" });
    conn.execute(
        "UPDATE build_workflows SET current_state = 'coding', \"current_role\" = 'code_writer',
           phase_outputs = $2, version = version + 1 WHERE id = $1",
        &[&w.id, &foreign],
    );
    conn.execute(
        "INSERT INTO workflow_checkpoints (workflow_id, state, phase_outputs, version)
         VALUES ($1, 'coding', $2, $3)",
        &[&w.id, &foreign, &(w.version + 1)],
    );
    let w2 = store.workflow(&w.id).unwrap();
    let w2 = advance(&mut store, &w2, Some(json!({ "files": 2 })));
    assert_eq!(w2.current_state, "testing");
    let last = stored(&mut conn, &w.id).pop().unwrap();
    assert_eq!(last.1, json!({ "coding": { "files": 2 } }));
    assert_eq!(
        last.2,
        Some(w.version + 1),
        "patched on the foreign checkpoint"
    );
    let back = act_with_reason(
        &mut store,
        &w2,
        Action::Rollback {
            to: Some("coding".into()),
        },
        "redo",
    )
    .workflow;
    assert_eq!(conn.outputs(&w.id), foreign);
    assert_eq!(back.current_state, "coding");
}

/// A patch whose base another program deleted cannot be made whole: `doctor` names it,
/// and a rollback to its phase falls back to what it does without checkpoints rather than
/// apply the patch to the wrong outputs.
fn a_patch_without_its_base_is_named_and_not_guessed(b: Backend) {
    let db = TestDb::new(b);
    let mut store = db.store();
    let mut conn = db.raw();
    let mut w = start(&mut store, "cygnus");
    w = advance(&mut store, &w, Some(json!({ "a": 1 })));
    w = advance(&mut store, &w, Some(json!({ "b": 2 })));
    w = advance(&mut store, &w, Some(json!({ "c": 3 })));
    w = advance(&mut store, &w, Some(json!({ "d": 4 })));
    assert_eq!(w.current_state, "review");
    let rows = stored(&mut conn, &w.id);
    let base = rows[3].2.expect("testing's checkpoint is a patch");
    conn.execute(
        "DELETE FROM workflow_checkpoints WHERE workflow_id = $1 AND version = $2",
        &[&w.id, &base],
    );
    let problems = store
        .doctor(&baton::store::Scope::Full, &|_| {})
        .unwrap()
        .problems;
    assert!(
        problems
            .iter()
            .any(|p| p.check == "checkpoint patches have their base"
                && p.detail.contains(&w.id)
                && p.detail.contains("testing")),
        "{problems:#?}"
    );
    let whole = store.checkpoints(&w.id).unwrap();
    let phases: Vec<&str> = whole.iter().map(|c| c.state.as_str()).collect();
    // Coding's is gone; testing's patched it, and review's patched testing's.
    assert_eq!(phases, ["discovery", "planning"]);

    // Change the outputs so a wrongly applied patch would show.
    conn.execute(
        "UPDATE build_workflows SET phase_outputs = $2 WHERE id = $1",
        &[
            &w.id,
            &json!({ "discovery": 1, "planning": 2, "coding": 3, "testing": 4 }),
        ],
    );
    let w = store.workflow(&w.id).unwrap();
    let back = act_with_reason(
        &mut store,
        &w,
        Action::Rollback {
            to: Some("testing".into()),
        },
        "redo",
    )
    .workflow;
    assert_eq!(back.current_state, "testing");
    assert_eq!(
        conn.outputs(&w.id),
        json!({ "discovery": 1, "planning": 2, "coding": 3 }),
        "the rule for workflows without checkpoints: later phases' outputs dropped"
    );
}

both!(
    each_checkpoint_stores_what_changed_and_reads_back_whole,
    a_foreign_whole_checkpoint_is_read_and_patched_on,
    a_patch_without_its_base_is_named_and_not_guessed,
);
