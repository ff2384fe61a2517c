//! Events as `baton metrics` reads them: the few `event_data` fields it uses, kept
//! extracted in `workflow_event_metrics` (schema 7, maintained by triggers for every
//! writer) and read from there by time, so a window costs one narrow range, not a parse of
//! every event's document. A busy hour holds 100,000 events but a handful of distinct
//! phases, roles and types: the table holds them as numbers into `baton_names` (schema 10),
//! and [`Names`] turns each stored number into its own once, so no string is read or
//! hashed per event.

use foldhash::HashMap;
use serde::Deserialize;
use serde_json::Value;

/// Where a read of the window resumes: after this (time, seq). Events are ordered by the
/// time they state, then by `seq`, which is the window's order whatever order they were
/// written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MetricKey {
    pub at_ms: i64,
    pub seq: i64,
}

impl MetricKey {
    /// Just before every event at `at_ms` or later.
    pub fn before(at_ms: i64) -> MetricKey {
        MetricKey {
            at_ms,
            seq: i64::MIN,
        }
    }
}

/// The window's events reach a [`MetricSink`] in batches of at most this many, so memory
/// stays bounded whatever the window holds.
pub const BATCH: usize = 5_000;

/// What takes a window's events as a backend reads them: in time order, in batches. It
/// must not use the store that feeds it: on PostgreSQL the connection is still streaming
/// the rest of the window while a batch is taken.
pub trait MetricSink {
    /// Where the names met while reading are numbered.
    fn names(&mut self) -> &mut Names;
    fn take(&mut self, events: &[MetricEvent]);
}

/// A name held by [`Names`].
pub type Name = u32;

/// A workflow as `workflow_event_metrics` numbers it (schema 10). An event whose workflow
/// the table could not number is given one of its own, below every stored one, so that it
/// pairs with nothing.
pub type WorkflowKey = i64;

/// Each distinct text once, numbered in the order first seen, and the stored numbers
/// (`baton_names.id`) already turned into these. Hashed with foldhash: SipHash's
/// resistance to chosen keys buys nothing for names read from one's own database.
#[derive(Debug, Default)]
pub struct Names {
    ids: HashMap<Box<str>, Name>,
    texts: Vec<Box<str>>,
    stored: HashMap<i64, Name>,
}

impl Names {
    /// The name a stored number stands for, if it has been learnt.
    pub fn stored(&self, key: i64) -> Option<Name> {
        self.stored.get(&key).copied()
    }

    /// Learns what a stored number stands for.
    pub fn learn(&mut self, key: i64, text: &str) -> Name {
        let id = self.id(text);
        self.stored.insert(key, id);
        id
    }

    pub fn id(&mut self, text: &str) -> Name {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = Name::try_from(self.texts.len()).expect("fewer than 2^32 names");
        self.texts.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    /// The id of a name read as bytes: its text, or where it is not UTF-8 (a row written
    /// by hand) the text with the bad bytes replaced.
    pub fn id_of_bytes(&mut self, bytes: &[u8]) -> Name {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.id(text),
            Err(_) => self.id(&String::from_utf8_lossy(bytes)),
        }
    }

    pub fn text(&self, id: Name) -> &str {
        &self.texts[id as usize]
    }
}

/// One event with the data fields metrics use, names as [`Names`] ids. A field that is
/// missing, is not a string or a number (a number's text for the names), or whose data is
/// not a JSON object is `None`; a time that cannot be read is 0, before every window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MetricEvent {
    pub seq: i64,
    /// The event's `created_at`, in milliseconds since the epoch.
    pub at_ms: i64,
    pub workflow: WorkflowKey,
    pub event_type: Name,
    pub from: Option<Name>,
    pub to: Option<Name>,
    pub from_role: Option<Name>,
    pub to_role: Option<Name>,
    pub phase: Option<Name>,
    pub role: Option<Name>,
    /// Kept only by an event that states no duration: only then is it paired.
    pub handoff_id: Option<Name>,
    pub in_phase_secs: Option<i64>,
    pub waited_secs: Option<i64>,
}

/// The columns of `workflow_event_metrics` in the order [`MetricEvent::from_cells`] reads
/// them: two numbers, the workflow's number, seven stored names' numbers, the handoff's
/// id as text, two numbers.
pub(crate) const COLUMNS: &str = "at_ms, seq, workflow_key, type_key, from_key, to_key, \
     from_role_key, to_role_key, phase_key, role_key, handoff_id, in_phase_secs, waited_secs";

/// How many [`COLUMNS`] there are.
pub(crate) const COLUMN_COUNT: usize = 13;

/// `baton_names` columns 3 to 9 of [`COLUMNS`] refer to.
pub(crate) const NAME_COLUMNS: std::ops::RangeInclusive<usize> = 3..=9;

/// Column 10 of [`COLUMNS`], the one name stored as text.
pub(crate) const HANDOFF_COLUMN: usize = 10;

impl MetricEvent {
    /// The event of one row of [`COLUMNS`]: each backend reads its cells (a stored name's
    /// number as its [`Name`], the handoff's text as its [`Name`], a number by column),
    /// this puts them in place.
    pub(crate) fn from_cells<E>(
        mut name: impl FnMut(usize) -> Result<Option<Name>, E>,
        handoff: Option<Name>,
        mut int: impl FnMut(usize) -> Result<Option<i64>, E>,
    ) -> Result<MetricEvent, E> {
        let seq = int(1)?.unwrap_or_default();
        Ok(MetricEvent {
            at_ms: int(0)?.unwrap_or_default(),
            seq,
            workflow: int(2)?.unwrap_or(-seq.saturating_abs() - 1),
            event_type: name(3)?.unwrap_or_default(),
            from: name(4)?,
            to: name(5)?,
            from_role: name(6)?,
            to_role: name(7)?,
            phase: name(8)?,
            role: name(9)?,
            handoff_id: handoff,
            in_phase_secs: int(11)?,
            waited_secs: int(12)?,
        })
    }

    pub fn key(&self) -> MetricKey {
        MetricKey {
            at_ms: self.at_ms,
            seq: self.seq,
        }
    }

    /// The same from a whole event of `workflow` (a look back, read the ordinary way), by
    /// the rules the schema extracts them with.
    pub fn of(e: &crate::model::Event, workflow: WorkflowKey, names: &mut Names) -> MetricEvent {
        let f: Fields = match &e.event_data {
            d @ Value::Object(_) => serde_json::from_value(d.clone()).unwrap_or_default(),
            _ => Fields::default(),
        };
        let (in_phase_secs, waited_secs) = (int(f.in_phase_secs), int(f.waited_secs));
        let stated = in_phase_secs.is_some() || waited_secs.is_some();
        let mut name = |v: Option<Value>| text(v).map(|t| names.id(&t));
        MetricEvent {
            seq: e.seq,
            at_ms: crate::model::time::parse(&e.created_at).map_or(0, |t| t.timestamp_millis()),
            from: name(f.from),
            to: name(f.to),
            from_role: name(f.from_role),
            to_role: name(f.to_role),
            phase: name(f.phase),
            role: name(f.role),
            handoff_id: if stated { None } else { name(f.handoff_id) },
            in_phase_secs,
            waited_secs,
            workflow,
            event_type: names.id(&e.event_type),
        }
    }
}

/// The data fields metrics read; every other key is skipped.
#[derive(Debug, Default, Deserialize)]
struct Fields {
    from: Option<Value>,
    to: Option<Value>,
    from_role: Option<Value>,
    to_role: Option<Value>,
    phase: Option<Value>,
    role: Option<Value>,
    handoff_id: Option<Value>,
    in_phase_secs: Option<Value>,
    waited_secs: Option<Value>,
}

/// A string as itself, a number as its text; anything else is not a usable value.
fn text(v: Option<Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s),
        n @ Value::Number(_) => Some(n.to_string()),
        _ => None,
    }
}

/// A number, its fraction dropped; anything else (a string too) is not a duration.
fn int(v: Option<Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Event;

    fn of(data: Value, names: &mut Names) -> MetricEvent {
        let e = Event {
            seq: 1,
            id: "e".into(),
            workflow_id: "w".into(),
            event_type: "phase_advanced".into(),
            triggered_by: "t".into(),
            event_data: data,
            created_at: "1970-01-01T00:00:01.500Z".into(),
        };
        MetricEvent::of(&e, 1, names)
    }

    #[test]
    fn the_column_count_and_positions_match_the_column_list() {
        let cols: Vec<&str> = COLUMNS.split(',').map(str::trim).collect();
        assert_eq!(cols.len(), COLUMN_COUNT);
        assert_eq!(cols[HANDOFF_COLUMN], "handoff_id");
        assert!(NAME_COLUMNS.clone().all(|i| cols[i].ends_with("_key")));
    }

    #[test]
    fn only_the_wanted_fields_are_kept_and_bad_data_gives_none() {
        let mut n = Names::default();
        let e = of(
            serde_json::json!({"from": "a", "to": "b", "output": {"big": [1, 2]},
            "to_role": 7, "in_phase_secs": 3600.9, "waited_secs": "12", "handoff_id": null}),
            &mut n,
        );
        assert_eq!(e.at_ms, 1500);
        let text = |n: &Names, id: Option<Name>| id.map(|i| n.text(i).to_string());
        assert_eq!(
            (text(&n, e.from), text(&n, e.to)),
            (Some("a".into()), Some("b".into()))
        );
        assert_eq!(
            text(&n, e.to_role).as_deref(),
            Some("7"),
            "a number as its text"
        );
        assert_eq!(e.in_phase_secs, Some(3600), "the fraction dropped");
        assert_eq!((e.waited_secs, e.handoff_id, e.phase), (None, None, None));
        let unstated = of(
            serde_json::json!({"handoff_id": "h1", "waited_secs": "12"}),
            &mut n,
        );
        assert_eq!(
            text(&n, unstated.handoff_id).as_deref(),
            Some("h1"),
            "no duration"
        );
        let stated = of(
            serde_json::json!({"handoff_id": "h1", "waited_secs": 12}),
            &mut n,
        );
        assert_eq!((stated.handoff_id, stated.waited_secs), (None, Some(12)));
        let nested = of(
            serde_json::json!({"from": {"a": 1}, "in_phase_secs": [1]}),
            &mut n,
        );
        assert_eq!((nested.from, nested.in_phase_secs), (None, None));
        let not_object = of(serde_json::json!(["a", "b"]), &mut n);
        assert_eq!((not_object.from, not_object.to), (None, None));
    }

    #[test]
    fn names_are_numbered_once_each() {
        let mut n = Names::default();
        let (a, b, a2) = (n.id("coding"), n.id("review"), n.id("coding"));
        assert_eq!((a, b, a2, n.id("tests")), (0, 1, 0, 2), "numbered in order");
        assert_eq!((n.text(a), n.text(b)), ("coding", "review"));
        assert_eq!(n.stored(40), None);
        assert_eq!(
            n.learn(40, "review"),
            b,
            "a stored number joins its text's name"
        );
        assert_eq!((n.stored(40), n.learn(41, "deploy")), (Some(b), 3));
    }
}
