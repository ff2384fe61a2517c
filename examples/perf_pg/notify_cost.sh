#!/usr/bin/env bash
# What the NOTIFY triggers of migrations/postgres/0004 cost writers (docs/PERFORMANCE.md,
# "Live updates"): pgbench inserting workflows, one per transaction, with the triggers and
# with them switched off (`baton.notify = off`), in two scratch databases taking turns ROUNDS times; optionally with a
# listener attached to the notifying database.
#   examples/perf_pg/notify_cost.sh [CLIENTS] [SECONDS] [ROUNDS]     (default 4 15 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${1:-4}; T=${2:-15}; R=${3:-3}
PG="-h ${PGHOST:-127.0.0.1} -p ${PGPORT:-5432} -U ${PGUSER:-postgres}"
BATON=${BATON:-${CARGO_TARGET_DIR:-target}/release/baton}
URL="postgres://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}"
for v in notify quiet; do
  dropdb $PG --if-exists --force "perf_notify_$v" >/dev/null
  createdb $PG "perf_notify_$v"
  "$BATON" --db "$URL/perf_notify_$v" migrate >/dev/null
done
psql $PG -q -v ON_ERROR_STOP=1 -d postgres -c \
  'ALTER DATABASE perf_notify_quiet SET baton.notify = off'
# A dashboard-like listener on the notifying database, so notifications are delivered.
psql $PG -d perf_notify_notify -Atc "LISTEN baton_changes; SELECT pg_sleep($(( (T + 2) * R * 2 )))" >/dev/null 2>&1 &
listener=$!
trap 'kill $listener 2>/dev/null || true' EXIT
echo "pgbench -n -M prepared -c $C -j 2 -T $T -f examples/perf_pg/insert_workflow.pgbench, $R rounds"
for r in $(seq 1 "$R"); do
  for v in quiet notify; do
    tps=$(pgbench $PG -n -M prepared -c "$C" -j 2 -T "$T" -f examples/perf_pg/insert_workflow.pgbench "perf_notify_$v" 2>/dev/null \
      | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
    echo "round $r  $v  tps $tps"
  done
done
for v in notify quiet; do dropdb $PG --force "perf_notify_$v"; done
