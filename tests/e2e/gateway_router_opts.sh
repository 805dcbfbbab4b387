#!/usr/bin/env bash
# gateway_router_opts.sh - the gin engine options of the `router` namespace as a client and a
# backend see them: the client IP (X-Forwarded-For sent to the backend) with and without
# trusted_proxies, remote_ip_headers and forwarded_by_client_ip; logger_skip_paths in the
# access log; remove_extra_slash in routing. Clients come from 127.0.0.1 and, as a "proxy",
# from 127.0.0.2 (curl --interface), both loopback.
set -u
. "$(dirname "$0")/lib.sh"

read -r gp gp2 gp3 mp < <(e2e_ports 4 | tr '\n' ' ')
e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$mp" --quiet
e2e_wait_http "http://127.0.0.1:$mp/__echo/" 10

# config PORT ROUTER_JSON
config() {
    cat <<EOF
{"version": 3, "port": $1, "extra_config": {"router": $2},
 "endpoints": [
  {"endpoint": "/ip", "backend": [{"host": ["http://127.0.0.1:$mp"], "url_pattern": "/__echo/ip"}]},
  {"endpoint": "/quiet", "backend": [{"host": ["http://127.0.0.1:$mp"], "url_pattern": "/__echo/q"}]}
 ]}
EOF
}
config "$gp" '{"trusted_proxies": ["127.0.0.2", "192.0.2.0/24"], "logger_skip_paths": ["/quiet"],
  "remove_extra_slash": true}' >"$E2E_WORK/trusted.json"
config "$gp2" '{}' >"$E2E_WORK/default.json"
config "$gp3" '{"trusted_proxies": ["127.0.0.0/8"], "forwarded_by_client_ip": false,
  "remote_ip_headers": ["X-Client-Ip"]}' >"$E2E_WORK/off.json"
e2e_start gw-trusted "$BIN_DIR/krakend" run -c "$E2E_WORK/trusted.json"
e2e_start gw-default "$BIN_DIR/krakend" run -c "$E2E_WORK/default.json"
e2e_start gw-off "$BIN_DIR/krakend" run -c "$E2E_WORK/off.json"
for p in "$gp" "$gp2" "$gp3"; do e2e_wait_http "http://127.0.0.1:$p/__health" 10; done

# xff PORT [CURL_ARGS...]: the X-Forwarded-For the backend received
xff() {
    local port=$1
    shift
    e2e_curl "$@" "http://127.0.0.1:$port/ip"
    printf '%s' "$E2E_BODY" | sed -n 's/.*"X-Forwarded-For":\["\([^"]*\)"\].*/\1/p'
}

# --- trusted_proxies ---------------------------------------------------------------------------
e2e_eq "trusted_proxies: a client that is no proxy cannot spoof X-Forwarded-For" 127.0.0.1 \
    "$(xff "$gp" -H 'X-Forwarded-For: 6.6.6.6')"
e2e_eq "trusted_proxies: ... nor X-Real-IP" 127.0.0.1 "$(xff "$gp" -H 'X-Real-IP: 6.6.6.6')"
e2e_eq "trusted_proxies: a trusted proxy's X-Forwarded-For is honoured" 203.0.113.7 \
    "$(xff "$gp" --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.7')"
e2e_eq "trusted_proxies: the walk stops at the first untrusted address from the right" \
    198.51.100.9 \
    "$(xff "$gp" --interface 127.0.0.2 -H 'X-Forwarded-For: 6.6.6.6, 198.51.100.9, 192.0.2.10')"
e2e_eq "trusted_proxies: every line of the header counts, the last one first" 198.51.100.9 \
    "$(xff "$gp" --interface 127.0.0.2 -H 'X-Forwarded-For: 6.6.6.6' \
        -H 'X-Forwarded-For: 198.51.100.9, 127.0.0.2')"
e2e_eq "trusted_proxies: X-Real-IP from a trusted proxy" 203.0.113.8 \
    "$(xff "$gp" --interface 127.0.0.2 -H 'X-Forwarded-For: junk' -H 'X-Real-IP: 203.0.113.8')"

# --- KrakenD's default: every proxy trusted ------------------------------------------------------
e2e_eq "default (all trusted, as gin): the left-most X-Forwarded-For address" 6.6.6.6 \
    "$(xff "$gp2" -H 'X-Forwarded-For: 6.6.6.6, 198.51.100.9')"
e2e_eq "default: an entry that is no IP rejects the header" 127.0.0.1 \
    "$(xff "$gp2" -H 'X-Forwarded-For: 6.6.6.6, nope')"

# --- forwarded_by_client_ip false, remote_ip_headers ----------------------------------------------
e2e_eq "forwarded_by_client_ip false: headers are not read, even from a trusted peer" 127.0.0.1 \
    "$(xff "$gp3" -H 'X-Client-Ip: 6.6.6.6' -H 'X-Forwarded-For: 6.6.6.7')"

# --- logger_skip_paths ------------------------------------------------------------------------------
e2e_curl "http://127.0.0.1:$gp/quiet"
e2e_eq "logger_skip_paths: the request is served" 200 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$gp/ip?logged=1"
sleep 0.5 # the access log is written in batches, at most 100 ms late
log=$(cat "$E2E_WORK/gw-trusted.log")
e2e_contains "logger_skip_paths: other paths are logged" '"/ip?logged=1"' "$log"
case "$log" in
*'"/quiet'*) e2e_fail "logger_skip_paths: no access-log line for /quiet" "$log" ;;
*) e2e_pass "logger_skip_paths: no access-log line for /quiet" ;;
esac

# --- remove_extra_slash --------------------------------------------------------------------------------
e2e_curl --path-as-is "http://127.0.0.1:$gp//ip"
e2e_eq "remove_extra_slash: //ip is routed to /ip" 200 "$E2E_STATUS"
e2e_curl --path-as-is "http://127.0.0.1:$gp/./x/..//ip"
e2e_eq "remove_extra_slash: dot segments are resolved too" 200 "$E2E_STATUS"
e2e_curl --path-as-is "http://127.0.0.1:$gp2//ip"
e2e_eq "without remove_extra_slash: gin's fixed-path redirect" "301 /ip" \
    "$E2E_STATUS $(e2e_header Location)"
e2e_finish
