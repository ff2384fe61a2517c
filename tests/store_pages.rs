//! Keyset pages of the list order and of the history view, on both backends: pages neither
//! overlap nor skip while another connection inserts and finishes workflows between them
//! (ties on `updated_at` included); every filter, evaluated in the database, keeps exactly
//! the rows the same filter keeps in Rust; the history total is what Rust counts.

mod common;

use baton::engine::{self, Request};
use baton::model::time;
use baton::model::{Action, Status, Workflow};
use baton::sim::backfill::{self, BackfillConfig};
use baton::store::{Cursor, HistoryQuery, ListQuery, OpenMode, Store, Total};
use common::backend::*;
use common::store::{ACTOR, start};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;

fn fill(store: &mut Store, finished: usize, live: usize, seed: u64) {
    let cfg = BackfillConfig {
        workflows: finished,
        live,
        seed,
        batch: 61,
        ..BackfillConfig::default()
    };
    backfill::run(store, &cfg, &AtomicBool::new(false), &mut |_| {}).expect("backfill");
}

/// Every workflow, read whole and sorted in Rust into the list order.
fn everything(store: &Store) -> Vec<Workflow> {
    let mut all = store
        .list(&ListQuery {
            limit: 1_000_000,
            ..ListQuery::default()
        })
        .unwrap();
    let mut sorted = all.clone();
    sorted.sort_by(|a, b| {
        b.updated_at
            .cmp(&a.updated_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    assert_eq!(
        ids(&all),
        ids(&sorted),
        "the list order is updated_at DESC, id"
    );
    all.shrink_to_fit();
    all
}

fn ids(v: &[Workflow]) -> Vec<String> {
    v.iter().map(|w| w.id.clone()).collect()
}

/// Gives `n` workflows one shared `updated_at`, so page boundaries fall inside the tie.
fn make_ties(db: &TestDb, all: &[Workflow], n: usize) {
    let mut raw = db.raw();
    let at = "2024-06-01T12:00:00.000Z";
    for w in all.iter().skip(40).step_by(3).take(n) {
        raw.execute(
            "UPDATE build_workflows SET updated_at = $1 WHERE id = $2",
            &[&at, &w.id],
        );
    }
}

/// Pages through `q` `limit` rows at a time; `between` runs after every page.
fn page_all(store: &Store, q: &ListQuery, mut between: impl FnMut()) -> Vec<Workflow> {
    let mut seen = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let page = store
            .list_page(&ListQuery {
                after: after.clone(),
                ..q.clone()
            })
            .unwrap();
        assert!(page.rows.len() <= q.limit);
        seen.extend(page.rows.iter().map(|l| l.workflow.clone()));
        between();
        match page.next {
            Some(next) => {
                assert_eq!(Some(&next), page.rows.last().map(|l| &l.cursor));
                after = Some(next);
            }
            None => break,
        }
    }
    seen
}

/// What another connection does between two pages: two new workflows, one advanced, one
/// cancelled (each moves to the top of the order, before the cursor).
enum Step {
    Go,
    Stop,
}

fn writer(target: baton::store::Target, steps: mpsc::Receiver<Step>, done: mpsc::Sender<()>) {
    let (mut store, _) = Store::open(target, OpenMode::ReadWrite).unwrap();
    while let Ok(Step::Go) = steps.recv() {
        start(&mut store, "zeta");
        start(&mut store, "zeta");
        let live: Vec<Workflow> = store
            .live()
            .unwrap()
            .into_iter()
            .filter(|w| w.status == Status::Running)
            .collect();
        if let [a, b, ..] = live.as_slice() {
            let req =
                Request::new(Action::Advance { output: None }, ACTOR).expect_version(a.version);
            engine::act_on_id(&mut store, &a.id, &req).unwrap();
            let req = Request::new(Action::Cancel, ACTOR)
                .reason("superseded")
                .expect_version(b.version);
            engine::act_on_id(&mut store, &b.id, &req).unwrap();
        }
        done.send(()).unwrap();
    }
}

fn pages_neither_overlap_nor_skip_while_a_writer_works(b: Backend) {
    let db = TestDb::new(b);
    fill(&mut db.store(), 150, 40, 8);
    make_ties(&db, &everything(&db.store()), 12);
    let store = db.store();
    let before = everything(&store);
    let (steps, step_rx) = mpsc::channel();
    let (done_tx, done) = mpsc::channel();
    let target = db.target();
    let thread = std::thread::spawn(move || writer(target, step_rx, done_tx));
    let mut pages = 0;
    for q in [
        ListQuery {
            limit: 7,
            ..ListQuery::default()
        },
        HistoryQuery {
            limit: 5,
            ..HistoryQuery::default()
        }
        .to_list(),
    ] {
        let seen = page_all(&store, &q, || {
            steps.send(Step::Go).unwrap();
            done.recv().unwrap();
            pages += 1;
        });
        let after = everything(&store);
        let now: HashMap<&str, (&str, i64)> = after
            .iter()
            .map(|w| (w.id.as_str(), (w.updated_at.as_str(), w.version)))
            .collect();
        // No row twice, whatever changed.
        let mut once = HashSet::new();
        for w in &seen {
            assert!(once.insert(&w.id), "{} seen twice", w.build_id);
        }
        // Each row that was there before paging began, matches, and did not change since,
        // seen exactly once.
        let keep = |w: &Workflow| {
            !q.finished
                || matches!(w.status, Status::Completed | Status::Cancelled)
                || (w.status == Status::Failed && w.retry_count >= w.max_retries)
        };
        let unchanged: Vec<&Workflow> = before
            .iter()
            .filter(|w| now.get(w.id.as_str()) == Some(&(w.updated_at.as_str(), w.version)))
            .filter(|w| keep(w))
            .collect();
        assert!(unchanged.len() > 100, "{}", unchanged.len());
        for w in unchanged {
            assert!(once.contains(&w.id), "{} skipped", w.build_id);
        }
        // And in the order, newest first.
        let keys: Vec<(&str, &str)> = seen
            .iter()
            .map(|w| (w.updated_at.as_str(), w.id.as_str()))
            .collect();
        for pair in keys.windows(2) {
            let ((a_at, a_id), (b_at, b_id)) = (pair[0], pair[1]);
            assert!(a_at > b_at || (a_at == b_at && a_id < b_id), "{pair:?}");
        }
    }
    steps.send(Step::Stop).unwrap();
    thread.join().unwrap();
    assert!(pages > 40, "{pages} pages, each followed by writes");
}

/// Rust's reading of a list filter.
fn keeps(q: &ListQuery, w: &Workflow) -> bool {
    let at = time::parse(&w.updated_at).expect("backfilled times parse");
    let finished = matches!(w.status, Status::Completed | Status::Cancelled)
        || (w.status == Status::Failed && w.retry_count >= w.max_retries);
    q.status.is_none_or(|s| w.status == s)
        && q.project.as_ref().is_none_or(|p| w.project_id == p)
        && q.phase.as_ref().is_none_or(|p| w.current_state == p)
        && q.build_prefix
            .as_ref()
            .is_none_or(|p| w.build_id.starts_with(p.as_str()))
        && q.since.is_none_or(|t| at >= t)
        && q.until.is_none_or(|t| at < t)
        && (!q.finished || finished)
}

fn filters_keep_what_rust_keeps(b: Backend) {
    let db = TestDb::new(b);
    fill(&mut db.store(), 260, 50, 4);
    let mut raw = db.raw();
    // Build ids with what LIKE would take as patterns, and beyond ASCII; failed workflows
    // with their retries used up (finished) and not (live).
    for (build, status, retries) in [
        ("x%_1", "failed", 3),
        ("x%_2", "completed", 0),
        ("xa_1", "failed", 1),
        ("x%", "cancelled", 0),
        ("ünï-1", "failed", 5),
        ("ünï-2", "running", 0),
    ] {
        raw.execute(
            "INSERT INTO build_workflows (build_id, project_id, current_state, \"current_role\",
               status, retry_count, max_retries, updated_at)
             VALUES ($1, 'odd', 'coding', 'code_writer', $2, $3, 3, $4)",
            &[&build, &status, &retries, &"2025-01-02T03:04:05.678Z"],
        );
    }
    let store = db.store();
    let all = everything(&store);
    let failed_done = all
        .iter()
        .filter(|w| w.status == Status::Failed && w.retry_count >= w.max_retries)
        .count();
    assert!(failed_done >= 2, "{failed_done}");
    let project = all[all.len() / 2].project_id.clone();
    let phase = all[all.len() / 3].current_state.clone();
    let build = all[all.len() / 4].build_id.clone();
    let mid = time::parse(&all[all.len() / 2].updated_at).unwrap();
    let late = time::parse(&all[all.len() / 5].updated_at).unwrap();
    let q = |f: &dyn Fn(&mut ListQuery)| {
        let mut q = ListQuery {
            limit: 9,
            ..ListQuery::default()
        };
        f(&mut q);
        q
    };
    let queries = [
        q(&|_| {}),
        q(&|q| q.finished = true),
        q(&|q| q.status = Some(Status::Failed)),
        q(&|q| {
            q.status = Some(Status::Failed);
            q.finished = true;
        }),
        q(&|q| {
            q.status = Some(Status::Running);
            q.finished = true;
        }),
        q(&|q| q.status = Some(Status::Completed)),
        q(&|q| q.project = Some(project.to_string())),
        q(&|q| {
            q.project = Some(project.to_string());
            q.finished = true;
        }),
        q(&|q| q.phase = Some(phase.to_string())),
        q(&|q| {
            q.phase = Some(phase.to_string());
            q.status = Some(Status::Cancelled);
            q.finished = true;
        }),
        q(&|q| q.build_prefix = Some("x%".into())),
        q(&|q| q.build_prefix = Some("x%_".into())),
        q(&|q| q.build_prefix = Some("x".into())),
        q(&|q| q.build_prefix = Some("ünï".into())),
        q(&|q| q.build_prefix = Some(build.to_string())),
        q(&|q| q.build_prefix = Some(build[..build.len() - 3].to_string())),
        q(&|q| {
            q.build_prefix = Some(build[..3].to_string());
            q.finished = true;
            q.since = Some(mid);
        }),
        q(&|q| q.since = Some(mid)),
        q(&|q| q.until = Some(mid)),
        q(&|q| {
            q.since = Some(mid);
            q.until = Some(late);
        }),
        q(&|q| {
            q.since = Some(mid);
            q.finished = true;
        }),
        q(&|q| {
            q.project = Some(project.to_string());
            q.phase = Some(phase.to_string());
            q.until = Some(late);
        }),
    ];
    for q in &queries {
        let want: Vec<String> = all
            .iter()
            .filter(|w| keeps(q, w))
            .map(|w| w.id.clone())
            .collect();
        let got = ids(&page_all(&store, q, || {}));
        assert_eq!(got, want, "{q:?}");
        assert_eq!(
            store.count_matching(q, 100_000).unwrap(),
            Total::Exactly(want.len() as u64),
            "{q:?}"
        );
        if q.finished {
            let h = HistoryQuery {
                status: q.status,
                project: q.project.clone(),
                phase: q.phase.clone(),
                build_prefix: q.build_prefix.clone(),
                since: q.since,
                until: q.until,
                after: None,
                limit: 4,
            };
            let page = store.history_page(&h).unwrap();
            assert_eq!(page.total, Total::Exactly(want.len() as u64), "{q:?}");
            assert_eq!(ids(&page.workflows()), want[..want.len().min(4)], "{q:?}");
        }
    }
    // Counting stops at the cap.
    assert_eq!(
        store.count_matching(&queries[0], 10).unwrap(),
        Total::AtLeast(10)
    );
    // The unfiltered history total: completed and cancelled from the status counts, the
    // failed ones with no retries left counted.
    let finished = all.iter().filter(|w| keeps(&queries[1], w)).count();
    let page = store
        .history_page(&HistoryQuery {
            limit: 3,
            ..HistoryQuery::default()
        })
        .unwrap();
    assert_eq!(page.total, Total::Exactly(finished as u64));
    assert_eq!(page.rows.len(), 3);
    assert!(page.next.is_some());
}

/// A prefix matching more than `BROAD_PREFIX` builds is read through the next filter's
/// index (on SQLite, which names its index: counted first) and still keeps exactly the
/// rows Rust keeps; a narrow one is a range of the build-id index.
fn a_broad_build_prefix_keeps_what_rust_keeps(b: Backend) {
    let db = TestDb::new(b);
    fill(&mut db.store(), 30, 5, 2);
    let n = baton::store::BROAD_PREFIX + 40;
    let mut raw = db.raw();
    raw.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO build_workflows (build_id, project_id, current_state, \"current_role\",
           status, updated_at)
         SELECT 'bulk-' || CAST(i AS text), 'bulk', 'release', 'release_manager',
           CASE WHEN i % 7 = 0 THEN 'cancelled' ELSE 'completed' END, $2
         FROM n",
        &[&(n as i64), &"2025-03-04T05:06:07.890Z"],
    );
    let mut store = db.store();
    let all = everything(&store);
    assert_eq!(all.len(), n + 35);
    let log = store.record_statements().unwrap();
    for (prefix, finished) in [
        ("bulk-", false),
        ("bulk-", true),
        ("bulk-99", true),
        ("b", false),
    ] {
        let q = ListQuery {
            build_prefix: Some(prefix.into()),
            finished,
            limit: 500,
            ..ListQuery::default()
        };
        let want: Vec<String> = all
            .iter()
            .filter(|w| keeps(&q, w))
            .map(|w| w.id.clone())
            .collect();
        assert_eq!(ids(&page_all(&store, &q, || {})), want, "{q:?}");
    }
    if !b.is_pg() {
        let pages: Vec<String> = log
            .take()
            .into_iter()
            .filter(|s| s.contains("ORDER BY updated_at DESC"))
            .collect();
        assert!(
            pages
                .iter()
                .any(|s| !s.contains("sqlite_autoindex_build_workflows_2")),
            "a broad prefix drives by another index"
        );
        assert!(
            pages
                .iter()
                .any(|s| s.contains("sqlite_autoindex_build_workflows_2")),
            "a narrow prefix is a range of the build-id index"
        );
    }
}

both!(
    pages_neither_overlap_nor_skip_while_a_writer_works,
    filters_keep_what_rust_keeps,
    a_broad_build_prefix_keeps_what_rust_keeps,
);
