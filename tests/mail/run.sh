#!/bin/sh
# run.sh - the end-to-end mail suite; tests/run.sh runs it as the script
# suite "mail" (`make check` builds $BUILD/asan/mail/test_transport first).
#
# Order of events: start a throwaway Postfix + Dovecot (tests/mail/servers.sh)
# in a mktemp dir under /tmp, stopped and removed on exit whatever happens;
# put their env (SMTP_PORT, IMAP_PORT, DOVECOT_LMTP_PORT, SONNIM_LMTP_PORT,
# MAIL_DIR, DOVECOT_CONF, MAIL_CA_FILE) into the environment; run the steps
# below, each adding to the counts; print the servers' logs when something
# failed; stop the servers; last, exactly one line
#   mail: N passed, M failed
# which is what tests/run.sh reads.  Exit status 0 only when M == 0 and
# N > 0.
#
# Counting: a cmocka binary adds its "[  PASSED  ]"/"[  FAILED  ]" counts
# (1 failed more when it exits non-zero without a failed test, e.g. a
# sanitizer report, or prints no summary); a `step` adds 1 passed or 1
# failed; a `suite` (a script) adds the counts of its summary line.  When the servers do not start, that is 1 failed (deps.sh
# installs them, so it is a broken setup, not a skip).
#
# Environment: BUILD (the build directory, default build), SONNIM_LMTP_PORT
# (where Postfix delivers support.test; default: a free port picked by
# servers.sh, exported for the steps that start sonnim).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

passed=0
failed=0
SERVERS_DIR=""

stop_servers() {
	if [ -n "$SERVERS_DIR" ]; then
		sh tests/mail/servers.sh stop "$SERVERS_DIR" ||
			echo "mail: could not stop the servers in $SERVERS_DIR" >&2
		SERVERS_DIR=""
	fi
}
trap stop_servers EXIT
trap 'exit 130' INT TERM HUP

# finish: logs when something failed, stop the servers, the summary line.
finish() {
	if [ "$failed" -gt 0 ] && [ -n "$SERVERS_DIR" ]; then
		echo "---- server logs ----"
		sh tests/mail/servers.sh logs "$SERVERS_DIR"
	fi
	stop_servers
	echo "mail: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

# sum_matches FILE SED-EXPR: sum the numbers the expression prints.
sum_matches() {
	sed -n "$2" "$1" | awk '{ s += $1 } END { print s + 0 }'
}

# cmocka NAME BINARY [ARGS...]: run a cmocka binary, add its counts.
cmocka() {
	name=$1
	shift
	echo "== $name"
	if [ ! -x "$1" ]; then
		echo "mail: $1 is missing (make BUILD=$BUILD $1)"
		failed=$((failed + 1))
		return
	fi
	log=$SERVERS_DIR/$name.log # removed with the servers' directory
	rc=0
	"$@" >"$log" 2>&1 || rc=$?
	cat "$log"
	p=$(sum_matches "$log" 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s).*/\1/p')
	f=$(sum_matches "$log" 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p')
	if ! grep -qE '^\[  (PASSED|FAILED)  \] [0-9]+ test\(s\)' "$log"; then
		echo "mail: $name printed no summary (exit status $rc)"
		[ "$f" -gt 0 ] || f=1
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "mail: $name exited with status $rc"
		f=1
	fi
	rm -f "$log"
	passed=$((passed + p))
	failed=$((failed + f))
}

# step NAME COMMAND...: one check that passes when COMMAND exits 0.
step() {
	name=$1
	shift
	if "$@"; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		failed=$((failed + 1))
	fi
}

# suite NAME SCRIPT [ARGS...]: run a shell script that ends with a line
# "NAME: N passed, M failed"; add N and M (1 failed when that line is
# missing or the script exits non-zero without a failure counted).
suite() {
	name=$1
	shift
	echo "== $name"
	log=$SERVERS_DIR/$name.log
	rc=0
	sh "$@" >"$log" 2>&1 || rc=$?
	cat "$log"
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
	p=$(echo "$line" | sed -n 's/^[^:]*: \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/^[^:]*: [0-9]* passed, \([0-9]*\) failed.*/\1/p')
	p=${p:-0} f=${f:-0}
	if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "mail: $name ended without its summary or with status $rc"
		[ "$f" -gt 0 ] || f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

# ---- the servers --------------------------------------------------------

SERVERS_DIR=$(mktemp -d /tmp/sonnim-mail.XXXXXX) || {
	failed=1
	finish
}
if ! envlines=$(sh tests/mail/servers.sh start "$SERVERS_DIR"); then
	echo "mail: the mail servers did not start (see above)"
	failed=$((failed + 1))
	finish
fi
set -a
eval "$envlines"
set +a
echo "$envlines"

# ---- transport: smtp_send and imap_poll against Postfix and Dovecot ------

cmocka transport "$BUILD/asan/mail/test_transport"

# swaks speaks SMTP the way a customer's mail client does: a plain message
# to a customer mailbox is accepted and lands in Dovecot
swaks_delivers() {
	swaks --server "127.0.0.1:$SMTP_PORT" --from customer@imap.test \
		--to swaks@imap.test --header "Subject: via swaks" \
		--body "hello from swaks" >/dev/null 2>&1 || return 1
	i=0
	while [ $i -lt 300 ]; do
		ls "$MAIL_DIR"/mail/imap.test/swaks/new/* >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
if command -v swaks >/dev/null 2>&1; then
	step "swaks delivers to imap.test" swaks_delivers
fi

# the sonnim binary end to end: Postfix -> LMTP -> tickets, replies out over
# SMTP into Dovecot, IMAP polling across a crash, mailgate, a mail storm
# (tests/mail/e2e.sh starts and stops its own sonnim)
SONNIM_BIN=${SONNIM_BIN:-$ROOT/$BUILD/asan/sonnim}
export SONNIM_BIN
suite e2e tests/mail/e2e.sh
# the "mail.notify" job: rendered notifications out through Postfix to IMAP
suite notify tests/mail/notify.sh
# the portal's emailed sign-in link: out through Postfix, read over IMAP, followed
suite signin tests/mail/signin.sh
# the community's follower notices: out through Postfix, read over IMAP
suite community tests/mail/community.sh
# an outbound campaign: List-Unsubscribe, opt-out honoured, nothing sent twice
suite campaign tests/mail/campaign.sh
# the messenger's channel switch: an unread reply by email, the email answer back
suite messenger tests/mail/messenger.sh

finish
