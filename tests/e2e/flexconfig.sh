#!/usr/bin/env bash
# flexconfig.sh - `krakend run` serving a flexible-configuration project (tests/data/flexible/serve:
# settings, partials, a sub-template, env) against mock-backend; and the auth/validater regression
# at run time: the misspelt endpoint starts and answers without a token (as in KrakenD) with an
# ERROR at startup, and --strict / KRAKEND_STRICT=1 refuse to start.
set -u
. "$(dirname "$0")/lib.sh"

KRAKEND="$BIN_DIR/krakend"
PROJECT="$SRC_DIR/tests/data/flexible/serve"
for v in $(env | sed -n 's/^\(\(KRAKEND\|FC\)_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done

read -r MB_PORT GW_PORT GW_PORT2 < <(e2e_ports 3 | tr '\n' ' ')
e2e_start mb "$BIN_DIR/mock-backend" --port "$MB_PORT" --quiet
e2e_wait_http "http://127.0.0.1:$MB_PORT/api/items" 10

# ---- a template project served ----
cd "$PROJECT" || exit 1
e2e_start gw env FC_ENABLE=1 FC_SETTINGS=settings FC_PARTIALS=partials FC_TEMPLATES=templates \
    FC_OUT="$E2E_WORK/out.json" BACKEND_URL="http://127.0.0.1:$MB_PORT" \
    "$KRAKEND" run -c krakend.tmpl -p "$GW_PORT"
GW_PID=$E2E_LAST_PID
cd - >/dev/null || exit 1
e2e_wait_http "http://127.0.0.1:$GW_PORT/__health" 10

e2e_curl -X POST -H 'Content-Type: application/json' -d '{"name": "Gadget", "description": "d"}' \
    "http://127.0.0.1:$GW_PORT/items"
e2e_eq "POST /items (method from settings, upper-cased by sprig): KrakenD's 200" 200 "$E2E_STATUS"
id=$(printf '%s' "$E2E_BODY" | jq -r .id)
e2e_curl "http://127.0.0.1:$GW_PORT/items/$id"
e2e_eq "GET /items/{id}: 200" 200 "$E2E_STATUS"
e2e_eq "GET /items/{id}: allow list marshalled from settings" '{"name":"Gadget"}' \
    "$(printf '%s' "$E2E_BODY" | jq -cS .)"
e2e_curl "http://127.0.0.1:$GW_PORT/items"
e2e_eq "GET /items: 200 (is_collection from settings)" 200 "$E2E_STATUS"
e2e_contains "GET /items: the stored item in the collection" '"name":"Gadget"' "$E2E_BODY"
e2e_eq "FC_OUT holds the rendered configuration" "served from a template" \
    "$(jq -r .name "$E2E_WORK/out.json")"
e2e_eq "FC_OUT is 0600" 600 "$(stat -c %a "$E2E_WORK/out.json")"
e2e_eq "the backend host came from env" "http://127.0.0.1:$MB_PORT" "$(jq -r '.host[0]' "$E2E_WORK/out.json")"
e2e_stop "$GW_PID" TERM
e2e_eq "SIGTERM exits 0" 0 $?

# ---- auth/validater: loud, served unprotected, refused with --strict ----
cat >"$E2E_WORK/validater.json" <<JSON
{"version": 3, "host": ["http://127.0.0.1:$MB_PORT"],
 "endpoints": [{"endpoint": "/private", "backend": [{"url_pattern": "/__echo/private"}],
   "extra_config": {"auth/validater": {"alg": "RS256", "jwk_url": "https://idp.test/jwks"}}}]}
JSON
e2e_start gw2 "$KRAKEND" run -c "$E2E_WORK/validater.json" -p "$GW_PORT2"
GW2_PID=$E2E_LAST_PID
e2e_wait_http "http://127.0.0.1:$GW_PORT2/__health" 10
e2e_curl "http://127.0.0.1:$GW_PORT2/private"
e2e_eq "validater: the endpoint answers without a token, as KrakenD's would" 200 "$E2E_STATUS"
e2e_stop "$GW2_PID" TERM
e2e_contains "validater: an ERROR line at startup names the unprotected endpoint" \
    'ERROR: endpoints[0].extra_config: extra_config namespace "auth/validater" is not a known namespace (did you mean "auth/validator"?): it is ignored, so the endpoint GET /private is NOT protected by auth/validator' \
    "$(cat "$E2E_WORK/gw2.log")"

OUT=$("$KRAKEND" run --strict -c "$E2E_WORK/validater.json" -p "$GW_PORT2" 2>&1)
e2e_eq "validater: run --strict refuses to start (exit 255)" 255 $?
e2e_contains "validater: run --strict says why" \
    "refused with --strict / KRAKEND_STRICT" "$OUT"
OUT=$(KRAKEND_STRICT=1 "$KRAKEND" run -c "$E2E_WORK/validater.json" -p "$GW_PORT2" 2>&1)
e2e_eq "validater: KRAKEND_STRICT=1 refuses to start (exit 255)" 255 $?
OUT=$(KRAKEND_STRICT=0 timeout 2 "$KRAKEND" run -c "$E2E_WORK/validater.json" -p "$GW_PORT2" 2>&1)
e2e_eq "validater: KRAKEND_STRICT=0 is not strict (timeout ends the running gateway)" 124 $?

# ---- dateInZone with a named zone: the system's tz database, as KrakenD's LoadLocation ----
cat >"$E2E_WORK/zone.tmpl" <<'TMPL'
{"version": 3, "name": {{ dateInZone "2006-01-02 15:04 MST" 1700000000 "Asia/Tokyo" | quote }}}
TMPL
if [ -f /usr/share/zoneinfo/Asia/Tokyo ]; then
    OUT=$(FC_ENABLE=1 FC_OUT="$E2E_WORK/zone.json" "$KRAKEND" check -c "$E2E_WORK/zone.tmpl" 2>&1)
    e2e_eq "dateInZone Asia/Tokyo renders the zone's time" '"2023-11-15 07:13 JST"' \
        "$(jq .name "$E2E_WORK/zone.json" 2>&1)"
else
    echo "skip - dateInZone Asia/Tokyo: no /usr/share/zoneinfo here"
fi
sed -i 's#Asia/Tokyo#Asia/Nowhere#' "$E2E_WORK/zone.tmpl"
OUT=$(FC_ENABLE=1 "$KRAKEND" check -c "$E2E_WORK/zone.tmpl" 2>&1)
e2e_eq "dateInZone with an unknown zone: refused (exit 1), not UTC in disguise" 1 $?
e2e_contains "... naming it" 'error calling dateInZone: unknown time zone "Asia/Nowhere"' "$OUT"

e2e_finish
