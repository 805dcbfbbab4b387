#!/usr/bin/env bash
# qos.sh - qos/circuit-breaker, qos/ratelimit/router, qos/ratelimit/proxy, qos/http-cache and
# auth/revoker end to end, through mock-backend's scripted faults: the breaker opens after the
# configured errors, answers without calling the backend while open (mock-backend's request log
# proves it) and closes again; the limits answer 503 / 429 / 500 at the configured rates,
# measured over seconds with a tolerance (never one request's timing); the cache answers from
# its store without a backend call and honours no-store and max-age; a revoked token is refused.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

read -r MB_PORT GW_PORT REV_PORT < <(e2e_ports 3 | tr '\n' ' ')
KEYS=$E2E_WORK/keys
mkdir -p "$KEYS"

# An RS256 key of our own, signed with openssl: tokens with a jti each for the revoker.
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$E2E_WORK/rsa.pem" 2>/dev/null
N=$(openssl rsa -in "$E2E_WORK/rsa.pem" -noout -modulus | cut -d= -f2 | xxd -r -p | b64url)
printf '{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"%s","e":"AQAB"}]}\n' "$N" \
    >"$KEYS/jwks.json"
rs256() { # rs256 CLAIMS_JSON
    local input
    input="$(printf '{"alg":"RS256","kid":"k1","typ":"JWT"}' | b64url).$(printf '%s' "$1" | b64url)"
    printf '%s.%s' "$input" "$(printf '%s' "$input" | openssl dgst -sha256 -sign "$E2E_WORK/rsa.pem" -binary | b64url)"
}
NOW=$(date +%s)
TOKEN_A=$(rs256 "{\"sub\":\"alice\",\"jti\":\"a-1\",\"exp\":$((NOW + 3600))}")
TOKEN_B=$(rs256 "{\"sub\":\"bob\",\"jti\":\"b-2\",\"exp\":$((NOW + 3600))}")

e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB_PORT" --files "$KEYS"
MB_LOG=$E2E_WORK/mock-backend.log
e2e_wait_http "http://127.0.0.1:$MB_PORT/__echo/" 10

B="http://127.0.0.1:$MB_PORT"
ep() { # ep PATH BACKEND_PATH ENDPOINT_EXTRA BACKEND_EXTRA
    printf '{"endpoint":"%s","input_headers":["X-Mock-Status","X-Mock-Header","X-Client"],"extra_config":%s,"backend":[{"host":["%s"],"url_pattern":"%s","extra_config":%s}]}' \
        "$1" "$3" "$B" "$2" "$4"
}
eps=()
CB='"qos/circuit-breaker":{"interval":60,"timeout":1,"max_errors":1,"name":"e2e","log_status_change":true}'
eps+=("$(ep /cb /__echo/cb '{}' "{$CB}")")
eps+=("{\"endpoint\":\"/cb-noop\",\"output_encoding\":\"no-op\",\"input_headers\":[\"X-Mock-Status\"],\"backend\":[{\"host\":[\"$B\"],\"url_pattern\":\"/__echo/cb-noop\",\"encoding\":\"no-op\",\"extra_config\":{\"qos/circuit-breaker\":{\"max_errors\":0,\"timeout\":60}}}]}")
eps+=("$(ep /rl/endpoint /__echo/rl-e '{"qos/ratelimit/router":{"max_rate":20,"capacity":20}}' '{}')")
eps+=("$(ep /rl/client /__echo/rl-c '{"qos/ratelimit/router":{"client_max_rate":10,"client_capacity":10,"strategy":"header","key":"X-Client"}}' '{}')")
SLOW='"max_rate":1,"capacity":1,"every":"1h"'
eps+=("$(ep /rl/shape-503 /__echo/s503 "{\"qos/ratelimit/router\":{$SLOW}}" '{}')")
eps+=("$(ep /rl/shape-429 /__echo/s429 '{"qos/ratelimit/router":{"client_max_rate":1,"client_capacity":1,"every":"1h","strategy":"ip"}}' '{}')")
eps+=("$(ep /rl/param/{id} /__echo/p '{"qos/ratelimit/router":{"client_max_rate":1,"client_capacity":1,"every":"1h","strategy":"param","key":"id"}}' '{}')")
eps+=("$(ep /rl/proxy /__echo/rl-p '{}' '{"qos/ratelimit/proxy":{"max_rate":10,"capacity":10}}')")
eps+=("$(ep /cache/fresh /__echo/c1 '{}' '{"qos/http-cache":{}}')")
eps+=("$(ep /cache/no-store /__echo/c2 '{}' '{"qos/http-cache":{}}')")
eps+=("$(ep /cache/max-age-0 /__echo/c3 '{}' '{"qos/http-cache":{}}')")
eps+=("$(ep /cache/max-age-1 /__echo/c4 '{}' '{"qos/http-cache":{"shared":true,"max_size":65536,"max_items":10}}')")
# the three stages on one backend: a hit spends a backend token and counts for the breaker
eps+=("$(ep /stack /__echo/stack '{}' '{"qos/circuit-breaker":{"max_errors":0,"timeout":60,"name":"stack"},"qos/ratelimit/proxy":{"max_rate":1,"capacity":3,"every":"1h"},"qos/http-cache":{}}')")
eps+=("{\"endpoint\":\"/protected\",\"extra_config\":{\"auth/validator\":{\"alg\":\"RS256\",\"jwk_url\":\"$B/__files/jwks.json\",\"disable_jwk_security\":true,\"cache\":true}},\"backend\":[{\"host\":[\"$B\"],\"url_pattern\":\"/__echo/protected\"}]}")
(IFS=,; printf '{"version":3,"port":%s,"timeout":"3s","extra_config":{"auth/revoker":{"N":1000,"P":0.001,"hash_name":"optimal","TTL":3600,"port":%s,"token_keys":["jti"]}},"endpoints":[%s]}\n' \
    "$GW_PORT" "$REV_PORT" "${eps[*]}") >"$E2E_WORK/krakend.json"
jq . "$E2E_WORK/krakend.json" >/dev/null || e2e_fail "generated krakend.json is JSON"

echo "# gateway check: the implemented namespaces are not warned about"
"$BIN_DIR/krakend" check -c "$E2E_WORK/krakend.json" >"$E2E_WORK/check.out" 2>&1
e2e_eq "check exits 0" 0 "$?"
e2e_eq "no 'not supported' warning for qos/* or auth/revoker" "" \
    "$(grep -E 'not supported by this gateway' "$E2E_WORK/check.out" | grep -E 'qos/|ratelimit|revoker|bloomfilter' || true)"
e2e_eq "the one warning left: KrakenD's Go RPC client for the revoker feed" \
    "1" "$(grep -c 'WARNING' "$E2E_WORK/check.out")"
e2e_contains "it says the RPC client is not supported" "Go RPC client" "$(cat "$E2E_WORK/check.out")"

e2e_start gateway "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend.json"
GW_LOG=$E2E_WORK/gateway.log
e2e_wait_http "http://127.0.0.1:$GW_PORT/__health" 10
G="http://127.0.0.1:$GW_PORT"
hits() { grep -c " $1 -> " "$MB_LOG"; } # hits PATH: requests mock-backend received there

echo "# qos/circuit-breaker"
e2e_contains "startup line" "[BACKEND: /__echo/cb][CB] Creating the circuit breaker named 'e2e'" "$(cat "$GW_LOG")"
e2e_curl "$G/cb" -H "X-Mock-Status: 500"
e2e_eq "first failure: the backend's 500 reaches the client as 500" 500 "$E2E_STATUS"
e2e_curl "$G/cb" -H "X-Mock-Status: 500"
e2e_eq "second consecutive failure (max_errors 1): trips, still the backend's own error" 500 "$E2E_STATUS"
e2e_eq "both reached the backend" 2 "$(hits /__echo/cb)"
e2e_contains "state change logged (no [BACKEND] prefix)" \
    "WARNING: [CB] Circuit breaker named 'e2e' went from 'closed' to 'open'" "$(cat "$GW_LOG")"
for _ in 1 2 3 4 5; do e2e_curl "$G/cb"; done
e2e_eq "while open: 500" 500 "$E2E_STATUS"
e2e_eq "while open: X-Krakend-Completed false" false "$(e2e_header X-Krakend-Completed)"
e2e_eq "while open: five requests, no backend call" 2 "$(hits /__echo/cb)"
e2e_eq "while open: the endpoint logs the breaker's error" 5 \
    "$(grep -c 'ERROR: \[ENDPOINT: /cb\] circuit breaker is open' "$GW_LOG")"
sleep 1.3 # the breaker's timeout (1 s) passes in real time here; the unit tests use a manual clock
e2e_curl "$G/cb"
e2e_eq "after the timeout the trial request reaches the backend and succeeds" 200 "$E2E_STATUS"
e2e_eq "the trial called the backend" 3 "$(hits /__echo/cb)"
e2e_contains "open -> half-open logged" "went from 'open' to 'half-open'" "$(cat "$GW_LOG")"
e2e_contains "half-open -> closed logged" "went from 'half-open' to 'closed'" "$(cat "$GW_LOG")"
e2e_curl "$G/cb"
e2e_eq "closed again: requests flow" "200 4" "$E2E_STATUS $(hits /__echo/cb)"
for _ in 1 2 3; do e2e_curl "$G/cb-noop" -H "X-Mock-Status: 500"; done
e2e_eq "no-op: any status is a success for the breaker (max_errors 0 never trips)" "500 3" \
    "$E2E_STATUS $(hits /__echo/cb-noop)"

echo "# qos/ratelimit/router: answers"
e2e_curl "$G/rl/shape-503"
e2e_eq "endpoint limit, first request" 200 "$E2E_STATUS"
e2e_curl "$G/rl/shape-503"
e2e_eq "endpoint bucket empty (next token in an hour): 503" 503 "$E2E_STATUS"
e2e_eq "503: empty body" "" "$E2E_BODY"
e2e_eq "503: no X-Krakend, no Content-Type" "|" "$(e2e_header X-Krakend)|$(e2e_header Content-Type)"
e2e_eq "503: the backend was called once" 1 "$(hits /__echo/s503)"
e2e_curl "$G/rl/shape-429" -H "X-Forwarded-For: 10.0.0.1"
e2e_eq "ip strategy (ClientIP from X-Forwarded-For): first request" 200 "$E2E_STATUS"
e2e_curl "$G/rl/shape-429" -H "X-Forwarded-For: 10.0.0.1"
e2e_eq "the same client again: 429" 429 "$E2E_STATUS"
e2e_eq "429: empty body, no X-Krakend" "|" "$E2E_BODY|$(e2e_header X-Krakend)"
e2e_curl "$G/rl/shape-429" -H "X-Forwarded-For: 10.0.0.2"
e2e_eq "another client has its own bucket" 200 "$E2E_STATUS"
e2e_curl "$G/rl/param/7"
e2e_curl "$G/rl/param/7"
e2e_eq "param strategy: the same {id} twice: 429" 429 "$E2E_STATUS"
e2e_curl "$G/rl/param/8"
e2e_eq "param strategy: another {id}" 200 "$E2E_STATUS"
e2e_curl "$G/rl/client"
e2e_eq "header strategy without the header: 429 (empty key)" 429 "$E2E_STATUS"
grep -q 'Rate limit enabled. MaxRate: 20.000000, Capacity: 20' "$GW_LOG" &&
    e2e_pass "endpoint limiter startup line" || e2e_fail "endpoint limiter startup line"

# now_ns: nanoseconds of the wall clock (for the measured phases only)
now_ns() { date +%s%N; }
# load SECONDS URL [CURL ARGS]: requests for about SECONDS on one kept-alive connection per batch;
# prints "<elapsed seconds> <count of each status>" as "ELAPSED 200:n 503:m ...".
load() {
    local secs=$1 url=$2 t0 t1 urls=()
    shift 2
    for _ in $(seq 50); do urls+=(-o /dev/null "$url"); done # -o is per URL
    : >"$E2E_WORK/codes"
    t0=$(now_ns)
    while [ $(( $(now_ns) - t0 )) -lt $((secs * 1000000000)) ]; do
        curl -s -w '%{http_code}\n' "$@" "${urls[@]}" >>"$E2E_WORK/codes"
    done
    t1=$(now_ns)
    echo "$(( (t1 - t0) / 1000000 )) $(sort "$E2E_WORK/codes" | uniq -c | awk '{printf "%s:%s ", $2, $1}')"
}
count() { # count STATUS "LOAD OUTPUT"
    local c
    c=$(tr ' ' '\n' <<<"$2" | grep "^$1:" | cut -d: -f2)
    echo "${c:-0}"
}
# within NAME GOT RATE ELAPSED_MS SLACK: GOT is RATE/s over the elapsed time, +- 20 % + SLACK
within() {
    local want=$(( $3 * $4 / 1000 )) lo hi
    lo=$(( want * 8 / 10 - $5 )) hi=$(( want * 12 / 10 + $5 ))
    if [ "$2" -ge "$lo" ] && [ "$2" -le "$hi" ]; then
        e2e_pass "$1: $2 in $4 ms (expected about $want)"
    else
        e2e_fail "$1" "expected $lo..$hi passes in $4 ms at $3/s, got $2"
    fi
}

echo "# qos/ratelimit/router: rates"
load 1 "$G/rl/endpoint" >/dev/null # drain the bucket (and its refill-to-full step)
out=$(load 3 "$G/rl/endpoint")
ms=${out%% *}
within "endpoint limit: 20/s passes" "$(count 200 "$out")" 20 "$ms" 3
[ "$(count 503 "$out")" -gt 0 ] && e2e_pass "the rest got 503 ($(count 503 "$out"))" || e2e_fail "no 503 under load: $out"
e2e_eq "nothing but 200 and 503" "" "$(tr ' ' '\n' <<<"${out#* }" | grep -v -E '^(200|503):|^$' || true)"
load 1 "$G/rl/client" -H "X-Client: bob" >/dev/null
e2e_curl "$G/rl/client" -H "X-Client: alice"
e2e_eq "bob's drained bucket is not alice's" 200 "$E2E_STATUS"
load 1 "$G/rl/client" -H "X-Client: alice" >/dev/null # drained right before it is measured
out=$(load 3 "$G/rl/client" -H "X-Client: alice")
ms=${out%% *}
within "client limit: 10/s for alice" "$(count 200 "$out")" 10 "$ms" 2
[ "$(count 429 "$out")" -gt 0 ] && e2e_pass "alice's excess got 429" || e2e_fail "no 429 under load: $out"
e2e_curl "$G/rl/client" -H "X-Client: carol"
e2e_eq "a new client starts with a full bucket" 200 "$E2E_STATUS"

echo "# qos/ratelimit/proxy: rate"
e2e_contains "backend limiter startup line" "[BACKEND: /__echo/rl-p][Ratelimit] Enabling the rate limiter" "$(cat "$GW_LOG")"
load 1 "$G/rl/proxy" >/dev/null
before=$(hits /__echo/rl-p)
out=$(load 3 "$G/rl/proxy")
ms=${out%% *}
within "backend limit: 10/s reach the backend" "$(( $(hits /__echo/rl-p) - before ))" 10 "$ms" 2
e2e_eq "every 200 is a backend call" "$(count 200 "$out")" "$(( $(hits /__echo/rl-p) - before ))"
[ "$(count 500 "$out")" -gt 0 ] && e2e_pass "the rest failed as a backend error: 500" || e2e_fail "no 500 under load: $out"
e2e_contains "the endpoint logs KrakenD's text" "ERROR: [ENDPOINT: /rl/proxy] rate limit exceded" "$(cat "$GW_LOG")"

echo "# qos/http-cache"
CC="X-Mock-Header: Cache-Control: max-age=60"
e2e_curl "$G/cache/fresh" -H "$CC"
first=$E2E_BODY
e2e_eq "miss: 200 from the backend" "200 1" "$E2E_STATUS $(hits /__echo/c1)"
e2e_curl "$G/cache/fresh" -H "$CC" -H "X-Client: second"
e2e_eq "fresh (Date + max-age=60): answered from the store, no backend call" "200 1" "$E2E_STATUS $(hits /__echo/c1)"
e2e_eq "the stored answer (the backend echoed the first request)" "$first" "$E2E_BODY"
for _ in 1 2; do e2e_curl "$G/cache/no-store" -H "X-Mock-Header: Cache-Control: no-store, max-age=60"; done
e2e_eq "no-store: never stored, both reach the backend" 2 "$(hits /__echo/c2)"
for _ in 1 2; do e2e_curl "$G/cache/max-age-0" -H "X-Mock-Header: Cache-Control: max-age=0"; done
e2e_eq "max-age=0: never fresh" 2 "$(hits /__echo/c3)"
e2e_curl "$G/cache/max-age-1" -H "X-Mock-Header: Cache-Control: max-age=1"
sleep 2.1 # the entry's lifetime passes in real time; freshness itself is unit-tested on a manual clock
e2e_curl "$G/cache/max-age-1" -H "X-Mock-Header: Cache-Control: max-age=1"
e2e_eq "max-age=1, two seconds later: stale, fetched again" 2 "$(hits /__echo/c4)"

echo "# the stages together: breaker > proxy limit > cache"
CC="X-Mock-Header: Cache-Control: max-age=600"
for i in 1 2 3; do e2e_curl "$G/stack" -H "$CC"; done
e2e_eq "three tokens: one miss and two hits, one backend call" "200 1" "$E2E_STATUS $(hits /__echo/stack)"
e2e_curl "$G/stack" -H "$CC"
e2e_eq "the fourth: a fresh entry, but no token left: 500 (a hit spends a token)" 500 "$E2E_STATUS"
e2e_curl "$G/stack" -H "$CC"
e2e_eq "the rejection was a breaker failure (max_errors 0): open, the hit refused" 500 "$E2E_STATUS"
e2e_eq "and no backend call for either" 1 "$(hits /__echo/stack)"
e2e_contains "first: the limiter" "ERROR: [ENDPOINT: /stack] rate limit exceded" "$(cat "$GW_LOG")"
e2e_contains "then: the breaker" "ERROR: [ENDPOINT: /stack] circuit breaker is open" "$(cat "$GW_LOG")"

echo "# auth/revoker"
for _ in $(seq 50); do e2e_curl "$G/protected" -H "Authorization: Bearer $TOKEN_A"; [ "$E2E_STATUS" = 200 ] && break; sleep 0.1; done
e2e_eq "token a: 200" 200 "$E2E_STATUS"
e2e_contains "the RPC client is said to be unsupported" "KrakenD's Go RPC client" "$(cat "$GW_LOG")"
e2e_curl "http://127.0.0.1:$REV_PORT/add" -X POST -H 'Content-Type: application/json' -d '["jti-a-1"]'
e2e_eq "feed: revoke a's jti" '200 {"count":1}' "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/protected" -H "Authorization: Bearer $TOKEN_A"
e2e_eq "token a revoked: 401" 401 "$E2E_STATUS"
e2e_eq "401: empty body, no X-Krakend" "|" "$E2E_BODY|$(e2e_header X-Krakend)"
e2e_curl "$G/protected" -H "Authorization: Bearer $TOKEN_B"
e2e_eq "token b still 200" 200 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$REV_PORT/check" -X POST -d '["jti-a-1","jti-b-2"]'
e2e_eq "feed: check" '200 {"checks":[true,false]}' "$E2E_STATUS $E2E_BODY"
e2e_curl "http://127.0.0.1:$REV_PORT/add" -X POST -d '{"jti":"b-2"}'
e2e_eq "feed: a body that is not an array of strings: 400" 400 "$E2E_STATUS"

e2e_finish
