# keys.sh - the benchmark's RSA key, JWKS, TLS certificate and RS256 tokens, all made with
# openssl (never with the gateway's own code). Sourced by bench/run; writes into $WORK/keys.

BENCH_KID="bench-rs256-1"
BENCH_ISS="https://localhost:8090"
BENCH_AUD="https://api.example.com/booking"
BENCH_SCOPE="booking-api:item:read"
BENCH_EXP=4102444800 # 2100-01-01: far ahead

b64url() { basenc --base64url -w0 | tr -d '='; }

# mint_openssl PAYLOAD_JSON: prints an RS256 token over PAYLOAD_JSON signed by `openssl dgst`.
mint_openssl() {
    local k=$WORK/keys hdr body
    hdr=$(printf '{"alg":"RS256","kid":"%s","typ":"JWT"}' "$BENCH_KID" | b64url)
    body=$(printf '%s' "$1" | b64url)
    printf '%s.%s' "$hdr" "$body" >"$k/signing-input"
    openssl dgst -sha256 -sign "$k/private.pem" -binary "$k/signing-input" >"$k/sig" ||
        die "openssl could not sign a token"
    printf '%s.%s.%s' "$hdr" "$body" "$(b64url <"$k/sig")"
}

# verify_openssl TOKEN: checks TOKEN's RS256 signature with `openssl dgst -verify`.
verify_openssl() {
    local k=$WORK/keys sig=${1##*.} pad
    printf '%s' "${1%.*}" >"$k/verify-input"
    pad=$(((4 - ${#sig} % 4) % 4))
    sig+=$(printf '%*s' "$pad" '' | tr ' ' '=')
    printf '%s' "$sig" | basenc --base64url -d >"$k/verify-sig" 2>/dev/null &&
        openssl dgst -sha256 -verify "$k/public.pem" -signature "$k/verify-sig" \
            "$k/verify-input" >/dev/null 2>&1
}

claims_json() { # claims_json SCOPE JTI
    printf '{"iss":"%s","aud":"%s","sub":"bench-client","iat":%s,"exp":%s,"jti":"%s","scope":"%s"}' \
        "$BENCH_ISS" "$BENCH_AUD" "$(date +%s)" "$BENCH_EXP" "$2" "$1"
}

# make_keys: private/public PEM, jwks.json, a self-signed certificate for the JWKS server, and
# the tokens TOKEN (guide's scope), TOKEN_NOSCOPE (valid, other scope), TOKEN_BADSIG.
make_keys() {
    local k=$WORK/keys n last
    mkdir -p "$k"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$k/private.pem" \
        2>/dev/null || die "openssl genpkey failed"
    chmod 600 "$k/private.pem"
    openssl pkey -in "$k/private.pem" -pubout -out "$k/public.pem" 2>/dev/null ||
        die "openssl pkey -pubout failed"
    openssl rsa -in "$k/private.pem" -noout -text 2>/dev/null | grep -q '^publicExponent: 65537' ||
        die "the generated key's exponent is not 65537"
    n=$(openssl rsa -in "$k/private.pem" -noout -modulus 2>/dev/null | sed 's/^Modulus=//' |
        xxd -r -p | b64url)
    [ ${#n} -eq 342 ] || die "unexpected modulus encoding (${#n} characters)"
    jq -n --arg kid "$BENCH_KID" --arg n "$n" \
        '{keys: [{kty: "RSA", use: "sig", alg: "RS256", kid: $kid, n: $n, e: "AQAB"}]}' \
        >"$k/jwks.json"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$k/tls.key" -out "$k/tls.crt" 2>/dev/null || die "openssl req (TLS cert) failed"
    TOKEN=$(mint_openssl "$(claims_json "$BENCH_SCOPE" bench-1)")
    TOKEN_NOSCOPE=$(mint_openssl "$(claims_json "booking-api:item:write" bench-2)")
    # Flip a character well inside the signature (the last one carries padding bits).
    n=$((${#TOKEN} - 20))
    last=${TOKEN:$n:1}
    [ "$last" = A ] && last=B || last=A
    TOKEN_BADSIG=${TOKEN:0:$n}$last${TOKEN:$((n + 1))}
    verify_openssl "$TOKEN" || die "openssl does not verify its own token"
    if verify_openssl "$TOKEN_BADSIG"; then die "a tampered token verified"; fi
}

# make_pool COUNT: $WORK/keys/pool.txt with COUNT distinct tokens (jwt_mint, OpenSSL libcrypto,
# split over the cores); the first and last are checked with `openssl dgst -verify`.
make_pool() {
    local count=$1 k=$WORK/keys jobs half first last pids=() rc=0
    jobs=$(nproc)
    [ "$jobs" -gt 4 ] && jobs=4
    [ "$count" -lt 1000 ] && jobs=1
    half=$(((count + jobs - 1) / jobs))
    for ((j = 0; j < jobs; j++)); do
        first=$((j * half))
        [ $first -ge "$count" ] && break
        last=$((first + half))
        [ $last -gt "$count" ] && last=$count
        "$TOOLS/jwt_mint" "$k/private.pem" "$BENCH_KID" "$BENCH_ISS" "$BENCH_AUD" "$BENCH_SCOPE" \
            "$BENCH_EXP" "$first" $((last - first)) >"$k/pool.$j" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    [ $rc = 0 ] || die "jwt_mint failed"
    cat "$k"/pool.[0-9]* >"$k/pool.txt"
    rm -f "$k"/pool.[0-9]*
    [ "$(wc -l <"$k/pool.txt")" -eq "$count" ] || die "the token pool is short"
    verify_openssl "$(head -n1 "$k/pool.txt")" && verify_openssl "$(tail -n1 "$k/pool.txt")" ||
        die "openssl does not verify the pool's tokens"
    [ "$(sort -u "$k/pool.txt" | wc -l)" -eq "$count" ] || die "the pool's tokens are not distinct"
}
