//! Fuzz target for text sanitisation, as property tests at high case counts
//! (`BATON_FUZZ_CASES=1000000 cargo test --release --lib text_fuzz` runs it for long).
//! The oracle is the Unicode character database itself: every control (Cc), format
//! character (Cf) and line or paragraph separator (Zl, Zp) of Unicode 14, listed below as
//! Python's `unicodedata` reports them.

use super::text::{is_unsafe, sanitize, sanitize_multiline};
use proptest::prelude::*;

/// Cf, Zl and Zp code point ranges (Unicode 14.0); Cc is `char::is_control`.
const INVISIBLE: &[(u32, u32)] = &[
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Also treated as unsafe, on purpose: U+2065 (unassigned, inside the bidi-isolate block)
/// and U+13439..1343F (Egyptian format controls added in Unicode 15).
const EXTRA: &[(u32, u32)] = &[(0x2065, 0x2065), (0x13439, 0x1343F)];

fn oracle_unsafe(c: char) -> bool {
    c.is_control()
        || INVISIBLE
            .iter()
            .any(|&(a, b)| (a..=b).contains(&(c as u32)))
}

fn config() -> ProptestConfig {
    super::fuzz_cases::cases(5000)
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => any::<char>(),
            2 => prop::sample::select(
                INVISIBLE
                    .iter()
                    .flat_map(|&(a, b)| [a, b])
                    .chain([0, 0x1b, 0x7f, 0x85, 0x9b, 0x9f])
                    .filter_map(char::from_u32)
                    .collect::<Vec<_>>()
            ),
            3 => prop::char::range(' ', '~'),
        ],
        0..80,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sanitized_text_holds_no_invisible_or_control_character(s in text()) {
        let out = sanitize(&s);
        prop_assert!(!out.chars().any(oracle_unsafe), "{s:?} -> {out:?}");
        // Safe text is passed through untouched (and not copied).
        if !s.chars().any(is_unsafe) {
            prop_assert!(matches!(out, std::borrow::Cow::Borrowed(_)));
        }
        // Sanitising twice changes nothing more.
        prop_assert_eq!(sanitize(&out), out.clone());
        // Every other character survives, in order.
        let kept: String = s.chars().filter(|c| !is_unsafe(*c)).collect();
        let mut rest = out.chars().filter(|c| !is_unsafe(*c));
        prop_assert!(kept.chars().all(|k| rest.any(|r| r == k)));
    }

    #[test]
    fn multiline_keeps_the_lines_and_nothing_else(s in text()) {
        let out = sanitize_multiline(&s);
        prop_assert!(!out.chars().any(|c| c != '\n' && oracle_unsafe(c)), "{out:?}");
        prop_assert_eq!(out.matches('\n').count(), s.matches('\n').count());
    }

    #[test]
    fn the_predicate_agrees_with_unicode(c in any::<char>()) {
        let extra = EXTRA.iter().any(|&(a, b)| (a..=b).contains(&(c as u32)));
        prop_assert_eq!(is_unsafe(c), oracle_unsafe(c) || extra, "{:?} U+{:04X}", c, c as u32);
    }
}

#[test]
fn every_listed_code_point_agrees() {
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let extra = EXTRA.iter().any(|&(a, b)| (a..=b).contains(&(c as u32)));
        assert_eq!(
            is_unsafe(c),
            oracle_unsafe(c) || extra,
            "U+{:04X}",
            c as u32
        );
    }
}
