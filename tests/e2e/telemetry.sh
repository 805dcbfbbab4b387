#!/usr/bin/env bash
# telemetry.sh - telemetry/opentelemetry, telemetry/metrics and telemetry/logstash end to end:
# Debian's Prometheus scrapes the gateway's exporter and is queried through its HTTP API; promtool
# lints the exposition; otlp_receiver decodes the OTLP/HTTP bodies with OTLP's own messages and
# the spans' parent links are checked against the traceparent the backend received; /__stats
# counts the same requests (and an endpoint validation/cel rejection as a proxy error); the
# application log comes out as logstash JSON.
set -u
. "$(dirname "$0")/lib.sh"

for t in prometheus promtool jq; do
    command -v $t >/dev/null || { echo "skip - $t is not installed"; exit 77; }
done
RECEIVER=$TOOLS_DIR/otlp_receiver
[ -x "$RECEIVER" ] || { echo "FAIL - $RECEIVER is not built"; exit 1; }

read -r MB_PORT GW_PORT PROM_PORT OTLP_PORT STATS_PORT P8S_PORT < <(e2e_ports 6 | tr '\n' ' ')
N=5 # requests the test sends through the endpoint
TRACE=4bf92f3577b34da6a3ce929d0e0e4736
CLIENT_SPAN=00f067aa0ba902b7

e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB_PORT"
e2e_start otlp "$RECEIVER" --port "$OTLP_PORT" --out "$E2E_WORK/otlp.jsonl"
RECEIVER_PID=$E2E_LAST_PID
e2e_wait_http "http://127.0.0.1:$MB_PORT/__echo/" 10 || exit 1

cat >"$E2E_WORK/krakend.json" <<EOF
{
  "version": 3,
  "port": $GW_PORT,
  "extra_config": {
    "telemetry/opentelemetry": {
      "service_name": "e2e-gateway",
      "metric_reporting_period": 1,
      "exporters": {
        "prometheus": [{"name": "prom", "host": "127.0.0.1", "port": $PROM_PORT,
                        "process_metrics": true}],
        "otlp": [{"name": "local", "host": "http://127.0.0.1", "port": $OTLP_PORT,
                  "use_http": true}]
      }
    },
    "telemetry/metrics": {"listen_address": "127.0.0.1:$STATS_PORT"},
    "telemetry/logging": {"level": "DEBUG", "stdout": true, "format": "custom",
                          "custom_format": "%{message}", "prefix": "E2E"},
    "telemetry/logstash": {"enabled": true}
  },
  "endpoints": [{
    "endpoint": "/echo/{id}",
    "backend": [{"host": ["http://127.0.0.1:$MB_PORT"], "url_pattern": "/__echo/{id}"}]
  }, {
    "endpoint": "/checked/{id}",
    "extra_config": {"validation/cel": [{"check_expr": "int(req_params.Id) < 100"}]},
    "backend": [{"host": ["http://127.0.0.1:$MB_PORT"], "url_pattern": "/__echo/{id}"}]
  }]
}
EOF
e2e_start gateway "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend.json"
GW_PID=$E2E_LAST_PID
e2e_wait_http "http://127.0.0.1:$GW_PORT/__health" 10 || { cat "$E2E_WORK/gateway.log"; exit 1; }
e2e_wait_http "http://127.0.0.1:$PROM_PORT/metrics" 10 || exit 1

# ---- requests: the client continues a trace ----
BACKEND_TP=()
for i in $(seq $N); do
    e2e_curl -H "traceparent: 00-$TRACE-$CLIENT_SPAN-01" -H "tracestate: vendor=e2e" \
        "http://127.0.0.1:$GW_PORT/echo/$i"
    [ "$E2E_STATUS" = 200 ] || e2e_fail "request $i answered" "status $E2E_STATUS: $E2E_BODY"
    BACKEND_TP+=("$(jq -r '.headers.Traceparent[0] // .headers.Traceparent // ""' <<<"$E2E_BODY")")
done
tp=${BACKEND_TP[0]}
e2e_eq "the backend received the client's trace id in traceparent" "00-$TRACE" "${tp:0:35}"
e2e_eq "the backend's traceparent is sampled" "-01" "${tp:52:3}"
if [ "${tp:36:16}" != "$CLIENT_SPAN" ] && [ ${#tp} = 55 ]; then
    e2e_pass "the backend's parent is the gateway's span, not the client's"
else
    e2e_fail "the backend's parent is the gateway's span, not the client's" "got: $tp"
fi

# validation/cel at endpoint level sits inside the telemetry's proxy layers (KrakenD: the metrics
# wrap Lua, CEL and JSON schema): a rejection is a proxy error they record, with no backend call.
e2e_curl "http://127.0.0.1:$GW_PORT/checked/500"
CEL_STATUS=$E2E_STATUS
e2e_curl "http://127.0.0.1:$GW_PORT/checked/5"
e2e_eq "validation/cel answers under telemetry: rejected, then accepted" "500 200" \
    "$CEL_STATUS $E2E_STATUS"

# ---- Prometheus' exposition, linted ----
curl -s "http://127.0.0.1:$PROM_PORT/metrics" >"$E2E_WORK/metrics.txt"
if promtool check metrics <"$E2E_WORK/metrics.txt" >"$E2E_WORK/promtool.log" 2>&1; then
    e2e_pass "promtool check metrics passes on the exposition"
else
    e2e_fail "promtool check metrics passes on the exposition" "$(head -n 20 "$E2E_WORK/promtool.log")"
fi
e2e_contains "the exposition has process metrics" "process_resident_memory_bytes" \
    "$(cat "$E2E_WORK/metrics.txt")"
series() { # series NAME LABEL...: the value of the one series of NAME carrying every LABEL
    grep "^$1{" "$E2E_WORK/metrics.txt" | { v=""; while read -r l; do
        ok=1; for x in "${@:2}"; do [[ $l == *"$x"* ]] || ok=0; done
        [ $ok = 1 ] && v=${l##* }; done; echo "$v"; }
}
e2e_eq "exposition: the CEL rejection is a proxy error, the accepted call is not" "1 1" \
    "$(series krakend_proxy_duration_count 'http_route="/checked/:id"' 'error="true"' 'complete="false"') $(series krakend_proxy_duration_count 'http_route="/checked/:id"' 'error="false"' 'complete="true"')"
e2e_eq "exposition: one backend call for /checked (the rejected one never left)" "1" \
    "$(series krakend_backend_duration_count 'krakend_endpoint_route="/checked/:id"')"

# ---- a real Prometheus scrapes it ----
cat >"$E2E_WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: krakend
    static_configs:
      - targets: ["127.0.0.1:$PROM_PORT"]
EOF
e2e_start prometheus prometheus --config.file="$E2E_WORK/prometheus.yml" \
    --storage.tsdb.path="$E2E_WORK/tsdb" --web.listen-address="127.0.0.1:$P8S_PORT"
promq() { # promq QUERY: the first result's value, "" when there is none
    curl -s --max-time 2 "http://127.0.0.1:$P8S_PORT/api/v1/query" --data-urlencode "query=$1" |
        jq -r '.data.result[0].value[1] // ""' 2>/dev/null
}
route='http_route="/echo/:id"'
got=""
for _ in $(seq 150); do # Prometheus starts, then scrapes every second
    got=$(promq "sum(http_server_duration_count{$route})")
    [ "$got" = "$N" ] && break
    sleep 0.2
done
e2e_eq "Prometheus: http_server_duration_count for the route counts the requests" "$N" "$got"
e2e_eq "Prometheus: the server series carries KrakenD's labels" "$N" \
    "$(promq "sum(http_server_duration_count{$route,http_request_method=\"GET\",http_response_status_code=\"200\",url_scheme=\"http\",otel_scope_name=\"io.krakend.krakend-otel\"})")"
e2e_eq "Prometheus: krakend_proxy_duration_count, complete and without error" "$N" \
    "$(promq "sum(krakend_proxy_duration_count{$route,error=\"false\",complete=\"true\"})")"
e2e_eq "Prometheus: krakend_backend_duration_count for the backend route" "$N" \
    "$(promq 'sum(krakend_backend_duration_count{http_route="/__echo/:id",krakend_endpoint_route="/echo/:id"})')"
e2e_eq "Prometheus: http_client_request_started_count_total per backend" "$N" \
    "$(promq 'sum(http_client_request_started_count_total{server_address="127.0.0.1",http_response_status_code="200",krakend_endpoint_route="/echo/:id"})')"
e2e_eq "Prometheus: target_info names the service" "1" \
    "$(promq 'target_info{service_name="e2e-gateway"}')"

# ---- /__stats ----
e2e_curl "http://127.0.0.1:$STATS_PORT/__stats"
e2e_eq "/__stats answers" 200 "$E2E_STATUS"
e2e_eq "/__stats is JSON" "application/json; charset=utf-8" "$(e2e_header Content-Type)"
e2e_eq "/__stats counts the router's 200s for the endpoint" "$N" \
    "$(jq -r '."krakend.router.response./echo/:id.status.200.count"' <<<"$E2E_BODY")"
e2e_eq "/__stats counts the pipe layer's complete requests" "$N" \
    "$(jq -r '."krakend.proxy.requests.layer.pipe.name./echo/:id.complete.true.error.false"' <<<"$E2E_BODY")"
e2e_eq "/__stats: the CEL rejection is a pipe error" "1 1" \
    "$(jq -r '[."krakend.proxy.requests.layer.pipe.name./checked/:id.complete.false.error.true",
               ."krakend.proxy.requests.layer.pipe.name./checked/:id.complete.true.error.false"]
              | map(tostring) | join(" ")' <<<"$E2E_BODY")"
e2e_eq "/__stats has cmdline and memstats" "true true" \
    "$(jq -r '[has("cmdline"), (.memstats | type == "object")] | map(tostring) | join(" ")' <<<"$E2E_BODY")"
e2e_curl "http://127.0.0.1:$STATS_PORT/__stats/"
e2e_eq "/__stats/ redirects to /__stats" "301 /__stats" "$E2E_STATUS $(e2e_header Location)"

# ---- stop: the exporter flushes, the receiver writes what it decoded ----
e2e_stop "$GW_PID"
e2e_eq "the gateway stops cleanly" 0 "$?"
for _ in $(seq 50); do grep -q '"type":"span"' "$E2E_WORK/otlp.jsonl" 2>/dev/null && break; sleep 0.1; done
e2e_stop "$RECEIVER_PID"

spans="$E2E_WORK/otlp.jsonl"
e2e_eq "OTLP: no body was refused by the receiver" 0 "$(grep -c '"type":"error"' "$spans")"
# global, proxy, backend, backend request and its payload (read_payload is on by default)
e2e_eq "OTLP: five spans per request" "$((5 * N))" \
    "$(jq -s "[.[] | select(.type == \"span\" and .trace_id == \"$TRACE\")] | length" "$spans")"
# The request whose backend saw BACKEND_TP[0]: its CLIENT span is the backend's parent.
rt_id=${tp:36:16}
chain=$(jq -rs --arg rt "$rt_id" --arg client "$CLIENT_SPAN" '
    [.[] | select(.type == "span")] as $s
    | def by_id($id): ($s | map(select(.span_id == $id)) | .[0]);
    by_id($rt) as $rt_span | by_id($rt_span.parent) as $be | by_id($be.parent) as $px
    | by_id($px.parent) as $gl
    | [$rt_span.name, $rt_span.kind, $be.name, $be.kind, $px.name, $px.kind, $gl.name, $gl.kind,
       ($gl.parent == $client), $gl.trace_state] | map(tostring) | join(" ")' "$spans")
e2e_eq "OTLP: backend request <- backend <- proxy <- global <- the client's span" \
    "/__echo/:id 3 /__echo/:id 1 /echo/:id 1 /echo/1 2 true vendor=e2e" "$chain"
e2e_eq "OTLP: the global span's attributes" "GET 200 /echo/:id global e2e-gateway" \
    "$(jq -rs '[.[] | select(.type == "span" and .name == "/echo/1")][0]
        | [.attrs["http.request.method"], .attrs["http.response.status_code"],
           .attrs["http.route"], .attrs["krakend.stage"], .resource["service.name"]]
        | map(tostring) | join(" ")' "$spans")"
e2e_eq "OTLP: the backend request span's url.full and status" \
    "http://127.0.0.1:$MB_PORT/__echo/1 200 backend-request" \
    "$(jq -rs --arg rt "$rt_id" '[.[] | select(.span_id == $rt)][0]
        | [.attrs["url.full"], .attrs["http.response.status_code"], .attrs["krakend.stage"]]
        | map(tostring) | join(" ")' "$spans")"
e2e_eq "OTLP: the payload span is the backend request's child" \
    "http.client.response.read.tracker" \
    "$(jq -rs --arg rt "$rt_id" '[.[] | select(.type == "span" and .parent == $rt)][0].name' "$spans")"
e2e_eq "OTLP: no attribute key twice in a span" 0 \
    "$(jq -s '[.[] | select(.type == "span" and (.attrs._repeated != null))] | length' "$spans")"
e2e_eq "OTLP: metrics pushed, http.server.duration among them" "true" \
    "$(jq -s 'any(.[]; .type == "metric" and .name == "http.server.duration")' "$spans")"

# ---- the application log: telemetry/logstash records, bare JSON with format custom %{message} ----
line=$(grep -m1 '^{"@timestamp"' "$E2E_WORK/gateway.log")
e2e_eq "logstash: a record is one JSON object with KrakenD's keys, module from prefix" \
    '["@timestamp","@version","host","level","message","module"] 1 E2E' \
    "$(jq -c 'keys' <<<"$line" 2>/dev/null) $(jq -r '."@version"' <<<"$line" 2>/dev/null) $(jq -r .module <<<"$line" 2>/dev/null)"
if [[ $(jq -r '."@timestamp"' <<<"$line" 2>/dev/null) =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}[+-][0-9]{2}:[0-9]{2}$ ]]; then
    e2e_pass "logstash: @timestamp has microseconds and an offset"
else
    e2e_fail "logstash: @timestamp has microseconds and an offset" "line: $line"
fi

# ---- syslog through a local socket (GW_SYSLOG_PATH): Go's log/syslog frames ----
# The receiver is Perl's core Socket module (perl-base is in every Debian).
SOCK=$E2E_WORK/syslog.sock
e2e_start syslog perl -MSocket -e '
    socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
    bind($s, pack_sockaddr_un($ARGV[0])) or die "bind: $!";
    open(my $o, ">", $ARGV[1]) or die "open: $!";
    select $o; $| = 1;
    while (defined(recv($s, my $buf, 65536, 0))) { print $o $buf; }' "$SOCK" "$E2E_WORK/syslog.out"
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
GW2_PORT=$(e2e_ports 1)
jq --argjson port "$GW2_PORT" '.port = $port
    | .extra_config = {"telemetry/logging": {"level": "INFO", "syslog": true,
                       "syslog_facility": "local5", "prefix": "e2e-gw"}}' \
    "$E2E_WORK/krakend.json" >"$E2E_WORK/krakend-syslog.json"
GW_SYSLOG_PATH=$SOCK e2e_start gateway-syslog "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend-syslog.json"
GW2_PID=$E2E_LAST_PID
e2e_wait_http "http://127.0.0.1:$GW2_PORT/__health" 10
e2e_stop "$GW2_PID"
frame=$(grep -a -m1 'Starting KrakenD v' "$E2E_WORK/syslog.out")
# PRI = local5 (21) * 8 + the configured level's severity (INFO: 6), whatever the record's level
if [[ $frame =~ ^\<174\>[A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ e2e-gw\[$GW2_PID\]:\ INFO\ \>\ Starting\ KrakenD\ v ]]; then
    e2e_pass "syslog: <PRI>Stamp tag[pid]: LEVEL > message on the local socket"
else
    e2e_fail "syslog: <PRI>Stamp tag[pid]: LEVEL > message on the local socket" "frame: $frame" \
        "received: $(head -c 300 "$E2E_WORK/syslog.out")"
fi
e2e_eq "syslog: nothing below the level (no DEBUG record)" 0 \
    "$(grep -ac 'DEBUG >' "$E2E_WORK/syslog.out")"

e2e_finish
