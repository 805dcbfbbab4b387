#!/usr/bin/env bash
# mint-openssl.sh - mints JWTs and their JWKS with the openssl command line only: an
# implementation independent of ours, for every algorithm the validator supports.
# Usage: mint-openssl.sh OUTDIR [ALG...]   (default: all algorithms)
# Writes OUTDIR/<ALG>.jwks (a JWK Set with one public key, kid "ossl-<ALG>") and
# OUTDIR/<ALG>.jwt (a compact JWS with the claims below). Needs openssl >= 3, xxd.
set -euo pipefail

out=${1:?usage: mint-openssl.sh OUTDIR [ALG...]}
shift
algs=("$@")
[ ${#algs[@]} -gt 0 ] || algs=(HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512
                               ES256 ES384 ES512 EdDSA)
mkdir -p "$out"
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
hex2bin() { xxd -r -p; }
bits_of() { echo "${1: -3}"; }   # HS256 -> 256

claims='{"sub":"openssl-user","iss":"https://openssl.test","aud":"gw","exp":4102444800,"iat":1700000000,"roles":["reader"],"scope":"items:read"}'

# r||s (RFC 7518 §3.4) from a DER ECDSA signature, each integer left-padded to size bytes.
der_to_rs() {
    local size=$1 der=$2 r s
    read -r r s < <(openssl asn1parse -inform DER -in "$der" | awk -F: '/INTEGER/ {printf "%s ", $NF} END {print ""}')
    printf '%0*s%0*s' $((size * 2)) "$r" $((size * 2)) "$s" | tr ' ' 0 | hex2bin
}

mint() {
    local alg=$1 kid="ossl-$1" bits jwk sig key="$work/$1.pem" input
    bits=$(bits_of "$alg")
    input="$(printf '{"alg":"%s","kid":"%s","typ":"JWT"}' "$alg" "$kid" | b64url).$(printf '%s' "$claims" | b64url)"
    printf '%s' "$input" > "$work/input"
    case "$alg" in
    HS*)
        local hex
        hex=$(openssl rand -hex $((bits / 8)))
        jwk=$(printf '{"kty":"oct","kid":"%s","k":"%s"}' "$kid" "$(printf '%s' "$hex" | hex2bin | b64url)")
        sig=$(openssl dgst -sha"$bits" -mac HMAC -macopt hexkey:"$hex" -binary "$work/input" | b64url)
        ;;
    RS* | PS*)
        # one RSA key serves all six RSA algorithms (key generation is the slow part)
        key="$work/rsa.pem"
        [ -f "$key" ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
            -out "$key" 2>/dev/null
        local n
        n=$(openssl rsa -in "$key" -noout -modulus | cut -d= -f2 | hex2bin | b64url)
        jwk=$(printf '{"kty":"RSA","kid":"%s","use":"sig","n":"%s","e":"AQAB"}' "$kid" "$n")
        if [ "${alg:0:2}" = PS ]; then
            sig=$(openssl dgst -sha"$bits" -sign "$key" -sigopt rsa_padding_mode:pss \
                  -sigopt rsa_pss_saltlen:$((bits / 8)) -binary "$work/input" | b64url)
        else
            sig=$(openssl dgst -sha"$bits" -sign "$key" -binary "$work/input" | b64url)
        fi
        ;;
    ES*)
        local crv size pt
        case "$alg" in
        ES256) crv=P-256 size=32 ;;
        ES384) crv=P-384 size=48 ;;
        ES512) crv=P-521 size=66 ;;
        esac
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$crv" -out "$key" 2>/dev/null
        # the SubjectPublicKeyInfo ends with the uncompressed point 04 || X || Y
        openssl pkey -in "$key" -pubout -outform DER | tail -c $((2 * size + 1)) > "$work/pt"
        pt="$work/pt"
        jwk=$(printf '{"kty":"EC","kid":"%s","crv":"%s","x":"%s","y":"%s"}' "$kid" "$crv" \
              "$(tail -c +2 "$pt" | head -c "$size" | b64url)" "$(tail -c "$size" "$pt" | b64url)")
        openssl dgst -sha"$bits" -sign "$key" -binary "$work/input" > "$work/der"
        sig=$(der_to_rs "$size" "$work/der" | b64url)
        ;;
    EdDSA)
        openssl genpkey -algorithm ed25519 -out "$key" 2>/dev/null
        jwk=$(printf '{"kty":"OKP","kid":"%s","crv":"Ed25519","x":"%s"}' "$kid" \
              "$(openssl pkey -in "$key" -pubout -outform DER | tail -c 32 | b64url)")
        sig=$(openssl pkeyutl -sign -inkey "$key" -rawin -in "$work/input" | b64url)
        ;;
    *)
        echo "unknown alg $alg" >&2
        return 1
        ;;
    esac
    printf '{"keys":[%s]}\n' "$jwk" > "$out/$alg.jwks"
    printf '%s.%s' "$input" "$sig" > "$out/$alg.jwt"
}

for a in "${algs[@]}"; do
    mint "$a"
done
