//! Help text: the exit codes and an example for every subcommand.

pub const MAIN: &str = "\
Examples:
  baton demo                                    a demo database, a live simulator, the dashboard
  baton --db ./baton.db                         the dashboard on your database
  baton --db postgres://ops@db.internal/builds  the dashboard on a PostgreSQL server
  baton migrate --db ./baton.db                 create the database, or bring it up to date
  baton start --project shop --build-id shop-42
  baton list --status running
  baton status shop-42
  baton status shop-42 --at 1207                as it was right after event #1207
  baton diff shop-42                            how its outputs changed since the previous attempt
  baton advance shop-42 --output '{\"tests\": \"green\"}'
  baton rollback shop-42 --to coding --reason \"flaky tests\"
  baton events --follow
  baton doctor

A workflow is named by its id, a unique prefix of its id, or its build id.
Every read command takes --json. The database is --db PATH|URL, or $BATON_DB, or
./baton.db: a SQLite file, or a postgres:// URL (libpq form: user, password, host, port,
dbname, sslmode, sslrootcert, application_name, options; PGPASSWORD is read too; a password
is never printed). Only `baton migrate`, `baton simulate` and `baton demo` create a SQLite
file or set up a server's schema; a PostgreSQL database itself is made with `createdb`.

Defaults come from $XDG_CONFIG_HOME/baton/config.toml (or ~/.config/baton/config.toml;
--config PATH or $BATON_CONFIG name another): db, poll_ms, push, notify, handoff_timeout,
phase_timeout, theme, [views]. A flag or environment variable wins over the file.

Exit codes:
  0  success
  1  error: database missing, unreadable, unreachable or refused; a failed doctor or schema check
  2  usage: bad flag or value, malformed JSON, ambiguous id prefix, bad config file
  3  not found: workflow, handoff, definition, or an event of the workflow (--at, --from, --to)
  4  conflict or illegal transition: stale --expect-version, wrong status, no retries left
  5, 6, 7  watch --exit-status: a watched workflow failed, was cancelled, got stuck
  8  a bulk action (--filter) acted on some of its matches but not all (4: none)
  130, 143  the dashboard, events --follow, watch, simulate or demo stopped by SIGINT or SIGTERM
            (129 SIGHUP, 131 SIGQUIT), after cleaning up";

pub const MIGRATE: &str = "\
Examples:
  baton migrate --db ./baton.db        create it if missing, apply pending migrations
  baton migrate --db postgres://postgres@127.0.0.1/builds   set up the schema on a server
  baton migrate --verify               check version, checksums, tables and indexes (changes nothing)";

pub const START: &str = "\
Examples:
  baton start --project shop
  baton start --project shop --build-id shop-42 --user alice --metadata '{\"branch\": \"main\"}'";

pub const ADVANCE: &str = "\
Examples:
  baton advance shop-42
  baton advance shop-42 --output '{\"summary\": \"done\"}' --expect-version 3
  baton advance 3f2a --output @result.json";

pub const RETRY: &str = "\
Examples:
  baton retry shop-42 --reason \"runner was down\"
  baton retry --filter \"stuck phase:testing\" --reason \"runner restarted\" --dry-run

With --filter EXPR instead of a workflow, it acts on every live workflow the dashboard's
filter matches (--reason required), each in its own transaction at the version read when
selected: one changed meanwhile is skipped as a conflict. --dry-run writes nothing and
prints what would happen. Exit 0 all acted on, 8 some, 4 none.";

pub const ROLLBACK: &str = "\
Examples:
  baton rollback shop-42 --reason \"spec changed\"            to the previous phase
  baton rollback shop-42 --to planning --reason \"redo plan\"  to a named earlier phase";

pub const FAIL: &str = "\
Examples:
  baton fail shop-42 --error \"tests time out on arm64\"";

pub const PAUSE: &str = "\
Examples:
  baton pause shop-42 --reason \"waiting for review capacity\"
  baton pause --filter \"phase:release\" --reason \"release freeze\"

With --filter EXPR instead of a workflow, it acts on every live workflow the dashboard's
filter matches (--reason required), each in its own transaction at the version read when
selected: one changed meanwhile is skipped as a conflict. --dry-run writes nothing and
prints what would happen. Exit 0 all acted on, 8 some, 4 none.";

pub const RESUME: &str = "\
Examples:
  baton resume shop-42";

pub const CANCEL: &str = "\
Examples:
  baton cancel shop-42 --reason \"superseded by shop-43\"
  baton cancel --filter \"project:shop status:failed\" --reason \"superseded\" --json

With --filter EXPR instead of a workflow, it acts on every live workflow the dashboard's
filter matches (--reason required), each in its own transaction at the version read when
selected: one changed meanwhile is skipped as a conflict. --dry-run writes nothing and
prints what would happen. Exit 0 all acted on, 8 some, 4 none.";

pub const ACK: &str = "\
Examples:
  baton ack shop-42                    acknowledge the pending handoff of a workflow
  baton ack 9c1e                       a handoff by id or unique id prefix (or a workflow's)
  baton ack --filter \"stuck role:test_auditor\" --reason \"picked up by hand\"

A workflow is named by its id, unique id prefix or build id; it must have exactly one
pending handoff (`baton status WORKFLOW` lists its handoffs and their ids).";

pub const HEARTBEAT: &str = "\
Examples:
  baton heartbeat shop-42              record a sign of life (no version bump, no event)";

pub const STATUS: &str = "\
Examples:
  baton status shop-42
  baton status 3f2a --json
  baton status shop-42 --at 1207        as it was right after event #1207 (a SEQ of
                                        `baton events --workflow shop-42`)
  baton status shop-42 --at 1207 --json

With --at, the workflow is rebuilt from its events, handoffs and checkpoints as it was
right after that event: phase, role, status, version, retries, outputs, last error, the
handoffs that existed then (acknowledged or not, then) and the events up to it. Where a
program other than baton left too little to tell a field, it is shown as unknown, with
why (in --json: null, and the reason under \"unknown\"). --events N lists the newest N
events up to then (\"events_total\" counts them all). An event that is not one of this
workflow's exits 3 (not found).";

pub const DIFF: &str = "\
Examples:
  baton diff shop-42                    previous attempt of the current phase vs now
  baton diff shop-42 --to 1207          the same, as of event #1207
  baton diff shop-42 --from 1190 --to 1207   right after #1190 vs right after #1207
  baton diff shop-42 --json | jq '.changes[] | select(.kind == \"changed\")'

Each difference is a JSON Pointer path into the phase outputs (/coding/tests/2) marked
+ added, - removed or ~ changed, with the old and new values.

By default the two sides are:
  to    the workflow now (right after its newest event), or right after --to SEQ;
  from  what the previous attempt of the same phase left. An attempt begins with the
        event that entered the phase (start, advance into it, retry, rollback to it) and
        ends with the next advance, retry, rollback or completion. If the previous attempt
        ended with an advance or completion, the state right after it (holding the output
        it handed on); after a retry or rollback, the state right before it (what it had
        when abandoned, before a rollback discarded anything).
--from SEQ makes the from side the state right after that event instead.

A phase entered only once has no previous attempt: baton says so and exits 0 (--json:
empty changes and a note). Exit 3 when --from or --to is not an event of this workflow;
exit 1 when its trail cannot tell the outputs at a side (written by another program
without checkpoints).";

pub const LIST: &str = "\
Examples:
  baton list
  baton list --status stuck                  stuck by the engine's rule, with why
  baton list --status failed --project shop --limit 20
  baton list --phase review --json
  baton list --finished --since 7d           the history of the last week
  baton list --build shop-4 --until 2026-01-31T00:00:00Z
  baton list --json --after CURSOR           the page after the row with that cursor

Most recently changed first. At most --limit rows (50 by default). When more match, a note
on stderr says how many and how to see them, with the --after for the next page; stdout
holds only the rows (with --json, one array of at most --limit, each row with its cursor).
Every filter runs in the database, and a page costs the same at any depth. All of history
as JSON lines:

  after=()
  while page=$(baton list --finished --limit 1000 --json \"${after[@]}\") && [ \"$page\" != \"[]\" ]; do
    jq -c '.[]' <<<\"$page\"
    after=(--after \"$(jq -r '.[-1].cursor' <<<\"$page\")\")
  done > history.jsonl";

pub const EVENTS: &str = "\
Examples:
  baton events                          the newest events
  baton events --workflow shop-42 --since 2h
  baton events --since 2026-01-31T09:00:00Z --limit 500
  baton events --after-seq 1200 --follow     from a cursor (the SEQ column), then live
  baton events --follow --json | jq .event_type
  baton events --type workflow_failed --actor operator   what operators failed
  baton events --before 1200 --limit 100     the 100 before #1200: paging back
  baton events --type phase_rolled_back --workflow shop-42 --json

--type and --actor search the trail a window at a time from the newest (or from --since or
--after-seq forward), so a rare type in a long trail takes a few reads, never one read of
all of it. BATON_ACTOR and the global --actor name who acts; on events, --actor filters.";

pub const PRUNE: &str = "\
Examples:
  baton prune --before 90d --dry-run          count what would go, by status
  baton prune --before 90d --archive old.jsonl.zst
  baton prune --before 2026-01-01 --status cancelled
  baton prune                                 the config file's retention = \"90d\" (for cron)

Removes finished workflows (completed, cancelled, failed with no retries left) last
changed before the given time, with their handoffs, checkpoints and events, in batches of
--batch workflows, each its own short transaction: orchestrators keep writing meanwhile.
Live workflows are never touched; each row is checked again as it is deleted. With
--archive each batch is written and synced before it is removed; a run that is killed
loses nothing, and running it again carries on (the archive's partial end is cut off).
SQLite files baton created give the space back as they shrink; on PostgreSQL autovacuum
reclaims it for reuse.";

pub const IMPORT: &str = "\
Examples:
  baton import old.jsonl.zst
  zstd -dc old.jsonl.zst | jq -c 'select(.workflow.project_id == \"atlas\")' > atlas.jsonl
  baton import atlas.jsonl

Each line of an archive is one workflow's whole trail: workflow, handoffs, checkpoints,
events. Workflows already in the database are skipped; events get new sequence numbers.";

pub const METRICS: &str = "\
Examples:
  baton metrics                    the last hour
  baton metrics --since 24h
  baton metrics --since 2026-01-31T09:00:00Z --json | jq '.rows[] | select(.waiting_ack > 0)'

Per phase and the role that owns it: IN FLIGHT (running or paused there now), WAITING ACK
(handoffs into it not yet acknowledged, and the oldest wait), ENTERED and LEFT in the
window, IN PHASE (median / p95 time of the attempts that left it in the window), ACK
(median / p95 from a handoff to its acknowledgement), RETRIES, ROLLBACKS (out of it),
FAILURES. Then completions over the window as a sparkline, and the bottleneck: the role
with the most work in flight. The cost follows the window, not the size of history.";

pub const WATCH: &str = "\
Examples:
  baton watch shop-42                       until it completes, fails or is cancelled
  baton watch shop-42 shop-43 --exit-status && deploy   deploy only if both completed
  baton watch shop-42 --exit-status --fail-on-stuck      give up as soon as it is stuck
  baton watch shop-42 --json | jq -c .       a JSON line each time it changes

A failed workflow counts as ended (an orchestrator may still retry it: watch again).
On a terminal the lines are redrawn in place; on a pipe a line is printed when it changes.

Exit codes with --exit-status (none collides with the others baton uses):
  0  every watched workflow completed
  5  one failed (or was deleted while watched)
  7  one got stuck (only with --fail-on-stuck)
  6  one was cancelled
  When several apply, the first in this list wins. Without --exit-status baton exits 0
  once all have ended. 130/143 when stopped by SIGINT/SIGTERM; 3 when an ID is unknown.";

pub const DOCTOR: &str = "\
Examples:
  baton doctor             errors fail (exit 1); skipped bookkeeping is a warning (exit 0)
  baton doctor --strict    warnings fail too
  baton doctor --quick     bounded at any size: for a health check or a pre-deploy gate
  baton doctor --since 1h  only what changed in the last hour
  baton doctor --json

The full check reads everything, the whole file's integrity included: minutes on a big
database, with each step shown as it starts (Ctrl-C stops it; it only reads). --quick
checks the schema, the live status counts, the most recently changed live workflows with
their handoffs, checkpoints and events, and the newest events, each through an index.";

pub const DEFINITION: &str = "\
Examples:
  baton definition list
  baton definition add my-flow.json     (shaped like assets/definitions/build.json)";

pub const TUI: &str = "\
Examples:
  baton --db ./baton.db                  the dashboard (same as `baton tui`)
  baton --read-only                      look, never change anything
  baton --handoff-timeout 60             the dashboard's flags work without `tui` too
  baton tui --no-mouse --poll-ms 250     let the terminal select text; poll less often

Each flag falls back to the config file (poll_ms, push, notify, handoff_timeout,
phase_timeout, theme, [views]), then to the built-in default. --notify rings the bell and
sends a desktop notification (OSC 9 and OSC 777) when a workflow newly becomes stuck or
fails, once per episode.

Keys: ? in the dashboard lists them all. a advance, r retry, b roll back, x cancel and
A acknowledge each ask for confirmation first.";

pub const DEMO: &str = "\
Examples:
  baton demo                             a temp database, a simulator, the dashboard
  baton demo --db ./demo.db --rate 20    keep the database; a busier simulator

The demo's build definition has short stuck limits (20 s for a handoff, 45 s without a
heartbeat), so stuck workflows show up within a minute.";

pub const SIMULATE: &str = "\
Examples:
  baton simulate --workflows 50 --rate 100 --duration 1m
  baton simulate --workflows 10 --fail-rate 0.2 --stuck-rate 0.2 --seed 7
  baton simulate --keep-alive --rate 5   until Ctrl-C, replacing finished workflows

Creates the database if it does not exist (and says so). Ctrl-C or SIGTERM stops it after
the operation in progress; the report is printed and baton exits 130 or 143.";

pub const COMPLETIONS: &str = "\
Examples:
  baton completions bash > ~/.local/share/bash-completion/completions/baton
  baton completions zsh > ~/.zfunc/_baton         (with fpath+=~/.zfunc in ~/.zshrc)
  baton completions fish > ~/.config/fish/completions/baton.fish";

pub const MAN: &str = "\
Examples:
  baton man | man -l -                  read it now
  baton man > ~/.local/share/man/man1/baton.1
  baton man list                        the page of one subcommand (baton-list(1))";
