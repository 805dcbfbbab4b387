#!/usr/bin/env bash
# gateway_cli.sh - the gateway's command line as KrakenD users drive it: `check` on every
# real-world config (accepted, or refused where KrakenD refuses), exit codes and messages of
# check/run/version/help and bad flags, and `run` on each real config answering /__health
# although its backends and JWKS hosts do not resolve.
set -u
. "$(dirname "$0")/lib.sh"

KRAKEND="$BIN_DIR/krakend"
GATEWAY="$BIN_DIR/gateway"
REAL="$SHARED_DIR/conformance/krakend-ce/real-configs"
FIXTURE="$SHARED_DIR/conformance/krakend-ce/krakend-ce-fixture-krakend.json"

# run_cmd NAME CMD...: runs CMD, leaving its exit code in RC and stdout+stderr in OUT.
run_cmd() {
    shift
    OUT=$("$@" 2>&1)
    RC=$?
}

# KrakenD 2.x refuses what is not version 3 (MANIFEST.tsv features column: version=N).
expected_version() {
    awk -F'\t' -v f="$1" '$4 == f { if (match($5, /version=[0-9]+/)) print substr($5, RSTART + 8, RLENGTH - 8) }' \
        "$REAL/MANIFEST.tsv"
}

# The project's own config for the flag checks below (the shared fixture is not always here).
cat >"$E2E_WORK/own.json" <<'EOF'
{"version": 3, "host": ["http://127.0.0.1:19"],
 "endpoints": [{"endpoint": "/own/{a}/{b}", "backend": [{"url_pattern": "/{a}"}]}]}
EOF

# ---- check on every real-world config ----
HAVE_SHARED=0
e2e_have_shared "check and run on the real-world configs and CE's fixture" && HAVE_SHARED=1
n_real=0
for f in "$REAL"/*.json; do
    [ $HAVE_SHARED = 1 ] || break
    name=$(basename "$f")
    n_real=$((n_real + 1))
    v=$(expected_version "$name")
    run_cmd check "$KRAKEND" check -c "$f"
    e2e_contains "check $name: parsing line" "Parsing configuration file: $f" "$OUT"
    if [ "${v:-3}" = 3 ]; then
        e2e_eq "check $name: exit 0" 0 "$RC"
        e2e_contains "check $name: Syntax OK!" "Syntax OK!" "$OUT"
    else
        e2e_eq "check $name: refused (version $v), exit 1" 1 "$RC"
        e2e_contains "check $name: says why" "unsupported version: $v (want: 3)" "$OUT"
    fi
done
if [ $HAVE_SHARED = 1 ]; then
    [ "$n_real" -ge 9 ] && e2e_pass "found $n_real real configs" || e2e_fail "real configs missing in $REAL"

    run_cmd check "$KRAKEND" check -c "$FIXTURE"
    e2e_eq "check CE fixture config: exit 0" 0 "$RC"

    # warnings are printed but never change the exit code
    run_cmd check "$KRAKEND" check -c "$REAL/krakend__playground-community__config_krakend_krakend.json"
    e2e_eq "warnings keep exit 0" 0 "$RC"
    e2e_contains "unsupported namespaces listed" '"telemetry/opencensus" is not supported' "$OUT"
    # the namespaces it uses that the gateway implements: no warning names them
    e2e_eq "implemented namespaces not warned about" "" \
        "$(printf '%s\n' "$OUT" |
            grep -E '"(security/cors|qos/[a-z/-]*|auth/(revoker|signer)|backend/graphql)"' || true)"
fi

# a security namespace this gateway does not apply (an Enterprise one, never in CE) is named
cat >"$E2E_WORK/unsupported.json" <<'EOF2'
{"version": 3, "host": ["http://127.0.0.1:19"], "extra_config": {"security/policies": {}},
 "endpoints": [{"endpoint": "/a", "backend": [{"url_pattern": "/"}]}]}
EOF2
run_cmd check "$KRAKEND" check -c "$E2E_WORK/unsupported.json"
e2e_eq "unsupported security namespace: still exit 0" 0 "$RC"
e2e_contains "unsupported security namespace named" \
    'WARNING: extra_config namespace "security/policies" is not supported by this gateway and is ignored: that security feature is NOT applied' "$OUT"

# the misspelt validator namespace seen in the wild (spec §1.6, §8)
cat >"$E2E_WORK/misspelt.json" <<'EOF'
{"version": 3, "host": ["http://127.0.0.1:19"],
 "endpoints": [{"endpoint": "/private", "backend": [{"url_pattern": "/"}],
   "extra_config": {"github_com/devopsfaith/krakend-jose/validator": {"alg": "RS256"}}}]}
EOF
run_cmd check "$KRAKEND" check -c "$E2E_WORK/misspelt.json"
e2e_eq "misspelt validator: still exit 0" 0 "$RC"
e2e_contains "misspelt validator: an ERROR naming the unprotected endpoint" \
    'did you mean "auth/validator"?): it is ignored, so the endpoint GET /private is NOT protected by auth/validator' "$OUT"

# validator blocks: what stops KrakenD is an error, what KrakenD starts with is a warning (§4.1)
cat >"$E2E_WORK/validators.json" <<'EOF'
{"version": 3, "host": ["http://127.0.0.1:19"],
 "endpoints": [
  {"endpoint": "/a", "backend": [{"url_pattern": "/"}],
   "extra_config": {"auth/validator": {"alg": "RS257", "jwk_url": "https://idp.test/jwks"}}},
  {"endpoint": "/b", "backend": [{"url_pattern": "/"}],
   "extra_config": {"auth/validator": {"alg": "RS256", "jwk_url": "http://idp.test/jwks"}}}]}
EOF
run_cmd check "$KRAKEND" check -c "$E2E_WORK/validators.json"
e2e_eq "check unknown validator alg: exit 1" 1 "$RC"
e2e_contains "check unknown validator alg: message" \
    "endpoints[0].extra_config.auth/validator: JOSE: unknown algorithm RS257" "$OUT"
run_cmd run "$KRAKEND" run -c "$E2E_WORK/validators.json" -p "$(e2e_ports 1)"
e2e_eq "run unknown validator alg: exit 1 (KrakenD's logger.Fatal)" 1 "$RC"
sed -i 's/RS257/RS256/' "$E2E_WORK/validators.json"
run_cmd check "$KRAKEND" check -c "$E2E_WORK/validators.json"
e2e_eq "check insecure jwk_url: still exit 0" 0 "$RC"
e2e_contains "check insecure jwk_url: warns that the endpoint answers 401" \
    "JWK client is using an insecure connection to the JWK service: the endpoint GET /b will answer 401 to every request" "$OUT"

# ---- refusals and exit codes (spec §5) ----
printf '{"version": 2, "endpoints": []}\n' >"$E2E_WORK/v2.json"
cat >"$E2E_WORK/bad_host.json" <<'EOF'
{"version": 3,
 "endpoints": [
  {"endpoint": "/a", "backend": [{"url_pattern": "/", "host": ["http://a.b/c"]}]}
 ]}
EOF
run_cmd check "$KRAKEND" check -c "$E2E_WORK/v2.json"
e2e_eq "check version 2: exit 1" 1 "$RC"
e2e_contains "check version 2: message" "ERROR parsing the configuration file:	" "$OUT"
e2e_contains "check version 2: reason and line" "version (line 1): unsupported version: 2 (want: 3)" "$OUT"
run_cmd check "$KRAKEND" check -c "$E2E_WORK/bad_host.json"
e2e_eq "check invalid host: exit 1" 1 "$RC"
e2e_contains "check invalid host: JSON path and line" \
    "endpoints[0].backend[0].host[0] (line 3): host http://a.b/c not valid: invalid host" "$OUT"
run_cmd check "$KRAKEND" check -c "$E2E_WORK/missing.json"
e2e_eq "check missing file: exit 1" 1 "$RC"
run_cmd check "$KRAKEND" check
e2e_eq "check without -c: exit 1" 1 "$RC"
run_cmd check "$KRAKEND" validate --config="$E2E_WORK/own.json" -ddd
e2e_eq "validate alias with --config= and -ddd: exit 0" 0 "$RC"
e2e_contains "check -d dumps the config" "Endpoint: /own/{a}/{b}, Method: GET" "$OUT"
if [ $HAVE_SHARED = 1 ]; then
    run_cmd check "$KRAKEND" validate --config="$FIXTURE" -ddd
    e2e_contains "check -d dumps CE's fixture" "Endpoint: /param_forwarding/some/{foo}/{bar}, Method: GET" "$OUT"
fi

run_cmd run "$KRAKEND" run
e2e_eq "run without -c: exit 0" 0 "$RC"
e2e_contains "run without -c: message" \
    "Please, provide the path to the configuration file with --config or see all the options with --help" "$OUT"
run_cmd run "$KRAKEND" run -c "$E2E_WORK/v2.json"
e2e_eq "run invalid config: exit 255" 255 "$RC"
e2e_contains "run invalid config: message" \
    "ERROR parsing the configuration file: '$E2E_WORK/v2.json': " "$OUT"

run_cmd version "$KRAKEND" version
e2e_eq "version: exit 0" 0 "$RC"
e2e_contains "version: our version" "KrakenD Version: " "$OUT"
run_cmd version "$GATEWAY" version
e2e_eq "gateway name works too" 0 "$RC"
run_cmd help "$KRAKEND" --help
e2e_eq "--help: exit 0" 0 "$RC"
e2e_contains "--help lists run" "run         Runs the KrakenD server." "$OUT"
run_cmd help "$KRAKEND" help
e2e_eq "help: exit 0" 0 "$RC"
run_cmd bad "$KRAKEND" frobnicate
e2e_eq "unknown command: exit 255" 255 "$RC"
e2e_contains "unknown command: message" 'unknown command "frobnicate"' "$OUT"
run_cmd bad "$KRAKEND" run --frobnicate
e2e_eq "unknown flag: exit 255" 255 "$RC"
run_cmd bad "$KRAKEND" check -x -c "$E2E_WORK/own.json"
e2e_eq "unknown shorthand flag: exit 255" 255 "$RC"
run_cmd bad "$KRAKEND" run -c "$E2E_WORK/own.json" -p notaport
e2e_eq "bad port value: exit 255" 255 "$RC"

# ---- run on every real config: /__health answers although nothing upstream resolves ----
# start_gw NAME CONFIG [ARGS...]: starts `krakend run`, waits for /__health on a free port.
start_gw() {
    local name=$1 cfg=$2
    shift 2
    PORT=$(e2e_ports 1)
    e2e_start "$name" "$KRAKEND" run -c "$cfg" -p "$PORT" "$@"
    GW_PID=$E2E_LAST_PID
    e2e_wait_http "http://127.0.0.1:$PORT/__health" 10 >/dev/null 2>&1
}

for f in "$REAL"/*.json "$FIXTURE"; do
    [ $HAVE_SHARED = 1 ] || break
    name=$(basename "$f" .json)
    v=$(expected_version "$name.json")
    [ "${v:-3}" = 3 ] || continue
    # A validator's jwk_local_path that does not exist stops KrakenD (logger.Fatal, exit 1);
    # the snapshots of these repositories do not include their key files.
    lp=$(jq -r '[.. | objects | (.["auth/validator"] // .["github.com/devopsfaith/krakend-jose/validator"] // empty)
                | .jwk_local_path // empty | select(. != "")] | .[0] // empty' "$f")
    if [ -n "$lp" ] && [ ! -e "$lp" ]; then
        run_cmd run "$KRAKEND" run -c "$f" -p "$(e2e_ports 1)"
        e2e_eq "run $name: refused as KrakenD refuses it (missing $lp), exit 1" 1 "$RC"
        e2e_contains "run $name: the message names the key file" "jwk_local_path '$lp'" "$OUT"
        continue
    fi
    start_gw "$name" "$f"
    e2e_curl "http://127.0.0.1:$PORT/__health"
    e2e_eq "run $name: /__health 200" 200 "$E2E_STATUS"
    e2e_contains "run $name: health body" '"status":"ok"' "$E2E_BODY"
    e2e_stop "$GW_PID" TERM
    rc=$?
    e2e_eq "run $name: SIGTERM exits 0" 0 "$rc"
    log=$(cat "$E2E_WORK/$name.log")
    # telemetry/logging may raise the level above INFO (e.g. "error"): then no INFO lines
    if ! grep -qiE '"level": *"(warning|error|critical)"' "$f"; then
        # Lura's basic logger ("INFO: ...") or, with telemetry/logging, go-logging's default
        # pattern ("▶ INFO" + colour reset)
        if grep -qE $'(INFO: |\xe2\x96\xb6 INFO\e\\[0m )Starting KrakenD v' <<<"$log"; then
            e2e_pass "run $name: startup line"
        else
            e2e_fail "run $name: startup line" "no INFO 'Starting KrakenD v' line in: $(head -c 400 <<<"$log")"
        fi
        e2e_contains "run $name: listening line" "[SERVICE: Gin] Listening on port: $PORT" "$log"
    fi
    e2e_contains "run $name: signal line" "Signal intercepted: terminated" "$log"
done

# KRAKEND_* overrides (koanf: set even when absent) and -d enabling /__debug/
cat >"$E2E_WORK/plain.json" <<'EOF'
{"version": 3, "endpoints": [{"endpoint": "/x", "backend": [{"url_pattern": "/", "host": ["http://127.0.0.1:19"]}]}]}
EOF
PORT=$(e2e_ports 1)
E2E_ENV_PORT=$PORT
KRAKEND_PORT=$PORT e2e_start envport "$KRAKEND" run -c "$E2E_WORK/plain.json"
GW_PID=$E2E_LAST_PID
e2e_wait_http "http://127.0.0.1:$E2E_ENV_PORT/__health" 10 >/dev/null 2>&1
e2e_curl "http://127.0.0.1:$E2E_ENV_PORT/x"
[ "$E2E_STATUS" != 000 ] && e2e_pass "KRAKEND_PORT sets the port" ||
    e2e_fail "KRAKEND_PORT sets the port" "nothing answers on $E2E_ENV_PORT"
log=$(cat "$E2E_WORK/envport.log")
e2e_contains "KRAKEND_PORT: listening line" "Listening on port: $E2E_ENV_PORT" "$log"
e2e_contains "log written as it happens (file), default prefix and level" \
    "KRAKEND DEBUG: " "$log"
e2e_stop "$GW_PID" INT
e2e_eq "SIGINT exits 0" 0 "$?"
e2e_contains "SIGINT logged" "Signal intercepted: interrupt" "$(cat "$E2E_WORK/envport.log")"

start_gw debug "$E2E_WORK/plain.json" -d
e2e_curl "http://127.0.0.1:$PORT/__debug/hello"
e2e_eq "-d enables /__debug/" 200 "$E2E_STATUS"
e2e_stop "$GW_PID" TERM
start_gw nodebug "$E2E_WORK/plain.json"
e2e_curl "http://127.0.0.1:$PORT/__debug/hello"
e2e_eq "without -d /__debug/ is 404" 404 "$E2E_STATUS"
e2e_stop "$GW_PID" TERM

# The README quotes `gateway --help` and `gateway version`: they must be what the program prints.
want=$(awk '/^\$ gateway --help$/ { on = 1; next } on && /^```/ { exit } on' "$SRC_DIR/README.md")
e2e_eq "README's gateway --help is the program's" "$want" "$("$BIN_DIR/gateway" --help 2>&1)"
ver=$("$BIN_DIR/gateway" version 2>&1)
e2e_contains "README's version row quotes the first line" "\`$(head -n1 <<<"$ver")\`" "$(cat "$SRC_DIR/README.md")"
e2e_contains "README's version row quotes the second line" "\`$(tail -n1 <<<"$ver")\`" "$(cat "$SRC_DIR/README.md")"

e2e_finish
