//! What the dashboard shows of the past: a workflow as it was right after one of its events
//! (`[` and `]` in the detail pane), and the diff of its phase outputs (`d`). Both are built
//! here from a read [`History`] by pure functions the worker calls, off the render loop;
//! the text from the database is made inert once, here.

use crate::engine::attempt_diff::{self, DiffError, OutputsDiff};
use crate::engine::history::History;
use crate::engine::replay::{Known, State};
use crate::model::text::sanitize;
use crate::model::{Event, Handoff};
use crate::tui::json_text;

/// Where a step through the past goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TravelTo {
    /// One event back from now: right after the event before the newest (right after the
    /// newest is what the live detail already shows).
    BackFromNow,
    /// Right after this event.
    Seq(i64),
}

/// A workflow as it was right after event `seq`, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub workflow_id: String,
    /// Every event of the workflow, oldest first: where `[` and `]` can go.
    pub seqs: Vec<i64>,
    pub seq: i64,
    pub at: String,
    pub event_type: String,
    pub triggered_by: String,
    pub state: State,
    /// The handoffs that existed then, as they were then.
    pub handoffs: Vec<Handoff>,
    /// The newest events up to `seq`, oldest first.
    pub events: Vec<Event>,
    /// The phase outputs then, pretty and inert, or why they are unknown.
    pub outputs_text: String,
}

impl Frame {
    /// The event `step` events from event `seq` of this workflow (negative: back), if
    /// there is one.
    pub fn neighbour_of(&self, seq: i64, step: isize) -> Option<i64> {
        let i = self.seqs.iter().position(|s| *s == seq)?;
        self.seqs.get(i.checked_add_signed(step)?).copied()
    }
}

/// Events a frame keeps for the detail pane (it shows the newest 20, like the live one).
const EVENTS_SHOWN: usize = 20;

/// The frame `to` names, or `None` when the workflow has no such event.
pub fn frame(h: &History, to: TravelTo) -> Option<Frame> {
    let seq = match to {
        TravelTo::Seq(s) => s,
        TravelTo::BackFromNow => {
            let n = h.events.len();
            h.events.get(n.saturating_sub(2))?.seq
        }
    };
    let replay = h.replay();
    let a = replay.at(seq)?;
    let e = a.events.last()?.clone();
    let outputs_text = match &a.state.phase_outputs {
        Known::Known(v) => json_text::pretty(v),
        Known::Unknown(why) => format!("unknown: {}", sanitize(why)),
    };
    let skip = a.events.len().saturating_sub(EVENTS_SHOWN);
    Some(Frame {
        workflow_id: h.workflow.id.clone(),
        seqs: h.events.iter().map(|e| e.seq).collect(),
        seq,
        at: a.at.clone(),
        event_type: e.event_type,
        triggered_by: e.triggered_by,
        state: a.state,
        handoffs: a.handoffs,
        events: a.events[skip..].to_vec(),
        outputs_text,
    })
}

/// A diff laid out for the overlay: a title and lines, inert.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffText {
    pub workflow_id: String,
    pub title: String,
    pub lines: Vec<String>,
}

/// The diff `baton diff` prints for the workflow (as of event `to`, else now).
pub fn diff_text(h: &History, to: Option<i64>) -> DiffText {
    let replay = h.replay();
    let build = sanitize(&h.workflow.build_id).into_owned();
    let lines = match attempt_diff::attempts(&replay, to) {
        Ok(d) => diff_lines(&d),
        Err(e @ DiffError::NoPrevious { .. }) => vec![format!("{e}: nothing to compare.")],
        Err(e) => vec![format!("Cannot diff: {e}.")],
    };
    DiffText {
        workflow_id: h.workflow.id.clone(),
        title: match to {
            Some(s) => format!("Diff: {build} as of #{s}"),
            None => format!("Diff: {build}"),
        },
        lines: lines.iter().map(|l| sanitize(l).into_owned()).collect(),
    }
}

fn diff_lines(d: &OutputsDiff) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = &d.attempts {
        out.push(format!(
            "Phase outputs: previous attempt of {} (#{}–#{}) → current attempt (since #{})",
            a.phase,
            a.previous.began,
            a.previous.ended.unwrap_or(a.current.began),
            a.current.began
        ));
    }
    let side = |s: &attempt_diff::Side| {
        format!(
            "#{} · {} ({})",
            s.seq,
            s.at,
            s.phase.as_deref().unwrap_or("?")
        )
    };
    out.push(format!("from  {}", side(&d.from)));
    out.push(format!("to    {}", side(&d.to)));
    out.push(String::new());
    if d.changes.is_empty() {
        out.push("No changes.".into());
        return out;
    }
    out.extend(d.change_lines(120));
    out.push(String::new());
    out.push(d.summary());
    out
}
