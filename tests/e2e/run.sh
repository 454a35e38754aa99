#!/bin/sh
# run.sh - the browser suite: the agent workspace and the help center in
# Debian's Chromium
# (headless, --no-sandbox, background networking off) driven by
# playwright-core, against one real `sonnim serve` on SQLite started by the
# API suite's harness (tests/api/lib/harness.mjs).
#
#   sh tests/e2e/run.sh
#   SONNIM_E2E_SCREENSHOTS=docs/screenshots sh tests/e2e/run.sh   refresh the README's pictures
#
# Order of events: `npm ci` here (playwright-core pinned by
# package-lock.json) and in tests/api (node-zendesk, for the harness) when
# their node_modules are missing; then one `node --test` per file
# (workspace, ticket, helpcenter, selfservice, community, messenger .test.mjs), each with its own work
# directory and server, the counts added up.  Screenshots go to a temp dir unless
# SONNIM_E2E_SCREENSHOTS says where.  Last line, exactly:
# "e2e: N passed, M failed"; exit 0 only when M == 0 and N > 0.
#
# Environment: SONNIM_BIN (default $BUILD/asan/sonnim), SONNIM_CHROMIUM
# (default /usr/bin/chromium), SONNIM_E2E_SCREENSHOTS, SONNIM_E2E_TESTS (which
# files, default "workspace shell ticket helpcenter selfservice community messenger").
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
SONNIM_BIN=${SONNIM_BIN:-$BUILD/asan/sonnim}
case "$SONNIM_BIN" in /*) ;; *) SONNIM_BIN="$ROOT/$SONNIM_BIN" ;; esac
export SONNIM_BIN
: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

fail_setup() {
	echo "e2e: $*" >&2
	echo "e2e: 0 passed, 1 failed"
	exit 1
}

command -v node >/dev/null 2>&1 || fail_setup "node is not installed (scripts/deps.sh installs nodejs)"
[ -x "${SONNIM_CHROMIUM:-/usr/bin/chromium}" ] ||
	fail_setup "no chromium at ${SONNIM_CHROMIUM:-/usr/bin/chromium} (scripts/deps.sh check installs it)"
[ -x "$SONNIM_BIN" ] || fail_setup "no sonnim binary at $SONNIM_BIN (make $BUILD/asan/sonnim)"
for d in "$HERE" "$ROOT/tests/api"; do
	if [ ! -f "$d/node_modules/.package-lock.json" ]; then
		echo "e2e: npm ci in $d"
		(cd "$d" && npm ci --no-audit --no-fund --loglevel=error) || fail_setup "npm ci failed in $d"
	fi
done

TMP=$(mktemp -d /tmp/sonnim-e2e.XXXXXX) || fail_setup "mktemp failed"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP
SONNIM_E2E_SCREENSHOTS=${SONNIM_E2E_SCREENSHOTS:-$TMP/screenshots}
case "$SONNIM_E2E_SCREENSHOTS" in /*) ;; *) SONNIM_E2E_SCREENSHOTS="$ROOT/$SONNIM_E2E_SCREENSHOTS" ;; esac
export SONNIM_E2E_SCREENSHOTS
pass=0
fail=0
for name in ${SONNIM_E2E_TESTS:-workspace shell ticket helpcenter selfservice community messenger}; do
	work=$TMP/work-$name
	tap=$TMP/$name.tap
	mkdir -p "$work"
	SONNIM_API_WORKDIR=$work node --test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=tap --test-reporter-destination="$tap" "$HERE/$name.test.mjs"
	rc=$?
	p=$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$tap" | tail -n 1)
	f=$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$tap" | tail -n 1)
	c=$(sed -n 's/^# cancelled \([0-9][0-9]*\)$/\1/p' "$tap" | tail -n 1)
	p=${p:-0}
	f=$((${f:-0} + ${c:-0}))
	if [ -z "$(sed -n '/^# pass /p' "$tap")" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "e2e: $name: node exited with status $rc without a failed test; counted as 1 failed"
		f=$((f + 1))
	fi
	if [ "$f" -gt 0 ] && [ -f "$work/server.log" ]; then
		echo "---- $name: last 60 lines of the server log ----"
		tail -n 60 "$work/server.log"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
