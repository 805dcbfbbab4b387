#!/usr/bin/env bash
# install.sh - `cmake --install` puts the three programs in <prefix>/bin and `krakend` beside
# them as a link to `gateway`, for a --prefix given at install time and with DESTDIR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=$(dirname "$BIN_DIR")

cmake --install "$build" --prefix "$E2E_WORK/prefix" >/dev/null
for p in gateway mock-backend mock-thunder; do
    [ -x "$E2E_WORK/prefix/bin/$p" ] && e2e_pass "installs bin/$p" || e2e_fail "installs bin/$p"
done
e2e_eq "bin/krakend links to gateway" gateway "$(readlink "$E2E_WORK/prefix/bin/krakend")"
out=$("$E2E_WORK/prefix/bin/krakend" version 2>&1)
e2e_contains "the installed krakend runs" "KrakenD Version: " "$out"
DESTDIR="$E2E_WORK/dest" cmake --install "$build" --prefix /opt/kt >/dev/null
e2e_eq "DESTDIR is honoured for the link" gateway "$(readlink "$E2E_WORK/dest/opt/kt/bin/krakend")"
e2e_finish
