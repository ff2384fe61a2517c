//! Stuck marks that change with time alone: each row's deadline is indexed, so passing time
//! re-checks only the rows whose deadline came, and the runtime wakes at most once a second.

use super::{Held, Pending, Slot, StuckSince};
use crate::engine::stuck::{self, Stuck};
use crate::model::time::{self, Timestamp};
use crate::model::{Handoff, Stamp, Status, WorkflowFields};
use crate::tui::app::table::Table;
use foldhash::{HashMap, HashMapExt, HashSet};
use std::cmp::Ordering;

impl Held {
    /// Time passed with no write: re-checks the rows whose stuck deadline has come.
    pub(in crate::tui::app) fn tick(&mut self, now: Timestamp, table: &Table) {
        self.now = now;
        let due: HashSet<Slot> = self.take_due().into_iter().collect();
        if table.depends_on_stuck() {
            return self.update_rows(due, &HashMap::new(), table);
        }
        // Nothing shown depends on the marks' order: re-check the due rows and correct their
        // entries in place (found by binary search: their sort keys did not change).
        for &s in &due {
            self.restuck(s);
            let Some(r) = self.rows.at(s) else {
                continue;
            };
            let at = self.order.partition_point(|e| {
                self.rows
                    .at(e.slot)
                    .is_some_and(|x| self.cmp_rows(x, r, table.sort()) == Ordering::Less)
            });
            let stuck = r.stuck.is_some();
            match self.order.get_mut(at) {
                Some(e) if e.slot == s => e.find.stuck = stuck,
                // Not where it should be (never expected): place it properly.
                _ => return self.update_rows(due, &HashMap::new(), table),
            }
        }
    }

    /// Takes out the rows whose deadline is at or before now.
    pub(super) fn take_due(&mut self) -> Vec<Slot> {
        self.checked_at = Some(self.now);
        let mut out = Vec::new();
        while let Some((t, _)) = self.due.first() {
            if *t > self.now {
                break;
            }
            if let Some((_, s)) = self.due.pop_first() {
                if let Some(r) = self.rows.at_mut(s) {
                    r.due = None;
                }
                out.push(s);
            }
        }
        out
    }

    /// Re-derives the stuck mark and deadline of workflow `id`, if it is held.
    pub(in crate::tui::app) fn restuck_id(&mut self, id: &str) {
        if let Some(s) = self.rows.slot_of(id) {
            self.restuck(s);
        }
    }

    /// Re-derives the stuck mark and deadline of the row in slot `s`.
    pub(in crate::tui::app) fn restuck(&mut self, s: Slot) {
        let Some(r) = self.rows.at(s) else {
            return; // a row let go took its deadline with it
        };
        let def = self.definitions.get(r.wf.definition());
        let pending = r.pending.as_deref().map(Pending::unpack);
        let stuck = stuck::detect(r, def, pending.as_ref(), self.policy, self.now);
        let due = self.deadline_of(r, pending.as_ref(), stuck.as_ref());
        if let Some(t) = r.due {
            self.due.remove(&(t, s));
        }
        if let Some(t) = due {
            self.due.insert((t, s));
        }
        if let Some(r) = self.rows.at_mut(s) {
            if r.stuck.is_some() != stuck.is_some() {
                if stuck.is_some() {
                    self.stuck_count += 1;
                } else {
                    self.stuck_count = self.stuck_count.saturating_sub(1);
                }
            }
            r.stuck = stuck.as_ref().map(|s| StuckSince::of(s, r));
            r.due = due;
        }
    }

    /// When the runtime should wake to re-check stuck rows with no write at all: the soonest
    /// deadline, but at most once a second (with 50,000 live workflows a deadline passes
    /// every few milliseconds; a mark a second late is worth an idle CPU near zero).
    pub fn next_stuck_deadline(&self) -> Option<Timestamp> {
        let first = self.due.first().map(|(t, _)| *t)?;
        let floor = self.checked_at.map(|c| c + chrono::Duration::seconds(1));
        Some(floor.map_or(first, |f| first.max(f)))
    }

    /// When a workflow's stuck mark would change if nothing happened: turning stuck, or,
    /// stuck without a heartbeat, its pending handoff passing its limit too.
    pub(super) fn deadline_of(
        &self,
        w: &impl WorkflowFields,
        pending: Option<&Handoff>,
        stuck: Option<&Stuck>,
    ) -> Option<Timestamp> {
        if w.status() != Status::Running
            || matches!(stuck, Some(Stuck::UnacknowledgedHandoff { .. }))
        {
            return None;
        }
        let phase = self
            .definition_of(w)
            .and_then(|d| d.phase(w.current_state()));
        let hand = pending.and_then(|h| {
            let limit = phase
                .and_then(|p| p.handoff_timeout_secs)
                .unwrap_or(self.policy.handoff_timeout_secs);
            time::parse(&h.created_at).and_then(|t| after_secs(t, limit))
        });
        let limit = phase
            .and_then(|p| p.stuck_after_secs)
            .unwrap_or(self.policy.phase_timeout_secs);
        let life = [w.heartbeat_at(), Some(w.phase_since())]
            .into_iter()
            .flatten()
            .filter_map(Stamp::parse)
            .max()
            .and_then(|t| after_secs(t, limit));
        match stuck {
            // Stuck for want of a heartbeat: the pending handoff's limit, when it comes,
            // becomes the reason shown (it is checked first).
            Some(_) => hand.filter(|t| *t > self.now),
            None => [hand, life].into_iter().flatten().min(),
        }
    }
}

/// The moment just past `limit` seconds after `t`; `None` when that is beyond any date
/// (limits come from definitions other programs write: `i64::MAX` must not panic).
fn after_secs(t: Timestamp, limit: i64) -> Option<Timestamp> {
    chrono::Duration::try_seconds(limit.saturating_add(1)).and_then(|d| t.checked_add_signed(d))
}
