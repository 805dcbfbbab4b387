#!/usr/bin/env bash
# client_credentials.sh - auth/client-credentials end to end (krakend-telemetry-validation.md §9):
# the gateway gets its backend tokens from mock-thunder (client_credentials grant). The backend
# that must accept them is the gateway itself on an endpoint guarded by auth/validator against
# mock-thunder's JWKS; mock-backend behind it echoes the Authorization it got, and mock-thunder's
# introspection confirms that token. Also: the client's own Authorization never goes through,
# one token request for a burst of calls, HTTP Basic then the form (a client registered for
# client_secret_post, on a strict server), and oauth2's errors when the token cannot be had.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/mock_thunder_lib.sh"

read -r MB GW DEAD < <(e2e_ports 3 | tr '\n' ' ')
cat >"$E2E_WORK/seed.json" <<'EOF'
{"applications": [{"name": "gw post", "clientId": "gw-post", "clientSecret": "post-secret",
   "tokenEndpointAuthMethod": "client_secret_post", "grantTypes": ["client_credentials"]}]}
EOF
mt_start thunder --http --ephemeral --port 0 --strict-client-auth --log-level DEBUG \
    --seed "$E2E_WORK/seed.json" || { e2e_fail "mock-thunder starts"; e2e_finish; exit 1; }
T="http://127.0.0.1:$MT_PORT"
e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB" --quiet
e2e_wait_http "http://127.0.0.1:$MB/__echo/" 10 || { e2e_fail "mock-backend starts"; e2e_finish; exit 1; }

cc() { # cc EXTRA: the namespace block for the admin client, with extra members
    printf '{"client_id":"%s","client_secret":"%s","token_url":"%s/oauth2/token"%s}' \
        "$MT_ADMIN_ID" "$MT_ADMIN_SECRET" "$T" "${1:+,$1}"
}
cat >"$E2E_WORK/krakend.json" <<EOF
{"version": 3, "port": $GW, "timeout": "5s", "extra_config": {"router": {"return_error_msg": true}},
 "endpoints": [
 {"endpoint": "/protected", "input_headers": ["Authorization"],
  "extra_config": {"auth/validator": {"alg": "RS256", "jwk_url": "$T/oauth2/jwks", "disable_jwk_security": true}},
  "backend": [{"host": ["http://127.0.0.1:$MB"], "url_pattern": "/__echo/protected"}]},
 {"endpoint": "/cc", "input_headers": ["Authorization"],
  "backend": [{"host": ["http://127.0.0.1:$GW"], "url_pattern": "/protected",
    "extra_config": {"auth/client-credentials": $(cc '"scopes":"system"')}}]},
 {"endpoint": "/cc/echo", "input_headers": ["Authorization"],
  "backend": [{"host": ["http://127.0.0.1:$MB"], "url_pattern": "/__echo/cc",
    "extra_config": {"auth/client-credentials": $(cc)}}]},
 {"endpoint": "/cc/load",
  "backend": [{"host": ["http://127.0.0.1:$MB"], "url_pattern": "/__echo/load",
    "extra_config": {"auth/client-credentials": $(cc)}}]},
 {"endpoint": "/cc/post",
  "backend": [{"host": ["http://127.0.0.1:$MB"], "url_pattern": "/__echo/post",
    "extra_config": {"auth/client-credentials": {"client_id": "gw-post", "client_secret": "post-secret",
      "token_url": "$T/oauth2/token", "endpoint_params": {"resource": []}}}}]},
 {"endpoint": "/cc/wrong", "input_headers": ["Authorization"],
  "backend": [{"host": ["http://127.0.0.1:$MB"], "url_pattern": "/__echo/wrong",
    "extra_config": {"auth/client-credentials": {"client_id": "$MT_ADMIN_ID", "client_secret": "nope",
      "token_url": "$T/oauth2/token"}}}]},
 {"endpoint": "/cc/down",
  "backend": [{"host": ["http://127.0.0.1:$MB"], "url_pattern": "/__echo/down",
    "extra_config": {"auth/client-credentials": {"client_id": "x", "client_secret": "y",
      "token_url": "http://127.0.0.1:$DEAD/token"}}}]},
 {"endpoint": "/cc/off", "input_headers": ["Authorization"],
  "backend": [{"host": ["http://127.0.0.1:$MB"], "url_pattern": "/__echo/off",
    "extra_config": {"auth/client-credentials": $(cc '"is_disabled":true')}}]}
]}
EOF
"$BIN_DIR/gateway" check -c "$E2E_WORK/krakend.json" >"$E2E_WORK/check.log" 2>&1
e2e_eq "check accepts the config" 0 $?
grep -q 'client-credentials.*not supported' "$E2E_WORK/check.log"
e2e_eq "check no longer calls auth/client-credentials unsupported" 1 $?
e2e_start gateway "$BIN_DIR/gateway" run -c "$E2E_WORK/krakend.json"
e2e_wait_http "http://127.0.0.1:$GW/__health" 10 || { e2e_fail "gateway starts" "$(tail -5 "$E2E_WORK/gateway.log")"; e2e_finish; exit 1; }
G="http://127.0.0.1:$GW"

token_requests() { grep -c 'POST /oauth2/token' "$E2E_WORK/thunder.log"; }
introspect() { # introspect TOKEN: mock-thunder's view of it
    curl -s -u "$MT_ADMIN_ID:$MT_ADMIN_SECRET" "$T/oauth2/introspect" --data-urlencode "token=$1"
}

# A backend that only answers with a valid mock-thunder token: the gateway's own /protected.
e2e_curl "$G/protected" -H 'Authorization: Bearer not-a-token'
e2e_eq "the guarded backend refuses other tokens" "401" "$E2E_STATUS"
e2e_curl "$G/cc" -H 'Authorization: Bearer client-own-token'
e2e_eq "through client credentials the guarded backend answers" "200" "$E2E_STATUS"
auth=$(jq -r '.headers.Authorization[0]' <<<"$E2E_BODY")
tok=${auth#Bearer }
e2e_eq "the token is mock-thunder's, as Bearer" "Bearer eyJ" "$(printf '%s' "$auth" | cut -c1-10)"
e2e_eq "mock-thunder says the token is active, for the admin client" "true thunder-admin" \
    "$(introspect "$tok" | jq -r '"\(.active) \(.client_id)"')"

e2e_curl "$G/cc/echo" -H 'Authorization: Bearer client-own-token'
got=$(jq -r '.headers.Authorization | join("|")' <<<"$E2E_BODY")
e2e_eq "the client's own Authorization is replaced, not added" "1" "$(jq -r '.headers.Authorization | length' <<<"$E2E_BODY")"
case "$got" in *client-own-token*) e2e_fail "the client's credentials never reach the backend" "$got" ;;
*) e2e_pass "the client's credentials never reach the backend" ;; esac
e2e_eq "mock-thunder introspects the echoed token as active" "true" "$(introspect "${got#Bearer }" | jq -r .active)"

# One token request for a burst of calls on a fresh backend; later calls use the cached token.
before=$(token_requests)
seq 40 | xargs -P 20 -I{} curl -s -o /dev/null -w '%{http_code}\n' "$G/cc/load" >"$E2E_WORK/burst.txt"
e2e_eq "a burst of 40 calls all answered" "40" "$(grep -c '^200$' "$E2E_WORK/burst.txt")"
e2e_eq "one token request for the burst (single flight)" "$((before + 1))" "$(token_requests)"
curl -s -o /dev/null "$G/cc/load"
e2e_eq "the next call reuses the cached token" "$((before + 1))" "$(token_requests)"

# HTTP Basic first: refused for a client_secret_post client on a strict server; the form works.
before=$(token_requests)
e2e_curl "$G/cc/post"
e2e_eq "a client_secret_post client gets its token on the second try (form)" "200 $((before + 2))" \
    "$E2E_STATUS $(token_requests)"
e2e_eq "its token is active for gw-post" "true gw-post" \
    "$(introspect "$(jq -r '.headers.Authorization[0]' <<<"$E2E_BODY" | cut -d' ' -f2)" | jq -r '"\(.active) \(.client_id)"')"
e2e_curl "$G/cc/post"
e2e_eq "the form style is remembered (no new request while the token is valid)" "200 $((before + 2))" \
    "$E2E_STATUS $(token_requests)"

# Errors: the backend call fails with oauth2's error as Go's http.Client reports it.
e2e_curl "$G/cc/wrong" -H 'Authorization: Bearer client-own-token'
# Basic gets invalid_client, the form retry unauthorized_client (strict server, a Basic client):
# oauth2 reports the second answer.
e2e_eq "wrong secret: 500 with oauth2's error (of the form retry)" \
    "500 Get \"http://127.0.0.1:$MB/__echo/wrong\": oauth2: \"unauthorized_client\"" \
    "$E2E_STATUS $(printf '%s' "$E2E_BODY" | cut -d' ' -f1-4)"
e2e_curl "$G/cc/down"
e2e_contains "token endpoint down: the transport error" "Get \"http://127.0.0.1:$MB/__echo/down\": Post \"http://127.0.0.1:$DEAD/token\":" "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/cc/off" -H 'Authorization: Bearer client-own-token'
e2e_eq "is_disabled: no token, the forwarded header as it came" "Bearer client-own-token" \
    "$(jq -r '.headers.Authorization[0]' <<<"$E2E_BODY")"
e2e_finish
