#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine: installs what is
# missing, builds with warnings as errors, starts a PostgreSQL server on
# loopback for the store tests, and runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/build.sh -DURSA_WERROR=ON

# The npm packages of the @grpc/grpc-js-xds end-to-end test (test/e2e/node),
# exactly as its package-lock.json says. Skipped while node_modules matches
# the lock file; npm's own cache (~/.npm) makes a reinstall quick.
node_dir=test/e2e/node
lock_sum=$(sha256sum "$node_dir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$node_dir/node_modules/.ursa-lock-sha256" 2>/dev/null)" != "$lock_sum" ]; then
  npm ci --prefix "$node_dir" --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > "$node_dir/node_modules/.ursa-lock-sha256"
fi

URSA_TEST_POSTGRES_DSN=$(./scripts/pg-test-server.sh start)
export URSA_TEST_POSTGRES_DSN
trap './scripts/pg-test-server.sh stop' EXIT

ctest --test-dir "${URSA_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
