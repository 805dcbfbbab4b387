#!/usr/bin/env bash
# security.sh - security/cors, security/http and security/bot-detector on the running gateway:
# where each sits among the router's answers (../shared/spec/krakend-traffic-security.md §1),
# how CORS meets the router (§2.7: OPTIONS on paths without an OPTIONS endpoint, unknown paths,
# auto_options, options_passthrough, gin's redirects), what /__health skips, the access log, and
# `gateway check` staying quiet about what is implemented. The browser's view of CORS is
# tests/e2e/browser_cors.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

read -r MB_PORT GA GB GC GD GE < <(e2e_ports 6 | tr '\n' ' ')
e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB_PORT" --quiet
e2e_wait_http "http://127.0.0.1:$MB_PORT/__echo/" 10

ORIGIN=http://app.test
CORS="{\"allow_origins\":[\"$ORIGIN\"],\"allow_methods\":[\"GET\",\"POST\"],
  \"allow_headers\":[\"Authorization\",\"Content-Type\"],\"expose_headers\":[\"x-expose\"],
  \"max_age\":\"1h\",\"allow_credentials\":true"
# config PORT CORS_EXTRA ROUTER_JSON [SERVICE_EXTRA]: two methods on /items, one on /only-get.
config() {
    cat <<EOF
{"version":3,"port":$1,"echo_endpoint":true,
 "extra_config":{"security/cors":$CORS$2},"router":$3${4:+,$4}},
 "endpoints":[
  {"endpoint":"/items","method":"GET","backend":[{"host":["http://127.0.0.1:$MB_PORT"],"url_pattern":"/__echo/items"}]},
  {"endpoint":"/items","method":"POST","backend":[{"host":["http://127.0.0.1:$MB_PORT"],"url_pattern":"/__echo/items"}]},
  {"endpoint":"/only-get","method":"GET","backend":[{"host":["http://127.0.0.1:$MB_PORT"],"url_pattern":"/__echo/only"}]}
 ]}
EOF
}
# A: preflights answered by CORS; auto_options routes for the rest. B: passthrough with
# auto_options. C: passthrough without.
config "$GA" "" '{"auto_options":true}' >"$E2E_WORK/a.json"
config "$GB" ',"options_passthrough":true' '{"auto_options":true}' >"$E2E_WORK/b.json"
config "$GC" ',"options_passthrough":true,"debug":true' '{"disable_access_log":false}' \
    '"telemetry/logging":{"level":"DEBUG","stdout":true}' >"$E2E_WORK/c.json"
# D: CORS and security/http's headers and host check. E: the SSL redirect behind a proxy.
HSEC="{\"allowed_hosts\":[\"127.0.0.1:$GD\",\"api.test\"],\"frame_deny\":true,
  \"content_type_nosniff\":true,\"browser_xss_filter\":true,\"referrer_policy\":\"no-referrer\",
  \"content_security_policy\":\"script-src \$NONCE\",\"sts_seconds\":600,\"force_sts_header\":true}"
# D also has a service bot detector, and an endpoint one on /only-get, before its validator.
BOT='{"deny":["evil-bot"],"patterns":["(?i)crawler"],"cache_size":100}'
config "$GD" "" '{"auto_options":true}' "\"security/http\":$HSEC,\"security/bot-detector\":$BOT" |
    jq --arg jwk "http://127.0.0.1:1/jwks" '.endpoints[2].extra_config = {
        "security/bot-detector": {"deny": ["ep-bot"]},
        "auth/validator": {"alg": "RS256", "jwk_url": $jwk, "disable_jwk_security": true}}' \
    >"$E2E_WORK/d.json"
HSEC_E='{"ssl_redirect":true,"ssl_proxy_headers":{"X-Forwarded-Proto":"https"},"sts_seconds":60}'
config "$GE" "" '{}' "\"security/http\":$HSEC_E" >"$E2E_WORK/e.json"
for f in a b c d e; do
    jq . "$E2E_WORK/$f.json" >/dev/null || e2e_fail "config $f is JSON"
done

echo "# gateway check: nothing to warn about for what is implemented"
out=$("$BIN_DIR/gateway" check -c "$E2E_WORK/a.json" 2>&1)
e2e_contains "check accepts the CORS config" "Syntax OK!" "$out"
e2e_eq "check prints no warning for security/cors" "" "$(grep -i warn <<<"$out")"
jq '.endpoints[0].extra_config = {"security/cors": {}}' "$E2E_WORK/a.json" >"$E2E_WORK/ep-cors.json"
out=$("$BIN_DIR/gateway" check -c "$E2E_WORK/ep-cors.json" 2>&1)
e2e_contains "check warns that CE ignores security/cors per endpoint" \
    'namespace "security/cors" is ignored in endpoints[0].extra_config' "$out"
jq '.extra_config["security/cors"].max_age = 3600' "$E2E_WORK/a.json" >"$E2E_WORK/bad.json"
out=$("$BIN_DIR/gateway" check -c "$E2E_WORK/bad.json" 2>&1)
e2e_contains "check refuses a numeric max_age (KrakenD panics at startup)" \
    "extra_config.security/cors.max_age: not a string" "$out"

out=$("$BIN_DIR/gateway" check -c "$E2E_WORK/d.json" 2>&1)
e2e_eq "check prints no warning for security/http and the bot detector" "" "$(grep -i warn <<<"$out")"
jq '.extra_config["security/bot-detector"].patterns = ["ok", "(a)\\1"]' "$E2E_WORK/d.json" >"$E2E_WORK/bad.json"
out=$("$BIN_DIR/gateway" check -c "$E2E_WORK/bad.json" 2>&1)
e2e_contains "check: a pattern Go refuses: KrakenD's warning" \
    'WARNING: [SERVICE: Gin][Botdetector] Unable to create the bot detector: error parsing regexp: invalid escape sequence: `\1`' "$out"
e2e_contains "check: ... and ours, with the pattern, saying the detector is left out (as KrakenD does)" \
    'extra_config.security/bot-detector.patterns[1] "(a)\1": error parsing regexp: invalid escape sequence: `\1`: the bot detector is NOT installed' "$out"
e2e_contains "check: the configuration still starts, as KrakenD's does" "Syntax OK!" "$out"
jq '.extra_config["security/bot-detector"].patterns = ["\\p{Kawi}"]' "$E2E_WORK/d.json" >"$E2E_WORK/bad.json"
out=$("$BIN_DIR/gateway" check -c "$E2E_WORK/bad.json" 2>&1)
e2e_contains "check: a pattern Go runs but this gateway cannot is refused, named" \
    'ERROR parsing the configuration file:	extra_config.security/bot-detector.patterns[0] "\p{Kawi}"' "$out"
jq '.extra_config["security/http"].allowed_hosts_are_regex = true
    | .extra_config["security/http"].allowed_hosts = ["api\\.(?=x)"]' "$E2E_WORK/d.json" >"$E2E_WORK/bad.json"
out=$("$BIN_DIR/gateway" check -c "$E2E_WORK/bad.json" 2>&1)
e2e_contains "check refuses an allowed host Go's regexp refuses, naming it" \
    'allowed_hosts[0]: Error parsing AllowedHost: error parsing regexp: invalid or unsupported Perl syntax: `(?=`' "$out"

e2e_start gw-a "$BIN_DIR/gateway" run -c "$E2E_WORK/a.json"
e2e_start gw-b "$BIN_DIR/gateway" run -c "$E2E_WORK/b.json"
e2e_start gw-c "$BIN_DIR/gateway" run -c "$E2E_WORK/c.json"
e2e_start gw-d "$BIN_DIR/gateway" run -c "$E2E_WORK/d.json"
e2e_start gw-e "$BIN_DIR/gateway" run -c "$E2E_WORK/e.json"
for p in $GA $GB $GC $GD $GE; do e2e_wait_http "http://127.0.0.1:$p/__health" 10; done

# all NAME: every line of a header of the last answer, joined by " | ".
all() {
    grep -i "^$1:" "$E2E_WORK/last.headers" | cut -d: -f2- | sed 's/^ //; s/\r$//' |
        paste -sd'|' | sed 's/|/ | /g'
}
preflight() { # preflight PORT PATH [CURL ARGS]; PF_ORIGIN replaces the origin
    local p=$1 path=$2
    shift 2
    e2e_curl -X OPTIONS "http://127.0.0.1:$p$path" -H "Origin: ${PF_ORIGIN:-$ORIGIN}" \
        -H 'Access-Control-Request-Method: POST' \
        -H 'Access-Control-Request-Headers: authorization,content-type' "$@"
}
VARY_PF="Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
pf_headers_ok() { # pf_headers_ok WHAT: the §2.4 headers of an accepted preflight
    e2e_eq "$1: Access-Control-Allow-Origin" "$ORIGIN" "$(all Access-Control-Allow-Origin)"
    e2e_eq "$1: Access-Control-Allow-Methods" POST "$(all Access-Control-Allow-Methods)"
    e2e_eq "$1: Access-Control-Allow-Headers" "authorization,content-type" \
        "$(all Access-Control-Allow-Headers)"
    e2e_eq "$1: Access-Control-Allow-Credentials" true "$(all Access-Control-Allow-Credentials)"
    e2e_eq "$1: Access-Control-Max-Age" 3600 "$(all Access-Control-Max-Age)"
    e2e_eq "$1: Vary" "$VARY_PF" "$(all Vary)"
}

echo "# A: preflights are answered before routing, whatever the path"
for path in /items /only-get /nope /__health /__echo/x; do
    preflight "$GA" "$path"
    e2e_eq "A preflight $path: 204" 204 "$E2E_STATUS"
    e2e_eq "A preflight $path: no body" "" "$E2E_BODY"
    e2e_eq "A preflight $path: no X-Krakend (the router never ran)" "" "$(all X-Krakend)"
    e2e_eq "A preflight $path: no Content-Type" "" "$(all Content-Type)"
    pf_headers_ok "A preflight $path"
done
preflight "$GA" /items -H 'Access-Control-Request-Headers: x-other'
e2e_eq "A preflight, header not allowed: still 204" 204 "$E2E_STATUS"
e2e_eq "A preflight, header not allowed: no Access-Control-Allow-Origin" "" \
    "$(all Access-Control-Allow-Origin)"
e2e_eq "A preflight, header not allowed: Vary only" "$VARY_PF" "$(all Vary)"
PF_ORIGIN=http://evil.test preflight "$GA" /items
e2e_eq "A preflight from another origin: 204 without Access-Control-Allow-Origin" \
    "204 " "$E2E_STATUS $(all Access-Control-Allow-Origin)"

echo "# A: OPTIONS without Access-Control-Request-Method is an actual request"
e2e_curl -X OPTIONS "http://127.0.0.1:$GA/items" -H "Origin: $ORIGIN"
e2e_eq "A OPTIONS /items: the auto_options route answers 200" 200 "$E2E_STATUS"
e2e_eq "A OPTIONS /items: Allow" "GET, POST" "$(all Allow)"
e2e_contains "A OPTIONS /items: X-Krakend" "Version " "$(all X-Krakend)"
e2e_eq "A OPTIONS /items: Vary: Origin" Origin "$(all Vary)"
e2e_eq "A OPTIONS /items: OPTIONS always passes the method check" "$ORIGIN" \
    "$(all Access-Control-Allow-Origin)"
e2e_eq "A OPTIONS /items: expose headers" X-Expose "$(all Access-Control-Expose-Headers)"
e2e_eq "A OPTIONS /items: no Allow-Methods on an actual request" "" \
    "$(all Access-Control-Allow-Methods)"
e2e_curl -X OPTIONS "http://127.0.0.1:$GA/nope" -H "Origin: $ORIGIN"
e2e_eq "A OPTIONS /nope: 404 with the CORS headers" "404 Origin $ORIGIN" \
    "$E2E_STATUS $(all Vary) $(all Access-Control-Allow-Origin)"

echo "# A: actual requests: every answer carries the CORS headers"
e2e_curl "http://127.0.0.1:$GA/items" -H "Origin: $ORIGIN"
e2e_eq "A GET /items: 200" 200 "$E2E_STATUS"
e2e_eq "A GET /items: exactly one Vary line" Origin "$(all Vary)"
e2e_eq "A GET /items: Access-Control-Allow-Origin echoes the origin" "$ORIGIN" \
    "$(all Access-Control-Allow-Origin)"
e2e_eq "A GET /items: credentials" true "$(all Access-Control-Allow-Credentials)"
e2e_eq "A GET /items: the backend never sees Origin" null "$(jq -c '.headers.Origin' <<<"$E2E_BODY")"
e2e_curl "http://127.0.0.1:$GA/items" -H 'Origin: http://evil.test'
e2e_eq "A GET from another origin: 200, Vary, no Access-Control-Allow-Origin" "200 Origin " \
    "$E2E_STATUS $(all Vary) $(all Access-Control-Allow-Origin)"
e2e_curl "http://127.0.0.1:$GA/items"
e2e_eq "A GET without Origin: Vary: Origin all the same" "200 Origin" "$E2E_STATUS $(all Vary)"
e2e_curl "http://127.0.0.1:$GA/nope" -H "Origin: $ORIGIN"
e2e_eq "A GET /nope: 404 with Vary and Access-Control-Allow-Origin" "404 Origin $ORIGIN" \
    "$E2E_STATUS $(all Vary) $(all Access-Control-Allow-Origin)"
e2e_curl -X PUT "http://127.0.0.1:$GA/only-get" -H "Origin: $ORIGIN"
e2e_eq "A PUT /only-get: 405, Vary, no Access-Control-Allow-Origin (PUT not allowed)" \
    "405 Origin " "$E2E_STATUS $(all Vary) $(all Access-Control-Allow-Origin)"
e2e_curl -I "http://127.0.0.1:$GA/items" -H "Origin: $ORIGIN"
e2e_eq "A HEAD /items: gin has no HEAD routes: 405 with Vary" "405 Origin" "$E2E_STATUS $(all Vary)"
e2e_curl "http://127.0.0.1:$GA/items/" -H "Origin: $ORIGIN"
e2e_eq "A GET /items/: gin's redirect carries the CORS headers" "301 /items Origin $ORIGIN" \
    "$E2E_STATUS $(all Location) $(all Vary) $(all Access-Control-Allow-Origin)"
e2e_curl "http://127.0.0.1:$GA/__health" -H "Origin: $ORIGIN"
e2e_eq "A GET /__health: CORS wraps it too" "200 Origin $ORIGIN" \
    "$E2E_STATUS $(all Vary) $(all Access-Control-Allow-Origin)"
e2e_curl -X POST "http://127.0.0.1:$GA/items" -H "Origin: $ORIGIN" -H 'Content-Type: application/json' \
    -d '{}'
e2e_eq "A POST /items: 200 with the CORS headers" "200 $ORIGIN" \
    "$E2E_STATUS $(all Access-Control-Allow-Origin)"

echo "# B: options_passthrough with auto_options: gin answers the preflight"
preflight "$GB" /items
e2e_eq "B preflight /items: the auto_options route's 200" 200 "$E2E_STATUS"
e2e_eq "B preflight /items: Allow" "GET, POST" "$(all Allow)"
e2e_contains "B preflight /items: X-Krakend" Version "$(all X-Krakend)"
pf_headers_ok "B preflight /items"
preflight "$GB" /nope
e2e_eq "B preflight /nope: 404" 404 "$E2E_STATUS"
pf_headers_ok "B preflight /nope"

echo "# C: options_passthrough without auto_options: 405 where the path exists, else 404"
preflight "$GC" /items
e2e_eq "C preflight /items: 405" 405 "$E2E_STATUS"
e2e_eq "C preflight /items: Allow" "GET, POST" "$(all Allow)"
e2e_eq "C preflight /items: X-Krakend-Completed: false" false "$(all X-Krakend-Completed)"
pf_headers_ok "C preflight /items"
preflight "$GC" /nope
e2e_eq "C preflight /nope: 404" 404 "$E2E_STATUS"
pf_headers_ok "C preflight /nope"
e2e_curl -X OPTIONS "http://127.0.0.1:$GC/items" -H "Origin: $ORIGIN"
e2e_eq "C OPTIONS /items without Access-Control-Request-Method: 405 with Vary: Origin" \
    "405 Origin" "$E2E_STATUS $(all Vary)"

echo "# D: security/http's headers on every engine answer, not on /__health nor redirects"
SECH="X-Frame-Options X-Content-Type-Options X-Xss-Protection Referrer-Policy Strict-Transport-Security"
sec_headers() { local h o=""; for h in $SECH; do o+="$(all "$h");"; done; echo "$o"; }
WANT_SEC="DENY;nosniff;1; mode=block;no-referrer;max-age=600;"
for what in "GET /items" "GET /nope" "PUT /only-get" "OPTIONS /items" "GET /__echo/x"; do
    e2e_curl -X "${what% *}" "http://127.0.0.1:$GD${what#* }" -H "Origin: $ORIGIN"
    e2e_eq "D $what ($E2E_STATUS): the security headers" "$WANT_SEC" "$(sec_headers)"
    acao=$ORIGIN
    [ "${what% *}" = PUT ] && acao="" # not among allow_methods: Vary only
    e2e_eq "D $what: the CORS headers too" "Origin $acao" "$(all Vary) $(all Access-Control-Allow-Origin)"
done
e2e_curl "http://127.0.0.1:$GD/items"
csp1=$(all Content-Security-Policy)
e2e_curl "http://127.0.0.1:$GD/items"
csp2=$(all Content-Security-Policy)
e2e_contains "D: \$NONCE becomes a nonce" "script-src 'nonce-" "$csp1"
[ "$csp1" != "$csp2" ] && e2e_pass "D: a new nonce per request" || e2e_fail "D: a new nonce per request" "$csp1 = $csp2"
e2e_eq "D: 22 base64 characters, no padding" 22 "$(sed -n "s/.*'nonce-\([^']*\)'.*/\1/p" <<<"$csp1" | tr -d '\n' | wc -c)"
e2e_curl "http://127.0.0.1:$GD/__health" -H "Origin: $ORIGIN"
e2e_eq "D /__health: no security header (gin binds it before the middleware)" "200 ;;;;;" \
    "$E2E_STATUS $(sec_headers)"
e2e_eq "D /__health: CORS all the same" "$ORIGIN" "$(all Access-Control-Allow-Origin)"
e2e_curl "http://127.0.0.1:$GD/items/" -H "Origin: $ORIGIN"
e2e_eq "D gin redirect: no security header" "301 ;;;;;" "$E2E_STATUS $(sec_headers)"
preflight "$GD" /items
e2e_eq "D preflight: CORS answers, no security header" "204 ;;;;;" "$E2E_STATUS $(sec_headers)"
e2e_curl "http://127.0.0.1:$GD/items" -H 'Host: evil.test' -H "Origin: $ORIGIN"
e2e_eq "D bad host: 500" 500 "$E2E_STATUS"
e2e_eq "D bad host: Go's http.Error body" $'Bad Host\n' "$E2E_BODY"
e2e_eq "D bad host: Content-Type" "text/plain; charset=utf-8" "$(all Content-Type)"
e2e_eq "D bad host: only http.Error's nosniff, no other security header" \
    ";nosniff;;;;" "$(sec_headers)"
e2e_eq "D bad host: the CORS headers (set before)" "Origin $ORIGIN" \
    "$(all Vary) $(all Access-Control-Allow-Origin)"
e2e_curl "http://127.0.0.1:$GD/items" -H 'Host: API.test'
e2e_eq "D allowed host, any case: 200" 200 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$GD/__health" -H 'Host: evil.test'
e2e_eq "D bad host on /__health: not checked" 200 "$E2E_STATUS"

echo "# D: the bot detectors"
for what in "GET /items" "GET /nope" "PUT /only-get" "GET /__echo/x" "OPTIONS /items"; do
    e2e_curl -X "${what% *}" "http://127.0.0.1:$GD${what#* }" -A evil-bot -H "Origin: $ORIGIN"
    e2e_eq "D $what from a denied User-Agent: 403, empty" "403 " "$E2E_STATUS $E2E_BODY"
    e2e_eq "D $what 403: no Content-Type nor X-Krakend" " " "$(all Content-Type) $(all X-Krakend)"
    e2e_eq "D $what 403: the CORS and security/http headers set before it" "Origin DENY" \
        "$(all Vary) $(all X-Frame-Options)"
done
e2e_curl "http://127.0.0.1:$GD/items" -A 'Mozilla/5.0 (compatible; SomeCrawler/1.0)'
e2e_eq "D a pattern (?i)crawler matches anywhere: 403" 403 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$GD/items" -A 'Mozilla/5.0'
e2e_eq "D an ordinary browser: 200" 200 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$GD/__health" -A evil-bot
e2e_eq "D /__health: no bot detector" 200 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$GD/items/" -A evil-bot
e2e_eq "D gin redirect: no bot detector" 301 "$E2E_STATUS"
PF_ORIGIN=$ORIGIN preflight "$GD" /items -A evil-bot
e2e_eq "D CORS preflight: answered before the bot detector" 204 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$GD/only-get" -A ep-bot
e2e_eq "D endpoint detector: 403 before the validator" "403 " "$E2E_STATUS $E2E_BODY"
e2e_curl "http://127.0.0.1:$GD/only-get" -A Mozilla/5.0
e2e_eq "D endpoint detector lets others through to the validator (no token: 401)" 401 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$GD/items" -A ep-bot
e2e_eq "D the endpoint detector is that endpoint's only" 200 "$E2E_STATUS"

echo "# E: the SSL redirect"
e2e_curl "http://127.0.0.1:$GE/items?a=1&b=%20"
e2e_eq "E plain GET: 301" 301 "$E2E_STATUS"
e2e_eq "E plain GET: to https, same host and port, path and query" \
    "https://127.0.0.1:$GE/items?a=1&b=%20" "$(all Location)"
e2e_eq "E plain GET: Go's body" \
    "<a href=\"https://127.0.0.1:$GE/items?a=1&amp;b=%20\">Moved Permanently</a>."$'\n\n' "$E2E_BODY"
e2e_eq "E plain GET: no HSTS on the redirect" "" "$(all Strict-Transport-Security)"
e2e_curl -X POST "http://127.0.0.1:$GE/items" -d x
e2e_eq "E plain POST: 301, no body, no Content-Type" "301  " "$E2E_STATUS $E2E_BODY $(all Content-Type)"
e2e_curl "http://127.0.0.1:$GE/items" -H 'X-Forwarded-Proto: https'
e2e_eq "E behind a TLS proxy: 200 with HSTS" "200 max-age=60" \
    "$E2E_STATUS $(all Strict-Transport-Security)"
e2e_curl "http://127.0.0.1:$GE/__health"
e2e_eq "E /__health: never redirected" 200 "$E2E_STATUS"
e2e_curl "http://127.0.0.1:$GE/nope"
e2e_eq "E 404 path: redirected (engine middleware)" 301 "$E2E_STATUS"

echo "# logs"
sleep 0.3 # the access log is written in batches (at most 100 ms late)
alog=$(grep -c '^\[GIN\].*"/items"$' "$E2E_WORK/gw-a.log")
e2e_eq "A: a preflight answered by CORS is not in gin's access log; the others are" \
    "0 1" "$(grep -c '^\[GIN\].*OPTIONS *"/only-get"$' "$E2E_WORK/gw-a.log") $((alog > 0))"
# C sets telemetry/logging: records come in go-logging's default pattern ("▶ DEBUG", reset)
GOLOG_DEBUG=$'\xe2\x96\xb6 DEBUG\e[0m '
e2e_contains "C (debug): the rs/cors trace is logged at DEBUG" \
    "${GOLOG_DEBUG}[CORS] " "$(cat "$E2E_WORK/gw-c.log")"
e2e_contains "C (debug): the trace names the preflight's outcome" \
    "Preflight response headers: map[Access-Control-Allow-Credentials:[true]" \
    "$(cat "$E2E_WORK/gw-c.log")"
e2e_eq "D: the bad host and E: the redirect are in gin's access log" "1 1" \
    "$(grep -c '^\[GIN\].*| 500 |.*"/items"$' "$E2E_WORK/gw-d.log") $(grep -c '^\[GIN\].*| 301 |.*| POST *"/items"$' "$E2E_WORK/gw-e.log")"
e2e_eq "D: each rejection logged at ERROR with KrakenD's prefix (endpoint level too)" 7 \
    "$(grep -c 'ERROR: \[SERVICE: Gin\]\[Botdetector\] bot rejected$' "$E2E_WORK/gw-d.log")"
e2e_eq "D: the bot answers are in gin's access log" 7 "$(grep -c '^\[GIN\].*| 403 |' "$E2E_WORK/gw-d.log")"
e2e_contains "C (DEBUG): KrakenD's startup line" \
    "${GOLOG_DEBUG}[SERVICE: Gin][CORS] Enabled CORS for all requests" \
    "$(cat "$E2E_WORK/gw-c.log")"

e2e_finish
