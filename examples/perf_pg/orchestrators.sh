#!/usr/bin/env bash
# A Python/SQLAlchemy orchestrator (orchestrator.py) next to `baton simulate --rate 0`
# (baton's engine through its simulator) and the same Python with psycopg alone, on one
# scratch database of the same server, taking turns ROUNDS times for SECONDS each.
#   examples/perf_pg/orchestrators.sh [SECONDS] [ROUNDS]        (default 10 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
S=${1:-10}; R=${2:-3}
H=${PGHOST:-127.0.0.1}; U=${PGUSER:-postgres}; DB=perf_orchestrators
BATON=${BATON:-${CARGO_TARGET_DIR:-target}/release/baton}
dropdb -h "$H" -U "$U" --if-exists "$DB" >/dev/null 2>&1; createdb -h "$H" -U "$U" "$DB"
"$BATON" --db "postgres://$U@$H/$DB" migrate >/dev/null
for r in $(seq 1 "$R"); do
  python3 examples/perf_pg/orchestrator.py --db "postgresql+psycopg://$U@$H/$DB" --seconds "$S"
  "$BATON" --db "postgres://$U@$H/$DB" simulate --rate 0 --workflows 20 --keep-alive \
    --fail-rate 0 --stuck-rate 0 --duration "${S}s" --json 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin); hb = r["heartbeats"]; s = r["elapsed_secs"]
print(json.dumps({"driver": "baton simulate", "ops": r["ops"], "heartbeats": hb,
  "elapsed_secs": round(s, 3), "ops_per_sec": round(r["ops"] / s, 1),
  "transactions_per_sec_without_heartbeats": round((r["ops"] - hb) / s, 1)}))'
  python3 examples/perf_pg/orchestrator.py --db "postgresql+psycopg://$U@$H/$DB" --seconds "$S" --driver psycopg
done
"$BATON" --db "postgres://$U@$H/$DB" doctor | tail -3
