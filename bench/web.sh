#!/bin/sh
# bench/web.sh - the agent workspace's budgets in Debian's Chromium (the
# "workspace" section of `make bench`; also alone: sh bench/web.sh):
# JS+CSS bytes on first load, navigation to the first interactive view,
# ticket-to-ticket switch with 100 comments.  See bench/web.mjs.
# Environment: SONNIM_BIN [build/rel/sonnim], SONNIM_CHROMIUM
# [/usr/bin/chromium], BENCH_WEB_RUNS [5], BENCH_WEB_SWITCHES [30].
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SONNIM_BIN:-$ROOT/build/rel/sonnim}
case "$BIN" in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
[ -x "$BIN" ] || { echo "bench/web: no $BIN (make all)" >&2; exit 1; }
[ -x "${SONNIM_CHROMIUM:-/usr/bin/chromium}" ] || { echo "bench/web: no chromium (scripts/deps.sh check)" >&2; exit 1; }
if [ ! -f "$ROOT/tests/e2e/node_modules/.package-lock.json" ]; then
	(cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
SONNIM_BIN=$BIN node "$ROOT/bench/web.mjs"
