# mock_thunder_api.sh - mock-thunder's statuses and error bodies: bearer checks, token endpoint
# errors (spec §8), management validation and codes (spec §3-§7), pagination, 404/405/413,
# malformed input that changes nothing, introspection, strict client authentication, --http.
set -u
. "$SRC_DIR/tests/e2e/lib.sh"
. "$SRC_DIR/tests/e2e/mock_thunder_lib.sh"

mt_start mt --port "$(e2e_ports 1)" --data-dir data || exit 1
CA="$E2E_WORK/data/tls-cert.pem"
ADMIN=$(mt_token "$CA" "$MT_ADMIN_ID" "$MT_ADMIN_SECRET" system)

# api METHOD PATH [JSON]: a management call with the admin token (trusting the cert via --cacert).
api() {
    local args=(--cacert "$CA" -X "$1" -H "Authorization: Bearer $ADMIN")
    [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
    e2e_curl "${args[@]}" "$MT_URL$2"
}
# expect NAME STATUS [CODE]: checks the last status and the error body's code.
expect() {
    if [ $# -ge 3 ]; then
        e2e_eq "$1" "$2 $3" "$E2E_STATUS $(jq -r .code <<<"$E2E_BODY" 2>/dev/null)"
    else
        e2e_eq "$1" "$2" "$E2E_STATUS"
    fi
}
# tok ARGS...: a token request with curl ARGS.
tok() { e2e_curl --cacert "$CA" "$MT_URL/oauth2/token" "$@"; }
oauth_err() { e2e_eq "$1" "$2 $3" "$E2E_STATUS $(jq -r .error <<<"$E2E_BODY")"; }

# ---- bearer checks (before routing, as the real middleware) ----
e2e_curl --cacert "$CA" "$MT_URL/roles"
expect "no token: 401" 401 AUTH-4010
e2e_eq "401 carries WWW-Authenticate: Bearer" Bearer "$(e2e_header WWW-Authenticate)"
e2e_eq "401 body" '{"code":"AUTH-4010","message":{"key":"error.auth.unauthorized","defaultValue":"Unauthorized"},"description":{"key":"error.auth.unauthorized_description","defaultValue":"Authentication is required to access this resource"}}' "${E2E_BODY%$'\n'}"
e2e_curl --cacert "$CA" -H 'Authorization: Bearer not.a.jwt' "$MT_URL/roles"
expect "garbage token: 401" 401 AUTH-4010
e2e_curl --cacert "$CA" "$MT_URL/no/such/route"
expect "unknown route without token: 401 (auth runs first)" 401 AUTH-4010
# flip a character well inside the signature: the last one also carries unused bits, which a
# lenient base64 decoder (openssl's) ignores
c=${ADMIN: -10:1}
TAMPERED="${ADMIN:0:${#ADMIN}-10}$([ "$c" = A ] && echo B || echo A)${ADMIN: -9}"
e2e_curl --cacert "$CA" -H "Authorization: Bearer $TAMPERED" "$MT_URL/roles"
expect "tampered signature: 401" 401 AUTH-4010
JWKS=$(curl -s --cacert "$CA" "$MT_URL/oauth2/jwks")
if jwt_verify_openssl "$TAMPERED" "$JWKS" 2>/dev/null; then e2e_fail "openssl rejects the tampered token"; else e2e_pass "openssl rejects the tampered token"; fi
if jwt_verify_openssl "$ADMIN" "$JWKS"; then e2e_pass "openssl accepts the admin token"; else e2e_fail "openssl accepts the admin token"; fi
NOSCOPE=$(mt_token "$CA" "$MT_ADMIN_ID" "$MT_ADMIN_SECRET")
e2e_curl --cacert "$CA" -H "Authorization: Bearer $NOSCOPE" "$MT_URL/roles"
expect "token without system: 403" 403 AUTH-4030
e2e_contains "403 message" '"defaultValue":"Forbidden"' "${E2E_BODY%$'\n'}"

# ---- routing ----
api GET /no/such/route
e2e_eq "unknown route: Go's 404" "404|404 page not found" "$E2E_STATUS|${E2E_BODY%$'\n'}"
api GET /api/server/v1/nothing-here
expect "unknown aliased route: 404" 404
api GET /roles/
expect "trailing slash: 404" 404
api DELETE /roles
e2e_eq "wrong method: 405 with Allow" "405|GET, POST|Method Not Allowed" "$E2E_STATUS|$(e2e_header Allow)|${E2E_BODY%$'\n'}"
e2e_curl --cacert "$CA" "$MT_URL/oauth2/token"
e2e_eq "GET /oauth2/token: 405" "405 POST" "$E2E_STATUS $(e2e_header Allow)"
for p in /health/liveness /health/readiness; do
    e2e_curl --cacert "$CA" "$MT_URL$p"
    e2e_eq "$p" '200 UP' "$E2E_STATUS $(jq -r .status <<<"$E2E_BODY")"
done
e2e_curl --cacert "$CA" "$MT_URL/.well-known/oauth-authorization-server"
e2e_eq "discovery endpoints" "$MT_URL|$MT_URL/oauth2/token|$MT_URL/oauth2/jwks|$MT_URL/oauth2/introspect" \
    "$(jq -r '[.issuer,.token_endpoint,.jwks_uri,.introspection_endpoint]|join("|")' <<<"$E2E_BODY")"
e2e_eq "JWKS members" '["kid","kty","use","alg","n","e","x5c","x5t","x5t#S256"]' "$(jq -c '.keys[0]|keys_unsorted' <<<"$JWKS")"
e2e_eq "kid = x5t#S256 = b64url(SHA-256(cert DER))" \
    "$(jq -r '.keys[0].x5c[0]' <<<"$JWKS" | base64 -d | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')" \
    "$(jq -r '.keys[0].kid' <<<"$JWKS")"

# ---- token endpoint errors (spec §8) ----
tok -d grant_type=client_credentials
oauth_err "missing client_id: 400 invalid_request" 400 invalid_request
e2e_eq "error body" '{"error":"invalid_request","error_description":"Missing client_id parameter"}' "${E2E_BODY%$'\n'}"
e2e_eq "errors are no-store too" no-store "$(e2e_header Cache-Control)"
tok -d grant_type=client_credentials -d client_id=nobody -d client_secret=x
oauth_err "unknown client: 401 invalid_client" 401 invalid_client
e2e_eq "no WWW-Authenticate without Basic" "" "$(e2e_header WWW-Authenticate)"
tok -d grant_type=client_credentials -d client_id=$MT_ADMIN_ID -d client_secret=wrong
oauth_err "wrong secret in body: 401" 401 invalid_client
tok -u "$MT_ADMIN_ID:wrong" -d grant_type=client_credentials
oauth_err "wrong secret by Basic: 401" 401 invalid_client
e2e_eq "... with WWW-Authenticate: Basic" Basic "$(e2e_header WWW-Authenticate)"
tok -u "$MT_ADMIN_ID:$MT_ADMIN_SECRET" -d grant_type=client_credentials -d scope=system
e2e_eq "Basic: 200, no-store, no-cache" "200 no-store no-cache system" \
    "$E2E_STATUS $(e2e_header Cache-Control) $(e2e_header Pragma) $(jq -r .scope <<<"$E2E_BODY")"
tok -u "$MT_ADMIN_ID:$MT_ADMIN_SECRET" -d grant_type=client_credentials -d client_secret=x
oauth_err "Basic and body secret: 400" 400 invalid_request
tok -d client_id=$MT_ADMIN_ID -d client_secret=$MT_ADMIN_SECRET
oauth_err "missing grant_type: 400" 400 invalid_request
tok -d grant_type=password -d client_id=$MT_ADMIN_ID -d client_secret=$MT_ADMIN_SECRET
oauth_err "unknown grant: 400 unsupported_grant_type" 400 unsupported_grant_type
tok -d grant_type=authorization_code -d client_id=$MT_ADMIN_ID -d client_secret=$MT_ADMIN_SECRET
oauth_err "grant not allowed for the app: 400 unauthorized_client" 400 unauthorized_client
tok -d grant_type=client_credentials -d client_id=$MT_ADMIN_ID -d client_secret=$MT_ADMIN_SECRET -d resource=https://nowhere
oauth_err "unknown resource: 400 invalid_target" 400 invalid_target
tok -d grant_type=client_credentials -d client_id=$MT_ADMIN_ID -d client_secret=$MT_ADMIN_SECRET -d 'scope=system%zz'
oauth_err "malformed form: 400 invalid_request" 400 invalid_request

# ---- resource servers, resources, actions ----
api GET /resource-servers
BEFORE=$(jq -r .totalResults <<<"$E2E_BODY")
api POST /resource-servers '{"name": "broken"'
expect "malformed JSON: 400" 400 RES-1001
api POST /resource-servers '{"name": 5, "ouId": "'$MT_OU'"}'
expect "wrong type: 400" 400 RES-1001
api POST /resource-servers '[]'
expect "array body: 400" 400 RES-1001
api POST /resource-servers '{"name": "X"}'
expect "missing ouId: 400" 400 RES-1001
api POST /resource-servers '{"name": "X", "ouId": "nope"}'
expect "unknown OU: 400 RES-1010" 400 RES-1010
api POST /resource-servers '{"name": "X", "ouId": "'$MT_OU'", "delimiter": "x"}'
expect "bad delimiter: RES-1015" 400 RES-1015
api POST /resource-servers '{"name": "X", "ouId": "'$MT_OU'", "handle": "bad handle!"}'
expect "bad handle: RES-1016" 400 RES-1016
api POST /resource-servers '{"name": "X", "ouId": "'$MT_OU'", "handle": "a:b"}'
expect "delimiter in server handle: RES-1022" 400 RES-1022
head -c 1100000 /dev/zero | tr '\0' a >"$E2E_WORK/big.json"
e2e_curl --cacert "$CA" -H "Authorization: Bearer $ADMIN" --data-binary @"$E2E_WORK/big.json" "$MT_URL/resource-servers"
expect "body over 1 MiB: 413" 413
api GET /resource-servers
e2e_eq "bad input created nothing" "$BEFORE" "$(jq -r .totalResults <<<"$E2E_BODY")"
api POST /resource-servers '{"name": "Items API", "handle": "booking-api", "identifier": "https://api.example.com/booking", "ouId": "'$MT_OU'"}'
expect "create: 201" 201
RS=$(jq -r .id <<<"$E2E_BODY")
e2e_eq "defaults: type CUSTOM, delimiter :" "CUSTOM :" "$(jq -r '"\(.type) \(.delimiter)"' <<<"$E2E_BODY")"
api POST /resource-servers '{"name": "Items API", "ouId": "'$MT_OU'"}'
expect "duplicate name: 409" 409 RES-1004
api POST /resource-servers '{"name": "Other", "identifier": "https://api.example.com/booking", "ouId": "'$MT_OU'"}'
expect "duplicate identifier: 409" 409 RES-1013
api POST /resource-servers '{"name": "Other", "handle": "booking-api", "ouId": "'$MT_OU'"}'
expect "duplicate handle: 409" 409 RES-1014
api GET /resource-servers/01900000-0000-7000-8000-0000000000ff
expect "unknown server: 404" 404 RES-1003
api PUT /resource-servers/01900000-0000-7000-8000-000000000020 '{"name": "S", "ouId": "'$MT_OU'"}'
expect "System server is read-only" 400 RES-1018
api POST /resource-servers/$RS/resources '{"name": "Items", "handle": "it:em"}'
expect "delimiter in resource handle: RES-1017" 400 RES-1017
api POST /resource-servers/$RS/resources '{"name": "Items", "handle": "item", "parent": "01900000-0000-7000-8000-0000000000ff"}'
expect "unknown parent: RES-1005" 400 RES-1005
api POST /resource-servers/$RS/resources '{"name": "Items", "handle": "item"}'
RES=$(jq -r .id <<<"$E2E_BODY")
api POST /resource-servers/$RS/resources '{"name": "Items again", "handle": "item"}'
expect "duplicate resource handle: 409" 409 RES-1014
api POST /resource-servers/$RS/resources '{"name": "Tags", "handle": "tag", "parent": "'$RES'"}'
e2e_eq "child resource permission" "201 booking-api:item:tag $RES" "$E2E_STATUS $(jq -r '"\(.permission) \(.parent)"' <<<"$E2E_BODY")"
CHILD=$(jq -r .id <<<"$E2E_BODY")
api GET "/resource-servers/$RS/resources"
e2e_eq "list without parentId: top level only" "1 item" "$(jq -r '"\(.totalResults) \(.resources[0].handle)"' <<<"$E2E_BODY")"
api GET "/resource-servers/$RS/resources?parentId=$RES"
e2e_eq "list children by parentId" "1 tag" "$(jq -r '"\(.totalResults) \(.resources[0].handle)"' <<<"$E2E_BODY")"
api POST /resource-servers/$RS/actions '{"name": "Read", "handle": "read"}'
e2e_eq "action on the server: booking-api:read" "201 booking-api:read" "$E2E_STATUS $(jq -r .permission <<<"$E2E_BODY")"
SACT=$(jq -r .id <<<"$E2E_BODY")
api POST /resource-servers/$RS/resources/$RES/actions '{"name": "Read Item", "handle": "read"}'
ACT=$(jq -r .id <<<"$E2E_BODY")
api POST /resource-servers/$RS/resources/$RES/actions '{"name": "Read again", "handle": "read"}'
expect "duplicate action handle: 409" 409 RES-1014
api GET /resource-servers/$RS/resources/$RES/actions/$SACT
expect "server action under a resource: 404" 404 RES-1009
api GET /resource-servers/$RS/resources/01900000-0000-7000-8000-0000000000ff
expect "unknown resource: 404" 404 RES-1008
api PUT /resource-servers/$RS/resources/$RES/actions/$ACT '{"name": "Read an item", "description": "d"}'
e2e_eq "update action: 200, permission kept" "200 Read an item booking-api:item:read" "$E2E_STATUS $(jq -r '"\(.name) \(.permission)"' <<<"$E2E_BODY")"
api DELETE /resource-servers/$RS/resources/$RES
expect "delete resource with children: 400" 400 RES-1006
api DELETE /resource-servers/$RS
expect "delete server with resources: 400" 400 RES-1006
api DELETE /resource-servers/$RS/resources/$CHILD
expect "delete leaf resource: 204" 204

# ---- roles and assignments ----
api POST /roles '{"name": "R", "ouId": "'$MT_OU'", "permissions": [{"resourceServerId": "'$RS'", "permissions": ["booking-api:item:nope"]}]}'
expect "unknown permission: 400 ROL-1012" 400 ROL-1012
api POST /roles '{"name": "R", "ouId": "nope"}'
expect "unknown OU: 400 ROL-1005" 400 ROL-1005
api POST /roles '{"ouId": "'$MT_OU'"}'
expect "missing name: 400 ROL-1001" 400 ROL-1001
api POST /roles '{"name": "Reader", "ouId": "'$MT_OU'", "permissions": [{"resourceServerId": "'$RS'", "permissions": ["booking-api:item:read", "booking-api:item"]}]}'
e2e_eq "role: resource and action permissions accepted" 201 "$E2E_STATUS"
ROLE=$(jq -r .id <<<"$E2E_BODY")
api POST /roles '{"name": "Reader", "ouId": "'$MT_OU'"}'
expect "duplicate role name in the OU: 409" 409 ROL-1004
api POST /roles '{"name": "Empty", "ouId": "'$MT_OU'"}'
e2e_eq "role without permissions: null" "201 null" "$E2E_STATUS $(jq -c .permissions <<<"$E2E_BODY")"
api POST /applications '{"name": "svc", "ouId": "'$MT_OU'", "inboundAuthConfig": [{"type": "oauth2", "config": {"clientId": "svc-client", "clientSecret": "svc-secret", "grantTypes": ["client_credentials"], "tokenEndpointAuthMethod": "client_secret_post"}}]}'
e2e_eq "app with given credentials: 201" "201 svc-client svc-secret" "$E2E_STATUS $(jq -r '"\(.clientId) \(.inboundAuthConfig[0].config.clientSecret)"' <<<"$E2E_BODY")"
APP=$(jq -r .id <<<"$E2E_BODY")
api POST /applications/$APP/roles '{"roles": ["01900000-0000-7000-8000-0000000000ff"]}'
expect "assign unknown role: 400 ROL-1007" 400 ROL-1007
api POST /applications/01900000-0000-7000-8000-0000000000ff/roles '{"roles": ["'$ROLE'"]}'
expect "assign to unknown app: 404 APP-1001" 404 APP-1001
api POST /roles/$ROLE/assignments/add '{"assignments": []}'
expect "empty assignments: ROL-1010" 400 ROL-1010
api POST /roles/$ROLE/assignments/add '{"assignments": [{"id": "'$APP'", "type": "robot"}]}'
expect "bad assignee type: ROL-1016" 400 ROL-1016
api POST /roles/$ROLE/assignments/add '{"assignments": [{"id": "01900000-0000-7000-8000-0000000000ff", "type": "app"}]}'
expect "unknown assignee: ROL-1007" 400 ROL-1007
api POST /roles/$ROLE/assignments/add '{"assignments": [{"id": "'$APP'", "type": "app"}]}'
expect "real-server assignment call: 204" 204
tok -d grant_type=client_credentials -d client_id=svc-client -d client_secret=svc-secret \
    --data-urlencode 'scope=booking-api:item:read system booking-api:item booking-api:item:read'
e2e_eq "scope filtering keeps held scopes in request order, once" "booking-api:item:read booking-api:item" "$(jq -r .scope <<<"$E2E_BODY")"
SVC=$(jq -r .access_token <<<"$E2E_BODY")
tok -u svc-client:svc-secret -d grant_type=client_credentials -d resource=https://api.example.com/booking -d scope=booking-api:item
e2e_eq "Basic accepted for a post client (lenient); resource sets aud" "200 https://api.example.com/booking" \
    "$E2E_STATUS $(jwt_part "$(jq -r .access_token <<<"$E2E_BODY")" 2 | jq -r .aud)"
api GET "/roles/$ROLE/assignments?include=display"
e2e_eq "assignment display name" "svc app" "$(jq -r '.assignments[0] | "\(.display) \(.type)"' <<<"$E2E_BODY")"
api DELETE /roles/$ROLE
expect "delete assigned role: 400 ROL-1006" 400 ROL-1006
api POST /roles/$ROLE/assignments/remove '{"assignments": [{"id": "'$APP'", "type": "app"}]}'
expect "remove assignment: 204" 204
api DELETE /roles/$ROLE
expect "delete role: 204" 204
api GET /roles/$ROLE
expect "deleted role: 404" 404 ROL-1003

# ---- pagination ----
for i in 1 2 3 4 5; do api POST /roles '{"name": "P'$i'", "ouId": "'$MT_OU'"}'; done
api GET "/roles?limit=2&offset=2"
e2e_eq "page: totalResults startIndex count" "7 3 2" "$(jq -r '"\(.totalResults) \(.startIndex) \(.count)"' <<<"$E2E_BODY")"
e2e_eq "page links" '[{"href":"/roles?offset=0&limit=2","rel":"first"},{"href":"/roles?offset=0&limit=2","rel":"prev"},{"href":"/roles?offset=4&limit=2","rel":"next"},{"href":"/roles?offset=6&limit=2","rel":"last"}]' "$(jq -c .links <<<"$E2E_BODY")"
api GET "/api/server/v1/roles?limit=100"
e2e_eq "one page: links []" "7 []" "$(jq -r '"\(.count) \(.links|tostring)"' <<<"$E2E_BODY")"
api GET "/roles?limit=0"
expect "limit 0: ROL-1008" 400 ROL-1008
api GET "/roles?limit=101"
expect "limit 101: ROL-1008" 400 ROL-1008
api GET "/resource-servers?offset=-1"
expect "negative offset: RES-1012" 400 RES-1012
api GET "/organization-units?limit=x"
expect "OU limit x: OU-1010" 400 OU-1010

# ---- applications ----
api POST /applications '{"name": "svc", "ouId": "'$MT_OU'"}'
expect "duplicate app name: 400 APP-1020" 400 APP-1020
api POST /applications '{"name": "svc2", "ouId": "'$MT_OU'", "inboundAuthConfig": [{"type": "oauth2", "config": {"clientId": "svc-client"}}]}'
expect "duplicate client id: 400 APP-1021" 400 APP-1021
api POST /applications '{"name": "svc2"}'
expect "missing ouId: 400 APP-1018" 400 APP-1018
api POST /applications '{"name": "svc2", "ouId": "'$MT_OU'", "inboundAuthConfig": [{"type": "oauth2", "config": {"grantTypes": ["magic"]}}]}'
expect "bad grant type: APP-1010" 400 APP-1010
api POST /applications '{"name": "svc2", "ouId": "'$MT_OU'", "inboundAuthConfig": [{"type": "oauth2", "config": {"tokenEndpointAuthMethod": "magic"}}]}'
expect "bad auth method: APP-1013" 400 APP-1013
api GET /applications/$APP
e2e_eq "reads never show the secret" "200 null" "$E2E_STATUS $(jq -r '.inboundAuthConfig[0].config.clientSecret' <<<"$E2E_BODY")"
api GET /applications/01900000-0000-7000-8000-0000000000ff
expect "unknown app: 404 APP-1001" 404 APP-1001

# ---- organization units ----
api POST /organization-units '{"handle": "eng", "name": "Engineering", "parent": "'$MT_OU'"}'
expect "create OU: 201" 201
OU2=$(jq -r .id <<<"$E2E_BODY")
api POST /organization-units '{"handle": "eng", "name": "Other", "parent": "'$MT_OU'"}'
expect "duplicate OU handle: 409" 409 OU-1008
api POST /organization-units '{"handle": "eng2", "name": "Engineering", "parent": "'$MT_OU'"}'
expect "duplicate OU name: 409" 409 OU-1004
api GET /organization-units/tree/default/eng
e2e_eq "tree path" "200 $OU2" "$E2E_STATUS $(jq -r .id <<<"$E2E_BODY")"
api GET /organization-units/$MT_OU/ous
e2e_eq "child OUs" "1 eng" "$(jq -r '"\(.totalResults) \(.organizationUnits[0].handle)"' <<<"$E2E_BODY")"
api DELETE /organization-units/$MT_OU
expect "default OU is read-only" 400 OU-1012
api GET /organization-units/01900000-0000-7000-8000-0000000000ff
expect "unknown OU: 404" 404 OU-1003
api DELETE /organization-units/$OU2
expect "delete OU: 204" 204

# ---- introspection ----
e2e_curl --cacert "$CA" "$MT_URL/oauth2/introspect" -u svc-client:svc-secret --data-urlencode "token=$SVC"
e2e_eq "introspect valid token" "200 true svc-client Bearer booking-api:item:read booking-api:item" \
    "$E2E_STATUS $(jq -r '"\(.active) \(.client_id) \(.token_type) \(.scope)"' <<<"$E2E_BODY")"
e2e_curl --cacert "$CA" "$MT_URL/oauth2/introspect" -u svc-client:svc-secret --data-urlencode "token=$TAMPERED"
e2e_eq "introspect bad token" '200 {"active":false}' "$E2E_STATUS ${E2E_BODY%$'\n'}"
e2e_curl --cacert "$CA" "$MT_URL/oauth2/introspect" -u svc-client:svc-secret -d x=1
oauth_err "introspect without token" 400 invalid_request
e2e_curl --cacert "$CA" "$MT_URL/oauth2/introspect" --data-urlencode "token=$SVC"
oauth_err "introspect without client authentication" 400 invalid_request
api DELETE /applications/$APP
expect "delete app: 204" 204
e2e_curl --cacert "$CA" -H "Authorization: Bearer $SVC" "$MT_URL/roles"
expect "token of a deleted app: 401" 401 AUTH-4010

# ---- strict client authentication, plain HTTP, in memory ----
mt_start strict --port 0 --http --ephemeral --strict-client-auth || exit 1
e2e_curl "$MT_URL/oauth2/token" -d grant_type=client_credentials -d client_id=$MT_ADMIN_ID -d client_secret=$MT_ADMIN_SECRET
oauth_err "strict: form-body credentials for a Basic client: 400 unauthorized_client" 400 unauthorized_client
e2e_curl "$MT_URL/oauth2/token" -u "$MT_ADMIN_ID:$MT_ADMIN_SECRET" -d grant_type=client_credentials -d scope=system
e2e_eq "strict: Basic works; --http issuer" "200 http://localhost:$MT_PORT" "$E2E_STATUS $(jwt_part "$(jq -r .access_token <<<"$E2E_BODY")" 2 | jq -r .iss)"
e2e_eq "--ephemeral writes nothing" "" "$(ls "$E2E_WORK" | grep -v -e '\.log$' -e '^data$' -e '^jwt\.' -e '^big.json$' -e '^last.headers$')"

# ---- --seed ----
mt_start seeded --port 0 --http --ephemeral --seed "$SRC_DIR/tests/data/mock-thunder/seed-guide.json" || exit 1
e2e_contains "--seed logs what it created, by kind and name" \
    'seed-guide.json: created 1 organization unit(s), 1 resource server(s) ("Items API"), 1 resource(s), 2 action(s), 1 role(s) ("Booking API Reader"), 1 application(s) ("Items client")' \
    "$(cat "$E2E_WORK/seeded.log")"
e2e_curl "$MT_URL/oauth2/token" -d grant_type=client_credentials -d client_id=items-client \
    -d client_secret=items-secret --data-urlencode 'scope=booking-api:item:read booking-api:item:write'
e2e_eq "seeded app: role, validity and OU" "200 booking-api:item:read 900 eng" \
    "$E2E_STATUS $(jq -r '"\(.scope) \(.expires_in)"' <<<"$E2E_BODY") $(jwt_part "$(jq -r .access_token <<<"$E2E_BODY")" 2 | jq -r .ouHandle)"
printf '{"roles":[{"name":"x","permissions":["no:such"]}]}' >"$E2E_WORK/bad-seed.json"
OUT=$("$MT_BIN" --port 0 --http --ephemeral --seed "$E2E_WORK/bad-seed.json" 2>&1)
e2e_eq "bad seed: exit 1" 1 $?
e2e_contains "... naming file and entry" "bad-seed.json: roles[0].permissions[0]" "$OUT"
# a second start on the same data with the same seed creates nothing, and says so
SEED="$SRC_DIR/tests/data/mock-thunder/seed-guide.json"
mt_start seed1 --port 0 --http --data-dir "$E2E_WORK/seeddata" --seed "$SEED" || exit 1
kill "$MT_PID" && wait "$MT_PID" 2>/dev/null
mt_start seed2 --port 0 --http --data-dir "$E2E_WORK/seeddata" --seed "$SEED" || exit 1
e2e_contains "--seed again: nothing created, and it says so" \
    "seed-guide.json: nothing to create, every entity it names exists already" \
    "$(cat "$E2E_WORK/seed2.log")"

e2e_finish
