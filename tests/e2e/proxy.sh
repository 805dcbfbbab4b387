#!/usr/bin/env bash
# proxy.sh - the proxy namespace and backend/graphql end to end (krakend-config-transform.md §6,
# krakend-telemetry-validation.md §8): flatmap_filter at both levels, the sequential merge's
# propagated parameters, shadow backends, and the GraphQL body the backend receives (mock-backend
# echoes every request, so each check reads what the backend got).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

read -r MB GW DEAD < <(e2e_ports 3 | tr '\n' ' ')
B="http://127.0.0.1:$MB"
printf 'query Items($n: Int) { items(first: $n) { id } }' >"$E2E_WORK/items.graphql"

cat >"$E2E_WORK/krakend.json" <<EOF
{"version": 3, "port": $GW, "host": ["$B"], "timeout": "3s", "endpoints": [
 {"endpoint": "/fm/backend", "backend": [{"url_pattern": "/__echo/fm", "allow": ["method"],
   "extra_config": {"proxy": {"flatmap_filter": [
     {"type": "move", "args": ["headers.User-Agent", "ua"]},
     {"type": "move", "args": ["path", "where.path"]},
     {"type": "del", "args": ["headers", "raw_headers", "query", "raw_query", "remote_addr", "target", "version", "body", "method"]}]}}}]},
 {"endpoint": "/fm/endpoint", "extra_config": {"proxy": {"flatmap_filter": [
     {"type": "move", "args": ["a.path", "pa"]}, {"type": "move", "args": ["b.path", "pb"]},
     {"type": "del", "args": ["a", "b"]}]}},
  "backend": [{"url_pattern": "/__echo/a", "group": "a"}, {"url_pattern": "/__echo/b", "group": "b"}]},
 {"endpoint": "/fm/partial", "extra_config": {"proxy": {"flatmap_filter": [{"type": "del", "args": ["a"]}]}},
  "backend": [{"url_pattern": "/__echo/a", "group": "a"}, {"host": ["http://127.0.0.1:$DEAD"], "url_pattern": "/x", "group": "b"}]},
 {"endpoint": "/seq/params", "extra_config": {"proxy": {"sequential": true,
     "sequential_propagated_params": ["resp0_first.method resp0_nothere.first", "resp0_first.headers.User-Agent", "resp5_x"]}},
  "backend": [{"url_pattern": "/__echo/first", "group": "first"},
    {"url_pattern": "/__echo/second", "group": "second", "extra_config": {"backend/graphql": {"type": "query",
      "query": "q", "variables": {"m": "{resp0_first.method}", "quirk": "{resp0_nothere.first}",
      "ua": "{resp0_first.headers.User-Agent}", "none": "{resp5_x}"}}}}]},
 {"endpoint": "/seq/full", "extra_config": {"proxy": {"sequential": true, "sequential_propagated_params": ["resp0"]}},
  "backend": [{"url_pattern": "/__echo/raw", "encoding": "no-op"},
    {"url_pattern": "/__echo/second", "group": "second", "extra_config": {"backend/graphql": {"type": "query",
      "query": "q", "variables": {"whole": "{resp0}"}}}}]},
 {"endpoint": "/gql/query/{id}", "backend": [{"url_pattern": "/__echo/gql", "extra_config": {"backend/graphql": {
     "type": "query", "query_path": "$E2E_WORK/items.graphql", "operationName": "Items",
     "variables": {"id": "{id}", "n": 10, "missing": "{nope}", "s": "<&>"}}}}]},
 {"endpoint": "/gql/mutation", "method": "POST", "input_headers": ["Content-Type"],
  "backend": [{"url_pattern": "/__echo/gql", "method": "PUT", "extra_config": {"backend/graphql": {
     "type": "mutation", "query": "mutation M(\$a: Int) { m(a: \$a) }", "variables": {"id": "cfg", "b": true}}}}]},
 {"endpoint": "/gql/get", "backend": [{"url_pattern": "/__echo/gql", "extra_config": {"backend/graphql": {
     "type": "query", "method": "GET", "query": "q", "variables": {"n": 1}}}}]},
 {"endpoint": "/shadow", "method": "POST", "input_headers": ["Content-Type"],
  "backend": [{"url_pattern": "/__echo/main", "group": "main"},
    {"url_pattern": "/api/items", "method": "POST", "extra_config": {"proxy": {"shadow": true, "shadow_timeout": "5s"}}},
    {"host": ["http://127.0.0.1:$DEAD"], "url_pattern": "/dead", "extra_config": {"proxy": {"shadow": true}}}]},
 {"endpoint": "/shadow/only", "backend": [{"url_pattern": "/__echo/x", "extra_config": {"proxy": {"shadow": true}}}]},
 {"endpoint": "/conc", "concurrent_calls": 3, "backend": [{"url_pattern": "/delayed/conc"}]},
 {"endpoint": "/conc/dead", "concurrent_calls": 3,
  "backend": [{"host": ["http://127.0.0.1:$DEAD"], "url_pattern": "/x"}]}
]}
EOF

e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB" --quiet
e2e_wait_http "$B/__echo/" 10 || { e2e_fail "mock-backend starts"; e2e_finish; exit 1; }
"$BIN_DIR/gateway" check -c "$E2E_WORK/krakend.json" >"$E2E_WORK/check.log" 2>&1
e2e_eq "check accepts the config" 0 $?
if grep -q 'not supported' "$E2E_WORK/check.log"; then
    e2e_fail "check names no proxy/graphql option as unsupported" "$(grep 'not supported' "$E2E_WORK/check.log")"
else
    e2e_pass "check names no proxy/graphql option as unsupported"
fi
e2e_contains "check warns that every backend of /shadow/only is a shadow" "every backend is a shadow backend" \
    "$(cat "$E2E_WORK/check.log")"
e2e_start gateway "$BIN_DIR/gateway" run -c "$E2E_WORK/krakend.json"
e2e_wait_http "http://127.0.0.1:$GW/__health" 10 || { e2e_fail "gateway starts" "$(tail -5 "$E2E_WORK/gateway.log")"; e2e_finish; exit 1; }
G="http://127.0.0.1:$GW"

# ---- flatmap_filter ----
e2e_curl "$G/fm/backend"
e2e_eq "backend flatmap: promote, embed and delete on the echo (allow is off)" \
    "200 {\"ua\":[\"KrakenD Version $("$BIN_DIR/gateway" version 2>&1 | sed -n 's/^KrakenD Version: //p' | head -n1)\"],\"where\":{\"path\":\"/__echo/fm\"}}" \
    "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/fm/endpoint"
e2e_eq "endpoint flatmap on the merged response" '200 {"pa":"/__echo/a","pb":"/__echo/b"}' "$E2E_STATUS $E2E_BODY"
e2e_eq "endpoint flatmap: completed" "true" "$(e2e_header X-Krakend-Completed)"
e2e_curl "$G/fm/partial"
e2e_eq "a partial merge is returned untransformed" "200 /__echo/a false" \
    "$E2E_STATUS $(jq -r .a.path <<<"$E2E_BODY") $(e2e_header X-Krakend-Completed)"

# ---- sequential_propagated_params, seen through GraphQL variables ----
e2e_curl "$G/seq/params"
vars=$(jq -c '.second.body | fromjson | .variables' <<<"$E2E_BODY")
e2e_eq "propagated params: Resp0_first.method from the first response" '"GET"' "$(jq -c .m <<<"$vars")"
e2e_eq "propagated params: a missing key stops the walk where it is, the last key is read there" \
    "map[body:" "$(jq -r .quirk <<<"$vars" | cut -c1-9)"
e2e_contains "propagated params: a list value is joined with commas" "KrakenD Version" "$(jq -r .ua <<<"$vars")"
e2e_eq "propagated params: a source beyond the backends is dropped" '""' "$(jq -c .none <<<"$vars")"
e2e_curl "$G/seq/full"
e2e_eq "Resp0: the whole body of a no-op backend" "/__echo/raw" \
    "$(jq -r '.second.body | fromjson | .variables.whole | fromjson | .path' <<<"$E2E_BODY")"

# ---- backend/graphql ----
e2e_curl "$G/gql/query/abc?x=1"
e2e_eq "graphql query: POST to the backend" "POST" "$(jq -r .method <<<"$E2E_BODY")"
e2e_eq "graphql query: the body KrakenD builds (field order, sorted variables, float64, HTML escaping)" \
    '{"query":"query Items($n: Int) { items(first: $n) { id } }","operationName":"Items","variables":{"id":"abc","missing":"","n":10,"s":"\u003c\u0026\u003e"}}' \
    "$(jq -r .body <<<"$E2E_BODY")"
e2e_eq "graphql query: Content-Type and Content-Length" \
    "application/json $(jq -r '.body | length' <<<"$E2E_BODY")" \
    "$(jq -r '.headers["Content-Type"][0]' <<<"$E2E_BODY") $(jq -r '.headers["Content-Length"][0]' <<<"$E2E_BODY")"
e2e_curl -X POST "$G/gql/mutation" -H 'Content-Type: text/plain' --data '{"a": 1.0, "id": "client"}'
e2e_eq "graphql mutation: the client's object wins, configured variables fill in, method POST" \
    'POST {"query":"mutation M($a: Int) { m(a: $a) }","variables":{"a":1,"b":true,"id":"client"}} application/json' \
    "$(jq -r '.method + " " + .body + " " + .headers["Content-Type"][0]' <<<"$E2E_BODY")"
e2e_curl -X POST "$G/gql/mutation" --data '[1]'
e2e_eq "graphql mutation: a body that is not an object fails the backend" "500" "$E2E_STATUS"
e2e_curl -X POST "$G/gql/mutation"
e2e_eq "graphql mutation: an empty body fails the backend" "500" "$E2E_STATUS"
e2e_curl "$G/gql/get"
e2e_eq "graphql GET: no body, and (as in KrakenD) no query parameters either" 'GET "" {} application/json' \
    "$(jq -r '.method + " " + (.body|tojson) + " " + (.query|tojson) + " " + .headers["Content-Type"][0]' <<<"$E2E_BODY")"

# ---- shadow ----
e2e_curl -X POST "$G/shadow" -H 'Content-Type: application/json' --data '{"name":"shadowed"}'
e2e_eq "shadow: only the regular backend's data is returned, complete" "200 /__echo/main true" \
    "$E2E_STATUS $(jq -r '.main.path' <<<"$E2E_BODY") $(e2e_header X-Krakend-Completed)"
e2e_eq "shadow: nothing of the shadow backends is merged" '["main"]' "$(jq -c keys <<<"$E2E_BODY")"
found=""
for _ in $(seq 100); do
    found=$(curl -s "$B/api/items" | jq -r '.[] | select(.name == "shadowed") | .name')
    [ -n "$found" ] && break
    sleep 0.1
done
e2e_eq "shadow: the shadow backend received the request and its (copied) body" "shadowed" "$found"
e2e_curl "$G/shadow/only"
e2e_eq "only shadow backends: 500, empty body, no X-Krakend (proxyBuildFailedHandler)" "500||" \
    "$E2E_STATUS|$E2E_BODY|$(e2e_header X-Krakend)"
grep -q 'Calling the ProxyFactory all endpoints must have at least one backend' "$E2E_WORK/gateway.log"
e2e_eq "only shadow backends: the ERROR KrakenD logs at startup" 0 $?

# ---- concurrent_calls: three attempts in flight (the backend holds each 200 ms), the first
# complete answer wins and the others are cancelled ----
e2e_curl "$G/conc"
e2e_eq "concurrent_calls 3: one answer for the client, complete" "200 /delayed/conc true" \
    "$E2E_STATUS $(jq -r .path <<<"$E2E_BODY") $(e2e_header X-Krakend-Completed)"
e2e_curl "$G/conc/dead"
e2e_eq "concurrent_calls 3: every attempt failing is the backend's failure" 500 "$E2E_STATUS"
e2e_finish
