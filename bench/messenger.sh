#!/bin/sh
# messenger.sh - the web messenger under load (bench/run.sh's messenger
# section): one release server on a fresh SQLite workspace holds
# BENCH_MSG_STREAMS (default 10,000) open visitor event streams on loopback;
# prints the server's RSS before and after and per connection, then the
# latency from a customer's message (POST) to the agents' stream
# (comment.added) with all streams held open, p50/p99, beside the /healthz
# requests per second that wrk measures meanwhile (the reference).  Raises
# `ulimit -n` for itself, the server and the node client; stops by itself.
# Figures are printed, never asserted.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/bench
BIN=${SONNIM_BIN:-$ROOT/build/rel/sonnim}
case "$BIN" in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
[ -x "$BIN" ] || { echo "messenger: no $BIN (make all)" >&2; exit 1; }
N=${BENCH_MSG_STREAMS:-10000}
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
TMP=$(mktemp -d /tmp/sonnim-msgbench.XXXXXX)
PID=""
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

port=$(node "$B/tool.mjs" port)
(cd "$TMP" && "$BIN" init --database "$TMP/m.db" --data-dir "$TMP" >"$TMP/init.log" 2>&1) ||
	{ cat "$TMP/init.log" >&2; exit 1; }
tok=$(awk '/^api token:/ { print $3 }' "$TMP/admin.txt")
AUTH="Basic $(printf 'admin@sonnim.example/token:%s' "$tok" | base64 | tr -d '\n')"
(cd "$TMP" && exec env SONNIM_RATE_LIMIT=0 SONNIM_MESSENGER_IP_LIMIT=0 SONNIM_LOG_LEVEL=2 \
	"$BIN" serve --database "$TMP/m.db" --data-dir "$TMP" --port "$port" >>"$TMP/serve.log" 2>&1) &
PID=$!
node "$B/tool.mjs" wait "http://127.0.0.1:$port/healthz" 30 >/dev/null ||
	{ echo "messenger: the server did not start" >&2; tail -20 "$TMP/serve.log" >&2; exit 1; }
URL=http://127.0.0.1:$port AUTH=$AUTH PID=$PID N=$N node "$B/messenger.mjs" >"$TMP/out" 2>"$TMP/err" &
NODE=$!
# /healthz beside the held streams: wait until they are open, then measure
while ! grep -q '^per_conn_kb' "$TMP/out" 2>/dev/null; do
	kill -0 "$NODE" 2>/dev/null || break
	sleep 1
done
HZ=-
if command -v wrk >/dev/null 2>&1 && kill -0 "$NODE" 2>/dev/null; then
	HZ=$(wrk -t2 -c16 -d5s "http://127.0.0.1:$port/healthz" 2>/dev/null | awk '/Requests\/sec/ { printf "%d", $2 }')
fi
wait "$NODE" || { echo "messenger: the client failed" >&2; cat "$TMP/err" >&2; tail -20 "$TMP/serve.log" >&2; exit 1; }
awk -v hz="$HZ" '
{ v[$1] = $2 }
END {
	printf "open messenger streams held by one server   %6d (opened in %d ms)\n", v["streams"], v["open_ms"]
	printf "server RSS before / with the streams        %6.1f MB / %6.1f MB  (%.1f KB per connection)\n", v["rss_before_kb"] / 1024, v["rss_after_kb"] / 1024, v["per_conn_kb"]
	printf "customer send -> agent stream, under load   p50 %s ms  p99 %s ms  max %s ms  (%d messages, one at a time; this process wakes its SSE hub at commit)\n", v["latency_p50_ms"], v["latency_p99_ms"], v["latency_max_ms"], v["latency_n"]
	printf "/healthz beside them (wrk -t2 -c16, 5 s)    %s req/s  (target: 10,000 streams)\n", hz
}' "$TMP/out"
