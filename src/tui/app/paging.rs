//! How far back the event log has paged through the trail: what to ask the worker for
//! next, whether an answer is awaited, whether the newest events were dropped to hold older
//! ones, and from where up every event is held (below it, a filtered page holds only the
//! events that matched).

/// A read the event log asks the worker for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// The page of matching events below `before` (from the newest when `None`).
    Older {
        before: Option<i64>,
        filter: String,
        /// Only this workflow's events (the log shows the selected workflow's).
        workflow: Option<String>,
    },
    /// The newest events, to follow the live end again.
    Newest,
}

#[derive(Debug, Clone, Default)]
pub struct Paging {
    /// Where the next page back begins (exclusive); `None`: below the oldest held.
    reached: Option<i64>,
    /// Nothing older matches.
    done: bool,
    /// Sent, not yet answered.
    asking: Option<Want>,
    /// Not yet sent.
    pending: Option<Want>,
    /// The newest events were dropped to hold older ones.
    detached: bool,
    /// Every event from this `seq` up is held; `None`: every one from the oldest held.
    complete_from: Option<i64>,
    /// The filter and workflow the pages below `complete_from` were read for.
    read_for: Option<(String, Option<String>)>,
}

impl Paging {
    pub fn detached(&self) -> bool {
        self.detached
    }
    pub fn done(&self) -> bool {
        self.done
    }
    pub fn asking(&self) -> bool {
        self.asking.is_some()
    }
    /// Where the search back stopped, when it went past the oldest event held.
    pub fn reached(&self) -> Option<i64> {
        self.reached
    }
    pub fn complete_from(&self) -> Option<i64> {
        self.complete_from
    }

    pub fn ask_older(&mut self, oldest_held: Option<i64>, filter: &str, workflow: Option<&str>) {
        if self.asking.is_some() || self.done {
            return;
        }
        let narrowed = !filter.trim().is_empty() || workflow.is_some();
        if narrowed && self.complete_from.is_none() {
            self.complete_from = Some(oldest_held.unwrap_or(i64::MAX));
            self.read_for = Some((filter.to_string(), workflow.map(str::to_string)));
        }
        self.ask(Want::Older {
            before: self.reached.or(oldest_held),
            filter: filter.to_string(),
            workflow: workflow.map(str::to_string),
        });
    }

    pub fn ask_newest(&mut self) {
        if self.detached && self.asking != Some(Want::Newest) {
            self.ask(Want::Newest);
        }
    }

    fn ask(&mut self, w: Want) {
        self.asking = Some(w.clone());
        self.pending = Some(w);
    }

    pub fn take_want(&mut self) -> Option<Want> {
        self.pending.take()
    }

    /// Whether the pages held below `complete_from` were read for another filter or
    /// workflow than these (the log's selection moved while it showed only the selected's).
    pub fn read_for_other(&self, filter: &str, workflow: Option<&str>) -> bool {
        self.read_for
            .as_ref()
            .is_some_and(|(f, w)| f != filter || w.as_deref() != workflow)
    }

    /// Whether `want` is the read awaited (a read for an older filter is not).
    pub fn answers(&self, want: &Want) -> bool {
        self.asking.as_ref() == Some(want)
    }

    pub fn answered(&mut self, reached: i64, done: bool, dropped_newest: bool) {
        self.asking = None;
        self.reached = Some(reached);
        self.done = done;
        self.detached |= dropped_newest;
    }

    /// The oldest held were dropped (the cap, as new events arrived): paging back starts
    /// again below the oldest held, `oldest`.
    pub fn held_from(&mut self, oldest: Option<i64>) {
        self.reached = None;
        self.done = false;
        if self
            .complete_from
            .is_some_and(|c| oldest.is_none_or(|o| c <= o))
        {
            self.complete_from = None;
        }
    }

    pub fn dropped_oldest(&mut self, seq: i64) {
        self.held_from(Some(seq + 1));
    }

    /// The filter or scope changed (and what only the old one's pages held was dropped):
    /// paging back starts again below the oldest held.
    pub fn narrowed(&mut self, oldest: Option<i64>) {
        self.asking = None;
        self.pending = None;
        self.complete_from = None;
        self.read_for = None;
        self.held_from(oldest);
    }
}
