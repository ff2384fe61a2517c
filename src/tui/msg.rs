//! Everything that can happen to the dashboard, as data: key presses, mouse, resizes,
//! what the database worker found, and the outcome of actions.

use super::app::Want;
use crate::engine::Request;
use crate::model::time::Timestamp;
use crate::model::{Checkpoint, Definition, Event, Handoff, Status, Workflow};
use crossterm::event::{KeyEvent, MouseEvent};

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Time passed (e.g. a workflow may have become stuck without any write).
    Tick(Timestamp),
    /// What changed in the database since the last delta.
    Data(Delta),
    Detail(Box<Detail>),
    /// A page of the trail the event log asked for.
    EventPage(Box<EventPage>),
    /// A workflow as it was right after one of its events (time travel).
    Travel(Box<crate::tui::travel::Frame>),
    /// There is nothing to travel to (the workflow has no such event): the trip ends.
    TravelRefused {
        workflow_id: String,
        why: String,
    },
    /// The diff of a workflow's phase outputs, for the overlay.
    Diff(Box<crate::tui::travel::DiffText>),
    /// The metrics of the last hour, as lines (`M`).
    Metrics(Vec<String>),
    /// The workflow a palette entry named (its id), or why none.
    Resolved(Result<String, String>),
    /// A page of the history view.
    History(HistoryPage),
    /// The worker could not read: the database is busy or failed (message).
    DbProblem(String),
    /// How changes reach the dashboard now: pushed, or polled (and why).
    Watching(crate::store::WatchMode),
    ActionDone(Result<String, String>),
    /// A bulk action is under way: `done` of `total` workflows (with its verb).
    BulkProgress {
        verb: &'static str,
        done: usize,
        total: usize,
    },
    /// The process was asked to stop (SIGTERM, SIGHUP, SIGINT, SIGQUIT): leave through the
    /// normal way out, which restores the terminal and lets a running action finish.
    Terminate(i32),
}

/// A batch of changes read by the worker: only what changed, except on the first load.
#[derive(Debug, Clone, Default)]
pub struct Delta {
    /// Replace everything held (the first load, or a forced refresh).
    pub full: bool,
    pub workflows: Vec<Workflow>,
    pub events: Vec<Event>,
    /// Pending handoffs: on a full load, every one of the live set; otherwise those of
    /// exactly the workflows in `workflows` (a workflow listed without any has none left).
    pub pending: Vec<Handoff>,
    pub counts: Vec<(Status, i64)>,
    pub definitions: Vec<Definition>,
    pub at: Option<Timestamp>,
}

/// The selected workflow in full, read on demand.
#[derive(Debug, Clone)]
pub struct Detail {
    pub workflow: Workflow,
    pub handoffs: Vec<Handoff>,
    pub checkpoints: Vec<Checkpoint>,
    pub events: Vec<Event>,
    /// Phase outputs and the newest handoff's payload, pretty-printed and made inert once,
    /// off the render loop.
    pub outputs_text: String,
    pub payload_text: String,
}

/// Events read for the event log's [`Want`]: older ones (oldest first) and where the search
/// stopped, or the newest.
#[derive(Debug, Clone)]
pub struct EventPage {
    pub want: Want,
    pub events: Vec<Event>,
    /// The exclusive bound a further page back starts from.
    pub reached: i64,
    /// Nothing older matches.
    pub done: bool,
    /// The read failed (or its filter named no workflow): said, and nothing added.
    pub problem: Option<String>,
}

/// Side effects `update` asks the runtime to perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    LoadDetail(String),
    /// Reads a page of the trail for the event log, with a bounded number of reads.
    EventPage(Want),
    /// Rebuild workflow `workflow_id` as it was at `to` (`Msg::Travel`).
    Travel {
        workflow_id: String,
        to: crate::tui::travel::TravelTo,
    },
    /// Diff its phase outputs, as of event `to` or now (`Msg::Diff`).
    Diff {
        workflow_id: String,
        to: Option<i64>,
    },
    LoadHistory(HistoryRequest),
    Perform {
        workflow_id: String,
        request: Request,
    },
    /// Acts on each of `items` in its own transaction, expecting the version it was
    /// selected at; progress comes back as `Msg::BulkProgress`, the tally as `ActionDone`.
    PerformBulk {
        items: Vec<crate::engine::bulk::Selected>,
        intent: crate::engine::bulk::Intent,
        actor: String,
        reason: String,
    },
    Refresh,
    /// The database may have changed: check the change token, read what changed.
    LookAgain,
    SetPaused(bool),
    Quit,
    /// The metrics of the last hour, for the metrics overlay.
    LoadMetrics,
    /// Find the workflow an id, unique id prefix or build id names (the palette).
    Resolve(String),
}

/// Where the next page of history starts: the store's keyset cursor of the last row.
pub type HistoryCursor = crate::store::Cursor;

/// A page of finished workflows the history view asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRequest {
    /// Which opening of the view (or filter) asked: pages for an older one are dropped.
    pub generation: u64,
    pub filter: crate::tui::history_filter::HistoryFilter,
    pub after: Option<HistoryCursor>,
    pub limit: usize,
}

/// How many finished workflows match, as honestly as a bounded read can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// From the status counts: exact when read, changing as workflows finish.
    About(i64),
    /// Counted up to a cap: at least this many.
    AtLeast(i64),
    Exactly(i64),
}

/// One page of history, newest first.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub generation: u64,
    pub rows: Vec<Workflow>,
    /// Where the next page starts; `None` when this was the last.
    pub next: Option<HistoryCursor>,
    /// Read with the first page only.
    pub total: Option<Total>,
    pub error: Option<String>,
}
