# report.sh - turns $WORK/results.tsv into the Markdown report: medians over rounds, ratios to
# nginx and HAProxy from the same run, the issue's targets, the machine. Sourced by bench/run.

# load_stats: the median (MED[id.column]) and sum (SUM[id.column]) of every numeric column
# over the rounds each configuration ran, in one pass; p50_ms, p99_ms and rss_mb are added.
load_stats() {
    local id c m t
    declare -gA MED=() SUM=()
    while read -r id c m t; do
        MED[$id.$c]=$m SUM[$id.$c]=$t
    done < <(awk -F'\t' -v cols="$RESULT_COLS" '
        BEGIN { n = split(cols, name, " ") }
        $3 == "ok" {
            for (i = 4; i < n; i++) if ($i != "-") {
                k = $2 SUBSEP name[i]; cnt[k]++; val[k, cnt[k]] = $i + 0; sum[k] += $i
            }
        }
        END {
            for (k in cnt) {
                split(k, p, SUBSEP); m = cnt[k]
                for (a = 1; a <= m; a++) v[a] = val[k, a]
                for (a = 2; a <= m; a++) {
                    x = v[a]; b = a - 1
                    while (b > 0 && v[b] > x) { v[b + 1] = v[b]; b-- }
                    v[b + 1] = x
                }
                med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
                printf "%s %s %.6f %.6f\n", p[1], p[2], med, sum[k]
                if (p[2] == "p50_us") printf "%s p50_ms %.6f 0\n", p[1], med / 1000
                if (p[2] == "p99_us") printf "%s p99_ms %.6f 0\n", p[1], med / 1000
                if (p[2] == "slow_p50_us") printf "%s slow_p50_ms %.6f 0\n", p[1], med / 1000
                if (p[2] == "slow_p99_us") printf "%s slow_p99_ms %.6f 0\n", p[1], med / 1000
                if (p[2] == "rss_kb") printf "%s rss_mb %.6f 0\n", p[1], med / 1024
            }
        }' "$WORK/results.tsv")
}

# col ID COLUMN: the median of COLUMN over the rounds where ID ran ("" when none did).
col() { echo "${MED[$1.$2]:-}"; }

# sum_col ID COLUMN: the sum over rounds (for error counts), as an integer.
sum_col() { printf '%.0f' "${SUM[$1.$2]:-0}"; }

unavailable_note() {
    awk -F'\t' -v id="$1" '$2 == id && $3 == "unavailable" { print $NF; exit }' "$WORK/results.tsv"
}

ran() { [ -n "$(col "$1" rps)" ]; }

fmt() { # fmt FORMAT VALUE: printf of a number, "-" when empty
    if [ -z "$2" ]; then echo "-"; else printf "$1" "$2"; fi
}

ratio() { # ratio A B: A / B as "1.23x", "-" when either is missing
    if [ -z "$1" ] || [ -z "$2" ] || [ "$2" = 0 ]; then echo "-"; else
        awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'
    fi
}

# target TEXT OK: one line of the targets list; OK is 1, 0, or "" (not measured).
target() {
    local verdict
    case "$2" in 1) verdict="**met**" ;; 0) verdict="**MISSED**" ;; *) verdict="not measured" ;; esac
    echo "- $verdict: $1"
}

# ge A B / le A B: 1 when A >= B (A <= B), 0 when not, "" when either is missing.
cmp_num() {
    [ -n "$2" ] && [ -n "$3" ] || return 0
    awk -v op="$1" -v a="$2" -v b="$3" 'BEGIN { print (op == "ge" ? a >= b : a <= b) ? 1 : 0 }'
}
ge() { cmp_num ge "$1" "$2"; }
le() { cmp_num le "$1" "$2"; }
mul() { [ -z "$1" ] || awk -v a="$1" -v b="$2" 'BEGIN { print a * b }'; }

# paired A B: "MEDIAN r1 r2 ...": A's req/s over B's in each round both ran, and the median of
# those ratios first; nothing when no round ran both. bench/run measures the configurations a
# target compares next to each other in every round, so each ratio is taken over a span of
# seconds, in which the machine's speed moves far less than over the minutes between rounds.
paired() {
    local r v
    r=$(awk -F'\t' -v a="$1" -v b="$2" '
        $3 == "ok" && $2 == a { x[$1] = $4; if ($1 > m) m = $1 }
        $3 == "ok" && $2 == b { y[$1] = $4 }
        END {
            for (r = 1; r <= m; r++)
                if ((r in x) && (r in y) && y[r] > 0) printf "%.6f\n", x[r] / y[r]
        }' "$WORK/results.tsv")
    [ -n "$r" ] || return 0
    mapfile -t v <<<"$r"
    printf '%.4f' "$(median <<<"$r")"
    printf ' %.2f' "${v[@]}"
}

# slice_stats A B: "POOLED SE N" over the slices both measured in the same round (side by side:
# measure_block): A's req/s over B's summed over those slices, the standard error of that ratio
# (from the spread of the slices' log ratios; as a fraction), and how many slices; nothing when
# none.
slice_stats() {
    awk -F'\t' -v a="$1" -v b="$2" '
        $4 > 0 && $5 > 0 && ($2 == a || $2 == b) { r[$2, $1, $3] = $4; u[$2, $1, $3] = $5; k[$1, $3] = 1 }
        END {
            for (x in k) {
                split(x, p, SUBSEP)
                if (!((a, p[1], p[2]) in r) || !((b, p[1], p[2]) in r)) continue
                ra = r[a, p[1], p[2]] / u[a, p[1], p[2]]; rb = r[b, p[1], p[2]] / u[b, p[1], p[2]]
                l = log(ra / rb); s += l; ss += l * l; n++
                qa += r[a, p[1], p[2]]; ua += u[a, p[1], p[2]]; qb += r[b, p[1], p[2]]; ub += u[b, p[1], p[2]]
            }
            if (n < 2) exit
            m = s / n; v = (ss - n * m * m) / (n - 1)
            printf "%.4f %.4f %d", (qa / ua) / (qb / ub), sqrt(v > 0 ? v : 0) / sqrt(n), n
        }' "$WORK/slices.tsv" 2>/dev/null
}

# rps_target TEXT A B FACTOR: the target "A's req/s >= FACTOR x B's". The verdict is on the
# median of the round-by-round ratios (paired); the ratio of the two medians is shown beside it.
rps_target() {
    local p m rest med pooled se ns
    p=$(paired "$2" "$3")
    if [ -z "$p" ]; then
        target "$1" ""
        return
    fi
    read -r m rest <<<"$p"
    med=$(ratio "$(col "$2" rps)" "$(col "$3" rps)")
    read -r pooled se ns <<<"$(slice_stats "$2" "$3")"
    [ -n "${ns:-}" ] && med+="; all $ns slices pooled $(printf '%.3f' "$pooled")× ± $(awk -v s="$se" -v p="$pooled" 'BEGIN { printf "%.3f", s * p }') (standard error)"
    target "$1: $(printf '%.2f' "$m")× (median of the rounds: $rest; ratio of the medians $med)" \
        "$(ge "$m" "$4")"
}

# ours_ratio ID A B: ratio A / B, except for case 8 (other load, other latency: see its table).
ours_ratio() { if is_slow "$1"; then echo "-"; else ratio "$2" "$3"; fi; }

report_table() {
    local id nginx_rps haproxy_rps nginx_p99 rps note
    nginx_rps=$(col nginx rps)
    haproxy_rps=$(col haproxy rps)
    nginx_p99=$(col nginx p99_us)
    echo "| # | Configuration | req/s | p50 ms | p99 ms | peak RSS MB | CPU µs/req | × nginx | × HAProxy | p99 × nginx |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for id in "${CONFIG_IDS[@]}"; do
        if ! ran "$id"; then
            note=$(unavailable_note "$id")
            echo "| $(config_number "$id") | $(config_title "$id") | unavailable: ${note:-not run} | | | | | | | |"
            continue
        fi
        rps=$(col "$id" rps)
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
            "$(config_number "$id")" "$(config_title "$id")" "$(fmt %.0f "$rps")" \
            "$(fmt %.2f "$(col "$id" p50_ms)")" "$(fmt %.2f "$(col "$id" p99_ms)")" \
            "$(fmt %.1f "$(col "$id" rss_mb)")" \
            "$(fmt %.1f "$(col "$id" cpu_us_req)")" \
            "$(ours_ratio "$id" "$rps" "$nginx_rps")" "$(ours_ratio "$id" "$rps" "$haproxy_rps")" \
            "$(ours_ratio "$id" "$(col "$id" p99_us)" "$nginx_p99")"
    done
}

report_slow() {
    local id want
    ran gw-slow || ran direct-slow || return 0
    want=$((SLOW_CONNS * 1000 / 200))
    echo
    echo "### 8: 200 ms backend, $SLOW_CONNS connections, while a fast endpoint is probed"
    echo
    echo "| | slow req/s (of $want possible) | slow p50 ms | slow p99 ms | slow socket errors | slow non-2xx | fast probe req/s | fast p50 ms | fast p99 ms | fast errors | peak RSS MB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for id in gw-slow direct-slow; do
        ran "$id" || continue
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
            "$(config_number "$id") $id" "$(fmt %.0f "$(col "$id" rps)")" \
            "$(fmt %.2f "$(col "$id" slow_p50_ms)")" "$(fmt %.2f "$(col "$id" slow_p99_ms)")" \
            "$(sum_col "$id" errors)" "$(sum_col "$id" non2xx)" \
            "$(fmt %.0f "$(col "$id" fast_rps)")" \
            "$(fmt %.2f "$(col "$id" p50_ms)")" "$(fmt %.2f "$(col "$id" p99_ms)")" \
            "$(sum_col "$id" fast_errors)" "$(fmt %.1f "$(col "$id" rss_mb)")"
    done
    awk -F'\t' '($2 == "gw-slow" || $2 == "direct-slow") && $3 == "ok" && $NF != "-" {
        print "\n- round " $1 ", " $2 ": " $NF }' "$WORK/results.tsv"
}

report_targets() {
    local np id rss slow_ok
    np=$(col nginx p99_us)
    echo
    echo "## Targets (issue 7)"
    echo
    [ "$MODE" = smoke ] && echo "_Smoke run: seconds-long loads, the verdicts below mean nothing._" && echo
    for id in gw-jwt gw-jwt-noop; do
        rps_target "$(config_number "$id") ($id) ≥ 1.0× nginx req/s" "$id" nginx 1.0
        rps_target "$(config_number "$id") ($id) ≥ 1.8× HAProxy req/s" "$id" haproxy 1.8
        target "$(config_number "$id") ($id) p99 ≤ 1.2× nginx p99" "$(le "$(col $id p99_us)" "$(mul "$np" 1.2)")"
        rss=$(col $id rss_kb)
        target "$(config_number "$id") ($id) peak RSS < 50 MB" "$(le "$rss" $((50 * 1024 - 1)))"
    done
    rps_target "5 (gw-noauth) ≥ 1.0× nginx req/s" gw-noauth nginx 1.0
    for id in gw-jwt-prom gw-jwt-otel; do
        rps_target "$(config_number "$id") ($id) ≥ 0.9× 6 (gw-jwt) req/s" "$id" gw-jwt 0.9
        rps_target "$(config_number "$id") ($id) ≥ 1.0× nginx req/s" "$id" nginx 1.0
    done
    rps_target "7 (gw-jwt-fresh) ≥ 0.9× HAProxy req/s" gw-jwt-fresh haproxy 0.9
    target "8 slow endpoint ≥ 90 % of $((SLOW_CONNS * 5)) req/s" \
        "$(ge "$(col gw-slow rps)" "$(mul $((SLOW_CONNS * 5)) 0.9)")"
    target "8 fast endpoint p99 < 20 ms" "$(le "$(col gw-slow p99_us)" 19999)"
    slow_ok=""
    if ran gw-slow; then
        [ $(($(sum_col gw-slow errors) + $(sum_col gw-slow non2xx) + $(sum_col gw-slow fast_errors))) = 0 ] &&
            slow_ok=1 || slow_ok=0
    fi
    target "8 no errors" "$slow_ok"
    target "8 peak RSS < 150 MB" "$(le "$(col gw-slow rss_kb)" $((150 * 1024 - 1)))"
    echo
    echo "## Targets (issue 15)"
    echo
    rps_target "6s (gw-jwt-sec) ≥ 1.0× nginx-sec (2s) req/s" gw-jwt-sec nginx-sec 1.0
    rps_target "6s (gw-jwt-sec) ≥ 0.95× the gateway's own 6 (gw-jwt) req/s" gw-jwt-sec gw-jwt 0.95
}

report_rounds() {
    echo
    echo "<details><summary>Every round (raw)</summary>"
    echo
    echo "| $(echo "$RESULT_COLS" | sed 's/ / | /g') |"
    echo "|$(echo "$RESULT_COLS" | sed 's/[^ ]*/---/g; s/ /|/g')|"
    sed 's/\t/ | /g; s/^/| /; s/$/ |/' "$WORK/results.tsv"
    echo
    echo "</details>"
}

report() {
    local wraps
    load_stats
    echo "# Gateway benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    [ -n "$PRELIM" ] && echo "**$PRELIM**" && echo
    echo "## Machine and settings"
    echo
    echo "- CPU: $CPU_MODEL, $(nproc) cores available (nproc); kernel $(uname -r); memory $(free -g | awk '/^Mem:/ { print $2 }') GiB"
    echo "- Load average at start: $LOAD_AT_START"
    echo "- Mode: $MODE; $ROUNDS round(s) of $DURATION s per configuration (after $WARMUP s warm-up), the configurations the targets compare measured side by side in interleaved 1 s slices, the others one at a time in a rotating order; medians shown, and each req/s target is judged on the median of its round-by-round ratios"
    echo "- Load: wrk, $CONNS connections ($SLOW_CONNS in case 8), $LOADGEN_NCPU thread(s); POST /api/items with the guide's JSON body and \`Authorization: Bearer <RS256 token>\`"
    if [ -n "$LOADGEN_CPUS" ]; then
        echo "- Pinned: load generator on CPU $LOADGEN_CPUS, servers (and backend, JWKS) on CPU $SERVER_CPUS"
    else
        echo "- Not pinned: load generator, servers and backend share all cores"
    fi
    echo "- Versions: $VERSIONS"
    echo "- Fresh-token pool: $POOL distinct tokens"
    echo
    echo "## Results"
    echo
    report_table
    report_slow
    wraps=$(sum_col gw-jwt-fresh wraps)
    if [ "${wraps:-0}" != 0 ]; then
        echo
        echo "Note: in 7 the pool of $POOL tokens was used up and restarted $wraps time(s) over all rounds; a token cache larger than the pool could have helped there (raise --pool)."
    fi
    report_targets
    echo
    echo "## One RS256 verification on one core"
    echo
    if [ -n "${GW_RS_PER_S:-}" ]; then
        echo "- the gateway's own path (\`gw_jws_verify\`: SHA-256 with nettle, the RSA public operation on GMP with the key's Montgomery constants, the PKCS#1 v1.5 check) on this run's token: **$GW_RS_PER_S verifications/s**, $GW_RS_US µs each (CPU time)"
    else
        echo "- the gateway's own path: not measured (no gw_rs256_cost beside the binaries)"
    fi
    echo "- nettle $RS_NETTLE's \`rsa_sha256_verify_digest\`, SHA-256 over a 600-byte signing input + RSA-2048 verify: $RS_PER_S verifications/s, $RS_US µs each (CPU time)"
    echo "- \`openssl speed -seconds $SPEED_S rsa2048\` ($OPENSSL_VERSION): $OSSL_VERIFY verify/s, $OSSL_SIGN sign/s"
    echo
    echo "## What each configuration checks"
    echo
    echo "- 1: mock-backend answers the POST itself (201, item created in memory)."
    echo "- 2: nginx \`proxy_pass\` with upstream keep-alive, access log off; no token check."
    echo "- 3: HAProxy \`http_auth_bearer\`, \`jwt_header_query\` alg = RS256, \`jwt_verify\` against the PEM public key, exp, scope (regex on the space-separated \`scope\`); 401/403; backend connections reused."
    echo "- 4: Apache event MPM, mod_auth_openidc \`AuthType oauth20\` with \`OIDCOAuthVerifyJwksUri\` (JWKS over HTTPS from a local nginx), \`Require claim scope:$BENCH_SCOPE\`, then \`ProxyPass\`."
    echo "- 2s: nginx as in 2 plus what 6s adds, from the same values (\`bench/configs/security.json\`): \`add_header\` of Vary and, for the allowed Origin (a \`map\`), Access-Control-Allow-Origin/-Expose-Headers/-Allow-Credentials; \`limit_req\` at the same rate with that burst, \`nodelay\`; the same six security headers, \`always\`; preflights answered 204. No token check."
    echo "- 6s: 6 plus service-level \`security/cors\` and \`security/http\` and an endpoint \`qos/ratelimit/router\` that never rejects (\`bench/configs/security.json\`); 2s and 6s send the browser's \`Origin\`, so CORS adds its headers to every answer."
    echo "- 5-8: the guide's krakend.json (first for 5 and 8, third for 6 and 7) as written, with only the port, backend host and \`jwk_url\` (the same local HTTPS JWKS) changed; 6b also sets both encodings to \`no-op\`; 8 adds /api/slow whose backend is mock-backend's \`/delayed/\` route (200 ms on a timer)."
    echo "- Peak RSS is VmHWM summed over the server's processes (nginx and Apache workers included, so shared pages count more than once). CPU µs/req is the server processes' utime+stime over the measured run divided by its requests; the backend's own CPU is not included (except in 1)."
    report_rounds
}
