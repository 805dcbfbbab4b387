#!/usr/bin/env bash
# slow_backend.sh - shows that 1,000 concurrent clients on a slow (200 ms) backend do not stall a
# fast endpoint of the same gateway. Not part of ctest (it takes ~20 s and loads the machine).
#
#   bench/slow_backend.sh [BUILD_DIR]      (default: build)
#   CLIENTS=1000 DURATION=10 DELAY_MS=200 bench/slow_backend.sh build
#
# Load comes from wrk when installed, else from one `curl --parallel` process. While the slow
# endpoint is saturated, the script times sequential requests to the fast endpoint and prints
# their latency; the gateway's thread count is printed too (it stays small and fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin="$build/bin"
clients=${CLIENTS:-1000}
duration=${DURATION:-10}
delay=${DELAY_MS:-200}
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "${KEEP:-}" ] && cp "$work/gw.log" /tmp/rt/gwbench.log; rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

read -r gp bp fp <<<"$("$build/tests/tools/freeport" 3 | tr "\n" " ")"
cat >"$work/krakend.json" <<JSON
{ "version": 3, "port": $gp, "timeout": "5s",
  "extra_config": { "router": { "disable_access_log": true },
                    "telemetry/logging": { "level": "ERROR" } },
  "endpoints": [
    { "endpoint": "/slow", "backend": [ { "host": ["http://127.0.0.1:$bp"], "url_pattern": "/delayed/" } ] },
    { "endpoint": "/fast", "backend": [ { "host": ["http://127.0.0.1:$fp"], "url_pattern": "/param_forwarding/" } ] }
  ] }
JSON
"$bin/mock-backend" --port "$bp" --quiet --threads 2 --ce-delay-ms "$delay" >"$work/mb.log" 2>&1 &
pids+=($!)
# the fast endpoint has its own backend: what is measured is the gateway, not a shared backend
"$bin/mock-backend" --port "$fp" --quiet --threads 1 >"$work/mb-fast.log" 2>&1 &
pids+=($!)
USAGE_DISABLE=1 "$bin/gateway" run -c "$work/krakend.json" >"$work/gw.log" 2>&1 &
gw=$!
pids+=($gw)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$gp/__health" && break; sleep 0.1; done

fast_probe() { # prints the latency of N sequential /fast requests (ms): min median max
    local n=$1
    for _ in $(seq "$n"); do
        curl -s -o /dev/null -w '%{http_code} %{time_total} %{time_connect}\n' --max-time 10 "http://127.0.0.1:$gp/${PROBE:-fast}"
    done >"$work/probe.txt"
    [ -n "${VERBOSE:-}" ] && sort -k2 -n "$work/probe.txt" | tail -3
    awk '$1 != 200 {bad++} END {printf "%d requests, %d not 200, ", NR, bad}' "$work/probe.txt"
    awk '{print $2 * 1000}' "$work/probe.txt" | sort -n | awk '{v[NR]=$1} END {
        printf "latency ms: min %.1f median %.1f max %.1f\n", v[1], v[int((NR+1)/2)], v[NR]}'
}

echo "== baseline: /fast with no load"
fast_probe 20
echo "== load: $clients concurrent clients on /slow (backend holds each request ${delay} ms) for ${duration}s"
if command -v wrk >/dev/null; then
    wrk -t2 -c"$clients" -d"${duration}s" --latency "http://127.0.0.1:$gp/slow" >"$work/load.txt" 2>&1 &
else
    urls="$work/urls.txt"
    per=$(( clients * duration * 1000 / delay ))
    for _ in $(seq "$per"); do echo "url = \"http://127.0.0.1:$gp/slow\""; echo 'output = "/dev/null"'; done >"$urls"
    timeout "$duration" curl -s --parallel --parallel-immediate --parallel-max "$clients" -K "$urls" \
        -w '%{http_code}\n' >"$work/load.txt" 2>&1 &
fi
load=$!
pids+=($load)
sleep 2
echo "== /fast while /slow is saturated"
fast_probe 50
echo "gateway threads: $(ls /proc/$gw/task | wc -l), open descriptors: $(ls /proc/$gw/fd | wc -l)"
wait "$load" 2>/dev/null || true
echo "== load generator"
if command -v wrk >/dev/null; then cat "$work/load.txt"; else
    sort "$work/load.txt" | uniq -c | sort -rn | head -5 | awk '{print "  " $1 " responses with status " $2}'
fi
