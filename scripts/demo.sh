#!/usr/bin/env bash
# Runs ursa-cp and the proxyless gRPC demo (docs/demo.md) until Ctrl-C:
#   - ursa-cp on its embedded SQLite store (extra arguments go to `ursa-cp run`);
#   - two Echo servers, echo-1 and echo-2 (service "echo"), and one client
#     (service "echo-client") calling xds:///echo.mesh once a second, each
#     under `ursa-dp run --proxy grpc`.
# The client's calls are printed here; every log is in $URSA_GENERAL_WORK_DIR/demo.
# mTLS is on (builtin CA, STRICT) unless DEMO_MTLS=off.
# Ports follow the URSA_* variables (defaults 5678, 5680, 5681); the servers
# listen on $DEMO_PORT and $DEMO_PORT+1 (default 18081, 18082).
# Needs the binaries in $URSA_BIN_DIR (default ./build/bin): run scripts/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${URSA_BIN_DIR:-build/bin}
export URSA_GENERAL_WORK_DIR=${URSA_GENERAL_WORK_DIR:-$HOME/.ursa}
api_port=${URSA_API_SERVER_HTTP_PORT:-5681}
dp_port=${URSA_DP_SERVER_PORT:-5678}
diagnostics_port=${URSA_DIAGNOSTICS_SERVER_PORT:-5680}
demo_port=${DEMO_PORT:-18081}
logs=$URSA_GENERAL_WORK_DIR/demo
dataplanes=examples/grpc-demo/dataplanes
mkdir -p "$logs"

pids=()
stop_all() {
  trap - EXIT INT TERM
  # The workloads first (newest first), then the control plane.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap stop_all EXIT
trap 'echo; echo "stopping..."; exit 0' INT TERM

die() {
  echo "demo: $*" >&2
  exit 1
}

start_control_plane() {
  echo "starting ursa-cp (log: $logs/ursa-cp.log)"
  "$bin/ursa-cp" run "$@" >"$logs/ursa-cp.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 150); do
    curl -sf "http://127.0.0.1:$diagnostics_port/ready" >/dev/null && return
    kill -0 "${pids[0]}" 2>/dev/null || die "ursa-cp exited; see $logs/ursa-cp.log"
    sleep 0.2
  done
  die "ursa-cp is not ready after 30 s; see $logs/ursa-cp.log"
}

# Mesh "default" with the builtin CA enabled (or without mTLS when DEMO_MTLS=off).
configure_mesh() {
  local mesh='{"type":"Mesh","name":"default"}'
  if [ "${DEMO_MTLS:-on}" != off ]; then
    mesh='{"type":"Mesh","name":"default","mtls":{"enabledBackend":"ca-1","backends":[{"name":"ca-1","type":"builtin"}]}}'
    echo "mesh default: mTLS on (builtin CA, STRICT); DEMO_MTLS=off starts without it"
  fi
  curl -sf -X PUT "http://127.0.0.1:$api_port/meshes/default" \
    -H 'Content-Type: application/json' -d "$mesh" >/dev/null || die "cannot configure mesh default"
}

# token NAME: writes a dataplane token for NAME (mesh default); prints its file.
token() {
  local file=$logs/$1.token
  curl -sf -X POST "http://127.0.0.1:$api_port/tokens/dataplane" \
    -H 'Content-Type: application/json' \
    -d "{\"name\":\"$1\",\"mesh\":\"default\"}" >"$file" || die "cannot get a token for $1"
  echo "$file"
}

# workload NAME TEMPLATE PORT APP ARGS...: the application under ursa-dp.
workload() {
  local name=$1 template=$2 port=$3
  shift 3
  "$bin/ursa-dp" run --cp-address "https://127.0.0.1:$dp_port" \
    --dataplane-file "$dataplanes/$template.yaml" \
    -v name="$name" -v address=127.0.0.1 -v port="$port" \
    --dataplane-token-file "$(token "$name")" \
    --ca-cert-file "$URSA_GENERAL_WORK_DIR/dp-server.crt" \
    --work-dir "$logs/dp-$name" \
    -- "$@"
}

start_control_plane "$@"
configure_mesh
for i in 1 2; do
  port=$((demo_port + i - 1))
  echo "starting echo-$i on port $port (log: $logs/echo-$i.log)"
  workload "echo-$i" server "$port" "$bin/ursa-demo-server" --name "echo-$i" --port "$port" \
    >"$logs/echo-$i.log" 2>&1 &
  pids+=($!)
done
echo "starting client-1: calls xds:///echo.mesh every second (agent log: $logs/client-1.log)"
echo "mTLS on and off, PERMISSIVE: see docs/demo.md; Ctrl-C stops everything"
workload client-1 client $((demo_port + 10)) "$bin/ursa-demo-client" \
  --target xds:///echo.mesh --count 0 --interval-ms 1000 --calls --text \
  2>"$logs/client-1.log" &
pids+=($!)
wait "${pids[@]}"
