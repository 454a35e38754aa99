#!/bin/sh
# community.sh - the community's follower notices end to end: job
# "community.notify" (channels/email/community_notify.c) mails the followers
# of a post through Postfix into Dovecot, where this script reads them over
# IMAP.  A post's author follows it, a commenter follows it, a topic's
# follower hears of every post's comments; nobody is told of their own
# comment; the official answer says so in the subject, in the follower's
# language (Korean for a "ko" user).
#
# Run by tests/mail/run.sh (suite "community") after tests/mail/servers.sh
# started Postfix and Dovecot; needs SMTP_PORT, IMAP_PORT and SONNIM_BIN.
# Last line "community: N passed, M failed".
set -u
: "${SMTP_PORT:?}" "${IMAP_PORT:?}" "${SONNIM_BIN:?}"
WORK=$(mktemp -d /tmp/sonnim-mail-community.XXXXXX)
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
	echo "community: $PASS passed, $FAIL failed"
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
uids() { imap_search "$1" "${2:-ALL}" | tr -d '\r' | sed -n 's/^\* SEARCH//p' | tr ' ' '\n' | grep -c .; }
has_n() { [ "$(uids "$1")" -ge "$2" ]; }
id_of() { sed -n 's/^{"[a-z]*":{"id":\([0-9]*\).*/\1/p'; }
sql() { sqlite3 -cmd ".timeout 5000" "$WORK/sonnim.db" "$1"; }
# the decoded subject lines of every message in a mailbox
subjects() {
	for u in $(imap_search "$1" | tr -d '\r' | sed -n 's/^\* SEARCH//p'); do
		imap_fetch "$1" "$u" | node -e '
		  let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
		    const head=s.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g," ");
		    const m=/^Subject: (.*)$/mi.exec(head);
		    console.log(m?m[1].replace(/\?=\s+=\?/g,"?==?").replace(/=\?utf-8\?b\?([^?]*)\?=/gi,(_,b)=>Buffer.from(b,"base64").toString("utf8")):"")})'
	done
}

"$SONNIM_BIN" init >"$WORK/init.txt" 2>&1 || { cat "$WORK/init.txt"; exit 1; }
TOKEN=$(sed -n 's/.*basic auth: admin@sonnim.example\/token:\([A-Za-z0-9]*\)).*/\1/p' "$WORK/admin.txt")
AUTH="admin@sonnim.example/token:$TOKEN"
"$SONNIM_BIN" serve >>"$WORK/sonnim.log" 2>&1 &
SPID=$!
wait_for 20 curl -fs "$BASE/healthz" || { bad "sonnim started"; exit 1; }
api POST /recipient_addresses.json \
	'{"recipient_address":{"email":"support@support.test","name":"ACME Support","default":true}}' >/dev/null
ASKER=asker$$@customer.test COMMENTER=commenter$$@customer.test WATCHER=watcher$$@customer.test
A=$(api POST /users.json "{\"user\":{\"name\":\"김민지\",\"email\":\"$ASKER\",\"role\":\"end-user\",\"locale\":\"ko\"}}" | id_of)
C=$(api POST /users.json "{\"user\":{\"name\":\"Chris Lee\",\"email\":\"$COMMENTER\",\"role\":\"end-user\"}}" | id_of)
W=$(api POST /users.json "{\"user\":{\"name\":\"Wendy Kim\",\"email\":\"$WATCHER\",\"role\":\"end-user\"}}" | id_of)
check "three customers" test -n "$A" -a -n "$C" -a -n "$W"
TOPIC=$(api POST /community/topics.json '{"topic":{"name":"Delivery"}}' | id_of)
# the watcher follows the topic (the table directly: the API only lets a
# user follow for themselves, and this script holds the admin's token)
sql "INSERT INTO community_subscriptions (content_type, content_id, user_id, created_at) VALUES ('Topic', $TOPIC, $W, 0)"
# an agent (the admin) writes as the customers: author_id
POST=$(api POST /community/posts.json "{\"post\":{\"title\":\"Parcel late $$\",\"details\":\"Where is it?\",\"topic_id\":$TOPIC,\"author_id\":$A}}" | id_of)
check "the post exists" test -n "$POST"
api POST "/community/posts/$POST/comments.json" "{\"comment\":{\"body\":\"Same here\",\"author_id\":$C}}" >/dev/null
check "the asker hears of the comment" wait_for 60 has_n "$ASKER" 1
check "the topic's follower hears of it" wait_for 60 has_n "$WATCHER" 1
api POST "/community/posts/$POST/comments.json" '{"comment":{"body":"It ships **tomorrow**.","official":true}}' >/dev/null
check "the asker gets the official answer" wait_for 60 has_n "$ASKER" 2
check "the commenter gets the official answer" wait_for 60 has_n "$COMMENTER" 1
api POST "/community/posts/$POST/comments.json" "{\"comment\":{\"body\":\"Thanks!\",\"author_id\":$A}}" >/dev/null
check "the commenter hears of the asker's thanks" wait_for 60 has_n "$COMMENTER" 2
check "the watcher heard of all three" wait_for 60 has_n "$WATCHER" 3
# every job done; then nobody got mail about their own comment
check "the notice jobs are done" wait_for 60 test "$(sql "SELECT COUNT(*) FROM jobs WHERE kind = 'community.notify' AND state <> 'done'")" = 0
check "the asker got 2 (not their own thanks)" test "$(uids "$ASKER")" = 2
check "the commenter got 2 (not their own comment)" test "$(uids "$COMMENTER")" = 2
SUBJ=$(subjects "$ASKER")
check "Korean subject for a Korean customer" sh -c "echo \"\$1\" | grep -q '\[커뮤니티\] 공식 답변: Parcel late'" _ "$SUBJ"
SUBJ=$(subjects "$COMMENTER")
check "English subject otherwise" sh -c "echo \"\$1\" | grep -q '\[Community\] Official answer: Parcel late'" _ "$SUBJ"
M=$(imap_fetch "$COMMENTER" "$(imap_search "$COMMENTER" | tr -d '\r' | sed -n 's/^\* SEARCH //p' | cut -d' ' -f1)")
check "Auto-Submitted: auto-generated" sh -c "echo \"\$1\" | tr -d '\r' | grep -qi '^Auto-Submitted: auto-generated'" _ "$M"
check "a stable Message-ID per comment and reader" sh -c "echo \"\$1\" | tr -d '\r' | grep -qi '^Message-ID: <cm\.c[0-9]*\.u$C@support.test>'" _ "$M"
exit 0
