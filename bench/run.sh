#!/bin/sh
# bench/run.sh - `make bench`: load a throwaway sonnim with tickets, measure it
# with wrk on loopback, print the figures.  Every step stops by itself; the
# script asserts nothing (the closing "targets" lines only compare).
#
#   1. sonnim init --demo in a temp dir; preload BENCH_TICKETS tickets through
#      the API (bench/preload.mjs: create_many jobs from several clients)
#   2. time from `sonnim serve` to the first 200 on /healthz, 5 times
#   3. one server (rate limit off, durable commits = the default), wrk on:
#      /healthz (the ceiling), ticket show, a view-like ticket list, search
#      in Korean and English, ticket create; RSS before and after
#   4. ticket create again with SONNIM_DURABLE=0
#   4b. the help center (bench/kb.sh): answer quality over bench/kb-queries.tsv,
#      then article search over BENCH_ARTICLES articles beside /healthz
#      (BENCH_KB=0 skips it)
#   5. BENCH_PG=1: ticket show and create on PostgreSQL (tests/pg.sh)
#   6. BENCH_PEER=1: Request Tracker 5 as a peer (../shared/bench/peer-rt.sh;
#      root, installs Debian packages)
#   last: the messenger (bench/messenger.sh: 10,000 open visitor streams,
#      RSS, customer send -> agent stream p50/p99), rules (bench/rules.sh),
#      then the agent workspace in Chromium
#      (bench/web.sh: first-load bytes and time, ticket-to-ticket switch)
#
# Environment (defaults in brackets):
#   SONNIM_BIN [build/rel/sonnim]   BENCH_TICKETS [100000]
#   BENCH_DURATION [10] seconds per wrk run, BENCH_THREADS [2] wrk threads,
#   BENCH_CONNECTIONS [16] wrk connections, BENCH_WRITE_CONNECTIONS [64] for
#   the create runs (concurrent writers are what group commit batches)
#   BENCH_PRELOAD_MODE [many] (or single), BENCH_PRELOAD_CONCURRENCY [8]
#   BENCH_PG [0], BENCH_PG_TICKETS [20000]
#   BENCH_PEER [0], BENCH_PEER_SCRIPT [../shared/bench/peer-rt.sh],
#   BENCH_PEER_DURATION [10]
#   BENCH_KEEP [0] keep the temp dir (database, logs, wrk outputs)
# Other SONNIM_* variables reach the measured server (e.g. SONNIM_THREADS).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/bench
BIN=${SONNIM_BIN:-$ROOT/build/rel/sonnim}
case "$BIN" in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
N=${BENCH_TICKETS:-100000}
DUR=${BENCH_DURATION:-10}
WT=${BENCH_THREADS:-2}
WC=${BENCH_CONNECTIONS:-16}
WCW=${BENCH_WRITE_CONNECTIONS:-64} # creates: group commit needs concurrent writers
CONNS=
PMODE=${BENCH_PRELOAD_MODE:-many}
PCONC=${BENCH_PRELOAD_CONCURRENCY:-8}
N_PG=${BENCH_PG_TICKETS:-20000}
PEER=${BENCH_PEER_SCRIPT:-$ROOT/../shared/bench/peer-rt.sh}

for t in wrk node base64 awk; do
	command -v $t >/dev/null 2>&1 || { echo "bench: '$t' is missing (scripts/deps.sh check)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: no $BIN (make all)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/sonnim-bench.XXXXXX)
PGDIR=""
SERVER_PID=""
PEER_SUMMARY=""
RES=$TMP/results
: >"$RES"
cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	[ -n "$PGDIR" ] && sh "$ROOT/tests/pg.sh" stop "$PGDIR" 2>/dev/null || true
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

PORT=$(node "$B/tool.mjs" port)
NCPU=$(nproc)
URL=http://127.0.0.1:$PORT
export BENCH_DIR="$B"

say() { printf '%s\n' "$*"; }
# lab TEXT: TEXT padded to 34 columns (a Hangul syllable is 3 bytes, 2 columns)
lab() { printf '%s' "$1" | LC_ALL=C awk '{ s = $0; h = gsub(/[\340-\357]/, "&", s); printf "%-" (34 + h) "s", $0 }'; }
now_ms() { date +%s%3N; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
rss() { # PID -> "VmRSS VmHWM RssAnon RssFile" in kB
	awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
		END { print r + 0, h + 0, a + 0, f + 0 }' "/proc/$1/status"
}
rss_line() { # LABEL PID
	set -- "$1" $(rss "$2")
	say "$(lab "rss $1:") VmRSS $(mb "$2") (anon $(mb "$4"), file $(mb "$5")), VmHWM $(mb "$3")"
	echo "rss|$1|$2|$3" >>"$RES"
}

# start_server DB DATADIR [VAR=value ...]: serve on $PORT, wait for /healthz
start_server() {
	db=$1 dir=$2
	shift 2
	(cd "$TMP" && exec env SONNIM_RATE_LIMIT=0 "$@" "$BIN" serve --database "$db" \
		--data-dir "$dir" --port "$PORT" >>"$TMP/serve.log" 2>&1) &
	SERVER_PID=$!
	if ! node "$B/tool.mjs" wait "$URL/healthz" 30; then
		tail -n 20 "$TMP/serve.log" >&2
		echo "bench: the server did not answer /healthz" >&2
		exit 1
	fi
}
stop_server() {
	if ! kill -TERM "$SERVER_PID" 2>/dev/null; then
		say "bench: the server had already exited; the end of its log:"
		tail -n 5 "$TMP/serve.log"
	fi
	wait "$SERVER_PID" || true
	SERVER_PID=""
}

# token DATADIR -> the Authorization header for the admin's API token
auth_of() {
	tok=$(awk '/^api token:/ { print $3 }' "$1/admin.txt")
	[ -n "$tok" ] || { echo "bench: no api token in $1/admin.txt" >&2; exit 1; }
	printf 'Basic %s' "$(printf 'admin@sonnim.example/token:%s' "$tok" | base64 | tr -d '\n')"
}

# cpu_now -> "server_ticks busy_ticks total_ticks" (server = $SERVER_PID)
cpu_now() {
	{ awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0; } | tr '\n' ' '
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}
# cpu_share "BEFORE" "AFTER" -> "server% machine%" (100% = one CPU)
cpu_share() {
	echo "$1 $2" | awk -v n="$NCPU" '{ t = $6 - $3; if (t <= 0) t = 1
		printf "%.0f %.0f\n", 100 * n * ($4 - $1) / t, 100 * n * ($5 - $2) / t }'
}

# wrk_figures FILE -> "req/s p50_ms p99_ms non2xx socket_errors requests"
wrk_figures() {
	awk 'function ms(v) {
		if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
		if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v + 0 }
	/Requests\/sec:/ { rps = $2 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/Non-2xx or 3xx responses:/ { non = $NF }
	/Socket errors:/ { err = $4 + $6 + $8 + $10 }
	/requests in/ { n = $1 }
	END { printf "%.1f %.3f %.3f %d %d %d\n", rps, p50, p99, non, err, n }' "$1"
}

# run NAME LABEL URL [SCRIPT [VAR=value ...]]: one wrk run, one result line
run() {
	name=$1 label=$2 url=$3
	shift 3
	script=""
	if [ $# -gt 0 ]; then
		script=$1
		shift
	fi
	out=$TMP/wrk-$name.txt
	c0=$(cpu_now)
	if [ -n "$script" ]; then
		env "$@" wrk -t"$WT" -c"${CONNS:-$WC}" -d"${DUR}s" --timeout 10s --latency -s "$B/$script" "$url" >"$out" 2>&1 || true
	else
		wrk -t"$WT" -c"${CONNS:-$WC}" -d"${DUR}s" --timeout 10s --latency "$url" >"$out" 2>&1 || true
	fi
	set -- $(wrk_figures "$out") $(cpu_share "$c0" "$(cpu_now)")
	echo "run|$name|$label|$1|$2|$3|$4|$5|$6|$7|$8" >>"$RES"
	say "$(lab "$label") $(printf '%10s req/s  p50 %8.3f ms  p99 %8.3f ms  non-2xx %s  errors %s  cpu: server %s%%, machine %s%%' \
		"$1" "$2" "$3" "$4" "$5" "$7" "$8")"
}

# probe NAME URL: GET once; 0 if 200 (prints status, result count, bytes)
probe() {
	set -- "$1" $(node "$B/tool.mjs" get "$2")
	say "$(lab "probe $1:") HTTP $2, count $3, $4 bytes"
	[ "$2" = 200 ]
}

# ----------------------------------------------------------------- header
say "== sonnim bench: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "binary   $BIN ($(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'))"
say "machine  $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
say "wrk      $WT threads, $WC connections, ${DUR} s per run, loopback port $PORT"
say "tmp      $TMP"
say ""

# ----------------------------------------------------------------- 1. preload
say "-- preload: $N tickets through the API ($PMODE, $PCONC clients; SONNIM_DURABLE=0, 4 job workers)"
(cd "$TMP" && "$BIN" init --demo --database "$TMP/bench.db" --data-dir "$TMP" >"$TMP/init.log" 2>&1) ||
	{ cat "$TMP/init.log" >&2; exit 1; }
AUTH=$(auth_of "$TMP")
export BENCH_AUTH="$AUTH"
start_server "$TMP/bench.db" "$TMP" SONNIM_DURABLE=0 SONNIM_WORKERS=4 SONNIM_LOG_LEVEL=2
t0=$(now_ms)
node "$B/preload.mjs" --url "$URL" --count "$N" --mode "$PMODE" --concurrency "$PCONC" \
	>"$TMP/preload.out" 2>"$TMP/preload.err" || { cat "$TMP/preload.err" >&2; exit 1; }
t1=$(now_ms)
PRE=$(cat "$TMP/preload.out")
kv() { printf '%s\n' "$PRE" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
MIN_ID=$(kv min_id) MAX_ID=$(kv max_id) BGROUPS=$(kv groups) AGENTS=$(kv agents)
say "$(lab 'preload:') $(kv created) tickets, $(kv errors) errors, $(kv seconds) s, $(kv per_s) tickets/s (ids $MIN_ID..$MAX_ID)"
say "$(lab '   workspace:') $(echo "$BGROUPS" | awk -F, '{ print NF }') groups, $(echo "$AGENTS" | awk -F, '{ print NF }') agents, $(kv requesters) requesters (set up in $(kv setup_seconds) s); wall time with setup $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1000 }') s"
echo "preload|$(kv created)|$(kv errors)|$(kv seconds)|$(kv per_s)|$PMODE" >>"$RES"
grep 'preload: error' "$TMP/preload.err" | head -n 3 || true
rss_line "preload server after preload" "$SERVER_PID"
stop_server
say "$(lab 'database:') $(du -ch "$TMP"/bench.db* | tail -n 1 | cut -f1) on disk (bench.db and its WAL)"
export BENCH_GROUPS="$BGROUPS" BENCH_AGENTS="$AGENTS"

# ----------------------------------------------------------------- 2. start time
say ""
say "-- start: sonnim serve to the first 200 on /healthz, 5 runs on the preloaded database"
ST=$(cd "$TMP" && SONNIM_RATE_LIMIT=0 node "$B/tool.mjs" start 5 "$URL/healthz" "$BIN" serve \
	--database "$TMP/bench.db" --data-dir "$TMP" --port "$PORT")
say "$(lab 'start:') $ST"
echo "start|$(printf '%s\n' "$ST" | tr ' ' '\n' | awk -F= '$1 == "median_ms" { print $2 }')" >>"$RES"

# ----------------------------------------------------------------- 3. one server, all endpoints
say ""
say "-- measure: one server (durable commits, rate limit off, log to a file; SONNIM_THREADS=${SONNIM_THREADS:-default} SONNIM_READERS=${SONNIM_READERS:-default})"
start_server "$TMP/bench.db" "$TMP" SONNIM_DURABLE=1
rss_line "bench server, idle" "$SERVER_PID"
G1=${BGROUPS%%,*}
VIEW_SEARCH="/api/v2/search.json?query=type:ticket+group:$G1+status%3Csolved&sort_by=updated_at&sort_order=desc"
VIEW_LIST="/api/v2/tickets.json?page%5Bsize%5D=100"
KO="/api/v2/search.json?query=%EB%B0%B0%EC%86%A1"
EN="/api/v2/search.json?query=refund"

run healthz "healthz" "$URL/healthz"
run show "ticket show" "$URL" get.lua "BENCH_PATH=/api/v2/tickets/{id}.json" \
	"BENCH_ID_MIN=$MIN_ID" "BENCH_ID_MAX=$MAX_ID"
if probe view "$URL$VIEW_SEARCH"; then
	run view "ticket view (search, group $G1)" "$URL" get.lua "BENCH_PATH=$VIEW_SEARCH"
else
	say "   the view-like search does not work yet: GET $VIEW_LIST instead (newest 100, no group filter)"
	probe list "$URL$VIEW_LIST" || true
	run view "ticket list (page[size]=100)" "$URL" get.lua "BENCH_PATH=$VIEW_LIST"
fi
if probe search-ko "$URL$KO"; then
	run search_ko "search 배송" "$URL" get.lua "BENCH_PATH=$KO"
else
	echo "skip|search_ko|search 배송|HTTP error" >>"$RES"
fi
if probe search-en "$URL$EN"; then
	run search_en "search refund" "$URL" get.lua "BENCH_PATH=$EN"
else
	echo "skip|search_en|search refund|HTTP error" >>"$RES"
fi
rss_line "bench server after reads" "$SERVER_PID"
CONNS=$WCW
run create_durable "ticket create (durable)" "$URL" create.lua
CONNS=
writer_stats() { node -e '
	const http = require("node:http");
	http.get(process.argv[1], (r) => { let s = ""; r.on("data", (c) => (s += c)); r.on("end", () => {
		const v = (k) => (s.match(new RegExp("^" + k + " (\\S+)", "m")) || [])[1] || "?";
		console.log(`commits ${v("sonnim_db_commits_total")}, writes ${v("sonnim_db_writes_total")}`);
	}); });' "$1/metrics"; }
say "$(lab '   writer:') $(writer_stats "$URL") (group commit: writes per commit)"
rss_line "bench server after the run" "$SERVER_PID"
stop_server

# ----------------------------------------------------------------- 4. not durable
say ""
say "-- create with SONNIM_DURABLE=0 (synchronous=NORMAL)"
start_server "$TMP/bench.db" "$TMP" SONNIM_DURABLE=0
CONNS=$WCW
run create_fast "ticket create (SONNIM_DURABLE=0)" "$URL" create.lua
CONNS=
stop_server

# ----------------------------------------------------------------- 4b. help center
if [ "${BENCH_KB:-1}" = 1 ]; then
	say ""
	SONNIM_BIN="$BIN" sh "$B/kb.sh" || say "bench: the help center section failed"
fi

# ----------------------------------------------------------------- 5. PostgreSQL
if [ "${BENCH_PG:-0}" = 1 ]; then
	say ""
	say "-- PostgreSQL: $N_PG tickets, ticket show and create (tests/pg.sh cluster on a Unix socket)"
	PGDIR=$(mktemp -d /tmp/sonnim-bench-pg.XXXXXX)
	CONN=$(sh "$ROOT/tests/pg.sh" start "$PGDIR" 2>"$TMP/pg.log") || { cat "$TMP/pg.log" >&2; exit 1; }
	mkdir -p "$TMP/pg"
	(cd "$TMP" && "$BIN" init --demo --database "$CONN" --data-dir "$TMP/pg" >"$TMP/init-pg.log" 2>&1) ||
		{ cat "$TMP/init-pg.log" >&2; exit 1; }
	export BENCH_AUTH="$(auth_of "$TMP/pg")"
	start_server "$CONN" "$TMP/pg" SONNIM_WORKERS=4 SONNIM_LOG_LEVEL=2
	t0=$(now_ms)
	node "$B/preload.mjs" --url "$URL" --count "$N_PG" --mode "$PMODE" --concurrency "$PCONC" \
		>"$TMP/preload-pg.out" 2>"$TMP/preload-pg.err" || { cat "$TMP/preload-pg.err" >&2; exit 1; }
	t1=$(now_ms)
	PRE=$(cat "$TMP/preload-pg.out")
	say "$(lab 'preload (pg):') $(kv created) tickets, $(kv errors) errors, $(kv seconds) s, $(kv per_s) tickets/s (setup $(kv setup_seconds) s)"
	stop_server
	start_server "$CONN" "$TMP/pg"
	run pg_healthz "pg: healthz" "$URL/healthz"
	run pg_show "pg: ticket show" "$URL" get.lua "BENCH_PATH=/api/v2/tickets/{id}.json" \
		"BENCH_ID_MIN=$(kv min_id)" "BENCH_ID_MAX=$(kv max_id)"
	CONNS=$WCW
	run pg_create "pg: ticket create" "$URL" create.lua
	CONNS=
	rss_line "pg server after the run" "$SERVER_PID"
	stop_server
	sh "$ROOT/tests/pg.sh" stop "$PGDIR" 2>>"$TMP/pg.log" || true
	PGDIR=""
	export BENCH_AUTH="$AUTH"
fi

# ----------------------------------------------------------------- 6. peer
if [ "${BENCH_PEER:-0}" = 1 ]; then
	say ""
	say "-- peer: Request Tracker 5 ($PEER)"
	if [ "$(id -u)" != 0 ]; then
		say "   skipped: peer-rt.sh installs Debian packages and needs root"
	elif [ ! -f "$PEER" ]; then
		say "   skipped: no $PEER"
	else
		PPORT=$(node "$B/tool.mjs" port)
NCPU=$(nproc)
		if PORT=$PPORT DURATION=${BENCH_PEER_DURATION:-10} RESULTS=$TMP/peer-rt \
			bash "$PEER" >"$TMP/peer.log" 2>&1; then
			sed 's/^/   rt: /' "$TMP/peer-rt/summary.txt"
			PEER_SUMMARY=$TMP/peer-rt/summary.txt
		else
			say "   peer-rt.sh failed; last lines:"
			tail -n 5 "$TMP/peer.log" | sed 's/^/   /'
		fi
	fi
fi

# ----------------------------------------------------------------- table
say ""
say "== figures ($N tickets; wrk $WT threads, $WC connections, ${DUR} s; load now $(cut -d' ' -f1-3 /proc/loadavg))"
say "   ratio = req/s / the /healthz req/s of the same run; srv cpu = the server's CPU (100% = one of $NCPU CPUs)"
LC_ALL=C awk -F'|' '
function lab(t,  s, h) { s = t; h = gsub(/[\340-\357]/, "&", s); return sprintf("%-" (34 + h) "s", t) }
$1 == "run" && ($2 == "healthz" || $2 == "pg_healthz") { ceil[$2 ~ /^pg_/] = $4 }
{ rows[NR] = $0 }
END {
	printf "%-34s %10s %6s %10s %10s %8s %8s\n", "endpoint", "req/s", "ratio", "p50 ms", "p99 ms", "non-2xx", "srv cpu"
	for (i = 1; i <= NR; i++) {
		split(rows[i], f, "|")
		if (f[1] == "run") {
			c = ceil[f[2] ~ /^pg_/]
			printf "%s %10.0f %5.1f%% %10.3f %10.3f %8d %7d%%\n", lab(f[3]), f[4], c ? 100 * f[4] / c : 0, f[5], f[6], f[7], f[10]
		} else if (f[1] == "skip") {
			printf "%s %10s\n", lab(f[3]), "n/a (" f[4] ")"
		}
	}
}' "$RES"
awk -F'|' '
$1 == "run" && $2 == "healthz" { h = $4 }
$1 == "run" && $2 == "show" { s = $4 }
$1 == "run" && $2 == "create_durable" { c = $4 }
$1 == "rss" { if ($4 > hwm) hwm = $4; if ($2 ~ /^bench server/) { if ($4 > bh) bh = $4 } }
$1 == "start" { st = $2 }
$1 == "preload" { pre = sprintf("%s tickets in %s s (%s/s, %s)", $2, $4, $5, $6) }
function yn(ok) { return ok ? "met" : "NOT met" }
END {
	print ""
	printf "preload        %s\n", pre
	printf "targets (this run, not asserted):\n"
	if (h) printf "  ticket show >= 50%% of healthz   %.1f%% (%.0f of %.0f req/s)  %s\n", 100 * s / h, s, h, yn(s >= h / 2)
	printf "  durable creates >= 5000/s       %.0f/s  %s\n", c, yn(c >= 5000)
	printf "  RSS <= 50 MB with the tickets   peak VmHWM of the bench server %.1f MB  %s\n", bh / 1024, yn(bh <= 50 * 1024)
	printf "  start < 50 ms to the first 200  median %s ms  %s\n", st, yn(st + 0 < 50)
}' "$RES"
if [ -n "$PEER_SUMMARY" ]; then
	say ""
	say "peer: Request Tracker 5 (peer-rt.sh, same machine)"
	sed 's/^/  /' "$PEER_SUMMARY"
fi
say ""
say "messenger (bench/messenger.sh): ${BENCH_MSG_STREAMS:-10000} open visitor streams on one server, RSS, send -> agent stream latency"
SONNIM_BIN="$BIN" sh "$B/messenger.sh" || say "bench: the messenger section failed"

say "rules (bench/rules.sh): 500 triggers and 50 SLA policies per update, automation pass over 100,000 tickets"
SONNIM_BIN="$BIN" sh "$B/rules.sh" || say "bench: the rules section failed"
say ""
say "agent workspace (bench/web.sh): first load, first view, ticket switch in Chromium"
SONNIM_BIN="$BIN" sh "$B/web.sh" || say "bench: the workspace section failed"
