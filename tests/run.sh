#!/bin/sh
# run.sh - the test driver behind `make check` (which builds everything first).
#
# What it runs, each as one "suite":
#   build/asan/tests/<area>/test_*   every cmocka binary, once; those under
#                                    store/ run twice: SONNIM_TEST_DB=sqlite
#                                    (the test makes its own temp file) and
#                                    SONNIM_TEST_DB=<conninfo> of a fresh
#                                    PostgreSQL database made for that binary
#   build/asan/replay/<name>         every fuzz harness's replay binary, fed
#                                    tests/fuzz/<name>/corpus (crashers
#                                    included); counts as one test
#   tests/api/run.sh                 the node API suite, when it exists; it
#                                    prints "api: N passed, M failed"
#   tests/mail/run.sh                the end-to-end mail suite (Postfix,
#                                    Dovecot, swaks); "mail: N passed, ..."
#   tests/e2e/run.sh                 the agent workspace in Chromium
#                                    (playwright-core); "e2e: N passed, ..."
# Script suites (api, mail, e2e) end with a line "<name>: N passed, M failed".
# (build/ is $BUILD when make was given BUILD=..., as the Makefile allows.)
#
# Order of events: take $BUILD/.test-run.lock (a second run in the same
# build directory waits, rather than clobbering the first one's logs); start
# one throwaway PostgreSQL cluster (tests/pg.sh) in a
# mktemp dir under /tmp, stopped and removed on exit whatever happens; run
# the suites $SONNIM_TEST_JOBS at a time (default: one per core) through
# `xargs -P`, each child re-entering this script with --suite and writing its
# output to build/test-logs/<suite>.log and its counts to <suite>.result; as
# each suite ends print one line for it; then print the logs of the suites
# that failed; last, exactly one line "N passed, M failed".  Exit status is 0
# only when M == 0 and N > 0.
#
# Counting: cmocka's "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)"
# lines (summed, so several groups in one binary are fine).  A binary that
# exits non-zero (crash, sanitizer report, LeakSanitizer at exit, timeout)
# without a failed test in its summary adds 1 failed; so does one that prints
# no summary at all.  If PostgreSQL cannot start, every PostgreSQL suite
# counts 1 failed: deps.sh installs it, so that is a broken setup, not a skip.
#
# Environment: SONNIM_TEST_JOBS (parallel suites), SONNIM_TEST_TIMEOUT
# (seconds per unit suite, default 600; the API suite gets 3x).  Suites see
# ASAN_OPTIONS/UBSAN_OPTIONS below, SONNIM_PG_DIR (the cluster, for
# `tests/pg.sh createdb $SONNIM_PG_DIR NAME`) and SONNIM_TEST_PG (conninfo of
# its database sonnim_test).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
SELF="$ROOT/tests/run.sh"
BUILD=${BUILD:-build}
export BUILD
LOGS=$BUILD/test-logs
TESTS=$BUILD/asan/tests
REPLAY=$BUILD/asan/replay
TIMEOUT=${SONNIM_TEST_TIMEOUT:-600}

ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS
unset CMOCKA_MESSAGE_OUTPUT CMOCKA_XML_FILE CMOCKA_TEST_ABORT

# slug NAME: a file-name-safe form of a suite name.
slug() {
	printf '%s' "$1" | tr -c 'A-Za-z0-9_.-' '-' | sed 's/-*$//'
}

# sum_matches FILE SED-EXPR: sum the numbers the expression prints.
sum_matches() {
	sed -n "$2" "$1" | awk '{ s += $1 } END { print s + 0 }'
}

# run_suite KIND NAME TARGET: run one suite (in a child); write its log and
# "passed failed" to build/test-logs/<slug>.result; print its summary line.
run_suite() {
	kind=$1 name=$2 target=$3
	base="$LOGS/$(slug "$name")"
	log="$base.log"
	t0=$(date +%s)
	rc=0
	note=""
	case "$kind" in
	unit)
		env -u SONNIM_TEST_DB timeout -k 10 "$TIMEOUT" "$target" >"$log" 2>&1 || rc=$?
		;;
	sqlite)
		SONNIM_TEST_DB=sqlite timeout -k 10 "$TIMEOUT" "$target" >"$log" 2>&1 || rc=$?
		;;
	pg)
		if [ -z "${SONNIM_PG_DIR:-}" ]; then
			{
				echo "run.sh: PostgreSQL did not start; see $LOGS/postgresql.log:"
				cat "$LOGS/postgresql.log" 2>/dev/null
			} >"$log"
			note="no postgresql"
		else
			dbname=$(printf 't_%s' "$(slug "$name")" | tr 'A-Z.-' 'a-z__' | cut -c1-60)
			if conn=$(sh tests/pg.sh createdb "$SONNIM_PG_DIR" "$dbname" 2>"$log"); then
				echo "SONNIM_TEST_DB=$conn" >>"$log"
				SONNIM_TEST_DB=$conn timeout -k 10 "$TIMEOUT" "$target" >>"$log" 2>&1 ||
					rc=$?
			else
				note="createdb failed"
			fi
		fi
		;;
	script)
		timeout -k 10 $((TIMEOUT * 3)) sh "$target" >"$log" 2>&1 || rc=$?
		;;
	replay)
		corpus="tests/fuzz/${name#fuzz/}/corpus"
		timeout -k 10 "$TIMEOUT" "$target" "$corpus" >"$log" 2>&1 || rc=$?
		;;
	esac
	secs=$(($(date +%s) - t0))

	if [ "$kind" = replay ]; then
		line=$(grep -E '^replayed [0-9]+ inputs' "$log" | tail -n 1)
		note=$line
		passed=1 failed=0
		[ -n "$line" ] && [ "$rc" -eq 0 ] || passed=0
	elif [ "$kind" = script ]; then
		line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
		passed=$(echo "$line" | sed -n 's/^[a-z0-9]*: \([0-9]*\) passed.*/\1/p')
		failed=$(echo "$line" | sed -n 's/^[a-z0-9]*: [0-9]* passed, \([0-9]*\) failed.*/\1/p')
	else
		line=$(grep -E '^\[  (PASSED|FAILED)  \] [0-9]+ test\(s\)' "$log" | head -n 1)
		passed=$(sum_matches "$log" 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s).*/\1/p')
		failed=$(sum_matches "$log" 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p')
	fi
	passed=${passed:-0}
	failed=${failed:-0}
	if [ -z "$line" ] && [ -z "$note" ]; then
		note="no summary"
	fi
	# say why when the exit status, not a failed test, is what failed it
	if [ "$rc" -ne 0 ] && { [ -z "$line" ] || [ "$failed" -eq 0 ]; }; then
		case "$rc" in
		124 | 137) note="${note:+$note, }timed out" ;;
		*) note="${note:+$note, }exit status $rc" ;;
		esac
	fi
	if [ -z "$line" ] || [ "$rc" -ne 0 ]; then
		[ "$failed" -gt 0 ] || failed=1
	fi
	echo "$passed $failed" >"$base.result"
	if [ "$failed" -gt 0 ]; then
		status=FAIL
	else
		status=ok
	fi
	printf '%-4s %-30s %5d passed, %d failed  %3ss%s\n' "$status" "$name" "$passed" "$failed" \
		"$secs" "${note:+  ($note)}"
}

if [ "${1:-}" = --suite ]; then
	shift
	run_suite "$@"
	exit 0
fi

# ---- the whole run ------------------------------------------------------

mkdir -p "$BUILD"
exec 9>"$BUILD/.test-run.lock"
if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
	echo "run.sh: another test run is using $BUILD; waiting for it" >&2
	if ! flock -w 3600 9; then
		echo "run.sh: gave up waiting for $BUILD/.test-run.lock" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
fi
rm -rf "$LOGS"
mkdir -p "$LOGS"
SPECS="$LOGS/suites.txt"
: >"$SPECS"

# the script suites first: they are the longest; then the binaries in name
# order (tests/unit/<area>/ and tests/unit/<area>/<sub>/)
[ -f tests/api/run.sh ] && echo "script api tests/api/run.sh" >>"$SPECS"
[ -f tests/mail/run.sh ] && echo "script mail tests/mail/run.sh" >>"$SPECS"
[ -f tests/e2e/run.sh ] && echo "script e2e tests/e2e/run.sh" >>"$SPECS"
for b in "$TESTS"/*/test_* "$TESTS"/*/*/test_*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	name=${b#"$TESTS"/}
	area=${name%%/*}
	if [ "$area" = store ]; then
		echo "pg $name:pg $b" >>"$SPECS"
		echo "sqlite $name:sqlite $b" >>"$SPECS"
	else
		echo "unit $name $b" >>"$SPECS"
	fi
done
for b in "$REPLAY"/*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	echo "replay fuzz/$(basename "$b") $b" >>"$SPECS"
done
if [ ! -s "$SPECS" ]; then
	echo "run.sh: no test binaries under $TESTS (run make check)" >&2
	echo "0 passed, 0 failed"
	exit 1
fi

PGDIR=""
cleanup() {
	if [ -n "$PGDIR" ]; then
		sh tests/pg.sh stop "$PGDIR" >>"$LOGS/postgresql.log" 2>&1 ||
			echo "run.sh: could not stop the PostgreSQL cluster in $PGDIR" >&2
		PGDIR=""
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if grep -q '^pg ' "$SPECS"; then
	PGDIR=$(mktemp -d /tmp/sonnim-pg.XXXXXX) || PGDIR=""
	# 9>&-: the server must not inherit (and hold) the run lock
	if [ -n "$PGDIR" ] && conn=$(sh tests/pg.sh start "$PGDIR" 2>"$LOGS/postgresql.log" 9>&-); then
		SONNIM_PG_DIR=$PGDIR
		SONNIM_TEST_PG=$conn
		export SONNIM_PG_DIR SONNIM_TEST_PG
		echo "postgresql: $conn"
	else
		echo "run.sh: PostgreSQL did not start (see $LOGS/postgresql.log);" \
			"its suites count as failed" >&2
		unset SONNIM_PG_DIR SONNIM_TEST_PG
	fi
fi

JOBS=${SONNIM_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
xargs -n 3 -P "$JOBS" sh "$SELF" --suite <"$SPECS" 9>&-

set -f # suite names are split on blanks below, never globbed
total_pass=0 total_fail=0 failed_suites=""
while read -r kind name target; do
	res="$LOGS/$(slug "$name").result"
	if [ -f "$res" ]; then
		read -r p f <"$res"
	else
		echo "FAIL $name (the driver lost its result)"
		p=0 f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$f" -gt 0 ] && failed_suites="$failed_suites $name"
done <"$SPECS"

for name in $failed_suites; do
	log="$LOGS/$(slug "$name").log"
	lines=$(wc -l <"$log" 2>/dev/null || echo 0)
	echo
	if [ "$lines" -gt 400 ]; then
		echo "==== $name failed: last 400 of $lines lines of $log ===="
		tail -n 400 "$log"
	else
		echo "==== $name failed: $log ===="
		cat "$log" 2>/dev/null
	fi
done
[ -n "$failed_suites" ] && echo

cleanup
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
