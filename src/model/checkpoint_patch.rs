//! Checkpoints stored as patches (schema 8). A checkpoint holds the phase outputs as they
//! were when a phase was entered, and each one repeats every output of the one before it:
//! stored whole, a workflow's checkpoints grow with the square of its phase count. So
//! baton stores a checkpoint's outputs as a patch on the workflow's previous checkpoint —
//! the top-level outputs that changed, `null` for one removed — and names that checkpoint
//! by its version in `base_version`. A row with no `base_version` (what other writers
//! write) holds its outputs whole. Readers get whole checkpoints back from [`expand`].

use super::Checkpoint;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A checkpoint as a row holds it: `checkpoint.phase_outputs` is whole when `base_version`
/// is `None`, else a patch on the checkpoint of that version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCheckpoint {
    pub checkpoint: Checkpoint,
    pub base_version: Option<i64>,
}

/// The patch that turns `base` into `next`, or `None` where it is better stored whole:
/// either is not an object, an output of `next` is `null` (a patch's `null` removes), or
/// the patch would name no fewer outputs than `next` holds.
pub fn diff(base: &Value, next: &Value) -> Option<Value> {
    let (Value::Object(base), Value::Object(next)) = (base, next) else {
        return None;
    };
    if next.values().any(Value::is_null) {
        return None;
    }
    let mut patch = Map::new();
    for (k, v) in next {
        if base.get(k) != Some(v) {
            patch.insert(k.clone(), v.clone());
        }
    }
    for k in base.keys() {
        if !next.contains_key(k) {
            patch.insert(k.clone(), Value::Null);
        }
    }
    (patch.len() < next.len()).then_some(Value::Object(patch))
}

/// `base` with `patch` applied: each output named replaced, each `null` removed.
pub fn apply(base: &Value, patch: &Value) -> Value {
    let mut out = match base {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    if let Value::Object(p) = patch {
        for (k, v) in p {
            if v.is_null() {
                out.remove(k);
            } else {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// One workflow's stored checkpoints, in stored order (by version, then as written), made
/// whole. A patch on a version none of the rows before it holds is left out: its outputs
/// cannot be known (a foreign writer deleted its base), and leaving it out makes rollback
/// and time travel treat that phase as never checkpointed rather than guess.
pub fn expand(rows: impl IntoIterator<Item = StoredCheckpoint>) -> Vec<Checkpoint> {
    // Each version's newest whole checkpoint, as its place in `out`.
    let mut at: HashMap<i64, usize> = HashMap::new();
    let mut out: Vec<Checkpoint> = Vec::new();
    for StoredCheckpoint {
        mut checkpoint,
        base_version,
    } in rows
    {
        if let Some(base) = base_version {
            let Some(&i) = at.get(&base) else {
                continue;
            };
            checkpoint.phase_outputs = apply(&out[i].phase_outputs, &checkpoint.phase_outputs);
        }
        at.insert(checkpoint.version, out.len());
        out.push(checkpoint);
    }
    out
}

/// How to store the outputs `next` of a checkpoint at `version`, written after the
/// workflow's newest whole checkpoint `base` (`None` for the first): the outputs to write
/// and the version they patch. A base must come before its patch in stored order, which is
/// by version, so one at `version` or later is not used.
pub fn stored_outputs(
    base: Option<&Checkpoint>,
    version: i64,
    next: &Value,
) -> (Value, Option<i64>) {
    let base = base.filter(|b| b.version < version);
    match base.and_then(|b| diff(&b.phase_outputs, next).map(|p| (p, b.version))) {
        Some((patch, version)) => (patch, Some(version)),
        None => (next.clone(), None),
    }
}

/// How to store each of a workflow's whole checkpoints, oldest first: a patch on the one
/// before where that is smaller (as [`stored_outputs`] says). [`expand`] gives them back.
pub fn compact(checkpoints: &[Checkpoint]) -> Vec<(Value, Option<i64>)> {
    let mut prev: Option<&Checkpoint> = None;
    checkpoints
        .iter()
        .map(|c| {
            let stored = stored_outputs(prev, c.version, &c.phase_outputs);
            prev = Some(c);
            stored
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn cp(version: i64, outputs: Value) -> Checkpoint {
        Checkpoint {
            id: format!("c{version}"),
            workflow_id: "w".into(),
            state: format!("p{version}"),
            phase_outputs: outputs,
            retry_count: 0,
            version,
            created_at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    /// The rows `compact` would have written for `whole`.
    fn rows(whole: &[Checkpoint]) -> Vec<StoredCheckpoint> {
        whole
            .iter()
            .zip(compact(whole))
            .map(|(c, (phase_outputs, base_version))| StoredCheckpoint {
                checkpoint: Checkpoint {
                    phase_outputs,
                    ..c.clone()
                },
                base_version,
            })
            .collect()
    }

    #[test]
    fn each_checkpoint_after_the_first_stores_only_what_changed() {
        let whole = vec![
            cp(1, json!({})),
            cp(2, json!({"a": {"x": 1}})),
            cp(3, json!({"a": {"x": 1}, "b": "two"})),
            cp(4, json!({"a": {"x": 1}, "b": "two", "c": [3]})),
        ];
        assert_eq!(
            compact(&whole),
            vec![
                (json!({}), None),
                (json!({"a": {"x": 1}}), None),
                (json!({"b": "two"}), Some(2)),
                (json!({"c": [3]}), Some(3)),
            ]
        );
        assert_eq!(expand(rows(&whole)), whole);
    }

    #[test]
    fn a_rollback_removes_outputs_by_null_and_a_null_output_is_stored_whole() {
        let base = json!({"a": 1, "b": 2, "c": 3, "d": 4});
        assert_eq!(
            diff(&base, &json!({"a": 1, "b": 2, "c": 3})),
            Some(json!({"d": null}))
        );
        assert_eq!(diff(&base, &json!({"a": 1, "b": null, "c": 3})), None);
        assert_eq!(diff(&json!([1]), &json!({"a": 1})), None);
    }

    #[test]
    fn a_patch_whose_base_is_gone_is_left_out_not_guessed() {
        let rows = vec![
            StoredCheckpoint {
                checkpoint: cp(1, json!({"a": 1})),
                base_version: None,
            },
            StoredCheckpoint {
                checkpoint: cp(3, json!({"b": 2})),
                base_version: Some(2),
            },
            StoredCheckpoint {
                checkpoint: cp(4, json!({"c": 3})),
                base_version: Some(1),
            },
        ];
        let whole = expand(rows);
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[1].phase_outputs, json!({"a": 1, "c": 3}));
    }

    fn outputs() -> impl Strategy<Value = Value> {
        prop::collection::btree_map(
            "[a-e]",
            prop_oneof![Just(Value::Null), (0..3i64).prop_map(Value::from)],
            0..5,
        )
        .prop_map(|m| Value::Object(m.into_iter().collect()))
    }

    proptest! {
        #[test]
        fn compact_then_expand_gives_back_every_checkpoint(
            outs in prop::collection::vec(outputs(), 0..8),
            repeat in prop::collection::vec(any::<bool>(), 8),
        ) {
            // Versions rise, sometimes repeating, as a writer that skips bumps leaves them.
            let mut version = 0;
            let whole: Vec<Checkpoint> = outs
                .into_iter()
                .zip(repeat)
                .map(|(o, same)| {
                    if !same || version == 0 {
                        version += 1;
                    }
                    cp(version, o)
                })
                .collect();
            prop_assert_eq!(expand(rows(&whole)), whole);
        }
    }
}
