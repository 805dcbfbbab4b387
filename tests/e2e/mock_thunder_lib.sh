# mock_thunder_lib.sh - helpers shared by the mock-thunder end-to-end scripts: start a server on
# a free port, wait for it, fetch tokens, and verify RS256 signatures with openssl only (never
# with our own code). Source after lib.sh.

MT_BIN="$BIN_DIR/mock-thunder"
MT_OU=01900000-0000-7000-8000-000000000001
MT_ADMIN_ID=thunder-admin
MT_ADMIN_SECRET=thunder-admin-secret

# mt_start NAME ARGS...: starts mock-thunder (cwd $E2E_WORK) and waits for its start-up log;
# sets MT_PID, MT_PORT and MT_URL (https://localhost:PORT unless --http is among ARGS).
mt_start() {
    local name=$1
    shift
    (cd "$E2E_WORK" && exec "$MT_BIN" "$@") >"$E2E_WORK/$name.log" 2>&1 &
    MT_PID=$!
    E2E_PIDS+=("$MT_PID")
    local end=$((SECONDS + 20))
    MT_PORT=
    while [ $SECONDS -lt $end ]; do
        MT_PORT=$(sed -n 's/.*listening on .*:\([0-9]*\) (.*/\1/p' "$E2E_WORK/$name.log" | head -n1)
        [ -n "$MT_PORT" ] && break
        kill -0 "$MT_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$MT_PORT" ]; then
        echo "mock-thunder did not start:" >&2
        cat "$E2E_WORK/$name.log" >&2
        return 1
    fi
    case " $* " in
    *" --http "*) MT_URL="http://localhost:$MT_PORT" ;;
    *) MT_URL="https://localhost:$MT_PORT" ;;
    esac
}

# b64url_decode: stdin base64url (unpadded) -> raw bytes on stdout.
b64url_decode() {
    local s
    s=$(tr -d '\n' | tr '_-' '/+')
    case $((${#s} % 4)) in
    2) s="$s==" ;;
    3) s="$s=" ;;
    esac
    printf '%s' "$s" | base64 -d
}

# jwt_part TOKEN N: the decoded N-th segment (1 header, 2 payload) as text.
jwt_part() { printf '%s' "$1" | cut -d. -f"$2" | b64url_decode; }

# mt_token CA CLIENT_ID SECRET [SCOPE]: prints an access token (form-body credentials).
mt_token() {
    local args=(-s --cacert "$1" "$MT_URL/oauth2/token" --data-urlencode grant_type=client_credentials
        --data-urlencode "client_id=$2" --data-urlencode "client_secret=$3")
    [ -n "${4:-}" ] && args+=(--data-urlencode "scope=$4")
    curl "${args[@]}" | jq -r .access_token
}

# jwt_verify_openssl TOKEN JWKS_JSON: 0 if openssl verifies the RS256 signature with the JWKS
# key named by the token's kid. The public key comes from that key's x5c certificate, and the
# certificate's modulus and exponent must equal the JWK's n and e.
jwt_verify_openssl() {
    local tok=$1 jwks=$2 dir kid x5c n_hex cert_mod e_dec
    dir=$(mktemp -d "$E2E_WORK/jwt.XXXXXX")
    kid=$(jwt_part "$tok" 1 | jq -r .kid)
    x5c=$(printf '%s' "$jwks" | jq -r --arg k "$kid" '.keys[] | select(.kid == $k) | .x5c[0]')
    [ -n "$x5c" ] && [ "$x5c" != null ] || { echo "kid $kid not in JWKS" >&2; return 1; }
    printf '%s' "$x5c" | base64 -d >"$dir/cert.der" || return 1
    openssl x509 -inform DER -in "$dir/cert.der" -pubkey -noout >"$dir/pub.pem" || return 1
    n_hex=$(printf '%s' "$jwks" | jq -r --arg k "$kid" '.keys[] | select(.kid == $k) | .n' |
        b64url_decode | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F)
    cert_mod=$(openssl x509 -inform DER -in "$dir/cert.der" -noout -modulus | cut -d= -f2)
    [ "$n_hex" = "$cert_mod" ] || { echo "JWK n differs from the certificate modulus" >&2; return 1; }
    e_dec=$(printf '%s' "$jwks" | jq -r --arg k "$kid" '.keys[] | select(.kid == $k) | .e' |
        b64url_decode | od -An -v -tu1 | awk '{for(i=1;i<=NF;i++) v=v*256+$i} END {print v}')
    openssl x509 -inform DER -in "$dir/cert.der" -noout -text | grep -q "Exponent: $e_dec " ||
        { echo "JWK e ($e_dec) differs from the certificate" >&2; return 1; }
    printf '%s' "$tok" | cut -d. -f1-2 | tr -d '\n' >"$dir/data"
    printf '%s' "$tok" | cut -d. -f3 | b64url_decode >"$dir/sig"
    openssl dgst -sha256 -verify "$dir/pub.pem" -signature "$dir/sig" "$dir/data" >/dev/null
}
