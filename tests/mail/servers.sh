#!/bin/sh
# servers.sh - a throwaway Postfix and Dovecot for the mail tests.
#
#   tests/mail/servers.sh start DIR   write the configuration into DIR, start
#                                     both servers, wait until their ports
#                                     accept connections, print the env lines
#   tests/mail/servers.sh env DIR     print the env lines again
#   tests/mail/servers.sh flush DIR   ask Postfix to retry its queue now
#                                     (postqueue -f), e.g. once Sonnim listens
#   tests/mail/servers.sh logs DIR    print both servers' logs
#   tests/mail/servers.sh stop DIR    stop both servers and remove DIR
#
# Everything lives in DIR (an empty directory, best `mktemp -d` under /tmp;
# no spaces): configuration, queue, mailboxes, certificate, logs.  Nothing
# in /etc is read or written and neither system instance is touched.  Both
# servers listen on 127.0.0.1 only, on free ports picked at start.
#
# stdout carries nothing but the env lines (progress and errors go to
# stderr), so a caller does
#   set -a; eval "$(sh tests/mail/servers.sh start "$dir")"; set +a
# and gets:
#   SMTP_PORT=N          Postfix smtpd; STARTTLS and AUTH offered, not needed
#   IMAP_PORT=N          Dovecot IMAP, plain (STARTTLS offered, not required)
#   DOVECOT_LMTP_PORT=N  Dovecot LMTP (what Postfix delivers the customers to)
#   SONNIM_LMTP_PORT=N   where Postfix delivers support.test: $SONNIM_LMTP_PORT
#                        as given to start, else a free port picked for it
#   MAIL_DIR=DIR         this directory (absolute)
#   DOVECOT_CONF=F       for `doveadm -c F ...` (mailbox create/delete, fetch)
#   MAIL_CA_FILE=F       the self-signed certificate both servers present
#                        (CN localhost, SAN 127.0.0.1 + localhost), to trust
#
# Mail routing (Postfix transport_maps):
#   *@customer.test, *@imap.test  -> Dovecot over LMTP; mailbox
#                                    DIR/mail/<domain>/<name> (maildir)
#   *@support.test                -> LMTP at 127.0.0.1:$SONNIM_LMTP_PORT;
#                                    while nothing listens there the mail
#                                    stays queued and Postfix retries every
#                                    2-4 s (`flush` retries at once)
#   anything else                 -> refused at RCPT TO ("554 5.7.1 Relay
#                                    access denied"), also from 127.0.0.1
# Clients on 127.0.0.0/8 (mynetworks) need no AUTH; AUTH PLAIN/LOGIN with
# an IMAP login (below) works too (Dovecot checks it for Postfix) but lets
# nothing more through.  "+" is the recipient delimiter:
# alice+Support@customer.test is delivered into alice's folder "Support"
# when it exists (else INBOX).
#
# IMAP logins: any <name>@customer.test or <name>@imap.test, password
# "pass" (static passdb with a username filter), mechanisms PLAIN and
# LOGIN, allowed without TLS.  Mail is stored by the unprivileged `mail`
# user (Debian's uid 8); DIR/mail belongs to it.  Postfix runs as its
# `postfix` user with its queue in DIR/postfix/queue.
#
# Needs root (Postfix's master and Dovecot start as root, then drop
# privileges), Debian's postfix, dovecot-core, dovecot-imapd,
# dovecot-lmtpd, openssl and perl (for free ports and waiting on them).
# start gives up after 30 s per server, prints the logs to stderr, stops
# whatever it started and exits 1.  stop refuses to remove a directory
# that start did not make.
set -eu

MARK=.sonnim-mail-servers
PATH=$PATH:/usr/sbin:/sbin
MAIL_USER=mail
WAIT_SECONDS=30

usage() {
	echo "usage: tests/mail/servers.sh start|env|flush|logs|stop DIR" >&2
	exit 2
}

fail() {
	echo "servers.sh: $*" >&2
	exit 1
}

# Absolute path of DIR (which must exist).
absdir() {
	(cd "$1" 2>/dev/null && pwd -P) || fail "no directory '$1'"
}

# free_ports N: N distinct free TCP ports on 127.0.0.1, one a line.  The
# sockets are held until all are picked, so the ports differ; the kernel
# may hand one out again before the server binds it (start then fails and
# says so in the log).
free_ports() {
	perl -MIO::Socket::INET -e '
		my @s;
		for (1 .. $ARGV[0]) {
			my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
				Proto => "tcp", Listen => 1, ReuseAddr => 1) or die "bind: $!\n";
			push @s, $s;
			print $s->sockport, "\n";
		}' "$1"
}

# wait_port PORT SECONDS: 0 once 127.0.0.1:PORT accepts a connection.
wait_port() {
	perl -MIO::Socket::INET -e '
		my ($port, $secs) = @ARGV;
		for (my $i = 0; $i < $secs * 10; $i++) {
			my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port,
				Proto => "tcp", Timeout => 1);
			if ($s) { close $s; exit 0 }
			select(undef, undef, undef, 0.1);
		}
		exit 1' "$1" "$2"
}

# pid_alive FILE: 0 when FILE names a running process.
pid_alive() {
	[ -f "$1" ] || return 1
	pid=$(awk 'NR == 1 { print $1 }' "$1")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

print_env() {
	cat "$1/env"
}

logs() {
	for f in "$1/postfix/start.log" "$1/postfix/postfix.log" "$1/dovecot/start.log" \
		"$1/dovecot/dovecot.log"; do
		[ -s "$f" ] || continue
		echo "==== $f"
		tail -n 200 "$f"
	done
}

# wait_gone PID NAME: wait up to 10 s for PID to end, else kill -9 its
# process group (both masters lead their own session, their children in
# it); 1 when it had to be killed.
wait_gone() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 "$1" 2>/dev/null || return 0
	echo "servers.sh: $2 ($1) did not stop; killing its process group" >&2
	kill -9 -- "-$1" 2>/dev/null || kill -9 "$1" 2>/dev/null || true
	return 1
}

# stop_servers DIR: tell both masters to stop (each ends its children),
# then wait for them; both are asked first, as Dovecot takes a few seconds.
stop_servers() {
	dir=$1
	rc=0
	dpid="" ppid_=""
	if [ -f "$dir/postfix/etc/main.cf" ] && pid_alive "$dir/postfix/queue/pid/master.pid"; then
		ppid_=$(awk 'NR == 1 { print $1 }' "$dir/postfix/queue/pid/master.pid")
		postfix -c "$dir/postfix/etc" stop >>"$dir/postfix/start.log" 2>&1 ||
			kill "$ppid_" 2>/dev/null || true
	fi
	if [ -f "$dir/dovecot/dovecot.conf" ] && pid_alive "$dir/dovecot/run/master.pid"; then
		dpid=$(awk 'NR == 1 { print $1 }' "$dir/dovecot/run/master.pid")
		kill "$dpid" 2>/dev/null || true
	fi
	[ -z "$ppid_" ] || wait_gone "$ppid_" "postfix master" || rc=1
	[ -z "$dpid" ] || wait_gone "$dpid" "dovecot master" || rc=1
	return $rc
}

# start_failed DIR WHAT: print the logs, stop what runs, exit 1.
start_failed() {
	echo "servers.sh: $2" >&2
	logs "$1" >&2
	stop_servers "$1" || true
	exit 1
}

write_postfix() {
	dir=$1
	pf=$dir/postfix
	# the configuration directory must not contain the queue (postfix
	# check wants everything under it owned by root)
	mkdir -p "$pf/etc" "$pf/queue" "$pf/data"
	chown postfix "$pf/data"
	chmod 700 "$pf/data"
	cat >"$pf/etc/transport" <<EOF
customer.test	lmtp:inet:127.0.0.1:$DOVECOT_LMTP_PORT
imap.test	lmtp:inet:127.0.0.1:$DOVECOT_LMTP_PORT
support.test	lmtp:inet:127.0.0.1:$SONNIM_LMTP_PORT
EOF
	cat >"$pf/etc/main.cf" <<EOF
# tests/mail/servers.sh: a private Postfix for the mail tests
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $pf/postfix.log
maillog_file_prefixes = $dir
syslog_name = sonnim-test-postfix

myhostname = mx.sonnim.test
mydomain = sonnim.test
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
recipient_delimiter = +
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8

# three domains over LMTP, nothing else is accepted or sent
relay_domains = customer.test imap.test support.test
relay_recipient_maps =
transport_maps = texthash:$pf/etc/transport
default_transport = error:the test Postfix sends no mail outside its domains
relay_transport = \$default_transport
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_tls_security_level = may
smtpd_tls_cert_file = $dir/tls/cert.pem
smtpd_tls_key_file = $dir/tls/key.pem
# AUTH is offered (and optional), checked by Dovecot
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $dir/dovecot/auth-postfix
smtpd_tls_auth_only = no
smtpd_error_sleep_time = 0
lmtp_tls_security_level = none
message_size_limit = 60000000

# retry fast: Sonnim's LMTP listener starts after Postfix
minimal_backoff_time = 2s
maximal_backoff_time = 4s
queue_run_delay = 2s
transport_retry_time = 2s
lmtp_connect_timeout = 5s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
delay_warning_time = 0
EOF
	# chroot off everywhere (there is no chroot tree in DIR)
	cat >"$pf/etc/master.cf" <<EOF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
pickup     unix n - n 60   1 pickup
cleanup    unix n - n -    0 cleanup
qmgr       unix n - n 300  1 qmgr
tlsmgr     unix - - n 1000? 1 tlsmgr
rewrite    unix - - n -    - trivial-rewrite
bounce     unix - - n -    0 bounce
defer      unix - - n -    0 bounce
trace      unix - - n -    0 bounce
verify     unix - - n -    1 verify
flush      unix n - n 1000? 0 flush
proxymap   unix - - n -    - proxymap
proxywrite unix - - n -    1 proxymap
smtp       unix - - n -    - smtp
relay      unix - - n -    - smtp
showq      unix n - n -    - showq
error      unix - - n -    - error
retry      unix - - n -    - error
discard    unix - - n -    - discard
lmtp       unix - - n -    - lmtp
anvil      unix - - n -    1 anvil
scache     unix - - n -    1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
}

write_dovecot() {
	dir=$1
	dc=$dir/dovecot
	mkdir -p "$dc/run" "$dc/state" "$dir/mail"
	chown "$MAIL_USER:$MAIL_GROUP" "$dir/mail"
	chmod 700 "$dir/mail"
	dh=""
	[ -f /usr/share/dovecot/dh.pem ] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
	cat >"$dc/dovecot.conf" <<EOF
# tests/mail/servers.sh: a private Dovecot for the mail tests
base_dir = $dc/run
state_dir = $dc/state
instance_name = sonnim-test-$IMAP_PORT
log_path = $dc/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1

ssl = yes
ssl_cert = <$dir/tls/cert.pem
ssl_key = <$dir/tls/key.pem
$dh
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
# tests log in with wrong passwords on purpose: answer at once
auth_failure_delay = 0

first_valid_uid = $MAIL_UID
last_valid_uid = $MAIL_UID
first_valid_gid = $MAIL_GID
mail_location = maildir:$dir/mail/%d/%n
postmaster_address = postmaster@customer.test
recipient_delimiter = +
lmtp_save_to_detail_mailbox = yes

passdb {
  driver = static
  args = password=pass
  username_filter = *@customer.test *@imap.test
}
userdb {
  driver = static
  args = uid=$MAIL_UID gid=$MAIL_GID home=$dir/mail/%d/%n
}

# no growing delay for an IP after failed logins (anvil's auth penalty)
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener $dc/auth-postfix {
    mode = 0660
    user = postfix
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DOVECOT_LMTP_PORT
  }
}
EOF
}

# start_servers DIR: pick ports, write both configurations, start both
# servers and wait for their ports.  1 with $why set when something failed
# (the caller stops what runs).
start_servers() {
	dir=$1
	why=""
	ports=$(free_ports 5) || { why="could not find free ports"; return 1; }
	# four of them, none the SONNIM_LMTP_PORT the caller chose
	# shellcheck disable=SC2046 # one port a word
	set -- $(echo "$ports" | grep -vx "${given_lmtp:-0}" | head -n 4)
	[ $# -eq 4 ] || { why="could not find free ports"; return 1; }
	SMTP_PORT=$1 IMAP_PORT=$2 DOVECOT_LMTP_PORT=$3
	SONNIM_LMTP_PORT=${given_lmtp:-$4}
	write_postfix "$dir"
	write_dovecot "$dir"
	cat >"$dir/env" <<EOF
SMTP_PORT=$SMTP_PORT
IMAP_PORT=$IMAP_PORT
DOVECOT_LMTP_PORT=$DOVECOT_LMTP_PORT
SONNIM_LMTP_PORT=$SONNIM_LMTP_PORT
MAIL_DIR=$dir
DOVECOT_CONF=$dir/dovecot/dovecot.conf
MAIL_CA_FILE=$dir/tls/cert.pem
EOF
	(cd / && dovecot -c "$dir/dovecot/dovecot.conf") \
		</dev/null >"$dir/dovecot/start.log" 2>&1 ||
		{ why="dovecot did not start"; return 1; }
	# postfix start runs its integrity checks (creating the queue
	# directories with their owners) and waits for the master (-w)
	(cd / && postfix -c "$dir/postfix/etc" start) \
		</dev/null >"$dir/postfix/start.log" 2>&1 ||
		{ why="postfix did not start"; return 1; }
	for p in "dovecot IMAP:$IMAP_PORT" "dovecot LMTP:$DOVECOT_LMTP_PORT" \
		"postfix SMTP:$SMTP_PORT"; do
		wait_port "${p##*:}" "$WAIT_SECONDS" || {
			why="${p%:*} is not listening on 127.0.0.1:${p##*:}"
			return 1
		}
	done
	return 0
}

cmd=${1:-}
[ $# -eq 2 ] || usage
case "$cmd" in
start)
	[ "$(id -u)" = 0 ] || fail "start needs root (the servers drop privileges themselves)"
	for b in postfix postconf postqueue dovecot doveadm openssl perl; do
		command -v "$b" >/dev/null 2>&1 ||
			fail "'$b' not found (apt-get install postfix dovecot-imapd dovecot-lmtpd openssl)"
	done
	id postfix >/dev/null 2>&1 || fail "no 'postfix' user (apt-get install postfix)"
	MAIL_UID=$(id -u "$MAIL_USER") || fail "no '$MAIL_USER' user"
	MAIL_GID=$(id -g "$MAIL_USER")
	MAIL_GROUP=$(id -gn "$MAIL_USER")
	mkdir -p "$2"
	dir=$(absdir "$2")
	[ -z "$(ls -A "$dir")" ] || fail "DIR '$dir' is not empty"
	case "$dir" in *[[:space:]]*) fail "DIR '$dir' must not contain spaces" ;; esac
	# unix sockets live in DIR/dovecot/run/login/...
	[ ${#dir} -le 60 ] || fail "DIR '$dir' is too long for unix socket paths"
	: >"$dir/$MARK" # from here on, stop may remove DIR
	# the servers' unprivileged users must reach DIR
	chmod 755 "$dir"
	# the daemons must not hold the caller's stdout (its $(...) would never
	# end) nor any other descriptor the caller has open
	exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-

	mkdir -p "$dir/tls"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" -days 7 \
		-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		>"$dir/tls/openssl.log" 2>&1 ||
		{ cat "$dir/tls/openssl.log" >&2; fail "openssl could not make a certificate"; }
	chmod 600 "$dir/tls/key.pem"
	chmod 644 "$dir/tls/cert.pem"

	# a port picked free may be taken before the server binds it: then
	# (and only then) start over with other ports, three times at most
	given_lmtp=${SONNIM_LMTP_PORT:-}
	case "$given_lmtp" in
	*[!0-9]*) fail "SONNIM_LMTP_PORT '$given_lmtp' is not a port number" ;;
	esac
	attempt=1
	while ! start_servers "$dir"; do
		if [ $attempt -ge 3 ] || ! grep -qs "in use" "$dir/postfix/start.log" \
			"$dir/postfix/postfix.log" "$dir/dovecot/start.log" "$dir/dovecot/dovecot.log"; then
			start_failed "$dir" "$why"
		fi
		echo "servers.sh: $why (a port was taken); trying other ports" >&2
		stop_servers "$dir" || true
		rm -rf "$dir/postfix" "$dir/dovecot" "$dir/mail" "$dir/env"
		attempt=$((attempt + 1))
	done
	echo "servers.sh: postfix on 127.0.0.1:$SMTP_PORT, dovecot IMAP on" \
		"127.0.0.1:$IMAP_PORT, LMTP on 127.0.0.1:$DOVECOT_LMTP_PORT; logs in $dir" >&2
	print_env "$dir"
	;;
env)
	dir=$(absdir "$2")
	[ -f "$dir/env" ] || fail "'$dir' has no servers made by servers.sh start"
	print_env "$dir"
	;;
flush)
	dir=$(absdir "$2")
	[ -f "$dir/postfix/etc/main.cf" ] || fail "'$dir' has no Postfix made by servers.sh start"
	postqueue -c "$dir/postfix/etc" -f
	;;
logs)
	dir=$(absdir "$2")
	logs "$dir"
	;;
stop)
	[ -d "$2" ] || exit 0
	dir=$(absdir "$2")
	if [ -z "$(ls -A "$dir")" ]; then
		rmdir "$dir"
		exit 0
	fi
	[ -f "$dir/$MARK" ] || fail "'$dir' was not made by servers.sh start; not removing it"
	rc=0
	stop_servers "$dir" || rc=1
	rm -rf "$dir"
	exit $rc
	;;
*)
	usage
	;;
esac
