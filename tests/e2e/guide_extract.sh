# guide_extract.sh - the guide's steps from either source: its text (the curl commands and
# krakend.json blocks as written, so the replay runs exactly what a reader would type) or the
# project's own description of them (tests/data/guide/steps.json). Source it.
#
#   guide_curls FILE       prints each curl command of the guide (continuation lines joined),
#                          NUL-separated
#   guide_configs FILE     prints each krakend.json block ("$schema" objects), NUL-separated
#   guide_curl_step CMD    prints a guide curl command as a step record of steps.json
#   steps_curls FILE       prints a curl command per step of steps.json, NUL-separated
#   steps_configs FILE     prints each config of steps.json, NUL-separated
# shellcheck shell=bash

guide_curls() {
    awk '
    function quotes(s,   n, i) { n = 0; for (i = 1; i <= length(s); i++) if (substr(s, i, 1) == "\047") n++; return n }
    cmd == "" && /^curl / { cmd = $0 }
    cmd != "" && started {
        cmd = cmd "\n" $0
    }
    cmd != "" {
        started = 1
        if ($0 !~ /\\$/ && quotes(cmd) % 2 == 0) { printf "%s%c", cmd, 0; cmd = ""; started = 0 }
    }' "$1"
}

guide_configs() {
    awk '
    block == "" && prev == "{" && /^"\$schema"/ { block = "{"; depth = 1 }
    block != "" {
        block = block "\n" $0
        depth += gsub(/\{/, "{") - gsub(/\}/, "}")
        if (depth == 0) { printf "%s%c", block, 0; block = "" }
    }
    { prev = $0 }' "$1"
}

json_strings() { jq -nc '$ARGS.positional' --args "$@"; }

# guide_curl_step CMD: the curl command CMD as a step record without its name: {url, headers,
# form (--data-urlencode), json (--data, parsed)}, printed as JSON. CMD is split into words as
# bash splits it, with the guide's "$MGMT_TOKEN" standing for the placeholder <MGMT_TOKEN>.
# Fails, saying why on stderr, on an option it does not know or a --data that is not JSON.
guide_curl_step() {
    # shellcheck disable=SC2034 # read by the eval
    local MGMT_TOKEN='<MGMT_TOKEN>' i opt arg
    local -a w urls=() headers=() form=() data=()
    eval "w=( $1 )" || return 1
    [ "${w[0]-}" = curl ] || { echo "not a curl command: $1" >&2; return 1; }
    for ((i = 1; i < ${#w[@]}; i++)); do
        opt=${w[i]}
        case $opt in
        --location) continue ;; # redirects: the replay's requests have none
        --header | --data | --data-urlencode)
            if ((i + 1 >= ${#w[@]})); then echo "$opt without a value" >&2; return 1; fi
            arg=${w[++i]} ;;
        -*) echo "curl option not understood: $opt" >&2; return 1 ;;
        esac
        case $opt in
        --header) headers+=("$arg") ;;
        --data) data+=("$arg") ;;
        --data-urlencode) form+=("$arg") ;;
        *) urls+=("$opt") ;;
        esac
    done
    jq -nc --argjson urls "$(json_strings "${urls[@]}")" \
        --argjson headers "$(json_strings "${headers[@]}")" \
        --argjson form "$(json_strings "${form[@]}")" \
        --argjson data "$(json_strings "${data[@]}")" '
        if ($urls | length) != 1 then error("one URL expected, found \($urls | length)")
        elif ($data | length) > 1 then error("more than one --data")
        else {url: $urls[0], headers: $headers}
            + (if $form == [] then {} else {form: $form} end)
            + (if $data == [] then {} else {json: ($data[0] | fromjson)} end)
        end'
}

# steps_curls FILE: `curl --location URL --header H... --data-urlencode F... | --data JSON`
# for each step, every argument single-quoted, so placeholders stay as written for the caller.
steps_curls() {
    jq -j '.steps[]
        | ["curl --location", (.url | @sh)]
          + [.headers[]? | "--header " + @sh]
          + [.form[]? | "--data-urlencode " + @sh]
          + (if has("json") then ["--data " + (.json | tojson | @sh)] else [] end)
        | join(" ") + "\u0000"' "$1"
}

steps_configs() {
    local i n
    n=$(jq '.configs | length' "$1") || return 1
    for ((i = 0; i < n; i++)); do
        jq ".configs[$i]" "$1" && printf '\0'
    done
}
