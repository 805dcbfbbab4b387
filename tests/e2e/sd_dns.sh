#!/usr/bin/env bash
# sd_dns.sh - `"sd": "dns"` against a local DNS stub (tests/tools/dns_stub.c; the gateway asks it
# through GW_DNS_SERVER): the backend follows a changed SRV answer within dns_cache_ttl, weights
# repeat instances as Lura's resolver does, only the lowest priority is used, failed lookups
# (SERVFAIL, garbage, NXDOMAIN, an invalid target) keep the last good hosts, a name that never
# resolves answers "no hosts available", and a sanitised host (KrakenD's trap) is named at startup.
set -u
. "$(dirname "$0")/lib.sh"

read -r gp dp pa pb < <(e2e_ports 4 | tr '\n' ' ')
mkdir -p "$E2E_WORK/a" "$E2E_WORK/b"
echo '{"who":"a"}' >"$E2E_WORK/a/who.json"
echo '{"who":"b"}' >"$E2E_WORK/b/who.json"
e2e_start backend_a "$BIN_DIR/mock-backend" --port "$pa" --files "$E2E_WORK/a"
e2e_start backend_b "$BIN_DIR/mock-backend" --port "$pb" --files "$E2E_WORK/b"
ZONE=$E2E_WORK/zone
zone() { printf '%s\n' "$@" >"$ZONE.tmp" && mv "$ZONE.tmp" "$ZONE"; }
zone "_api._tcp.test 10 1 $pa localhost"
e2e_start dns "$TOOLS_DIR/dns_stub" "$dp" "$ZONE" 120
e2e_wait_http "http://127.0.0.1:$pa/__files/who.json" 10
e2e_wait_http "http://127.0.0.1:$pb/__files/who.json" 10

sd() { # sd PATH NAME [EXTRA]
    printf '{"endpoint": "%s", "backend": [{"host": ["%s"], "sd": "dns", "url_pattern": "/__files/who.json"%s}]}' \
        "$1" "$2" "${3-, \"disable_host_sanitize\": true}"
}
printf '{"version": 3, "port": %s, "timeout": "2s", "dns_cache_ttl": "1s",
 "extra_config": {"router": {"return_error_msg": true}},
 "endpoints": [%s, %s, %s]}\n' "$gp" "$(sd /sd _api._tcp.test)" "$(sd /none _none._tcp.test)" \
    "$(sd /sanitised _api._tcp.test "")" >"$E2E_WORK/krakend.json"
jq . "$E2E_WORK/krakend.json" >/dev/null || e2e_fail "generated krakend.json is JSON"
e2e_start gateway env GW_DNS_SERVER="127.0.0.1:$dp" "$BIN_DIR/krakend" run -c "$E2E_WORK/krakend.json"
GW_PID=$E2E_LAST_PID
e2e_wait_http "http://127.0.0.1:$gp/__health" 10

who() { e2e_curl "http://127.0.0.1:$gp$1"; jq -r '.who // empty' <<<"$E2E_BODY" 2>/dev/null; }
# until_who PATH WANT: asks until the answer is WANT (at most 5 s; the TTL is 1 s)
until_who() {
    local w=""
    for _ in $(seq 50); do
        w=$(who "$1")
        [ "$w" = "$2" ] && break
        sleep 0.1
    done
    echo "$w"
}
# count PATH N: how many of N calls "a" and "b" answered
count() {
    local a=0 b=0 w
    for _ in $(seq "$2"); do
        w=$(who "$1")
        case $w in a) a=$((a + 1)) ;; b) b=$((b + 1)) ;; esac
    done
    echo "$a $b"
}

e2e_eq "the SRV answer's host serves the backend" a "$(who /sd)"
zone "_api._tcp.test 10 1 $pb localhost"
e2e_eq "a changed SRV answer is followed within dns_cache_ttl" b "$(until_who /sd b)"

zone "_api._tcp.test 10 1 $pa localhost" "_api._tcp.test 10 3 $pb localhost"
until_who /sd a >/dev/null
e2e_eq "weights 1 and 3: instances repeated 1:3 (Lura's compacted weights)" "10 30" "$(count /sd 40)"

zone "_api._tcp.test 20 100 $pb localhost" "_api._tcp.test 10 1 $pa localhost"
sleep 2.5
e2e_eq "only the lowest priority is used" "20 0" "$(count /sd 20)"

# (GARBAGE last: glibc's resolver waits out its timeout on an answer it cannot match)
for bad in "_api._tcp.test SERVFAIL" "_api._tcp.test NXDOMAIN" "_api._tcp.test 10 1 $pb 127.0.0.1" \
    "_api._tcp.test 10 1 $pb bad-.name" "_api._tcp.test GARBAGE"; do
    zone "$bad"
    sleep 2.5
    e2e_eq "a failed lookup keeps the last good hosts (${bad#_api._tcp.test })" a "$(who /sd)"
done

e2e_curl "http://127.0.0.1:$gp/none"
e2e_eq "a name that never resolved: 500" 500 "$E2E_STATUS"
e2e_contains "... with Lura's balancer error" "no hosts available" "$E2E_BODY"
e2e_curl "http://127.0.0.1:$gp/sanitised"
e2e_eq "a sanitised SRV name never resolves (as in KrakenD): 500" 500 "$E2E_STATUS"
e2e_contains "startup names the sanitised SRV name and the fix" "disable_host_sanitize" \
    "$(cat "$E2E_WORK/gateway.log")"

"$BIN_DIR/krakend" check -c "$E2E_WORK/krakend.json" >"$E2E_WORK/check.log" 2>&1
e2e_eq "check accepts sd dns" 0 "$?"
if grep -q 'not supported\|not registered' "$E2E_WORK/check.log"; then
    e2e_fail "check does not call sd dns unsupported" "$(cat "$E2E_WORK/check.log")"
else
    e2e_pass "check does not call sd dns unsupported"
fi
# stopping does not wait for a lookup the DNS server never answers
t0=$(date +%s%N)
e2e_stop "$GW_PID"
t1=$(date +%s%N)
if [ $(((t1 - t0) / 1000000)) -lt 3000 ]; then
    e2e_pass "the gateway stops at once with a DNS lookup hanging"
else
    e2e_fail "the gateway stops at once with a DNS lookup hanging" "took $(((t1 - t0) / 1000000)) ms"
fi
e2e_finish
