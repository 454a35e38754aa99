#!/bin/sh
# signin.sh - the portal's emailed sign-in link end to end: a customer asks
# for a link on /hc/en-us/signin, the "mail.signin" job mints the one-time
# token and mails it through Postfix into the customer's Dovecot mailbox,
# where this script reads it over IMAP; following the link signs the
# browser in (a session cookie that opens "my requests"), a second use is
# refused, and the token is in no table (job payload, token table hold no
# copy of it).
#
# Run by tests/mail/run.sh (suite "signin") after tests/mail/servers.sh
# started Postfix and Dovecot; needs SMTP_PORT, IMAP_PORT and SONNIM_BIN.
# Last line "signin: N passed, M failed".
set -u
: "${SMTP_PORT:?}" "${IMAP_PORT:?}" "${SONNIM_BIN:?}"
WORK=$(mktemp -d /tmp/sonnim-mail-signin.XXXXXX)
PASS=0 FAIL=0
SPID=""
ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
PORT=$(free_port)
export SONNIM_DATABASE=$WORK/sonnim.db SONNIM_DATA_DIR=$WORK SONNIM_PORT=$PORT \
	SONNIM_BASE_URL=http://127.0.0.1:$PORT \
	SONNIM_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT SONNIM_SMTP_STARTTLS=2 \
	SONNIM_MAIL_CA_FILE=${MAIL_CA_FILE:-} SONNIM_MAIL_DOMAIN=support.test \
	SONNIM_IMAP_POLL=3600 SONNIM_LOG_LEVEL=1
BASE=http://127.0.0.1:$PORT
API=$BASE/api/v2

finish() {
	if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; fi
	if [ "$FAIL" -gt 0 ]; then
		echo "---- sonnim log (last 40 lines) ----"
		tail -n 40 "$WORK/sonnim.log"
	fi
	rm -rf "$WORK"
	echo "signin: $PASS passed, $FAIL failed"
}
trap finish EXIT

api() { curl -s -u "$AUTH" -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$API$2"; }
wait_for() {
	n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}
imap_search() { curl -s "imap://127.0.0.1:$IMAP_PORT/INBOX" -u "$1:pass" -X "UID SEARCH ${2:-ALL}"; }
imap_fetch() { curl -s "imap://127.0.0.1:$IMAP_PORT/INBOX;UID=$2" -u "$1:pass"; }
uid_of() { imap_search "$1" "$2" | tr -d '\r' | sed -n 's/^\* SEARCH//p' | tr ' ' '\n' | grep . | tail -n 1; }
has_uid() { [ -n "$(uid_of "$1" "$2")" ]; }
sql() { sqlite3 -cmd ".timeout 5000" "$WORK/sonnim.db" "$1"; }
# the token in a message's text, whatever the transfer encoding
token_of() {
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
	  const flat=s.replace(/=\r?\n/g,"").replace(/=3D/gi,"=");
	  let m=/signin\/token\?token=([0-9a-f]{40})/.exec(flat);
	  if(!m)for(const b of s.split(/\r?\n\r?\n/)){const t=Buffer.from(b.replace(/\s+/g,""),"base64").toString("utf8");m=/signin\/token\?token=([0-9a-f]{40})/.exec(t);if(m)break}
	  console.log(m?m[1]:"")})'
}

"$SONNIM_BIN" init >"$WORK/init.txt" 2>&1 || { cat "$WORK/init.txt"; exit 1; }
TOKEN=$(sed -n 's/.*basic auth: admin@sonnim.example\/token:\([A-Za-z0-9]*\)).*/\1/p' "$WORK/admin.txt")
AUTH="admin@sonnim.example/token:$TOKEN"
"$SONNIM_BIN" serve >>"$WORK/sonnim.log" 2>&1 &
SPID=$!
wait_for 20 curl -fs "$BASE/healthz" || { bad "sonnim started"; exit 1; }
api POST /recipient_addresses.json \
	'{"recipient_address":{"email":"support@support.test","name":"ACME Support","default":true}}' >/dev/null
RCPT=signin$$@customer.test
api POST /users.json "{\"user\":{\"name\":\"Mina Park\",\"email\":\"$RCPT\",\"role\":\"end-user\"}}" >/dev/null

JAR=$WORK/jar
curl -s -c "$JAR" "$BASE/hc/en-us/signin" >/dev/null
VT=$(awk '$6 == "sonnim_hc" {print $7}' "$JAR")
check "the sign-in page gives a visitor token" test "${#VT}" = 40
OUT=$(curl -s -b "$JAR" --data "token=$VT&email=$RCPT" "$BASE/hc/en-us/signin/link")
check "the page says a link is on its way" sh -c "echo \"\$1\" | grep -q 'sign-in link is on its way'" _ "$OUT"
check "the link arrived" wait_for 60 has_uid "$RCPT" 'SUBJECT "sign-in link"'
M=$(imap_fetch "$RCPT" "$(uid_of "$RCPT" 'SUBJECT "sign-in link"')")
T=$(echo "$M" | token_of)
check "the mail holds a sign-in link" test "${#T}" = 40
check "Auto-Submitted: auto-generated" sh -c "echo \"\$1\" | tr -d '\r' | grep -qi '^Auto-Submitted: auto-generated'" _ "$M"
check "the token is in no job payload" test "$(sql "SELECT COUNT(*) FROM jobs WHERE payload LIKE '%$T%' OR result LIKE '%$T%'")" = 0
check "only its hash is stored" test "$(sql "SELECT COUNT(*) FROM portal_login_tokens WHERE token_hash = '$T'")" = 0
HDR=$(curl -s -D - -o /dev/null -c "$WORK/jar2" "$BASE/hc/en-us/signin/token?token=$T" | tr -d '\r')
check "the link signs in (303 to my requests)" sh -c "echo \"\$1\" | grep -q '^HTTP/1.1 303' && echo \"\$1\" | grep -qi '^location: /hc/en-us/requests'" _ "$HDR"
MINE=$(curl -s -b "$WORK/jar2" "$BASE/hc/en-us/requests")
check "the session opens my requests" sh -c "echo \"\$1\" | grep -q 'Signed in as Mina Park'" _ "$MINE"
AGAIN=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/hc/en-us/signin/token?token=$T")
check "a second use is refused" test "$AGAIN" = 404
exit 0
