#!/usr/bin/env bash
# mock_backend.sh - drives a real mock-backend with curl: the guide's items API, echo, scripted
# faults, KrakenD CE's backend routes, 100 and 1000 concurrent delayed requests, clean SIGTERM.
set -u
. "$(dirname "$0")/lib.sh"

MB="$BIN_DIR/mock-backend"
JWK_FILE="$SHARED_DIR/conformance/krakend-ce/mock-backend-jwk-symmetric.json"

# --- command line --------------------------------------------------------------------------
"$MB" --help >"$E2E_WORK/help.txt" 2>&1
e2e_eq "--help exits 0" 0 $?
e2e_contains "--help documents --port" "--port" "$(cat "$E2E_WORK/help.txt")"
"$MB" --port 70000 >/dev/null 2>&1
e2e_eq "bad --port exits 2" 2 $?
"$MB" --frobnicate >/dev/null 2>&1
e2e_eq "unknown argument exits 2" 2 $?
OUT=$("$MB" --port 0 --files "$E2E_WORK/no-such-dir" 2>&1)
e2e_eq "--files with a missing folder exits 2 (not 404s later)" 2 $?
e2e_contains "... naming the folder and why" "--files $E2E_WORK/no-such-dir: No such file or directory" "$OUT"
OUT=$("$MB" --port 0 --files "$E2E_WORK/help.txt" 2>&1)
e2e_eq "--files with a plain file exits 2" 2 $?
e2e_contains "... saying it is not a directory" "--files $E2E_WORK/help.txt: not a directory" "$OUT"

# --- start on an ephemeral port, read it from the startup line ------------------------------
e2e_start mb "$MB" --port 0 --bind 127.0.0.1
MB_PID=$E2E_LAST_PID
PORT=""
for _ in $(seq 100); do
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$E2E_WORK/mb.log")
    [ -n "$PORT" ] && break
    sleep 0.05
done
if [ -z "$PORT" ]; then
    e2e_fail "startup line names the port" "$(cat "$E2E_WORK/mb.log")"
    e2e_finish
    exit 1
fi
U="http://127.0.0.1:$PORT"
e2e_wait_http "$U/" 10
NL=$'\n' # Go's json.Encoder and http.Error end their bodies with a newline

# --- the guide's items API -------------------------------------------------------------------
WIDGET='{"id": 10, "name": "Widget", "description": "A test item"}'
# the guide's first curl, as written (apart from the port)
E2E_BODY=$(curl -s --location "http://localhost:$PORT/api/items" \
    --header 'Content-Type: application/json' \
    --data '{"name":"Widget","description":"A test item"}')
e2e_eq "guide curl returns the Widget with id 10" "$WIDGET" "$E2E_BODY"

e2e_curl -X POST "$U/api/items" --header 'Content-Type: application/json'
e2e_eq "POST without body: 200" 200 "$E2E_STATUS"
e2e_eq "POST without body: the guide's sample" "$WIDGET" "$E2E_BODY"
e2e_curl -X POST "$U/api/items" -H 'Content-Length: 0' -H 'Content-Type: text/plain'
e2e_eq "POST with Content-Length 0: the guide's sample" "200 $WIDGET" "$E2E_STATUS $E2E_BODY"

e2e_curl "$U/api/items" -H 'Content-Type: application/json' --data '{"name":"Gadget","qty":3}'
e2e_eq "create: 201" 201 "$E2E_STATUS"
e2e_eq "create: id 11" '{"id": 11, "name": "Gadget", "qty": 3}' "$E2E_BODY"
e2e_eq "create: Location" "/api/items/11" "$(e2e_header Location)"
e2e_curl "$U/api/items"
e2e_eq "list: the two created items" "[$WIDGET, {\"id\": 11, \"name\": \"Gadget\", \"qty\": 3}]" \
    "$E2E_BODY"
e2e_curl "$U/api/items/10"
e2e_eq "get one" "200 $WIDGET" "$E2E_STATUS $E2E_BODY"
e2e_curl -X PUT "$U/api/items/11" -d '{"name":"Gizmo"}'
e2e_eq "replace" '200 {"id": 11, "name": "Gizmo"}' "$E2E_STATUS $E2E_BODY"
e2e_curl -X DELETE "$U/api/items/11"
e2e_eq "delete returns the item" '200 {"id": 11, "name": "Gizmo"}' "$E2E_STATUS $E2E_BODY"
e2e_curl "$U/api/items/11"
e2e_eq "deleted item: 404 JSON" '404 {"error": "item not found"}' "$E2E_STATUS $E2E_BODY"
e2e_curl "$U/api/items/999"
e2e_eq "unknown id: 404" 404 "$E2E_STATUS"

e2e_curl "$U/api/items" -d '{"name":'
e2e_eq "invalid JSON: 400" 400 "$E2E_STATUS"
e2e_eq "invalid JSON: JSON error" "true" "$(jq -r 'has("error")' <<<"$E2E_BODY" 2>&1)"
e2e_curl "$U/api/items" -d '[1,2,3]'
e2e_eq "non-object: 400" '400 {"error": "the body must be a JSON object"}' "$E2E_STATUS $E2E_BODY"
e2e_curl -X PATCH "$U/api/items/10" -d '{}'
e2e_eq "wrong method: 405" 405 "$E2E_STATUS"
e2e_eq "wrong method: Allow" "GET, HEAD, PUT, DELETE" "$(e2e_header Allow)"
head -c 1100000 /dev/zero | tr '\0' 'a' >"$E2E_WORK/big.txt"
e2e_curl "$U/api/items" -H 'Content-Type: application/json' --data-binary @"$E2E_WORK/big.txt"
e2e_eq "body over 1 MiB: 413" 413 "$E2E_STATUS"

# --- echo ------------------------------------------------------------------------------------
e2e_curl -X PUT "$U/__echo/some/path?a=1&a=2&b=x+y" -H 'X-Multi: one' -H 'X-Multi: two' \
    -H 'Content-Type: text/plain' --data-binary 'hello <world>'
e2e_eq "echo: 200" 200 "$E2E_STATUS"
e2e_eq "echo: method" PUT "$(jq -r .method <<<"$E2E_BODY")"
e2e_eq "echo: path" /__echo/some/path "$(jq -r .path <<<"$E2E_BODY")"
e2e_eq "echo: query, all values in order" '{"a":["1","2"],"b":["x y"]}' \
    "$(jq -c .query <<<"$E2E_BODY")"
e2e_eq "echo: header, all values" '["one","two"]' "$(jq -c '.headers["X-Multi"]' <<<"$E2E_BODY")"
e2e_eq "echo: body" 'hello <world>' "$(jq -r .body <<<"$E2E_BODY")"
e2e_eq "echo: raw header names kept" '["X-Multi","one"]' \
    "$(jq -c '[.raw_headers[] | select(.[0]=="X-Multi")][0]' <<<"$E2E_BODY")"

# --- scripted faults -------------------------------------------------------------------------
# Delays are checked without tolerance below: a held answer never leaves early (mb_delay rounds
# the start up to a whole ms; time_total adds curl's own connect and send on top), and a slow,
# loaded machine only makes it later, which the 3 s bound allows for.
T=$(curl -s -o /dev/null -w '%{time_total}' -H 'X-Mock-Delay-Ms: 400' "$U/__echo/")
e2e_eq "X-Mock-Delay-Ms 400 holds the answer >= 0.4 s" 1 "$(awk -v t="$T" 'BEGIN{print (t>=0.4 && t<3)}')"
e2e_curl -H 'X-Mock-Status: 503' -H 'X-Mock-Body: {"down":true}' "$U/api/items"
e2e_eq "X-Mock-Status and X-Mock-Body" '503 {"down":true}' "$E2E_STATUS $E2E_BODY"
curl -s -o /dev/null -H 'X-Mock-Close: 1' "$U/api/items"
e2e_eq "X-Mock-Close: connection closed without an answer (curl 52)" 52 $?
e2e_curl -H 'X-Mock-Delay-Ms: 999999' "$U/__echo/"
e2e_eq "delay past 60000 ms: 400" 400 "$E2E_STATUS"

# --- KrakenD CE integration backend routes ---------------------------------------------------
e2e_curl "$U/param_forwarding/bar?foo=foo" -H 'X-Forwarded-For: 127.0.0.1' \
    -H 'User-Agent: KrakenD Version 2.13.8' -H 'Accept-Encoding: gzip' -H 'Accept:' \
    -H 'X-Forwarded-Host: localhost:8080'
e2e_eq "CE echo: Go's bytes" \
    '{"foo":42,"headers":{"Accept-Encoding":["gzip"],"User-Agent":["KrakenD Version 2.13.8"],"X-Forwarded-Host":["localhost:8080"]},"path":"/param_forwarding/bar","query":{"foo":["foo"]}}'"$NL" \
    "$E2E_BODY"
e2e_eq "CE echo: Content-Type" "application/json" "$(e2e_header Content-Type)"
e2e_eq "CE echo: two Set-Cookie" 2 "$(grep -ci '^Set-Cookie:' "$E2E_WORK/last.headers")"
e2e_curl "$U/param_forwarding/bar"
e2e_eq "CE route without X-Forwarded-For: 400" "400 invalid X-Forwarded-For$NL" \
    "$E2E_STATUS $E2E_BODY"
e2e_curl "$U/collection/1" -H 'X-Forwarded-For: 10.0.0.1'
e2e_eq "CE route with a remote X-Forwarded-For: 400" 400 "$E2E_STATUS"
curl -s "$U/jwk/symmetric" >"$E2E_WORK/jwk.json"
printf '\n' >>"$E2E_WORK/jwk.json" # the saved copy ends with a newline; Go's literal does not
if ! e2e_have_shared "/jwk/symmetric compared with CE's JWKS"; then :
elif cmp -s "$E2E_WORK/jwk.json" "$JWK_FILE"; then e2e_pass "/jwk/symmetric serves CE's JWKS"; else
    e2e_fail "/jwk/symmetric serves CE's JWKS" "$(diff "$E2E_WORK/jwk.json" "$JWK_FILE")"; fi
e2e_curl "$U/redirect/?status=302" -H 'X-Forwarded-For: 127.0.0.1'
e2e_eq "redirect: 302" 302 "$E2E_STATUS"
e2e_eq "redirect: Location" "/param_forwarding/?status=302" "$(e2e_header Location)"
e2e_curl -L "$U/redirect/?status=307" -H 'X-Forwarded-For: 127.0.0.1'
e2e_eq "redirect followed to the echo" /param_forwarding/ "$(jq -r .path <<<"$E2E_BODY")"
T=$(curl -s -o /dev/null -w '%{time_total}' -H 'X-Forwarded-For: 127.0.0.1' "$U/delayed/")
e2e_eq "/delayed/ answers after >= 0.2 s" 1 "$(awk -v t="$T" 'BEGIN{print (t>=0.2 && t<3)}')"
e2e_curl "$U/unknown"
e2e_eq "unknown route: Go's 404" "404 404 page not found$NL" "$E2E_STATUS $E2E_BODY"
e2e_eq "unknown route: text/plain" "text/plain; charset=utf-8" "$(e2e_header Content-Type)"
e2e_eq "unknown route: nosniff" "nosniff" "$(e2e_header X-Content-Type-Options)"

# --- concurrency: delayed requests hold no thread each ---------------------------------------
# parallel N DELAY_MS CURLS: N requests held DELAY_MS each, sent at once by CURLS curl processes
# (curl -Z runs up to 300 transfers in parallel); prints "answered-200-count elapsed-ms".
parallel() {
    local delay=$2 procs=$3 per=$(($1 / $3)) pids=() start end k i urls
    start=$(date +%s%N)
    for k in $(seq "$procs"); do
        urls=()
        for i in $(seq "$per"); do urls+=(-o /dev/null "$U/__echo/c$k-$i"); done
        curl -s --no-progress-meter -Z --parallel-max "$per" --max-time 60 -w '%{http_code}\n' \
            -H "X-Mock-Delay-Ms: $delay" "${urls[@]}" >"$E2E_WORK/par.$k" &
        pids+=($!)
    done
    wait "${pids[@]}" # not a bare wait: mock-backend itself is a background child
    end=$(date +%s%N)
    echo "$(cat "$E2E_WORK"/par.* | grep -c '^200$') $(((end - start) / 1000000))"
    rm -f "$E2E_WORK"/par.*
}
read -r OK MS < <(parallel 100 1000 1)
e2e_eq "100 concurrent 1 s delays: all answered" 100 "$OK"
e2e_eq "100 concurrent 1 s delays: in parallel (${MS} ms; one at a time: 100 s)" 1 \
    "$([ "$MS" -lt 8000 ] && echo 1 || echo 0)"
read -r OK MS < <(parallel 1000 1000 4)
e2e_eq "1000 concurrent 1 s delays: all answered" 1000 "$OK"
e2e_eq "1000 concurrent 1 s delays: in parallel (${MS} ms; one at a time: 1000 s)" 1 \
    "$([ "$MS" -lt 20000 ] && echo 1 || echo 0)"

# --- access log ------------------------------------------------------------------------------
e2e_contains "one log line per request" "POST /api/items -> 201" "$(cat "$E2E_WORK/mb.log")"

# --- SIGTERM answers a pending delayed request, then exits 0 ---------------------------------
curl -s -o "$E2E_WORK/pending.out" -w '%{http_code}' --max-time 20 -H 'X-Mock-Delay-Ms: 30000' \
    "$U/__echo/pending" >"$E2E_WORK/pending.code" &
CURL_PID=$!
# the request must be in the server before the signal: wait for curl's connection (a loaded
# machine can take longer than any fixed sleep), then give the server a moment to read it
for _ in $(seq 100); do
    ss -Htn state established "( dport = :$PORT )" 2>/dev/null | grep -q . && break
    sleep 0.05
done
sleep 0.5
T0=$SECONDS
e2e_stop "$MB_PID" TERM
e2e_eq "SIGTERM: exit status 0" 0 $?
wait "$CURL_PID"
e2e_eq "SIGTERM: the pending delayed request was answered" 200 "$(cat "$E2E_WORK/pending.code")"
e2e_eq "SIGTERM: stopped promptly" 1 "$([ $((SECONDS - T0)) -le 5 ] && echo 1 || echo 0)"
e2e_contains "SIGTERM: logged" "stopped" "$(cat "$E2E_WORK/mb.log")"

e2e_finish
