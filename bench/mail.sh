#!/bin/sh
# bench/mail.sh - the email channel's figures for `make bench` (run.sh calls
# it last; it also runs alone: `sh bench/mail.sh`).
#
#   1. the parser alone over every message of ../shared/corpora/mail-zammad
#      and mail-torture (build/rel/bench/mail_parse), beside GMime's bare
#      parse of the same bytes
#   2. through LMTP: a throwaway `sonnim serve` with its LMTP listener;
#      /healthz under wrk first (the reference), then bench/lmtp.mjs
#      delivers BENCH_MAIL copies of the corpus messages over 8 sessions;
#      prints messages accepted per second (stored + committed, the 250),
#      then how long the workers take until every message is a ticket
#      (messages processed per second, SONNIM_WORKERS=4 job workers), and
#      the server's RSS.
#
# Environment: SONNIM_BIN [build/rel/sonnim], BENCH_MAIL [2000],
# BENCH_MAIL_CONNECTIONS [8], SONNIM_CORPORA [../shared/corpora].
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SONNIM_BIN:-$ROOT/build/rel/sonnim}
case "$BIN" in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
PARSE=$(dirname "$BIN")/bench/mail_parse
CORPORA=${SONNIM_CORPORA:-$ROOT/../shared/corpora}
TOTAL=${BENCH_MAIL:-2000}
CONNS=${BENCH_MAIL_CONNECTIONS:-8}

echo "== email channel"
if [ ! -d "$CORPORA/mail-zammad/mail" ]; then
	echo "mail: skipped: no corpus at $CORPORA/mail-zammad (set SONNIM_CORPORA)"
	exit 0
fi
FILES=$(find "$CORPORA/mail-zammad/mail" "$CORPORA/mail-torture" -type f \( -name '*.box' -o -name '*.eml' \) | sort)
echo "-- parser alone ($(echo "$FILES" | wc -l) corpus messages)"
# shellcheck disable=SC2086
"$PARSE" $FILES --rounds 20 | sed 's/^/   /'

TMP=$(mktemp -d /tmp/sonnim-bench-mail.XXXXXX)
PID=""
trap '[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PORT=$(free_port)
LPORT=$(free_port)
export SONNIM_DATABASE=$TMP/sonnim.db SONNIM_DATA_DIR=$TMP SONNIM_PORT=$PORT \
	SONNIM_BASE_URL=http://127.0.0.1:$PORT SONNIM_LMTP=127.0.0.1:$LPORT SONNIM_RATE_LIMIT=0 \
	SONNIM_MAIL_RATE_LIMIT=0 SONNIM_LOG_LEVEL=2 SONNIM_WORKERS=${SONNIM_WORKERS:-4}
"$BIN" init >/dev/null
TOKEN=$(sed -n 's/.*basic auth: admin@sonnim.example\/token:\([A-Za-z0-9]*\)).*/\1/p' "$TMP/admin.txt")
AUTH="admin@sonnim.example/token:$TOKEN"
"$BIN" serve >"$TMP/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -s -u "$AUTH" -H 'Content-Type: application/json' -X POST \
	--data '{"recipient_address":{"email":"support@bench.test","default":true}}' \
	"http://127.0.0.1:$PORT/api/v2/recipient_addresses.json" >/dev/null
REF=$(wrk -t2 -c8 -d5s "http://127.0.0.1:$PORT/healthz" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
echo "-- through LMTP ($TOTAL messages, $CONNS sessions, durable commits)"
echo "   reference: /healthz          $REF req/s"
# shellcheck disable=SC2086
OUT=$(node "$ROOT/bench/lmtp.mjs" "127.0.0.1:$LPORT" "$TOTAL" "$CONNS" support@bench.test $FILES)
T0=$(date +%s%3N)
echo "   accepted (stored, 250 sent): $(echo "$OUT" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(`${j.per_second} msg/s (${j.accepted}/${j.sent}), 250 after DATA p50 ${j.p50_ms} ms p99 ${j.p99_ms} ms`)})')"
left() { curl -s -u "$AUTH" "http://127.0.0.1:$PORT/api/v2/sonnim/mail/inbound.json?state=received&per_page=1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).count))'; }
ACC_S=$(echo "$OUT" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).seconds))')
while [ "$(left)" -gt 0 ]; do sleep 0.5; done
T1=$(date +%s%3N)
count() { curl -s -u "$AUTH" "http://127.0.0.1:$PORT/api/v2/sonnim/mail/inbound.json?state=$1&per_page=1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).count))'; }
P=$(count processed)
F=$(count failed)
I=$(count ignored)
awk -v p="$P" -v a="$ACC_S" -v w="$(( T1 - T0 ))" -v f="$F" -v i="$I" 'BEGIN {
	printf "   processed into tickets:      %.1f msg/s end to end (%d processed, %d failed, %d ignored; workers done %.1f s after the last 250)\n", p / (a + w / 1000), p, f, i, w / 1000 }'
RSS=$(awk '/VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/$PID/status")
echo "   server peak RSS:             $RSS"
