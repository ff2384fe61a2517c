#!/usr/bin/env bash
# Soak baton under contention for a chosen duration: two simulators, an outside writer
# (tests/soak_writer.py, plain SQL from Python), CLI operator actions with stale versions,
# and the dashboard in a pseudo-terminal with keys pressed. See tests/soak.rs for what is
# checked at the end, and docs/RELIABILITY.md for the figures of the last long run.
#
#   tests/soak.sh 10m        # or 600, 90s, 1h
set -euo pipefail
cd "$(dirname "$0")/.."
d="${1:-10m}"
case "$d" in
  *h) secs=$(( ${d%h} * 3600 )) ;;
  *m) secs=$(( ${d%m} * 60 )) ;;
  *s) secs=${d%s} ;;
  *)  secs=$d ;;
esac
echo "soaking for ${secs}s (release build)…"
BATON_SOAK_SECS="$secs" cargo test --release --test soak -- --nocapture
