#!/bin/sh
# deps.sh - install the Debian packages Sonnim needs.
#   scripts/deps.sh run    what `make run` needs (build + runtime; node and
#                          npm build the agent workspace in web/)
#   scripts/deps.sh check  also what `make check` needs (tests, PostgreSQL,
#                          chromium for the browser tests, fonts-nanum so
#                          that Korean renders in its screenshots)
# As root it runs apt-get; otherwise it prints the exact command to run.
set -eu
RUN="build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
 libpq-dev libsodium-dev libstemmer-dev libmagic-dev libxml2-dev
 libgmime-3.0-dev libcurl4-openssl-dev libcmark-gfm-dev
 libcmark-gfm-extensions-dev libicu-dev nodejs npm"
CHECK="$RUN libcmocka-dev clang libclang-rt-14-dev postgresql wrk
 ca-certificates postfix dovecot-core dovecot-imapd dovecot-lmtpd swaks chromium
 fonts-nanum"
case "${1:-run}" in
  run) want=$RUN ;;
  check|bench) want=$CHECK ;;
  *) echo "usage: deps.sh run|check" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing="$missing $p"
done
# node may come from elsewhere (nvm, nodesource); accept any node >= 18 with npm
case "$missing" in *nodejs*|*npm*)
  if command -v node >/dev/null && command -v npm >/dev/null &&
     [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ]; then
    missing=$(echo "$missing" | sed 's/ nodejs//; s/ npm//')
  fi ;;
esac
[ -z "$(echo $missing)" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  # postfix: the tests start their own instances; the system one stays unconfigured
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq || true
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "deps: missing packages:$missing" >&2
  echo "deps: run: sudo apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
