#!/usr/bin/env bash
# gateway_server_opts.sh - the service's http.Server options as a client sees them:
# read_header_timeout cuts a client that trickles its head, write_timeout drops an answer that
# is not out in time, max_header_bytes takes heads up to KrakenD's 1 MB (plus Go's 4096 bytes of
# slop) and answers 431 above, max_shutdown_wait_time 0 lets a stop wait for the requests in
# flight and a set one cuts them. Raw requests go through bash's /dev/tcp.
set -u
. "$(dirname "$0")/lib.sh"

read -r gp mp < <(e2e_ports 2 | tr '\n' ' ')
e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$mp" --quiet
e2e_wait_http "http://127.0.0.1:$mp/__echo/" 10

# config SERVICE_FIELDS (a JSON fragment ending with a comma)
config() {
    cat >"$E2E_WORK/krakend.json" <<EOF
{"version": 3, "port": $gp, $1
 "endpoints": [
  {"endpoint": "/slow", "timeout": "20s", "input_headers": ["X-Mock-Delay-Ms"],
   "backend": [{"host": ["http://127.0.0.1:$mp"], "url_pattern": "/__echo/slow"}]}
 ]}
EOF
}
start() {
    e2e_start gateway "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend.json"
    GW_PID=$E2E_LAST_PID
    e2e_wait_http "http://127.0.0.1:$gp/__health" 10
}

# raw PAUSE FIRST [REST]: sends file FIRST, waits PAUSE seconds, sends file REST, prints the
# answer's status line (nothing when the connection was closed without one). Writes go through
# subshells: a write to a closed socket must not end the script.
raw() {
    local line
    exec 3<>"/dev/tcp/127.0.0.1/$gp" || return 1
    (cat "$2" >&3) 2>/dev/null
    sleep "$1"
    [ $# -gt 2 ] && (cat "$3" >&3) 2>/dev/null
    line=$(timeout 10 head -n1 <&3 2>/dev/null | tr -d '\r')
    exec 3<&- 3>&-
    printf '%s' "$line"
}
printf 'GET /__health HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n' >"$E2E_WORK/part1"
printf '\r\n' >"$E2E_WORK/part2"

# --- read_header_timeout, write_timeout --------------------------------------------------------------
config '"read_header_timeout": "1s", "write_timeout": "1s",'
start
e2e_eq "read_header_timeout: a head finished in time is served" "HTTP/1.1 200 OK" \
    "$(raw 0.2 "$E2E_WORK/part1" "$E2E_WORK/part2")"
e2e_eq "read_header_timeout: a head still unfinished after 1s is cut, no answer" "" \
    "$(raw 2 "$E2E_WORK/part1" "$E2E_WORK/part2")"
e2e_curl -H 'X-Mock-Delay-Ms: 50' "http://127.0.0.1:$gp/slow"
e2e_eq "write_timeout: an answer ready in time is sent" 200 "$E2E_STATUS"
rc=0
curl -s -o /dev/null --max-time 10 -H 'X-Mock-Delay-Ms: 1800' "http://127.0.0.1:$gp/slow" || rc=$?
e2e_eq "write_timeout: an answer ready after 1s is not sent (curl: empty reply)" 52 "$rc"
e2e_curl -H 'X-Mock-Delay-Ms: 50' "http://127.0.0.1:$gp/slow"
e2e_eq "write_timeout: the next request is served" 200 "$E2E_STATUS"
e2e_stop "$GW_PID"

# --- max_header_bytes ------------------------------------------------------------------------------------
# head PADDING: writes a request head whose X-Big field holds PADDING bytes to $E2E_WORK/head
head_of() {
    {
        printf 'GET /__health HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nX-Big: '
        head -c "$1" /dev/zero | tr '\0' a
        printf '\r\n\r\n'
    } >"$E2E_WORK/head"
    echo "$E2E_WORK/head"
}
base=$(wc -c <"$(head_of 0)")
config '"max_header_bytes": 1048576,'
start
e2e_eq "max_header_bytes 1MB: a 900 KB header is served" "HTTP/1.1 200 OK" \
    "$(raw 0 "$(head_of 921600)")"
limit=$((1048576 + 4096)) # Go reads MaxHeaderBytes + 4096 bytes of bufio slop
e2e_eq "max_header_bytes 1MB: a head of exactly 1 MB + 4096 bytes is served" "HTTP/1.1 200 OK" \
    "$(raw 0 "$(head_of $((limit - base)))")"
e2e_eq "max_header_bytes 1MB: one byte more is refused" \
    "HTTP/1.1 431 Request Header Fields Too Large" "$(raw 0 "$(head_of $((limit - base + 1)))")"
e2e_stop "$GW_PID"
config '"max_header_bytes": 8192,'
start
e2e_eq "max_header_bytes 8192: 12 KB of head are served" "HTTP/1.1 200 OK" \
    "$(raw 0 "$(head_of $((8192 + 4096 - base)))")"
e2e_eq "max_header_bytes 8192: more is refused" "HTTP/1.1 431 Request Header Fields Too Large" \
    "$(raw 0 "$(head_of $((8192 + 4096 - base + 1)))")"
e2e_stop "$GW_PID"

# --- max_shutdown_wait_time --------------------------------------------------------------------------------
# Unset (0): KrakenD's Shutdown waits for every request in flight, here one of 11 s.
config ''
start
curl -s -o "$E2E_WORK/long.out" -w '%{http_code}' --max-time 30 -H 'X-Mock-Delay-Ms: 11000' \
    "http://127.0.0.1:$gp/slow" >"$E2E_WORK/long.code" &
cpid=$!
sleep 0.5
kill -TERM "$GW_PID"
wait "$cpid"
e2e_eq "max_shutdown_wait_time unset: an 11 s request in flight is answered after SIGTERM" 200 \
    "$(cat "$E2E_WORK/long.code")"
e2e_stop "$GW_PID"
config '"max_shutdown_wait_time": "1s",'
start
started=$SECONDS
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H 'X-Mock-Delay-Ms: 6000' \
    "http://127.0.0.1:$gp/slow" &
    sleep 0.5
    kill -TERM "$GW_PID"
    wait)
e2e_eq "max_shutdown_wait_time 1s: a longer request is cut at the stop" 503 "$code"
[ $((SECONDS - started)) -lt 5 ] && e2e_pass "max_shutdown_wait_time 1s: the stop did not wait 6 s" ||
    e2e_fail "max_shutdown_wait_time 1s: the stop did not wait 6 s"
e2e_stop "$GW_PID"
e2e_finish
