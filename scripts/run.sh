#!/usr/bin/env bash
# Brings ursa up on this machine: installs what is missing, builds, then runs
# the control plane on its embedded SQLite store (in $URSA_GENERAL_WORK_DIR,
# default ~/.ursa) with the proxyless gRPC demo on it (scripts/demo.sh: two
# Echo servers and a client, each under ursa-dp) until Ctrl-C. Extra
# arguments go to `ursa-cp run`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/build.sh
exec ./scripts/demo.sh "$@"
