#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests: initdb into a temporary directory, its own port on 127.0.0.1 and
# its own socket directory, run as an unprivileged user (PostgreSQL refuses to run as root). Nothing of the
# system's PostgreSQL is used or touched (no service, no cluster of Debian's).
#
#   eval "$(scripts/postgres-cluster.sh start)"   # exports ALERTRELAY_TEST_POSTGRES_URL and ALERTRELAY_TEST_PGDATA
#   scripts/postgres-cluster.sh stop "$ALERTRELAY_TEST_PGDATA"
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "postgres-cluster: PostgreSQL's server is not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }

run_as() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$owner" -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
  owner=$(id -un)
  [ "$(id -u)" -eq 0 ] && owner=postgres
  root=$(mktemp -d /tmp/alertrelay-pg.XXXXXX)
  chmod 755 "$root"
  mkdir -p "$root/data" "$root/socket" "$root/log"
  [ "$(id -u)" -eq 0 ] && chown -R "$owner" "$root/data" "$root/socket" "$root/log"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  run_as "$bin/initdb" -D "$root/data" -U alertrelay --auth=trust -E UTF8 --no-locale >"$root/initdb.log" 2>&1 \
    || { cat "$root/initdb.log" >&2; exit 1; }
  run_as "$bin/pg_ctl" -D "$root/data" -l "$root/log/server.log" -w -t 30 \
    -o "-p $port -k $root/socket -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null \
    || { cat "$root/log/server.log" >&2; exit 1; }
  echo "export ALERTRELAY_TEST_POSTGRES_URL=postgres://alertrelay@127.0.0.1:$port/postgres"
  echo "export ALERTRELAY_TEST_PGDATA=$root/data"
  echo "export ALERTRELAY_TEST_PGBIN=$bin"
  ;;
stop)
  data=${2:?usage: postgres-cluster.sh stop DATA}
  owner=$(stat -c %U "$data")
  run_as "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$(dirname "$data")"
  ;;
*)
  echo "usage: postgres-cluster.sh start|stop DATA" >&2
  exit 2
  ;;
esac
