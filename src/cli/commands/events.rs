//! `baton events`: the audit trail, newest events or after a cursor, optionally followed
//! live. Following polls `PRAGMA data_version` (nearly free when nothing changed) and reads
//! only the events after the last one printed.

use super::changes::{Changes, Waited};
use super::since::{Since, parse_since};
use crate::cli::context::Ctx;
use crate::cli::exit::CliResult;
use crate::cli::output::{self, Table, clean};
use crate::cli::signals;
use crate::model::{Event, EventType, time};
use crate::store::{Direction, EventQuery, FeedCursor, Search, Store};
use clap::Args;
use std::collections::{HashMap, HashSet};
use std::io::Write;

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only this workflow (id, unique id prefix, or build id)
    #[arg(long, value_name = "ID")]
    pub workflow: Option<String>,
    /// Only events written since then: how long ago (30s, 10m, 2h, 7d) or an RFC 3339 time
    /// (the first N of them)
    #[arg(long, value_name = "WHEN", value_parser = parse_since, conflicts_with = "after_seq")]
    pub since: Option<Since>,
    /// Only events after this sequence number, the trail's cursor (the first N of them)
    #[arg(long, value_name = "SEQ", value_parser = clap::value_parser!(i64).range(0..))]
    pub after_seq: Option<i64>,
    /// Only events below this sequence number: the newest N of them, to page back through
    /// the trail (the SEQ of the oldest event shown gives the next page)
    #[arg(long, value_name = "SEQ", value_parser = clap::value_parser!(i64).range(1..),
          conflicts_with = "follow")]
    pub before: Option<i64>,
    /// Only events of this type (repeat it, or list them with commas): phase_advanced also
    /// finds the seeds' state_advanced, and any other stored type is matched as written
    #[arg(long = "type", value_name = "T", value_delimiter = ',')]
    pub types: Vec<String>,
    /// Only events triggered by an actor starting with this (`operator` finds every
    /// operator, `orchestrator:sim` one program)
    #[arg(long, value_name = "A")]
    pub actor: Option<String>,
    /// At most this many events (the newest N without --since or --after-seq)
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

const BATCH: usize = 500;

/// The text columns: `SEQ  TIME  BUILD  TYPE  BY  DATA`. Each event's workflow is shown by
/// its build id (read once per workflow), every cell sanitised.
struct Lines {
    builds: HashMap<String, String>,
    /// Widths seen so far, so a followed trail stays aligned as it grows.
    widths: [usize; 5],
}

const HEADERS: [&str; 6] = ["SEQ", "TIME", "BUILD", "TYPE", "BY", "DATA"];

impl Lines {
    fn new() -> Lines {
        Lines {
            builds: HashMap::new(),
            widths: [0; 5],
        }
    }

    /// Learns the build ids of `events`' workflows it does not know yet (one read).
    fn learn(&mut self, store: &Store, events: &[Event]) -> CliResult {
        let mut unknown: Vec<String> = events
            .iter()
            .filter(|e| !self.builds.contains_key(&e.workflow_id))
            .map(|e| e.workflow_id.clone())
            .collect();
        unknown.sort();
        unknown.dedup();
        if unknown.is_empty() {
            return Ok(());
        }
        for w in store.workflows_by_id(&unknown)? {
            self.builds.insert(w.id, w.build_id.into());
        }
        // A workflow deleted meanwhile keeps its id's first characters.
        for id in unknown {
            let short: String = id.chars().take(8).collect();
            self.builds.entry(id).or_insert(short);
        }
        Ok(())
    }

    fn cells(&self, e: &Event) -> [String; 6] {
        let build = self.builds.get(&e.workflow_id).map_or("-", String::as_str);
        [
            e.seq.to_string(),
            e.created_at.clone(),
            build.to_string(),
            e.event_type.clone(),
            e.triggered_by.clone(),
            output::json_cell(&e.event_data, 120),
        ]
    }

    /// A whole table, widths from its own content.
    fn table(&self, events: &[Event]) -> Table {
        let mut t = Table::new(&HEADERS);
        for e in events {
            t.row(self.cells(e));
        }
        t
    }

    /// One followed line, padded to the widest cell seen so far in each column.
    fn line(&mut self, e: &Event) -> String {
        let cells = self.cells(e).map(|c| clean(&c).into_owned());
        let mut line = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i < self.widths.len() {
                let w = c.chars().count();
                self.widths[i] = self.widths[i].max(w);
                let pad = self.widths[i] - w;
                // Numbers align right, text left.
                if i == 0 {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(c);
                } else {
                    line.push_str(c);
                    line.push_str(&" ".repeat(pad));
                }
                line.push_str("  ");
            } else {
                line.push_str(c);
            }
        }
        line.trim_end().to_string()
    }
}

pub fn run(ctx: &Ctx, a: &EventsArgs) -> CliResult {
    let store = ctx.open()?;
    let workflow = a
        .workflow
        .as_deref()
        .map(|k| store.resolve(k))
        .transpose()?;
    let limit = usize::try_from(a.limit).unwrap_or(usize::MAX);
    // Installed before the first read: from here on a signal stops the follow cleanly.
    let stop = if a.follow {
        Some(signals::install()?)
    } else {
        None
    };
    // Taken before the first read, so nothing committed after it is missed.
    let mut changes = Changes::start(ctx, &store)?;
    let start = if a.follow {
        Some(store.feed_start()?)
    } else {
        None
    };
    let since_at = a.since.map(|s| s.at(time::now()));
    let after_seq = match (since_at, a.after_seq) {
        (Some(at), _) => Some(store.seq_before(at)?),
        (None, seq) => seq,
    };
    // Events from before `--since` that the search let through (writers' clocks are not
    // ordered exactly like seq) are left out.
    let in_time =
        |e: &Event| since_at.is_none_or(|at| time::parse(&e.created_at).is_none_or(|t| t >= at));
    let filter = EventQuery {
        workflow: workflow.clone(),
        after_seq: after_seq.unwrap_or(0),
        before_seq: a.before,
        types: EventType::stored(&a.types),
        actor: a.actor.clone(),
        newest: false,
        limit,
    };
    let first = match (after_seq, &start) {
        // Following from a seq: the feed itself pages through what is already there.
        (Some(_), Some(_)) => Vec::new(),
        (Some(_), None) => search(&store, &filter, Direction::Forward, &in_time)?,
        (None, _) => search(&store, &filter, Direction::Back, &in_time)?,
    };
    let mut lines = Lines::new();
    if !a.json {
        lines.learn(&store, &first)?;
    }
    let mut out = std::io::stdout().lock();
    let (Some(start), Some(stop)) = (start, stop) else {
        if a.json {
            output::json(&mut out, &first)?;
        } else if !first.is_empty() {
            lines.table(&first).write(&mut out)?;
        }
        return Ok(());
    };
    let mut cursor = match after_seq {
        Some(after_seq) => start.from_seq(after_seq),
        None => start,
    };
    let mut follow = Follow {
        store: &store,
        filter: &filter,
        json: a.json,
        lines,
        in_time: &in_time,
    };
    follow.print(&mut out, &first)?;
    // An event that committed between taking the cursor and reading the newest events is
    // in both; it is printed once.
    let mut printed: HashSet<i64> = first.iter().map(|e| e.seq).collect();
    loop {
        let behind = follow.drain(&mut out, &mut cursor, &mut printed)?;
        // Wait for a commit (or, when behind, read on at once).
        if behind {
            if stop.requested() {
                return Ok(());
            }
            continue;
        }
        match changes.wait(&store, &stop, None)? {
            Waited::Changed | Waited::TimedOut => {}
            Waited::Stopped => return Ok(()),
        }
    }
}

/// The events `filter` selects, from the start of its range (forward) or its end (back),
/// read a window of the trail at a time so that no one read scans the whole of it.
fn search(
    store: &Store,
    filter: &EventQuery,
    direction: Direction,
    in_time: &dyn Fn(&Event) -> bool,
) -> CliResult<Vec<Event>> {
    let found = store.search_events(&Search::new(filter, direction), in_time)?;
    Ok(found.events)
}

/// What following prints with.
struct Follow<'a> {
    store: &'a Store,
    filter: &'a EventQuery,
    json: bool,
    lines: Lines,
    in_time: &'a dyn Fn(&Event) -> bool,
}

impl Follow<'_> {
    /// Prints every event committed after `cursor` and moves it on; true when more may be
    /// waiting (a full batch, or the database was busy).
    fn drain(
        &mut self,
        out: &mut impl Write,
        cursor: &mut FeedCursor,
        printed: &mut HashSet<i64>,
    ) -> CliResult<bool> {
        loop {
            let workflow = self.filter.workflow.as_deref();
            let (batch, next) = match self.store.feed(cursor, workflow, BATCH) {
                // Busy: what is printed stays printed; the rest comes on a later poll.
                Err(e) if e.is_busy() => return Ok(true),
                other => other?,
            };
            *cursor = next;
            let full = batch.len() >= BATCH;
            let fresh: Vec<Event> = batch
                .into_iter()
                .filter(|e| !printed.remove(&e.seq) && self.filter.keeps(e) && (self.in_time)(e))
                .collect();
            self.print(out, &fresh)?;
            if !full {
                return Ok(false);
            }
        }
    }

    fn print(&mut self, out: &mut impl Write, events: &[Event]) -> CliResult {
        if !self.json {
            self.lines.learn(self.store, events)?;
        }
        for e in events {
            if self.json {
                output::json_line(out, e)?;
            } else {
                writeln!(out, "{}", self.lines.line(e))?;
            }
        }
        out.flush()?;
        Ok(())
    }
}
