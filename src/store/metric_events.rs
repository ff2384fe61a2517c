//! Events as `baton metrics` reads them: the few `event_data` fields it uses, so that a
//! busy window is not parsed into whole JSON values event by event.

use serde::Deserialize;
use serde_json::Value;

/// The `event_data` keys projected, in [`MetricEvent`]'s field order.
pub const KEYS: [&str; 9] = [
    "from",
    "to",
    "from_role",
    "to_role",
    "phase",
    "role",
    "handoff_id",
    "in_phase_secs",
    "waited_secs",
];

/// One event with the data fields metrics use; a field that is missing (or whose data is
/// not a JSON object) is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricEvent {
    pub seq: i64,
    pub workflow_id: String,
    pub event_type: String,
    pub created_at: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub from_role: Option<String>,
    pub to_role: Option<String>,
    pub phase: Option<String>,
    pub role: Option<String>,
    pub handoff_id: Option<String>,
    pub in_phase_secs: Option<i64>,
    pub waited_secs: Option<i64>,
}

/// The data fields metrics read; every other key is skipped as it is parsed.
#[derive(Debug, Default, Deserialize)]
pub struct Fields {
    pub(crate) from: Option<Value>,
    pub(crate) to: Option<Value>,
    pub(crate) from_role: Option<Value>,
    pub(crate) to_role: Option<Value>,
    pub(crate) phase: Option<Value>,
    pub(crate) role: Option<Value>,
    pub(crate) handoff_id: Option<Value>,
    pub(crate) in_phase_secs: Option<Value>,
    pub(crate) waited_secs: Option<Value>,
}

impl Fields {
    /// The fields of `json` (event data as stored); none when it is not a JSON object.
    pub fn parse(json: &[u8]) -> Fields {
        // Only an object: serde would also fill a struct from a long enough array.
        if json.trim_ascii_start().first() != Some(&b'{') {
            return Fields::default();
        }
        serde_json::from_slice(json).unwrap_or_default()
    }
}

/// A string as itself, a number as its text; anything else is not a usable value.
fn text(v: Option<Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s),
        n @ Value::Number(_) => Some(n.to_string()),
        _ => None,
    }
}

fn int(v: Option<Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    }
}

impl MetricEvent {
    /// Fills the data fields.
    pub fn with(mut self, f: Fields) -> Self {
        self.from = text(f.from);
        self.to = text(f.to);
        self.from_role = text(f.from_role);
        self.to_role = text(f.to_role);
        self.phase = text(f.phase);
        self.role = text(f.role);
        self.handoff_id = text(f.handoff_id);
        self.in_phase_secs = int(f.in_phase_secs);
        self.waited_secs = int(f.waited_secs);
        self
    }

    /// The same from a whole event (a look back, read the ordinary way).
    pub fn of(e: &crate::model::Event) -> MetricEvent {
        let fields = match &e.event_data {
            d @ Value::Object(_) => serde_json::from_value(d.clone()).unwrap_or_default(),
            _ => Fields::default(),
        };
        MetricEvent {
            seq: e.seq,
            workflow_id: e.workflow_id.clone(),
            event_type: e.event_type.clone(),
            created_at: e.created_at.clone(),
            ..MetricEvent::default()
        }
        .with(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(json: &str) -> MetricEvent {
        MetricEvent::default().with(Fields::parse(json.as_bytes()))
    }

    #[test]
    fn only_the_wanted_fields_are_kept_and_bad_data_gives_none() {
        let e = of(
            r#"{"from": "a", "to": "b", "output": {"big": [1, 2, {"x": "y"}]},
            "to_role": 7, "in_phase_secs": 3600, "waited_secs": "12", "handoff_id": null}"#,
        );
        assert_eq!((e.from.as_deref(), e.to.as_deref()), (Some("a"), Some("b")));
        assert_eq!(e.to_role.as_deref(), Some("7"), "a number as its text");
        assert_eq!((e.in_phase_secs, e.waited_secs), (Some(3600), Some(12)));
        assert_eq!((e.handoff_id, e.phase), (None, None));
        let long = "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", 1, 2]";
        for bad in ["not json", "[1, 2]", long, "\"text\"", "{\"from\": ", ""] {
            assert_eq!(of(bad), MetricEvent::default(), "{bad:?}");
        }
        let nested = of(r#"{"from": {"a": 1}, "in_phase_secs": [1]}"#);
        assert_eq!((nested.from, nested.in_phase_secs), (None, None));
    }
}
