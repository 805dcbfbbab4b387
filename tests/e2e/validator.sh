#!/usr/bin/env bash
# validator.sh - auth/validator end to end: tokens minted by openssl (not by our code) for every
# algorithm, JWKS over HTTP and HTTPS, roles/scopes/issuer/audience, claim propagation, the
# attacks docs/security.md lists (each check named after what it stops), and a JWKS that is down,
# slow, garbage, flooded with unknown kids, or rotated.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

KEYS=$E2E_WORK/keys
mkdir -p "$KEYS"
ALGS=(HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA)
bash "$here/tools-jose/mint-openssl.sh" "$KEYS" "${ALGS[@]}" || { e2e_fail "minting tokens with openssl"; e2e_finish; exit 1; }

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# Our own RS256 key for hand-made tokens (header and claims chosen per attack), signed by openssl.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$E2E_WORK/rsa.pem" 2>/dev/null
N=$(openssl rsa -in "$E2E_WORK/rsa.pem" -noout -modulus | cut -d= -f2 | xxd -r -p | b64url)
jwk_rsa() { printf '{"kty":"RSA","kid":"%s","use":"sig","alg":"RS256","n":"%s","e":"AQAB"}' "$1" "$N"; }
printf '{"keys":[%s]}\n' "$(jwk_rsa hand)" >"$KEYS/hand.jwks"
# rs256 HEADER_JSON CLAIMS_JSON [KEY]: a compact JWS signed with openssl.
rs256() {
    local input
    input="$(printf '%s' "$1" | b64url).$(printf '%s' "$2" | b64url)"
    printf '%s.%s' "$input" "$(printf '%s' "$input" | openssl dgst -sha256 -sign "${3:-$E2E_WORK/rsa.pem}" -binary | b64url)"
}
NOW=$(date +%s)
GOOD_CLAIMS="{\"sub\":\"alice\",\"iss\":\"https://idp.test\",\"aud\":[\"gw\",\"other\"],\"exp\":$((NOW + 600)),\"iat\":$NOW,\"scope\":\"items:read items:list\",\"roles\":[\"reader\"],\"tenant\":{\"id\":42}}"
HDR='{"alg":"RS256","kid":"hand","typ":"JWT"}'
GOOD=$(rs256 "$HDR" "$GOOD_CLAIMS")

# HTTPS JWKS: openssl s_server serving the key directory, with a certificate for localhost.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$E2E_WORK/tls.key" -out "$E2E_WORK/tls.crt" \
    -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
read -r MB_PORT GW_PORT TLS_PORT DEAD_PORT < <(e2e_ports 4 | tr '\n' ' ')
e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB_PORT" --files "$KEYS"
e2e_wait_http "http://127.0.0.1:$MB_PORT/__echo/" 10
(cd "$KEYS" && exec openssl s_server -quiet -WWW -accept "$TLS_PORT" -cert "$E2E_WORK/tls.crt" \
    -key "$E2E_WORK/tls.key") >"$E2E_WORK/s_server.log" 2>&1 &
E2E_PIDS+=($!)

J="http://127.0.0.1:$MB_PORT/__files"
ep() { # ep PATH VALIDATOR_JSON: an endpoint echoing what the backend received
    printf '{"endpoint":"%s","method":"GET","input_headers":["X-User","X-Tenant","X-Scopes"],"extra_config":{"auth/validator":%s},"backend":[{"host":["http://127.0.0.1:%s"],"url_pattern":"/__echo%s"}]}' \
        "$1" "$2" "$MB_PORT" "$1"
}
eps=()
for a in "${ALGS[@]}"; do
    eps+=("$(ep "/alg/$a" "{\"alg\":\"$a\",\"jwk_url\":\"$J/$a.jwks\",\"disable_jwk_security\":true,\"cache\":true}")")
done
hand() { printf '{"alg":"RS256","jwk_url":"%s/hand.jwks","disable_jwk_security":true,"cache":true%s}' "$J" "${1:+,$1}"; }
eps+=("$(ep /plain "$(hand)")")
eps+=("$(ep /claims "$(hand '"issuer":"https://idp.test","audience":["gw","other"],"roles":["reader","admin"],"scopes_key":"scope","scopes":["items:read","items:list"],"scopes_matcher":"all","propagate_claims":[["sub","X-User"],["tenant.id","X-Tenant"],["scope","X-Scopes"]]')")")
# Claim propagation on both backend paths: 127.0.0.1 goes through the own HTTP/1.1 client,
# localhost through libcurl.
inj() { # inj PATH HOST
    printf '{"endpoint":"%s","method":"GET","input_headers":["X-User"],"extra_config":{"auth/validator":%s},"backend":[{"host":["http://%s:%s"],"url_pattern":"/__echo%s"}]}' \
        "$1" "$(hand '"propagate_claims":[["sub","X-User"]]')" "$2" "$MB_PORT" "$1"
}
eps+=("$(inj /inject-h1 127.0.0.1)" "$(inj /inject-curl localhost)")
eps+=("{\"endpoint\":\"/open\",\"method\":\"GET\",\"backend\":[{\"host\":[\"http://127.0.0.1:$MB_PORT\"],\"url_pattern\":\"/__echo/open\"}]}")
eps+=("{\"endpoint\":\"/open-curl\",\"method\":\"GET\",\"backend\":[{\"host\":[\"http://localhost:$MB_PORT\"],\"url_pattern\":\"/__echo/open\"}]}")
eps+=("$(ep /wrong-issuer "$(hand '"issuer":"https://other.test"')")")
eps+=("$(ep /wrong-audience "$(hand '"audience":["gw","missing"]')")")
eps+=("$(ep /admin-only "$(hand '"roles":["admin"]')")")
# validation/cel's JWT phase: the endpoint's rejecter runs inside the validator, before roles.
celep() { # celep PATH VALIDATOR_EXTRA CEL_EXPRESSION
    printf '{"endpoint":"%s","method":"GET","extra_config":{"auth/validator":%s,"validation/cel":[{"check_expr":"%s"}]},"backend":[{"host":["http://127.0.0.1:%s"],"url_pattern":"/__echo%s"}]}' \
        "$1" "$(hand "$2")" "$3" "$MB_PORT" "$1"
}
eps+=("$(celep /cel-accept '' "JWT.sub == 'alice' && 'reader' in JWT.roles")")
eps+=("$(celep /cel-reject '"roles":["admin"]' "JWT.sub == 'bob'")")
eps+=("$(celep /cel-error '' "JWT.missing.field == 1")")
eps+=("$(ep /write-scope "$(hand '"scopes_key":"scope","scopes":["items:write"]')")")
eps+=("$(ep /cookie "$(hand '"cookie_key":"session"')")")
eps+=("$(ep /https-verified "{\"alg\":\"RS256\",\"jwk_url\":\"https://localhost:$TLS_PORT/hand.jwks\",\"jwk_local_ca\":\"$E2E_WORK/tls.crt\"}")")
eps+=("$(ep /https-untrusted "{\"alg\":\"RS256\",\"jwk_url\":\"https://localhost:$TLS_PORT/hand.jwks\"}")")
eps+=("$(ep /insecure-url "{\"alg\":\"RS256\",\"jwk_url\":\"$J/hand.jwks\"}")")
eps+=("$(ep /jwks-down "{\"alg\":\"RS256\",\"jwk_url\":\"http://127.0.0.1:$DEAD_PORT/jwks\",\"disable_jwk_security\":true}")")
eps+=("$(ep /jwks-slow "{\"alg\":\"RS256\",\"jwk_url\":\"$J/hand.jwks?delay_ms=8000\",\"disable_jwk_security\":true}")")
eps+=("$(ep /jwks-garbage "{\"alg\":\"RS256\",\"jwk_url\":\"$J/garbage.jwks\",\"disable_jwk_security\":true}")")
eps+=("$(ep /jwks-500 "{\"alg\":\"RS256\",\"jwk_url\":\"$J/hand.jwks?status=500\",\"disable_jwk_security\":true}")")
eps+=("$(ep /rotating "{\"alg\":\"RS256\",\"jwk_url\":\"$J/rot.jwks\",\"disable_jwk_security\":true,\"cache\":true,\"failed_jwk_key_cooldown\":\"1s\"}")")
printf 'this is not a key set' >"$KEYS/garbage.jwks"
cp "$KEYS/hand.jwks" "$KEYS/rot.jwks"
(IFS=,; printf '{"version":3,"port":%s,"endpoints":[%s]}\n' "$GW_PORT" "${eps[*]}") >"$E2E_WORK/krakend.json"
jq . "$E2E_WORK/krakend.json" >/dev/null || e2e_fail "generated krakend.json is JSON"

e2e_start gateway "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend.json"
GW_PID=$E2E_LAST_PID
e2e_wait_http "http://127.0.0.1:$GW_PORT/__health" 10
e2e_curl "http://127.0.0.1:$GW_PORT/__health"
e2e_eq "startup does not wait for a slow JWKS: /__health answers" 200 "$E2E_STATUS"

call() { # call PATH TOKEN [CURL ARGS]: sets E2E_STATUS / E2E_BODY
    local p=$1 t=$2
    shift 2
    e2e_curl "http://127.0.0.1:$GW_PORT$p" ${t:+-H "Authorization: Bearer $t"} "$@"
}
# The first fetches run in the background: wait until the plain endpoint accepts a good token.
for _ in $(seq 50); do call /plain "$GOOD"; [ "$E2E_STATUS" = 200 ] && break; sleep 0.1; done

echo "# every algorithm, tokens and keys minted by openssl"
for a in "${ALGS[@]}"; do
    tok=$(cat "$KEYS/$a.jwt")
    call "/alg/$a" "$tok"
    e2e_eq "$a: openssl-minted token accepted" 200 "$E2E_STATUS"
    c=${tok: -10:1} # inside the signature: the last character also carries unused bits
    call "/alg/$a" "${tok:0:${#tok}-10}$([ "$c" = A ] && echo B || echo A)${tok: -9}"
    e2e_eq "$a: tampered signature refused" 401 "$E2E_STATUS"
done
call /alg/RS256 "$(cat "$KEYS/ES256.jwt")"
e2e_eq "token of another algorithm refused (alg must equal the configured one)" 401 "$E2E_STATUS"

echo "# claims, roles, scopes, propagation"
call /claims "$GOOD" -H "X-User: mallory" -H "X-Tenant: 7"
e2e_eq "issuer, audience, role and all scopes: 200" 200 "$E2E_STATUS"
e2e_eq "propagated sub overwrites the client's X-User" '["alice"]' "$(jq -c '.headers["X-User"]' <<<"$E2E_BODY")"
e2e_eq "nested claim propagated" '["42"]' "$(jq -c '.headers["X-Tenant"]' <<<"$E2E_BODY")"
e2e_eq "scope claim propagated" '["items:read items:list"]' "$(jq -c '.headers["X-Scopes"]' <<<"$E2E_BODY")"
call /wrong-issuer "$GOOD"
e2e_eq "issuer mismatch: 401" 401 "$E2E_STATUS"
call /wrong-audience "$GOOD"
e2e_eq "a configured audience missing from aud: 401" 401 "$E2E_STATUS"
call /admin-only "$GOOD"
e2e_eq "missing role: 403" 403 "$E2E_STATUS"
e2e_eq "403 has an empty body" "" "$E2E_BODY"
e2e_eq "403 carries no X-Krakend header" "" "$(e2e_header X-Krakend)"
call /cel-accept "$GOOD"
e2e_eq "CEL JWT expression true: 200" 200 "$E2E_STATUS"
call /cel-reject "$GOOD"
e2e_eq "CEL JWT expression false: 401, before the role check's 403" 401 "$E2E_STATUS"
e2e_eq "CEL rejection has an empty body" "" "$E2E_BODY"
call /cel-error "$GOOD"
e2e_eq "CEL JWT expression that errors rejects the token: 401" 401 "$E2E_STATUS"
call /cel-reject ""
e2e_eq "CEL endpoint without a token: 401" 401 "$E2E_STATUS"
if grep -q 'never evaluated' "$E2E_WORK/gateway.log"; then
    e2e_fail "no startup warning that the JWT expressions of validated endpoints are ignored" \
        "$(grep 'never evaluated' "$E2E_WORK/gateway.log")"
else
    e2e_pass "no startup warning that the JWT expressions of validated endpoints are ignored"
fi
call /write-scope "$GOOD"
e2e_eq "missing scope: 403" 403 "$E2E_STATUS"
call /plain ""
e2e_eq "no token: 401" 401 "$E2E_STATUS"
e2e_eq "401 carries no X-Krakend header" "" "$(e2e_header X-Krakend)"
call /cookie "" -H "Cookie: session=$GOOD"
e2e_eq "token from the cookie_key cookie" 200 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$GW_PORT/plain" -H "Authorization: bEaReR $GOOD"
e2e_eq "Bearer prefix is case-insensitive" 200 "$E2E_STATUS"

echo "# header injection from claims (docs/security.md: one field rule for every header)"
# A signed token whose sub carries CR LF and a whole second request: Go's transport refuses to
# send it ("net/http: invalid header field value"), so KrakenD answers 500; so must we, on both
# backend paths, and no later client may ever receive the smuggled request's answer.
EVIL=$(rs256 "$HDR" "{\"sub\":\"alice\\r\\nContent-Length: 0\\r\\n\\r\\nGET /__echo/SMUGGLED HTTP/1.1\\r\\nHost: s\\r\\nX-Pad: \",\"exp\":$((NOW + 600))}")
for path in /inject-h1 /inject-curl; do
    call $path "$EVIL"
    e2e_eq "$path: a claim with CR LF is refused (500, not sent)" 500 "$E2E_STATUS"
    for open in /open /open-curl; do
        call $open ""
        e2e_eq "$path then $open: the next client gets its own answer" '"/__echo/open"' \
            "$(jq -c '.path' <<<"$E2E_BODY")"
    done
done
for k in $(seq 20); do grep -qF 'invalid header field value for "X-User"' "$E2E_WORK/gateway.log" && break; sleep 0.1; done
e2e_contains "the refusal is logged with Go's words" \
    '[ENDPOINT: /inject-h1] Get "http://127.0.0.1:'"$MB_PORT"'/__echo/inject-h1": net/http: invalid header field value for "X-User"' \
    "$(cat "$E2E_WORK/gateway.log")"
e2e_contains "the curl path too" \
    '[ENDPOINT: /inject-curl] Get "http://localhost:'"$MB_PORT"'/__echo/inject-curl": net/http: invalid header field value for "X-User"' \
    "$(cat "$E2E_WORK/gateway.log")"
if grep -q SMUGGLED "$E2E_WORK/mock-backend.log"; then e2e_fail "the backend never sees the smuggled request"; else e2e_pass "the backend never sees the smuggled request"; fi

echo "# attacks (docs/security.md)"
call /plain "$(rs256 "$HDR" "{\"sub\":\"alice\",\"exp\":$((NOW - 120))}")"
e2e_eq "expired_token_refused" 401 "$E2E_STATUS"
call /plain "$(rs256 "$HDR" "{\"sub\":\"alice\",\"nbf\":$((NOW + 600))}")"
e2e_eq "not_yet_valid_token_refused" 401 "$E2E_STATUS"
call /plain "$(rs256 "$HDR" '{"sub":"alice","exp":"never"}')"
e2e_eq "non_numeric_exp_refused" 401 "$E2E_STATUS"
none="$(printf '{"alg":"none","kid":"hand"}' | b64url).$(printf '%s' "$GOOD_CLAIMS" | b64url)."
call /plain "$none"
e2e_eq "alg_none_refused" 401 "$E2E_STATUS"
hs_input="$(printf '{"alg":"HS256","kid":"hand"}' | b64url).$(printf '%s' "$GOOD_CLAIMS" | b64url)"
hs_sig=$(printf '%s' "$hs_input" | openssl dgst -sha256 -mac HMAC -macopt key:"$(cat "$KEYS/hand.jwks")" -binary | b64url)
call /plain "$hs_input.$hs_sig"
e2e_eq "alg_confusion_rsa_key_as_hmac_secret_refused" 401 "$E2E_STATUS"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$E2E_WORK/evil.pem" 2>/dev/null
EVIL_N=$(openssl rsa -in "$E2E_WORK/evil.pem" -noout -modulus | cut -d= -f2 | xxd -r -p | b64url)
call /plain "$(rs256 "{\"alg\":\"RS256\",\"kid\":\"hand\",\"jwk\":{\"kty\":\"RSA\",\"n\":\"$EVIL_N\",\"e\":\"AQAB\"}}" "$GOOD_CLAIMS" "$E2E_WORK/evil.pem")"
e2e_eq "embedded_jwk_header_not_trusted" 401 "$E2E_STATUS"
call /plain "$(rs256 "{\"alg\":\"RS256\",\"kid\":\"evil\",\"jku\":\"$J/evil.jwks\"}" "$GOOD_CLAIMS" "$E2E_WORK/evil.pem")"
e2e_eq "jku_header_not_fetched" 401 "$E2E_STATUS"
call /plain "$(rs256 '{"alg":"RS256","kid":"hand","crit":["exp-ext"],"exp-ext":1}' "$GOOD_CLAIMS")"
e2e_eq "unknown_crit_refused" 401 "$E2E_STATUS"
call /plain "$(rs256 "$HDR" "{\"sub\":\"alice\",\"sub\":\"admin\",\"exp\":$((NOW + 600))}")"
e2e_eq "duplicate_claim_members_refused" 401 "$E2E_STATUS"
call /plain "${GOOD%%.*}=.${GOOD#*.}"
e2e_eq "base64url_padding_refused" 401 "$E2E_STATUS"
payload=$(sed 's/"alice"/"admin"/' <<<"$GOOD_CLAIMS" | tr -d '\n' | b64url)
call /plain "${GOOD%%.*}.$payload.${GOOD##*.}"
e2e_eq "tampered_payload_refused" 401 "$E2E_STATUS"
big=$(head -c 300000 /dev/zero | tr '\0' 'A')
printf 'Authorization: Bearer %s.%s.%s\n' "$big" "$big" "$big" >"$E2E_WORK/big.header"
call /plain "" -H "@$E2E_WORK/big.header"
e2e_eq "oversized_token_refused (900 KB: within KrakenD's 1 MB head, the validator refuses it)" 401 "$E2E_STATUS"
printf 'Authorization: Bearer %s.%s.%s\n' "${big:0:20000}" "${big:0:20000}" "${big:0:20000}" >"$E2E_WORK/big.header"
call /plain "" -H "@$E2E_WORK/big.header"
e2e_eq "oversized_token_refused by the validator" 401 "$E2E_STATUS"
deep=$(printf '{"a":%.0s' $(seq 200); printf 1; printf '}%.0s' $(seq 200))
call /plain "$(rs256 "$HDR" "$deep")"
e2e_eq "deeply_nested_claims_refused" 401 "$E2E_STATUS"
call /plain "$(rs256 "$HDR" "{\"sub\":\"alice\",\"exp\":$((NOW + 600)),\"pad\":\"$(head -c 12000 /dev/zero | tr '\0' x)\"}")"
e2e_eq "a real 16 KB token is still accepted" 200 "$E2E_STATUS"

echo "# key sources"
call /https-verified "$GOOD"
for _ in $(seq 30); do [ "$E2E_STATUS" = 200 ] && break; sleep 0.2; call /https-verified "$GOOD"; done
e2e_eq "JWKS over HTTPS, certificate verified with jwk_local_ca" 200 "$E2E_STATUS"
call /https-untrusted "$GOOD"
e2e_eq "JWKS over HTTPS from an untrusted certificate: 401" 401 "$E2E_STATUS"
call /insecure-url "$GOOD"
e2e_eq "http jwk_url without disable_jwk_security: 401 as KrakenD" 401 "$E2E_STATUS"
call /jwks-down "$GOOD"
e2e_eq "JWKS server down: 401" 401 "$E2E_STATUS"
call /jwks-garbage "$GOOD"
e2e_eq "JWKS garbage: 401" 401 "$E2E_STATUS"
call /jwks-500 "$GOOD"
e2e_eq "JWKS answering 500: 401" 401 "$E2E_STATUS"
# Only a request that comes before the first fetch ever ended waits for it (see the restart
# case below): wait for the slow source's first fetch to time out, then a request is not held.
for _ in $(seq 80); do grep -q 'hand.jwks?delay_ms=8000: unable to fetch' "$E2E_WORK/gateway.log" && break; sleep 0.1; done
start=$SECONDS
call /jwks-slow "$GOOD"
e2e_eq "JWKS slower than the fetch timeout: 401" 401 "$E2E_STATUS"
[ $((SECONDS - start)) -le 3 ] && e2e_pass "a slow JWKS does not hold the request" || e2e_fail "a slow JWKS does not hold the request"
call /plain "$GOOD"
e2e_eq "other endpoints unaffected by failing key sources" 200 "$E2E_STATUS"

echo "# unknown kids do not turn the gateway into a load generator"
# (the slow and failing sources fetch hand.jwks with a query string; only the plain URL counts)
before=$(grep -c 'GET /__files/hand.jwks ->' "$E2E_WORK/mock-backend.log")
flood_start=$SECONDS
for i in $(seq 40); do
    call /plain "$(rs256 "{\"alg\":\"RS256\",\"kid\":\"random-$i-$RANDOM\"}" "$GOOD_CLAIMS")"
    [ "$E2E_STATUS" = 401 ] || e2e_fail "random kid $i refused" "status $E2E_STATUS"
done
after=$(grep -c 'GET /__files/hand.jwks ->' "$E2E_WORK/mock-backend.log")
# one refetch per 10 s cooldown at most (plus one for a refresh that may fall in the window)
allowed=$((2 + (SECONDS - flood_start) / 10))
if [ $((after - before)) -le $allowed ]; then e2e_pass "40 random kids caused $((after - before)) JWKS fetch(es) (at most $allowed)"; else e2e_fail "random kids are rate-limited" "$((after - before)) fetches in $((SECONDS - flood_start)) s"; fi

echo "# rotation at the identity provider is picked up without a restart"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$E2E_WORK/rot2.pem" 2>/dev/null
N2=$(openssl rsa -in "$E2E_WORK/rot2.pem" -noout -modulus | cut -d= -f2 | xxd -r -p | b64url)
NEW=$(rs256 '{"alg":"RS256","kid":"rot2"}' "$GOOD_CLAIMS" "$E2E_WORK/rot2.pem")
call /rotating "$GOOD"
e2e_eq "rotation: the old key works" 200 "$E2E_STATUS"
sleep 1.2
printf '{"keys":[%s,{"kty":"RSA","kid":"rot2","n":"%s","e":"AQAB"}]}\n' "$(jwk_rsa hand)" "$N2" >"$KEYS/rot.jwks"
call /rotating "$NEW"
e2e_eq "rotation: the first request with the new kid is accepted" 200 "$E2E_STATUS"
call /rotating "$GOOD"
e2e_eq "rotation: the old key still works while published" 200 "$E2E_STATUS"

echo "# right after a (re)start, valid tokens wait for the first key set instead of a 401"
# KrakenD fetches the JWKS on the first request and that request waits for it, so a rolling
# restart does not refuse valid users: a JWKS that takes 1 s to answer must not cost 401s.
read -r GW2_PORT < <(e2e_ports 1)
printf '{"version":3,"port":%s,"endpoints":[%s]}\n' "$GW2_PORT" \
    "$(ep /first "{\"alg\":\"RS256\",\"jwk_url\":\"$J/hand.jwks?delay_ms=1000\",\"disable_jwk_security\":true,\"cache\":true}")" \
    >"$E2E_WORK/krakend-restart.json"
e2e_start gateway-restart "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend-restart.json"
GW2_PID=$E2E_LAST_PID
e2e_wait_http "http://127.0.0.1:$GW2_PORT/__health" 10
clients=()
for i in 1 2 3; do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 -H "Authorization: Bearer $GOOD" \
        "http://127.0.0.1:$GW2_PORT/first" >"$E2E_WORK/first.$i" &
    clients+=($!)
done
wait "${clients[@]}"
for i in 1 2 3; do
    e2e_eq "a valid token $i sent before the first JWKS download ended: 200" 200 "$(cat "$E2E_WORK/first.$i")"
done
e2e_stop "$GW2_PID"
e2e_eq "that gateway exits 0 on SIGTERM" 0 "$?"

e2e_stop "$GW_PID"
e2e_eq "gateway exits 0 on SIGTERM" 0 "$?"
if grep -qE 'AddressSanitizer|runtime error' "$E2E_WORK/gateway.log"; then e2e_fail "sanitizer reports in the gateway log"; fi
e2e_finish
