# mock_thunder_state.sh - mock-thunder's flags and variables, the data directory (restart keeps
# state, kill -9 mid-write, corrupt files are named, one server per directory), key rotation
# keeping old tokens verifiable until retired, and concurrent creates and token requests.
set -u
. "$SRC_DIR/tests/e2e/lib.sh"
. "$SRC_DIR/tests/e2e/mock_thunder_lib.sh"

D="$E2E_WORK/state"
PORT=$(e2e_ports 1)
CA="$D/tls-cert.pem"
api() {
    local args=(-s --cacert "$CA" -X "$1" -H "Authorization: Bearer $ADMIN")
    [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
    curl "${args[@]}" "$MT_URL$2"
}
status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# ---- command line ----
HELP=$("$MT_BIN" --help)
e2e_eq "--help exits 0" 0 $?
for w in --port --bind --issuer --hostname --data-dir --ephemeral --cert --key --http --seed \
    --strict-client-auth --admin-client-id --admin-client-secret THUNDER_PORT THUNDER_ADMIN_CLIENT_ID \
    THUNDER_ADMIN_CLIENT_SECRET thunder-data tls-cert.pem thunder-admin-secret /admin/keys/rotate; do
    e2e_contains "--help documents $w" "$w" "$HELP"
done
OUT=$("$MT_BIN" --bogus 2>&1)
e2e_eq "unknown flag exits 2" "2" "$?"
e2e_contains "... and names it" "--bogus" "$OUT"
OUT=$("$MT_BIN" --data-dir x --ephemeral 2>&1)
e2e_eq "--data-dir with --ephemeral exits 2" 2 $?
OUT=$(THUNDER_PORT=99999 "$MT_BIN" 2>&1)
e2e_eq "bad THUNDER_PORT exits 2, naming the variable" "2 yes" "$? $(grep -q THUNDER_PORT <<<"$OUT" && echo yes)"

# ---- first start: variables, flags, --port 0 ----
THUNDER_ADMIN_CLIENT_ID=env-admin THUNDER_ADMIN_CLIENT_SECRET=env-secret THUNDER_HOSTNAME=mock.example,idp.test \
    mt_start one --port 0 --data-dir state --admin-client-id flag-admin || exit 1
e2e_contains "--port 0: the bound port is logged" "listening on *:$MT_PORT" "$(cat "$E2E_WORK/one.log")"
e2e_eq "flag beats variable (client id); variable used for the secret" 200 \
    "$(status_of --cacert "$CA" "$MT_URL/oauth2/token" -d grant_type=client_credentials -d client_id=flag-admin -d client_secret=env-secret)"
e2e_eq "the variable's client id is not used" 401 \
    "$(status_of --cacert "$CA" "$MT_URL/oauth2/token" -d grant_type=client_credentials -d client_id=env-admin -d client_secret=env-secret)"
SANS=$(openssl x509 -in "$CA" -noout -ext subjectAltName)
for n in DNS:localhost "IP Address:127.0.0.1" "IP Address:0:0:0:0:0:0:0:1" DNS:mock.example DNS:idp.test; do
    e2e_contains "certificate SAN $n" "$n" "$SANS"
done
e2e_curl --cacert "$CA" --resolve "mock.example:$MT_PORT:127.0.0.1" "https://mock.example:$MT_PORT/health/liveness"
e2e_eq "TLS verifies for a --hostname name" 200 "$E2E_STATUS"
e2e_eq "TLS 1.2 offered" 200 "$(status_of --cacert "$CA" --tlsv1.2 --tls-max 1.2 "$MT_URL/health/liveness")"
e2e_eq "TLS 1.3 offered" 200 "$(status_of --cacert "$CA" --tlsv1.3 "$MT_URL/health/liveness")"
e2e_stop "$MT_PID"

# ---- state across restarts ----
THUNDER_HOSTNAME=ignored.example mt_start two --port "$PORT" --data-dir state --hostname extra.example || exit 1
e2e_contains "a new --hostname (flag beats variable) replaces the certificate" "DNS:extra.example" \
    "$(openssl x509 -in "$CA" -noout -ext subjectAltName)"
e2e_eq "... without the variable's name" 0 "$(openssl x509 -in "$CA" -noout -ext subjectAltName | grep -c ignored)"
CERT_SUM=$(sha256sum "$CA" | cut -d' ' -f1)
e2e_eq "old admin client id is replaced on restart" 401 \
    "$(status_of --cacert "$CA" "$MT_URL/oauth2/token" -d grant_type=client_credentials -d client_id=flag-admin -d client_secret=env-secret)"
ADMIN=$(mt_token "$CA" "$MT_ADMIN_ID" "$MT_ADMIN_SECRET" system)
RS=$(api POST /resource-servers '{"name":"Items API","handle":"booking-api","identifier":"https://api.example.com/booking","ouId":"'$MT_OU'"}' | jq -r .id)
RES=$(api POST /resource-servers/$RS/resources '{"name":"Items","handle":"item"}' | jq -r .id)
api POST /resource-servers/$RS/resources/$RES/actions '{"name":"Read","handle":"read"}' >/dev/null
ROLE=$(api POST /roles '{"name":"Reader","ouId":"'$MT_OU'","permissions":[{"resourceServerId":"'$RS'","permissions":["booking-api:item:read"]}]}' | jq -r .id)
APP_JSON=$(api POST /applications '{"name":"svc","ouId":"'$MT_OU'","inboundAuthConfig":[{"type":"oauth2","config":{"grantTypes":["client_credentials"],"token":{"accessToken":{"validityPeriod":600}}}}]}')
APP=$(jq -r .id <<<"$APP_JSON")
CID=$(jq -r .clientId <<<"$APP_JSON")
SECRET=$(jq -r '.inboundAuthConfig[0].config.clientSecret' <<<"$APP_JSON")
api POST /applications/$APP/roles '{"roles":["'$ROLE'"]}' >/dev/null
e2e_stop "$MT_PID"
mt_start three --port "$PORT" --data-dir state || exit 1
e2e_eq "certificate kept across restarts" "$CERT_SUM" "$(sha256sum "$CA" | cut -d' ' -f1)"
e2e_eq "admin token from before the restart still works" 200 \
    "$(status_of --cacert "$CA" -H "Authorization: Bearer $ADMIN" "$MT_URL/roles")"
e2e_eq "entities survive the restart" "Items API booking-api:item:read Reader" \
    "$(api GET /resource-servers/$RS | jq -r .name) $(api GET /resource-servers/$RS/resources/$RES/actions | jq -r '.actions[0].permission') $(api GET /roles/$ROLE | jq -r .name)"
R=$(curl -s --cacert "$CA" "$MT_URL/oauth2/token" -d grant_type=client_credentials -d "client_id=$CID" -d "client_secret=$SECRET" -d scope=booking-api:item:read)
e2e_eq "app credentials, role and validity survive" "booking-api:item:read 600" "$(jq -r '"\(.scope) \(.expires_in)"' <<<"$R")"
e2e_eq "the admin application exists once" 1 "$(api GET /applications | jq '[.applications[] | select(.clientId == "thunder-admin")] | length')"
e2e_eq "the store keeps a hash, not the secret" 0 "$(grep -c -e "$SECRET" -e "$MT_ADMIN_SECRET" "$D/store.json")"

# ---- one server per data directory ----
OUT=$(cd "$E2E_WORK" && "$MT_BIN" --port 0 --data-dir state 2>&1)
e2e_eq "second server on the same directory refused" "1 yes" "$? $(grep -q 'in use' <<<"$OUT" && echo yes)"

# ---- key rotation ----
OLD=$(mt_token "$CA" "$CID" "$SECRET" booking-api:item:read)
OLD_KID=$(jwt_part "$OLD" 1 | jq -r .kid)
ROT=$(api POST /admin/keys/rotate)
NEW_KID=$(jq -r .signer <<<"$ROT")
JWKS=$(curl -s --cacert "$CA" "$MT_URL/oauth2/jwks")
e2e_eq "rotation: new signer, old key still published" "2 $NEW_KID $OLD_KID" \
    "$(jq -r '"\(.keys|length) \(.keys[0].kid) \(.keys[1].kid)"' <<<"$JWKS")"
if jwt_verify_openssl "$OLD" "$JWKS"; then e2e_pass "old token still verifies after one rotation"; else e2e_fail "old token still verifies after one rotation"; fi
NEW=$(mt_token "$CA" "$CID" "$SECRET" booking-api:item:read)
e2e_eq "new tokens use the new key" "$NEW_KID" "$(jwt_part "$NEW" 1 | jq -r .kid)"
if jwt_verify_openssl "$NEW" "$JWKS"; then e2e_pass "new token verifies"; else e2e_fail "new token verifies"; fi
e2e_eq "old admin token still accepted" 200 "$(status_of --cacert "$CA" -H "Authorization: Bearer $ADMIN" "$MT_URL/roles")"
e2e_eq "introspection: old token active" true \
    "$(curl -s --cacert "$CA" "$MT_URL/oauth2/introspect" -u "$CID:$SECRET" --data-urlencode "token=$OLD" | jq -r .active)"
e2e_stop "$MT_PID"
mt_start four --port "$PORT" --data-dir state || exit 1
e2e_eq "rotated keys survive a restart" "$JWKS" "$(curl -s --cacert "$CA" "$MT_URL/oauth2/jwks")"
ROT2=$(api POST /admin/keys/rotate)
e2e_eq "second rotation retires the old key" "$OLD_KID" "$(jq -r '.retired[0]' <<<"$ROT2")"
JWKS2=$(curl -s --cacert "$CA" "$MT_URL/oauth2/jwks")
e2e_eq "JWKS: newest two keys" "2 $NEW_KID" "$(jq -r '"\(.keys|length) \(.keys[1].kid)"' <<<"$JWKS2")"
if jwt_verify_openssl "$OLD" "$JWKS2" 2>/dev/null; then e2e_fail "retired key's token no longer verifies"; else e2e_pass "retired key's token no longer verifies"; fi
e2e_eq "admin token of the retired key: 401" 401 "$(status_of --cacert "$CA" -H "Authorization: Bearer $ADMIN" "$MT_URL/roles")"
e2e_eq "introspection: retired token inactive" false \
    "$(curl -s --cacert "$CA" "$MT_URL/oauth2/introspect" -u "$CID:$SECRET" --data-urlencode "token=$OLD" | jq -r .active)"
ADMIN=$(mt_token "$CA" "$MT_ADMIN_ID" "$MT_ADMIN_SECRET" system)

# ---- concurrency: creates and token requests from several clients at once ----
WORKERS=()
for w in 1 2 3 4; do
    (
        for i in $(seq 1 10); do
            curl -s -o /dev/null -w '%{http_code}\n' --cacert "$CA" -H "Authorization: Bearer $ADMIN" \
                -H 'Content-Type: application/json' --data "{\"name\":\"c$w-$i\",\"ouId\":\"$MT_OU\"}" "$MT_URL/roles"
            curl -s --cacert "$CA" "$MT_URL/oauth2/token" -d grant_type=client_credentials -d "client_id=$CID" \
                -d "client_secret=$SECRET" -d scope=booking-api:item:read | jq -r .scope
        done >"$E2E_WORK/worker$w.out"
    ) &
    WORKERS+=($!)
done
wait "${WORKERS[@]}" # not a bare wait: the server is a child too
e2e_eq "40 concurrent creates answered 201" 40 "$(cat "$E2E_WORK"/worker*.out | grep -c '^201$')"
e2e_eq "40 concurrent tokens issued with the scope" 40 "$(cat "$E2E_WORK"/worker*.out | grep -c '^booking-api:item:read$')"
e2e_eq "every create stored once" 40 "$(api GET '/roles?limit=100' | jq '[.roles[] | select(.name | startswith("c"))] | length')"

# ---- kill -9 during writes ----
(
    for i in $(seq 1 400); do
        curl -s -o /dev/null -w '%{http_code}\n' --cacert "$CA" -H "Authorization: Bearer $ADMIN" \
            -H 'Content-Type: application/json' --data "{\"name\":\"k$i\",\"ouId\":\"$MT_OU\"}" "$MT_URL/organization-units/$MT_OU" -X PUT 2>/dev/null
        curl -s -o /dev/null -w '%{http_code}\n' --cacert "$CA" -H "Authorization: Bearer $ADMIN" \
            -H 'Content-Type: application/json' --data "{\"handle\":\"k$i\",\"name\":\"k$i\",\"parent\":\"$MT_OU\"}" "$MT_URL/organization-units"
    done >"$E2E_WORK/kill.out"
) &
WRITER=$!
sleep 1.5
e2e_stop "$MT_PID" KILL
wait "$WRITER"
CREATED=$(grep -c '^201$' "$E2E_WORK/kill.out")
mt_start five --port "$PORT" --data-dir state || exit 1
e2e_pass "store loads after kill -9 ($CREATED creates acknowledged)"
STORED=$(api GET "/organization-units/$MT_OU/ous?limit=100" | jq -r .totalResults)
if [ "$STORED" -ge "$CREATED" ] && [ "$STORED" -le $((CREATED + 1)) ]; then
    e2e_pass "every acknowledged create survived ($STORED stored)"
else
    e2e_fail "every acknowledged create survived" "acknowledged $CREATED, stored $STORED"
fi
e2e_eq "no temporary files left behind after restart" "" "$(ls "$D" | grep -v -x -e store.json -e signing-keys.json -e tls-cert.pem -e tls-key.pem)"
e2e_stop "$MT_PID"

# ---- unreadable files are errors naming the file, never a reset ----
cp "$D/store.json" "$E2E_WORK/store.good"
printf '{"version":1,"organizationUnits":[' >"$D/store.json"
OUT=$(cd "$E2E_WORK" && "$MT_BIN" --port 0 --data-dir state 2>&1)
e2e_eq "truncated store: exit 1" 1 $?
e2e_contains "... naming the file" "state/store.json" "$OUT"
jq '.resources[0]._rsId = "gone"' "$E2E_WORK/store.good" >"$D/store.json"
OUT=$(cd "$E2E_WORK" && "$MT_BIN" --port 0 --data-dir state 2>&1)
e2e_eq "dangling reference: exit 1" 1 $?
e2e_contains "... naming the file and entry" "store.json: resources[0]._rsId" "$OUT"
cp "$E2E_WORK/store.good" "$D/store.json"
cp "$D/signing-keys.json" "$E2E_WORK/keys.good"
printf 'garbage' >"$D/signing-keys.json"
OUT=$(cd "$E2E_WORK" && "$MT_BIN" --port 0 --data-dir state 2>&1)
e2e_eq "corrupt key file: exit 1" 1 $?
e2e_contains "... naming the file" "signing-keys.json" "$OUT"
cp "$E2E_WORK/keys.good" "$D/signing-keys.json"
e2e_eq "store left untouched by the failed starts" "$(sha256sum <"$E2E_WORK/store.good")" "$(sha256sum <"$D/store.json")"

e2e_finish
