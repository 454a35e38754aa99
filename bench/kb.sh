#!/bin/sh
# bench/kb.sh - the help center's figures (also run by bench/run.sh as its
# "help center" section; `sh bench/kb.sh` runs it alone):
#
#   1. sonnim init --demo in a temp dir (the demo knowledge base: 50 articles
#      in Korean and English, src/cmd/demo_kb.c)
#   2. answer quality: every query of bench/kb-queries.tsv (written the way
#      customers write, each naming the article it should find) through
#      GET /api/v2/help_center/articles/search.json as an anonymous visitor:
#      top-1 and top-3 hit rates, per language, and the mean reciprocal rank
#   3. BENCH_ARTICLES more articles through the API (bench/kb.mjs preload,
#      Korean and English sentences from bench/phrases.txt)
#   4. wrk on /healthz (the ceiling) and on article search over all of them:
#      배송 and refund (each in about half of the generated articles: the
#      worst case, every match is ranked), a customer's question (OR of its
#      words), and rare words (the typical case): req/s, p50, p99
#
# Environment (defaults in brackets): SONNIM_BIN [build/rel/sonnim],
# BENCH_ARTICLES [100000], BENCH_DURATION [10] s per wrk run,
# BENCH_THREADS [2], BENCH_CONNECTIONS [16], BENCH_KEEP [0],
# BENCH_QUALITY_ONLY [0] (1: stop after the answer-quality figures),
# BENCH_KB_QUERIES [bench/kb-queries.tsv].
# Nothing is asserted; the figures are printed.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/bench
BIN=${SONNIM_BIN:-$ROOT/build/rel/sonnim}
case "$BIN" in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
N=${BENCH_ARTICLES:-100000}
DUR=${BENCH_DURATION:-10}
WT=${BENCH_THREADS:-2}
WC=${BENCH_CONNECTIONS:-16}
for t in wrk node base64 awk; do
	command -v $t >/dev/null 2>&1 || { echo "kb: '$t' is missing (scripts/deps.sh check)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "kb: no $BIN (make all)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/sonnim-kb.XXXXXX)
PID=""
cleanup() {
	if [ -n "$PID" ]; then
		kill -TERM "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

say() { printf '%s\n' "$*"; }
lab() { printf '%s' "$1" | LC_ALL=C awk '{ s = $0; h = gsub(/[\340-\357]/, "&", s); printf "%-" (34 + h) "s", $0 }'; }
PORT=$(node "$B/tool.mjs" port)
URL=http://127.0.0.1:$PORT

(cd "$TMP" && "$BIN" init --demo --database "$TMP/kb.db" --data-dir "$TMP" >"$TMP/init.log" 2>&1) ||
	{ cat "$TMP/init.log" >&2; exit 1; }
tok=$(awk '/^api token:/ { print $3 }' "$TMP/admin.txt")
BENCH_AUTH="Basic $(printf 'admin@sonnim.example/token:%s' "$tok" | base64 | tr -d '\n')"
export BENCH_AUTH
(cd "$TMP" && exec env SONNIM_RATE_LIMIT=0 SONNIM_LOG_LEVEL=2 "$BIN" serve --database "$TMP/kb.db" \
	--data-dir "$TMP" --port "$PORT" >>"$TMP/serve.log" 2>&1) &
PID=$!
node "$B/tool.mjs" wait "$URL/healthz" 30 || { tail -n 20 "$TMP/serve.log" >&2; exit 1; }

say "-- help center: answer quality over the demo knowledge base (bench/kb-queries.tsv)"
Q=$(node "$B/kb.mjs" quality "$URL" "${BENCH_KB_QUERIES:-$B/kb-queries.tsv}" 2>"$TMP/misses.txt")
qv() { printf '%s\n' "$Q" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
say "$(lab 'queries:') $(qv queries) (Korean and English, customers' words)"
say "$(lab 'top-1 hit rate:') $(qv top1)% (Korean $(qv ko_top1)%, English $(qv en_top1)%)"
say "$(lab 'top-3 hit rate:') $(qv top3)%"
say "$(lab 'mean reciprocal rank:') $(qv mrr)"
say "$(lab 'misspelled (English):') top-1 $(qv typo_top1)%, top-3 $(qv typo_top3)% of $(qv typo_n) queries"
say "$(lab '   misses:') $(grep -c '^miss' "$TMP/misses.txt" || true) (first 3 below)"
grep '^miss' "$TMP/misses.txt" | head -n 3 | sed 's/^/     /'
[ "${BENCH_QUALITY_ONLY:-0}" = 1 ] && exit 0

say ""
say "-- help center: $N more articles through the API, then search over all of them"
P=$(node "$B/kb.mjs" preload "$URL" "$N" 16)
say "$(lab 'preload:') $P"

# wrk_figures FILE -> "req/s p50_ms p99_ms non2xx"
wrk_figures() {
	awk 'function ms(v) {
		if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
		if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v + 0 }
	/Requests\/sec:/ { rps = $2 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/Non-2xx or 3xx responses:/ { non = $NF }
	END { printf "%.1f %.3f %.3f %d\n", rps, p50, p99, non }' "$1"
}
CEIL=""
run() { # LABEL PATH
	out=$TMP/wrk.txt
	wrk -t"$WT" -c"$WC" -d"${DUR}s" --timeout 10s --latency "$URL$2" >"$out" 2>&1 || true
	set -- "$1" $(wrk_figures "$out")
	[ -n "$CEIL" ] || CEIL=$2
	say "$(lab "$1") $(printf '%10s req/s %6.1f%% of healthz  p50 %8.3f ms  p99 %8.3f ms  non-2xx %s' \
		"$2" "$(awk -v a="$2" -v c="$CEIL" 'BEGIN { print (c > 0 ? 100 * a / c : 0) }')" "$3" "$4" "$5")"
}
S=/api/v2/help_center/articles/search.json
for q in "$S?query=%EB%B0%B0%EC%86%A1&locale=ko" "$S?query=refund&locale=en-us"; do
	set -- $(node "$B/tool.mjs" get "$URL$q")
	say "$(lab 'probe:') HTTP $1, $2 matching articles for ${q#*query=}"
done
run "healthz" "/healthz"
run "article search 배송 (ko)" "$S?query=%EB%B0%B0%EC%86%A1&locale=ko"
run "article search refund (en-us)" "$S?query=refund&locale=en-us"
run "article search, customer question" "$S?query=how+do+I+get+a+refund+for+a+damaged+item"
run "article search, rare words" "$S?query=customs+duties&locale=en-us"
