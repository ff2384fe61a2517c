#!/usr/bin/env bash
# Status counts under concurrent writers (docs/PERFORMANCE.md, PostgreSQL): pgbench inserting
# workflows with the sharded trigger of migrations/postgres/0002 (16 shards by
# pg_backend_pid() % 16), the same trigger edited to one row per status (shard always 0),
# and no trigger, in three scratch databases, taking turns ROUNDS times.
#   examples/perf_pg/counts.sh [CLIENTS] [SECONDS] [ROUNDS]     (default 8 20 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${1:-8}; T=${2:-20}; R=${3:-2}
PG="-h ${PGHOST:-127.0.0.1} -p ${PGPORT:-5432} -U ${PGUSER:-postgres}"
BATON=${BATON:-${CARGO_TARGET_DIR:-target}/release/baton}
MIG=migrations/postgres/0002_counts_and_pending.sql
for v in sharded single none; do
  dropdb $PG --if-exists "perf_counts_$v" >/dev/null
  createdb $PG "perf_counts_$v"
  "$BATON" --db "postgres://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}/perf_counts_$v" migrate >/dev/null
done
# single: the migration's function with the shard fixed at 0 (one counter row per status)
sed -n '/^CREATE FUNCTION/,/^\$\$;/p' "$MIG" \
  | sed 's/^CREATE FUNCTION/CREATE OR REPLACE FUNCTION/; s/pg_backend_pid() % 16/0/' \
  | psql $PG -q -v ON_ERROR_STOP=1 -d perf_counts_single
psql $PG -q -d perf_counts_single -Atc "SELECT prosrc FROM pg_proc WHERE proname = 'baton_count_status'" | grep -q 'integer := 0;'
# none: no status-count triggers at all
psql $PG -q -v ON_ERROR_STOP=1 -d perf_counts_none -c \
  'DROP TRIGGER trg_status_counts_insert ON build_workflows; DROP TRIGGER trg_status_counts_update ON build_workflows; DROP TRIGGER trg_status_counts_delete ON build_workflows'
echo "pgbench -n -M prepared -c $C -j 2 -T $T -f examples/perf_pg/insert_workflow.pgbench, $R rounds"
for r in $(seq 1 "$R"); do
  for v in none single sharded; do
    tps=$(pgbench $PG -n -M prepared -c "$C" -j 2 -T "$T" -f examples/perf_pg/insert_workflow.pgbench "perf_counts_$v" 2>/dev/null \
      | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
    lat=$(psql $PG -d "perf_counts_$v" -Atc "SELECT coalesce(sum(n),0) FROM workflow_status_counts WHERE status='running'" 2>/dev/null || echo -)
    echo "round $r  $v  tps $tps  (running count now $lat)"
  done
done
