//! The worker's side of paging the event log back: one page of the trail below where the
//! log stands, filtered in the database as the log filters what it holds, at a bounded
//! cost. A search that reads its quota of windows without filling a page returns what it
//! found and where it stopped; the next move up goes on from there.

use super::app::Want;
use super::event_filter::EventFilter;
use super::msg::EventPage;
use crate::model::Event;
use crate::store::{Direction, EventQuery, Search, Store, StoreError};

/// Events in one page back.
pub const PAGE: usize = 200;
/// Windows of the trail one page back may read, at most.
pub const MAX_READS: usize = 4;
/// Events read to follow the live end again.
pub const NEWEST: usize = 500;

pub fn read(store: &Store, want: Want) -> EventPage {
    let answer = match &want {
        Want::Older {
            before,
            filter,
            workflow,
        } => older(store, *before, filter, workflow.as_deref()),
        Want::Newest => newest(store),
    };
    match answer {
        Ok((events, reached, done)) => EventPage {
            want,
            events,
            reached,
            done,
            problem: None,
        },
        Err(problem) => {
            let reached = match &want {
                Want::Older { before, .. } => before.unwrap_or(i64::MAX),
                Want::Newest => 0,
            };
            EventPage {
                want,
                events: Vec::new(),
                reached,
                done: false,
                problem: Some(problem),
            }
        }
    }
}

type Read = Result<(Vec<Event>, i64, bool), String>;

fn older(store: &Store, before: Option<i64>, text: &str, scope: Option<&str>) -> Read {
    let filter = EventFilter::parse(text);
    // A workflow the filter names by build id or id prefix is narrowed to in the database.
    let named = match filter.workflow() {
        Some(key) => match store.resolve(key) {
            Ok(id) => Some(id),
            Err(StoreError::NotFound { .. }) => {
                return Err(format!(
                    "event filter: no workflow `{key}` to page back through"
                ));
            }
            Err(e) => return Err(format!("event filter: workflow:{key}: {e}")),
        },
        None => None,
    };
    if named.is_some() && scope.is_some() && named.as_deref() != scope {
        return Ok((Vec::new(), 0, true));
    }
    let q = EventQuery {
        before_seq: before,
        ..filter.query(named.or(scope.map(str::to_string)), PAGE)
    };
    let search = Search {
        max_reads: Some(MAX_READS),
        ..Search::new(&q, Direction::Back)
    };
    let keep = |e: &Event| filter.text_matches(e, None);
    let found = store
        .search_events(&search, &keep)
        .map_err(|e| format!("reading older events: {e}"))?;
    Ok((found.events, found.reached, found.done))
}

fn newest(store: &Store) -> Read {
    let events = store
        .recent_events(None, NEWEST)
        .map_err(|e| format!("reading the newest events: {e}"))?;
    Ok((events, 0, false))
}
