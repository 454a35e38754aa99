#!/bin/sh
# e2e.sh - the email channel end to end with real mail servers: a customer's
# mail goes swaks -> Postfix -> Sonnim's LMTP listener -> ticket; an agent's
# reply goes API -> job -> SMTP -> Postfix -> Dovecot, where this script
# reads it over IMAP and checks its headers and threading; the customer's
# answer to it comes back onto the same ticket; a Dovecot mailbox is polled
# over IMAP across a crash (kill -9) and yields every message exactly once;
# `sonnim mailgate` hands a message over HTTP; an auto-responder that
# answers everything stops at the per-sender limit; the auto-reply offers
# the answer bot's articles and its signed "this solved my request" link
# solves the ticket.
#
# Run by tests/mail/run.sh after tests/mail/servers.sh started Postfix and
# Dovecot; it needs SMTP_PORT, IMAP_PORT (Postfix, Dovecot) and LMTP_PORT
# (the port Postfix delivers support.test mail to, where this script starts
# Sonnim's listener) in the environment, and SONNIM_BIN.  Mail domains:
# customer.test and imap.test live in Dovecot (any user, password "pass"),
# support.test is Sonnim's.  Prints one line per check and last
# "e2e: N passed, M failed".
set -u
LMTP_PORT=${LMTP_PORT:-${SONNIM_LMTP_PORT:-}}
: "${SMTP_PORT:?}" "${IMAP_PORT:?}" "${LMTP_PORT:?}" "${SONNIM_BIN:?}"
WORK=$(mktemp -d /tmp/sonnim-mail-e2e.XXXXXX)
PASS=0 FAIL=0
SPID=""

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; }
check() { # check NAME COMMAND...
	name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

PORT=$(free_port)
export SONNIM_DATABASE=$WORK/sonnim.db SONNIM_DATA_DIR=$WORK SONNIM_PORT=$PORT \
	SONNIM_BASE_URL=http://127.0.0.1:$PORT SONNIM_LMTP=127.0.0.1:$LMTP_PORT \
	SONNIM_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT SONNIM_SMTP_STARTTLS=2 \
	SONNIM_MAIL_CA_FILE=${MAIL_CA_FILE:-} \
	SONNIM_MAIL_DOMAIN=support.test SONNIM_IMAP_POLL=3600 SONNIM_MAIL_RATE_LIMIT=5 \
	SONNIM_MAX_MAIL=2000000 SONNIM_LOG_LEVEL=1
API=http://127.0.0.1:$PORT/api/v2

start_sonnim() {
	"$SONNIM_BIN" serve >>"$WORK/sonnim.log" 2>&1 &
	SPID=$!
	for _ in $(seq 1 200); do
		curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "e2e: sonnim did not start; log:" >&2
	tail -n 50 "$WORK/sonnim.log" >&2
	return 1
}
stop_sonnim() {
	[ -n "$SPID" ] || return 0
	kill -"${1:-TERM}" "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=""
}
finish() {
	stop_sonnim
	if [ "$FAIL" -gt 0 ]; then
		echo "---- sonnim log (last 60 lines) ----"
		tail -n 60 "$WORK/sonnim.log"
	fi
	rm -rf "$WORK"
	echo "e2e: $PASS passed, $FAIL failed"
}
trap finish EXIT

# JSON: js EXPR reads stdin as `j`, prints the expression's value
js() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);const v=($1);console.log(typeof v==='object'?JSON.stringify(v):v)})"; }
api() { # api METHOD PATH [JSON]
	curl -s -u "$AUTH" -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$API$2"
}
# wait_for SECONDS COMMAND...: retry until it succeeds
wait_for() {
	t=$1
	shift
	n=$((t * 5))
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}
# imap USER COMMAND-or-UID: a SEARCH result or one message by UID
imap_search() { curl -s "imap://127.0.0.1:$IMAP_PORT/INBOX" -u "$1:pass" -X "UID SEARCH ${2:-ALL}"; }
imap_fetch() { curl -s "imap://127.0.0.1:$IMAP_PORT/INBOX;UID=$2" -u "$1:pass"; }
imap_count() { imap_search "$1" | tr -d '\r' | sed -n 's/^\* SEARCH//p' | wc -w; }
has_mails() { [ "$(imap_count "$1")" -ge "$2" ]; }
last_uid() { imap_search "$1" | tr -d '\r' | sed -n 's/^\* SEARCH//p' | tr ' ' '\n' | grep . | tail -n 1; }
header() { # header NAME < message: the first value of that header, unfolded
	tr -d '\r' | awk -v h="$1" 'BEGIN{IGNORECASE=1} /^$/{exit} /^[ \t]/{if(p){v=v $0};next} {if(p)exit; p=0} tolower(substr($0,1,length(h)+1))==tolower(h)":"{p=1;v=substr($0,length(h)+2)} END{sub(/^[ \t]+/,"",v);print v}'
}
swaks_send() { swaks --server "127.0.0.1:$SMTP_PORT" --silent 2 "$@"; }
flush() { [ -n "${MAIL_DIR:-}" ] && sh "$(dirname "$0")/servers.sh" flush "$MAIL_DIR" >/dev/null 2>&1; return 0; }

tickets_count() { api GET /tickets.json | js 'j.count'; }
BASE=0
ticket_count_is() { [ "$(tickets_count)" = "$((BASE + $1))" ]; }

# ---- set up ------------------------------------------------------------------
"$SONNIM_BIN" init >"$WORK/init.txt" 2>&1 || { cat "$WORK/init.txt"; exit 1; }
TOKEN=$(sed -n 's/.*basic auth: admin@sonnim.example\/token:\([A-Za-z0-9]*\)).*/\1/p' "$WORK/admin.txt")
AUTH="admin@sonnim.example/token:$TOKEN"
start_sonnim || exit 1
GROUP=$(api POST /groups.json '{"group":{"name":"Support"}}' | js 'j.group.id')
check "support address created" test "$(api POST /recipient_addresses.json \
	"{\"recipient_address\":{\"email\":\"support@support.test\",\"name\":\"ACME Support\",\"group_id\":$GROUP,\"default\":true}}" |
	js 'j.recipient_address.email')" = support@support.test

# ---- 0. the LMTP listener spoken to directly ----------------------------------
node "$(dirname "$0")/lmtp_proto.mjs" "127.0.0.1:$LMTP_PORT" >"$WORK/proto.out" 2>&1
cat "$WORK/proto.out"
PASS=$((PASS + $(grep -c '^ok ' "$WORK/proto.out")))
FAIL=$((FAIL + $(grep -c '^FAIL' "$WORK/proto.out")))
grep -q '^ok ' "$WORK/proto.out" || bad "lmtp_proto.mjs ran no check"
# the pipelined test message made a ticket: count from there
wait_for 30 sh -c "[ \$(curl -s -u '$AUTH' '$API/tickets.json' | node -e 'let s=\"\";process.stdin.on(\"data\",d=>s+=d).on(\"end\",()=>console.log(JSON.parse(s).count))') = 1 ]"
BASE=1

# ---- 1. customer -> Postfix -> LMTP -> ticket ---------------------------------
swaks_send --from alice@customer.test --to support@support.test \
	--header "Subject: =?UTF-8?B?67Cw7IahIOusuOydmA==?=" \
	--header "Message-Id: <order-1@customer.test>" \
	--header "Content-Type: text/plain; charset=utf-8" \
	--body "주문 1234번이 아직 도착하지 않았습니다." || bad "swaks to support"
flush
check "the mail became a ticket (via Postfix and LMTP)" wait_for 60 ticket_count_is 1
T=$(api GET /tickets.json | js 'j.tickets[j.tickets.length-1].id')
check "subject decoded" test "$(api GET "/tickets/$T.json" | js 'j.ticket.subject')" = "배송 문의"
check "routed to the address's group" test "$(api GET "/tickets/$T.json" | js 'j.ticket.group_id')" = "$GROUP"
check "via email" test "$(api GET "/tickets/$T.json" | js 'j.ticket.via.channel')" = email

# ---- 2. the "we received it" notice reaches the customer's mailbox -------------
# find a mail by its Message-ID (Postfix may deliver two mails out of order)
uid_of() { imap_search "$1" "HEADER Message-ID \"$2\"" | tr -d '\r' | sed -n 's/^\* SEARCH//p' | tr ' ' '\n' | grep . | tail -n 1; }
has_mail_id() { [ -n "$(uid_of "$1" "$2")" ]; }
check "auto-reply delivered to Dovecot" wait_for 60 has_mail_id alice@customer.test "t$T.c0@support.test"
M=$(imap_fetch alice@customer.test "$(uid_of alice@customer.test "t$T.c0@support.test")")
check "auto-reply is Auto-Submitted: auto-generated" test "$(echo "$M" | header Auto-Submitted)" = auto-generated
check "auto-reply threads to the customer's mail" test "$(echo "$M" | header In-Reply-To)" = "<order-1@customer.test>"
check "auto-reply subject carries [#$T]" sh -c "echo '$(echo "$M" | header Subject)' | grep -q '\[#$T\]'"
# the status link (core/portal.h): whatever the transfer encoding, then followed
link_of() {
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
	  const re=/(https?:\/\/[^\s"<>]*\/hc\/[a-z-]+\/requests\/\d+\?token=[0-9a-f]{40})/;
	  let m=re.exec(s.replace(/=\r?\n/g,"").replace(/=3D/gi,"="));
	  if(!m)for(const b of s.split(/\r?\n\r?\n/)){m=re.exec(Buffer.from(b.replace(/\s+/g,""),"base64").toString("utf8"));if(m)break}
	  console.log(m?m[1]:"")})'
}
LINK=$(echo "$M" | link_of)
check "auto-reply carries the request's status link ($LINK)" sh -c "echo \"\$1\" | grep -q '/requests/$T?token='" _ "$LINK"
check "the status link opens the request without an account" sh -c "curl -s \"\$1\" | grep -q 'requests/$T'" _ "$LINK"

# ---- 3. agent reply -> SMTP job -> Postfix -> Dovecot ---------------------------
api PUT "/tickets/$T.json" '{"ticket":{"comment":{"body":"확인해 보니 내일 도착 예정입니다.","public":true}}}' >/dev/null
CID=$(api GET "/tickets/$T/comments.json" | js 'j.comments[j.comments.length-1].id')
check "agent reply delivered" wait_for 60 has_mail_id alice@customer.test "t$T.c$CID@support.test"
M=$(imap_fetch alice@customer.test "$(uid_of alice@customer.test "t$T.c$CID@support.test")")
MID=$(echo "$M" | header Message-ID)
check "reply Message-ID is Sonnim's, one per comment (t$T.c$CID@support.test)" test "$MID" = "<t$T.c$CID@support.test>"
check "reply From is the support address" sh -c "echo '$(echo "$M" | header From)' | grep -q '<support@support.test>'"
check "reply In-Reply-To the customer's mail" test "$(echo "$M" | header In-Reply-To)" = "<order-1@customer.test>"
check "reply References the thread" sh -c "echo '$(echo "$M" | header References)' | grep -q 'order-1@customer.test'"
AS=$(echo "$M" | header Auto-Submitted)
check "an agent's reply is not Auto-Submitted${AS:+ (it says: $AS)}" test -z "$AS"

# ---- 4. the customer answers the reply: same ticket, quote stripped ------------
swaks_send --from alice@customer.test --to support@support.test \
	--header "Subject: Re: something" --header "In-Reply-To: $MID" \
	--header "References: <order-1@customer.test> $MID" \
	--header "Message-Id: <order-2@customer.test>" \
	--body "$(printf 'Thank you!\n\nOn Mon, Nov 23, 2026 at 10:00 AM ACME Support <support@support.test> wrote:\n> old text\n')" ||
	bad "swaks reply"
flush
comments_are() { [ "$(api GET "/tickets/$T/comments.json" | js 'j.comments.length')" = "$1" ]; }
check "the answer joined ticket $T" wait_for 60 comments_are 3
LAST=$(api GET "/tickets/$T/comments.json" | js 'j.comments[2].body')
check "quoted text stripped" test "$LAST" = "Thank you!"
check "still one ticket" ticket_count_is 1

# ---- 5. mailgate ----------------------------------------------------------------
printf 'From: bob@customer.test\r\nTo: support@support.test\r\nSubject: via mailgate\r\nMessage-ID: <gate-1@customer.test>\r\n\r\nhello\r\n' >"$WORK/gate.eml"
"$SONNIM_BIN" mailgate --url "http://127.0.0.1:$PORT" --auth "$AUTH" --recipient support@support.test <"$WORK/gate.eml"
check "mailgate exits 0" test $? -eq 0
check "mailgate message became a ticket" wait_for 30 ticket_count_is 2
"$SONNIM_BIN" mailgate --url "http://127.0.0.1:1" --auth "$AUTH" <"$WORK/gate.eml" 2>/dev/null
check "mailgate says EX_TEMPFAIL (75) when the server is away" test $? -eq 75

# ---- 6. IMAP polling across a crash ------------------------------------------------
for i in 1 2 3; do
	swaks_send --from "carol$i@customer.test" --to helpdesk@imap.test \
		--header "Subject: imap $i" --header "Message-Id: <imap-$i@customer.test>" --body "polled $i" ||
		bad "swaks imap $i"
done
flush
check "three mails in the polled mailbox" wait_for 60 has_mails helpdesk@imap.test 3
api POST /sonnim/imap_accounts.json "{\"imap_account\":{\"url\":\"imap://127.0.0.1:$IMAP_PORT/INBOX\",\"username\":\"helpdesk@imap.test\",\"password\":\"pass\",\"recipient\":\"support@support.test\"}}" >/dev/null
check "first poll takes 3" test "$(api POST /sonnim/imap_accounts/poll.json | js 'j.fetched')" = 3
check "tickets from IMAP" wait_for 30 ticket_count_is 5
stop_sonnim KILL # a crash: no goodbye
for i in 4 5; do
	swaks_send --from "carol$i@customer.test" --to helpdesk@imap.test \
		--header "Subject: imap $i" --header "Message-Id: <imap-$i@customer.test>" --body "polled $i" ||
		bad "swaks imap $i"
done
flush
check "two more in the mailbox" wait_for 60 has_mails helpdesk@imap.test 5
start_sonnim || exit 1
# the poller also polls once at start; either way the 2 new ones come in
api POST /sonnim/imap_accounts/poll.json >/dev/null
imap_rows() { api GET '/sonnim/mail/inbound.json?per_page=100' | js 'j.inbound_mails.filter(m=>m.source==="imap").length'; }
check "after the crash exactly the 2 new were taken (5 in all)" test "$(imap_rows)" = 5
check "a poll with nothing new takes 0" test "$(api POST /sonnim/imap_accounts/poll.json | js 'j.fetched')" = 0
check "each IMAP message exactly once" wait_for 30 ticket_count_is 7
check "messages are left in the mailbox (BODY.PEEK)" test "$(imap_count helpdesk@imap.test)" = 5

# ---- 7. an auto-responder storm stops ------------------------------------------------
# bot@customer.test answers every mail it gets with a new mail (no
# Auto-Submitted, a fresh subject) - the worst kind of responder.
BOT_SEEN=0
swaks_send --from bot@customer.test --to support@support.test --header "Subject: bot 0" \
	--header "Message-Id: <bot-0@customer.test>" --body "beep" || bad "swaks bot"
rounds=0
while [ $rounds -lt 30 ]; do
	flush
	if ! wait_for 15 sh -c "[ \$(curl -s 'imap://127.0.0.1:$IMAP_PORT/INBOX' -u bot@customer.test:pass -X 'UID SEARCH ALL' | tr -d '\r' | sed -n 's/^\* SEARCH//p' | wc -w) -gt $BOT_SEEN ]"; then
		break # Sonnim stopped answering
	fi
	BOT_SEEN=$(imap_count bot@customer.test)
	rounds=$((rounds + 1))
	swaks_send --from bot@customer.test --to support@support.test --header "Subject: bot $rounds" \
		--header "Message-Id: <bot-$rounds@customer.test>" --body "beep $rounds" || bad "swaks bot $rounds"
done
echo "     (storm: the bot was answered $rounds times)"
check "the storm stopped before 30 rounds" test "$rounds" -lt 30
BOT_IGNORED=$(api GET "/sonnim/mail/inbound.json?state=ignored" | js 'j.inbound_mails.filter(m=>m.from==="bot@customer.test"&&/rate limit/.test(m.reason)).length')
check "the rate limit stopped it" test "$BOT_IGNORED" -ge 1

# ---- 8. unprocessable mail is kept ------------------------------------------------------
printf 'garbage\r\n' | "$SONNIM_BIN" mailgate --url "http://127.0.0.1:$PORT" --auth "$AUTH" >/dev/null 2>&1
failed_listed() { [ "$(api GET '/sonnim/mail/inbound.json?state=failed' | js 'j.inbound_mails.length')" -ge 1 ]; }
check "unprocessable mail listed" wait_for 30 failed_listed
FID=$(api GET '/sonnim/mail/inbound.json?state=failed' | js 'j.inbound_mails[0].id')
check "its .eml downloads byte for byte" test "$(curl -s -u "$AUTH" "$API/sonnim/mail/inbound/$FID/raw")" = "$(printf 'garbage\r\n')"

# ---- 9. a trigger mails the requester on create (issue 5 through the mail path)
api POST /triggers.json '{"trigger":{"title":"Notify requester of received request","conditions":{"all":[{"field":"update_type","operator":"is","value":"Create"},{"field":"subject","operator":"includes_string","value":"trigger-mail"}],"any":[]},"actions":[{"field":"notification_user","value":["requester_id","[{{ticket.id}}] {{ticket.title}} 접수","{{ticket.requester.first_name | default: \"고객\"}}님, 요청 #{{ticket.id}}이 접수되었습니다."]}]}}' >/dev/null
TT=$(api POST /tickets.json '{"ticket":{"subject":"trigger-mail 확인","comment":{"body":"hello"},"requester":{"name":"Dave Kim","email":"dave@customer.test"}}}' | js 'j.ticket.id')
# Dave also gets the API comment itself (an agent's public reply): find the
# automatic one
auto_uid() { imap_search dave@customer.test 'HEADER Auto-Submitted "auto-generated"' | tr -d '\r' | sed -n 's/^\* SEARCH//p' | tr ' ' '\n' | grep . | tail -n 1; }
has_auto() { [ -n "$(auto_uid)" ]; }
check "the trigger's notification reaches the requester's mailbox" wait_for 60 has_auto
M=$(imap_fetch dave@customer.test "$(auto_uid)")
# RFC 2047 words decoded (B and Q, UTF-8), whitespace between words dropped
dec2047() { node -e 'const s=process.argv[1].replace(/\?=\s+=\?/g,"?==?");console.log(s.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi,(_,e,t)=>e.toLowerCase()==="b"?Buffer.from(t,"base64").toString("utf8"):Buffer.from(t.replace(/_/g," ").replace(/=([0-9a-f]{2})/gi,(_,h)=>String.fromCharCode(parseInt(h,16))),"latin1").toString("utf8")))' "$1"; }
SUBJ=$(dec2047 "$(echo "$M" | header Subject)")
check "placeholders rendered in the notification subject ($SUBJ)" test "$SUBJ" = "[$TT] trigger-mail 확인 접수"
check "the notification is Auto-Submitted and names ticket $TT" sh -c "[ '$(echo "$M" | header Auto-Submitted)' = auto-generated ] && [ '$(echo "$M" | header X-Sonnim-Ticket-Id)' = '$TT' ]"

# ---- 10. the auto-reply suggests articles; "this solved it" solves the ticket
HCAT=$(api POST /help_center/en-us/categories.json '{"category":{"name":"Orders"}}' | js 'j.category.id')
HSEC=$(api POST "/help_center/en-us/categories/$HCAT/sections.json" '{"section":{"name":"Refunds"}}' | js 'j.section.id')
HART=$(api POST "/help_center/en-us/sections/$HSEC/articles.json" '{"article":{"title":"Refund policy","body":"You get a full refund within 14 days of delivery."}}' | js 'j.article.id')
api POST "/help_center/en-us/sections/$HSEC/articles.json" '{"article":{"title":"Gift wrapping","body":"We wrap presents for free."}}' >/dev/null
swaks_send --from erin@customer.test --to support@support.test --header "Subject: refund for my order" \
	--header "Message-Id: <refund-1@customer.test>" --body "How do I get a refund? The box was too small." || bad "swaks erin"
flush
has_erin() { [ "$(imap_count erin@customer.test)" -ge 1 ]; }
check "the auto-reply with suggestions reaches the customer" wait_for 60 has_erin
M=$(imap_fetch erin@customer.test "$(last_uid erin@customer.test)")
ET=$(echo "$M" | header X-Sonnim-Ticket-Id)
# the body, whatever the transfer encoding (quoted-printable or base64)
body_of() {
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
	  let t=/quoted-printable/i.test(s)?s.replace(/=\r?\n/g,"").replace(/=([0-9A-F]{2})/g,(_,h)=>String.fromCharCode(parseInt(h,16))):s;
	  for(const b of s.split(/\r?\n\r?\n/)){const d=Buffer.from(b.replace(/\s+/g,""),"base64").toString("utf8");if(/answers\//.test(d))t+=d}
	  console.log(t)})'
}
B=$(echo "$M" | body_of)
check "the auto-reply suggests the refund article" sh -c "echo \"\$1\" | grep -q 'These articles may answer your question' && echo \"\$1\" | grep -q 'Refund policy'" _ "$B"
SOLVE=$(echo "$B" | grep -o "https\?://[^ \"<>]*/hc/en-us/answers/$HART?token=[0-9a-f]\{40\}" | head -n 1)
check "with a signed 'this solved my request' link ($SOLVE)" test -n "$SOLVE"
STOK=$(echo "$SOLVE" | sed 's/.*token=//')
check "opening the link changes nothing (mail scanners open links)" sh -c "curl -s \"\$1\" | grep -q 'name=\"value\" value=\"solved\"' && [ \"\$(curl -s -u '$AUTH' '$API/tickets/$ET.json' | node -e 'let s=\"\";process.stdin.on(\"data\",d=>s+=d).on(\"end\",()=>console.log(JSON.parse(s).ticket.status))')\" = new ]" _ "$SOLVE"
check "a forged token is refused" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data "token=$(printf '%040d' 0)&value=solved" "http://127.0.0.1:$PORT/hc/en-us/answers/$HART")" = 404
check "'Yes, this solved it' solves the request" sh -c "curl -s -X POST --data 'token=$STOK&value=solved' 'http://127.0.0.1:$PORT/hc/en-us/answers/$HART' | grep -q 'is now solved'"
check "the ticket is solved by the answer bot" test "$(api GET "/tickets/$ET.json" | js 'j.ticket.status')" = solved
check "the deflection is resolved with that article (feeds ranking)" test "$(api POST /answer_bot/resolution.json "{\"interaction_access_token\":\"$STOK\",\"article_id\":$HART}" | js 'j.error')" = AlreadyRecorded
exit 0
