#!/usr/bin/env bash
# browser_cors.sh - security/cors as a browser sees it: Debian's chromium, headless, loads a page
# from another origin (mock-backend's --files on its own loopback port) whose script calls three
# gateways with fetch() and writes each outcome into the page; --dump-dom prints the page.
#
#   gw1: allow_origins [the page's origin], allow_credentials, expose_headers [X-Krakend]
#   gw2: the same without allow_credentials
#   gw3: allow_origins ["*"] with allow_credentials (answers "*" and "true": browsers refuse)
#
# It shows a preflighted POST with Authorization and Content-Type: application/json succeeding
# from the allowed origin, the same call blocked by the browser from another origin (and never
# sent: the gateway logs no POST for it), and a credentialed request working only where
# allow_credentials says so. Everything is on 127.0.0.1/localhost; chromium's own background
# traffic is switched off and every other host name resolves to nothing. Without chromium the
# test reports itself skipped (77).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
    echo "skip - chromium is not installed (scripts/install-deps installs it)"
    exit 77
fi

read -r MB_PORT G1 G2 G3 < <(e2e_ports 4 | tr '\n' ' ')
PAGE_ORIGIN="http://127.0.0.1:$MB_PORT"
OTHER_ORIGIN="http://localhost:$MB_PORT" # same server, another origin (host differs)
mkdir -p "$E2E_WORK/files"

gw_config() { # gw_config PORT CORS_JSON
    cat <<EOF
{"version":3,"port":$1,"extra_config":{"security/cors":$2},
 "endpoints":[
  {"endpoint":"/api/items","method":"POST","input_headers":["Authorization","Content-Type"],
   "backend":[{"host":["http://127.0.0.1:$MB_PORT"],"url_pattern":"/__echo/api/items"}]},
  {"endpoint":"/api/items","method":"GET",
   "backend":[{"host":["http://127.0.0.1:$MB_PORT"],"url_pattern":"/__echo/api/items"}]}
 ]}
EOF
}
ALLOW="\"allow_methods\":[\"GET\",\"POST\"],\"allow_headers\":[\"Authorization\",\"Content-Type\"],\"expose_headers\":[\"X-Krakend\"]"
gw_config "$G1" "{\"allow_origins\":[\"$PAGE_ORIGIN\"],$ALLOW,\"allow_credentials\":true}" >"$E2E_WORK/gw1.json"
gw_config "$G2" "{\"allow_origins\":[\"$PAGE_ORIGIN\"],$ALLOW}" >"$E2E_WORK/gw2.json"
gw_config "$G3" "{\"allow_origins\":[\"*\"],$ALLOW,\"allow_credentials\":true}" >"$E2E_WORK/gw3.json"

# The page: each call's outcome becomes <li id="...">ok STATUS ...</li> or <li>blocked ...</li>.
cat >"$E2E_WORK/files/page.html" <<EOF
<!doctype html>
<html><head><meta charset="utf-8"><title>CORS through the gateway</title></head>
<body><ul id="out"></ul>
<script>
"use strict";
function put(id, text) {
  const li = document.createElement("li");
  li.id = id;
  li.textContent = text;
  document.getElementById("out").appendChild(li);
}
async function call(id, url, init) {
  try {
    const r = await fetch(url, init);
    const body = await r.json();
    const auth = (body.headers && body.headers.Authorization) || [];
    put(id, "ok " + r.status + " auth=" + auth.join(",") + " x-krakend=" + r.headers.get("X-Krakend"));
  } catch (e) {
    put(id, "blocked " + e.name + ": " + e.message);
  }
}
(async () => {
  const g1 = "http://127.0.0.1:$G1/api/items", g2 = "http://127.0.0.1:$G2/api/items",
        g3 = "http://127.0.0.1:$G3/api/items";
  await call("post", g1, {method: "POST", body: JSON.stringify({name: "Widget"}),
    headers: {"Authorization": "Bearer t0k3n", "Content-Type": "application/json"}});
  await call("cred-1", g1, {credentials: "include"});
  await call("cred-2", g2, {credentials: "include"});
  await call("plain-2", g2, {});
  await call("cred-3", g3, {credentials: "include"});
  await call("plain-3", g3, {});
  put("done", "done " + location.origin);
})();
</script>
</body></html>
EOF

e2e_start mock-backend "$BIN_DIR/mock-backend" --port "$MB_PORT" --files "$E2E_WORK/files" --quiet
e2e_wait_http "$PAGE_ORIGIN/__echo/" 10
for g in 1 2 3; do
    e2e_start "gw$g" "$BIN_DIR/gateway" run -c "$E2E_WORK/gw$g.json"
done
for p in $G1 $G2 $G3; do e2e_wait_http "http://127.0.0.1:$p/__health" 10; done

# browse URL OUT: the page as chromium left it. Loopback only: no background networking, no
# component or safe-browsing updates, and any host but localhost/127.0.0.1 resolves to nothing.
browse() {
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --no-default-browser-check --disable-background-networking --disable-component-update \
        --disable-default-apps --disable-sync --disable-extensions --disable-breakpad \
        --disable-domain-reliability --disable-client-side-phishing-detection \
        --safebrowsing-disable-auto-update --metrics-recording-only --no-pings --no-proxy-server \
        --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1" \
        --user-data-dir="$E2E_WORK/profile-$2" --virtual-time-budget=15000 \
        --dump-dom "$1" >"$E2E_WORK/$2.html" 2>"$E2E_WORK/$2.chromium.log"
}
outcome() { # outcome PAGE ID: the text of <li id="ID">
    sed -n "s:.*<li id=\"$2\">\([^<]*\)</li>.*:\1:p" "$E2E_WORK/$1.html" | head -n1
}
PAGE="/__files/page.html?content_type=text/html"
XK="x-krakend=Version $("$BIN_DIR/gateway" version 2>&1 | awk 'NR == 1 { print $3 }')" # exposed

echo "# the page from the allowed origin ($PAGE_ORIGIN)"
browse "$PAGE_ORIGIN$PAGE" allowed || e2e_fail "chromium ran" "$(tail -5 "$E2E_WORK/allowed.chromium.log")"
e2e_eq "the page's script ran to the end" "done $PAGE_ORIGIN" "$(outcome allowed done)"
e2e_eq "preflighted POST with Authorization and JSON: the browser lets the script read the answer" \
    "ok 200 auth=Bearer t0k3n $XK" "$(outcome allowed post)"
e2e_eq "credentialed GET, allow_credentials true: allowed" \
    "ok 200 auth= $XK" "$(outcome allowed cred-1)"
e2e_contains "credentialed GET, allow_credentials false: blocked by the browser" \
    "blocked TypeError" "$(outcome allowed cred-2)"
e2e_eq "the same GET without credentials: allowed" \
    "ok 200 auth= $XK" "$(outcome allowed plain-2)"
e2e_contains "credentialed GET, allow_origins [\"*\"] with allow_credentials: blocked (\"*\" is no answer for credentials)" \
    "blocked TypeError" "$(outcome allowed cred-3)"
e2e_eq "the same GET without credentials: allowed" \
    "ok 200 auth= $XK" "$(outcome allowed plain-3)"

echo "# the page from another origin ($OTHER_ORIGIN)"
browse "$OTHER_ORIGIN$PAGE" other || e2e_fail "chromium ran" "$(tail -5 "$E2E_WORK/other.chromium.log")"
e2e_eq "the page's script ran to the end" "done $OTHER_ORIGIN" "$(outcome other done)"
e2e_contains "the same preflighted POST: blocked by the browser" "blocked TypeError" \
    "$(outcome other post)"
e2e_contains "credentialed GET to gw1 from another origin: blocked" "blocked TypeError" \
    "$(outcome other cred-1)"
e2e_contains "GET to gw3 (every origin) from another origin: allowed" "ok 200" \
    "$(outcome other plain-3)"

sleep 0.3 # the access log is written in batches
e2e_eq "gw1 received one POST: the blocked one was never sent after its preflight failed" 1 \
    "$(grep -c '^\[GIN\].*| POST *"/api/items"$' "$E2E_WORK/gw1.log")"
e2e_finish
