//! The event log's `/` filter: `type:` (a type baton knows brings its other spellings),
//! `actor:` (a prefix of who triggered it), `workflow:` (a workflow id prefix or a build id)
//! and free text over the line the log shows. Every term must match. The same filter runs
//! over the events held and, when the log pages back, in the database: types, actor and
//! workflow as `EventQuery` fields, the text as the search's `keep`.

use crate::model::{Event, EventType};
use crate::store::EventQuery;

/// The keys the filter knows, as the operator types them.
pub const KEYS: &str = "type: actor: workflow:";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventFilter {
    /// Stored spellings of the types asked for (empty: every type).
    types: Vec<String>,
    /// Asked types that baton does not write (still matched as written).
    foreign_types: Vec<String>,
    actor: Option<String>,
    /// As typed: a workflow id prefix or a build id.
    workflow: Option<String>,
    /// Lower-cased words that must all appear in the line.
    text: Vec<String>,
    unknown_keys: Vec<String>,
}

impl EventFilter {
    /// Parses filter text. An unknown `key:` is searched as text (data may hold a colon)
    /// and noted for [`EventFilter::problem`].
    pub fn parse(input: &str) -> EventFilter {
        let mut f = EventFilter::default();
        let mut asked = Vec::new();
        for w in input.split_whitespace() {
            match w.split_once(':') {
                Some(("type", v)) if !v.is_empty() => asked.push(v.to_string()),
                Some(("actor", v)) if !v.is_empty() => f.actor = Some(v.to_string()),
                Some(("workflow" | "build", v)) if !v.is_empty() => {
                    f.workflow = Some(v.to_string());
                }
                Some(("type" | "actor" | "workflow" | "build", _)) => {}
                Some((k, _)) if !k.is_empty() && k.chars().all(char::is_alphabetic) => {
                    f.unknown_keys.push(k.to_string());
                    f.text.push(w.to_lowercase());
                }
                _ => f.text.push(w.to_lowercase()),
            }
        }
        f.foreign_types = asked
            .iter()
            .filter(|t| EventType::parse(t).is_none())
            .cloned()
            .collect();
        f.types = EventType::stored(&asked);
        f
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
            && self.actor.is_none()
            && self.workflow.is_none()
            && self.text.is_empty()
    }

    /// What is wrong with it, naming what is valid; `None` when all is well. A type baton
    /// does not write may still be an outside writer's: it is said, and searched as written.
    pub fn problem(&self) -> Option<String> {
        if let Some(k) = self.unknown_keys.first() {
            return Some(format!(
                "unknown key `{k}:` (searched as text); keys are {KEYS}"
            ));
        }
        self.foreign_types.first().map(|t| {
            let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
            format!(
                "type `{t}` is not one baton writes (matched as written); baton's are {}",
                known.join(", ")
            )
        })
    }

    /// The workflow asked for, as typed.
    pub fn workflow(&self) -> Option<&str> {
        self.workflow.as_deref()
    }

    /// Whether the log shows `e`; `build` is its workflow's build id when that is held.
    pub fn matches(&self, e: &Event, build: Option<&str>) -> bool {
        self.narrows(e, build) && self.text_matches(e, build)
    }

    fn narrows(&self, e: &Event, build: Option<&str>) -> bool {
        (self.types.is_empty() || self.types.contains(&e.event_type))
            && self
                .actor
                .as_ref()
                .is_none_or(|a| e.triggered_by.starts_with(a.as_str()))
            && self.workflow.as_ref().is_none_or(|w| {
                e.workflow_id.starts_with(w.as_str()) || build.is_some_and(|b| b == w)
            })
    }

    /// The free text against the line the log shows: type, build (or the workflow's id),
    /// actor and the data's summary.
    pub fn text_matches(&self, e: &Event, build: Option<&str>) -> bool {
        if self.text.is_empty() {
            return true;
        }
        let line = format!(
            "{} {} {} {} {}",
            e.event_type,
            build.unwrap_or_default(),
            e.workflow_id,
            e.triggered_by,
            crate::tui::pane::events::summary(&e.event_data)
        )
        .to_lowercase();
        self.text.iter().all(|w| line.contains(w.as_str()))
    }

    /// The database's part of this filter, for a search: types and actor, and the workflow
    /// once resolved to its id (`workflow_id`).
    pub fn query(&self, workflow_id: Option<String>, limit: usize) -> EventQuery {
        EventQuery {
            workflow: workflow_id,
            types: self.types.clone(),
            actor: self.actor.clone(),
            limit,
            ..EventQuery::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::event;

    #[test]
    fn types_bring_their_spellings_and_every_term_must_match() {
        let f = EventFilter::parse("type:phase_advanced actor:orch coding");
        let mut e = event(1, "w1", "state_advanced");
        assert!(f.matches(&e, None), "the seeds' spelling of an advance");
        e.triggered_by = "operator:alice".into();
        assert!(!f.matches(&e, None));
        let q = f.query(None, 10);
        assert_eq!(q.types, vec!["phase_advanced", "state_advanced"]);
        assert_eq!(q.actor.as_deref(), Some("orch"));
        assert!(f.problem().is_none());
    }

    #[test]
    fn a_workflow_is_its_id_prefix_or_its_build_id() {
        let f = EventFilter::parse("workflow:atlas-7");
        let e = event(1, "a1111111", "phase_advanced");
        assert!(f.matches(&e, Some("atlas-7")));
        assert!(!f.matches(&e, Some("atlas-70")));
        assert!(EventFilter::parse("workflow:a111").matches(&e, None));
    }

    #[test]
    fn free_text_searches_the_shown_line_without_case() {
        let e = event(1, "w1", "phase_advanced");
        assert!(
            EventFilter::parse("CODING").matches(&e, None),
            "in the data"
        );
        assert!(EventFilter::parse("atlas").matches(&e, Some("atlas-1")));
        assert!(!EventFilter::parse("atlas").matches(&e, None));
    }

    #[test]
    fn problems_name_the_valid_keys_and_types() {
        let p = EventFilter::parse("kind:x").problem().unwrap();
        assert!(p.contains("`kind:`") && p.contains(KEYS), "{p}");
        let p = EventFilter::parse("type:deployed").problem().unwrap();
        assert!(
            p.contains("`deployed`") && p.contains("phase_advanced"),
            "{p}"
        );
        assert!(EventFilter::parse("").is_empty());
    }
}
