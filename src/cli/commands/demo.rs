//! `baton demo`: a fresh database, a live simulator writing to it, and the dashboard — the
//! first thing a new user runs.

use super::dashboard::{self, DashboardArgs};
use crate::cli::context::Ctx;
use crate::cli::exit::{CliError, CliResult};
use crate::model::Definition;
use crate::sim::{self, SimConfig};
use crate::store::{OpenMode, Store, Target};
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Workflows kept in flight by the simulator
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub workflows: usize,
    /// Simulator operations per second
    #[arg(long, value_name = "OPS_PER_SEC", default_value_t = 8.0)]
    pub rate: f64,
    /// Seed for a reproducible demo
    #[arg(long, value_name = "X")]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
}

/// The demo's copy of the build definition has short limits, so stuck workflows show up
/// within a minute instead of after the real limits (minutes to an hour).
const DEMO_HANDOFF_SECS: i64 = 20;
const DEMO_PHASE_SECS: i64 = 45;

pub fn run(ctx: &Ctx, a: &DemoArgs) -> CliResult {
    if ctx.read_only {
        return Err(CliError::usage(
            "the demo writes to its database; drop --read-only",
        ));
    }
    let path = if ctx.db_given {
        ctx.db.clone()
    } else {
        Target::Sqlite(fresh_path()?)
    };
    let (mut store, opened) = Store::open(&path, OpenMode::Create)?;
    if opened.created {
        let mut def = Definition::builtin();
        for p in &mut def.phases {
            p.handoff_timeout_secs = Some(DEMO_HANDOFF_SECS);
            p.stuck_after_secs = Some(DEMO_PHASE_SECS);
        }
        store.add_definition(&def)?;
    }
    let cfg = SimConfig {
        workflows: a.workflows,
        rate: a.rate,
        fail_rate: 0.08,
        stuck_rate: 0.08,
        keep_alive: true,
        seed: a.seed.unwrap_or_else(|| SimConfig::default().seed),
        ..SimConfig::default()
    };
    let stop = Arc::new(AtomicBool::new(false));
    let sim_stop = Arc::clone(&stop);
    let sim_path = path.clone();
    let simulator = std::thread::Builder::new()
        .name("baton-demo-sim".into())
        .spawn(move || -> Result<(), String> {
            let (mut store, _) =
                Store::open(&sim_path, OpenMode::ReadWrite).map_err(|e| e.to_string())?;
            sim::run(&mut store, &cfg, &sim_stop, &mut |_| {})
                .map(drop)
                .map_err(|e| e.to_string())
        })
        .map_err(|e| CliError::error(format!("cannot start the simulator: {e}")))?;

    let demo_ctx = Ctx {
        db: path.clone(),
        ..ctx.clone()
    };
    let shown = dashboard::open(&demo_ctx, store, &a.dashboard);
    stop.store(true, Ordering::Relaxed);
    let simulated = simulator
        .join()
        .unwrap_or_else(|_| Err("the simulator panicked".into()));
    shown?;
    if let Err(e) = simulated {
        return Err(CliError::error(format!(
            "the demo's simulator stopped: {e}"
        )));
    }
    let baton = shell_word(&invocation());
    eprintln!(
        "the demo database is kept at {p}; try `{baton} --db {p} list` or `{baton} --db {p} doctor`",
        p = shell_word(&path.to_string())
    );
    Ok(())
}

/// How to run this same baton from a fresh shell: `baton` when that name on `PATH` is this
/// executable, else its full path (e.g. `/src/baton/target/release/baton` after
/// `cargo run`), so the hint works as printed.
fn invocation() -> String {
    let Ok(me) = std::env::current_exe().and_then(|p| p.canonicalize()) else {
        return "baton".into();
    };
    let on_path = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("baton"))
            .find(|p| p.is_file())
            .and_then(|p| p.canonicalize().ok())
            .is_some_and(|p| p == me)
    });
    if on_path {
        "baton".into()
    } else {
        me.display().to_string()
    }
}

fn fresh_path() -> CliResult<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let dir = std::env::temp_dir().join(format!("baton-demo-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::error(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir.join("demo.db"))
}

/// Quotes a path or URL for a shell when it holds anything but plain characters.
fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-:@=+,%".contains(c);
    if s.chars().all(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
