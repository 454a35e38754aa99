#!/bin/sh
# notify.sh - the "mail.notify" job end to end (channels/email/notify.c):
# a job queued for a ticket renders its subject and body placeholders,
# goes out over SMTP through Postfix and lands in the requester's Dovecot
# mailbox, where this script reads it over IMAP and checks the Message-ID
# (t<ticket>.n<job>@support.test), Auto-Submitted, the rendered subject and
# body, and that the Message-ID was recorded for threading; a job for a
# recipient without an address ends "skipped".
#
# Run by tests/mail/run.sh (suite "notify") after tests/mail/servers.sh
# started Postfix and Dovecot; needs SMTP_PORT, IMAP_PORT and SONNIM_BIN.
# The job is queued with sqlite3 straight into the jobs table (the trigger
# that will queue it in production is not merged yet).  Last line
# "notify: N passed, M failed".
set -u
: "${SMTP_PORT:?}" "${IMAP_PORT:?}" "${SONNIM_BIN:?}"
WORK=$(mktemp -d /tmp/sonnim-mail-notify.XXXXXX)
PASS=0 FAIL=0
SPID=""
ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
PORT=$(free_port)
LPORT=$(free_port)
export SONNIM_DATABASE=$WORK/sonnim.db SONNIM_DATA_DIR=$WORK SONNIM_PORT=$PORT \
	SONNIM_BASE_URL=http://127.0.0.1:$PORT SONNIM_LMTP=127.0.0.1:$LPORT \
	SONNIM_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT SONNIM_SMTP_STARTTLS=2 \
	SONNIM_MAIL_CA_FILE=${MAIL_CA_FILE:-} SONNIM_MAIL_DOMAIN=support.test \
	SONNIM_IMAP_POLL=3600 SONNIM_LOG_LEVEL=1
API=http://127.0.0.1:$PORT/api/v2

finish() {
	if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; fi
	if [ "$FAIL" -gt 0 ]; then
		echo "---- sonnim log (last 40 lines) ----"
		tail -n 40 "$WORK/sonnim.log"
	fi
	rm -rf "$WORK"
	echo "notify: $PASS passed, $FAIL failed"
}
trap finish EXIT

js() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);const v=($1);console.log(typeof v==='object'?JSON.stringify(v):v)})"; }
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
uid_of() { imap_search "$1" "HEADER Message-ID \"$2\"" | tr -d '\r' | sed -n 's/^\* SEARCH//p' | tr ' ' '\n' | grep . | tail -n 1; }
has_uid() { [ -n "$(uid_of "$1" "$2")" ]; }
header() {
	tr -d '\r' | awk -v h="$1" 'BEGIN{IGNORECASE=1} /^$/{exit} /^[ \t]/{if(p){v=v $0};next} {if(p)exit; p=0} tolower(substr($0,1,length(h)+1))==tolower(h)":"{p=1;v=substr($0,length(h)+2)} END{sub(/^[ \t]+/,"",v);print v}'
}
sql() { sqlite3 -cmd ".timeout 5000" "$WORK/sonnim.db" "$1"; }

"$SONNIM_BIN" init >"$WORK/init.txt" 2>&1 || { cat "$WORK/init.txt"; exit 1; }
TOKEN=$(sed -n 's/.*basic auth: admin@sonnim.example\/token:\([A-Za-z0-9]*\)).*/\1/p' "$WORK/admin.txt")
AUTH="admin@sonnim.example/token:$TOKEN"
"$SONNIM_BIN" serve >>"$WORK/sonnim.log" 2>&1 &
SPID=$!
wait_for 20 curl -fs "http://127.0.0.1:$PORT/healthz" || { bad "sonnim started"; exit 1; }
api POST /recipient_addresses.json \
	'{"recipient_address":{"email":"support@support.test","name":"ACME Support","default":true}}' >/dev/null

RCPT=notify$$@customer.test
T=$(api POST /tickets.json "{\"ticket\":{\"subject\":\"Printer <jam>\",\"comment\":{\"body\":\"It jams.\"},\"requester\":{\"name\":\"Alice Kim\",\"email\":\"$RCPT\"}}}" | js 'j.ticket.id')
check "ticket created" test -n "$T"

queue() { # queue RECIPIENT: the new job's id
	sql "INSERT INTO jobs (kind, payload, run_at, max_attempts, created_at, updated_at) VALUES ('mail.notify', '{\"ticket_id\":$T,\"recipient\":\"$1\",\"actor_id\":1,\"subject\":\"Update on #{{ticket.id}}: {{ticket.status | upcase}}\",\"body\":\"Hi {{ticket.requester.first_name}},\\nyour request {{ticket.title}} is {{ticket.status}}.\\n{{ticket.url}}\\n-- {{current_user.name}}\"}', 0, 8, 1, 1) RETURNING id"
}
J=$(queue requester)
MID="t$T.n$J@support.test"
check "the notification arrived ($MID)" wait_for 60 has_uid "$RCPT" "$MID"
M=$(imap_fetch "$RCPT" "$(uid_of "$RCPT" "$MID")")
check "subject rendered" test "$(echo "$M" | header Subject)" = "Update on #$T: NEW"
check "Auto-Submitted: auto-generated" test "$(echo "$M" | header Auto-Submitted)" = auto-generated
check "from the ticket's support address" sh -c "echo \"\$1\" | grep -qi '^From:.*<support@support.test>'" _ "$M"
check "X-Sonnim-Ticket-Id" test "$(echo "$M" | header X-Sonnim-Ticket-Id)" = "$T"
check "text part rendered" sh -c "echo \"\$1\" | tr -d '\r' | grep -q '^Hi Alice,'" _ "$M"
TO=$(echo "$M" | header To)
check "the recipient only in the envelope (To: $TO)" sh -c "echo \"\$1\" | grep -q support@support.test && ! echo \"\$1\" | grep -q \"\$2\"" _ "$TO" "$RCPT"
check "html part escapes the title" sh -c "echo \"\$1\" | tr -d '\r' | grep -q 'Printer &lt;jam&gt;'" _ "$M"
check "the job is done with its Message-ID" test "$(sql "SELECT state FROM jobs WHERE id = $J")" = done
check "the Message-ID is recorded for threading" test "$(sql "SELECT COUNT(*) FROM mail_message_ids WHERE message_id = '$MID'" 2>/dev/null || echo 0)" = 1
J2=$(queue assignee)
is_done() { [ "$(sql "SELECT state FROM jobs WHERE id = $1")" = done ]; }
check "no assignee: the job ends" wait_for 30 is_done "$J2"
check "... skipped" sh -c "sql() { sqlite3 -cmd '.timeout 5000' '$WORK/sonnim.db' \"\$1\"; }; sql 'SELECT result FROM jobs WHERE id = $J2' | grep -q skipped"
exit 0
