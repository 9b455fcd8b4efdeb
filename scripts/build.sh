#!/usr/bin/env bash
# Configures and builds ursa in ./build (Ninja, ccache when present).
# Extra arguments go to CMake's configure step, e.g. -DURSA_WERROR=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${URSA_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
