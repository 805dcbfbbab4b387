#!/usr/bin/env bash
# setup.sh - provisions the guide's ThunderID entities through mock-thunder's management API and
# replays the guide's "Try It Out" calls through the gateway (401, 200, 403). Idempotent: what
# already exists is reused. Used by the compose `setup` service and by scripts/demo.
#
# Environment: THUNDER_URL, GATEWAY_URL, BACKEND_URL (where this script reaches them),
# PUBLIC_THUNDER_URL, PUBLIC_GATEWAY_URL (what the banner tells the user), THUNDER_ADMIN_CLIENT_ID,
# THUNDER_ADMIN_CLIENT_SECRET, APP_NAME, APP_CLIENT_ID, APP_CLIENT_SECRET, CURL_TLS (default -k:
# mock-thunder's certificate is self-signed; pass "--cacert FILE" to verify it).
set -euo pipefail

THUNDER_URL=${THUNDER_URL:-https://localhost:8090}
GATEWAY_URL=${GATEWAY_URL:-http://localhost:8082}
BACKEND_URL=${BACKEND_URL:-http://localhost:8081}
PUBLIC_THUNDER_URL=${PUBLIC_THUNDER_URL:-$THUNDER_URL}
PUBLIC_GATEWAY_URL=${PUBLIC_GATEWAY_URL:-$GATEWAY_URL}
ADMIN_ID=${THUNDER_ADMIN_CLIENT_ID:-thunder-admin}
ADMIN_SECRET=${THUNDER_ADMIN_CLIENT_SECRET:-thunder-admin-secret}
APP_NAME=${APP_NAME:-KrakenD Guide App}
APP_CLIENT_ID=${APP_CLIENT_ID:-krakend-guide-client}
APP_CLIENT_SECRET=${APP_CLIENT_SECRET:-krakend-guide-secret-change-me}
read -r -a TLS <<<"${CURL_TLS:--k}"

say() { printf '%s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# wait_for NAME URL: polls until URL answers 2xx (at most 120 s).
wait_for() {
    local end=$((SECONDS + 120))
    say "waiting for $1 ($2)"
    until curl -fs "${TLS[@]}" -o /dev/null --max-time 2 "$2"; do
        [ $SECONDS -lt $end ] || die "$1 did not become ready at $2"
        sleep 1
    done
}

# api METHOD PATH [JSON]: management call with the admin token; body on stdout, status in $STATUS.
api() {
    local out
    out=$(curl -sS "${TLS[@]}" -w '\n%{http_code}' -X "$1" "$THUNDER_URL$2" \
        --header "Authorization: Bearer $MGMT_TOKEN" --header 'Content-Type: application/json' \
        ${3:+--data "$3"})
    STATUS=${out##*$'\n'}
    BODY=${out%$'\n'*}
}

# expect_ok WHAT: fails unless the last api call answered 2xx.
expect_ok() {
    case $STATUS in 2??) ;; *) die "$1 failed: HTTP $STATUS $BODY" ;; esac
}

token() { # token CLIENT_ID SECRET [SCOPE]: prints the token endpoint's JSON answer
    curl -sS "${TLS[@]}" --location "$THUNDER_URL/oauth2/token" \
        --header 'Content-Type: application/x-www-form-urlencoded' \
        --data-urlencode 'grant_type=client_credentials' \
        ${3:+--data-urlencode "scope=$3"} \
        --data-urlencode "client_id=$1" \
        --data-urlencode "client_secret=$2"
}

wait_for mock-thunder "$THUNDER_URL/health/readiness"
wait_for mock-backend "$BACKEND_URL/__echo/ready"
wait_for gateway "$GATEWAY_URL/__health"

say "== management token (scope=system)"
MGMT_TOKEN=$(token "$ADMIN_ID" "$ADMIN_SECRET" system | jq -r '.access_token // empty')
[ -n "$MGMT_TOKEN" ] || die "no admin token: check THUNDER_ADMIN_CLIENT_ID/SECRET"

api GET /organization-units
expect_ok "listing organization units"
OU_ID=$(jq -r '.organizationUnits[] | select(.handle=="default") | .id' <<<"$BODY")
[ -n "$OU_ID" ] || die "no default organization unit"

say "== application \"$APP_NAME\""
api GET /applications
expect_ok "listing applications"
APP_ID=$(jq -r --arg n "$APP_NAME" '.applications[] | select(.name==$n) | .id' <<<"$BODY")
if [ -z "$APP_ID" ]; then
    api POST /applications "$(jq -n --arg n "$APP_NAME" --arg ou "$OU_ID" \
        --arg id "$APP_CLIENT_ID" --arg s "$APP_CLIENT_SECRET" \
        '{name:$n, ouId:$ou, description:"Backend Service for the KrakenD guide",
          inboundAuthConfig:[{type:"oauth2", config:{clientId:$id, clientSecret:$s,
            grantTypes:["client_credentials"], tokenEndpointAuthMethod:"client_secret_basic",
            pkceRequired:false, publicClient:false}}]}')"
    expect_ok "creating the application"
    APP_ID=$(jq -r '.id' <<<"$BODY")
    say "created $APP_ID"
else
    say "exists: $APP_ID"
fi

say "== resource server booking-api"
api GET '/resource-servers?limit=100'
expect_ok "listing resource servers"
RS_ID=$(jq -r '.resourceServers[] | select(.handle=="booking-api") | .id' <<<"$BODY")
if [ -z "$RS_ID" ]; then
    api POST /api/server/v1/resource-servers "{
\"name\": \"Items API\",
\"description\": \"Handles reservation operations\",
\"handle\": \"booking-api\",
\"identifier\": \"https://api.example.com/booking\",
\"ouId\": \"$OU_ID\",
\"delimiter\": \":\"
}"
    expect_ok "creating the resource server"
    RS_ID=$(jq -r '.id' <<<"$BODY")
fi
say "resource server $RS_ID"

api GET "/resource-servers/$RS_ID/resources?limit=100"
expect_ok "listing resources"
RES_ID=$(jq -r '.resources[] | select(.handle=="item") | .id' <<<"$BODY")
if [ -z "$RES_ID" ]; then
    api POST "/api/server/v1/resource-servers/$RS_ID/resources" '{
"name": "Items",
"handle": "item"
}'
    expect_ok "creating the resource"
    RES_ID=$(jq -r '.id' <<<"$BODY")
fi
say "resource $RES_ID"

api GET "/resource-servers/$RS_ID/resources/$RES_ID/actions?limit=100"
expect_ok "listing actions"
PERMISSION=$(jq -r '.actions[] | select(.handle=="read") | .permission' <<<"$BODY")
if [ -z "$PERMISSION" ]; then
    api POST "/api/server/v1/resource-servers/$RS_ID/resources/$RES_ID/actions" '{
"name": "Read Item",
"description": "Permission to read an item",
"handle": "read"
}'
    expect_ok "creating the action"
    PERMISSION=$(jq -r '.permission' <<<"$BODY")
fi
say "action permission $PERMISSION"
[ "$PERMISSION" = "booking-api:item:read" ] || die "unexpected permission $PERMISSION"

api GET '/roles?limit=100'
expect_ok "listing roles"
ROLE_ID=$(jq -r '.roles[] | select(.name=="Booking API Reader") | .id' <<<"$BODY")
if [ -z "$ROLE_ID" ]; then
    api POST /api/server/v1/roles "{
\"name\": \"Booking API Reader\",
\"description\": \"Access to read booking items in the booking API\",
\"ouId\": \"$OU_ID\",
\"permissions\": [
{
\"resourceServerId\": \"$RS_ID\",
\"permissions\": [\"booking-api:item:read\"]
}
]
}"
    expect_ok "creating the role"
    ROLE_ID=$(jq -r '.id' <<<"$BODY")
fi
say "role $ROLE_ID"

api POST "/api/server/v1/applications/$APP_ID/roles" "{
\"roles\": [\"$ROLE_ID\"]
}"
expect_ok "assigning the role"
say "role assigned to the application"

# ---- Try It Out, through the gateway ------------------------------------------------------
failures=0
try() { # try LABEL EXPECTED [CURL ARGS...]
    local label=$1 want=$2 got
    shift 2
    got=$(curl -s -o /tmp/try.body -w '%{http_code}' --location -X POST "$GATEWAY_URL/api/items" \
        --header 'Content-Type: application/json' "$@")
    if [ "$got" = "$want" ]; then
        say "  $label -> $got (expected $want)  ok  $(head -c 200 /tmp/try.body)"
    else
        say "  $label -> $got (expected $want)  MISMATCH  $(head -c 200 /tmp/try.body)"
        failures=$((failures + 1))
    fi
}

say "== Try It Out (POST $GATEWAY_URL/api/items)"
SCOPED=$(token "$APP_CLIENT_ID" "$APP_CLIENT_SECRET" booking-api:item:read)
say "token response with scope: $(jq -c '{token_type, expires_in, scope}' <<<"$SCOPED")"
SCOPED=$(jq -r '.access_token' <<<"$SCOPED")
UNSCOPED=$(token "$APP_CLIENT_ID" "$APP_CLIENT_SECRET" | jq -r '.access_token')
try "without a token" 401
try "with a token carrying booking-api:item:read" 200 --header "Authorization: Bearer $SCOPED"
try "with a token missing the scope" 403 --header "Authorization: Bearer $UNSCOPED"
[ "$failures" -eq 0 ] || die "$failures Try It Out call(s) did not answer as the guide says"

cat <<BANNER

==========================================================================================
 Ready. The guide's setup is in place:
   application "$APP_NAME"  client_id=$APP_CLIENT_ID  client_secret=$APP_CLIENT_SECRET
   role "Booking API Reader" (booking-api:item:read) assigned to it

 Get a token and call the gateway:

   TOKEN=\$(curl -sk '$PUBLIC_THUNDER_URL/oauth2/token' \\
     --data-urlencode 'grant_type=client_credentials' \\
     --data-urlencode 'scope=booking-api:item:read' \\
     --data-urlencode 'client_id=$APP_CLIENT_ID' \\
     --data-urlencode 'client_secret=$APP_CLIENT_SECRET' | jq -r .access_token)
   curl -X POST '$PUBLIC_GATEWAY_URL/api/items' \\
     --header "Authorization: Bearer \$TOKEN" --header 'Content-Type: application/json'
==========================================================================================
BANNER
