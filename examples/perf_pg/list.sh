#!/usr/bin/env bash
# `baton list --json` next to psql running the same SELECT (same columns, filter, order
# and limit, JSON built by the server with json_agg), whole commands, with hyperfine.
#   examples/perf_pg/list.sh URL [RUNS]      URL: a database filled by
#   baton --db URL simulate --backfill 100000 --live 2000
set -euo pipefail
URL=${1:?usage: list.sh postgres://user@host/db [RUNS]}; RUNS=${2:-20}
BATON=${BATON:-${CARGO_TARGET_DIR:-$(dirname "$0")/../../target}/release/baton}
COLS='id, build_id, project_id, user_id, definition, current_state, "current_role", status, retry_count, max_retries, last_error, version, created_at, updated_at, completed_at, heartbeat_at, state_entered_at'
for q in "running 50" "running 5000" "completed 50000"; do
  set -- $q; S=$1; L=$2
  SQL="SELECT json_agg(t) FROM (SELECT $COLS FROM build_workflows WHERE status = '$S' ORDER BY updated_at DESC, id LIMIT $L) t"
  n1=$("$BATON" --db "$URL" list --json --status "$S" --limit "$L" | grep -c '"build_id"')
  n2=$(psql "$URL" -Atc "$SQL" | grep -o '"build_id"' | wc -l)
  echo "== --status $S --limit $L: baton $n1 rows, psql $n2 rows"
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "/tmp/perf_pg_list_${S}_${L}.json" \
    -n baton "$BATON --db $URL list --json --status $S --limit $L" \
    -n psql "psql $URL -Atc \"$SQL\"" 2>&1 | grep -E 'Time|Range|±|faster|baton|psql' || true
  python3 - "/tmp/perf_pg_list_${S}_${L}.json" <<'PY'
import json, sys, statistics
r = json.load(open(sys.argv[1]))["results"]
m = {x["command"]: (statistics.median(x["times"]) * 1000, min(x["times"]) * 1000) for x in r}
b, p = m["baton"], m["psql"]
print(f"   median baton {b[0]:.1f} ms / psql {p[0]:.1f} ms = {b[0]/p[0]:.2f}x;  min {b[1]:.1f} / {p[1]:.1f} ms = {b[1]/p[1]:.2f}x")
PY
done
