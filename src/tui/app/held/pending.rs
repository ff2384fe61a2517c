//! A held row's pending handoff, packed like the row itself ([`super::Packed`]): a live
//! set of 50,000 carries thousands of unacknowledged handoffs, and a `Handoff` is 256
//! bytes of fields and six allocations before its texts.

use super::texts::Texts;
use crate::model::{Handoff, HandoffKind};
use serde_json::Value;

#[derive(Clone, Copy)]
enum Text {
    Id,
    Workflow,
    FromRole,
    ToRole,
    FromState,
    ToState,
    Created,
    AckedAt,
    AckedBy,
}

const TEXTS: usize = Text::AckedBy as usize + 1;

// Which optional texts are present (an absent one and an empty one differ).
const HAS_FROM_ROLE: u8 = 1;
const HAS_FROM_STATE: u8 = 1 << 1;
const HAS_ACKED_AT: u8 = 1 << 2;
const HAS_ACKED_BY: u8 = 1 << 3;

/// One handoff as a held row keeps it. Read it with the accessors (named after
/// `Handoff`'s fields) or [`Pending::unpack`] it whole.
#[derive(Clone, PartialEq)]
pub struct Pending {
    texts: Texts<TEXTS>,
    /// The payload, held only when it is not null: the dashboard reads pending handoffs
    /// without it (the detail pane reads the selected workflow's with its history).
    data: Option<Box<Value>>,
    kind: HandoffKind,
    flags: u8,
}

impl Pending {
    pub fn new(h: Handoff) -> Pending {
        let mut flags = 0;
        for (present, flag) in [
            (h.from_role.is_some(), HAS_FROM_ROLE),
            (h.from_state.is_some(), HAS_FROM_STATE),
            (h.acknowledged_at.is_some(), HAS_ACKED_AT),
            (h.acknowledged_by.is_some(), HAS_ACKED_BY),
        ] {
            if present {
                flags |= flag;
            }
        }
        let texts = Texts::new([
            &h.id,
            &h.workflow_id,
            h.from_role.as_deref().unwrap_or(""),
            &h.to_role,
            h.from_state.as_deref().unwrap_or(""),
            &h.to_state,
            &h.created_at,
            h.acknowledged_at.as_deref().unwrap_or(""),
            h.acknowledged_by.as_deref().unwrap_or(""),
        ]);
        Pending {
            texts,
            data: match h.data_transferred {
                Value::Null => None,
                v => Some(Box::new(v)),
            },
            kind: h.kind,
            flags,
        }
    }

    /// The whole handoff again, exactly as it was packed.
    pub fn unpack(&self) -> Handoff {
        let owned = |t: Option<&str>| t.map(str::to_string);
        Handoff {
            id: self.id().to_string(),
            workflow_id: self.text(Text::Workflow).to_string(),
            from_role: owned(self.from_role()),
            to_role: self.to_role().to_string(),
            from_state: owned(self.optional(Text::FromState, HAS_FROM_STATE)),
            to_state: self.to_state().to_string(),
            kind: self.kind,
            data_transferred: self.data.as_deref().cloned().unwrap_or(Value::Null),
            created_at: self.created_at().to_string(),
            acknowledged_at: owned(self.optional(Text::AckedAt, HAS_ACKED_AT)),
            acknowledged_by: owned(self.optional(Text::AckedBy, HAS_ACKED_BY)),
        }
    }

    fn text(&self, t: Text) -> &str {
        self.texts.get(t as usize)
    }

    fn optional(&self, t: Text, flag: u8) -> Option<&str> {
        (self.flags & flag != 0).then(|| self.text(t))
    }

    pub fn id(&self) -> &str {
        self.text(Text::Id)
    }
    // Named after `Handoff`'s field, like every accessor here: not a conversion.
    #[allow(clippy::wrong_self_convention)]
    pub fn from_role(&self) -> Option<&str> {
        self.optional(Text::FromRole, HAS_FROM_ROLE)
    }
    pub fn to_role(&self) -> &str {
        self.text(Text::ToRole)
    }
    pub fn to_state(&self) -> &str {
        self.text(Text::ToState)
    }
    pub fn created_at(&self) -> &str {
        self.text(Text::Created)
    }
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.unpack().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::handoff;
    use serde_json::json;

    fn fixture(id: &str, kind: HandoffKind) -> Handoff {
        let at = "2026-11-22T10:00:00.000Z";
        handoff(id, "wf-1", kind, "build", "test", at, false)
    }

    fn round_trip(h: Handoff) {
        let p = Pending::new(h.clone());
        assert_eq!(p.unpack(), h);
        assert_eq!(p.id(), h.id);
        assert_eq!(p.from_role(), h.from_role.as_deref());
        assert_eq!(p.to_role(), h.to_role);
        assert_eq!(p.to_state(), h.to_state);
        assert_eq!(p.created_at(), h.created_at);
    }

    #[test]
    fn a_pending_handoff_round_trips_with_and_without_its_payload() {
        let mut h = fixture("h1", HandoffKind::Advance);
        round_trip(h.clone());
        h.data_transferred = Value::Null;
        let p = Pending::new(h.clone());
        assert!(p.data.is_none(), "a payload-less handoff holds none");
        round_trip(h.clone());
        h.data_transferred = json!({"artifact": "a.tar", "size": 3});
        round_trip(h);
    }

    #[test]
    fn absent_and_empty_optional_texts_differ() {
        let mut h = fixture("h2", HandoffKind::Rollback);
        h.from_role = None;
        h.from_state = Some(String::new());
        h.acknowledged_at = Some("2026-11-22T10:01:00.000Z".into());
        h.acknowledged_by = Some(String::new());
        round_trip(h.clone());
        h.from_role = Some(String::new());
        h.from_state = None;
        h.acknowledged_at = None;
        h.acknowledged_by = None;
        h.kind = HandoffKind::Unknown;
        round_trip(h);
    }
}
