#!/usr/bin/env bash
# gateway_tls.sh - the service `tls` block: HTTPS with the configured key pair, refusal to start
# (never a silent fall back to plain HTTP) when the files cannot be used, `disabled` honoured.
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
e2e_finish
