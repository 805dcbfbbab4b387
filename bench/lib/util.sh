# util.sh - bench/run's plumbing: messages, free ports, processes by pid, /proc CPU and RSS.
# Sourced by bench/run; expects WORK (the run's temp dir) to be set.

BENCH_PIDS=()

say() { printf '[bench +%ss] %s\n' "$SECONDS" "$*" >&2; }
die() {
    printf '[bench] ERROR: %s\n' "$*" >&2
    exit 1
}

# free_port VAR: sets VAR to a TCP port on 127.0.0.1 that nothing uses and this run has not
# handed out yet: random below the kernel's ephemeral range (so no client connection of the
# load can hold it), checked with ss. Not for $(...): a subshell would neither remember the
# port nor advance RANDOM.
BENCH_PORTS_USED=" "
free_port() {
    local p i lo
    lo=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
    [ "${lo:-0}" -gt 12000 ] || lo=32768
    for i in $(seq 200); do
        p=$((10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000)))
        case "$BENCH_PORTS_USED" in *" $p "*) continue ;; esac
        if [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]; then
            BENCH_PORTS_USED+="$p "
            printf -v "$1" '%s' "$p"
            return 0
        fi
    done
    die "no free port found"
}

# start_bg NAME CPUS CMD...: starts CMD in the background (output in $WORK/logs/NAME.log);
# the pid goes to BG_PID and is stopped at exit if still running. CPUS (a taskset -c list) pins
# it; empty: unpinned. taskset execs the command, so BG_PID is the program's own pid.
start_bg() {
    local name=$1 cpus=$2
    shift 2
    mkdir -p "$WORK/logs"
    if [ -n "$cpus" ]; then
        taskset -c "$cpus" "$@" >"$WORK/logs/$name.log" 2>&1 &
    else
        "$@" >"$WORK/logs/$name.log" 2>&1 &
    fi
    BG_PID=$!
    BENCH_PIDS+=("$BG_PID")
}

# stop_pid PID: SIGTERM, up to 5 s grace, then SIGKILL; reaps it and forgets it.
stop_pid() {
    local pid=$1 keep=() p
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    for p in "${BENCH_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
    BENCH_PIDS=("${keep[@]}")
}

stop_all() {
    local pid
    for pid in "${BENCH_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${BENCH_PIDS[@]}"; do stop_pid "$pid"; done
    BENCH_PIDS=()
}

# pid_tree PID: PID and all its descendants, one per line (nginx/Apache workers included).
pid_tree() {
    local root=$1
    ps -e -o pid=,ppid= | awk -v root="$root" '
        { parent[$1] = $2; pids[NR] = $1 }
        END {
            inset[root] = 1; print root
            do {
                added = 0
                for (i = 1; i <= NR; i++) {
                    p = pids[i]
                    if (!(p in inset) && (parent[p] in inset)) { inset[p] = 1; print p; added = 1 }
                }
            } while (added)
        }'
}

# cpu_ticks PID...: the sum of utime + stime (clock ticks) of the given processes.
cpu_ticks() {
    local pid total=0 stat rest
    for pid in "$@"; do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        rest=${stat##*) } # fields after "(comm) ", comm may hold spaces
        set -- $rest
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}

# peak_rss_kb PID...: the sum of VmHWM (peak resident set, kB) of the given processes.
peak_rss_kb() {
    local pid total=0 v
    for pid in "$@"; do
        v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

# wait_http URL SECONDS [CURL_ARGS...]: waits until URL answers any HTTP status.
wait_http() {
    local url=$1 secs=$2 end
    shift 2
    end=$((SECONDS + secs))
    while [ $SECONDS -lt $end ]; do
        if curl -sk -o /dev/null --max-time 1 "$@" "$url"; then return 0; fi
        sleep 0.05
    done
    return 1
}

# http_status URL [CURL_ARGS...]: prints the status code of one request (000 when none).
http_status() {
    local url=$1
    shift
    curl -sk -o "$WORK/last.body" -w '%{http_code}' --max-time 5 "$@" "$url" 2>/dev/null
}

# median: the median of the numbers on stdin (mean of the middle two for an even count).
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print ""; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
