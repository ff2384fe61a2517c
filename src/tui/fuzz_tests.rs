//! Fuzz targets, as property tests at high case counts: the JSON payload viewer and the
//! filter parser get arbitrary input, including what hostile writers and odd keyboards
//! produce. `BATON_FUZZ_CASES=1000000 cargo test --release --lib fuzz` runs them for long;
//! failures found are kept in `proptest-regressions/` and as named unit tests.

use super::filter::Filter;
use super::json_text::{MAX_BYTES, pretty};
use crate::model::fuzz_cases::cases;
use crate::model::text::is_unsafe;
use crate::model::{Status, Workflow};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Characters that break things: controls, escapes, bidi and format characters, wide and
/// combining characters, surrogate neighbours, the last code points, plus ordinary text.
pub fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        3 => prop::sample::select(vec![
            '\x1b', '\x07', '\x08', '\r', '\n', '\t', '\0', '\u{7f}', '\u{85}', '\u{9b}',
            '\u{ad}', '\u{61c}', '\u{200b}', '\u{200e}', '\u{2028}', '\u{202e}', '\u{2066}',
            '\u{feff}', '\u{fff9}', '\u{e0041}', '\u{e007f}', '\u{1d173}', '\u{d7ff}',
            '\u{e000}', '\u{10ffff}', '\u{301}', '界', '😀', 'Σ', 'İ', 'ß', '"', '\\', ':', ' ',
        ]),
        4 => prop::char::range('a', 'z'),
    ]
}

pub fn nasty_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        nasty_string(40).prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 200, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((nasty_string(12), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn workflow(
    build: String,
    project: String,
    phase: String,
    role: String,
    status: String,
) -> Workflow {
    Workflow {
        id: format!("id-{build}"),
        build_id: build.into(),
        project_id: project.into(),
        user_id: None,
        definition: "build".into(),
        current_state: phase.into(),
        current_role: role.into(),
        status: Status::parse(&status),
        status_raw: status.into(),
        phase_outputs: Value::Null,
        retry_count: 0,
        max_retries: 3,
        last_error: None,
        version: 1,
        metadata: Value::Null,
        created_at: String::new().into(),
        updated_at: String::new().into(),
        completed_at: None,
        heartbeat_at: None,
        state_entered_at: None,
    }
}

proptest! {
    #![proptest_config(cases(3000))]

    /// The viewer never panics, never lets an unsafe character through (newlines are the
    /// layout), stays bounded, and shows small values in full.
    #[test]
    fn json_viewer_is_inert_bounded_and_complete(v in json()) {
        let text = pretty(&v);
        prop_assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text:?}");
        prop_assert!(text.len() <= MAX_BYTES * 12 + 200, "{} bytes", text.len());
        let plain = serde_json::to_string_pretty(&v).unwrap();
        if plain.len() < MAX_BYTES && !plain.chars().any(is_unsafe) {
            prop_assert_eq!(text, plain);
        }
    }

    /// Anything typed parses, and matching never panics.
    #[test]
    fn filter_parses_anything(input in nasty_string(60), build in nasty_string(20),
                              status in nasty_string(10), stuck in any::<bool>()) {
        let f = Filter::parse(&input);
        let w = workflow(build, "p".into(), "coding".into(), "r".into(), status);
        let _ = f.matches(&w, stuck);
        prop_assert_eq!(f.is_empty(), input.split_whitespace().next().is_none());
    }

    /// Typing any piece of a build id, in any case, finds that workflow.
    #[test]
    fn filter_finds_a_build_by_any_piece_of_it(chars in prop::collection::vec(nasty_char(), 1..24),
                                               from in any::<prop::sample::Index>(),
                                               len in 1usize..12, upper in any::<bool>()) {
        // Whitespace splits terms and `key:` starts a token: not what a piece of a name is.
        let mut chars: Vec<char> = chars.into_iter().filter(|c| !c.is_whitespace() && *c != ':').collect();
        if chars.is_empty() {
            chars.push('a');
        }
        let build: String = chars.iter().collect();
        let from = from.index(chars.len());
        let piece: String = chars[from..(from + len).min(chars.len())].iter().collect();
        prop_assume!(!["stuck", "is:stuck"].contains(&piece.to_lowercase().as_str()));
        let typed = if upper { piece.to_uppercase() } else { piece.clone() };
        prop_assume!(!typed.contains(char::is_whitespace) && !typed.contains(':'));
        let w = workflow(build.clone(), "p".into(), "x".into(), "y".into(), "running".into());
        prop_assert!(Filter::parse(&piece).matches(&w, false), "{piece:?} in {build:?}");
        // Upper-casing can change the length (ß → SS); match only when it folds back.
        let folded: String = typed.chars().flat_map(char::to_lowercase).collect();
        let lower: String = piece.chars().flat_map(char::to_lowercase).collect();
        if folded == lower {
            prop_assert!(Filter::parse(&typed).matches(&w, false), "{typed:?} in {build:?}");
        }
    }
}

#[test]
fn deep_and_huge_payloads_are_cut_not_choked_on() {
    // Nesting deeper than serde_json reads (128) arrives as text and is shown as text.
    let deep = "[".repeat(100_000);
    let v: Value = serde_json::from_str(&deep).unwrap_or_else(|_| Value::String(deep.clone()));
    let text = pretty(&v);
    assert!(text.len() < MAX_BYTES + 200);
    let wide = Value::Array((0..200_000).map(Value::from).collect());
    assert!(pretty(&wide).contains("cut:"));
}
