# lib.sh - helpers for the end-to-end scripts: free ports, processes started and stopped by pid,
# HTTP checks, and a closing "N passed, N failed" line. Source it; set -u friendly.
#
# Environment (set by ctest): BIN_DIR (built programs), SRC_DIR, SHARED_DIR, TOOLS_DIR.
# GW_SHARED_DIR, when set (even empty), overrides SHARED_DIR: `GW_SHARED_DIR= ctest` runs the
# suite as a public clone does, without the shared material.

SHARED_DIR=${GW_SHARED_DIR-${SHARED_DIR:-}}
E2E_PASSED=0
E2E_FAILED=0
E2E_SKIPPED=0
E2E_PIDS=()
E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/e2e.XXXXXX")

e2e_cleanup() {
    local pid
    for pid in "${E2E_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${E2E_PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    E2E_PIDS=()
    if [ "${E2E_KEEP:-0}" = 1 ]; then echo "work dir kept: $E2E_WORK"; else rm -rf "$E2E_WORK"; fi
}
trap e2e_cleanup EXIT

# e2e_ports N: prints N distinct free ports, one per line.
e2e_ports() { "$TOOLS_DIR/freeport" "${1:-1}"; }

# e2e_start NAME CMD...: starts CMD in the background, output to $E2E_WORK/NAME.log; the pid
# goes into E2E_LAST_PID and is stopped at exit.
e2e_start() {
    local name=$1
    shift
    "$@" >"$E2E_WORK/$name.log" 2>&1 &
    E2E_LAST_PID=$!
    E2E_PIDS+=("$E2E_LAST_PID")
}

# e2e_stop PID [SIGNAL]: stops one process and waits for it; returns its exit status.
e2e_stop() {
    local pid=$1 sig=${2:-TERM} rc
    kill -"$sig" "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
    local keep=()
    for p in "${E2E_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
    E2E_PIDS=("${keep[@]}")
    return $rc
}

# e2e_wait_http URL [SECONDS] [CURL_ARGS...]: waits until URL answers any HTTP status.
e2e_wait_http() {
    local url=$1 secs=${2:-10}
    shift 2 2>/dev/null || shift $#
    local end=$((SECONDS + secs))
    while [ $SECONDS -lt $end ]; do
        if curl -s -o /dev/null --max-time 1 "$@" "$url"; then return 0; fi
        sleep 0.1
    done
    echo "timed out waiting for $url" >&2
    return 1
}

e2e_pass() { E2E_PASSED=$((E2E_PASSED + 1)); echo "ok - $1"; }
e2e_fail() { E2E_FAILED=$((E2E_FAILED + 1)); echo "FAIL - $1"; [ $# -gt 1 ] && printf '  %s\n' "${@:2}"; }

# e2e_eq NAME EXPECTED ACTUAL
e2e_eq() {
    if [ "$2" = "$3" ]; then e2e_pass "$1"; else e2e_fail "$1" "expected: $2" "actual:   $3"; fi
}

# e2e_contains NAME NEEDLE HAYSTACK
e2e_contains() {
    case "$3" in
    *"$2"*) e2e_pass "$1" ;;
    *) e2e_fail "$1" "expected to contain: $2" "actual: $3" ;;
    esac
}

# e2e_curl ARGS...: runs curl, leaving the status in E2E_STATUS, the body in E2E_BODY and the
# response headers in $E2E_WORK/last.headers.
e2e_curl() {
    E2E_BODY=$(curl -s -S -o - -D "$E2E_WORK/last.headers" -w '\n%{http_code}' --max-time 20 "$@")
    E2E_STATUS=${E2E_BODY##*$'\n'}
    E2E_BODY=${E2E_BODY%$'\n'*}
}

# e2e_header NAME: the value of a header of the last e2e_curl response (first one, no CR).
e2e_header() {
    grep -i "^$1:" "$E2E_WORK/last.headers" | head -n1 | cut -d: -f2- | sed 's/^ //; s/\r$//'
}

# e2e_have_shared WHAT: true when the shared test material (../shared: KrakenD CE's cases and
# configs, the guide) is here; else says that WHAT is skipped and why, and returns false.
e2e_have_shared() {
    [ -n "$SHARED_DIR" ] && [ -d "$SHARED_DIR" ] && return 0
    E2E_SKIPPED=$((E2E_SKIPPED + 1))
    echo "skip - $1: it reads the shared test material, which is not here" \
        "(${SHARED_DIR:-GW_SHARED_DIR is empty}); the project carries no copy of it"
    return 1
}

# e2e_need_shared WHAT: exits 77 (ctest reports the test skipped) without the material.
e2e_need_shared() { e2e_have_shared "$1" || exit 77; }

# e2e_sanitizer_check: stops every process still running (their leak reports come at exit) and
# fails for each log with an ASan, LSan or UBSan report, so a sanitizer build of the suite
# cannot pass with a report buried in a log nobody reads.
e2e_sanitizer_check() {
    local pid f
    for pid in "${E2E_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${E2E_PIDS[@]}"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        wait "$pid" 2>/dev/null
    done
    for f in "$E2E_WORK"/*.log; do
        [ -f "$f" ] || continue
        if grep -qE 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|\.(c|h):[0-9]+:[0-9]+: runtime error:' "$f"; then
            e2e_fail "no sanitizer report in ${f##*/}" \
                "$(grep -m3 -E 'ERROR: [A-Za-z]+Sanitizer|runtime error:|^    #[0-4] ' "$f")"
        fi
    done
}

# e2e_finish: prints the summary line and exits non-zero if anything failed.
e2e_finish() {
    local skipped=""
    e2e_sanitizer_check
    [ "$E2E_SKIPPED" -gt 0 ] && skipped=", $E2E_SKIPPED skipped"
    echo "$E2E_PASSED passed, $E2E_FAILED failed$skipped"
    [ "$E2E_FAILED" -eq 0 ] && [ "$E2E_PASSED" -gt 0 ]
}
