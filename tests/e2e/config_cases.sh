#!/usr/bin/env bash
# config_cases.sh - the configuration front door as a table: each folder of tests/data/cli holds a
# configuration (or a template project), `cmd` (the arguments, shell-quoted), an optional `env`
# (VAR=value lines) and `expect`, one directive a line:
#   exit N            the exit status
#   has TEXT          the output (stderr and stdout) contains TEXT
#   lacks TEXT        it does not
#   line TEXT         one whole line of the output is TEXT
#   lines N           the output has N lines
#   count N TEXT      exactly N lines of the output contain TEXT (N ERROR lines, N lint issues)
#   json FILE JSON    FILE (written by the command) holds that JSON, object for object
#   mode FILE OCTAL   FILE's permission bits
# Each case runs in a copy of its folder, with no KRAKEND_* or FC_* variable but its own.
set -u
. "$(dirname "$0")/lib.sh"

CASES="$SRC_DIR/tests/data/cli"
for v in $(env | sed -n 's/^\(\(KRAKEND\|FC\)_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done

check_expect() {
    local name=$1 dir=$2 rc=$3 out=$4 op arg file want got
    while IFS= read -r line || [ -n "$line" ]; do
        op=${line%% *}
        arg=${line#* }
        case "$op" in
        exit) e2e_eq "$name: exit $arg" "$arg" "$rc" ;;
        has) e2e_contains "$name: has $arg" "$arg" "$out" ;;
        lacks)
            case "$out" in
            *"$arg"*) e2e_fail "$name: lacks $arg" "output: $out" ;;
            *) e2e_pass "$name: lacks $arg" ;;
            esac
            ;;
        line)
            if printf '%s\n' "$out" | grep -qxF -- "$arg"; then e2e_pass "$name: line $arg"
            else e2e_fail "$name: line $arg" "output: $out"; fi
            ;;
        lines) e2e_eq "$name: $arg lines" "$arg" "$(printf '%s' "$out" | grep -c '')" ;;
        count)
            want=${arg%% *}
            e2e_eq "$name: $want lines contain ${arg#* }" "$want" \
                "$(printf '%s\n' "$out" | grep -cF -- "${arg#* }")"
            ;;
        json)
            file=${arg%% *}
            want=$(printf '%s' "${arg#* }" | jq -cS . 2>&1)
            got=$(jq -cS . "$dir/$file" 2>&1)
            e2e_eq "$name: $file holds the JSON" "$want" "$got"
            ;;
        mode)
            file=${arg%% *}
            e2e_eq "$name: $file mode" "${arg#* }" "$(stat -c %a "$dir/$file" 2>&1)"
            ;;
        *) e2e_fail "$name: unknown directive $op" ;;
        esac
    done <"$dir/expect"
}

n=0
for src in "$CASES"/*/; do
    name=$(basename "$src")
    dir="$E2E_WORK/$name"
    cp -r "$src" "$dir"
    envs=()
    [ -f "$dir/env" ] && mapfile -t envs <"$dir/env"
    eval "set -- $(cat "$dir/cmd")"
    out=$(cd "$dir" && env "${envs[@]}" "$BIN_DIR/krakend" "$@" 2>&1 </dev/null)
    rc=$?
    check_expect "$name" "$dir" "$rc" "$out"
    n=$((n + 1))
done
[ "$n" -ge 20 ] && e2e_pass "$n cases run" || e2e_fail "only $n cases found in $CASES"
e2e_finish
