#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server on loopback for ursa's
# tests, from Debian's postgresql package. Prints the DSN to use on stdout.
#
#   scripts/pg-test-server.sh start   # idempotent; prints the DSN
#   scripts/pg-test-server.sh stop
#
# The cluster lives in $URSA_PG_DIR (default /tmp/ursa-pg-test), listens on
# 127.0.0.1:$URSA_PG_PORT (default 55432) and trusts the local user `ursa`.
# $URSA_PG_SETTINGS are its server settings (default: fsync off, which is
# right for tests; bench/pg-durable-server.sh starts a durable one).
set -euo pipefail

dir=${URSA_PG_DIR:-/tmp/ursa-pg-test}
port=${URSA_PG_PORT:-55432}
settings=${URSA_PG_SETTINGS:--c fsync=off -c max_connections=200}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "$(basename "$0"): PostgreSQL server binaries not found (install the postgresql package)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

dsn="host=127.0.0.1 port=$port user=ursa dbname=postgres"

case "${1:-start}" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
      as_owner "$bindir/initdb" -D "$dir" -U ursa -A trust -E UTF8 >"$dir.initdb.log" 2>&1 || {
        cat "$dir.initdb.log" >&2; exit 1; }
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$dir" -w -t 30 -l "$dir/server.log" \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir $settings" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    fi
    echo "$dsn"
    ;;
  stop)
    if [ -f "$dir/PG_VERSION" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
