#!/usr/bin/env bash
# validation.sh - validation/json-schema and validation/cel end to end: what the client gets and
# what the backend (mock-backend's echo) actually received, at endpoint and backend level.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

read -r MB_PORT GW_PORT < <(e2e_ports 2 | tr '\n' ' ')
e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB_PORT" --quiet
e2e_wait_http "http://127.0.0.1:$MB_PORT/__echo/" 10 || { e2e_fail "mock-backend starts"; e2e_finish; exit 1; }
B="http://127.0.0.1:$MB_PORT"
cat >"$E2E_WORK/krakend.json" <<JSON
{"version": 3, "port": $GW_PORT,
 "extra_config": {"router": {"return_error_msg": true}},
 "endpoints": [
  {"endpoint": "/schema", "method": "POST", "input_headers": ["Content-Type"], "output_encoding": "no-op",
   "extra_config": {"validation/json-schema": {"type": "object", "required": ["name"],
     "properties": {"name": {"type": "string", "minLength": 2}}}},
   "backend": [{"host": ["$B"], "url_pattern": "/__echo/schema", "encoding": "no-op"}]},
  {"endpoint": "/broken-schema", "method": "POST", "output_encoding": "no-op",
   "extra_config": {"validation/json-schema": {"type": 12}},
   "backend": [{"host": ["$B"], "url_pattern": "/__echo/broken", "encoding": "no-op"}]},
  {"endpoint": "/celpost", "method": "GET",
   "extra_config": {"validation/cel": [{"check_expr": "resp_data.method == 'POST'"}]},
   "backend": [{"host": ["$B"], "url_pattern": "/__echo/p"}]},
  {"endpoint": "/celbpost", "method": "GET",
   "backend": [{"host": ["$B"], "url_pattern": "/__echo/p", "group": "p"},
    {"host": ["$B"], "url_pattern": "/__echo/q", "group": "q",
     "extra_config": {"validation/cel": [{"check_expr": "resp_data.q.method == 'POST'"}]}}]},
  {"endpoint": "/cel/{id}", "method": "GET", "input_headers": ["X-Flag"],
   "input_query_strings": ["q"],
   "extra_config": {"validation/cel": [
     {"check_expr": "int(req_params.Id) < 100"},
     {"check_expr": "has(resp_data.one)"}]},
   "backend": [
    {"host": ["$B"], "url_pattern": "/__echo/one/{id}", "group": "one",
     "extra_config": {"validation/cel": [
       {"check_expr": "req_path == '/__echo/one/' + req_params.Id && req_querystring.q == ['1']"},
       {"check_expr": "resp_data.one.path.startsWith('/__echo/one/')"}]}},
    {"host": ["$B"], "url_pattern": "/__echo/two", "group": "two",
     "extra_config": {"validation/cel": [
       {"check_expr": "'yes' in req_headers['X-Flag']"}]}}]}
 ]}
JSON
e2e_start gateway "$BIN_DIR/gateway" run -c "$E2E_WORK/krakend.json"
e2e_wait_http "http://127.0.0.1:$GW_PORT/__health" 10 || {
    e2e_fail "gateway starts" "$(tail -n 20 "$E2E_WORK/gateway.log")"
    e2e_curl "$G/celpost"
e2e_eq "cel: the endpoint's post check fails: the answer is dropped, a 500" \
    "500 request aborted by evaluator #0" "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/celbpost"
e2e_eq "cel: a backend's post check fails: its data is dropped, the answer partial" \
    '200 false ["p"]' "$E2E_STATUS $(e2e_header X-Krakend-Completed) $(printf '%s' "$E2E_BODY" | jq -c keys)"
e2e_finish
    exit 1
}
G="http://127.0.0.1:$GW_PORT"

# ---- validation/json-schema ----
body='{"name": "ann",  "extra": [1, 2.50]}'
e2e_curl "$G/schema" -H 'Content-Type: application/json' --data-binary "$body"
e2e_eq "schema: a valid body goes on" 200 "$E2E_STATUS"
e2e_eq "schema: the backend receives the same bytes" "$body" "$(printf '%s' "$E2E_BODY" | jq -r .body)"
e2e_curl "$G/schema" -H 'Content-Type: application/json' --data-binary '{"name": "a", "n": 1}'
e2e_eq "schema: an invalid body is a 400" 400 "$E2E_STATUS"
e2e_eq "schema: the cause lines are the body" "- at '/name': minLength: got 1, want 2" "$E2E_BODY"
e2e_eq "schema: text/plain" "text/plain; charset=utf-8" "$(e2e_header Content-Type)"
e2e_eq "schema: not completed" "false" "$(e2e_header X-Krakend-Completed)"
e2e_curl "$G/schema" -X POST
e2e_eq "schema: an empty body is a 400" "400 could not validate an empty body" "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/schema" --data-binary '{"name": '
e2e_eq "schema: a truncated body is a 400" 400 "$E2E_STATUS"
e2e_curl "$G/broken-schema" --data-binary 'not even JSON'
e2e_eq "schema: a schema that does not compile validates nothing (as KrakenD)" 200 "$E2E_STATUS"
e2e_contains "schema: ... and says so at startup" "[ENDPOINT: /broken-schema][JSONSchema] Parsing the definition:" \
    "$(cat "$E2E_WORK/gateway.log")"

# ---- validation/cel ----
e2e_curl "$G/cel/7?q=1&r=2" -H 'X-Flag: yes'
e2e_eq "cel: every check passes" "200 true" "$E2E_STATUS $(e2e_header X-Krakend-Completed)"
e2e_eq "cel: both backends answered, the filtered query reached them" "/__echo/one/7 q=1 /__echo/two q=1" \
    "$(printf '%s' "$E2E_BODY" | jq -r '[.one.path, .one.raw_query, .two.path, .two.raw_query] | join(" ")')"
e2e_curl "$G/cel/7?q=1"
e2e_eq "cel: backend two's pre check fails: a partial answer" "200 false" "$E2E_STATUS $(e2e_header X-Krakend-Completed)"
e2e_eq "cel: ... with backend one's data only" '["one"]' "$(printf '%s' "$E2E_BODY" | jq -c keys)"
e2e_curl "$G/cel/7?q=2" -H 'X-Flag: yes'
# spec §6.5 trap: a merge that carries an error is returned as it is, without the post checks
e2e_eq "cel: backend one's pre check fails: partial answer, endpoint post check skipped" \
    '200 false ["two"]' "$E2E_STATUS $(e2e_header X-Krakend-Completed) $(printf '%s' "$E2E_BODY" | jq -c keys)"
e2e_curl "$G/cel/700?q=1" -H 'X-Flag: yes'
e2e_eq "cel: the endpoint's pre check fails: no backend, a 500 with the evaluator" \
    "500 request aborted by evaluator #0" "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/cel/abc?q=1" -H 'X-Flag: yes'
e2e_eq "cel: an evaluation error (int('abc')) rejects too" "500 request aborted by evaluator #0" \
    "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/celpost"
e2e_eq "cel: the endpoint's post check fails: the answer is dropped, a 500" \
    "500 request aborted by evaluator #0" "$E2E_STATUS $E2E_BODY"
e2e_curl "$G/celbpost"
e2e_eq "cel: a backend's post check fails: its data is dropped, the answer partial" \
    '200 false ["p"]' "$E2E_STATUS $(e2e_header X-Krakend-Completed) $(printf '%s' "$E2E_BODY" | jq -c keys)"
e2e_finish
