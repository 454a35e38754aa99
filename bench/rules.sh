#!/bin/sh
# rules.sh - the cost of triggers, SLA policies and automations
# (bench/run.sh's rules section).  Starts three release servers, each on a
# fresh SQLite workspace: "none" (only a marker trigger), "trig" (the
# marker + 500 more active triggers that never match) and "sla" (the
# marker + 50 active SLA policies, the last one applying).  bench/rules.mjs
# then times ticket updates through the API until the marker trigger ran
# on the batch's last ticket, interleaving the three servers batch by
# batch in the same run (a loaded machine slows all three alike), over
# BENCH_RULE_ROUNDS rounds (default 7) of BENCH_RULE_UPDATES updates
# (default 500), and reports per configuration the median server CPU per
# update (/proc/PID/stat: every thread, user + system - the figure a loaded
# machine and the event dispatcher's 500 ms tick disturb least) and the
# median wall time, each with the median of the per-round ratios against
# "none".  Finally one automation pass over the open tickets
# (BENCH_RULE_TICKETS, default 100,000 as the issue asks: creating them
# through the API is most of the section's ~2 minutes; set it lower for a
# quick run) with an automation that reads every ticket, on "none".  Figures are
# printed, never asserted.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/bench
BIN=${SONNIM_BIN:-$ROOT/build/rel/sonnim}
case "$BIN" in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
[ -x "$BIN" ] || { echo "rules: no $BIN (make all)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/sonnim-rules.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# start NAME: a workspace in $TMP/NAME and a server on a free port; sets
# URL_NAME, AUTH_NAME and PID_NAME (the server process, for its CPU time)
start() {
	d=$TMP/$1
	mkdir -p "$d"
	port=$(node "$B/tool.mjs" port)
	(cd "$d" && "$BIN" init --database "$d/r.db" --data-dir "$d" >"$d/init.log" 2>&1) ||
		{ cat "$d/init.log" >&2; exit 1; }
	tok=$(awk '/^api token:/ { print $3 }' "$d/admin.txt")
	eval "URL_$1=http://127.0.0.1:$port"
	eval "AUTH_$1=\"Basic $(printf 'admin@sonnim.example/token:%s' "$tok" | base64 | tr -d '\n')\""
	(cd "$d" && exec env SONNIM_RATE_LIMIT=0 SONNIM_LOG_LEVEL=2 "$BIN" serve --database "$d/r.db" \
		--data-dir "$d" --port "$port" >>"$d/serve.log" 2>&1) &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
	node "$B/tool.mjs" wait "http://127.0.0.1:$port/healthz" 30 >/dev/null ||
		{ echo "rules: server $1 did not start" >&2; tail -20 "$d/serve.log" >&2; exit 1; }
}
start none
start trig
start sla
CLK_TCK=$(getconf CLK_TCK)
export URL_none URL_trig URL_sla AUTH_none AUTH_trig AUTH_sla PID_none PID_trig PID_sla CLK_TCK
node "$B/rules.mjs" >"$TMP/out" || { tail -20 "$TMP"/*/serve.log >&2; exit 1; }
awk '
$1 == "rounds" { printf "ticket updates: %s rounds x %s updates per server, interleaved; medians of the\nserver CPU per update (wall time per update, which the 500 ms event tick blurs, after /)\n", $2, $3 }
$1 == "update_us" { cpu[$2] = $3; rounds[$2] = $4; ratio[$2] = $5 }
$1 == "wall_us" { wall[$2] = $3; wratio[$2] = $5 }
$1 == "pass" { pass = sprintf("automation pass over %6s open tickets %6s s  (reference: the issue asks for 100,000)", $2, $3) }
END {
	printf "ticket update + triggers, none     %6s us CPU / %6s us wall  (reference; CPU per round: %s)\n", cpu["none"], wall["none"], rounds["none"]
	printf "ticket update + 500 triggers       %6s us CPU / %6s us wall  (x%s / x%s of none; CPU per round: %s)\n", cpu["trig"], wall["trig"], ratio["trig"], wratio["trig"], rounds["trig"]
	printf "ticket update + 50 SLA policies    %6s us CPU / %6s us wall  (x%s / x%s of none; CPU per round: %s)\n", cpu["sla"], wall["sla"], ratio["sla"], wratio["sla"], rounds["sla"]
	print pass
}' "$TMP/out"
