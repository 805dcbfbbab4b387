#!/usr/bin/env bash
# gateway_tls.sh - the service `tls` block: HTTPS with the configured key pair, refusal to start
# (never a silent fall back to plain HTTP) when the files cannot be used, `disabled` honoured;
# versions (TLS 1.3 only unless min_version says otherwise, as lura), cipher_suites and
# curve_preferences as real clients (openssl s_client, curl) see them; enable_mtls with
# ca_certs; several certificates chosen by the name the client asks for (keys).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$E2E_WORK/key.pem" -out "$E2E_WORK/cert.pem" \
    -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
read -r GW_PORT MB_PORT < <(e2e_ports 2 | tr '\n' ' ')
e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB_PORT"
e2e_wait_http "http://127.0.0.1:$MB_PORT/__echo/" 10

config() { # config TLS_JSON
    printf '{"version":3,"port":%s,"tls":%s,"endpoints":[{"endpoint":"/items","method":"POST","backend":[{"host":["http://127.0.0.1:%s"],"url_pattern":"/api/items"}]}]}\n' \
        "$GW_PORT" "$1" "$MB_PORT" >"$E2E_WORK/krakend.json"
}

config "{\"public_key\":\"$E2E_WORK/cert.pem\",\"private_key\":\"$E2E_WORK/key.pem\"}"
e2e_start gateway "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend.json"
GW_PID=$E2E_LAST_PID
e2e_wait_http "https://localhost:$GW_PORT/__health" 10 --cacert "$E2E_WORK/cert.pem"
e2e_curl --cacert "$E2E_WORK/cert.pem" -X POST "https://localhost:$GW_PORT/items"
e2e_eq "HTTPS with the configured certificate (verified by curl)" 200 "$E2E_STATUS"
e2e_contains "HTTPS proxies to the backend" '"name":"Widget"' "$E2E_BODY"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$GW_PORT/__health")
[ "$code" != 200 ] && e2e_pass "no plain HTTP on the HTTPS port" || e2e_fail "no plain HTTP on the HTTPS port"
e2e_stop "$GW_PID"

config "{\"public_key\":\"$E2E_WORK/missing.pem\",\"private_key\":\"$E2E_WORK/key.pem\"}"
out=$(timeout 10 "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend.json" 2>&1)
rc=$?
e2e_eq "missing certificate: the gateway does not start" 1 "$rc"
e2e_contains "missing certificate: the message names the file" "tls.public_key: cannot open '$E2E_WORK/missing.pem'" "$out"

config "{\"public_key\":\"$E2E_WORK/cert.pem\",\"private_key\":\"$E2E_WORK/key.pem\",\"disabled\":true}"
e2e_start gateway-plain "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend.json"
GW_PID=$E2E_LAST_PID
e2e_wait_http "http://127.0.0.1:$GW_PORT/__health" 10
e2e_curl "http://127.0.0.1:$GW_PORT/__health"
e2e_eq "tls.disabled: plain HTTP" 200 "$E2E_STATUS"
e2e_stop "$GW_PID"

# ---- versions, suites, curves -------------------------------------------------------------------
# hs ARGS...: "ok" when openssl s_client completes a handshake with these options
hs() {
    if echo | timeout 5 openssl s_client -connect "127.0.0.1:$GW_PORT" -servername localhost \
        "$@" >"$E2E_WORK/hs.out" 2>&1 && grep -q 'Cipher is [^(]' "$E2E_WORK/hs.out" &&
        ! grep -q 'Cipher is (NONE)' "$E2E_WORK/hs.out"; then
        echo ok
    else
        echo refused
    fi
}
# negotiated ARGS...: the cipher the handshake ended with
negotiated() {
    echo | timeout 5 openssl s_client -connect "127.0.0.1:$GW_PORT" "$@" 2>/dev/null |
        sed -n 's/^ *Cipher *: *//p' | head -n1
}
serve() { # serve TLS_EXTRA_JSON [CURL_ARGS...]: the gateway, once it answers with these
    config "{\"public_key\":\"$E2E_WORK/cert.pem\",\"private_key\":\"$E2E_WORK/key.pem\"$1}"
    shift
    e2e_start gateway "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend.json"
    GW_PID=$E2E_LAST_PID
    e2e_wait_http "https://localhost:$GW_PORT/__health" 10 --cacert "$E2E_WORK/cert.pem" "$@"
}
serve ''
e2e_eq "no min_version: TLS 1.3 is served" ok "$(hs -tls1_3)"
e2e_eq "no min_version: TLS 1.2 is refused (lura's default is TLS 1.3 for both ends)" refused \
    "$(hs -tls1_2)"
e2e_eq "default curves (P-521, P-384, P-256): X25519 alone is refused" refused \
    "$(hs -tls1_3 -groups X25519)"
e2e_eq "default curves: P-256 is served" ok "$(hs -tls1_3 -groups P-256)"
e2e_stop "$GW_PID"

serve ',"min_version":"TLS12","max_version":"TLS12","cipher_suites":[49199,49196],"curve_preferences":[23,29]' \
    --tls-max 1.2
e2e_eq "min/max TLS12: TLS 1.3 is refused" refused "$(hs -tls1_3)"
e2e_eq "cipher_suites [49199, 49196]: ECDHE-RSA-AES128-GCM-SHA256 is served" ok \
    "$(hs -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256)"
# 49196 (ECDHE-ECDSA-AES256-GCM) brings AES-256-GCM, which GnuTLS would combine with ECDHE-RSA
e2e_eq "cipher_suites [49199, 49196]: ECDHE-RSA-AES256-GCM-SHA384 is refused" refused \
    "$(hs -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384)"
e2e_eq "cipher_suites [49199, 49196]: ECDHE-RSA-CHACHA20-POLY1305 is refused" refused \
    "$(hs -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305)"
e2e_eq "cipher_suites [49199, 49196]: a client offering several gets the listed one" \
    ECDHE-RSA-AES128-GCM-SHA256 \
    "$(negotiated -tls1_2 -cipher 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256')"
e2e_eq "curve_preferences [23, 29]: X25519 is served" ok "$(hs -tls1_2 -groups X25519)"
e2e_eq "curve_preferences [23, 29]: P-384 is refused" refused "$(hs -tls1_2 -groups P-384)"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$E2E_WORK/cert.pem" \
    --tls-max 1.2 "https://localhost:$GW_PORT/__health")
e2e_eq "TLS12 with the listed suite: curl is served" 200 "$code"
e2e_stop "$GW_PID"

# ---- enable_mtls with ca_certs ------------------------------------------------------------------------
# cert NAME CN EKU [CA]: a key and certificate signed by CA (self-signed without)
cert() {
    local ext="$E2E_WORK/$1.ext"
    printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:%s\nextendedKeyUsage=%s\n' "$2" "$3" >"$ext"
    openssl req -new -newkey rsa:2048 -nodes -keyout "$E2E_WORK/$1.key" -subj "/CN=$2" \
        -out "$E2E_WORK/$1.csr" 2>/dev/null
    if [ $# -gt 3 ]; then
        openssl x509 -req -in "$E2E_WORK/$1.csr" -CA "$E2E_WORK/$4.pem" -CAkey "$E2E_WORK/$4.key" \
            -CAcreateserial -days 2 -extfile "$ext" -out "$E2E_WORK/$1.pem" 2>/dev/null
    else
        openssl x509 -req -in "$E2E_WORK/$1.csr" -signkey "$E2E_WORK/$1.key" -days 2 \
            -extfile "$ext" -out "$E2E_WORK/$1.pem" 2>/dev/null
    fi
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$E2E_WORK/ca.key" -out "$E2E_WORK/ca.pem" \
    -days 2 -subj /CN=test-ca 2>/dev/null
cert client alice clientAuth ca
cert server-only bob serverAuth ca
cert stranger eve clientAuth
serve ",\"enable_mtls\":true,\"ca_certs\":[\"$E2E_WORK/ca.pem\"],\"disable_system_ca_pool\":true" \
    --cert "$E2E_WORK/client.pem" --key "$E2E_WORK/client.key"
mtls() { # mtls CURL_ARGS...: the status, 000 when the handshake failed
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$E2E_WORK/cert.pem" "$@" \
        "https://localhost:$GW_PORT/__health"
}
e2e_eq "mTLS: a client without a certificate is refused" 000 "$(mtls)"
e2e_eq "mTLS: a client certificate signed by ca_certs is accepted" 200 \
    "$(mtls --cert "$E2E_WORK/client.pem" --key "$E2E_WORK/client.key")"
e2e_eq "mTLS: a certificate from another CA is refused" 000 \
    "$(mtls --cert "$E2E_WORK/stranger.pem" --key "$E2E_WORK/stranger.key")"
e2e_eq "mTLS: a certificate not meant for client authentication is refused (as Go)" 000 \
    "$(mtls --cert "$E2E_WORK/server-only.pem" --key "$E2E_WORK/server-only.key")"
e2e_stop "$GW_PID"

# ---- several certificates (keys) ------------------------------------------------------------------------
cert a a.test serverAuth ca
cert b b.test serverAuth ca
config "{\"keys\":[{\"public_key\":\"$E2E_WORK/a.pem\",\"private_key\":\"$E2E_WORK/a.key\"},{\"public_key\":\"$E2E_WORK/b.pem\",\"private_key\":\"$E2E_WORK/b.key\"}]}"
e2e_start gateway "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend.json"
GW_PID=$E2E_LAST_PID
e2e_wait_http "https://127.0.0.1:$GW_PORT/__health" 10 -k
for n in a b; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$E2E_WORK/ca.pem" \
        --resolve "$n.test:$GW_PORT:127.0.0.1" "https://$n.test:$GW_PORT/__health")
    e2e_eq "keys: $n.test is served with its own certificate (SNI)" 200 "$code"
done
subject=$(echo | timeout 5 openssl s_client -connect "127.0.0.1:$GW_PORT" 2>/dev/null |
    sed -n 's/^subject=.*CN *= *//p')
e2e_eq "keys: without a name the first certificate is served" a.test "$subject"
e2e_stop "$GW_PID"
e2e_finish
