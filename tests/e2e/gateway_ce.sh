#!/usr/bin/env bash
# gateway_ce.sh - KrakenD CE's integration cases (../shared/conformance/krakend-ce: its specs and
# fixture krakend.json) against our gateway and mock-backend. Ports and the version string are
# rewritten into a temporary copy of the fixture; tests/data/krakend-ce/skip.tsv lists the cases
# we do not run, with the reason. The `rss` case reads two feeds from http://showrss.info/: that
# host is rewritten to mock-backend, which serves feeds with the titles the case expects, so the
# decoding, group and allow run here without the Internet.
set -u
. "$(dirname "$0")/lib.sh"

e2e_need_shared "KrakenD CE's integration cases"
ce="$SHARED_DIR/conformance/krakend-ce"
read -r gp bp sp < <(e2e_ports 3 | tr '\n' ' ')
version=$("$BIN_DIR/gateway" version 2>&1 | sed -n 's/^KrakenD Version: //p' | head -n1)
[ -n "$version" ] || version=$(sed -n 's/^project([^ ]* VERSION \([0-9.]*\).*/\1/p' "$SRC_DIR/CMakeLists.txt")

# The fixture's Lua cases load KrakenD's test scripts (tests/fixtures/lua/*.lua), which the
# project does not carry: its own scripts with the same behaviour (tests/data/krakend-ce/lua,
# README there) stand in. CE_LUA_DIR points them at another copy (KrakenD's own, to check that
# they run unchanged).
lua_dir=${CE_LUA_DIR:-$SRC_DIR/tests/data/krakend-ce/lua}
sed -e "s/127\.0\.0\.1:8080/127.0.0.1:$gp/g; s/localhost:8080/localhost:$gp/g" \
    -e "s/127\.0\.0\.1:8081/127.0.0.1:$bp/g; s/\"port\": 8080/\"port\": $gp/" \
    -e "s/\"listen_address\": \":8090\"/\"listen_address\": \"127.0.0.1:$sp\"/" \
    -e "s#\"fixtures/lua/#\"$lua_dir/#g" \
    -e "s#http://showrss\.info/#http://127.0.0.1:$bp/#g" \
    "$ce/krakend-ce-fixture-krakend.json" >"$E2E_WORK/krakend.json"

e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$bp" --quiet
e2e_wait_http "http://127.0.0.1:$bp/__none" 10 || { e2e_fail "mock-backend starts"; e2e_finish; exit 1; }
USAGE_DISABLE=1 e2e_start gateway "$BIN_DIR/gateway" run -d -c "$E2E_WORK/krakend.json"
e2e_wait_http "http://127.0.0.1:$gp/__health" 10 || {
    e2e_fail "gateway starts" "$(tail -n 20 "$E2E_WORK/gateway.log")"
    e2e_finish
    exit 1
}

"$TOOLS_DIR/gw_ce_runner" --specs "$ce/krakend-ce-specs" --skip "$SRC_DIR/tests/data/krakend-ce/skip.tsv" \
    --gateway-port "$gp" --backend-port "$bp" --version "$version" ${CE_ONLY:+--only "$CE_ONLY"}
rc=$?
[ $rc -eq 0 ] || { echo "--- gateway log (tail)"; tail -n 30 "$E2E_WORK/gateway.log"; }
exit $rc
