#!/bin/sh
# campaign.sh - an outbound campaign end to end: an admin sends a campaign
# to a tag segment; the "campaign.send" job fans it out, "campaign.mail"
# sends each email through Postfix into the customers' Dovecot mailboxes,
# where this script reads them over IMAP: the placeholders are rendered,
# the mail carries List-Unsubscribe + List-Unsubscribe-Post (RFC 8058) and
# the unsubscribe link in its body; the member who opted out before gets
# nothing; sending again delivers nothing twice; the one-click POST to the
# List-Unsubscribe URL opts the customer out, and the next campaign skips
# them.
#
# Run by tests/mail/run.sh (suite "campaign") after tests/mail/servers.sh
# started Postfix and Dovecot; needs SMTP_PORT, IMAP_PORT and SONNIM_BIN.
# Last line "campaign: N passed, M failed".
set -u
: "${SMTP_PORT:?}" "${IMAP_PORT:?}" "${SONNIM_BIN:?}"
WORK=$(mktemp -d /tmp/sonnim-mail-campaign.XXXXXX)
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
	echo "campaign: $PASS passed, $FAIL failed"
}
trap finish EXIT

api() { curl -s -u "$AUTH" -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$API$2"; }
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v==null?v:v[k];console.log(typeof v==="object"?JSON.stringify(v):v)})' "$1"; }
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
uids() { imap_search "$1" "$2" | tr -d '\r' | sed -n 's/^\* SEARCH//p' | tr ' ' '\n' | grep -c .; }
has_uid() { [ "$(uids "$1" "$2")" -gt 0 ]; }
# a header's value (unfolded), from a message on stdin
header() { tr -d '\r' | awk -v h="$1" '/^$/{exit} /^[ \t]/{if(p)v=v $0;next} {p=0} tolower(substr($0,1,length(h)+1)) == tolower(h) ":" {p=1;v=substr($0,length(h)+2)} END{gsub(/^[ \t]+|[ \t]+$/,"",v);print v}'; }
campaign_done() { # campaign_done ID TOTAL: sent, nothing queued, TOTAL deliveries
	c=$(api GET "/sonnim/campaigns/$1.json")
	[ "$(echo "$c" | json campaign.status)" = sent ] && [ "$(echo "$c" | json campaign.counts.queued)" = 0 ] &&
		[ "$(echo "$c" | json campaign.counts.total)" = "$2" ]
}

"$SONNIM_BIN" init >"$WORK/init.txt" 2>&1 || { cat "$WORK/init.txt"; exit 1; }
TOKEN=$(sed -n 's/.*basic auth: admin@sonnim.example\/token:\([A-Za-z0-9]*\)).*/\1/p' "$WORK/admin.txt")
AUTH="admin@sonnim.example/token:$TOKEN"
"$SONNIM_BIN" serve >>"$WORK/sonnim.log" 2>&1 &
SPID=$!
wait_for 20 curl -fs "$BASE/healthz" || { bad "sonnim started"; exit 1; }
api POST /recipient_addresses.json \
	'{"recipient_address":{"email":"support@support.test","name":"ACME Support","default":true}}' >/dev/null
TAG=delay$$
A=ara$$@customer.test
B=bora$$@customer.test
api POST /users.json "{\"user\":{\"name\":\"김 아라\",\"email\":\"$A\",\"role\":\"end-user\",\"locale\":\"ko\",\"tags\":[\"$TAG\"]}}" >/dev/null
BID=$(api POST /users.json "{\"user\":{\"name\":\"Bora Lee\",\"email\":\"$B\",\"role\":\"end-user\",\"tags\":[\"$TAG\"]}}" | json user.id)

C=$(api POST /sonnim/campaigns.json "{\"campaign\":{\"name\":\"shipping delay\",\"channels\":[\"email\"],\"segment\":{\"tags_all\":[\"$TAG\"]},\"subject\":\"{{user.first_name}}님, 배송 지연 안내 (order delay)\",\"body\":\"{{user.name}}님, 주문하신 상품이 늦어지고 있습니다.\"}}" | json campaign.id)
check "the campaign was created" test -n "$C"
# bora opts out first, through her own link's one-click POST
BURL=$(api GET "/sonnim/campaigns/$C/preview.json?user_id=$BID" | json preview.unsubscribe_url)
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'List-Unsubscribe=One-Click' "$BURL")
check "bora's one-click opt-out is recorded" test "$CODE" = 200

api POST "/sonnim/campaigns/$C/send_now.json" >/dev/null
check "ara's campaign mail arrived" wait_for 60 has_uid "$A" 'SUBJECT "order delay"'
check "the campaign finished: 1 sent, 1 opted out" wait_for 30 campaign_done "$C" 2
COUNTS=$(api GET "/sonnim/campaigns/$C.json" | json campaign.counts)
check "counts say so ($COUNTS)" sh -c "echo '$COUNTS' | grep -q '\"sent\":1' && echo '$COUNTS' | grep -q '\"opted_out\":1'"
M=$(imap_fetch "$A" "$(imap_search "$A" 'SUBJECT "order delay"' | tr -d '\r' | sed -n 's/^\* SEARCH //p' | awk '{print $1}')")
LU=$(echo "$M" | header List-Unsubscribe)
check "List-Unsubscribe points at the unsubscribe page ($LU)" sh -c "echo '$LU' | grep -Eq '^<http://127.0.0.1:$PORT/hc/unsubscribe\?token=[0-9]+-[0-9a-f]{64}&locale=ko>$'"
check "List-Unsubscribe-Post: List-Unsubscribe=One-Click" test "$(echo "$M" | header List-Unsubscribe-Post)" = "List-Unsubscribe=One-Click"
check "Auto-Submitted: auto-generated" test "$(echo "$M" | header Auto-Submitted)" = "auto-generated"
MID=$(echo "$M" | header Message-ID)
check "the Message-ID is the delivery's ($MID)" sh -c "echo '$MID' | grep -Eq '^<campaign$C\.d[0-9]+@support\.test>$'"
# the text of every part, whatever its transfer encoding (base64 or
# quoted-printable), as UTF-8
BODY=$(echo "$M" | node -e '
let s = "";
process.stdin.on("data", (d) => (s += d)).on("end", () => {
  let out = "";
  for (const b of s.split(/\r?\n\r?\n/)) {
    const t = b.replace(/\s+/g, "");
    if (/^[A-Za-z0-9+\/=]+$/.test(t) && t.length > 16) { out += Buffer.from(t, "base64").toString("utf8") + "\n"; continue; }
    const flat = b.replace(/=\r?\n/g, "");
    const bytes = [];
    for (let i = 0; i < flat.length; i++) {
      const m = /^=([0-9A-F]{2})/.exec(flat.slice(i, i + 3));
      if (m) { bytes.push(parseInt(m[1], 16)); i += 2; } else bytes.push(...Buffer.from(flat[i], "utf8"));
    }
    out += Buffer.from(bytes).toString("utf8") + "\n";
  }
  console.log(out);
})')
check "the body is rendered for ara" sh -c "echo \"\$1\" | grep -q '김 아라님, 주문하신 상품이 늦어지고 있습니다.'" _ "$BODY"
check "the body holds the unsubscribe link" sh -c "echo \"\$1\" | grep -q '/hc/unsubscribe?token='" _ "$BODY"
check "bora got nothing" test "$(uids "$B" ALL)" = 0

# again: nothing twice
api POST "/sonnim/campaigns/$C/send_now.json" >/dev/null
api POST "/sonnim/campaigns/$C/send_now.json" >/dev/null
sleep 2
check "sending again delivers nothing twice" wait_for 30 campaign_done "$C" 2
check "ara holds exactly one copy" test "$(uids "$A" 'SUBJECT "order delay"')" = 1

# ara follows the List-Unsubscribe URL with the RFC 8058 POST
URL=$(echo "$LU" | sed 's/^<//; s/>$//')
CODE=$(curl -s -o "$WORK/unsub.html" -w '%{http_code}' -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data 'List-Unsubscribe=One-Click' "$URL")
check "the one-click POST opts ara out" sh -c "test $CODE = 200 && grep -q '수신 거부되었습니다' '$WORK/unsub.html'"
C2=$(api POST /sonnim/campaigns.json "{\"campaign\":{\"name\":\"second\",\"channels\":[\"email\"],\"segment\":{\"tags_all\":[\"$TAG\"]},\"subject\":\"두 번째 안내 (second notice)\",\"body\":\"또 보냅니다\"}}" | json campaign.id)
api POST "/sonnim/campaigns/$C2/send_now.json" >/dev/null
check "the next campaign skips both" wait_for 30 campaign_done "$C2" 2
check "...as opted out" test "$(api GET "/sonnim/campaigns/$C2.json" | json campaign.counts.opted_out)" = 2
check "no second mail reached ara" test "$(uids "$A" 'SUBJECT "second notice"')" = 0
exit 0
