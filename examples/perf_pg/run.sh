#!/usr/bin/env bash
# Every PostgreSQL figure of docs/PERFORMANCE.md, one after another (about 12 minutes after
# the build; the 100k database is built once, ~2 min, and reused). Needs a server reachable
# as postgres://$PGUSER@$PGHOST/ with the right to create databases, pgbench, psql,
# hyperfine, and `pip install sqlalchemy 'psycopg[binary]'`.
#   cargo build --release --examples && examples/perf_pg/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
H=${PGHOST:-127.0.0.1}; U=${PGUSER:-postgres}
T=${CARGO_TARGET_DIR:-target}
export BATON=${BATON:-$T/release/baton}
echo "machine: $(nproc) cores; $(psql -h "$H" -U "$U" -d postgres -Atc 'SELECT version()')"

echo "== 1. engine advance vs raw postgres (same client), synchronous_commit on, then off"
dropdb -h "$H" -U "$U" --if-exists perf_adv >/dev/null 2>&1; createdb -h "$H" -U "$U" perf_adv
"$T/release/examples/perf_pg" --db "postgres://$U@$H/perf_adv" --workflows 300 --rounds 3
"$T/release/examples/perf_pg" --db "postgres://$U@$H/perf_adv?options=-c%20synchronous_commit%3Doff" \
  --workflows 300 --rounds 3

echo "== 2. baton list --json vs psql"
if ! psql -h "$H" -U "$U" -d perf_list -Atc 'SELECT 1 FROM workflow_status_counts LIMIT 1' >/dev/null 2>&1; then
  dropdb -h "$H" -U "$U" --if-exists perf_list >/dev/null 2>&1; createdb -h "$H" -U "$U" perf_list
  "$BATON" --db "postgres://$U@$H/perf_list" simulate --backfill 100000 --live 2000 >/dev/null
fi
examples/perf_pg/list.sh "postgres://$U@$H/perf_list" 20

echo "== 3. Python/SQLAlchemy orchestrator vs baton simulate --rate 0"
examples/perf_pg/orchestrators.sh 10 3

echo "== 4. status counts under 8 concurrent writers"
examples/perf_pg/counts.sh 8 20 2
