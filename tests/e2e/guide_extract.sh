# guide_extract.sh - pulls the guide's curl commands and krakend.json blocks out of its text, as
# written, so the replay runs exactly what a reader would type. Source it.
#
#   guide_curls FILE     prints each curl command (continuation lines joined), NUL-separated
#   guide_configs FILE   prints each krakend.json block ("$schema" objects), NUL-separated

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
