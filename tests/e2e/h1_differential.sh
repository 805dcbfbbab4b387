#!/usr/bin/env bash
# h1_differential.sh - the gateway's request reader (cmn_h1, via tests/tools/h1_frames) against
# an independent parser, Node's llhttp (tests/tools/llhttp_frames.js): on every case of
# tests/data/h1/differential/ and tests/data/h1/requests/ both must agree on accept or refuse
# and on where each request ends, or the case must be listed with its reason in
# tests/data/h1/llhttp-differences.tsv. A listed case that no longer differs fails too, so the
# list stays true. Skipped (exit 77) without node.
set -u
. "$(dirname "$0")/lib.sh"

if ! command -v node >/dev/null; then
    echo "skipped: node is not installed (scripts/install-deps installs nodejs)"
    exit 77
fi
data="$SRC_DIR/tests/data/h1"
listed=$(grep -v '^#' "$data/llhttp-differences.tsv" | cut -f1)
files=("$data"/differential/*)
for f in "$data"/requests/*; do # fuzz seeds: the first byte is the split mode
    tail -c +2 "$f" >"$E2E_WORK/$(basename "$f")"
    files+=("$E2E_WORK/$(basename "$f")")
done
"$TOOLS_DIR/h1_frames" "${files[@]}" >"$E2E_WORK/ours"
node "$SRC_DIR/tests/tools/llhttp_frames.js" "${files[@]}" 2>/dev/null >"$E2E_WORK/theirs"
section() { awk -v f="== $2" '$0 == f {on = 1; next} /^== / {on = 0} on' "$1"; }
for f in "${files[@]}"; do
    name=$(basename "$f")
    ours=$(section "$E2E_WORK/ours" "$f")
    theirs=$(section "$E2E_WORK/theirs" "$f")
    [ -n "$ours" ] && [ -n "$theirs" ] || e2e_fail "$name: both parsers report"
    is_listed=false
    grep -qxF "$name" <<<"$listed" && is_listed=true
    if [ "$ours" = "$theirs" ]; then
        $is_listed && e2e_fail "$name: listed as a difference, but both now read it alike" || e2e_pass "$name: both agree"
    elif $is_listed; then
        e2e_pass "$name: a listed difference"
    else
        e2e_fail "$name: an unlisted difference" "ours:   $(tr '\n' ' ' <<<"$ours")" "llhttp: $(tr '\n' ' ' <<<"$theirs")"
    fi
done
e2e_finish
