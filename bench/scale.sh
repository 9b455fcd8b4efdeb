#!/usr/bin/env bash
# The control plane at scale: for each proxy count N, a fresh ursa-cp on both
# CPUs (-c: another CPU list, e.g. "0" for one core) and ursa-xds-load pinned
# to CPU 1 (docs/benchmarks.md, "Scale").
#
#   bench/scale.sh [-n "1000 5000 10000"] [-s memory|sqlite] [-o results-dir]
#                  [-t seconds-per-N] [-H hold] [-c cp-cpus]
#                  [-- extra ursa-xds-load flags]
#   bench/scale.sh -p scale.tsv [-o results-dir]   # only plot a table (e.g. medians of runs)
#
# Per N it writes <results>/N<n>.json (the simulator's report), N<n>.log (its
# progress) and N<n>-cp.log (the control plane's log); one row per N goes to
# <results>/scale.tsv; gnuplot (installed with apt when missing) renders
# delivery.png (endpoint / policy / reconnect delivery p50 and p99 against N)
# and rss.png (control plane RSS growth per proxy against N). Progress goes
# to stderr. Binaries come from ${URSA_BUILD_DIR:-build}/bin.
# Exit status: 0 when every N ran and the simulator reported OK.
set -euo pipefail
cd "$(dirname "$0")/.."

counts="1000 5000 10000"
store=memory
results=""
per_n_timeout=""
hold=30s  # the simulator samples idle CPU over its second half
plot_only=""
cp_cpus=0,1
while getopts "n:s:o:t:H:p:c:h" opt; do
  case $opt in
    n) counts=$OPTARG ;;
    s) store=$OPTARG ;;
    o) results=$OPTARG ;;
    t) per_n_timeout=$OPTARG ;;
    H) hold=$OPTARG ;;
    p) plot_only=$OPTARG ;;
    c) cp_cpus=$OPTARG ;;
    *) sed -n '2,17p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
extra=("$@")
[[ $cp_cpus =~ ^[0-9]+([,-][0-9]+)*$ ]] || { echo "scale: -c: '$cp_cpus' is not a CPU list (e.g. 0 or 0,1)" >&2; exit 2; }
case $store in memory | sqlite) ;; *) echo "scale: -s must be memory or sqlite, not '$store'" >&2; exit 2 ;; esac
for n in $counts; do
  [[ $n =~ ^[0-9]+$ && $n -ge 2 ]] || { echo "scale: -n: '$n' is not a proxy count (>= 2)" >&2; exit 2; }
done

bin=${URSA_BUILD_DIR:-build}/bin
[ -n "$plot_only" ] || for b in ursa-cp ursa-xds-load; do
  [ -x "$bin/$b" ] || { echo "scale: $bin/$b is missing; build it: ninja -C ${URSA_BUILD_DIR:-build} $b" >&2; exit 2; }
done
results=${results:-bench/results/scale-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$results"

log() { echo "scale: $(date -u +%H:%M:%S) $*" >&2; }

# Renders delivery.png and rss.png in directory $2 from scale.tsv $1 (store name $3).
plot_tsv() {
  local tsv=$1 results=$2 store=$3
  gnuplot <<GNUPLOT
set datafile separator "\t"
set datafile missing "NaN"
set key top left
set grid
set xlabel "proxies (N)"
set logscale x
set terminal pngcairo size 900,560
set output "$results/delivery.png"
set title "ursa-cp: delivery latency against N ($store store; cp on CPU $cp_cpus, simulator on CPU 1)"
set ylabel "milliseconds"
set logscale y
plot "$tsv" using 1:13 skip 1 with linespoints title "endpoint p50", \
     "" using 1:14 skip 1 with linespoints title "endpoint p99", \
     "" using 1:16 skip 1 with linespoints title "mesh-wide policy p50", \
     "" using 1:17 skip 1 with linespoints title "mesh-wide policy p99", \
     "" using 1:19 skip 1 with linespoints title "reconnect storm p50", \
     "" using 1:20 skip 1 with linespoints title "reconnect storm p99"
set output "$results/rss.png"
set title "ursa-cp: RSS growth per connected proxy against N ($store store)"
set ylabel "kB per proxy"
unset logscale y
set yrange [0:*]
plot "$tsv" using 1:5 skip 1 with linespoints title "RSS growth per proxy (register + connect)"
GNUPLOT
  log "plots: $results/delivery.png $results/rss.png"
}

ensure_tool() {  # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2 (apt)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$2" >&2 ||
    { DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq && \
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$2" >&2; }
}
ensure_tool jq jq
ensure_tool gnuplot gnuplot-nox
if [ -n "$plot_only" ]; then
  [ -f "$plot_only" ] || { echo "scale: -p: no table '$plot_only'" >&2; exit 2; }
  plot_tsv "$plot_only" "$results" "$(awk -F'\t' 'NR == 2 {print $2}' "$plot_only")"
  exit 0
fi

# Ports away from the defaults (so a developer's own control plane may run)
# and below the ephemeral range (32768-60999), where a client socket of any
# other program on the machine may hold them.
dp_port=${URSA_SCALE_DP_PORT:-27678}
diag_port=$((dp_port + 2))
api_port=$((dp_port + 3))
cp_pid=""
work=""
stop_cp() {
  if [ -n "$cp_pid" ] && kill -0 "$cp_pid" 2>/dev/null; then
    kill "$cp_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$cp_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$cp_pid" 2>/dev/null || true
  fi
  cp_pid=""
  [ -n "$work" ] && rm -rf "$work"
  work=""
}
trap stop_cp EXIT
trap 'stop_cp; exit 130' INT TERM

start_cp() {  # n
  work=$(mktemp -d /tmp/ursa-scale.XXXXXX)
  URSA_GENERAL_WORK_DIR=$work URSA_STORE_TYPE=$store URSA_LOG_LEVEL=warn \
    URSA_API_SERVER_HTTP_PORT=$api_port URSA_API_SERVER_HTTPS_ENABLED=false \
    URSA_DP_SERVER_PORT=$dp_port URSA_DIAGNOSTICS_SERVER_PORT=$diag_port \
    taskset -c "$cp_cpus" "$bin/ursa-cp" run >"$results/N$1-cp.log" 2>&1 &
  cp_pid=$!
  for _ in $(seq 300); do
    curl -sf "127.0.0.1:$diag_port/ready" >/dev/null && return 0
    kill -0 "$cp_pid" 2>/dev/null || break
    sleep 0.1
  done
  log "N=$1: ursa-cp did not become ready; see $results/N$1-cp.log"
  return 1
}

# One TSV row out of the simulator's JSON report.
columns="n store ok services rss_per_proxy_kb rss_end_mb peak_rss_mb idle_cpu_pct gen_p50_ms gen_p99_ms initial_all_ms endpoint_expected endpoint_p50_ms endpoint_p99_ms policy_expected policy_p50_ms policy_p99_ms policy_all_ms reconnect_p50_ms reconnect_p99_ms reconnect_all_ms bytes cp_cpu_seconds policy_delete_p50_ms policy_delete_p99_ms"
row() {  # json-file store
  jq -r --arg store "$2" '
    def q($k): (.control_plane.end.metrics[$k] // null) | if . == null then "NaN" else . * 1000 end;
    def s($n; $f): (.scenarios[$n].delays[$f] // "NaN");
    def sc($n; $f): (.scenarios[$n][$f] // "NaN");
    def cpu($a; $b): if (.control_plane[$a].cpu_seconds and .control_plane[$b].cpu_seconds)
                     then .control_plane[$b].cpu_seconds - .control_plane[$a].cpu_seconds else null end;
    [ .proxies, $store, .ok, .services,
      (.control_plane.rss_growth_per_proxy_kb // "NaN"),
      (.control_plane.end.rss_mb // "NaN"), (.control_plane.end.peak_rss_mb // "NaN"),
      (cpu("before_hold"; "after_hold") as $c | if $c == null or .hold_seconds == 0 then "NaN"
                                               else 100 * $c / .hold_seconds end),
      q("xds_generation{quantile=\"0.5\"}"), q("xds_generation{quantile=\"0.99\"}"),
      .initial.all_complete_ms,
      sc("endpoint"; "expected"), s("endpoint"; "p50_ms"), s("endpoint"; "p99_ms"),
      sc("policy"; "expected"), s("policy"; "p50_ms"), s("policy"; "p99_ms"), sc("policy"; "all_ms"),
      s("reconnect"; "p50_ms"), s("reconnect"; "p99_ms"), sc("reconnect"; "all_ms"),
      .traffic.bytes, (cpu("start"; "end") // "NaN"),
      s("policy-delete"; "p50_ms"), s("policy-delete"; "p99_ms") ]
    | map(if type == "number" then (. * 1000 | round) / 1000 else . end) | @tsv' "$1"
}

tsv=$results/scale.tsv
echo "$columns" | tr ' ' '\t' >"$tsv"
failed=0
log "results in $results; N = $counts; store $store; $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $counts; do
  # Registration, tokens and a reconnect storm grow with N: allow ~60 ms per proxy plus 3 minutes.
  limit=${per_n_timeout:-$((180 + n * 60 / 1000))}
  log "N=$n: starting ursa-cp ($store store) on CPU $cp_cpus"
  if ! start_cp "$n"; then failed=1; stop_cp; continue; fi
  log "N=$n: ursa-xds-load on CPU 1 (timeout ${limit}s); progress in $results/N$n.log"
  status=0
  timeout --kill-after=10 "$limit" taskset -c 1 "$bin/ursa-xds-load" --proxies "$n" --hold "$hold" \
    --cp-address "https://127.0.0.1:$dp_port" --api-address "http://127.0.0.1:$api_port" \
    --ca-cert-file "$work/dp-server.crt" --diagnostics-address "http://127.0.0.1:$diag_port" \
    --cp-pid "$cp_pid" --connect-timeout "$((limit / 2))s" --output json "${extra[@]}" \
    >"$results/N$n.json" 2>"$results/N$n.log" || status=$?
  stop_cp
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    log "N=$n: TIMED OUT after ${limit}s (last progress: $(tail -1 "$results/N$n.log"))"
    failed=1
    continue
  fi
  if ! jq -e . "$results/N$n.json" >/dev/null 2>&1; then
    log "N=$n: no report (exit $status): $(tail -1 "$results/N$n.log")"
    failed=1
    continue
  fi
  [ "$status" -eq 0 ] || { failed=1; log "N=$n: problems: $(jq -c .problems "$results/N$n.json")"; }
  row "$results/N$n.json" "$store" >>"$tsv"
  log "N=$n: done: $(tail -1 "$tsv" | cut -f1-10)"
done

rows=$(($(wc -l <"$tsv") - 1))
[ "$rows" -gt 0 ] && plot_tsv "$tsv" "$results" "$store"
column -t -s $'\t' "$tsv" >&2 || true
log "table: $tsv"
exit "$failed"
