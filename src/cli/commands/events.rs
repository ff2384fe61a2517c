//! `baton events`: the audit trail, newest events or after a cursor, optionally followed
//! live. Following polls `PRAGMA data_version` (nearly free when nothing changed) and reads
//! only the events after the last one printed.

use crate::cli::context::Ctx;
use crate::cli::exit::CliResult;
use crate::cli::output::{self, clean};
use crate::model::Event;
use crate::store::{EventQuery, FeedCursor, Store};
use clap::Args;
use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only this workflow (id, unique id prefix, or build id)
    #[arg(long, value_name = "ID")]
    pub workflow: Option<String>,
    /// Only events after this sequence number (the first N of them)
    #[arg(long, value_name = "SEQ", value_parser = clap::value_parser!(i64).range(0..))]
    pub since: Option<i64>,
    /// At most this many events (the newest N without --since)
    #[arg(long, value_name = "N", default_value_t = 50,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// Keep printing new events as they are written (Ctrl-C stops)
    #[arg(long, short)]
    pub follow: bool,
    /// JSON: one array, or one object per line with --follow
    #[arg(long)]
    pub json: bool,
}

/// How often to look where nothing pushes changes.
const POLL: Duration = Duration::from_millis(200);
/// How often to look anyway, in case a wake-up was lost.
const SAFETY_CHECK: Duration = Duration::from_secs(5);
const BATCH: usize = 500;

/// `   SEQ  TIME  WORKFLOW  TYPE  BY  DATA`, one event per line, sanitised.
pub fn human_line(e: &Event) -> String {
    let wf: String = e.workflow_id.chars().take(8).collect();
    format!(
        "{:>6}  {}  {:<8}  {:<20}  {}  {}",
        e.seq,
        clean(&e.created_at),
        clean(&wf),
        clean(&e.event_type),
        clean(&e.triggered_by),
        clean(&output::json_cell(&e.event_data, 120))
    )
}

pub fn run(ctx: &Ctx, a: &EventsArgs) -> CliResult {
    let store = ctx.open()?;
    let workflow = a
        .workflow
        .as_deref()
        .map(|k| store.resolve(k))
        .transpose()?;
    let limit = usize::try_from(a.limit).unwrap_or(usize::MAX);
    // Taken before the first read, so nothing committed after it is missed.
    let mut seen_version = store.change_token()?;
    let start = if a.follow {
        Some(store.feed_start()?)
    } else {
        None
    };
    let first = match (a.since, &start) {
        // Following from a seq: the feed itself pages through what is already there.
        (Some(_), Some(_)) => Vec::new(),
        (Some(after_seq), None) => store.events(&EventQuery {
            workflow: workflow.clone(),
            after_seq,
            limit,
        })?,
        (None, _) => store.recent_events(workflow.as_deref(), limit)?,
    };
    let mut out = std::io::stdout().lock();
    let Some(start) = start else {
        if a.json {
            output::json(&mut out, &first)?;
        } else {
            for e in &first {
                writeln!(out, "{}", human_line(e))?;
            }
        }
        return Ok(());
    };
    let mut cursor = match a.since {
        Some(after_seq) => start.from_seq(after_seq),
        None => start,
    };
    print_follow(&mut out, &first, a.json)?;
    // An event that committed between taking the cursor and reading the newest events is
    // in both; it is printed once.
    let mut printed: HashSet<i64> = first.iter().map(|e| e.seq).collect();
    // Woken by the database's own push (file notifications, LISTEN), polling only where
    // nothing can push; the change token confirms before reading.
    let mut watch = store.watch(POLL);
    loop {
        let behind = drain(
            &store,
            &mut out,
            workflow.as_deref(),
            &mut cursor,
            &mut printed,
            a.json,
        )?;
        // Wait for a commit (or, when behind, read on at once).
        if behind {
            continue;
        }
        loop {
            watch.wait(SAFETY_CHECK)?;
            // A lock held past the busy timeout delays the trail; it does not end the follow.
            let v = match store.change_token() {
                Err(e) if e.is_busy() => continue,
                other => other?,
            };
            if v != seen_version {
                seen_version = v;
                break;
            }
        }
    }
}

/// Prints every event committed after `cursor` and moves it on; true when more may be
/// waiting (a full batch, or the database was busy).
fn drain(
    store: &Store,
    out: &mut impl Write,
    workflow: Option<&str>,
    cursor: &mut FeedCursor,
    printed: &mut HashSet<i64>,
    json: bool,
) -> CliResult<bool> {
    loop {
        let (batch, next) = match store.feed(cursor, workflow, BATCH) {
            // Busy: what is printed stays printed; the rest comes on a later poll.
            Err(e) if e.is_busy() => return Ok(true),
            other => other?,
        };
        *cursor = next;
        let full = batch.len() >= BATCH;
        let fresh: Vec<Event> = batch
            .into_iter()
            .filter(|e| !printed.remove(&e.seq))
            .collect();
        print_follow(out, &fresh, json)?;
        if !full {
            return Ok(false);
        }
    }
}

fn print_follow(out: &mut impl Write, events: &[Event], json: bool) -> std::io::Result<()> {
    for e in events {
        if json {
            output::json_line(out, e)?;
        } else {
            writeln!(out, "{}", human_line(e))?;
        }
    }
    out.flush()
}
