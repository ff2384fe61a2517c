//! How one JSON value became another, as the paths that were added, removed or changed,
//! with their old and new values. Paths are JSON Pointers (RFC 6901: `/coding/tests/2`),
//! so a key holding `/` or `.` stays unambiguous. Pure: `baton diff`, the dashboard's diff
//! overlay and the rollback dialog all show what this returns.

use serde::Serialize;
use serde_json::Value;

/// What happened at one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One difference: the smallest path at which the two values part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathChange {
    pub path: String,
    pub kind: ChangeKind,
    /// The value before (absent for an addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The value after (absent for a removal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

impl PathChange {
    /// The change on one line, `~ /coding/files  3 → 5`, the path padded to `width` and
    /// each value as compact JSON cut to `max` characters (strings keep their quotes, so
    /// `"1"` and `1` differ). Not sanitised: callers make database text inert.
    pub fn line(&self, width: usize, max: usize) -> String {
        let v = |v: &Option<Value>| {
            v.as_ref()
                .map_or(String::new(), |v| cut(&v.to_string(), max))
        };
        let path = if self.path.is_empty() {
            "(the whole value)"
        } else {
            &self.path
        };
        match self.kind {
            ChangeKind::Added => format!("+ {path:<width$}  {}", v(&self.new)),
            ChangeKind::Removed => format!("- {path:<width$}  {}", v(&self.old)),
            ChangeKind::Changed => format!("~ {path:<width$}  {} → {}", v(&self.old), v(&self.new)),
        }
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// The differences from `old` to `new`, in path order within each object (keys sorted)
/// and index order within arrays. Objects are compared key by key and arrays index by
/// index (an array that grew shows its new tail as additions); anything else that differs
/// — a scalar, or a value whose type changed — is one `Changed` at its path.
pub fn diff(old: &Value, new: &Value) -> Vec<PathChange> {
    let mut out = Vec::new();
    walk(String::new(), old, new, &mut out);
    out
}

fn walk(path: String, old: &Value, new: &Value, out: &mut Vec<PathChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{path}/{}", escape(k));
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => walk(p, x, y, out),
                    (Some(x), None) => out.push(removed(p, x)),
                    (None, Some(y)) => out.push(added(p, y)),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let p = format!("{path}/{i}");
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => walk(p, x, y, out),
                    (Some(x), None) => out.push(removed(p, x)),
                    (None, Some(y)) => out.push(added(p, y)),
                    (None, None) => {}
                }
            }
        }
        _ if old == new => {}
        _ => out.push(PathChange {
            path,
            kind: ChangeKind::Changed,
            old: Some(old.clone()),
            new: Some(new.clone()),
        }),
    }
}

fn added(path: String, v: &Value) -> PathChange {
    PathChange {
        path,
        kind: ChangeKind::Added,
        old: None,
        new: Some(v.clone()),
    }
}

fn removed(path: String, v: &Value) -> PathChange {
    PathChange {
        path,
        kind: ChangeKind::Removed,
        old: Some(v.clone()),
        new: None,
    }
}

/// RFC 6901: `~` is `~0`, `/` is `~1`.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The pointer's segments, unescaped (`""` is the whole value).
pub fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// `old` with `changes` applied: what [`diff`] promises is that applying `diff(a, b)` to
/// `a` gives `b` (the property tests hold it to that). Removals from arrays run from the
/// highest index down, so earlier indices stay valid.
pub fn apply(old: &Value, changes: &[PathChange]) -> Value {
    let mut v = old.clone();
    for c in changes.iter().filter(|c| c.kind != ChangeKind::Removed) {
        set(
            &mut v,
            &segments(&c.path),
            c.new.clone().unwrap_or(Value::Null),
        );
    }
    for c in changes
        .iter()
        .rev()
        .filter(|c| c.kind == ChangeKind::Removed)
    {
        remove(&mut v, &segments(&c.path));
    }
    v
}

fn set(v: &mut Value, path: &[String], new: Value) {
    let Some((head, rest)) = path.split_first() else {
        *v = new;
        return;
    };
    match v {
        Value::Object(m) => set(m.entry(head.clone()).or_insert(Value::Null), rest, new),
        Value::Array(a) => {
            let Ok(i) = head.parse::<usize>() else { return };
            if i >= a.len() {
                a.resize(i + 1, Value::Null);
            }
            set(&mut a[i], rest, new)
        }
        _ => {}
    }
}

fn remove(v: &mut Value, path: &[String]) {
    let Some((head, rest)) = path.split_first() else {
        return;
    };
    match (v, rest.is_empty()) {
        (Value::Object(m), true) => {
            m.remove(head);
        }
        (Value::Array(a), true) => {
            if let Ok(i) = head.parse::<usize>()
                && i < a.len()
            {
                a.remove(i);
            }
        }
        (Value::Object(m), false) => {
            if let Some(x) = m.get_mut(head) {
                remove(x, rest)
            }
        }
        (Value::Array(a), false) => {
            if let Some(x) = head.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                remove(x, rest)
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn reports_added_removed_and_changed_paths_with_values() {
        let old = json!({"coding": {"files": 3, "lang": "rust", "tests": ["a", "b"]},
                         "planning": {"plan": "x"}});
        let new = json!({"coding": {"files": 5, "tests": ["a", "b", "c"], "lint": true},
                         "planning": {"plan": "x"}});
        let d = diff(&old, &new);
        let short: Vec<(&str, ChangeKind, Option<&Value>, Option<&Value>)> = d
            .iter()
            .map(|c| (c.path.as_str(), c.kind, c.old.as_ref(), c.new.as_ref()))
            .collect();
        assert_eq!(
            short,
            vec![
                (
                    "/coding/files",
                    ChangeKind::Changed,
                    Some(&json!(3)),
                    Some(&json!(5))
                ),
                (
                    "/coding/lang",
                    ChangeKind::Removed,
                    Some(&json!("rust")),
                    None
                ),
                ("/coding/lint", ChangeKind::Added, None, Some(&json!(true))),
                (
                    "/coding/tests/2",
                    ChangeKind::Added,
                    None,
                    Some(&json!("c"))
                ),
            ]
        );
    }

    #[test]
    fn a_type_change_is_one_change_and_keys_are_escaped() {
        let d = diff(&json!({"a/b": {"x": 1}}), &json!({"a/b": [1]}));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/a~1b");
        assert_eq!(segments(&d[0].path), vec!["a/b".to_string()]);
        assert_eq!(diff(&json!(1), &json!(2))[0].path, "");
        assert!(
            diff(
                &json!({"k": [1, {"z": null}]}),
                &json!({"k": [1, {"z": null}]})
            )
            .is_empty()
        );
    }

    #[test]
    fn one_line_per_change_keeps_string_quotes() {
        let d = diff(
            &json!({"a": "1", "b": 2}),
            &json!({"a": 1, "c": "long text here"}),
        );
        let lines: Vec<String> = d.iter().map(|c| c.line(2, 8)).collect();
        assert_eq!(lines, vec!["~ /a  \"1\" → 1", "- /b  2", "+ /c  \"long t…"]);
    }

    #[test]
    fn json_output_names_the_kind_and_omits_the_missing_side() {
        let d = diff(&json!({}), &json!({"a": 1}));
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            json!([{"path": "/a", "kind": "added", "new": 1}])
        );
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-5i64..5).prop_map(Value::from),
            "[a-c/~]{0,2}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-c/~]{0,2}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(crate::model::fuzz_cases::cases(256))]

        #[test]
        fn applying_the_diff_gives_the_new_value(a in json_value(), b in json_value()) {
            prop_assert_eq!(apply(&a, &diff(&a, &b)), b);
        }

        #[test]
        fn a_value_has_no_diff_with_itself(a in json_value()) {
            prop_assert!(diff(&a, &a).is_empty());
        }

        #[test]
        fn the_reverse_diff_swaps_sides(a in json_value(), b in json_value()) {
            let forward = diff(&a, &b);
            let back = diff(&b, &a);
            prop_assert_eq!(forward.len(), back.len());
            for (f, r) in forward.iter().zip(&back) {
                prop_assert_eq!(&f.path, &r.path);
                prop_assert_eq!(&f.old, &r.new);
                prop_assert_eq!(&f.new, &r.old);
            }
        }
    }
}
