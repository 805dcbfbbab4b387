#!/usr/bin/env bash
# gateway_h1.sh - what a gateway user sees through the gateway's own HTTP/1.1 backend client
# (gateway/gw_h1.c, used for plain-http backends at an IP address): keep-alive across many
# requests and a retry when a kept connection was closed, gzip answers decoded, chunked and
# interim answers read whole, redirects followed as Go's http.Client does, and the status and
# error text of backends that cut an answer short, refuse the connection or are too slow.
# h1_backend frames the answers byte for byte; mock-backend echoes what the backend received.
set -u
. "$(dirname "$0")/lib.sh"

read -r gp bp mp rp < <(e2e_ports 4 | tr '\n' ' ') # gateway, h1_backend, mock-backend, refused
B="http://127.0.0.1:$bp"
G="http://127.0.0.1:$gp"

# ep PATH BACKEND_PATH [HOST] [ENDPOINT_EXTRA] [BACKEND_EXTRA]: one GET endpoint, one backend.
ep() {
    printf '{"endpoint": "%s", "backend": [{"host": ["%s"], "url_pattern": "%s"%s}]%s}' \
        "$1" "${3:-$B}" "$2" "${5:-}" "${4:-}"
}
endpoints=$(
    for p in json gzip gzip-big gzip-chunked gzip-bad chunked chunked-big big interim \
        until-close truncated truncated-chunked close drop-second r301 r302 r303 r307 r308 loop; do
        ep "/$p" "/$p"
        echo ,
    done
    ep /redirect-chain /redirect/3 && echo ,
    L="http://localhost:$bp" # the same backend through libcurl
    for p in bad-te-space bad-name-cr bad-value interim-6; do
        ep "/$p" "/$p" "$B" ', "output_encoding": "no-op"' ', "encoding": "no-op"' && echo ,
        ep "/curl-$p" "/$p" "$L" ', "output_encoding": "no-op"' ', "encoding": "no-op"' && echo ,
    done
    ep /stray /stray && echo ,
    ep /slow /slow "$B" ', "timeout": "300ms"' && echo ,
    ep /refused /json "http://127.0.0.1:$rp" && echo ,
    ep /gzip-204 /gzip-204 "$B" ', "output_encoding": "no-op"' ', "encoding": "no-op"' && echo ,
    for p in echo r303; do
        printf '{"endpoint": "/post-%s", "method": "POST", "backend": [{"host": ["%s"], ' "$p" "$B"
        printf '"url_pattern": "/%s", "method": "POST"}]},\n' "$p"
    done
    ep /mb/echo /__echo/seq "http://127.0.0.1:$mp" ', "input_headers": ["X-Mock-Close"]' && echo ,
    ep /mb/slow /__echo/slow "http://127.0.0.1:$mp" \
        ', "timeout": "300ms", "input_headers": ["X-Mock-Delay-Ms"]'
)
cat >"$E2E_WORK/krakend.json" <<EOF
{"version": 3, "port": $gp, "timeout": "3s",
 "extra_config": {"router": {"return_error_msg": true}},
 "endpoints": [
$endpoints
]}
EOF

e2e_start h1_backend "$TOOLS_DIR/h1_backend" "$bp"
e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$mp" --quiet
# One worker (one CPU) keeps one pool of backend connections: the counts below are exact.
pin=()
cpu=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*\([0-9]*\).*/\1/p' /proc/self/status)
if command -v taskset >/dev/null && [ -n "$cpu" ]; then pin=(taskset -c "$cpu"); fi
USAGE_DISABLE=1 e2e_start gateway ${pin[@]+"${pin[@]}"} "$BIN_DIR/krakend" run \
    -c "$E2E_WORK/krakend.json"
for u in "$B/json" "http://127.0.0.1:$mp/__echo" "$G/__health"; do
    e2e_wait_http "$u" 10 || {
        e2e_fail "$u answers" "$(tail -n 20 "$E2E_WORK"/*.log)"
        e2e_finish
        exit 1
    }
done

# stat NAME: a counter of h1_backend (its own request for it included).
stat() { curl -s --max-time 5 "$B/stats" | jq -r ".$1"; }

# ---- keep-alive ------------------------------------------------------------------------------
c0=$(stat connections)
statuses=$(
    for _ in $(seq 200); do curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 "$G/json"; done |
        sort | uniq -c | awk '{print $2 "x" $1}'
)
e2e_eq "200 sequential requests: all 200" "200x200" "$statuses"
e2e_curl "$G/json"
e2e_eq "keep-alive: the answer is intact" '{"hello":"world","n":1}' "$E2E_BODY"
c1=$(stat connections)
used=$((c1 - c0 - 1))
if [ ${#pin[@]} -gt 0 ]; then
    e2e_eq "keep-alive: 201 requests on one backend connection" 1 "$used"
else
    msg="keep-alive: $used backend connections for 201 requests"
    [ "$used" -le "$(nproc)" ] && e2e_pass "$msg" || e2e_fail "$msg (at most $(nproc))"
fi
# The same through mock-backend, which echoes what it received on each of them.
bad=0
for i in $(seq 20); do
    e2e_curl "$G/mb/echo"
    [ "$E2E_STATUS $(jq -r .target <<<"$E2E_BODY")" = "200 /__echo/seq" ] || bad=$((bad + 1))
done
e2e_eq "mock-backend: 20 sequential echoes intact" 0 "$bad"
e2e_eq "mock-backend: gzip asked for" '["gzip"]' \
    "$(jq -c '.headers["Accept-Encoding"]' <<<"$E2E_BODY")"
e2e_eq "mock-backend: Host is the backend's" "127.0.0.1:$mp" \
    "$(jq -r '.headers.Host[0]' <<<"$E2E_BODY")"
e2e_eq "mock-backend: HTTP/1.1" "HTTP/1.1" "$(jq -r '.version' <<<"$E2E_BODY")"

# A kept connection the backend closes as the next request arrives: retried once on a new one.
d0=$(stat dropped)
bad=0
for _ in $(seq 5); do
    e2e_curl "$G/drop-second"
    [ "$E2E_STATUS $E2E_BODY" = '200 {"fresh":true}' ] || bad=$((bad + 1))
done
e2e_eq "closed kept connection: retried, 5 x 200" 0 "$bad"
dropped=$(($(stat dropped) - d0))
[ "$dropped" -ge 1 ] && e2e_pass "closed kept connection: the backend dropped $dropped" ||
    e2e_fail "closed kept connection: no request met a closed connection (test proves nothing)"

# ---- gzip ------------------------------------------------------------------------------------
e2e_curl "$G/gzip"
e2e_eq "gzip: decoded" "200 true" "$E2E_STATUS $(jq -r '.compressed' <<<"$E2E_BODY")"
e2e_curl "$G/gzip-big"
e2e_eq "gzip: 500 KB decoded from a few hundred bytes" "200 500000" \
    "$E2E_STATUS $(jq -r '.text | length' <<<"$E2E_BODY")"
e2e_curl "$G/gzip-chunked"
e2e_eq "gzip, chunked: decoded" "200 100000" "$E2E_STATUS $(jq -r '.text | length' <<<"$E2E_BODY")"
e2e_curl "$G/gzip-204"
e2e_eq "gzip named on a 204 (no body): 204 passed on" "204 " "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/gzip-bad"
e2e_eq "gzip that is not: 500" 500 "$E2E_STATUS"
e2e_contains "gzip that is not: the error names the URL" "Get \"$B/gzip-bad\": " "$E2E_BODY"

# ---- framing ---------------------------------------------------------------------------------
e2e_curl "$G/chunked"
e2e_eq "chunked (extensions, trailer, pieces sent apart): whole" \
    '200 {"chunked":true,"parts":["one","two","three"]}' "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/chunked-big"
e2e_eq "chunked, 200 KB in 7000-byte chunks: whole" "200 200000" \
    "$E2E_STATUS $(jq -r '.text | length' <<<"$E2E_BODY")"
e2e_curl "$G/big"
e2e_eq "Content-Length, 300 KB: whole" "200 300000" \
    "$E2E_STATUS $(jq -r '.text | length' <<<"$E2E_BODY")"
e2e_curl "$G/interim"
e2e_eq "100 and 103 before the answer: skipped" '200 {"after":"interim"}' "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/until-close"
e2e_eq "no length, ended by the close: whole" '200 {"until":"close"}' "$E2E_STATUS $E2E_BODY"
e2e_eq "X-Krakend-Completed after it" true "$(e2e_header X-Krakend-Completed)"

# ---- redirects (Go's http.Client: 301/302/303/307/308 followed, Referer set) -------------------
for s in 301 302 303 307; do
    e2e_curl "$G/r$s"
    e2e_eq "$s followed" "200 GET /echo $B/r$s" \
        "$E2E_STATUS $(jq -r '"\(.method) \(.target) \(.referer)"' <<<"$E2E_BODY")"
done
e2e_curl "$G/r308"
e2e_eq "308 to an absolute URL followed" "200 /echo?from=308" \
    "$E2E_STATUS $(jq -r .target <<<"$E2E_BODY")"
e2e_curl -X POST "$G/post-echo" -H 'Content-Type: application/json' -d '{"a":1}'
e2e_eq "POST: the body reaches the backend (chunked, as KrakenD sends it)" '200 POST {"a":1}' \
    "$E2E_STATUS $(jq -r '"\(.method) \(.body)"' <<<"$E2E_BODY")"
e2e_curl -X POST "$G/post-r303" -H 'Content-Type: application/json' -d '{"a":1}'
e2e_eq "303 after a POST: a GET without the body" "200 GET " \
    "$E2E_STATUS $(jq -r '"\(.method) \(.body)"' <<<"$E2E_BODY")"
e2e_curl "$G/redirect-chain"
e2e_eq "three redirects in a row" '200 {"hello":"world","n":1}' "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/loop"
e2e_eq "a redirect loop: 500 after 10 redirects" \
    "500 Get \"$B/loop\": stopped after 10 redirects" "$E2E_STATUS $E2E_BODY"

# ---- answers Go's transport refuses (docs/security.md), on both backend paths --------------------
for p in bad-te-space bad-name-cr bad-value; do
    e2e_curl "$G/$p"
    e2e_eq "$p (own client): refused, as Go's transport does" \
        "500 Get \"$B/$p\": malformed MIME header line" "$E2E_STATUS $E2E_BODY"
    e2e_curl "$G/curl-$p"
    # libcurl refuses a bare CR in a field line itself, with its own words
    e2e_contains "$p (libcurl): refused too" "500 Get \"http://localhost:$bp/$p\": " \
        "$E2E_STATUS $E2E_BODY"
done
e2e_curl "$G/interim-6"
e2e_eq "six 1xx answers (own client): Go gives up after five" \
    "500 Get \"$B/interim-6\": net/http: too many 1xx informational responses" \
    "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/curl-interim-6"
e2e_eq "six 1xx answers (libcurl): the same" \
    "500 Get \"http://localhost:$bp/interim-6\": net/http: too many 1xx informational responses" \
    "$E2E_STATUS $E2E_BODY"
# A stray answer on an idle kept connection is never the next request's answer.
for i in 1 2 3 4 5; do
    e2e_curl "$G/stray"
    e2e_eq "stray answer $i: each request gets its own" '200 {"first":true}' "$E2E_STATUS $E2E_BODY"
    sleep 0.05
    e2e_curl "$G/json"
    e2e_eq "after stray answer $i: /json gets its own" '200 {"hello":"world","n":1}' \
        "$E2E_STATUS $E2E_BODY"
done

# ---- failures: status 500 and the error as router.return_error_msg shows it --------------------
# The texts are those of Go's transport (before gw_h1, libcurl's were shown: "Empty reply from
# server", "transfer closed with 89 bytes remaining to read", "Failed to connect to ... Couldn't
# connect to server"). KrakenD itself reads the body after client.Do returned, so a body cut
# short shows there as a bare "unexpected EOF", without the Get "URL": prefix kept here.
e2e_curl "$G/truncated"
e2e_eq "closed mid-body (Content-Length)" "500 Get \"$B/truncated\": unexpected EOF" \
    "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/truncated-chunked"
e2e_eq "closed mid-body (chunked)" "500 Get \"$B/truncated-chunked\": unexpected EOF" \
    "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/close"
e2e_eq "closed without an answer" "500 Get \"$B/close\": EOF" "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/mb/echo" -H 'X-Mock-Close: 1'
e2e_eq "mock-backend closes without an answer" \
    "500 Get \"http://127.0.0.1:$mp/__echo/seq\": EOF" "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/refused"
e2e_eq "connection refused" \
    "500 Get \"http://127.0.0.1:$rp/json\": dial tcp 127.0.0.1:$rp: connect: connection refused" \
    "$E2E_STATUS $E2E_BODY"
t0=$(date +%s%N)
e2e_curl "$G/slow"
ms=$((($(date +%s%N) - t0) / 1000000))
e2e_eq "backend slower than the timeout" "500 context deadline exceeded" "$E2E_STATUS $E2E_BODY"
[ "$ms" -lt 1500 ] && e2e_pass "the timeout answers in ${ms} ms (backend: 2 s)" ||
    e2e_fail "the timeout answers in ${ms} ms (backend: 2 s)"
e2e_curl "$G/mb/slow" -H 'X-Mock-Delay-Ms: 2000'
e2e_eq "mock-backend slower than the timeout" "500 context deadline exceeded" \
    "$E2E_STATUS $E2E_BODY"
# after all that, the pool still serves
e2e_curl "$G/json"
e2e_eq "still answering after the failures" '200 {"hello":"world","n":1}' "$E2E_STATUS $E2E_BODY"

e2e_finish
