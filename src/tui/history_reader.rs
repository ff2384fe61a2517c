//! Reads a page of the history view for the worker: one keyset page of finished
//! workflows under the view's filter (`Store::list_page`, every term evaluated by the
//! database), and with the first page how many match (`Store::total`: the status counts
//! when nothing but the status narrows, else counted up to a cap).

use crate::model::time::Timestamp;
use crate::store::{self, HistoryQuery, Store, StoreError};
use crate::tui::history_filter::HistoryFilter;
use crate::tui::msg::{HistoryPage, HistoryRequest, Total};

/// The store's query for a filter of the view, from a request made at `now`.
fn query(filter: &HistoryFilter, req: &HistoryRequest, now: Timestamp) -> HistoryQuery {
    HistoryQuery {
        status: filter.status,
        project: filter.project.clone(),
        phase: filter.phase.clone(),
        build_prefix: filter.build_prefix.clone(),
        since: filter.since.map(|s| s.at(now)),
        until: None,
        after: req.after.clone(),
        limit: req.limit,
    }
}

pub fn read(
    store: &Store,
    req: &HistoryRequest,
    now: Timestamp,
) -> Result<HistoryPage, StoreError> {
    let q = query(&req.filter, req, now).to_list();
    let page = store.list_page(&q)?;
    let total = if req.after.is_none() {
        let counted = store.total(&q)?;
        // Unnarrowed, the total comes from the status counts: exact as read, moving as
        // workflows finish.
        Some(match counted {
            store::Total::Exactly(n) if !q.narrowed() => Total::About(n as i64),
            store::Total::Exactly(n) => Total::Exactly(n as i64),
            store::Total::AtLeast(n) => Total::AtLeast(n as i64),
        })
    } else {
        None
    };
    Ok(HistoryPage {
        generation: req.generation,
        rows: page.rows.into_iter().map(|l| l.workflow).collect(),
        next: page.next,
        total,
        error: None,
    })
}
