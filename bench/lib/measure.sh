# measure.sh - checks a started configuration, then loads it with wrk and records requests/s,
# latency, CPU and peak RSS of its processes. Sourced by bench/run.

RESULT_COLS="round id status rps p50_us p99_us rss_kb cpu_us_req requests errors non2xx wraps fast_rps fast_errors slow_p50_us slow_p99_us note"

# run_wrk RESULT_FILE CONNECTIONS SECONDS URL [VAR=VALUE...]: one wrk run with items.lua,
# pinned to the load generator's cores; figures go to RESULT_FILE as "key value" lines.
run_wrk() {
    local out=$1 conns=$2 secs=$3 url=$4 threads=$LOADGEN_NCPU
    shift 4
    [ "$threads" -gt "$conns" ] && threads=$conns
    rm -f "$out"
    local cmd=(wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 5s --latency
        -s "$BENCH_DIR/wrk/items.lua" "$url")
    [ -n "$LOADGEN_CPUS" ] && cmd=(taskset -c "$LOADGEN_CPUS" "${cmd[@]}")
    env BENCH_RESULT="$out" BENCH_THREADS="$threads" "$@" "${cmd[@]}" >"$out.txt" 2>&1
    [ -s "$out" ] || die "wrk produced no figures: $(cat "$out.txt")"
}

# wrk_get FILE KEY: one figure of a run_wrk result.
wrk_get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# expect_status WHAT WANT URL [CURL_ARGS...]: appends to CHECK_FAIL when the status is not in
# WANT (a space-separated list).
expect_status() {
    local what=$1 want=$2 url=$3 got
    shift 3
    got=$(http_status "$url" -X POST -H 'Content-Type: application/json' \
        --data '{"name":"Widget","description":"A test item"}' "$@")
    case " $want " in
    *" $got "*) CHECK_LOG+="$what: $got; " ;;
    *) CHECK_FAIL+="${CHECK_FAIL:+; }$what: expected ${want// / or }, got $got" ;;
    esac
}

# check_peer ID: the started configuration answers as it should; CHECK_FAIL says why not.
check_peer() {
    local id=$1 t0 t1
    CHECK_FAIL="" CHECK_LOG=""
    if ! wait_http "$PEER_URL" 15; then
        CHECK_FAIL="$id did not answer on $PEER_URL within 15 s"
        return 1
    fi
    if [ "$PEER_AUTH" = 1 ]; then
        # The first request may arrive before the JWKS does: give the keys a moment.
        for _ in $(seq 50); do
            [ "$(http_status "$PEER_URL" -X POST -H "Authorization: Bearer $TOKEN" \
                -H 'Content-Type: application/json' --data '{}')" = 401 ] || break
            sleep 0.1
        done
        expect_status "no token" 401 "$PEER_URL"
        expect_status "bad signature" 401 "$PEER_URL" -H "Authorization: Bearer $TOKEN_BADSIG"
        expect_status "wrong scope" "401 403" "$PEER_URL" -H "Authorization: Bearer $TOKEN_NOSCOPE"
    fi
    expect_status "token" "200 201" "$PEER_URL" -H "Authorization: Bearer $TOKEN"
    if [ -z "$CHECK_FAIL" ] && ! grep -q '"Widget"' "$WORK/last.body"; then
        CHECK_FAIL="the answer with a token does not carry the created item: $(head -c 200 "$WORK/last.body")"
    fi
    if [ "$id" = gw-jwt-prom ] || [ "$id" = gw-jwt-otel ]; then
        # the requests above are on the Prometheus exporter, with KrakenD's metric names
        local m
        m=$(curl -s -w '\nstatus %{http_code}' "http://127.0.0.1:$PROM_PORT/metrics")
        if grep -q '^http_server_duration_count{' <<<"$m"; then
            CHECK_LOG+="prometheus: http_server_duration served; "
        else
            CHECK_FAIL+="${CHECK_FAIL:+; }the Prometheus exporter on $PROM_PORT does not serve"
            CHECK_FAIL+=" http_server_duration ($(tail -n1 <<<"$m"), $(wc -l <<<"$m") lines)"
        fi
    fi
    if has_origin "$id"; then
        # CORS, the security headers and the rate limit are at work on the loaded request
        local origin h
        origin=$(jq -r .origin "$BENCH_DIR/configs/security.json")
        h=$(curl -s -o /dev/null -D - --max-time 5 -X POST -H "Origin: $origin" \
            -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
            --data '{"name":"Widget"}' "$PEER_URL" | tr -d '\r')
        grep -qix "access-control-allow-origin: $origin" <<<"$h" &&
            grep -qix 'x-frame-options: DENY' <<<"$h" && grep -qix 'vary: Origin' <<<"$h" ||
            CHECK_FAIL+="${CHECK_FAIL:+; }no CORS or security headers on the answer: $(head -c 300 <<<"$h")"
        CHECK_LOG+="CORS and security headers: present; "
    fi
    if [ "$id" = gw-jwt-fresh ]; then
        # The pool's last token: the measured run starts with the first ones.
        expect_status "pool token" "200 201" "$PEER_URL" \
            -H "Authorization: Bearer $(tail -n1 "$WORK/keys/pool.txt")"
    fi
    if is_slow "$id"; then
        t0=$(date +%s%N)
        expect_status "slow endpoint" "200 201" "$SLOW_URL" -H "$SLOW_HEADER"
        t1=$(date +%s%N)
        [ $(((t1 - t0) / 1000000)) -ge 190 ] ||
            CHECK_FAIL+="${CHECK_FAIL:+; }the slow endpoint answered in under 190 ms"
    fi
    [ -z "$CHECK_FAIL" ]
}

# record ROUND ID STATUS [KEY=VALUE...]: appends one row to $WORK/results.tsv.
record() {
    local round=$1 id=$2 status=$3 kv col line=""
    shift 3
    declare -A v=()
    for kv in "$@"; do v[${kv%%=*}]=${kv#*=}; done
    v[round]=$round v[id]=$id v[status]=$status
    for col in $RESULT_COLS; do line+="${v[$col]:--}"$'\t'; done
    printf '%s\n' "${line%$'\t'}" >>"$WORK/results.tsv"
}

# tree_of PID: PID and its descendants, into the array TREE.
tree_of() { mapfile -t TREE < <(pid_tree "$1"); }

# start_checked ROUND ID: starts configuration ID with a fresh mock-backend and checks it. One
# that fails its checks is stopped and recorded unavailable (ours) or ends the run (the
# references must work), and the call fails.
start_checked() {
    start_backend
    peer_start "$2"
    if ! check_peer "$2"; then
        stop_pid "$PEER_PID"
        stop_pid "$MB_PID"
        is_ours "$2" || die "$(config_title "$2") failed its checks: $CHECK_FAIL"
        say "round $1: $2 unavailable: $CHECK_FAIL"
        record "$1" "$2" unavailable "note=$CHECK_FAIL"
        return 1
    fi
    [ "$1" = 1 ] && say "checks passed for $2: ${CHECK_LOG%; }"
    return 0
}

# exit_note ID: what a stopped configuration said worth keeping: for 6t, the exporter's
# figures (spans recorded, sent to the collector, dropped).
exit_note() {
    [ "$1" != gw-jwt-otel ] || grep -o 'OTLP export: [^"]*' "$WORK/logs/$1.log" | tail -n1
}

# none_completed ROUND ID: a configuration that completed no request under load is recorded
# unavailable (ours) or ends the run (a reference).
none_completed() {
    is_ours "$2" || die "$(config_title "$2") completed no request under load"
    say "round $1: $2 unavailable: no request completed under load"
    record "$1" "$2" unavailable "note=no request completed under load"
}

# measure ROUND ID: one measurement of configuration ID with fresh processes.
measure() {
    local round=$1 id=$2 w c0 c1 reqs secs rss hz env=() note
    w=$WORK/wrk/$round.$id
    mkdir -p "$WORK/wrk"
    hz=$(getconf CLK_TCK)
    start_checked "$round" "$id" || return 0
    if is_slow "$id"; then
        measure_slow "$round" "$id" "$w"
        return 0
    fi
    env=(BENCH_TOKEN="$TOKEN")
    has_origin "$id" && env+=(BENCH_HEADER="Origin: $(jq -r .origin "$BENCH_DIR/configs/security.json")")
    # The warm-up of case 7 uses the repeated token, so no pool token is cached before the run.
    [ "$WARMUP" -gt 0 ] && run_wrk "$w.warm" "$CONNS" "$WARMUP" "$PEER_URL" "${env[@]}"
    [ "$id" = gw-jwt-fresh ] && env=(BENCH_POOL="$WORK/keys/pool.txt")
    tree_of "$PEER_PID"
    c0=$(cpu_ticks "${TREE[@]}")
    run_wrk "$w" "$CONNS" "$DURATION" "$PEER_URL" "${env[@]}"
    tree_of "$PEER_PID"
    c1=$(cpu_ticks "${TREE[@]}")
    rss=$(peak_rss_kb "${TREE[@]}")
    stop_pid "$PEER_PID"
    [ "$PEER_PID" = "$MB_PID" ] || stop_pid "$MB_PID"
    reqs=$(wrk_get "$w" requests)
    secs=$(wrk_get "$w" duration_us)
    note=$(exit_note "$id")
    if [ "$reqs" = 0 ]; then
        none_completed "$round" "$id"
        return 0
    fi
    record "$round" "$id" ok \
        "rps=$(awk -v r="$reqs" -v d="$secs" 'BEGIN { printf "%.0f", r / (d / 1e6) }')" \
        "p50_us=$(wrk_get "$w" p50_us)" "p99_us=$(wrk_get "$w" p99_us)" "rss_kb=$rss" \
        "cpu_us_req=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v r="$reqs" \
            'BEGIN { printf "%.1f", r ? t / hz * 1e6 / r : 0 }')" \
        "requests=$reqs" "errors=$(wrk_errors "$w")" "non2xx=$(wrk_get "$w" err_status)" \
        "wraps=$(wrk_get "$w" pool_wraps)" "note=$note"
    say "round $round: $id $(awk '$1 == "requests" || $1 == "p99_us" { printf "%s=%s ", $1, $2 }' "$w")"
}

wrk_errors() {
    awk '$1 ~ /^err_(connect|read|write|timeout)$/ { n += $2 } END { print n + 0 }' "$1"
}

# measure_slow ROUND ID W: 1,000 connections on the 200 ms endpoint for DURATION + 2 s; after
# 1 s a light probe (SLOW_PROBE_CONNS connections, 10 ms apart) measures the fast endpoint.
measure_slow() {
    local round=$1 id=$2 w=$3 c0 c1 rss hz slow_pid reqs secs freqs fsecs p50 p99 note
    hz=$(getconf CLK_TCK)
    [ "$WARMUP" -gt 0 ] && run_wrk "$w.warm" 10 "$WARMUP" "$PEER_URL"
    tree_of "$PEER_PID"
    c0=$(cpu_ticks "${TREE[@]}")
    run_wrk "$w.slow" "$SLOW_CONNS" $((DURATION + 2)) "$SLOW_URL" BENCH_HEADER="$SLOW_HEADER" &
    slow_pid=$!
    sleep 1
    run_wrk "$w" "$SLOW_PROBE_CONNS" "$DURATION" "$PEER_URL" BENCH_DELAY_MS=10
    wait "$slow_pid" || die "the slow endpoint's wrk failed"
    tree_of "$PEER_PID"
    c1=$(cpu_ticks "${TREE[@]}")
    rss=$(peak_rss_kb "${TREE[@]}")
    stop_pid "$PEER_PID"
    [ "$PEER_PID" = "$MB_PID" ] || stop_pid "$MB_PID"
    reqs=$(wrk_get "$w.slow" requests)
    secs=$(wrk_get "$w.slow" duration_us)
    freqs=$(wrk_get "$w" requests)
    fsecs=$(wrk_get "$w" duration_us)
    p50=$(wrk_get "$w" p50_us) p99=$(wrk_get "$w" p99_us) note=""
    if [ "$freqs" = 0 ]; then
        # Nothing came back: the fast endpoint's latency was at least the whole probe.
        p50=$fsecs p99=$fsecs note="the fast endpoint answered no request during the probe"
    fi
    record "$round" "$id" ok \
        "rps=$(awk -v r="$reqs" -v d="$secs" 'BEGIN { printf "%.0f", r / (d / 1e6) }')" \
        "p50_us=$p50" "p99_us=$p99" "rss_kb=$rss" "note=$note" \
        "cpu_us_req=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v r=$((reqs + freqs)) \
            'BEGIN { printf "%.1f", r ? t / hz * 1e6 / r : 0 }')" \
        "requests=$reqs" \
        "errors=$(wrk_errors "$w.slow")" "non2xx=$(wrk_get "$w.slow" err_status)" \
        "fast_rps=$(awk -v r="$freqs" -v d="$fsecs" 'BEGIN { printf "%.0f", r / (d / 1e6) }')" \
        "fast_errors=$(($(wrk_errors "$w") + $(wrk_get "$w" err_status)))" \
        "slow_p50_us=$(wrk_get "$w.slow" p50_us)" "slow_p99_us=$(wrk_get "$w.slow" p99_us)"
    say "round $round: $id slow_requests=$reqs fast_requests=$freqs fast_p99_us=$p99"
}

# measure_block ROUND ID...: the configurations the targets compare, measured side by side. All
# are started (each with its own fresh mock-backend), checked and warmed up first; then come
# DURATION slices of 1 s, and each slice loads every configuration once, in order in odd slices
# and in reverse in even ones. A configuration's figures sum its slices (requests, time, CPU);
# its latency is the median of its slices'. Each slice's requests and time also go to
# $WORK/slices.tsv (round, id, slice, requests, µs), for the report's standard errors. The machine's speed moves by a third from one
# second to the next (docs/benchmarks.md): two configurations measured in alternate seconds see
# the same machine, where one measured a minute after the other does not.
measure_block() {
    local round=$1 id i k n s w c0 c1 hz envv
    shift
    local ids=()
    declare -A pid=() mb=() url=() req=() us=() ticks=() errs=() non2xx=() p50s=() p99s=()
    hz=$(getconf CLK_TCK)
    mkdir -p "$WORK/wrk"
    for id in "$@"; do
        start_checked "$round" "$id" || continue
        pid[$id]=$PEER_PID mb[$id]=$MB_PID url[$id]=$PEER_URL
        req[$id]=0 us[$id]=0 ticks[$id]=0 errs[$id]=0 non2xx[$id]=0 p50s[$id]="" p99s[$id]=""
        ids+=("$id")
    done
    n=${#ids[@]}
    for id in "${ids[@]}"; do
        mapfile -t envv < <(block_env "$id")
        [ "$WARMUP" -gt 0 ] &&
            run_wrk "$WORK/wrk/$round.$id.warm" "$CONNS" "$WARMUP" "${url[$id]}" "${envv[@]}"
    done
    for ((s = 1; s <= DURATION; s++)); do
        for ((k = 0; k < n; k++)); do
            if ((s % 2)); then i=$k; else i=$((n - 1 - k)); fi
            id=${ids[$i]} w=$WORK/wrk/$round.$id.$s
            tree_of "${pid[$id]}"
            c0=$(cpu_ticks "${TREE[@]}")
            mapfile -t envv < <(block_env "$id")
            run_wrk "$w" "$CONNS" 1 "${url[$id]}" "${envv[@]}"
            tree_of "${pid[$id]}"
            c1=$(cpu_ticks "${TREE[@]}")
            printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$id" "$s" "$(wrk_get "$w" requests)" \
                "$(wrk_get "$w" duration_us)" >>"$WORK/slices.tsv"
            req[$id]=$((req[$id] + $(wrk_get "$w" requests)))
            us[$id]=$((us[$id] + $(wrk_get "$w" duration_us)))
            ticks[$id]=$((ticks[$id] + c1 - c0))
            errs[$id]=$((errs[$id] + $(wrk_errors "$w")))
            non2xx[$id]=$((non2xx[$id] + $(wrk_get "$w" err_status)))
            p50s[$id]+="$(wrk_get "$w" p50_us)"$'\n' p99s[$id]+="$(wrk_get "$w" p99_us)"$'\n'
        done
    done
    for id in "${ids[@]}"; do
        local rss note
        tree_of "${pid[$id]}"
        rss=$(peak_rss_kb "${TREE[@]}")
        stop_pid "${pid[$id]}"
        [ "${pid[$id]}" = "${mb[$id]}" ] || stop_pid "${mb[$id]}"
        note=$(exit_note "$id")
        if [ "${req[$id]}" = 0 ]; then
            none_completed "$round" "$id"
            continue
        fi
        record "$round" "$id" ok \
            "rps=$(awk -v r="${req[$id]}" -v d="${us[$id]}" 'BEGIN { printf "%.0f", r / (d / 1e6) }')" \
            "p50_us=$(printf '%s' "${p50s[$id]}" | median)" "p99_us=$(printf '%s' "${p99s[$id]}" | median)" "rss_kb=$rss" \
            "cpu_us_req=$(awk -v t="${ticks[$id]}" -v hz="$hz" -v r="${req[$id]}" \
                'BEGIN { printf "%.1f", r ? t / hz * 1e6 / r : 0 }')" \
            "requests=${req[$id]}" "errors=${errs[$id]}" "non2xx=${non2xx[$id]}" "note=$note"
        say "round $round: $id requests=${req[$id]} in $DURATION slices, p99_us=$(printf '%s' "${p99s[$id]}" | median)"
    done
}

# block_env ID: the wrk environment of a configuration of the block (words VAR=VALUE).
block_env() {
    printf 'BENCH_TOKEN=%s\n' "$TOKEN"
    has_origin "$1" && printf 'BENCH_HEADER=Origin:%s\n' "$(jq -r .origin "$BENCH_DIR/configs/security.json")"
    return 0
}
