#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server on loopback with PostgreSQL's
# durable defaults (fsync=on, synchronous_commit=on), for benchmarks that
# compare it with SQLite synchronous=FULL. scripts/pg-test-server.sh runs
# with fsync=off, which is right for tests but not for durability figures.
# Prints the DSN to use on stdout.
#
#   bench/pg-durable-server.sh start   # idempotent; prints the DSN
#   bench/pg-durable-server.sh stop
#
# The cluster lives in $URSA_PG_BENCH_DIR (default /tmp/ursa-pg-bench) and
# listens on 127.0.0.1:$URSA_PG_BENCH_PORT (default 55433), trusting user `ursa`.
set -euo pipefail
URSA_PG_DIR=${URSA_PG_BENCH_DIR:-/tmp/ursa-pg-bench} \
URSA_PG_PORT=${URSA_PG_BENCH_PORT:-55433} \
URSA_PG_SETTINGS="-c fsync=on -c synchronous_commit=on" \
  exec "$(dirname "$0")/../scripts/pg-test-server.sh" "$@"
