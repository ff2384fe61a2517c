//! A bulk action from the dashboard, run by the worker: each marked workflow through the
//! engine's [`bulk::act_one`] (its own transaction, the version it was marked at
//! expected), progress reported as it goes, and a tally short enough for the status line.

use crate::engine::bulk::{self, Intent, Outcome, Selected, Tally};
use crate::model::text::sanitize;
use crate::store::Store;
use std::time::{Duration, Instant};

/// How often progress is reported while a run goes on.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// Builds named per kind of outcome in the tally; the rest are counted.
const NAMED: usize = 3;

/// Runs `intent` on every one of `items`; `progress(done)` is called now and then and
/// stops the run by returning false (the dashboard is gone). Ok when at least one was
/// applied, with the tally either way.
pub fn run(
    store: &mut Store,
    items: &[Selected],
    intent: &Intent,
    actor: &str,
    reason: &str,
    mut progress: impl FnMut(usize) -> bool,
) -> Result<String, String> {
    let verb = intent.verb();
    let mut tally = Tally {
        matched: items.len(),
        ..Tally::default()
    };
    let mut named = Named::default();
    let mut reported = Instant::now();
    for (i, w) in items.iter().enumerate() {
        if reported.elapsed() >= PROGRESS_EVERY {
            reported = Instant::now();
            if !progress(i) {
                break;
            }
        }
        match bulk::act_one(store, w, intent, actor, reason, false) {
            Ok(o) => {
                tally.count(&o);
                named.note(&w.build_id, &o);
            }
            Err(e) => {
                return Err(format!(
                    "{verb} stopped after {i} of {}: {e}; the rest were not touched ({})",
                    items.len(),
                    summary(&tally, &named)
                ));
            }
        }
    }
    let text = format!("{verb}: {}", summary(&tally, &named));
    if tally.applied == 0 {
        Err(text)
    } else {
        Ok(text)
    }
}

/// A few builds of each outcome that was not applied, to name in the tally.
#[derive(Default)]
struct Named {
    refused: Vec<String>,
    conflicts: Vec<String>,
    gone: Vec<String>,
}

impl Named {
    fn note(&mut self, build: &str, o: &Outcome) {
        let (list, text) = match o {
            Outcome::Refused { reason } => (&mut self.refused, format!("{build}: {reason}")),
            Outcome::Conflict { .. } => (&mut self.conflicts, build.to_string()),
            Outcome::Gone => (&mut self.gone, build.to_string()),
            Outcome::Applied { .. } | Outcome::WouldApply { .. } => return,
        };
        if list.len() < NAMED {
            list.push(sanitize(&text).into_owned());
        }
    }
}

fn summary(t: &Tally, n: &Named) -> String {
    let mut out = format!("{} of {} done", t.applied, t.matched);
    let part = |count: usize, word: &str, names: &[String]| {
        let more = if count > names.len() { ", …" } else { "" };
        format!(" · {count} {word} ({}{more})", names.join(", "))
    };
    if t.refused > 0 {
        out.push_str(&part(t.refused, "refused", &n.refused));
    }
    if t.conflicts > 0 {
        out.push_str(&part(t.conflicts, "changed since marked", &n.conflicts));
    }
    if t.gone > 0 {
        out.push_str(&part(t.gone, "deleted", &n.gone));
    }
    out
}
