#!/bin/bash
# simulate --rate 0 alone with the NOTIFY triggers of migration 0004 enabled and disabled, taking turns.
URL=${1:-postgres://postgres@127.0.0.1/perf_push}; SECS=${2:-15}; ROUNDS=${3:-2}
B=${BATON:-baton}
DB=${URL##*/}
trig() { for t in build_workflows:trg_notify_workflows workflow_handoffs:trg_notify_handoffs workflow_events:trg_notify_events workflow_checkpoints:trg_notify_checkpoints workflow_definitions:trg_notify_definitions; do
  psql -h 127.0.0.1 -U postgres -d "$DB" -qc "ALTER TABLE ${t%%:*} $1 TRIGGER ${t##*:}"; done; }
for r in $(seq $ROUNDS); do
  for mode in ENABLE DISABLE; do
    trig $mode
    ops=$($B --db "$URL" simulate --rate 0 --keep-alive --workflows 50 --duration ${SECS}s --json --seed 5 2>/dev/null | grep -o '"ops_per_sec": *[0-9.]*' | grep -o '[0-9.]*$')
    echo "round $r notify=$mode ops/s $ops"
  done
done
trig ENABLE
