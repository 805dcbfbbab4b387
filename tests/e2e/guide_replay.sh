#!/usr/bin/env bash
# guide_replay.sh - walks the guide "Protect APIs on KrakenD with ThunderID" from top to bottom
# against our three programs, with only host, port, ids and secrets filled in. A difference
# between the guide and our programs is a failing check.
#
#   guide_replay.sh plain     # as the guide says (JWKS over HTTPS, disable_jwk_security: true)
#   guide_replay.sh verified  # JWKS certificate verified (jwk_local_ca, no disable_jwk_security)
#   guide_replay.sh restart   # mock-thunder restarted mid-guide: state and keys kept
#   guide_replay.sh rotate    # signing key rotated between two tokens
#
# Two sources for the steps. Where the guide's text is here (guide/ in $GW_SHARED_DIR if that is
# set, even empty, else in $SHARED_DIR), its own curl commands and krakend.json files run as
# written, after a check that each agrees with the project's description of the steps,
# tests/data/guide/steps.json. Elsewhere (a public clone: the project carries no copy of the
# guide) the commands and configs are built from that description. Both run the same checks.
#
# The guide's "Try It Out" calls carry no body, so curl sends GET, which KrakenD answers with 405
# on a POST endpoint; the guide means POST without a body. They are replayed with -X POST, and the
# literal GET is checked to give 405.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/guide_extract.sh"

MODE=${1:-plain}
STEPS=$(cd "$here/.." && pwd)/data/guide/steps.json
SHARED=${GW_SHARED_DIR-${SHARED_DIR:-}}
GUIDE=${SHARED:+$SHARED/guide/protect-apis-on-krakend-with-thunderid.txt}

# agree NAME GUIDE OURS: a check that two JSON texts are equal as values; a failure names the
# paths where they differ (the first 8), with both values.
agree() {
    local diff
    local -a lines
    if [ -n "$2" ] && [ "$(jq -cS . <<<"$2")" = "$(jq -cS . <<<"$3")" ]; then
        e2e_pass "$1"
        return
    fi
    diff=$(jq -nr --argjson g "${2:-null}" --argjson o "${3:-null}" '
        def at($p): try getpath($p) catch null;
        [$g, $o | paths(type != "object" and type != "array" or length == 0)] | unique[] as $p
        | select(($g | at($p)) != ($o | at($p)))
        | "\($p | map(tostring) | join(".")): guide \($g | at($p) | tojson), ours \($o | at($p) | tojson)"
        ' 2>&1)
    mapfile -t lines < <(head -n 8 <<<"${diff:-not read as JSON (see above)}")
    e2e_fail "$1" "${lines[@]}"
}

# check_description: one check per step and per config that the project's description says
# what the guide's text says (curl commands read into step records, configs compared as JSON).
check_description() {
    local i name
    e2e_eq "the project's description has as many steps and configs as the guide" \
        "${#CURLS[@]} ${#CONFIGS[@]}" "$(jq -r '"\(.steps | length) \(.configs | length)"' "$STEPS")"
    for ((i = 0; i < ${#CURLS[@]}; i++)); do
        name=$(jq -r ".steps[$i].step // \"missing\"" "$STEPS")
        agree "the project's description of step $((i + 1)) ($name) matches the guide" \
            "$(guide_curl_step "${CURLS[i]}")" "$(jq ".steps[$i] | del(.step)" "$STEPS")"
    done
    for ((i = 0; i < ${#CONFIGS[@]}; i++)); do
        agree "the project's description of krakend.json $((i + 1)) matches the guide" \
            "${CONFIGS[i]}" "$(jq ".configs[$i]" "$STEPS")"
    done
}

# check_built: the commands built from the description read back as it (guide_curl_step is the
# builder's inverse), so a step the builder drops or mangles is a failing check.
check_built() {
    local i bad=""
    for ((i = 0; i < ${#CURLS[@]}; i++)); do
        [ "$(guide_curl_step "${CURLS[i]}" | jq -cS .)" = "$(jq -cS ".steps[$i] | del(.step)" "$STEPS")" ] ||
            bad+=" $((i + 1))"
    done
    if [ -z "$bad" ]; then e2e_pass "the commands built from the project's description read back as it"
    else e2e_fail "the commands built from the project's description read back as it" "steps:$bad"; fi
}

HAVE_GUIDE=0
[ -n "$GUIDE" ] && [ -f "$GUIDE" ] && HAVE_GUIDE=1
if [ $HAVE_GUIDE = 1 ]; then
    SOURCE="the guide ($GUIDE)"
    mapfile -d '' CURLS < <(guide_curls "$GUIDE")
    mapfile -d '' CONFIGS < <(guide_configs "$GUIDE")
else
    if [ -n "$GUIDE" ]; then where=$GUIDE
    elif [ -n "${GW_SHARED_DIR+set}" ]; then where="GW_SHARED_DIR is empty"
    else where="no shared directory configured"; fi
    echo "# The guide's text is not here ($where); the replay runs the project's own" \
        "description of its steps ($STEPS)"
    SOURCE="the project's description ($STEPS)"
    mapfile -d '' CURLS < <(steps_curls "$STEPS")
    mapfile -d '' CONFIGS < <(steps_configs "$STEPS")
fi
if [ ${#CURLS[@]} -ne 13 ] || [ ${#CONFIGS[@]} -ne 3 ]; then
    e2e_fail "steps read" "expected 13 curl commands and 3 krakend.json files in $SOURCE," \
        "found ${#CURLS[@]} and ${#CONFIGS[@]}"
    e2e_finish
    exit 1
fi
# The steps, by position (the guide's order).
C_TOKEN=0 C_FIRST=1 C_NOTOKEN=2 C_WITHTOKEN=3 C_ADMIN=4 C_RS=5 C_RES=6 C_ACTION=7 C_ROLE=8
C_ASSIGN=9 C_SCOPED=10 C_CALL_SCOPED=11 C_CALL_UNSCOPED=12

read -r MT_PORT MB_PORT GW_PORT < <(e2e_ports 3 | tr '\n' ' ')
ADMIN_CLIENT_ID=replay-admin
ADMIN_CLIENT_SECRET=replay-admin-secret
THUNDER_DATA=$E2E_WORK/thunder
THUNDER_CERT=$THUNDER_DATA/${THUNDER_CERT_NAME:-tls-cert.pem}
export CURL_CA_BUNDLE=$THUNDER_CERT # curl trusts mock-thunder's certificate, the guide's commands unchanged
VERSION=$("$BIN_DIR/gateway" version 2>&1 | head -n1 | sed 's/.*: *//')

# Values the guide leaves to the reader; filled in as the walk goes.
CLIENT_ID="" CLIENT_SECRET="" OU_ID="" RESOURCE_SERVER_ID="" RESOURCE_ID="" APP_ID="" ROLE_ID=""
ACCESS_TOKEN="" TOKEN_WITHOUT_REQUIRED_SCOPE="" MGMT_TOKEN=""

fill() {
    local s=$1
    s=${s//<THUNDER_HOST>/localhost}
    s=${s//<THUNDER_PORT>/$MT_PORT}
    s=${s//localhost:8090/localhost:$MT_PORT}
    s=${s//localhost:8082/localhost:$GW_PORT}
    s=${s//\"port\": 8082/\"port\": $GW_PORT}
    s=${s//localhost:8081/localhost:$MB_PORT}
    s=${s//<ADMIN_CLIENT_ID>/$ADMIN_CLIENT_ID}
    s=${s//<ADMIN_CLIENT_SECRET>/$ADMIN_CLIENT_SECRET}
    s=${s//<CLIENT_ID>/$CLIENT_ID}
    s=${s//<CLIENT_SECRET>/$CLIENT_SECRET}
    s=${s//<OU_ID>/$OU_ID}
    s=${s//<RESOURCE_SERVER_ID>/$RESOURCE_SERVER_ID}
    s=${s//<RESOURCE_ID>/$RESOURCE_ID}
    s=${s//<APP_ID>/$APP_ID}
    s=${s//<ROLE_ID>/$ROLE_ID}
    s=${s//<ACCESS_TOKEN>/$ACCESS_TOKEN}
    s=${s//<TOKEN_WITHOUT_REQUIRED_SCOPE>/$TOKEN_WITHOUT_REQUIRED_SCOPE}
    s=${s//<MGMT_TOKEN>/$MGMT_TOKEN} # the description's; the guide's text has "$MGMT_TOKEN"
    printf '%s' "$s"
}

# guide_curl INDEX [EXTRA CURL ARGS]: runs the step's curl command; sets E2E_STATUS and E2E_BODY.
guide_curl() {
    local cmd
    cmd=$(fill "${CURLS[$1]}")
    shift
    case $cmd in *'<'[A-Z_]*'>'*) e2e_fail "placeholder left unfilled" "$cmd" ;; esac
    E2E_STATUS=$(eval "$cmd -sS -o \"\$E2E_WORK/guide.body\" -w '%{http_code}' --max-time 20 $*")
    E2E_BODY=$(cat "$E2E_WORK/guide.body" 2>/dev/null)
}

json_eq() { # json_eq NAME EXPECTED ACTUAL: equal as JSON values
    if [ "$(jq -cS . <<<"$2" 2>/dev/null)" = "$(jq -cS . <<<"$3" 2>/dev/null)" ] && [ -n "$3" ]; then
        e2e_pass "$1"
    else
        e2e_fail "$1" "expected JSON: $2" "actual: $3"
    fi
}

start_thunder() {
    e2e_start mock-thunder "$BIN_DIR/mock-thunder" --port "$MT_PORT" --bind 127.0.0.1 \
        --data-dir "$THUNDER_DATA" --admin-client-id "$ADMIN_CLIENT_ID" \
        --admin-client-secret "$ADMIN_CLIENT_SECRET"
    MT_PID=$E2E_LAST_PID
    e2e_wait_http "https://localhost:$MT_PORT/health/readiness" 20 -k || true
}

# start_gateway N: writes the guide's N-th krakend.json (0-based) and runs `krakend run -c` on it.
start_gateway() {
    local cfg=$E2E_WORK/krakend-$1.json
    fill "${CONFIGS[$1]}" >"$cfg"
    if [ "$MODE" = verified ]; then
        jq --arg ca "$THUNDER_CERT" '(.endpoints[].extra_config["auth/validator"] // empty) |=
            (del(.disable_jwk_security) + {jwk_local_ca: $ca})' "$cfg" >"$cfg.tmp" && mv "$cfg.tmp" "$cfg"
    fi
    e2e_start "gateway-$1" "$BIN_DIR/krakend" run -c "$cfg"
    GW_PID=$E2E_LAST_PID
    GW_LOG=$E2E_WORK/gateway-$1.log
    e2e_wait_http "http://localhost:$GW_PORT/__health" 20 || true
}

# The validator fetches keys in the background: give it a moment to have them.
wait_keys() {
    local end=$((SECONDS + 10))
    while [ $SECONDS -lt $end ]; do
        local s
        s=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://localhost:$GW_PORT/api/items" \
            -H "Authorization: Bearer $1" -H 'Content-Type: application/json')
        [ "$s" = 401 ] || return 0
        sleep 0.2
    done
}

if [ $HAVE_GUIDE = 1 ]; then check_description; else check_built; fi

e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB_PORT" --bind 127.0.0.1
e2e_wait_http "http://localhost:$MB_PORT/__echo/" 10
start_thunder

# ---- JWT Authentication ------------------------------------------------------------------
echo "# First krakend.json (no auth) and its curl"
start_gateway 0
log_has() { if grep -qF -- "$2" "$GW_LOG"; then e2e_pass "$1"; else e2e_fail "$1" "missing log line: $2"; fi; }
log_has "log: Starting KrakenD" "KRAKEND INFO: Starting KrakenD v$VERSION"
log_has "log: Listening on port" "KRAKEND INFO: [SERVICE: Gin] Listening on port: $GW_PORT"
guide_curl $C_FIRST
e2e_eq "first curl through the gateway: status" 200 "$E2E_STATUS"
json_eq "first curl through the gateway: the created Widget" \
    '{"id":10,"name":"Widget","description":"A test item"}' "$E2E_BODY"
e2e_stop "$GW_PID"

echo "# Management token (needed to create the application, the guide's console step)"
guide_curl $C_ADMIN
e2e_eq "admin token: status" 200 "$E2E_STATUS"
MGMT_TOKEN=$(jq -r '.access_token // empty' <<<"$E2E_BODY")
e2e_eq "admin token: scope" system "$(jq -r '.scope // empty' <<<"$E2E_BODY")"

e2e_curl "https://localhost:$MT_PORT/organization-units" -H "Authorization: Bearer $MGMT_TOKEN"
OU_ID=$(jq -r '.organizationUnits[]? | select(.handle=="default") | .id' <<<"$E2E_BODY")
e2e_eq "default organization unit" 01900000-0000-7000-8000-000000000001 "$OU_ID"

echo "# Create an Application (Backend Service)"
e2e_curl "https://localhost:$MT_PORT/applications" -H "Authorization: Bearer $MGMT_TOKEN" \
    -H 'Content-Type: application/json' --data "{\"name\":\"Guide App\",\"ouId\":\"$OU_ID\",
    \"inboundAuthConfig\":[{\"type\":\"oauth2\",\"config\":{\"grantTypes\":[\"client_credentials\"],
    \"tokenEndpointAuthMethod\":\"client_secret_basic\",\"pkceRequired\":false,\"publicClient\":false}}]}"
e2e_eq "create application: status" 201 "$E2E_STATUS"
APP_ID=$(jq -r '.id // empty' <<<"$E2E_BODY")
CLIENT_ID=$(jq -r '.inboundAuthConfig[0].config.clientId // empty' <<<"$E2E_BODY")
CLIENT_SECRET=$(jq -r '.inboundAuthConfig[0].config.clientSecret // empty' <<<"$E2E_BODY")
e2e_eq "create application: clientId at the top level" "$CLIENT_ID" "$(jq -r '.clientId // empty' <<<"$E2E_BODY")"
e2e_eq "create application: generated secret length" 43 "${#CLIENT_SECRET}"

echo "# Obtain an Access Token"
guide_curl $C_TOKEN
e2e_eq "client credentials token: status" 200 "$E2E_STATUS"
ACCESS_TOKEN=$(jq -r '.access_token // empty' <<<"$E2E_BODY")
e2e_eq "client credentials token: token_type" Bearer "$(jq -r .token_type <<<"$E2E_BODY")"
e2e_eq "client credentials token: expires_in" 3600 "$(jq -r .expires_in <<<"$E2E_BODY")"

echo "# Add JWT Authentication (second krakend.json)"
start_gateway 1
log_has "log: Validator enabled" "KRAKEND DEBUG: [ENDPOINT: /api/items][JWTValidator] Validator enabled for this endpoint"
wait_keys "$ACCESS_TOKEN"
guide_curl $C_NOTOKEN
e2e_eq "Try It Out as written (GET): 405 as KrakenD" 405 "$E2E_STATUS"
guide_curl $C_NOTOKEN -X POST
e2e_eq "request without a token: 401" 401 "$E2E_STATUS"
e2e_eq "request without a token: empty body" "" "$E2E_BODY"
guide_curl $C_WITHTOKEN -X POST
e2e_eq "request with a valid token: 200" 200 "$E2E_STATUS"
json_eq "request with a valid token: the guide's response" \
    '{"id": 10, "name": "Widget", "description": "A test item"}' "$E2E_BODY"
e2e_stop "$GW_PID"

# ---- Scope-Based Authorization -------------------------------------------------------------
echo "# Resource server, resource, action, role, assignment (the guide's paths)"
guide_curl $C_RS
e2e_eq "create resource server: status" 201 "$E2E_STATUS"
RESOURCE_SERVER_ID=$(jq -r '.id // empty' <<<"$E2E_BODY")
guide_curl $C_RES
e2e_eq "create resource: status" 201 "$E2E_STATUS"
RESOURCE_ID=$(jq -r '.id // empty' <<<"$E2E_BODY")
guide_curl $C_ACTION
e2e_eq "create action: status" 201 "$E2E_STATUS"
e2e_eq "create action: permission" booking-api:item:read "$(jq -r '.permission // empty' <<<"$E2E_BODY")"
e2e_eq "create action: fields" '["description","handle","id","name","permission"]' \
    "$(jq -c 'keys' <<<"$E2E_BODY")"
guide_curl $C_ROLE
e2e_eq "create role: status" 201 "$E2E_STATUS"
ROLE_ID=$(jq -r '.id // empty' <<<"$E2E_BODY")
guide_curl $C_ASSIGN
e2e_eq "assign role to application: status" 204 "$E2E_STATUS"

if [ "$MODE" = restart ]; then
    echo "# mock-thunder restarted: state and keys must survive"
    guide_curl $C_SCOPED
    PRE_RESTART_TOKEN=$(jq -r '.access_token // empty' <<<"$E2E_BODY")
    OLD_JWKS=$(curl -s "https://localhost:$MT_PORT/oauth2/jwks")
    e2e_stop "$MT_PID"
    start_thunder
    e2e_eq "restart: same JWKS" "$OLD_JWKS" "$(curl -s "https://localhost:$MT_PORT/oauth2/jwks")"
fi

echo "# Third krakend.json (scopes)"
start_gateway 2
guide_curl $C_SCOPED
e2e_eq "scoped token: status" 200 "$E2E_STATUS"
e2e_eq "scoped token: the response shows the scope" booking-api:item:read \
    "$(jq -r '.scope // empty' <<<"$E2E_BODY")"
json_eq "scoped token: response fields" '["access_token","expires_in","scope","token_type"]' \
    "$(jq -c 'keys' <<<"$E2E_BODY")"
ACCESS_TOKEN=$(jq -r '.access_token // empty' <<<"$E2E_BODY")
guide_curl $C_TOKEN # the first token request again: no scope asked, none granted
TOKEN_WITHOUT_REQUIRED_SCOPE=$(jq -r '.access_token // empty' <<<"$E2E_BODY")
e2e_eq "token without scope: no scope field" "" "$(jq -r '.scope // empty' <<<"$E2E_BODY")"

wait_keys "$ACCESS_TOKEN"
if [ "$MODE" = rotate ]; then
    echo "# key rotation between two tokens"
    FIRST_TOKEN=$ACCESS_TOKEN
    e2e_curl -X POST "https://localhost:$MT_PORT/${THUNDER_ROTATE_PATH:-admin/keys/rotate}" \
        -H "Authorization: Bearer $MGMT_TOKEN"
    e2e_eq "rotate: status" 200 "$E2E_STATUS"
    guide_curl $C_SCOPED
    ACCESS_TOKEN=$(jq -r '.access_token // empty' <<<"$E2E_BODY")
    kid() { cut -d. -f1 <<<"$1" | tr '_-' '/+' | base64 -d 2>/dev/null | jq -r .kid; }
    if [ "$(kid "$FIRST_TOKEN")" != "$(kid "$ACCESS_TOKEN")" ]; then e2e_pass "rotate: new kid"; else e2e_fail "rotate: new kid"; fi
    e2e_curl -X POST "http://localhost:$GW_PORT/api/items" -H "Authorization: Bearer $FIRST_TOKEN" \
        -H 'Content-Type: application/json'
    e2e_eq "rotate: token of the old key still accepted" 200 "$E2E_STATUS"
fi

guide_curl $C_CALL_SCOPED -X POST
e2e_eq "token with the required scope: 200" 200 "$E2E_STATUS"
json_eq "token with the required scope: the guide's response" \
    '{"id": 10, "name": "Widget", "description": "A test item"}' "$E2E_BODY"
guide_curl $C_CALL_UNSCOPED -X POST
e2e_eq "token missing the required scope: 403" 403 "$E2E_STATUS"
e2e_eq "token missing the required scope: empty body" "" "$E2E_BODY"
guide_curl $C_NOTOKEN -X POST
e2e_eq "no token on the scoped endpoint: 401" 401 "$E2E_STATUS"

if [ "$MODE" = restart ]; then
    echo "# a token issued before the restart"
    e2e_curl -X POST "http://localhost:$GW_PORT/api/items" -H "Authorization: Bearer $PRE_RESTART_TOKEN" \
        -H 'Content-Type: application/json'
    e2e_eq "token issued before the restart still accepted" 200 "$E2E_STATUS"
fi

if e2e_stop "$GW_PID"; then e2e_pass "gateway exits 0 on SIGTERM"; else e2e_fail "gateway exits 0 on SIGTERM"; fi
e2e_finish
