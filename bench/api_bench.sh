#!/usr/bin/env bash
# REST API throughput and latency under wrk: GET of one resource, GET of a
# list page, and PUT (update) of one resource, at 1, 16 and 64 connections.
#
#   bench/api_bench.sh [store]    # store: sqlite (default) or memory
#
# Starts its own ursa-cp (ports 25680/25681, a scratch work dir) pinned to
# CPU 0, and runs wrk pinned to CPU 1, so the two do not share a core.
# Prints a Markdown table: requests/s, p50 and p99 latency.
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:-sqlite}
bin=./build/bin/ursa-cp
work=$(mktemp -d)
trap 'kill $cp_pid 2>/dev/null || true; rm -rf "$work"' EXIT

URSA_GENERAL_WORK_DIR=$work URSA_STORE_TYPE=$store URSA_API_SERVER_HTTP_PORT=25681 \
  URSA_API_SERVER_HTTPS_ENABLED=false URSA_DP_SERVER_PORT=25678 URSA_DIAGNOSTICS_SERVER_PORT=25680 URSA_LOG_LEVEL=warn \
  taskset -c 0 "$bin" run >"$work/cp.log" 2>&1 &
cp_pid=$!
for _ in $(seq 100); do curl -sf localhost:25680/ready >/dev/null && break; sleep 0.1; done

base=http://127.0.0.1:25681
body='{"type":"MeshTrafficPermission","name":"bench","mesh":"default","spec":{"targetRef":{"kind":"Mesh"},"from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Allow"}}]}}'
for i in $(seq 0 99); do
  curl -sf -XPUT "$base/meshes/default/meshtrafficpermissions/p$i" -H 'content-type: application/json' \
    -d "${body/\"bench\"/\"p$i\"}" >/dev/null
done
curl -sf -XPUT "$base/meshes/default/meshtrafficpermissions/bench" -H 'content-type: application/json' -d "$body" >/dev/null

put_lua=$work/put.lua
cat >"$put_lua" <<LUA
wrk.method = "PUT"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA

run() {  # name conns url [script]
  local name=$1 conns=$2 url=$3 script=${4:-}
  local args=(-t 1 -c "$conns" -d "${URSA_BENCH_SECONDS:-5}s" --latency)
  [ -n "$script" ] && args+=(-s "$script")
  local out
  out=$(taskset -c 1 wrk "${args[@]}" "$url")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$conns" "$rps" "$p50" "$p99"
}

echo "store: $store; $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "| request | connections | requests/s | p50 | p99 |"
echo "|---|---|---|---|---|"
for c in 1 16 64; do run "GET one" "$c" "$base/meshes/default/meshtrafficpermissions/bench"; done
for c in 1 16 64; do run "GET list (100)" "$c" "$base/meshes/default/meshtrafficpermissions"; done
for c in 1 16 64; do run "PUT (update)" "$c" "$base/meshes/default/meshtrafficpermissions/bench" "$put_lua"; done
