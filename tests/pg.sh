#!/bin/sh
# pg.sh - a throwaway PostgreSQL cluster for the tests.
#
#   tests/pg.sh start DIR          initdb + start a cluster in DIR, create the
#                                  database sonnim_test, print its conninfo
#   tests/pg.sh createdb DIR NAME  create database NAME, print its conninfo
#   tests/pg.sh conninfo DIR [NAME] print the conninfo of NAME (sonnim_test)
#   tests/pg.sh stop DIR           stop the cluster and remove DIR
#
# The cluster listens on a Unix socket in DIR only (listen_addresses = ''),
# trusts every local user, and keeps its data in DIR/data and its log in
# DIR/server.log.  stdout carries nothing but the conninfo, e.g.
#   host=/tmp/sonnim-pg.Ab12 port=5432 dbname=sonnim_test user=postgres
# so callers can capture it with $(...); progress and errors go to stderr.
#
# initdb refuses to run as root, so as root every server-side command runs as
# the `postgres` system user (runuser, else su) and DIR is handed to it; DIR's
# parent directories must then be searchable by that user (mktemp -d under
# /tmp is).  As any other user the cluster belongs to that user.
#
# The server binaries come from $PG_BIN, else Debian's
# /usr/lib/postgresql/15/bin, else the newest /usr/lib/postgresql/*/bin.
# start waits until the server accepts connections (pg_ctl -w, 60 s at most);
# stop refuses to delete a directory that start did not create.
set -eu

MARK=.sonnim-pg-cluster
PORT=5432

usage() {
	echo "usage: tests/pg.sh start DIR | createdb DIR NAME | conninfo DIR [NAME] | stop DIR" >&2
	exit 2
}

fail() {
	echo "pg.sh: $*" >&2
	exit 1
}

find_bin() {
	if [ -n "${PG_BIN:-}" ]; then
		[ -x "$PG_BIN/initdb" ] || fail "no initdb in PG_BIN '$PG_BIN'"
		return
	fi
	PG_BIN=/usr/lib/postgresql/15/bin
	[ -x "$PG_BIN/initdb" ] && return
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] ||
		fail "PostgreSQL server binaries not found (apt-get install postgresql)"
}

# The OS user that owns the cluster and the database user we connect as.
if [ "$(id -u)" = 0 ]; then
	OWNER=postgres
	id -u "$OWNER" >/dev/null 2>&1 || fail "running as root but there is no 'postgres' user"
else
	OWNER=$(id -un)
fi

# Run a command as the cluster owner, from / (the caller's directory may not
# be readable by that user).
as_owner() {
	if [ "$(id -u)" != 0 ]; then
		(cd / && "$@")
	elif command -v runuser >/dev/null 2>&1; then
		(cd / && runuser -u "$OWNER" -- "$@")
	else
		q=""
		for a in "$@"; do
			q="$q '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
		done
		(cd / && su -s /bin/sh "$OWNER" -c "$q")
	fi
}

# Absolute path of DIR (which must exist).
absdir() {
	(cd "$1" 2>/dev/null && pwd -P) || fail "no directory '$1'"
}

# conninfo DIR NAME: a libpq connection string; values are quoted for libpq.
conninfo() {
	h=$(printf '%s' "$1" | sed "s/[\\\\']/\\\\&/g")
	echo "host='$h' port=$PORT dbname=$2 user=$OWNER"
}

check_name() {
	case "$1" in
	"" | [!a-z_]* | *[!a-z0-9_]*) fail "database name '$1' must be [a-z_][a-z0-9_]*" ;;
	esac
}

createdb_in() {
	check_name "$2"
	"$PG_BIN/createdb" -h "$1" -p "$PORT" -U "$OWNER" -E UTF8 -T template0 "$2" ||
		fail "createdb '$2' failed (see $1/server.log)"
	conninfo "$1" "$2"
}

cmd=${1:-}
[ $# -ge 2 ] || usage
case "$cmd" in
start)
	[ $# -eq 2 ] || usage
	mkdir -p "$2"
	dir=$(absdir "$2")
	[ -z "$(ls -A "$dir")" ] || fail "DIR '$dir' is not empty"
	: >"$dir/$MARK" # from here on, stop may remove DIR
	case "$dir" in *[[:space:]]*) fail "DIR '$dir' must not contain spaces" ;; esac
	# unix socket paths are limited to 107 bytes
	[ ${#dir} -le 80 ] || fail "DIR '$dir' is too long for a unix socket path"
	find_bin
	if [ "$(id -u)" = 0 ]; then
		chown -R "$OWNER" "$dir"
		chmod 755 "$dir"
		as_owner test -x "$dir" ||
			fail "user '$OWNER' cannot reach '$dir'; use a directory under /tmp"
	fi
	as_owner "$PG_BIN/initdb" -D "$dir/data" -E UTF8 --locale=C -A trust -U "$OWNER" \
		>"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; fail "initdb failed"; }
	cat >>"$dir/data/postgresql.conf" <<EOF

# tests/pg.sh: private, socket-only test cluster
listen_addresses = ''
port = $PORT
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 32MB
logging_collector = off
EOF
	as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s start >&2 ||
		{ cat "$dir/server.log" >&2 2>/dev/null; fail "the server did not start"; }
	createdb_in "$dir" sonnim_test
	;;
createdb)
	[ $# -eq 3 ] || usage
	find_bin
	dir=$(absdir "$2")
	[ -f "$dir/$MARK" ] || fail "'$dir' is not a cluster made by tests/pg.sh start"
	createdb_in "$dir" "$3"
	;;
conninfo)
	[ $# -le 3 ] || usage
	dir=$(absdir "$2")
	name=${3:-sonnim_test}
	check_name "$name"
	conninfo "$dir" "$name"
	;;
stop)
	[ $# -eq 2 ] || usage
	[ -d "$2" ] || exit 0
	dir=$(absdir "$2")
	if [ -z "$(ls -A "$dir")" ]; then
		rmdir "$dir"
		exit 0
	fi
	[ -f "$dir/$MARK" ] || fail "'$dir' was not made by tests/pg.sh start; not removing it"
	if [ -f "$dir/data/postmaster.pid" ]; then
		find_bin
		as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 -s stop >&2 ||
			as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 -s stop >&2 ||
			echo "pg.sh: could not stop the server in '$dir'" >&2
	fi
	rm -rf "$dir"
	;;
*)
	usage
	;;
esac
