#!/usr/bin/env bash
# signer.sh - auth/signer end to end (krakend-telemetry-validation.md §7): keys made by openssl,
# tokens the gateway signs checked by openssl (never by our code) and by the gateway's own
# validator on another endpoint; the answer the signer renders (no X-Krakend, a no-op backend's
# status and headers, 400 on backend errors, 401 when the signer cannot be built).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

K=$E2E_WORK/keys
mkdir -p "$K"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
hexb64() { tr -d ': \n' | sed 's/^00\(..\)/\1/' | xxd -r -p | b64url; }
# field NAME FILE: a hex block of `openssl ... -text` output (modulus, prime1, ...) as base64url
field() { awk -v n="$1:" '$1 == n {on = 1; next} on && /^ / {print; next} on {exit}' "$2" | hexb64; }

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/rsa.pem" 2>/dev/null
openssl rsa -in "$K/rsa.pem" -noout -text >"$K/rsa.txt" 2>/dev/null
openssl rsa -in "$K/rsa.pem" -pubout -out "$K/rsa.pub" 2>/dev/null
n=$(field modulus "$K/rsa.txt")
printf '{"keys":[{"kty":"RSA","kid":"rs","n":"%s","e":"AQAB","d":"%s","p":"%s","q":"%s","dp":"%s","dq":"%s","qi":"%s"}]}' \
    "$n" "$(field privateExponent "$K/rsa.txt")" "$(field prime1 "$K/rsa.txt")" "$(field prime2 "$K/rsa.txt")" \
    "$(field exponent1 "$K/rsa.txt")" "$(field exponent2 "$K/rsa.txt")" "$(field coefficient "$K/rsa.txt")" >"$K/rsa.jwks"
printf '{"keys":[{"kty":"RSA","kid":"rs","n":"%s","e":"AQAB"}]}' "$n" >"$K/rsa-pub.jwks"
openssl genpkey -algorithm ed25519 -out "$K/ed.pem" 2>/dev/null
openssl pkey -in "$K/ed.pem" -pubout -out "$K/ed.pub" 2>/dev/null
printf '{"keys":[{"kty":"OKP","kid":"ed","crv":"Ed25519","x":"%s","d":"%s"}]}' \
    "$(openssl pkey -in "$K/ed.pem" -pubout -outform DER | tail -c 32 | b64url)" \
    "$(openssl pkey -in "$K/ed.pem" -outform DER | tail -c 32 | b64url)" >"$K/ed.jwks"

read -r MB GW DEAD < <(e2e_ports 3 | tr '\n' ' ')
e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB" --quiet --files "$K"
e2e_wait_http "http://127.0.0.1:$MB/__echo/" 10 || { e2e_fail "mock-backend starts"; e2e_finish; exit 1; }
B="http://127.0.0.1:$MB"
STATIC='"proxy": {"static": {"strategy": "always", "data": {"token": {"sub": "alice", "exp": 4102444800, "h": "<&>"}, "list": [1]}}}'
cat >"$E2E_WORK/krakend.json" <<EOF
{"version": 3, "port": $GW, "host": ["$B"], "cache_ttl": "1h", "endpoints": [
 {"endpoint": "/sign/rs", "backend": [{"url_pattern": "/__echo/rs", "allow": ["method"]}],
  "extra_config": {$STATIC, "auth/signer": {"alg": "RS256", "kid": "rs", "keys_to_sign": ["token", "list", "missing"],
    "jwk_local_path": "$K/rsa.jwks", "disable_jwk_security": true}}},
 {"endpoint": "/sign/ps", "backend": [{"url_pattern": "/__echo/ps", "allow": ["method"]}],
  "extra_config": {$STATIC, "auth/signer": {"alg": "PS256", "kid": "rs", "keys_to_sign": ["token"],
    "jwk_url": "$B/__files/rsa.jwks", "disable_jwk_security": true, "full": true}}},
 {"endpoint": "/sign/ed", "backend": [{"url_pattern": "/__echo/ed", "allow": ["method"]}],
  "extra_config": {$STATIC, "auth/signer": {"alg": "EdDSA", "kid": "ed", "keys_to_sign": ["token"],
    "jwk_url": "$B/__files/ed.jwks", "disable_jwk_security": true, "typ": "at+jwt"}}},
 {"endpoint": "/verify", "backend": [{"url_pattern": "/__echo/verify"}],
  "extra_config": {"auth/validator": {"alg": "RS256", "jwk_local_path": "$K/rsa-pub.jwks", "disable_jwk_security": true}}},
 {"endpoint": "/sign/noop", "output_encoding": "no-op", "backend": [{"url_pattern": "/api/items/999"}],
  "extra_config": {"auth/signer": {"alg": "RS256", "kid": "rs", "keys_to_sign": ["token"],
    "jwk_local_path": "$K/rsa.jwks", "disable_jwk_security": true}}},
 {"endpoint": "/sign/down", "backend": [{"host": ["http://127.0.0.1:$DEAD"], "url_pattern": "/x"}],
  "extra_config": {"auth/signer": {"alg": "RS256", "kid": "rs", "keys_to_sign": ["token"],
    "jwk_local_path": "$K/rsa.jwks", "disable_jwk_security": true}}},
 {"endpoint": "/sign/badkid", "backend": [{"url_pattern": "/__echo/badkid"}],
  "extra_config": {"auth/signer": {"alg": "RS256", "kid": "nope", "keys_to_sign": ["token"],
    "jwk_local_path": "$K/rsa.jwks", "disable_jwk_security": true}}},
 {"endpoint": "/sign/insecure", "backend": [{"url_pattern": "/__echo/insecure"}],
  "extra_config": {"auth/signer": {"alg": "RS256", "kid": "rs", "keys_to_sign": ["token"],
    "jwk_url": "$B/__files/rsa.jwks"}}}
]}
EOF
"$BIN_DIR/gateway" check -c "$E2E_WORK/krakend.json" >"$E2E_WORK/check.log" 2>&1
e2e_eq "check accepts the config" 0 $?
grep -q 'signer.*not supported' "$E2E_WORK/check.log"
e2e_eq "check no longer calls auth/signer unsupported" 1 $?
e2e_start gateway "$BIN_DIR/gateway" run -c "$E2E_WORK/krakend.json"
e2e_wait_http "http://127.0.0.1:$GW/__health" 10 || { e2e_fail "gateway starts" "$(tail -5 "$E2E_WORK/gateway.log")"; e2e_finish; exit 1; }
G="http://127.0.0.1:$GW"

b64d() { tr '_-' '/+' | awk '{ l = length($0) % 4; if (l == 2) $0 = $0 "=="; else if (l == 3) $0 = $0 "="; print }' | base64 -d; }
# signed_ok ALG TOKEN PUB: openssl verifies TOKEN's signature with the public key PUB
signed_ok() {
    local input sig
    input=${2%.*}
    printf '%s' "${2##*.}" | b64d >"$E2E_WORK/sig.bin" 2>/dev/null
    printf '%s' "$input" >"$E2E_WORK/input"
    case "$1" in
    RS256) openssl dgst -sha256 -verify "$3" -signature "$E2E_WORK/sig.bin" "$E2E_WORK/input" ;;
    PS256) openssl dgst -sha256 -verify "$3" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
        -signature "$E2E_WORK/sig.bin" "$E2E_WORK/input" ;;
    EdDSA) openssl pkeyutl -verify -pubin -inkey "$3" -rawin -in "$E2E_WORK/input" -sigfile "$E2E_WORK/sig.bin" ;;
    esac >/dev/null 2>&1
}

e2e_curl "$G/sign/rs"
tok=$(jq -r .token <<<"$E2E_BODY")
e2e_eq "RS256: 200, JSON, no X-Krakend / Completed / Cache-Control" "200|application/json; charset=utf-8|||" \
    "$E2E_STATUS|$(e2e_header Content-Type)|$(e2e_header X-Krakend)|$(e2e_header X-Krakend-Completed)|$(e2e_header Cache-Control)"
e2e_eq "RS256: only objects are signed (the list and missing keys stay)" '{"list":[1],"method":"GET"}' \
    "$(jq -c 'del(.token)' <<<"$E2E_BODY")"
e2e_eq "RS256: protected header" '{"alg":"RS256","kid":"rs","typ":"JWT"}' "$(printf '%s' "${tok%%.*}" | b64d)"
e2e_eq "RS256: payload is Go's JSON of the object (sorted, HTML-escaped, float64)" \
    '{"exp":4102444800,"h":"\u003c\u0026\u003e","sub":"alice"}' "$(printf '%s' "$tok" | cut -d. -f2 | b64d)"
signed_ok RS256 "$tok" "$K/rsa.pub"
e2e_eq "RS256: openssl verifies the signature" 0 $?
e2e_curl "$G/verify" -H "Authorization: Bearer $tok"
e2e_eq "RS256: the gateway's validator accepts the signed token" 200 "$E2E_STATUS"

e2e_curl "$G/sign/ps"
full=$(jq -r .token <<<"$E2E_BODY")
e2e_eq "PS256 full serialization: its members in order" '["payload","protected","signature"]' \
    "$(jq -c keys_unsorted <<<"$full")"
signed_ok PS256 "$(jq -r '.protected + "." + .payload + "." + .signature' <<<"$full")" "$K/rsa.pub"
e2e_eq "PS256 (key from jwk_url): openssl verifies the signature" 0 $?

e2e_curl "$G/sign/ed"
tok=$(jq -r .token <<<"$E2E_BODY")
e2e_eq "EdDSA: typ from the options" '{"alg":"EdDSA","kid":"ed","typ":"at+jwt"}' "$(printf '%s' "${tok%%.*}" | b64d)"
signed_ok EdDSA "$tok" "$K/ed.pub"
e2e_eq "EdDSA: openssl verifies the signature" 0 $?

e2e_curl "$G/sign/noop"
e2e_eq "no-op backend: its status and Content-Type, the (empty) data as JSON" "404|application/json|{}|" \
    "$E2E_STATUS|$(e2e_header Content-Type)|$E2E_BODY|$(e2e_header X-Krakend)"
e2e_curl "$G/sign/down"
e2e_eq "backend error: 400, empty" "400|" "$E2E_STATUS|$E2E_BODY"
e2e_curl "$G/sign/badkid"
e2e_eq "unknown kid: 401 on every request" "401|" "$E2E_STATUS|$E2E_BODY"
e2e_curl "$G/sign/insecure"
e2e_eq "http jwk_url without disable_jwk_security: 401" "401" "$E2E_STATUS"
grep -q '\[ENDPOINT: /sign/badkid\]\[JWTSigner\] Unable to create the signer: no Keys have been found' \
    "$E2E_WORK/gateway.log"
e2e_eq "the start-up ERROR KrakenD logs" 0 $?
e2e_finish
