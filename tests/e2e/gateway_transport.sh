#!/usr/bin/env bash
# gateway_transport.sh - lura's backend transport options as a backend and the gateway's log see
# them: response_header_timeout (own client and libcurl), expect_continue_timeout, dialer_timeout
# against a backend that never accepts, dialer_keep_alive in the kernel's keep-alive timer,
# max_idle_connections_per_host / max_idle_connections / idle_connection_timeout in the number of
# connections the backend accepted; then client_tls against openssl s_server asking for a client
# certificate. The gateways run on one CPU (one worker) so connection counts are exact.
set -u
. "$(dirname "$0")/lib.sh"

read -r gp bp sp < <(e2e_ports 3 | tr '\n' ' ')
B="http://127.0.0.1:$bp"
e2e_start h1_backend "$TOOLS_DIR/h1_backend" "$bp"
e2e_start blackhole "$TOOLS_DIR/h1_backend" --blackhole
for _ in $(seq 50); do grep -q 'blackhole on' "$E2E_WORK/blackhole.log" && break; sleep 0.1; done
hp=$(sed -n 's/^blackhole on 127.0.0.1:\([0-9]*\)$/\1/p' "$E2E_WORK/blackhole.log")
e2e_wait_http "$B/json" 10
pin=()
cpu=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*\([0-9]*\).*/\1/p' /proc/self/status)
if command -v taskset >/dev/null && [ -n "$cpu" ]; then pin=(taskset -c "$cpu"); fi

# gateway NAME SERVICE_FIELDS ENDPOINTS: starts a gateway (one worker) and waits for it
gateway() {
    cat >"$E2E_WORK/$1.json" <<EOF
{"version": 3, "port": $gp, "timeout": "3s", $2
 "extra_config": {"router": {"return_error_msg": true}},
 "endpoints": [$3]}
EOF
    e2e_start "$1" ${pin[@]+"${pin[@]}"} "$BIN_DIR/krakend" run -c "$E2E_WORK/$1.json"
    GW_PID=$E2E_LAST_PID
    e2e_wait_http "http://127.0.0.1:$gp/__health" 10
}
ep() { # ep PATH BACKEND_PATH [HOST] [EXTRA]
    printf '{"endpoint": "%s", "backend": [{"host": ["%s"], "url_pattern": "%s"}]%s}' \
        "$1" "${3:-$B}" "$2" "${4:-}"
}
post() { # post PATH BACKEND_PATH: a POST that forwards Expect
    printf '{"endpoint": "%s", "method": "POST", "input_headers": ["Expect", "Content-Type"],
      "backend": [{"host": ["%s"], "url_pattern": "%s"}]}' "$1" "$B" "$2"
}
conns() { curl -s "$B/stats" | sed -n 's/.*"connections":\([0-9]*\).*/\1/p'; }
field() { printf '%s' "$2" | sed -n "s/.*\"$1\":\\([0-9a-z]*\\).*/\\1/p"; }
# keepalive_s: seconds left on the kernel's keep-alive timer of the gateway's idle connection to
# the backend (ss prints it as "4.880ms" for 4 s 880 ms, "14sec", "3min2sec", "119min")
keepalive_s() {
    ss -tno state established "( dport = :$bp )" |
        sed -n 's/.*timer:(keepalive,\([0-9a-z.]*\),.*/\1/p' | head -n1 |
        awk '{ t = $0; s = 0
               if (match(t, /[0-9]+min/)) { s += 60 * substr(t, RSTART, RLENGTH - 3); t = substr(t, RSTART + RLENGTH) }
               if (match(t, /^[0-9]+sec/)) { s += substr(t, 1, RLENGTH - 3); t = "" }
               if (match(t, /^[0-9]+\./)) { s += substr(t, 1, RLENGTH - 1); t = substr(t, RLENGTH + 1) }
               if (match(t, /^[0-9]+ms/)) { s += substr(t, 1, RLENGTH - 2) / 1000 }
               print s }'
}
endpoints="$(ep /rht /sleep?ms=1200), $(ep /rht-ok /sleep?ms=50),
 $(ep /rht-curl /sleep?ms=1200 "http://localhost:$bp"), $(ep /dial / "http://127.0.0.1:$hp"),
 $(post /expect-silent /expect-silent), $(post /expect-continue /expect-continue)"

# --- set ----------------------------------------------------------------------------------------------
gateway set '"response_header_timeout": "500ms", "expect_continue_timeout": "1s",
  "dialer_timeout": "300ms", "dialer_keep_alive": "5s",' "$endpoints"
e2e_curl "http://127.0.0.1:$gp/rht-ok"
e2e_eq "response_header_timeout: a head within 500 ms is served" 200 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$gp/rht"
e2e_eq "response_header_timeout: a head after 1.2 s fails the call" 500 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$gp/rht-curl"
e2e_eq "response_header_timeout: the same through libcurl" 500 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$gp/dial"
e2e_eq "dialer_timeout: a backend that never accepts fails the call" 500 "$E2E_STATUS"
e2e_curl -H 'Content-Type: text/plain' -H 'Expect: 100-continue' -d hello \
    "http://127.0.0.1:$gp/expect-silent"
w=$(field body_wait_ms "$E2E_BODY")
[ "${w:-0}" -ge 800 ] && e2e_pass "expect_continue_timeout 1s: without a 100 the body waits (${w} ms)" ||
    e2e_fail "expect_continue_timeout 1s: without a 100 the body waits" "$E2E_BODY"
e2e_eq "expect_continue_timeout: the backend saw Expect and the whole body" "true 5" \
    "$(field expect "$E2E_BODY") $(field body_len "$E2E_BODY")"
e2e_curl -H 'Content-Type: text/plain' -H 'Expect: 100-continue' -d hello \
    "http://127.0.0.1:$gp/expect-continue"
w=$(field body_wait_ms "$E2E_BODY")
[ "${w:-9999}" -lt 800 ] && e2e_pass "expect_continue_timeout: a 100 sends the body at once (${w} ms)" ||
    e2e_fail "expect_continue_timeout: a 100 sends the body at once" "$E2E_BODY"
ka=$(keepalive_s)
awk -v k="${ka:-0}" 'BEGIN { exit !(k > 0 && k <= 5) }' &&
    e2e_pass "dialer_keep_alive 5s: the backend connection probes within 5 s (${ka}s)" ||
    e2e_fail "dialer_keep_alive 5s: the backend connection probes within 5 s" "timer: ${ka:-none}"
sleep 0.2
log=$(cat "$E2E_WORK/set.log")
e2e_contains "response_header_timeout: Go's error text" \
    "Get \"$B/sleep?ms=1200\": net/http: timeout awaiting response headers" "$log"
e2e_contains "response_header_timeout: Go's error text through libcurl" \
    "Get \"http://localhost:$bp/sleep?ms=1200\": net/http: timeout awaiting response headers" "$log"
e2e_contains "dialer_timeout: Go's dial error" "dial tcp 127.0.0.1:$hp: i/o timeout" "$log"
e2e_stop "$GW_PID"

# --- KrakenD's defaults, for contrast ----------------------------------------------------------------
gateway defaults '' "$endpoints"
e2e_curl "http://127.0.0.1:$gp/rht"
e2e_eq "no response_header_timeout: the slow head is served" 200 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$gp/dial"
e2e_eq "no dialer_timeout: the call waits for the endpoint's deadline" 500 "$E2E_STATUS"
e2e_curl -H 'Content-Type: text/plain' -H 'Expect: 100-continue' -d hello \
    "http://127.0.0.1:$gp/expect-silent"
w=$(field body_wait_ms "$E2E_BODY")
[ "${w:-9999}" -lt 800 ] && e2e_pass "no expect_continue_timeout: the body goes at once (${w} ms)" ||
    e2e_fail "no expect_continue_timeout: the body goes at once" "$E2E_BODY"
ka=$(keepalive_s)
awk -v k="${ka:-0}" 'BEGIN { exit !(k > 5 && k <= 15) }' &&
    e2e_pass "dialer_keep_alive unset: Go's 15 s (${ka}s)" ||
    e2e_fail "dialer_keep_alive unset: Go's 15 s" "timer: ${ka:-none}"
sleep 0.2
e2e_contains "no dialer_timeout: the deadline ends the dial" "context deadline exceeded" \
    "$(cat "$E2E_WORK/defaults.log")"
e2e_stop "$GW_PID"

# --- idle connections ----------------------------------------------------------------------------------
# wave N: N concurrent requests that overlap at the backend; prints the connections it opened
wave() {
    local before=$(conns) i pids=()
    for i in $(seq "$1"); do
        curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$gp/hold" &
        pids+=($!)
    done
    wait "${pids[@]}"
    echo $(($(conns) - before - 1)) # less the /stats call of conns itself
}
hold=$(ep /hold /sleep?ms=400)
gateway per-host '"max_idle_connections_per_host": 1,' "$hold"
e2e_eq "max_idle_connections_per_host 1: four parallel calls open four connections" 4 "$(wave 4)"
e2e_eq "max_idle_connections_per_host 1: one was kept, three are new" 3 "$(wave 4)"
e2e_stop "$GW_PID"
gateway total '"max_idle_connections": 2,' "$hold"
wave 4 >/dev/null
e2e_eq "max_idle_connections 2: two were kept, two are new" 2 "$(wave 4)"
e2e_stop "$GW_PID"
gateway unlimited '' "$hold"
wave 4 >/dev/null
e2e_eq "defaults (250 per host): all four were kept" 0 "$(wave 4)"
e2e_stop "$GW_PID"
gateway idle '"idle_connection_timeout": "1s",' "$hold"
wave 1 >/dev/null
e2e_eq "idle_connection_timeout 1s: reused within it" 0 "$(wave 1)"
sleep 1.6
e2e_eq "idle_connection_timeout 1s: closed after it" 1 "$(wave 1)"
e2e_stop "$GW_PID"

# libcurl keeps https connections without a per-host count: check says so
cat >"$E2E_WORK/perhost.json" <<EOF
{"version": 3, "max_idle_connections_per_host": 4,
 "endpoints": [$(ep /s / "https://localhost:$sp")]}
EOF
e2e_contains "max_idle_connections_per_host with an https backend: check names what differs" \
    "max_idle_connections_per_host: not applied to https backends" \
    "$("$BIN_DIR/krakend" check -c "$E2E_WORK/perhost.json" 2>&1)"

# --- client_tls ------------------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$E2E_WORK/ca.key" -out "$E2E_WORK/ca.pem" \
    -days 2 -subj /CN=backend-ca 2>/dev/null
sign() { # sign NAME CN EXT
    printf '%s\n' "$3" >"$E2E_WORK/$1.ext"
    openssl req -new -newkey rsa:2048 -nodes -keyout "$E2E_WORK/$1.key" -subj "/CN=$2" \
        -out "$E2E_WORK/$1.csr" 2>/dev/null
    openssl x509 -req -in "$E2E_WORK/$1.csr" -CA "$E2E_WORK/ca.pem" -CAkey "$E2E_WORK/ca.key" \
        -CAcreateserial -days 2 -extfile "$E2E_WORK/$1.ext" -out "$E2E_WORK/$1.pem" 2>/dev/null
}
sign server localhost 'subjectAltName=DNS:localhost'
sign client gateway 'extendedKeyUsage=clientAuth'
# openssl's own server, asking for a client certificate signed by the CA (-Verify), TLS 1.3 only
e2e_start s_server openssl s_server -accept "$sp" -cert "$E2E_WORK/server.pem" \
    -key "$E2E_WORK/server.key" -CAfile "$E2E_WORK/ca.pem" -Verify 2 -verify_return_error \
    -tls1_3 -www
for _ in $(seq 50); do grep -q '^ACCEPT' "$E2E_WORK/s_server.log" && break; sleep 0.1; done
tls_ep() { # tls_ep PATH
    printf '{"endpoint": "%s", "output_encoding": "no-op", "backend": [{"host": ["https://localhost:%s"], "url_pattern": "/", "encoding": "no-op"}]}' "$1" "$sp"
}
ctls() { # ctls CLIENT_TLS_JSON: the status the gateway answers through it
    gateway ctls "\"client_tls\": $1," "$(tls_ep /tls)"
    curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$gp/tls"
    e2e_stop "$GW_PID"
}
cert="{\"certificate\": \"$E2E_WORK/client.pem\", \"private_key\": \"$E2E_WORK/client.key\"}"
ca="\"ca_certs\": [\"$E2E_WORK/ca.pem\"]"
e2e_eq "client_tls: CA and client certificate: the backend answers" 200 \
    "$(ctls "{$ca, \"client_certs\": [$cert]}")"
e2e_eq "client_tls: without the client certificate the backend refuses" 500 "$(ctls "{$ca}")"
e2e_eq "client_tls: without ca_certs the backend's certificate is not trusted" 500 \
    "$(ctls "{\"client_certs\": [$cert]}")"
e2e_eq "client_tls: allow_insecure_connections skips that check" 200 \
    "$(ctls "{\"allow_insecure_connections\": true, \"client_certs\": [$cert]}")"
e2e_eq "client_tls: max_version TLS12 cannot reach a TLS 1.3-only backend" 500 \
    "$(ctls "{$ca, \"client_certs\": [$cert], \"min_version\": \"TLS12\", \"max_version\": \"TLS12\"}")"
e2e_eq "client_tls: a missing client certificate file is skipped (logged)" 500 \
    "$(ctls "{$ca, \"client_certs\": [{\"certificate\": \"/nonexistent.pem\", \"private_key\": \"/x\"}]}")"
e2e_contains "client_tls: ... with lura's message" "Cannot load client certificate /nonexistent.pem" \
    "$(cat "$E2E_WORK/ctls.log")"
e2e_finish
