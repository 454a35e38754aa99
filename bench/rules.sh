#!/bin/sh
# rules.sh - the cost of triggers and automations (bench/run.sh's rules
# section).  Starts a release server on a fresh SQLite workspace, then
# bench/rules.mjs measures: a ticket update through the API until its
# triggers ran, with only a marker trigger and with 500 more active
# triggers (µs per update and the ratio), and one automation pass over the
# open tickets (BENCH_RULE_TICKETS, default 2000; the issue's reference is
# 100,000) with an automation that reads every ticket.  Figures are
# printed, never asserted.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/bench
BIN=${SONNIM_BIN:-$ROOT/build/rel/sonnim}
case "$BIN" in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
[ -x "$BIN" ] || { echo "rules: no $BIN (make all)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/sonnim-rules.XXXXXX)
PID=""
cleanup() {
	if [ -n "$PID" ]; then
		kill -TERM "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
PORT=$(node "$B/tool.mjs" port)
URL=http://127.0.0.1:$PORT
(cd "$TMP" && "$BIN" init --database "$TMP/r.db" --data-dir "$TMP" >"$TMP/init.log" 2>&1) ||
	{ cat "$TMP/init.log" >&2; exit 1; }
tok=$(awk '/^api token:/ { print $3 }' "$TMP/admin.txt")
BENCH_AUTH="Basic $(printf 'admin@sonnim.example/token:%s' "$tok" | base64 | tr -d '\n')"
export BENCH_AUTH URL
(cd "$TMP" && exec env SONNIM_RATE_LIMIT=0 SONNIM_LOG_LEVEL=2 "$BIN" serve --database "$TMP/r.db" \
	--data-dir "$TMP" --port "$PORT" >>"$TMP/serve.log" 2>&1) &
PID=$!
i=0
until curl -fs "$URL/healthz" >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "rules: server did not start" >&2; exit 1; }
	sleep 0.1
done
node "$B/rules.mjs" >"$TMP/out" || { cat "$TMP/serve.log" | tail -20 >&2; exit 1; }
awk '
$1 == "update_us" { printf "ticket update + triggers, none        %8s us\nticket update + 500 triggers          %8s us  (x%s of none)\n", $2, $3, $4 }
$1 == "pass" { printf "automation pass over %6s open tickets %6s s  (reference: the issue asks for 100,000)\n", $2, $3 }' "$TMP/out"
