//! Reads a page of the history view for the worker: one keyset page of finished
//! workflows under the view's filter, and with the first page how many match.

use crate::model::time::Timestamp;
use crate::store::{Store, StoreError};
use crate::tui::history_filter::HistoryFilter;
use crate::tui::msg::{HistoryPage, HistoryRequest, Total};

pub fn read(
    store: &Store,
    req: &HistoryRequest,
    _now: Timestamp,
) -> Result<HistoryPage, StoreError> {
    if req.filter != HistoryFilter::default() {
        return Ok(HistoryPage {
            generation: req.generation,
            rows: Vec::new(),
            next: None,
            total: None,
            error: Some("this build cannot filter history yet".into()),
        });
    }
    let after = req
        .after
        .as_ref()
        .map(|(at, id)| (at.as_str(), id.as_str()));
    let rows = store.finished_page(after, req.limit)?;
    let next = (rows.len() >= req.limit)
        .then(|| rows.last().map(|w| (w.updated_at.clone(), w.id.clone())))
        .flatten();
    let total = if req.after.is_none() {
        let n: i64 = store
            .status_counts()?
            .iter()
            .filter(|(s, _)| s.is_terminal())
            .map(|(_, n)| n)
            .sum();
        Some(Total::About(n))
    } else {
        None
    };
    Ok(HistoryPage {
        generation: req.generation,
        rows,
        next,
        total,
        error: None,
    })
}
