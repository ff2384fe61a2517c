//! What the worker does for each of `update`'s commands: history pages, details, pages of
//! the trail, time travel, diffs, metrics, lookups, and actions (one workflow or the
//! marked ones), each answered with a message.

use super::{Worker, problem};
use crate::engine::history::History;
use crate::engine::{self, EngineError};
use crate::model::time;
use crate::store::{Store, StoreError};
use crate::tui::history_reader;
use crate::tui::json_text;
use crate::tui::msg::{Cmd, Detail, HistoryPage, Msg};
use crate::tui::travel::{self, TravelTo};

impl Worker {
    /// Carries out one of `update`'s commands; `Cmd::Quit` stops the worker.
    pub(super) fn handle(&mut self, cmd: Cmd) -> bool {
        match cmd {
            Cmd::Quit => false,
            Cmd::LoadHistory(req) => {
                let page =
                    history_reader::read(&self.store, &req, time::now()).unwrap_or_else(|e| {
                        HistoryPage {
                            generation: req.generation,
                            rows: Vec::new(),
                            next: None,
                            total: None,
                            error: Some(problem(&e)),
                        }
                    });
                self.out.send(Msg::History(page)).is_ok()
            }
            Cmd::LoadDetail(id) => match self.detail(&id) {
                Ok(Some(d)) => self.out.send(Msg::Detail(Box::new(d))).is_ok(),
                Ok(None) => true,
                Err(e) => self.out.send(Msg::DbProblem(problem(&e))).is_ok(),
            },
            Cmd::EventPage(want) => {
                self.reads += 1;
                let page = crate::tui::event_pages::read(&self.store, want);
                self.out.send(Msg::EventPage(Box::new(page))).is_ok()
            }
            Cmd::Travel { workflow_id, to } => match self.history(&workflow_id) {
                Ok(Some(h)) => match travel::frame(&h, to) {
                    Some(f) => self.out.send(Msg::Travel(Box::new(f))).is_ok(),
                    None => {
                        let why = match to {
                            TravelTo::Seq(s) => format!("event #{s} is no longer in the database"),
                            TravelTo::BackFromNow => "it has no events to travel through".into(),
                        };
                        self.out
                            .send(Msg::TravelRefused { workflow_id, why })
                            .is_ok()
                    }
                },
                Ok(None) => true,
                Err(e) => self.out.send(Msg::DbProblem(problem(&e))).is_ok(),
            },
            Cmd::Resolve(key) => {
                let found = self.store.resolve(&key).map_err(|e| match e {
                    StoreError::NotFound { .. } => {
                        format!(
                            "no view, command or workflow is called `{}`",
                            crate::model::text::sanitize(&key)
                        )
                    }
                    other => problem(&other),
                });
                self.out.send(Msg::Resolved(found)).is_ok()
            }
            Cmd::LoadMetrics => {
                let now = time::now();
                let since = now - chrono::Duration::hours(1);
                match crate::engine::metrics::measure(&self.store, since, now) {
                    Ok(m) => self
                        .out
                        .send(Msg::Metrics(crate::engine::metrics_text::lines(&m)))
                        .is_ok(),
                    Err(e) => self.out.send(Msg::DbProblem(e.to_string())).is_ok(),
                }
            }
            Cmd::Diff { workflow_id, to } => match self.history(&workflow_id) {
                Ok(Some(h)) => {
                    let d = travel::diff_text(&h, to);
                    self.out.send(Msg::Diff(Box::new(d))).is_ok()
                }
                Ok(None) => true,
                Err(e) => self.out.send(Msg::DbProblem(problem(&e))).is_ok(),
            },
            Cmd::Perform {
                workflow_id,
                request,
            } => {
                if let Some(refused) = self.refuse_write(request.action.verb()) {
                    return self.out.send(Msg::ActionDone(Err(refused))).is_ok();
                }
                let result = engine::act_on_id(&mut self.store, &workflow_id, &request);
                if let Err(EngineError::Store(e @ StoreError::Busy { .. })) = &result {
                    self.locked = Some(problem(e));
                }
                let result = result
                    .map(|w| {
                        format!(
                            "{} {}: now {} in {} (v{})",
                            request.action.verb(),
                            w.workflow.build_id,
                            w.workflow.status,
                            w.workflow.current_state,
                            w.workflow.version
                        )
                    })
                    .map_err(|e| format!("{} failed: {e}", request.action.verb()));
                if self.out.send(Msg::ActionDone(result)).is_err() {
                    return false;
                }
                // Show what we wrote now rather than at the next poll. The new version in
                // this load is what makes `update` read the detail again: that rule is its.
                self.send_load(false)
            }
            Cmd::PerformBulk {
                items,
                intent,
                actor,
                reason,
            } => {
                if let Some(refused) = self.refuse_write(intent.verb()) {
                    return self.out.send(Msg::ActionDone(Err(refused))).is_ok();
                }
                let (out, total, verb) = (&self.out, items.len(), intent.verb());
                let result = crate::tui::bulk_run::run(
                    &mut self.store,
                    &items,
                    &intent,
                    &actor,
                    &reason,
                    |done| out.send(Msg::BulkProgress { verb, done, total }).is_ok(),
                );
                if self.out.send(Msg::ActionDone(result)).is_err() {
                    return false;
                }
                self.send_load(false)
            }
            Cmd::Refresh => self.send_load(true),
            // The poll after every job is the look.
            Cmd::LookAgain => true,
            Cmd::SetPaused(p) => {
                self.paused = p;
                true
            }
        }
    }

    /// A workflow's whole trail, for time travel and diffs (`None`: it is gone).
    fn history(&mut self, id: &str) -> Result<Option<History>, StoreError> {
        self.reads += 1;
        match History::read(&self.store, id) {
            Ok(h) => Ok(Some(h)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn detail(&mut self, id: &str) -> Result<Option<Detail>, StoreError> {
        self.reads += 1;
        read_detail(&self.store, id)
    }
}

/// The workflow `id` in full, as the detail pane shows it; `None` when it is gone.
pub fn read_detail(store: &Store, id: &str) -> Result<Option<Detail>, StoreError> {
    let workflow = match store.workflow(id) {
        Ok(w) => w,
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let handoffs = store.handoffs(id, 200)?;
    let payload_text = handoffs
        .last()
        .map(|h| json_text::pretty(&h.data_transferred))
        .unwrap_or_default();
    Ok(Some(Detail {
        outputs_text: json_text::pretty(&workflow.phase_outputs),
        payload_text,
        checkpoints: store.checkpoints(id)?,
        events: store.recent_events(Some(id), 50)?,
        handoffs,
        workflow,
    }))
}
