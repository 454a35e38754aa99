#!/bin/sh
# run.sh - the API suite: the real sonnim binary driven through node-zendesk
# (node's built-in test runner), once on SQLite and once on PostgreSQL.
#
#   sh tests/api/run.sh            both engines
#   SONNIM_API_ENGINES=sqlite sh tests/api/run.sh
#   SONNIM_API_ONLY=tickets,search sh tests/api/run.sh   some files only
#
# Order of events: `npm ci` when tests/api/node_modules is missing (CI
# starts from a clean clone; package-lock.json pins node-zendesk 6.0.1);
# then for each engine: a fresh database (a temp dir for SQLite; for
# PostgreSQL a new database in the cluster of $SONNIM_PG_DIR, else the
# conninfo in $SONNIM_TEST_PG, else a throwaway cluster of our own through
# tests/pg.sh, removed at exit) and one `node all.mjs` process, which starts
# one server for the whole suite (lib/harness.mjs) and runs every
# *.test.mjs in it.  The spec report goes to stdout, a TAP copy to
# $LOGDIR/<engine>.tap, the server's stdout+stderr to its work directory; on
# failures the tail of the server log is printed.
#
# Last line, exactly: "api: N passed, M failed" (summed over the engines);
# exit status 0 only when M == 0 and N > 0.  A node process that dies or
# reports no summary counts as 1 failed.
#
# Environment: SONNIM_BIN (default $BUILD/asan/sonnim, BUILD default build),
# SONNIM_PG_DIR / SONNIM_TEST_PG (from tests/run.sh), SONNIM_API_ENGINES,
# SONNIM_API_ONLY, SONNIM_API_KEEP=1 (keep work directories).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
SONNIM_BIN=${SONNIM_BIN:-$BUILD/asan/sonnim}
case "$SONNIM_BIN" in /*) ;; *) SONNIM_BIN="$ROOT/$SONNIM_BIN" ;; esac
export SONNIM_BIN
ENGINES=${SONNIM_API_ENGINES:-sqlite pg}
: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

fail_setup() {
	echo "api: $*" >&2
	echo "api: 0 passed, 1 failed"
	exit 1
}

command -v node >/dev/null 2>&1 || fail_setup "node is not installed (scripts/deps.sh installs nodejs)"
[ -x "$SONNIM_BIN" ] || fail_setup "no sonnim binary at $SONNIM_BIN (make $BUILD/asan/sonnim)"
if [ ! -d "$HERE/node_modules/node-zendesk" ]; then
	echo "api: npm ci (node-zendesk from package-lock.json)"
	(cd "$HERE" && npm ci --no-audit --no-fund) || fail_setup "npm ci failed"
fi

TMP=$(mktemp -d /tmp/sonnim-api.XXXXXX) || fail_setup "mktemp failed"
LOGDIR=$TMP/logs
mkdir -p "$LOGDIR"
OWN_PG=""
cleanup() {
	if [ -n "$OWN_PG" ]; then
		sh tests/pg.sh stop "$OWN_PG" >/dev/null 2>&1 || true
		OWN_PG=""
	fi
	[ "${SONNIM_API_KEEP:-0}" = 1 ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# pg_database: print a conninfo of a fresh database for this run.  Runs in
# a command substitution (a subshell), so our own cluster's directory is
# made by the caller: OWN_PG must be set in this shell for cleanup to see it.
pg_database() {
	name="sonnim_api_$$"
	if [ -n "${SONNIM_PG_DIR:-}" ]; then
		sh tests/pg.sh createdb "$SONNIM_PG_DIR" "$name" 2>>"$LOGDIR/postgresql.log"
	elif [ -n "${SONNIM_TEST_PG:-}" ]; then
		echo "$SONNIM_TEST_PG"
	else
		sh tests/pg.sh start "$OWN_PG" 2>>"$LOGDIR/postgresql.log" >/dev/null || return 1
		sh tests/pg.sh createdb "$OWN_PG" "$name" 2>>"$LOGDIR/postgresql.log"
	fi
}

total_pass=0 total_fail=0
for engine in $ENGINES; do
	work="$TMP/$engine"
	mkdir -p "$work"
	db=""
	if [ "$engine" = pg ]; then
		if [ -z "${SONNIM_PG_DIR:-}" ] && [ -z "${SONNIM_TEST_PG:-}" ]; then
			OWN_PG=$(mktemp -d /tmp/sonnim-api-pg.XXXXXX) || OWN_PG=""
		fi
		if ! db=$(pg_database); then
			echo "api[pg]: PostgreSQL is not available (see below); counted as 1 failed"
			cat "$LOGDIR/postgresql.log" 2>/dev/null
			total_fail=$((total_fail + 1))
			continue
		fi
	fi
	echo "==== api[$engine]: $SONNIM_BIN${db:+ on $db}"
	tap="$LOGDIR/$engine.tap"
	t0=$(date +%s)
	SONNIM_API_ENGINE=$engine SONNIM_API_DATABASE=$db SONNIM_API_WORKDIR=$work \
		node --test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=tap --test-reporter-destination="$tap" \
		"$HERE/all.mjs"
	rc=$?
	pass=$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$tap" | tail -n 1)
	fail=$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$tap" | tail -n 1)
	cancelled=$(sed -n 's/^# cancelled \([0-9][0-9]*\)$/\1/p' "$tap" | tail -n 1)
	pass=${pass:-0}
	fail=$((${fail:-0} + ${cancelled:-0}))
	if [ -z "$(sed -n '/^# pass /p' "$tap")" ] || { [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; }; then
		echo "api[$engine]: node exited with status $rc without a failed test; counted as 1 failed"
		fail=$((fail + 1))
	fi
	echo "api[$engine]: $pass passed, $fail failed ($(($(date +%s) - t0)) s)"
	if [ "$fail" -gt 0 ]; then
		for log in "$work"/server*.log; do
			[ -f "$log" ] || continue
			echo "---- last 60 lines of $log ----"
			tail -n 60 "$log"
		done
	fi
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
done

echo "api: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
