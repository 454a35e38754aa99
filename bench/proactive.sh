#!/bin/sh
# bench/proactive.sh - what a page view of the messenger costs: the public
# GET /messenger/v1/sites/{key}/proactive?url= that every page with the
# widget calls.  Asserts nothing; prints requests/s and latency.
#
#   1. sonnim init --demo in a temp dir, serve (rate limit off)
#   2. BENCH_BANNERS banners and BENCH_PROMPTS prompts on site "shop", half
#      with exact paths, half with prefix or glob patterns, a few with an
#      audience, plus as many on another site (the index keeps them out)
#   3. wrk on /healthz (the ceiling), a page that matches a few banners
#      (absolute URL with query), and a page that matches none
#
# Environment: SONNIM_BIN [build/rel/sonnim], BENCH_BANNERS [50],
# BENCH_PROMPTS [20], BENCH_DURATION [10], BENCH_THREADS [2],
# BENCH_CONNECTIONS [16].
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SONNIM_BIN:-$ROOT/build/rel/sonnim}
case "$BIN" in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
NB=${BENCH_BANNERS:-50}
NP=${BENCH_PROMPTS:-20}
DUR=${BENCH_DURATION:-10}
THR=${BENCH_THREADS:-2}
CON=${BENCH_CONNECTIONS:-16}
WORK=$(mktemp -d /tmp/sonnim-bench-proactive.XXXXXX)
SPID=""
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
BASE=http://127.0.0.1:$PORT
"$BIN" init --demo --database "$WORK/s.db" --data-dir "$WORK" >/dev/null 2>&1
TOKEN=$(sed -n 's/^api token:[[:space:]]*\([0-9a-f]*\).*/\1/p' "$WORK/admin.txt")
AUTH="admin@sonnim.example/token:$TOKEN"
SONNIM_RATE_LIMIT=0 SONNIM_BASE_URL=$BASE "$BIN" serve --database "$WORK/s.db" --data-dir "$WORK" \
	--port "$PORT" >"$WORK/server.log" 2>&1 &
SPID=$!
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
post() { curl -fs -u "$AUTH" -H 'Content-Type: application/json' -X POST --data "$2" "$BASE/api/v2/sonnim/$1" >/dev/null; }
i=0
while [ "$i" -lt "$NB" ]; do
	case $((i % 4)) in
	0) pat="\"/page$i\"" ;;
	1) pat="\"/shop/c$i/*\"" ;;
	2) pat="\"/products/*/reviews$i\"" ;;
	3) pat="\"/checkout\", \"/cart/*\"" ;;
	esac
	aud='{"type":"everyone"}'
	[ $((i % 10)) -eq 9 ] && aud='{"type":"tags","tags":["vip"]}'
	post banners.json "{\"banner\":{\"site_key\":\"shop\",\"text\":{\"ko\":\"점검 $i\",\"en-us\":\"Maintenance $i\"},\"url_patterns\":[$pat],\"audience\":$aud}}"
	post banners.json "{\"banner\":{\"site_key\":\"blog\",\"text\":\"other $i\"}}"
	i=$((i + 1))
done
i=0
while [ "$i" -lt "$NP" ]; do
	post proactive_prompts.json "{\"proactive_prompt\":{\"site_key\":\"shop\",\"message\":\"도움이 필요하신가요? $i\",\"delay_seconds\":30,\"url_patterns\":[\"/checkout/step$i\",\"/help/*\"]}}"
	i=$((i + 1))
done
MATCH=$(curl -fs "$BASE/messenger/v1/sites/shop/proactive?url=https%3A%2F%2Fshop.example%2Fcheckout%3Fstep%3D2" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.banners.length+" banners, "+j.prompts.length+" prompts")})')
echo "proactive: $NB banners + $NP prompts on site shop, $NB banners on another site; the matching page shows $MATCH"
run() { # run NAME URL
	out=$(wrk -t"$THR" -c"$CON" -d"${DUR}s" --latency "$2" 2>&1)
	rps=$(echo "$out" | sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p')
	p50=$(echo "$out" | sed -n 's/^[[:space:]]*50%[[:space:]]*\([0-9.a-z]*\).*/\1/p')
	p99=$(echo "$out" | sed -n 's/^[[:space:]]*99%[[:space:]]*\([0-9.a-z]*\).*/\1/p')
	echo "proactive: $1: $rps req/s, p50 $p50, p99 $p99 (wrk -t$THR -c$CON -d${DUR}s)"
}
run "/healthz (ceiling)" "$BASE/healthz"
run "page with matches" "$BASE/messenger/v1/sites/shop/proactive?url=https%3A%2F%2Fshop.example%2Fcheckout%3Fstep%3D2"
run "page without matches" "$BASE/messenger/v1/sites/shop/proactive?url=%2Fnothing%2Fhere"
