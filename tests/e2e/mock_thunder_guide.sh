# mock_thunder_guide.sh - the guide's ThunderID calls, as written (host, port and ids filled
# in), against mock-thunder over HTTPS. curl trusts the generated certificate through
# CURL_CA_BUNDLE, so the commands carry no -k. Signatures are checked with openssl.
set -u
. "$SRC_DIR/tests/e2e/lib.sh"
. "$SRC_DIR/tests/e2e/mock_thunder_lib.sh"

PORT=$(e2e_ports 1)
THUNDER_PORT=$PORT mt_start mt --data-dir data || exit 1
export CURL_CA_BUNDLE="$E2E_WORK/data/tls-cert.pem"
THUNDER_HOST=localhost
OU_ID=$MT_OU
e2e_eq "THUNDER_PORT picks the port" "$PORT" "$MT_PORT"

# gcurl ARGS...: a guide command, recording status and body.
gcurl() {
    E2E_BODY=$(curl -s -w '\n%{http_code}' "$@")
    E2E_STATUS=${E2E_BODY##*$'\n'}
    E2E_BODY=${E2E_BODY%$'\n'*}
}

# The Console's "Backend Service" application, made through the API.
ADMIN=$(mt_token "$CURL_CA_BUNDLE" "$MT_ADMIN_ID" "$MT_ADMIN_SECRET" system)
gcurl "https://$THUNDER_HOST:$PORT/applications" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' --data "{\"name\":\"Items client\",\"ouId\":\"$OU_ID\",
    \"template\":\"m2m\",\"inboundAuthConfig\":[{\"type\":\"oauth2\",\"config\":{
    \"grantTypes\":[\"client_credentials\"],\"tokenEndpointAuthMethod\":\"client_secret_basic\",
    \"pkceRequired\":false,\"publicClient\":false}}]}"
e2e_eq "create Backend Service application: 201" 201 "$E2E_STATUS"
APP_ID=$(jq -r .id <<<"$E2E_BODY")
CLIENT_ID=$(jq -r .clientId <<<"$E2E_BODY")
CLIENT_SECRET=$(jq -r '.inboundAuthConfig[0].config.clientSecret' <<<"$E2E_BODY")
e2e_eq "client id: 22 base64url characters" 22 "$(printf '%s' "$CLIENT_ID" | tr -cd 'A-Za-z0-9_-' | wc -c)"
e2e_eq "client secret: 43 base64url characters" 43 "$(printf '%s' "$CLIENT_SECRET" | tr -cd 'A-Za-z0-9_-' | wc -c)"
e2e_eq "clientId repeated in the config" "$CLIENT_ID" "$(jq -r '.inboundAuthConfig[0].config.clientId' <<<"$E2E_BODY")"

# Obtain an Access Token
gcurl --location "https://$THUNDER_HOST:$PORT/oauth2/token" \
--header 'Content-Type: application/x-www-form-urlencoded' \
--data-urlencode 'grant_type=client_credentials' \
--data-urlencode "client_id=$CLIENT_ID" \
--data-urlencode "client_secret=$CLIENT_SECRET"
e2e_eq "guide: access token 200" 200 "$E2E_STATUS"
ACCESS_TOKEN=$(jq -r .access_token <<<"$E2E_BODY")
e2e_eq "guide: token_type, expires_in, no scope" 'Bearer 3600 null' \
    "$(jq -r '"\(.token_type) \(.expires_in) \(.scope)"' <<<"$E2E_BODY")"

# KrakenD's jwk_url
JWKS=$(curl -s "https://$THUNDER_HOST:$PORT/oauth2/jwks")
if jwt_verify_openssl "$ACCESS_TOKEN" "$JWKS"; then e2e_pass "openssl verifies the token with the JWKS key"; else e2e_fail "openssl verifies the token with the JWKS key"; fi
e2e_eq "header alg/typ/kid" "RS256 at+jwt $(jq -r '.keys[0].kid' <<<"$JWKS")" \
    "$(jwt_part "$ACCESS_TOKEN" 1 | jq -r '"\(.alg) \(.typ) \(.kid)"')"
e2e_eq "no-scope token: aud is the client id, sub the app id, no scope" "$CLIENT_ID $APP_ID null" \
    "$(jwt_part "$ACCESS_TOKEN" 2 | jq -r '"\(.aud) \(.sub) \(.scope)"')"

# Get a Management Access Token
gcurl --location "https://$THUNDER_HOST:$PORT/oauth2/token" \
--header 'Content-Type: application/x-www-form-urlencoded' \
--data-urlencode 'grant_type=client_credentials' \
--data-urlencode "client_id=$MT_ADMIN_ID" \
--data-urlencode "client_secret=$MT_ADMIN_SECRET" \
--data-urlencode 'scope=system'
e2e_eq "guide: management token with scope system" "200 system" "$E2E_STATUS $(jq -r .scope <<<"$E2E_BODY")"
MGMT_TOKEN=$(jq -r .access_token <<<"$E2E_BODY")

# Create a Resource Server
gcurl --location "https://$THUNDER_HOST:$PORT/api/server/v1/resource-servers" \
--header 'Authorization: Bearer '"$MGMT_TOKEN"'' \
--header 'Content-Type: application/json' \
--data '{
"name": "Items API",
"description": "Handles reservation operations",
"handle": "booking-api",
"identifier": "https://api.example.com/booking",
"ouId": "'"$OU_ID"'",
"delimiter": ":"
}'
e2e_eq "guide: create resource server 201" 201 "$E2E_STATUS"
e2e_eq "guide: resource server fields" \
    "Items API|booking-api|https://api.example.com/booking|:|CUSTOM|false|$OU_ID" \
    "$(jq -r '[.name,.handle,.identifier,.delimiter,.type,.isReadOnly,.ouId]|join("|")' <<<"$E2E_BODY")"
RESOURCE_SERVER_ID=$(jq -r .id <<<"$E2E_BODY")

# Create a Resource
gcurl --location "https://$THUNDER_HOST:$PORT/api/server/v1/resource-servers/$RESOURCE_SERVER_ID/resources" \
--header 'Authorization: Bearer '"$MGMT_TOKEN"'' \
--header 'Content-Type: application/json' \
--data '{
"name": "Items",
"handle": "item"
}'
e2e_eq "guide: create resource 201, permission booking-api:item" "201 booking-api:item" \
    "$E2E_STATUS $(jq -r .permission <<<"$E2E_BODY")"
RESOURCE_ID=$(jq -r .id <<<"$E2E_BODY")

# Create Resource Actions
gcurl --location "https://$THUNDER_HOST:$PORT/api/server/v1/resource-servers/$RESOURCE_SERVER_ID/resources/$RESOURCE_ID/actions" \
--header 'Authorization: Bearer '"$MGMT_TOKEN"'' \
--header 'Content-Type: application/json' \
--data '{
"name": "Read Item",
"description": "Permission to read an item",
"handle": "read"
}'
e2e_eq "guide: create action 201" 201 "$E2E_STATUS"
e2e_eq "guide: action response as shown" \
    '["id","name","handle","description","permission"]|Read Item|read|Permission to read an item|booking-api:item:read' \
    "$(jq -c keys_unsorted <<<"$E2E_BODY")|$(jq -r '[.name,.handle,.description,.permission]|join("|")' <<<"$E2E_BODY")"

# Create a Role
gcurl --location "https://$THUNDER_HOST:$PORT/api/server/v1/roles" \
--header 'Authorization: Bearer '"$MGMT_TOKEN"'' \
--header 'Content-Type: application/json' \
--data '{
"name": "Booking API Reader",
"description": "Access to read booking items in the booking API",
"ouId": "'"$OU_ID"'",
"permissions": [
{
"resourceServerId": "'"$RESOURCE_SERVER_ID"'",
"permissions": ["booking-api:item:read"]
}
]
}'
e2e_eq "guide: create role 201 with ouHandle" "201 default" "$E2E_STATUS $(jq -r .ouHandle <<<"$E2E_BODY")"
ROLE_ID=$(jq -r .id <<<"$E2E_BODY")

# Assign a Role to the Application (twice: idempotent)
for i in 1 2; do
    gcurl --location "https://$THUNDER_HOST:$PORT/api/server/v1/applications/$APP_ID/roles" \
    --header 'Authorization: Bearer '"$MGMT_TOKEN"'' \
    --header 'Content-Type: application/json' \
    --data '{
"roles": ["'"$ROLE_ID"'"]
}'
    e2e_eq "guide: assign role ($i) 204, empty body" "204|" "$E2E_STATUS|$E2E_BODY"
done
gcurl "https://$THUNDER_HOST:$PORT/roles/$ROLE_ID/assignments" -H "Authorization: Bearer $MGMT_TOKEN"
e2e_eq "one assignment, type app" "1 $APP_ID app" "$(jq -r '"\(.totalResults) \(.assignments[0].id) \(.assignments[0].type)"' <<<"$E2E_BODY")"

# Obtain an Access Token with the Required Scope
gcurl --location "https://$THUNDER_HOST:$PORT/oauth2/token" \
--header 'Content-Type: application/x-www-form-urlencoded' \
--data-urlencode 'grant_type=client_credentials' \
--data-urlencode 'scope=booking-api:item:read' \
--data-urlencode "client_id=$CLIENT_ID" \
--data-urlencode "client_secret=$CLIENT_SECRET"
e2e_eq "guide: scoped token response exactly as shown" \
    '["access_token","token_type","expires_in","scope"]|Bearer|3600|booking-api:item:read' \
    "$(jq -c keys_unsorted <<<"$E2E_BODY")|$(jq -r '[.token_type,.expires_in,.scope]|join("|")' <<<"$E2E_BODY")"
SCOPED=$(jq -r .access_token <<<"$E2E_BODY")
if jwt_verify_openssl "$SCOPED" "$JWKS"; then e2e_pass "openssl verifies the scoped token"; else e2e_fail "openssl verifies the scoped token"; fi
ISSUER=$(curl -s "https://$THUNDER_HOST:$PORT/.well-known/openid-configuration" | jq -r .issuer)
e2e_eq "discovery issuer" "https://localhost:$PORT" "$ISSUER"
e2e_eq "scoped claims" "$ISSUER|https://api.example.com/booking|booking-api:item:read|$APP_ID|$CLIENT_ID|client_credentials|$OU_ID|default|Default" \
    "$(jwt_part "$SCOPED" 2 | jq -r '[.iss,.aud,.scope,.sub,.client_id,.grant_type,.ouId,.ouHandle,.ouName]|join("|")')"
e2e_eq "claim set" '["aud","client_id","exp","grant_type","iat","iss","jti","nbf","ouHandle","ouId","ouName","scope","sub"]' \
    "$(jwt_part "$SCOPED" 2 | jq -c keys_unsorted)"
e2e_eq "exp = iat + 3600, nbf = iat" "3600 0" "$(jwt_part "$SCOPED" 2 | jq -r '"\(.exp - .iat) \(.nbf - .iat)"')"

# A token without the required scope: unheld scopes are dropped silently.
gcurl "https://$THUNDER_HOST:$PORT/oauth2/token" --data-urlencode grant_type=client_credentials \
    --data-urlencode 'scope=booking-api:item:write system' \
    --data-urlencode "client_id=$CLIENT_ID" --data-urlencode "client_secret=$CLIENT_SECRET"
e2e_eq "unheld scopes dropped: 200 without scope" "200 null" "$E2E_STATUS $(jq -r .scope <<<"$E2E_BODY")"
e2e_eq "... and no scope claim" null "$(jwt_part "$(jq -r .access_token <<<"$E2E_BODY")" 2 | jq -r .scope)"

e2e_finish
