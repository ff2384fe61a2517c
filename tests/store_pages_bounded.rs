//! Bounded work per page, checked by query plans (never by time), on both backends: every
//! statement that `list --after` and the history view run reads `build_workflows` only
//! through an index, in order, stopped by a `LIMIT` — no table scan, and no sort of a
//! whole range (except for a build-id prefix, whose matches are sorted: a range of the
//! build_id index, as narrow as the prefix).
//!
//! SQLite plans statements without their parameters (`EXPLAIN QUERY PLAN`); PostgreSQL's
//! generic plan (what it runs when it cannot see the values) is asked for with every
//! alternative to an index turned off, so a statement no index can serve in order still
//! shows a scan or a sort.

mod common;

use baton::model::Status;
use baton::model::time;
use baton::sim::backfill::{self, BackfillConfig};
use baton::store::{HistoryQuery, ListQuery, Store};
use common::backend::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;

/// Tables that stay small whatever history holds.
const SMALL: [&str; 2] = ["workflow_status_counts", "workflow_definitions"];

/// Runs every kind of page the list and the history view ask for, deep in the order,
/// and returns the statements they ran.
fn statements_of_pages(db: &TestDb) -> BTreeSet<String> {
    let mut store: Store = db.store();
    let cfg = BackfillConfig {
        workflows: 200,
        live: 30,
        seed: 6,
        ..BackfillConfig::default()
    };
    backfill::run(&mut store, &cfg, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let all = store
        .list(&ListQuery {
            limit: 10_000,
            ..ListQuery::default()
        })
        .unwrap();
    let w = &all[all.len() / 2];
    let since = time::parse(&all[all.len() - 20].updated_at).unwrap();
    let log = store.record_statements().unwrap();
    let middle = store
        .list_page(&ListQuery {
            limit: all.len() / 2,
            ..ListQuery::default()
        })
        .unwrap()
        .next
        .expect("a cursor in the middle");
    let base = ListQuery {
        limit: 10,
        after: Some(middle),
        ..ListQuery::default()
    };
    let q = |f: &dyn Fn(&mut ListQuery)| {
        let mut q = base.clone();
        f(&mut q);
        q
    };
    let queries = [
        base.clone(),
        q(&|q| q.finished = true),
        q(&|q| q.status = Some(Status::Completed)),
        q(&|q| {
            q.status = Some(Status::Failed);
            q.finished = true;
        }),
        q(&|q| q.project = Some(w.project_id.to_string())),
        q(&|q| {
            q.project = Some(w.project_id.to_string());
            q.finished = true;
            q.since = Some(since);
        }),
        q(&|q| q.phase = Some(w.current_state.to_string())),
        q(&|q| {
            q.phase = Some(w.current_state.to_string());
            q.finished = true;
        }),
        q(&|q| q.build_prefix = Some(w.build_id[..4].to_string())),
        q(&|q| q.since = Some(since)),
        q(&|q| {
            q.until = Some(since);
            q.finished = true;
        }),
    ];
    for q in &queries {
        store.list_page(q).unwrap();
        store.count_matching(q, 50).unwrap();
        let h = HistoryQuery {
            status: q.status,
            project: q.project.clone(),
            phase: q.phase.clone(),
            build_prefix: q.build_prefix.clone(),
            since: q.since,
            until: q.until,
            after: q.after.clone(),
            limit: 10,
        };
        store.history_page(&h).unwrap();
    }
    let statements: BTreeSet<String> = log.take().into_iter().collect();
    assert!(statements.len() >= 15, "{statements:#?}");
    statements
}

fn sqlite_plan(db: &TestDb, sql: &str) -> Vec<String> {
    let raw = rusqlite::Connection::open(&db.path).unwrap();
    let mut stmt = raw.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let mut rows = stmt.raw_query(); // parameters stay unbound: only the plan matters
    let mut plan = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        plan.push(r.get::<_, String>(3).unwrap());
    }
    plan
}

fn check_sqlite(db: &TestDb, sql: &str) {
    let plan = sqlite_plan(db, sql);
    let prefix = sql.contains("sqlite_autoindex_build_workflows_2");
    for line in &plan {
        if let Some(rest) = line
            .strip_prefix("SCAN ")
            .or_else(|| line.strip_prefix("SEARCH "))
        {
            let table = rest.split_whitespace().next().unwrap_or("");
            if SMALL.contains(&table) || !table.starts_with("build_workflows") {
                continue;
            }
            assert!(
                line.contains(" USING INDEX ") || line.contains(" USING COVERING INDEX "),
                "not through an index: {line}\n{sql}\n{plan:#?}"
            );
            assert!(sql.contains("LIMIT"), "no LIMIT:\n{sql}");
            // A whole index read in order is bounded by the LIMIT only when nothing filters.
            assert!(
                line.starts_with("SEARCH ") || sql.contains(" WHERE 1 "),
                "a whole index filtered: {line}\n{sql}"
            );
        }
        // Sorting what a tie or the merge of LIMITed branches holds is bounded; sorting a
        // whole range is not, unless the range is a build-id prefix.
        if line == "USE TEMP B-TREE FOR ORDER BY" {
            assert!(
                prefix || sql.contains("UNION ALL"),
                "a whole range sorted: {sql}\n{plan:#?}"
            );
        }
    }
}

/// Dummy values of each parameter's type: a generic plan does not look at them.
fn dummy(ty: &str) -> &'static str {
    match ty {
        "bigint" | "integer" => "10",
        "timestamp with time zone" => "now()",
        _ => "'x'",
    }
}

fn pg_plan(raw: &mut Raw, sql: &str) -> Value {
    raw.batch("DEALLOCATE ALL");
    raw.batch(&format!("PREPARE page AS {sql}"));
    let types: String = raw.value(
        "SELECT array_to_string(parameter_types::text[], ',') FROM pg_prepared_statements
         WHERE name = 'page'",
        &[],
    );
    let args: Vec<&str> = types
        .split(',')
        .filter(|t| !t.is_empty())
        .map(dummy)
        .collect();
    let execute = if args.is_empty() {
        "EXECUTE page".to_string()
    } else {
        format!("EXECUTE page({})", args.join(", "))
    };
    let text: String = raw.value(&format!("EXPLAIN (FORMAT JSON) {execute}"), &[]);
    serde_json::from_str(&text).unwrap()
}

/// Every scan of build_workflows is an index scan with a `Limit` above it, and no full
/// sort in between unless it is of a build-id prefix's range.
fn check_pg_node(node: &Value, above: &[String], sql: &str, plan: &Value) {
    let kind = node["Node Type"].as_str().unwrap_or("").to_string();
    if node["Relation Name"] == "build_workflows" {
        assert!(
            kind == "Index Scan" || kind == "Index Only Scan",
            "{kind} of build_workflows in\n{sql}\n{plan:#}"
        );
        // A filter read along a whole index (no range) is a table scan in disguise.
        assert!(
            node.get("Index Cond").is_some() || node.get("Filter").is_none(),
            "a whole index filtered in\n{sql}\n{plan:#}"
        );
        let limit = above
            .iter()
            .rposition(|k| k == "Limit")
            .unwrap_or_else(|| panic!("no Limit above the scan in\n{sql}\n{plan:#}"));
        let sorted = above[limit..].iter().any(|k| k == "Sort");
        assert!(
            !sorted || node["Index Name"] == "idx_workflows_build_prefix",
            "a whole range sorted in\n{sql}\n{plan:#}"
        );
    }
    let mut path = above.to_vec();
    path.push(kind);
    for child in node["Plans"].as_array().into_iter().flatten() {
        check_pg_node(child, &path, sql, plan);
    }
}

fn every_page_statement_reads_an_index_range_under_a_limit(b: Backend) {
    let db = TestDb::new(b);
    let statements = statements_of_pages(&db);
    let mut raw = db.raw();
    if b.is_pg() {
        raw.batch(
            "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off;
             SET enable_bitmapscan = off; SET enable_sort = off",
        );
    }
    let mut checked = 0;
    for sql in &statements {
        if !sql.contains("build_workflows") {
            continue;
        }
        checked += 1;
        if b.is_pg() {
            let plan = pg_plan(&mut raw, sql);
            check_pg_node(&plan[0]["Plan"], &[], sql, &plan);
        } else {
            check_sqlite(&db, sql);
        }
    }
    assert!(checked >= 12, "{checked} statements checked");
}

/// The check itself catches what it is for: a page ordered by a column no index serves
/// in that order, and a filter no index serves.
fn the_plan_check_fails_an_unbounded_statement(b: Backend) {
    let db = TestDb::new(b);
    let bad = [
        "SELECT id FROM build_workflows ORDER BY created_at DESC LIMIT 10",
        "SELECT id FROM build_workflows WHERE user_id = 'x' LIMIT 10",
        "SELECT id FROM build_workflows WHERE user_id = 'x' ORDER BY updated_at DESC LIMIT 10",
    ];
    let mut raw = db.raw();
    if b.is_pg() {
        raw.batch(
            "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off;
             SET enable_bitmapscan = off; SET enable_sort = off",
        );
    }
    for sql in bad {
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if b.is_pg() {
                let plan = pg_plan(&mut raw, sql);
                check_pg_node(&plan[0]["Plan"], &[], sql, &plan);
            } else {
                check_sqlite(&db, sql);
            }
        }))
        .is_err();
        assert!(failed, "the check let through {sql}");
    }
}

both!(
    every_page_statement_reads_an_index_range_under_a_limit,
    the_plan_check_fails_an_unbounded_statement,
);
