//! A held workflow packed for memory: its texts back to back in one allocation, its
//! numbers beside them. The dashboard holds every live workflow (50,000 and more), and a
//! `Workflow` costs about 460 bytes of fields before its texts; this holds the same row in
//! what its texts take plus a small header, gives each field back as it was read, and
//! unpacks to the very `Workflow` it was made from.

use crate::model::{Status, Workflow, WorkflowFields};
use serde_json::Value;

/// The texts, in the order they are packed. `last_error` is last: the one field that may
/// be long, so that every other field's end fits a `u16` unless a writer stored something
/// absurd (then the ends are `u32`s, see [`WIDE`]).
#[derive(Clone, Copy)]
enum Text {
    Id,
    Build,
    Project,
    User,
    Definition,
    State,
    Role,
    /// Empty when it is what the parsed status is spelt as (nearly always).
    StatusRaw,
    Created,
    Updated,
    Completed,
    Heartbeat,
    Entered,
    LastError,
}

/// Texts with a recorded end (the last one ends where the bytes do).
const ENDS: usize = Text::LastError as usize;

// Which optional texts are present (an absent one and an empty one differ), and how the
// rest is laid out.
const HAS_USER: u8 = 1;
const HAS_COMPLETED: u8 = 1 << 1;
const HAS_HEARTBEAT: u8 = 1 << 2;
const HAS_ENTERED: u8 = 1 << 3;
const HAS_ERROR: u8 = 1 << 4;
/// The stored status text differs from its parsed status's spelling and is kept.
const RAW_STATUS: u8 = 1 << 5;
/// The ends are `u32`s: some text before `last_error` ran past 64 KiB.
const WIDE: u8 = 1 << 6;

/// One workflow as the dashboard holds it. Read it with the accessors (named after
/// `Workflow`'s fields) or [`Packed::unpack`] it whole.
#[derive(Clone, PartialEq)]
pub struct Packed {
    /// The ends of the first [`ENDS`] texts (`u16`s, or `u32`s when [`WIDE`]), then every
    /// text back to back.
    bytes: Box<[u8]>,
    version: i64,
    retry_count: i64,
    max_retries: i64,
    /// The two JSON columns, held only when either is not null: the live set is read
    /// without them, so a held row nearly never has them.
    json: Option<Box<[Value; 2]>>,
    status: Status,
    flags: u8,
}

impl Packed {
    pub fn new(w: Workflow) -> Packed {
        let raw_kept = w.status_raw != w.status.as_str();
        let texts: [&str; ENDS + 1] = [
            &w.id,
            &w.build_id,
            &w.project_id,
            w.user_id.as_deref().unwrap_or(""),
            &w.definition,
            &w.current_state,
            &w.current_role,
            if raw_kept { &w.status_raw } else { "" },
            &w.created_at,
            &w.updated_at,
            w.completed_at.as_deref().unwrap_or(""),
            w.heartbeat_at.as_deref().unwrap_or(""),
            w.state_entered_at.as_deref().unwrap_or(""),
            w.last_error.as_deref().unwrap_or(""),
        ];
        let mut flags = 0;
        for (present, flag) in [
            (w.user_id.is_some(), HAS_USER),
            (w.completed_at.is_some(), HAS_COMPLETED),
            (w.heartbeat_at.is_some(), HAS_HEARTBEAT),
            (w.state_entered_at.is_some(), HAS_ENTERED),
            (w.last_error.is_some(), HAS_ERROR),
            (raw_kept, RAW_STATUS),
        ] {
            if present {
                flags |= flag;
            }
        }
        let before_error: usize = texts[..ENDS].iter().map(|t| t.len()).sum();
        let width = if before_error > usize::from(u16::MAX) {
            flags |= WIDE;
            4
        } else {
            2
        };
        let total: usize = texts.iter().map(|t| t.len()).sum();
        let mut bytes = Vec::with_capacity(ENDS * width + total);
        let mut end = 0;
        for t in &texts[..ENDS] {
            end += t.len();
            if width == 4 {
                // Fits: a row's texts are read from one database value each.
                bytes.extend_from_slice(&u32::try_from(end).unwrap_or(u32::MAX).to_le_bytes());
            } else {
                bytes.extend_from_slice(&u16::try_from(end).unwrap_or(u16::MAX).to_le_bytes());
            }
        }
        for t in texts {
            bytes.extend_from_slice(t.as_bytes());
        }
        let json = match (w.phase_outputs, w.metadata) {
            (Value::Null, Value::Null) => None,
            (outputs, metadata) => Some(Box::new([outputs, metadata])),
        };
        Packed {
            bytes: bytes.into_boxed_slice(),
            version: w.version,
            retry_count: w.retry_count,
            max_retries: w.max_retries,
            json,
            status: w.status,
            flags,
        }
    }

    /// The whole workflow again, exactly as it was packed.
    pub fn unpack(&self) -> Workflow {
        let (outputs, metadata) = match &self.json {
            Some(j) => (j[0].clone(), j[1].clone()),
            None => (Value::Null, Value::Null),
        };
        Workflow {
            id: self.id().to_string(),
            build_id: self.build_id().into(),
            project_id: self.project_id().into(),
            user_id: self.user_id().map(Into::into),
            definition: self.definition().into(),
            current_state: self.current_state().into(),
            current_role: self.current_role().into(),
            status: self.status,
            status_raw: self.status_raw().into(),
            phase_outputs: outputs,
            retry_count: self.retry_count,
            max_retries: self.max_retries,
            last_error: self.last_error().map(str::to_string),
            version: self.version,
            metadata,
            created_at: self.created_at().into(),
            updated_at: self.updated_at().into(),
            completed_at: self.completed_at().map(Into::into),
            heartbeat_at: self.heartbeat_at().map(Into::into),
            state_entered_at: self.state_entered_at().map(Into::into),
        }
    }

    /// Changes the workflow in place (unpacked, edited, packed again): for tests and the
    /// rare edit, not for every frame.
    pub fn edit(&mut self, f: impl FnOnce(&mut Workflow)) {
        let mut w = self.unpack();
        f(&mut w);
        *self = Packed::new(w);
    }

    fn width(&self) -> usize {
        if self.flags & WIDE != 0 { 4 } else { 2 }
    }

    /// Where the texts begin, and where text `i` (of the first [`ENDS`]) ends, from there.
    fn end(&self, i: usize) -> usize {
        let at = i * self.width();
        let b = &self.bytes[at..];
        if self.flags & WIDE != 0 {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
        } else {
            usize::from(u16::from_le_bytes([b[0], b[1]]))
        }
    }

    fn text(&self, t: Text) -> &str {
        let i = t as usize;
        let base = ENDS * self.width();
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        let end = if i == ENDS {
            self.bytes.len() - base
        } else {
            self.end(i)
        };
        let b = &self.bytes[base + start..base + end];
        // Each text was a whole `str` put in at a boundary; this cannot fail.
        std::str::from_utf8(b).unwrap_or_default()
    }

    fn optional(&self, t: Text, flag: u8) -> Option<&str> {
        (self.flags & flag != 0).then(|| self.text(t))
    }

    pub fn id(&self) -> &str {
        self.text(Text::Id)
    }
    pub fn build_id(&self) -> &str {
        self.text(Text::Build)
    }
    pub fn project_id(&self) -> &str {
        self.text(Text::Project)
    }
    pub fn user_id(&self) -> Option<&str> {
        self.optional(Text::User, HAS_USER)
    }
    pub fn definition(&self) -> &str {
        self.text(Text::Definition)
    }
    pub fn current_state(&self) -> &str {
        self.text(Text::State)
    }
    pub fn current_role(&self) -> &str {
        self.text(Text::Role)
    }
    pub fn status(&self) -> Status {
        self.status
    }
    pub fn status_raw(&self) -> &str {
        match self.flags & RAW_STATUS {
            0 => self.status.as_str(),
            _ => self.text(Text::StatusRaw),
        }
    }
    pub fn retry_count(&self) -> i64 {
        self.retry_count
    }
    pub fn max_retries(&self) -> i64 {
        self.max_retries
    }
    pub fn last_error(&self) -> Option<&str> {
        self.optional(Text::LastError, HAS_ERROR)
    }
    pub fn version(&self) -> i64 {
        self.version
    }
    pub fn created_at(&self) -> &str {
        self.text(Text::Created)
    }
    pub fn updated_at(&self) -> &str {
        self.text(Text::Updated)
    }
    pub fn completed_at(&self) -> Option<&str> {
        self.optional(Text::Completed, HAS_COMPLETED)
    }
    pub fn heartbeat_at(&self) -> Option<&str> {
        self.optional(Text::Heartbeat, HAS_HEARTBEAT)
    }
    pub fn state_entered_at(&self) -> Option<&str> {
        self.optional(Text::Entered, HAS_ENTERED)
    }
    pub fn phase_since(&self) -> &str {
        self.state_entered_at().unwrap_or(self.updated_at())
    }
    /// The first 8 characters of the id, as [`Workflow::short_id`].
    pub fn short_id(&self) -> &str {
        let id = self.id();
        let end = id.char_indices().nth(8).map_or(id.len(), |(i, _)| i);
        &id[..end]
    }
}

impl From<Workflow> for Packed {
    fn from(w: Workflow) -> Packed {
        Packed::new(w)
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.unpack().fmt(f)
    }
}

impl WorkflowFields for Packed {
    fn id(&self) -> &str {
        Packed::id(self)
    }
    fn build_id(&self) -> &str {
        Packed::build_id(self)
    }
    fn project_id(&self) -> &str {
        Packed::project_id(self)
    }
    fn definition(&self) -> &str {
        Packed::definition(self)
    }
    fn current_state(&self) -> &str {
        Packed::current_state(self)
    }
    fn current_role(&self) -> &str {
        Packed::current_role(self)
    }
    fn status(&self) -> Status {
        self.status
    }
    fn status_raw(&self) -> &str {
        Packed::status_raw(self)
    }
    fn created_at(&self) -> &str {
        Packed::created_at(self)
    }
    fn updated_at(&self) -> &str {
        Packed::updated_at(self)
    }
    fn completed_at(&self) -> Option<&str> {
        Packed::completed_at(self)
    }
    fn heartbeat_at(&self) -> Option<&str> {
        Packed::heartbeat_at(self)
    }
    fn state_entered_at(&self) -> Option<&str> {
        Packed::state_entered_at(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::workflow;
    use serde_json::json;

    fn round_trip(w: Workflow) {
        let p = Packed::new(w.clone());
        assert_eq!(p.unpack(), w);
        assert_eq!(p.id(), w.id);
        assert_eq!(p.build_id(), w.build_id);
        assert_eq!(p.status_raw(), w.status_raw);
        assert_eq!(p.phase_since(), w.phase_since());
        assert_eq!(p.short_id(), w.short_id());
        assert_eq!(p.last_error(), w.last_error.as_deref());
    }

    #[test]
    fn a_live_summary_row_round_trips() {
        let mut w = workflow(
            "0b6f1c2e-1111-4222-8333-944455556666",
            "atlas-42",
            "build",
            Status::Running,
        );
        w.phase_outputs = Value::Null;
        w.metadata = Value::Null;
        let p = Packed::new(w.clone());
        assert!(p.json.is_none(), "a row without JSON holds none");
        round_trip(w);
    }

    #[test]
    fn every_optional_field_present_empty_or_absent_round_trips() {
        let base = workflow("id-1", "atlas-1", "test", Status::Failed);
        let mut all = base.clone();
        all.user_id = Some("grace".into());
        all.last_error = Some("runner died: exit 137".into());
        all.completed_at = Some("2026-11-22T10:05:00.000Z".into());
        all.heartbeat_at = Some("2026-11-22T10:04:00.000Z".into());
        round_trip(all);
        let mut empty = base.clone();
        empty.user_id = Some("".into());
        empty.last_error = Some(String::new());
        empty.completed_at = Some("".into());
        empty.heartbeat_at = Some("".into());
        empty.state_entered_at = Some("".into());
        let p = Packed::new(empty.clone());
        assert_eq!(p.user_id(), Some(""), "an empty text is not an absent one");
        round_trip(empty);
        let mut none = base;
        none.state_entered_at = None;
        round_trip(none);
    }

    #[test]
    fn statuses_as_written_and_json_are_kept() {
        let mut odd = workflow("id-2", "atlas-2", "deploy", Status::Unknown);
        odd.status_raw = "stalled".into();
        odd.phase_outputs = json!({"build": {"artifact": "a.tar"}});
        odd.metadata = json!("not an object, as another writer left it");
        round_trip(odd);
        let mut cased = workflow("id-3", "atlas-3", "deploy", Status::Running);
        cased.status_raw = "RUNNING".into();
        let p = Packed::new(cased.clone());
        assert_eq!(p.status_raw(), "RUNNING");
        round_trip(cased);
    }

    #[test]
    fn texts_past_64_kib_and_non_ascii_round_trip() {
        let mut w = workflow("id-4", "ατλας-4", "ビルド", Status::Paused);
        w.project_id = "p".repeat(70_000).into();
        w.last_error = Some("e".repeat(100_000));
        let p = Packed::new(w.clone());
        assert_ne!(p.flags & WIDE, 0);
        round_trip(w);
        let mut long_error = workflow("id-5", "atlas-5", "build", Status::Failed);
        long_error.last_error = Some("x".repeat(200_000));
        let p = Packed::new(long_error.clone());
        assert_eq!(
            p.flags & WIDE,
            0,
            "a long last error alone keeps the narrow ends"
        );
        round_trip(long_error);
    }

    #[test]
    fn a_held_row_is_far_smaller_than_a_workflow() {
        // What the table holds per row besides its texts: the packed header against the
        // unpacked struct (its texts then come on top, or inline up to 24 bytes each).
        assert!(std::mem::size_of::<Packed>() * 6 <= std::mem::size_of::<Workflow>());
    }
}
