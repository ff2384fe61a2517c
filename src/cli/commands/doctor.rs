//! `baton doctor`: schema, integrity, counts, failed and stuck workflows, and invariants;
//! all of it (showing each step as it goes), `--quick` (bounded at any size), or what
//! changed `--since` a moment.
//! Exits 1 naming each failed check. Contract violations fail; bookkeeping a foreign writer
//! skipped (no version bump, no checkpoint) is reported as a warning and fails only with
//! `--strict`. Stuck and failed workflows are reported, not failures of the database.

use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult};
use crate::cli::output::{self, Table, clean, or_dash};
use crate::model::Status;
use crate::model::since::{Since, parse_since};
use crate::model::time;
use crate::store::{ListQuery, Scope, Severity};
use clap::Args;
use serde_json::{Map, Value, json};
use std::io::Write;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print one JSON document
    #[arg(long)]
    pub json: bool,
    /// Fail on warnings too (bookkeeping that other writers skipped)
    #[arg(long)]
    pub strict: bool,
    /// Bounded at any size: the schema, the live status counts, the most recently changed
    /// live workflows with their trails, the newest events (no whole-file integrity check)
    #[arg(long, conflicts_with = "since")]
    pub quick: bool,
    /// Only what changed since then (1h, 7d, or an RFC 3339 time): workflows changed
    /// since, with their trails, and the events written since
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub since: Option<Since>,
}

pub fn run(ctx: &Ctx, a: &DoctorArgs) -> CliResult {
    let store = ctx.open()?;
    let scope = match (a.quick, a.since) {
        (true, _) => Scope::Quick,
        (false, Some(since)) => {
            let at = since.at(time::now());
            Scope::Since {
                at,
                seq: store.seq_before(at)?,
            }
        }
        (false, None) => Scope::Full,
    };
    let spinner = crate::cli::progress::spinner("checking…");
    let report = store.doctor(&scope, &|step| spinner.set_message(step.to_string()));
    spinner.finish_and_clear();
    let report = report?;
    let verification = store.verify_schema()?;
    let statuses = store.status_counts()?;
    let failed = store.list(&ListQuery {
        status: Some(Status::Failed),
        limit: 100,
        ..ListQuery::default()
    })?;
    // Judging what is stuck reads the whole live set: the full check only (`list
    // --status stuck` does it on its own).
    let stuck = if scope.is_full() {
        super::stuck::stuck_workflows(&store, ctx.policy, time::now())?
    } else {
        Vec::new()
    };

    // A scoped check reads no whole file, so it has no integrity verdict to fail on.
    let integrity_ok = report.integrity == ["ok"] || !scope.is_full();
    let mut failed_checks: Vec<String> = Vec::new();
    if !verification.ok() {
        failed_checks.push("schema objects present".into());
    }
    if !integrity_ok {
        failed_checks.push("integrity_check".into());
    }
    let mut warned_checks: Vec<String> = Vec::new();
    for p in &report.problems {
        let fails = p.severity == Severity::Error || a.strict;
        let list = if fails {
            &mut failed_checks
        } else {
            &mut warned_checks
        };
        if !list.iter().any(|c| c == p.check) {
            list.push(p.check.to_string());
        }
    }

    let mut out = std::io::stdout().lock();
    if a.json {
        let counts: Map<String, Value> = report
            .counts
            .iter()
            .map(|(t, n)| (t.clone(), json!(n)))
            .collect();
        let by_status: Map<String, Value> = statuses
            .iter()
            .map(|(s, n)| (s.as_str().to_string(), json!(n)))
            .collect();
        let stuck_json: Vec<Value> = stuck
            .iter()
            .map(|(w, s)| {
                json!({ "id": w.id, "build_id": w.build_id, "phase": w.current_state,
                                  "role": w.current_role, "stuck": s, "description": s.describe() })
            })
            .collect();
        output::json(
            &mut out,
            &json!({
                "ok": failed_checks.is_empty(), "failed_checks": failed_checks,
                "checked": scope.describe(), "quick": !scope.is_full(),
                "warned_checks": warned_checks,
                "schema_version": report.schema_version, "schema": verification,
                "integrity": report.integrity, "counts": counts, "statuses": by_status,
                "failed": failed.iter().map(super::list::summary_json).collect::<Vec<_>>(),
                "stuck": stuck_json, "problems": report.problems,
            }),
        )?;
    } else {
        let status_line: Vec<String> = statuses.iter().map(|(s, n)| format!("{s} {n}")).collect();
        let counts: Vec<String> = report
            .counts
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        output::fields(
            &mut out,
            &[
                ("database", ctx.db.to_string()),
                (
                    "schema",
                    format!(
                        "version {} (this baton knows {}); {}",
                        report.schema_version,
                        verification.latest,
                        if verification.ok() {
                            "all objects present".into()
                        } else {
                            format!(
                                "missing: {}",
                                [
                                    verification.missing.clone(),
                                    verification.unexpected_columns.clone()
                                ]
                                .concat()
                                .join(", ")
                            )
                        }
                    ),
                ),
                ("checked", scope.describe()),
                (
                    "integrity",
                    if scope.is_full() {
                        report.integrity.join("; ")
                    } else {
                        "not checked (the full doctor reads the whole file)".into()
                    },
                ),
                (
                    "rows",
                    if scope.is_full() {
                        counts.join(", ")
                    } else {
                        "not counted".into()
                    },
                ),
                (
                    "workflows",
                    if status_line.is_empty() {
                        "none".into()
                    } else {
                        status_line.join(", ")
                    },
                ),
            ],
        )?;
        writeln!(out, "\nFailed workflows ({})", failed.len())?;
        if !failed.is_empty() {
            let mut t = Table::new(&["  ID", "BUILD", "PHASE", "ERROR"]);
            for w in &failed {
                t.row([
                    format!("  {}", w.short_id()),
                    w.build_id.as_str().into(),
                    w.current_state.as_str().into(),
                    output::truncate(&or_dash(w.last_error.as_deref()), 80),
                ]);
            }
            t.write(&mut out)?;
        }
        if scope.is_full() {
            writeln!(out, "\nStuck workflows ({})", stuck.len())?;
        } else {
            writeln!(
                out,
                "\nStuck workflows: not judged here (it reads every live workflow); `baton list --status stuck` lists them"
            )?;
        }
        if !stuck.is_empty() {
            let mut t = Table::new(&["  ID", "BUILD", "PHASE", "ROLE", "WHY"]);
            for (w, s) in &stuck {
                t.row([
                    format!("  {}", w.short_id()),
                    w.build_id.as_str().into(),
                    w.current_state.as_str().into(),
                    w.current_role.as_str().into(),
                    s.describe(),
                ]);
            }
            t.write(&mut out)?;
        }
        writeln!(out, "\nInvariants")?;
        if report.problems.is_empty() {
            writeln!(out, "  all hold")?;
        }
        for p in &report.problems {
            let label = match p.severity {
                Severity::Error => "FAIL",
                Severity::Warning if a.strict => "FAIL",
                Severity::Warning => "WARN",
            };
            writeln!(out, "  {label} {}: {}", p.check, clean(&p.detail))?;
        }
        writeln!(
            out,
            "\n{}",
            if failed_checks.is_empty() && warned_checks.is_empty() {
                "ok".to_string()
            } else if failed_checks.is_empty() {
                format!(
                    "ok, with warnings: {} (bookkeeping other writers skip; --strict fails on it)",
                    warned_checks.join(", ")
                )
            } else {
                format!("FAILED: {}", failed_checks.join(", "))
            }
        )?;
    }
    out.flush()?;
    if failed_checks.is_empty() {
        Ok(())
    } else {
        Err(CliError::error(format!(
            "doctor found problems in {} check(s): {}; the details are above",
            failed_checks.len(),
            failed_checks.join(", ")
        )))
    }
}
