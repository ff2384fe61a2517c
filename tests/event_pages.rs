//! Paging the event log back reads a bounded amount of the trail per page: the worker's
//! search stops after `MAX_READS` windows of `seq` however sparse the matches, says where it
//! stopped, and going on from there, page by page, finds what the filter asks for.

mod common;

use baton::engine;
use baton::model::NewWorkflow;
use baton::store::WINDOW;
use baton::tui::app::Want;
use baton::tui::event_pages::{self, MAX_READS};
use common::backend::*;
use serde_json::json;

const FAR: i64 = 1_000_000;

/// One workflow started (its event near seq 1), then an outside writer's event at `FAR`.
fn sparse(db: &TestDb) -> baton::store::Store {
    let mut store = db.store();
    let new = NewWorkflow {
        build_id: Some("far-1".into()),
        project_id: "p".into(),
        user_id: None,
        definition: "build".into(),
        metadata: json!({}),
    };
    let w = engine::start(&mut store, &new, "operator:t", None)
        .expect("start")
        .workflow;
    db.raw().execute(
        "INSERT INTO workflow_events (seq, workflow_id, event_type, triggered_by) VALUES ($1, $2, 'note', 'system')",
        &[&FAR, &w.id],
    );
    store
}

fn older(before: Option<i64>, filter: &str) -> Want {
    Want::Older {
        before,
        filter: filter.into(),
        workflow: None,
    }
}

fn a_page_back_reads_at_most_its_windows_and_goes_on_from_where_it_stopped(b: Backend) {
    let db = TestDb::new(b);
    let store = sparse(&db);
    let p = event_pages::read(&store, older(None, "type:workflow_started"));
    assert!(p.problem.is_none(), "{:?}", p.problem);
    assert!(
        p.events.is_empty() && !p.done,
        "stopped before the start: {p:?}"
    );
    let read = FAR + 1 - p.reached;
    let most = MAX_READS as i64 * (WINDOW + 1);
    assert!(read <= most, "searched {read} seqs, at most {most}");
    assert!(
        read > (MAX_READS as i64 - 1) * WINDOW,
        "it used its reads: {read}"
    );

    // As the log does: each page from where the last stopped, until the start is found.
    let mut before = p.reached;
    let mut pages = 1;
    let found = loop {
        let p = event_pages::read(&store, older(Some(before), "type:workflow_started"));
        pages += 1;
        if !p.events.is_empty() || p.done {
            break p;
        }
        assert!(p.reached < before, "each page moves on");
        before = p.reached;
    };
    assert_eq!(found.events.len(), 1);
    assert_eq!(found.events[0].event_type, "workflow_started");
    let bound = (FAR / (MAX_READS as i64 * WINDOW)) as usize + 2;
    assert!(pages <= bound, "{pages} pages, at most {bound}");
}

fn a_workflow_named_by_build_id_is_read_through_its_index_in_one_page(b: Backend) {
    let db = TestDb::new(b);
    let store = sparse(&db);
    let p = event_pages::read(&store, older(None, "workflow:far-1 discovery"));
    assert!(p.problem.is_none(), "{:?}", p.problem);
    let types: Vec<&str> = p.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, vec!["workflow_started"], "the text matched its data");
    assert!(p.done, "its own index: no window to walk");
    let p = event_pages::read(&store, older(None, "workflow:nope-9"));
    let why = p.problem.expect("an unknown workflow is named");
    assert!(why.contains("no workflow `nope-9`"), "{why}");
    assert!(p.events.is_empty());
}

fn reading_the_newest_again_returns_the_live_end(b: Backend) {
    let db = TestDb::new(b);
    let store = sparse(&db);
    let p = event_pages::read(&store, Want::Newest);
    assert!(p.problem.is_none());
    assert_eq!(p.events.last().map(|e| e.seq), Some(FAR));
}

both!(
    a_page_back_reads_at_most_its_windows_and_goes_on_from_where_it_stopped,
    a_workflow_named_by_build_id_is_read_through_its_index_in_one_page,
    reading_the_newest_again_returns_the_live_end,
);
