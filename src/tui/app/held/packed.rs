//! A held workflow packed for memory: its texts back to back in one allocation, its
//! numbers beside them. The dashboard holds every live workflow (50,000 and more), and a
//! `Workflow` costs about 460 bytes of fields before its texts; this holds the same row in
//! what its texts take plus a small header, gives each field back as it was read, and
//! unpacks to the very `Workflow` it was made from.

use super::texts::Texts;
use crate::model::{Stamp, Status, Workflow};
use serde_json::Value;

/// The texts, in the order they are packed. `last_error` is last: the one field that may
/// be long, so that the table of where the others end stays narrow (see [`Texts`]).
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
    /// The retry counts, as decimal text: read only by the detail and the dialogs, and
    /// a digit or two here where two `i64`s took 16 bytes of every row.
    Retries,
    MaxRetries,
    LastError,
}

const TEXTS: usize = Text::LastError as usize + 1;

// Which optional texts are present (an absent one and an empty one differ), and how the
// rest is laid out.
const HAS_USER: u8 = 1;
const HAS_COMPLETED: u8 = 1 << 1;
const HAS_HEARTBEAT: u8 = 1 << 2;
const HAS_ENTERED: u8 = 1 << 3;
const HAS_ERROR: u8 = 1 << 4;
/// The stored status text differs from its parsed status's spelling and is kept.
const RAW_STATUS: u8 = 1 << 5;

/// The times, in packing order. A time often repeats an earlier one (a workflow created,
/// updated and entering its phase in one write, or updated by entering a phase); a repeat
/// is stored once, and [`Packed::same`] says which earlier time a later one reads.
const TIMES: [Text; 5] = [
    Text::Created,
    Text::Updated,
    Text::Completed,
    Text::Heartbeat,
    Text::Entered,
];
/// Bits of [`Packed::same`] for each time: 0 when it has its own text, else 1 + the
/// position in [`TIMES`] of the earlier time it repeats.
const SAME_BITS: u32 = 3;

/// One workflow as the dashboard holds it. Read it with the accessors (named after
/// `Workflow`'s fields) or [`Packed::unpack`] it whole.
#[derive(Clone, PartialEq)]
pub struct Packed {
    texts: Texts<TEXTS>,
    version: i64,
    /// The two JSON columns, held only when either is not null: the live set is read
    /// without them, so a held row nearly never has them.
    json: Option<Box<[Value; 2]>>,
    /// Which times repeat an earlier one ([`SAME_BITS`] per time, in [`TIMES`] order).
    same: u16,
    /// Which times (a bit each, in [`TIMES`] order) are held as 8 bytes of milliseconds:
    /// those whose text is canonical ([`Stamp::compact`]), nearly all.
    numbers: u8,
    status: Status,
    flags: u8,
}

impl Packed {
    pub fn new(w: Workflow) -> Packed {
        let raw_kept = w.status_raw != w.status.as_str();
        let (retries, max_retries) = (w.retry_count.to_string(), w.max_retries.to_string());
        let mut texts: [&str; TEXTS] = [
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
            &retries,
            &max_retries,
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
        let same = Packed::share_times(&mut texts);
        // Each time with its own text, canonical, is held as its milliseconds.
        let mut millis = [[0u8; 8]; TIMES.len()];
        let mut numbers = 0u8;
        for (i, t) in TIMES.iter().enumerate() {
            if let Some(ms) = Stamp::compact(texts[*t as usize]) {
                millis[i] = ms.to_le_bytes();
                numbers |= 1 << i;
            }
        }
        let mut parts: [&[u8]; TEXTS] = texts.map(str::as_bytes);
        for (i, t) in TIMES.iter().enumerate() {
            if numbers & (1 << i) != 0 {
                parts[*t as usize] = &millis[i];
            }
        }
        let json = match (w.phase_outputs, w.metadata) {
            (Value::Null, Value::Null) => None,
            (outputs, metadata) => Some(Box::new([outputs, metadata])),
        };
        Packed {
            texts: Texts::of_bytes(parts),
            version: w.version,
            json,
            same,
            numbers,
            status: w.status,
            flags,
        }
    }

    /// Empties each non-empty time that repeats an earlier time's text, and returns which
    /// one each repeats (see [`Packed::same`]).
    fn share_times(texts: &mut [&str; TEXTS]) -> u16 {
        let mut same = 0u16;
        for (i, t) in TIMES.iter().enumerate().skip(1) {
            let text = texts[*t as usize];
            if text.is_empty() {
                continue;
            }
            // Only times that kept their own text: a repeat of a repeat reads the first.
            let earlier = (0..i).find(|&j| {
                let own = (same >> (SAME_BITS * j as u32)) & 0b111 == 0;
                own && texts[TIMES[j] as usize] == text
            });
            if let Some(j) = earlier {
                same |= (j as u16 + 1) << (SAME_BITS * i as u32);
                texts[*t as usize] = "";
            }
        }
        same
    }

    /// The whole workflow again, exactly as it was packed.
    pub fn unpack(&self) -> Workflow {
        let (outputs, metadata) = match &self.json {
            Some(j) => (j[0].clone(), j[1].clone()),
            None => (Value::Null, Value::Null),
        };
        Workflow {
            id: self.id().into(),
            build_id: self.build_id().into(),
            project_id: self.project_id().into(),
            user_id: self.user_id().map(Into::into),
            definition: self.definition().into(),
            current_state: self.current_state().into(),
            current_role: self.current_role().into(),
            status: self.status,
            status_raw: self.status_raw().into(),
            phase_outputs: outputs,
            retry_count: self.retry_count(),
            max_retries: self.max_retries(),
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

    /// Time `t`: its own, or the earlier time it repeats; a number where one is held.
    fn time(&self, t: Text) -> Stamp<'_> {
        let i = TIMES
            .iter()
            .position(|x| *x as usize == t as usize)
            .unwrap_or(0);
        let own = match (self.same >> (SAME_BITS * i as u32)) & 0b111 {
            0 => i,
            j => usize::from(j) - 1,
        };
        if self.numbers & (1 << own) == 0 {
            return Stamp::Text(self.text(TIMES[own]));
        }
        let b = self.texts.bytes(TIMES[own] as usize);
        Stamp::Millis(i64::from_le_bytes(b.try_into().unwrap_or_default()))
    }

    fn text(&self, t: Text) -> &str {
        self.texts.get(t as usize)
    }

    /// A number kept as its decimal text (which `i64`'s own formatting wrote: it parses).
    fn number(&self, t: Text) -> i64 {
        self.text(t).parse().unwrap_or_default()
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
        self.number(Text::Retries)
    }
    pub fn max_retries(&self) -> i64 {
        self.number(Text::MaxRetries)
    }
    pub fn last_error(&self) -> Option<&str> {
        self.optional(Text::LastError, HAS_ERROR)
    }
    pub fn version(&self) -> i64 {
        self.version
    }
    pub fn created_at(&self) -> Stamp<'_> {
        self.time(Text::Created)
    }
    pub fn updated_at(&self) -> Stamp<'_> {
        self.time(Text::Updated)
    }
    pub fn completed_at(&self) -> Option<Stamp<'_>> {
        (self.flags & HAS_COMPLETED != 0).then(|| self.time(Text::Completed))
    }
    pub fn heartbeat_at(&self) -> Option<Stamp<'_>> {
        (self.flags & HAS_HEARTBEAT != 0).then(|| self.time(Text::Heartbeat))
    }
    pub fn state_entered_at(&self) -> Option<Stamp<'_>> {
        (self.flags & HAS_ENTERED != 0).then(|| self.time(Text::Entered))
    }
    pub fn phase_since(&self) -> Stamp<'_> {
        self.state_entered_at().unwrap_or(self.updated_at())
    }
}

impl From<Workflow> for Packed {
    fn from(w: Workflow) -> Packed {
        Packed::new(w)
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packed")
            .field("id", &self.id())
            .field("build_id", &self.build_id())
            .field("current_state", &self.current_state())
            .field("status", &self.status_raw())
            .field("version", &self.version)
            .field("updated_at", &self.updated_at())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WorkflowFields;
    use crate::tui::testing::workflow;
    use serde_json::json;

    fn round_trip(w: Workflow) {
        let p = Packed::new(w.clone());
        assert_eq!(p.unpack(), w);
        assert_eq!(p.build_id(), w.build_id);
        assert_eq!(p.status_raw(), w.status_raw);
        assert_eq!(p.phase_since(), w.phase_since());
        assert_eq!(p.last_error(), w.last_error.as_deref());
        assert_eq!(
            (p.retry_count(), p.max_retries()),
            (w.retry_count, w.max_retries)
        );
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
    fn retry_counts_of_any_size_round_trip() {
        for (used, max) in [(0, 3), (12, 0), (-1, i64::MAX), (i64::MIN, 1_000_000)] {
            let mut w = workflow("id-8", "atlas-8", "build", Status::Running);
            w.retry_count = used;
            w.max_retries = max;
            round_trip(w);
        }
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
        assert_eq!(p.texts.width(), 4);
        round_trip(w);
        let mut long_error = workflow("id-5", "atlas-5", "build", Status::Failed);
        long_error.last_error = Some("x".repeat(200_000));
        let p = Packed::new(long_error.clone());
        assert_eq!(
            p.texts.width(),
            1,
            "a long last error alone keeps the narrow ends"
        );
        round_trip(long_error);
        let mut middling = workflow("id-6", "atlas-6", "build", Status::Running);
        middling.build_id = "b".repeat(300).into();
        let p = Packed::new(middling.clone());
        assert_eq!(p.texts.width(), 2);
        round_trip(middling);
    }

    #[test]
    fn a_repeated_time_is_stored_once_and_read_back_from_the_first() {
        let t0 = "2026-11-22T10:00:00.000Z";
        let t1 = "2026-11-22T10:05:00.000Z";
        let mut w = workflow("id-7", "atlas-7", "build", Status::Completed);
        w.created_at = t0.into();
        w.updated_at = t1.into();
        w.completed_at = Some(t1.into());
        w.heartbeat_at = Some(t0.into());
        w.state_entered_at = Some(t1.into());
        let p = Packed::new(w.clone());
        let distinct = Packed::new(workflow("id-7", "atlas-7", "build", Status::Completed));
        // Two times held (8 bytes of milliseconds each) for five; the fixture's are all one.
        assert_eq!(p.texts.size(), distinct.texts.size() + 8);
        round_trip(w.clone());
        // Every combination of five times drawn from two values and absence round-trips,
        // the second value canonical (held as a number) or not (held as text).
        for second in [t1, "2026-11-22 10:05:00"] {
            for code in 0..3u32.pow(5) {
                let pick = |k: u32| match (code / 3u32.pow(k)) % 3 {
                    0 => None,
                    1 => Some(t0),
                    _ => Some(second),
                };
                let mut v = w.clone();
                v.created_at = pick(0).unwrap_or("").into();
                v.updated_at = pick(1).unwrap_or("").into();
                v.completed_at = pick(2).map(Into::into);
                v.heartbeat_at = pick(3).map(Into::into);
                v.state_entered_at = pick(4).map(Into::into);
                round_trip(v);
            }
        }
    }

    #[test]
    fn canonical_times_are_held_as_numbers_and_any_other_text_as_written() {
        let mut w = workflow("id-9", "atlas-9", "build", Status::Running);
        w.created_at = "2026-11-22T10:00:00.000Z".into();
        w.updated_at = "2026-11-22 10:05:00".into();
        w.heartbeat_at = Some("2026-11-22T10:06:00.000+00:00".into());
        w.state_entered_at = Some("2026-11-22T10:05:30.250Z".into());
        let p = Packed::new(w.clone());
        assert!(matches!(p.created_at(), Stamp::Millis(_)));
        assert!(matches!(p.state_entered_at(), Some(Stamp::Millis(_))));
        assert_eq!(p.updated_at(), Stamp::Text("2026-11-22 10:05:00"));
        assert!(matches!(p.heartbeat_at(), Some(Stamp::Text(_))));
        assert_eq!(p.created_at().to_string(), w.created_at.as_str());
        // The stuck rule and the clocks read the same instants either way.
        assert_eq!(p.updated_at().parse(), w.updated_at().parse());
        assert_eq!(
            p.phase_since().parse(),
            WorkflowFields::phase_since(&w).parse()
        );
        round_trip(w);
    }

    #[test]
    fn a_held_row_is_far_smaller_than_a_workflow() {
        // What the table holds per row besides its texts: the packed header against the
        // unpacked struct (its texts then come on top, or inline up to 24 bytes each).
        assert!(std::mem::size_of::<Packed>() * 10 <= std::mem::size_of::<Workflow>());
        // A held row (this, a pending handoff, a deadline, a stuck mark) is held inline in
        // its slot, every slot as large as the largest row.
        assert!(std::mem::size_of::<super::super::Row>() <= 64);
    }
}
