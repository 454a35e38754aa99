#!/bin/sh
# messenger.sh - the messenger's channel switch end to end: a customer
# leaves their email in the widget and goes away; the agent's reply, unread
# after messenger_mail_delay, goes out through Postfix into the customer's
# Dovecot mailbox; a reply the widget has shown (read receipt) is not
# mailed; the customer's emailed answer (In-Reply-To the reply) comes back
# into the same conversation and shows in the widget's history.
#
# Run by tests/mail/run.sh (suite "messenger") after tests/mail/servers.sh
# started Postfix and Dovecot; needs SMTP_PORT, IMAP_PORT, SONNIM_LMTP_PORT
# (where Postfix delivers support.test) and SONNIM_BIN.
# Last line "messenger: N passed, M failed".
set -u
LMTP_PORT=${LMTP_PORT:-${SONNIM_LMTP_PORT:-}}
: "${SMTP_PORT:?}" "${IMAP_PORT:?}" "${LMTP_PORT:?}" "${SONNIM_BIN:?}"
WORK=$(mktemp -d /tmp/sonnim-mail-messenger.XXXXXX)
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
	SONNIM_BASE_URL=http://127.0.0.1:$PORT SONNIM_LMTP=127.0.0.1:$LMTP_PORT \
	SONNIM_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT SONNIM_SMTP_STARTTLS=2 \
	SONNIM_MAIL_CA_FILE=${MAIL_CA_FILE:-} SONNIM_MAIL_DOMAIN=support.test \
	SONNIM_IMAP_POLL=3600 SONNIM_LOG_LEVEL=1 SONNIM_MESSENGER_MAIL_DELAY=3
BASE=http://127.0.0.1:$PORT
API=$BASE/api/v2

finish() {
	if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; fi
	if [ "$FAIL" -gt 0 ]; then
		echo "---- sonnim log (last 40 lines) ----"
		tail -n 40 "$WORK/sonnim.log"
	fi
	rm -rf "$WORK"
	echo "messenger: $PASS passed, $FAIL failed"
}
trap finish EXIT

js() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);const v=($1);console.log(typeof v==='object'?JSON.stringify(v):v)})"; }
api() { curl -s -u "$AUTH" -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$API$2"; }
visitor() { # visitor METHOD PATH [JSON]: the widget's API with the conversation token
	curl -s -X "$1" -H "Authorization: Bearer $VTOK" -H 'Content-Type: application/json' ${3:+--data "$3"} "$BASE/messenger/v1$2"
}
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
has_mail_id() { [ -n "$(uid_of "$1" "$2")" ]; }
flush() { [ -n "${MAIL_DIR:-}" ] && sh "$(dirname "$0")/servers.sh" flush "$MAIL_DIR" >/dev/null 2>&1; return 0; }
sql() { sqlite3 -cmd ".timeout 5000" "$WORK/sonnim.db" "$1"; }

"$SONNIM_BIN" init >"$WORK/init.txt" 2>&1 || { cat "$WORK/init.txt"; exit 1; }
TOKEN=$(sed -n 's/.*basic auth: admin@sonnim.example\/token:\([A-Za-z0-9]*\)).*/\1/p' "$WORK/admin.txt")
AUTH="admin@sonnim.example/token:$TOKEN"
"$SONNIM_BIN" serve >>"$WORK/sonnim.log" 2>&1 &
SPID=$!
wait_for 20 curl -fs "$BASE/healthz" || { bad "sonnim started"; exit 1; }
api POST /recipient_addresses.json \
	'{"recipient_address":{"email":"support@support.test","name":"ACME Support","default":true}}' >/dev/null
KEY=$(api POST /sonnim/messenger/sites.json '{"site":{"name":"Shop","bot":false}}' | js 'j.site.key')
check "a messenger site" test "${#KEY}" = 32

# the customer writes in the widget, leaving an email (pre-chat), then leaves
RCPT=dana$$@customer.test
OUT=$(curl -s -X POST -H 'Content-Type: application/json' \
	--data "{\"body\":\"주문 취소하고 싶어요\",\"name\":\"Dana Kim\",\"email\":\"$RCPT\"}" \
	"$BASE/messenger/v1/sites/$KEY/conversations")
VTOK=$(echo "$OUT" | js 'j.token')
CONV=$(echo "$OUT" | js 'j.conversation.id')
T=$(echo "$OUT" | js 'j.conversation.ticket_id')
check "the conversation is ticket $T" test "$(api GET "/tickets/$T.json" | js 'j.ticket.via.channel')" = messaging

# 1. an unread reply goes out by email after the delay
api PUT "/tickets/$T.json" '{"ticket":{"comment":{"body":"주문을 취소해 드렸습니다.","public":true}}}' >/dev/null
C1=$(api GET "/tickets/$T/comments.json" | js 'j.comments[j.comments.length-1].id')
# the listener queues the job after the commit (the dispatcher's tick)
delayed_job() { test "$(sql "SELECT j.run_at - c.created_at >= 3 FROM jobs j, comments c WHERE c.id = $C1 AND j.kind = 'mail.send' AND j.payload LIKE '%\"comment_id\":$C1,%'")" = 1; }
check "the job waits messenger_mail_delay" wait_for 30 delayed_job
flush
check "the unread reply arrived by email" wait_for 60 has_mail_id "$RCPT" "t$T.c$C1@support.test"
M=$(imap_fetch "$RCPT" "$(uid_of "$RCPT" "t$T.c$C1@support.test")")
SUBJ=$(echo "$M" | tr -d '\r' | grep -i '^Subject:' | head -n 1)
check "the mail is about request #$T ($SUBJ)" sh -c "echo \"\$1\" | grep -q '#$T'" _ "$SUBJ"

# 2. a reply the widget showed (read receipt) is not mailed
api PUT "/tickets/$T.json" '{"ticket":{"comment":{"body":"Anything else?","public":true}}}' >/dev/null
C2=$(api GET "/tickets/$T/comments.json" | js 'j.comments[j.comments.length-1].id')
visitor POST "/conversations/$CONV/read" "{\"comment_id\":$C2}" >/dev/null
skipped() { sql "SELECT result FROM jobs WHERE kind = 'mail.send' AND state = 'done' AND payload LIKE '%\"comment_id\":$C2,%'" | grep -q 'read in the messenger'; }
check "the read reply's mail job skipped it" wait_for 60 skipped
no_mail_for_c2() { ! has_mail_id "$RCPT" "t$T.c$C2@support.test"; }
check "and no mail for it" no_mail_for_c2

# 3. the customer answers the mail: back in the same conversation
swaks --server "127.0.0.1:$SMTP_PORT" --silent 2 --from "$RCPT" --to support@support.test \
	--header "Subject: Re: 주문 취소" --header "In-Reply-To: <t$T.c$C1@support.test>" \
	--header "Message-Id: <dana-1@customer.test>" --header "Content-Type: text/plain; charset=utf-8" \
	--body "감사합니다, 환불은 언제 되나요?" || bad "swaks reply"
flush
answered() { visitor GET "/conversations/$CONV/messages" | js 'j.messages.map(m=>m.author+":"+m.body).join("|")' | grep -q 'visitor:감사합니다, 환불은 언제 되나요?'; }
check "the emailed answer shows in the widget's conversation" wait_for 60 answered
check "still one ticket" test "$(api GET /tickets.json | js 'j.count')" = 1
exit 0
