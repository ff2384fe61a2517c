//! Time travel in the detail pane: which workflow the operator is looking at in the past,
//! and the frame (the workflow right after one event) last read for it. While a trip is
//! on, the detail pane shows the frame and actions are refused: what is on screen is not
//! what an action would act on.

use crate::tui::travel::Frame;

#[derive(Debug, Clone, Default)]
pub struct Travel {
    trip: Option<Trip>,
}

#[derive(Debug, Clone)]
struct Trip {
    workflow_id: String,
    frame: Option<Frame>,
    /// The event last asked for, while its frame is on its way: keys pressed faster than
    /// frames arrive step on from it, not from the frame on screen.
    wanted: Option<i64>,
}

/// What `[` or `]` leads to from where the trip stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Read the workflow right after this event.
    To(i64),
    /// Past the newest event: back to the live detail.
    Live,
    /// Already at the first event.
    AtFirst,
    /// The frame asked for has not arrived yet: the key waits for it.
    Waiting,
}

impl Travel {
    pub fn active(&self) -> bool {
        self.trip.is_some()
    }

    /// The workflow travelled, if any.
    pub fn workflow_id(&self) -> Option<&str> {
        self.trip.as_ref().map(|t| t.workflow_id.as_str())
    }

    /// The frame shown for workflow `id`, if that is the one travelled.
    pub fn frame_of(&self, id: &str) -> Option<&Frame> {
        self.trip
            .as_ref()
            .filter(|t| t.workflow_id == id)
            .and_then(|t| t.frame.as_ref())
    }

    pub fn frame(&self) -> Option<&Frame> {
        self.trip.as_ref().and_then(|t| t.frame.as_ref())
    }

    pub fn start(&mut self, workflow_id: String) {
        self.trip = Some(Trip {
            workflow_id,
            frame: None,
            wanted: None,
        });
    }

    /// Keeps a frame that arrived, if it is of the trip on now (the operator may have
    /// gone back to live, or to another workflow, while it was read).
    pub fn accept(&mut self, f: Frame) {
        if let Some(t) = self
            .trip
            .as_mut()
            .filter(|t| t.workflow_id == f.workflow_id)
        {
            if t.wanted == Some(f.seq) {
                t.wanted = None;
            }
            t.frame = Some(f);
        }
    }

    /// Records the event asked for (see `Trip::wanted`).
    pub fn want(&mut self, seq: i64) {
        if let Some(t) = self.trip.as_mut() {
            t.wanted = Some(seq);
        }
    }

    pub fn end(&mut self) {
        self.trip = None;
    }

    /// Where one step back (`forward` false) or forward goes.
    pub fn step(&self, forward: bool) -> Step {
        let Some(t) = &self.trip else {
            return Step::Waiting;
        };
        let Some(f) = &t.frame else {
            return Step::Waiting;
        };
        let from = t.wanted.unwrap_or(f.seq);
        match (f.neighbour_of(from, if forward { 1 } else { -1 }), forward) {
            (Some(s), _) => Step::To(s),
            (None, true) => Step::Live,
            (None, false) => Step::AtFirst,
        }
    }
}
