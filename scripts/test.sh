#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine: installs what is
# missing, builds with warnings as errors, starts a PostgreSQL server on
# loopback for the store tests, and runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/build.sh -DURSA_WERROR=ON

URSA_TEST_POSTGRES_DSN=$(./scripts/pg-test-server.sh start)
export URSA_TEST_POSTGRES_DSN
trap './scripts/pg-test-server.sh stop' EXIT

ctest --test-dir "${URSA_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
