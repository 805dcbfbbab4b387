#!/usr/bin/env bash
# modifier.sh - modifier/martian and the Lua modifiers end to end, through the gateway and
# mock-backend (whose /__echo shows what a backend received): martian on the request and on the
# answer (no-op shows its headers), static files without a backend, martian's errors; Lua at
# service, endpoint, proxy and backend level, custom errors, skip_next, http_response, and
# scripts that loop forever, allocate without bound or reach for os while allow_open_libs is off:
# the request is answered and the gateway goes on serving.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

read -r MB GW DEAD < <(e2e_ports 3 | tr '\n' ' ')
e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB" --quiet
e2e_wait_http "http://127.0.0.1:$MB/__echo/" 10 || { e2e_fail "mock-backend starts"; e2e_finish; exit 1; }

mkdir -p "$E2E_WORK/static/files" "$E2E_WORK/lua"
printf '{"from":"disk"}' >"$E2E_WORK/static/files/data.json"
cat >"$E2E_WORK/lua/helpers.lua" <<'EOF'
-- a source file: functions the inline code calls
function tag(req, value)
  req:headers("X-Lua-Tag", value)
end
EOF

B="\"host\":[\"http://127.0.0.1:$MB\"]"
printf '{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}]}' >"$E2E_WORK/hs.jwks"
cat >"$E2E_WORK/krakend.json" <<EOF
{"version":3,"port":$GW,"timeout":"3s",
 "extra_config":{"router":{"return_error_msg":true,"disable_access_log":true},
   "modifier/lua-endpoint":{"pre":"local c = ctx.load(); c:headers('X-Svc', 'on'); if c:headers('X-Break') ~= '' then error('service says no') end"}},
 "endpoints":[
  {"endpoint":"/m/request","input_headers":["X-Svc"],"input_query_strings":["*"],"backend":[{$B,"url_pattern":"/__echo/m","extra_config":{
    "modifier/martian":{"fifo.Group":{"scope":["request","response"],"aggregateErrors":true,"modifiers":[
      {"header.Modifier":{"scope":["request"],"name":"X-Api-Key","value":"secret"}},
      {"header.Modifier":{"scope":["request"],"name":"Host","value":"tenant.example"}},
      {"querystring.Modifier":{"name":"added","value":"a b"}},
      {"header.Id":{}},
      {"cookie.Modifier":{"scope":["request"],"name":"session","value":"s1"}}]}}}}]},
  {"endpoint":"/m/response","output_encoding":"no-op","backend":[{$B,"url_pattern":"/__echo/r","encoding":"no-op","extra_config":{
    "modifier/martian":{"fifo.Group":{"modifiers":[
      {"header.Modifier":{"scope":["response"],"name":"X-From-Martian","value":"yes"}},
      {"header.Blacklist":{"scope":["response"],"names":["Content-Type"]}},
      {"cookie.Modifier":{"scope":["response"],"name":"n","value":"v","maxAge":60}}]}}}}]},
  {"endpoint":"/m/status","backend":[{$B,"url_pattern":"/nowhere","extra_config":{
    "modifier/martian":{"fifo.Group":{"modifiers":[
      {"status.Modifier":{"statusCode":200}},
      {"body.Modifier":{"scope":["response"],"body":"eyJyZXBsYWNlZCI6dHJ1ZX0=","contentType":"application/json"}}]}}}}]},
  {"endpoint":"/files/{name}","backend":[{"host":["http://127.0.0.1:$DEAD"],"url_pattern":"/files/{name}","extra_config":{
    "modifier/martian":{"static.Modifier":{"rootPath":"$E2E_WORK/static"}}}}]},
  {"endpoint":"/m/fails","backend":[{$B,"url_pattern":"/__echo/f","extra_config":{
    "modifier/martian":{"fifo.Group":{"aggregateErrors":true,"modifiers":[
      {"header.Append":{"name":"Host","value":"a"}},{"header.Append":{"name":"Host","value":"b"}}]}}}}]},
  {"endpoint":"/m/misconfigured","input_headers":["X-Api-Key"],"backend":[{$B,"url_pattern":"/__echo/x","extra_config":{
    "modifier/martian":{"@comment":"two keys: martian is off for this backend","header.Modifier":{"name":"X-Api-Key","value":"k"}}}}]},
  {"endpoint":"/m/filter","input_headers":["X-Tier"],"backend":[{$B,"url_pattern":"/__echo/t","extra_config":{
    "modifier/martian":{"header.Filter":{"name":"X-Tier","value":"gold","modifier":{"header.Modifier":{"name":"X-Route","value":"fast"}},
      "else":{"header.Modifier":{"name":"X-Route","value":"slow"}}}}}}]},
  {"endpoint":"/l/endpoint/{id}","input_headers":["X-Lua-Tag","X-Svc"],"input_query_strings":["*"],
   "extra_config":{"modifier/lua-endpoint":{"sources":["$E2E_WORK/lua/helpers.lua"],
     "pre":"local c = ctx.load(); tag(c, 'endpoint-' .. c:params('id')); c:query('from', 'lua')"}},
   "backend":[{$B,"url_pattern":"/__echo/e/{id}"}]},
  {"endpoint":"/l/teapot","extra_config":{"modifier/lua-endpoint":{"pre":"custom_error('short and stout', 418, 'text/teapot')"}},
   "backend":[{$B,"url_pattern":"/__echo/t"}]},
  {"endpoint":"/l/proxy","input_headers":["X-Lua-Tag"],"extra_config":{"modifier/lua-proxy":{
     "pre":"request.load():headers('X-Lua-Tag', 'proxy')",
     "post":"local d = response.load():data(); d:set('seen', d:get('headers'):get('X-Lua-Tag'):get(0)); d:del('remote_addr')"}},
   "backend":[{$B,"url_pattern":"/__echo/p","allow":["headers","seen","remote_addr","method"]}]},
  {"endpoint":"/l/skip","backend":[{"host":["http://127.0.0.1:$DEAD"],"url_pattern":"/never","extra_config":{"modifier/lua-backend":{
     "skip_next":true,"post":"local r = response.load(); r:data():set('made', 'by lua'); r:isComplete(true)"}}}]},
  {"endpoint":"/l/backend","backend":[{$B,"url_pattern":"/__echo/b","extra_config":{"modifier/lua-backend":{
     "pre":"local r = request.load(); r:url(r:url() .. '/more?x=1'); r:headers('X-Lua-Tag', 'backend')",
     "post":"local d = response.load():data(); d:set('path_seen', d:get('path'))"}}}]},
  {"endpoint":"/l/http","backend":[{$B,"url_pattern":"/__echo/h","extra_config":{"modifier/lua-backend":{
     "pre":"local h = http_response.new('http://127.0.0.1:$MB/__echo/side?q=1'); request.load():headers('X-Side', tostring(h:statusCode()) .. ' ' .. h:headers('content-type'))"}}}]},
  {"endpoint":"/l/teapot-crlf","extra_config":{"modifier/lua-endpoint":{"pre":"custom_error('short', 418, 'text/x\\\\r\\\\nX-Evil: 1')"}},
   "backend":[{$B,"url_pattern":"/__echo/t"}]},
  {"endpoint":"/l/bad-request-header","backend":[{$B,"url_pattern":"/__echo/bad","extra_config":{"modifier/lua-backend":{
     "pre":"request.load():headers('X-Bad', 'a\\\\r\\\\nX-Evil: 1')"}}}]},
  {"endpoint":"/l/nul-header","input_headers":["X-Bad"],"backend":[{$B,"url_pattern":"/__echo/nul"}],
   "extra_config":{"modifier/lua-endpoint":{"pre":"ctx.load():headers('X-Bad', 'a\\\\0X-Evil: 1')"}}},
  {"endpoint":"/l/bad-response-header","output_encoding":"no-op","backend":[{$B,"url_pattern":"/__echo/r","encoding":"no-op","extra_config":{"modifier/lua-backend":{
     "post":"local r = response.load(); r:headers('X-Bad', 'a\\\\r\\\\nX-Evil: 1'); r:headers('X-Good', 'yes')"}}}]},
  {"endpoint":"/l/loop","backend":[{$B,"url_pattern":"/__echo/l","extra_config":{"modifier/lua-backend":{"pre":"while true do end"}}}]},
  {"endpoint":"/l/pcall-loop","backend":[{$B,"url_pattern":"/__echo/l","extra_config":{"modifier/lua-backend":{"pre":"while true do pcall(function() while true do end end) end"}}}]},
  {"endpoint":"/l/alloc","backend":[{$B,"url_pattern":"/__echo/a","extra_config":{"modifier/lua-backend":{"pre":"local t = {} local s = 'xxxxxxxxxxxxxxxx' while true do s = s .. s t[#t + 1] = s end"}}}]},
  {"endpoint":"/l/os","backend":[{$B,"url_pattern":"/__echo/o","extra_config":{"modifier/lua-backend":{"pre":"os.execute('touch $E2E_WORK/pwned')"}}}]},
  {"endpoint":"/l/signed","backend":[{$B,"url_pattern":"/__echo/s","allow":["method"]}],
   "extra_config":{"modifier/lua-endpoint":{"pre":"custom_error('lua ran', 418)"},
     "qos/ratelimit/router":{"max_rate":1,"every":"1h"},
     "auth/signer":{"alg":"HS256","kid":"k","keys_to_sign":["none"],"jwk_local_path":"$E2E_WORK/hs.jwks","disable_jwk_security":true}}},
  {"endpoint":"/l/exit","backend":[{$B,"url_pattern":"/__echo/o","extra_config":{"modifier/lua-backend":{"allow_open_libs":true,"pre":"os.exit(3)"}}}]}
 ]}
EOF

USAGE_DISABLE=1 e2e_start gateway "$BIN_DIR/gateway" run -c "$E2E_WORK/krakend.json"
e2e_wait_http "http://127.0.0.1:$GW/__health" 10 || {
    e2e_fail "gateway starts" "$(tail -n 20 "$E2E_WORK/gateway.log")"
    e2e_finish
    exit 1
}
U="http://127.0.0.1:$GW"
jqb() { printf '%s' "$E2E_BODY" | jq -r "$1" 2>/dev/null; }

# ---- martian -----------------------------------------------------------------------------------
e2e_curl "$U/m/request?q=1"
e2e_eq "martian: header.Modifier reaches the backend" "secret" "$(jqb '.headers["X-Api-Key"][0]')"
e2e_eq "martian: Host set by header.Modifier" "tenant.example" "$(jqb '.raw_headers[] | select(.[0]=="Host") | .[1]')"
e2e_eq "martian: querystring.Modifier re-encodes the query" "added=a+b&q=1" "$(jqb '.raw_query')"
e2e_contains "martian: header.Id adds a UUID" "-4" "$(jqb '.headers["X-Krakend-Id"][0]')"
e2e_eq "martian: cookie.Modifier" "session=s1" "$(jqb '.headers["Cookie"][0]')"
e2e_eq "lua-endpoint (service level) changed the request" "on" "$(jqb '.headers["X-Svc"][0]')"

e2e_curl "$U/m/response"
e2e_eq "martian on the answer: status" "200" "$E2E_STATUS"
e2e_eq "martian on the answer: header.Modifier (no-op shows it)" "yes" "$(e2e_header X-From-Martian)"
e2e_eq "martian on the answer: cookie.Modifier" "n=v; Max-Age=60" "$(e2e_header Set-Cookie)"
# the backend's Content-Type is gone: the answer's is sniffed, as Go's writer does
e2e_eq "martian on the answer: header.Blacklist" "text/plain; charset=utf-8" "$(e2e_header Content-Type)"

e2e_curl "$U/m/status"
e2e_eq "martian: a 404 made 200 with a new body is decoded by Lura" '{"replaced":true}' "$E2E_BODY"

e2e_curl "$U/files/data.json"
e2e_eq "martian static.Modifier: the file, no backend" '{"from":"disk"}' "$E2E_BODY"
e2e_curl "$U/files/missing.json"
e2e_eq "martian static.Modifier: a missing file is the backend's 404" "500" "$E2E_STATUS"

e2e_curl "$U/m/fails"
e2e_eq "martian: a request modifier's error fails the call" "500" "$E2E_STATUS"
e2e_eq "martian: aggregated errors, joined by newlines" \
    "$(printf 'proxyutil: illegal header multiple: Host\nproxyutil: illegal header multiple: Host')" "$E2E_BODY"

e2e_curl -H 'X-Api-Key: client' "$U/m/misconfigured"
e2e_eq "martian: a refused configuration leaves the backend without it" "client" "$(jqb '.headers["X-Api-Key"][0]')"
e2e_contains "martian: and KrakenD's error log says why" "parse: expected one modifier, received 2" "$(cat "$E2E_WORK/gateway.log")"

e2e_curl -H 'X-Tier: gold' "$U/m/filter"
e2e_eq "martian header.Filter: modifier" "fast" "$(jqb '.headers["X-Route"][0]')"
e2e_curl -H 'X-Tier: silver' "$U/m/filter"
e2e_eq "martian header.Filter: else" "slow" "$(jqb '.headers["X-Route"][0]')"

# ---- Lua ---------------------------------------------------------------------------------------
e2e_curl "$U/l/endpoint/7?a=1"
e2e_eq "lua-endpoint: sources and pre change the request" "endpoint-7" "$(jqb '.headers["X-Lua-Tag"][0]')"
e2e_eq "lua-endpoint: ctx:query sets a parameter" "a=1&from=lua" "$(jqb '.raw_query')"

e2e_curl "$U/l/teapot"
e2e_eq "lua-endpoint custom_error: its status" "418" "$E2E_STATUS"
e2e_eq "lua-endpoint custom_error: empty body" "" "$E2E_BODY"
e2e_eq "lua-endpoint custom_error: its content type" "text/teapot" "$(e2e_header Content-Type)"
e2e_eq "lua-endpoint custom_error: no X-Krakend" "" "$(e2e_header X-Krakend)"

e2e_curl -H 'X-Break: 1' "$U/l/endpoint/1"
e2e_eq "lua-endpoint (service level): an error is a 500" "500" "$E2E_STATUS"
e2e_curl -H 'X-Break: 1' "$U/no/such/route"
e2e_eq "lua-endpoint (service level) runs for 404 routes too" "500" "$E2E_STATUS"
e2e_curl -H 'X-Break: 1' "$U/__health"
e2e_eq "but not for /__health" "200" "$E2E_STATUS"

e2e_curl "$U/l/proxy"
e2e_eq "lua-proxy: pre's header reached the backend, post changed the data" \
    '{"headers":{"Accept-Encoding":["gzip"],"Host":["127.0.0.1:'"$MB"'"],"User-Agent":["KrakenD Version '"$("$BIN_DIR/gateway" version 2>&1 | sed -n 's/^KrakenD Version: //p' | head -n1)"'"],"X-Forwarded-For":["127.0.0.1"],"X-Forwarded-Host":["127.0.0.1:'"$GW"'"],"X-Lua-Tag":["proxy"]},"method":"GET","seen":"proxy"}' "$E2E_BODY"

e2e_curl "$U/l/skip"
e2e_eq "lua-backend skip_next: post answers without the backend" '{"made":"by lua"}' "$E2E_BODY"
e2e_eq "lua-backend skip_next: post made it complete" "true" "$(e2e_header X-Krakend-Completed)"

e2e_curl "$U/l/backend"
e2e_eq "lua-backend: pre's URL is where the call went" "/__echo/b/more" "$(jqb '.path_seen')"
e2e_eq "lua-backend: pre's header" "backend" "$(jqb '.headers["X-Lua-Tag"][0]')"

e2e_curl "$U/l/http"
e2e_eq "lua http_response: a script's own request" "200 application/json" "$(jqb '.headers["X-Side"][0]')"

# headers a script builds pass the one field rule (cmn_http_field) before anyone sees them
e2e_curl "$U/l/teapot-crlf"
e2e_eq "custom_error with a line break in its content type: the status stays" "418" "$E2E_STATUS"
e2e_eq "and the content type is dropped, nothing injected" "|" "$(e2e_header Content-Type)|$(e2e_header X-Evil)"
e2e_curl "$U/l/bad-request-header"
e2e_eq "a backend header with a line break fails the call (500)" "500" "$E2E_STATUS"
for k in $(seq 20); do grep -qF 'invalid header field value for "X-Bad"' "$E2E_WORK/gateway.log" && break; sleep 0.1; done
e2e_contains "with Go's transport error in the log" 'invalid header field value for "X-Bad"' "$(cat "$E2E_WORK/gateway.log")"
e2e_curl "$U/l/nul-header"
e2e_eq "a request header with a NUL from lua-endpoint fails the backend call, not cut short" "500" "$E2E_STATUS"
e2e_curl "$U/l/bad-response-header"
e2e_eq "a no-op answer's header with a line break is skipped, the others kept" "200 yes |" \
    "$E2E_STATUS $(e2e_header X-Good) $(e2e_header X-Bad)|$(e2e_header X-Evil)"

# krakend-jose's TokenSigner replaces the handler that Lua and the router rate limit wrap
e2e_curl "$U/l/signed"
e2e_eq "auth/signer endpoint: its lua-endpoint does not run" '200 {"method":"GET"}' "$E2E_STATUS $E2E_BODY"
e2e_curl "$U/l/signed"
e2e_eq "auth/signer endpoint: nor its qos/ratelimit/router (max_rate 1)" "200" "$E2E_STATUS"
e2e_contains "and the log says both are ignored" "modifier/lua-endpoint is ignored: auth/signer" "$(cat "$E2E_WORK/gateway.log")"
e2e_contains "(the rate limit too)" "qos/ratelimit/router is ignored: auth/signer" "$(cat "$E2E_WORK/gateway.log")"

start=$SECONDS
e2e_curl "$U/l/loop"
e2e_eq "a script that loops forever is stopped: 500" "500" "$E2E_STATUS"
e2e_contains "and says why" "instructions and was stopped" "$E2E_BODY"
e2e_curl "$U/l/pcall-loop"
e2e_eq "pcall cannot catch the end of the budget" "500" "$E2E_STATUS"
e2e_curl "$U/l/alloc"
e2e_eq "a script that allocates without bound: 500" "500" "$E2E_STATUS"
e2e_contains "with Lua's out-of-memory error" "not enough memory" "$E2E_BODY"
e2e_curl "$U/l/os"
e2e_eq "allow_open_libs off: no os (500)" "500" "$E2E_STATUS"
[ ! -e "$E2E_WORK/pwned" ] && e2e_pass "allow_open_libs off: the command did not run" || e2e_fail "allow_open_libs off: the command ran"
e2e_curl "$U/l/exit"
e2e_eq "os.exit is refused even with allow_open_libs" "500" "$E2E_STATUS"
e2e_curl "$U/l/endpoint/2"
e2e_eq "after all that the gateway still serves" "200" "$E2E_STATUS"
[ $((SECONDS - start)) -lt 60 ] && e2e_pass "stopped scripts answered in bounded time" || e2e_fail "stopped scripts took $((SECONDS - start)) s"

# ---- a configuration no client could send is refused ---------------------------------------------
jq '.endpoints[0].backend[0].extra_config["modifier/martian"] = {"header.Modifier":{"name":"X-A","value":"a\r\nB: c"}}' \
    "$E2E_WORK/krakend.json" >"$E2E_WORK/refused.json"
out=$("$BIN_DIR/gateway" check -c "$E2E_WORK/refused.json" 2>&1)
rc=$?
[ $rc -ne 0 ] && e2e_pass "gateway check refuses a martian header no client could send" || e2e_fail "check accepted it" "$out"
e2e_contains "and names where" "endpoints[0]: backend /__echo/m: modifier/martian: header.Modifier" "$out"

e2e_finish
