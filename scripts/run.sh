#!/usr/bin/env bash
# Brings ursa up on this machine: installs what is missing, builds, and runs
# the control plane on its embedded SQLite store (in $URSA_GENERAL_WORK_DIR,
# default ~/.ursa) until Ctrl-C. Extra arguments go to `ursa-cp run`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/build.sh
exec ./build/bin/ursa-cp run "$@"
