#!/usr/bin/env bash
# Installs every Debian 12 package ursa needs to build, test and run.
# Idempotent: packages already present are left alone, and nothing runs
# apt when the list is complete. Needs root (or sudo).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git ca-certificates
  # protobuf / gRPC (Envoy API and the ADS server)
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  # libraries
  nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  libboost1.81-dev libssl-dev libcurl4-openssl-dev libsqlite3-dev libpq-dev libxxhash-dev prometheus-cpp-dev
  libjemalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev postgresql wrk curl zsh
)

missing=()
# npm fetches the Envoy API protos. Machines with NodeSource's nodejs already
# have npm inside it, and Debian's npm package would conflict with it.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
