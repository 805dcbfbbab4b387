#!/usr/bin/env bash
# host-check.sh - run from the host while `docker compose up` (or compose-check) has the demo up:
# the published ports answer the guide's Try It Out as the guide says (401, 200, 403).
#   ../shared/tools/compose-check --oneshot setup -- tests/compose/host-check.sh
set -u
THUNDER=${THUNDER_URL:-https://localhost:8090}
GATEWAY=${GATEWAY_URL:-http://localhost:8082}
CLIENT_ID=${APP_CLIENT_ID:-krakend-guide-client}
CLIENT_SECRET=${APP_CLIENT_SECRET:-krakend-guide-secret-change-me}
passed=0 failed=0

check() { # check NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok - $1 ($3)"
    else failed=$((failed + 1)); echo "FAIL - $1: expected $2, got $3"; fi
}
token() { # token [SCOPE]
    curl -sk "$THUNDER/oauth2/token" --data-urlencode grant_type=client_credentials \
        ${1:+--data-urlencode "scope=$1"} --data-urlencode "client_id=$CLIENT_ID" \
        --data-urlencode "client_secret=$CLIENT_SECRET" | jq -r '.access_token // empty'
}
call() { # call [TOKEN]: status of the guide's POST through the gateway
    curl -s -o /dev/null -w '%{http_code}' -X POST "$GATEWAY/api/items" \
        -H 'Content-Type: application/json' ${1:+-H "Authorization: Bearer $1"}
}

scoped=$(token booking-api:item:read)
unscoped=$(token)
check "token with the scope from the published port 8090" yes "$([ -n "$scoped" ] && echo yes || echo no)"
check "POST /api/items without a token" 401 "$(call)"
check "POST /api/items with the scoped token" 200 "$(call "$scoped")"
check "POST /api/items with a token missing the scope" 403 "$(call "$unscoped")"
check "mock-backend on the published port 8081" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' -X POST http://localhost:8081/api/items)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
