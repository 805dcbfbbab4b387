# peers.sh - starts each benchmarked configuration (and the backend and JWKS server they use),
# loopback only, with its configuration written under $WORK/cfg. Sourced by bench/run.
#
# peer_start ID sets PEER_PID (the process whose tree is measured), PEER_URL (what wrk hits)
# and PEER_AUTH (1 when the configuration validates tokens). IDs are in CONFIG_IDS (bench/run).

APACHE_MODS=/usr/lib/apache2/modules

# --- the backend and the JWKS server -----------------------------------------------------------

# start_backend: a fresh mock-backend (new item store) on MB_PORT, pid in MB_PID; its
# /delayed/ route answers after 200 ms (held on a timer, no thread held).
start_backend() {
    free_port MB_PORT
    start_bg mock-backend "$SERVER_CPUS" "$BIN/mock-backend" --port "$MB_PORT" \
        --bind 127.0.0.1 --quiet --max-items 1000000 --ce-delay-ms 200
    MB_PID=$BG_PID
    wait_http "http://127.0.0.1:$MB_PORT/__health" 10 ||
        die "mock-backend did not start: $(tail -3 "$WORK/logs/mock-backend.log")"
}

# nginx_conf DIR PORT SERVER_BLOCK_BODY [HTTP_EXTRA]: a self-contained nginx.conf in DIR.
nginx_conf() {
    local dir=$1 port=$2 body=$3 extra=${4:-}
    mkdir -p "$dir/tmp"
    cat >"$dir/nginx.conf" <<EOF
worker_processes $SERVER_NCPU;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
user root;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    $extra
    server {
        listen 127.0.0.1:$port;
        $body
    }
}
EOF
}

# start_jwks: nginx serving the JWKS over HTTPS at JWKS_URL (the path ThunderID uses).
start_jwks() {
    local dir=$WORK/cfg/jwks-nginx port
    free_port port
    mkdir -p "$dir/oauth2"
    cp "$WORK/keys/jwks.json" "$dir/oauth2/jwks"
    nginx_conf "$dir" "$port ssl" "
        ssl_certificate $WORK/keys/tls.crt;
        ssl_certificate_key $WORK/keys/tls.key;
        location = /oauth2/jwks { root $dir; default_type application/json; }"
    start_bg jwks-nginx "$SERVER_CPUS" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
    JWKS_PID=$BG_PID
    JWKS_URL="https://127.0.0.1:$port/oauth2/jwks"
    wait_http "$JWKS_URL" 10 || die "the JWKS server (nginx) did not start: $(cat "$dir/error.log")"
    [ "$(curl -sk "$JWKS_URL" | jq -r '.keys[0].kid')" = "$BENCH_KID" ] ||
        die "the JWKS server does not serve the JWKS"
}

# start_otlp_sink: the collector the telemetry case exports its traces and metrics to: nginx
# answering 200 to every OTLP/HTTP POST and keeping nothing, on the load generator's cores (a
# collector runs elsewhere in production: its work is not the gateway's cost).
start_otlp_sink() {
    local dir=$WORK/cfg/otlp-sink
    free_port OTLP_SINK_PORT
    nginx_conf "$dir" "$OTLP_SINK_PORT" "
        client_max_body_size 64m;
        client_body_buffer_size 4m;
        location /v1/ { return 200; }"
    start_bg otlp-sink "$LOADGEN_CPUS" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
    OTLP_SINK_PID=$BG_PID
    wait_http "http://127.0.0.1:$OTLP_SINK_PORT/v1/traces" 10 ||
        die "the OTLP sink (nginx) did not start: $(cat "$dir/error.log")"
}

# --- third-party peers -------------------------------------------------------------------------

start_nginx_proxy() {
    local dir=$WORK/cfg/nginx port
    free_port port
    nginx_conf "$dir" "$port" "
        location / {
            proxy_pass http://mb;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }" "upstream mb { server 127.0.0.1:$MB_PORT; keepalive 256; }"
    start_bg nginx "$SERVER_CPUS" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
    PEER_PID=$BG_PID PEER_URL="http://127.0.0.1:$port/api/items" PEER_AUTH=0
}

# nginx doing what case 6s adds to the guide's config (bench/configs/security.json): the CORS
# headers for the allowed origin (Vary always; the others only when the Origin matches, as
# rs/cors does; preflights answered 204), one rate limit for the whole endpoint at the same rate
# and burst (the token bucket's capacity), and the same security headers on every answer.
start_nginx_sec() {
    local dir=$WORK/cfg/nginx-sec port sec=$BENCH_DIR/configs/security.json origin rate
    local cors http
    free_port port
    origin=$(jq -r .origin "$sec")
    rate=$(jq -r '.endpoint["qos/ratelimit/router"].max_rate' "$sec")
    cors=$(jq -r '.service["security/cors"]' "$sec")
    http=$(jq -r '.service["security/http"]' "$sec")
    nginx_conf "$dir" "$port" "
        location / {
            limit_req zone=endpoint burst=$rate nodelay;
            if (\$request_method = OPTIONS) { return 204; }
            add_header Vary Origin always;
            add_header Access-Control-Allow-Origin \$cors_origin always;
            add_header Access-Control-Expose-Headers \$cors_expose always;
            add_header Access-Control-Allow-Credentials \$cors_credentials always;
            add_header Strict-Transport-Security \"max-age=$(jq -r .sts_seconds <<<"$http")\" always;
            add_header X-Frame-Options DENY always;
            add_header X-Content-Type-Options nosniff always;
            add_header X-XSS-Protection \"1; mode=block\" always;
            add_header Content-Security-Policy \"$(jq -r .content_security_policy <<<"$http")\" always;
            add_header Referrer-Policy $(jq -r .referrer_policy <<<"$http") always;
            proxy_pass http://mb;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }" "upstream mb { server 127.0.0.1:$MB_PORT; keepalive 256; }
    limit_req_zone \$server_name zone=endpoint:1m rate=${rate}r/s;
    map \$http_origin \$cors_origin { \"$origin\" \$http_origin; default \"\"; }
    map \$http_origin \$cors_expose { \"$origin\" \"$(jq -r '.expose_headers | join(", ")' <<<"$cors")\"; default \"\"; }
    map \$http_origin \$cors_credentials { \"$origin\" true; default \"\"; }"
    start_bg nginx-sec "$SERVER_CPUS" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
    PEER_PID=$BG_PID PEER_URL="http://127.0.0.1:$port/api/items" PEER_AUTH=0
}

# HAProxy checks what the gateway's config checks: alg, signature (jwt_verify against the PEM
# public key), exp, and the scope; 401 for a token problem, 403 for a missing scope.
start_haproxy() {
    local dir=$WORK/cfg/haproxy port
    free_port port
    mkdir -p "$dir"
    cat >"$dir/haproxy.cfg" <<EOF
global
    maxconn 8192
    nbthread $SERVER_NCPU
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
frontend fe
    bind 127.0.0.1:$port
    http-request deny deny_status 401 unless { req.hdr(authorization) -m beg -i "bearer " }
    http-request set-var(txn.bearer) http_auth_bearer
    http-request deny deny_status 401 unless { var(txn.bearer),jwt_header_query('\$.alg') -m str RS256 }
    http-request deny deny_status 401 unless { var(txn.bearer),jwt_verify("RS256","$WORK/keys/public.pem") -m int 1 }
    http-request set-var(txn.now) date()
    http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('\$.exp','int')
    http-request deny deny_status 401 unless { var(txn.exp),sub(txn.now) -m int gt 0 }
    http-request deny deny_status 403 unless { var(txn.bearer),jwt_payload_query('\$.scope') -m reg '(^| )$BENCH_SCOPE( |\$)' }
    default_backend be
backend be
    http-reuse always
    server mb 127.0.0.1:$MB_PORT maxconn 1024
EOF
    haproxy -c -f "$dir/haproxy.cfg" >"$dir/check.log" 2>&1 ||
        die "haproxy refused its configuration: $(cat "$dir/check.log")"
    start_bg haproxy "$SERVER_CPUS" haproxy -db -f "$dir/haproxy.cfg"
    PEER_PID=$BG_PID PEER_URL="http://127.0.0.1:$port/api/items" PEER_AUTH=1
}

# Apache httpd (event MPM) with mod_auth_openidc as an OAuth 2.0 resource server: it verifies
# the token against the JWKS URL (signature, exp) and requires the scope claim, then proxies.
start_apache() {
    local dir=$WORK/cfg/apache port
    free_port port
    mkdir -p "$dir"
    cat >"$dir/httpd.conf" <<EOF
ServerRoot /etc/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $dir/httpd.pid
DefaultRuntimeDir $dir
ErrorLog $dir/error.log
LogLevel warn
LoadModule mpm_event_module $APACHE_MODS/mod_mpm_event.so
LoadModule authz_core_module $APACHE_MODS/mod_authz_core.so
LoadModule authn_core_module $APACHE_MODS/mod_authn_core.so
LoadModule proxy_module $APACHE_MODS/mod_proxy.so
LoadModule proxy_http_module $APACHE_MODS/mod_proxy_http.so
LoadModule auth_openidc_module $APACHE_MODS/mod_auth_openidc.so
User www-data
Group www-data
StartServers $SERVER_NCPU
ServerLimit $SERVER_NCPU
ThreadsPerChild 64
MaxRequestWorkers $((64 * SERVER_NCPU))
MinSpareThreads 1
MaxSpareThreads $((64 * SERVER_NCPU))
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
OIDCCryptoPassphrase bench-passphrase-not-secret
OIDCOAuthVerifyJwksUri $JWKS_URL
OIDCOAuthSSLValidateServer Off
OIDCSSLValidateServer Off
OIDCOAuthRemoteUserClaim sub
<Location /api/items>
    AuthType oauth20
    Require claim scope:$BENCH_SCOPE
    ProxyPass http://127.0.0.1:$MB_PORT/api/items
</Location>
EOF
    apache2 -t -f "$dir/httpd.conf" >"$dir/check.log" 2>&1 ||
        die "apache2 refused its configuration: $(cat "$dir/check.log")"
    start_bg apache "$SERVER_CPUS" apache2 -f "$dir/httpd.conf" -DFOREGROUND
    PEER_PID=$BG_PID PEER_URL="http://127.0.0.1:$port/api/items" PEER_AUTH=1
}

# --- our gateway -------------------------------------------------------------------------------

# gw_config GUIDE_N PORT [ENCODING]: the guide's krakend.json number GUIDE_N (1 or 3) as
# written, with only the port, the backend host and the JWKS URL pointed at this run's servers;
# ENCODING replaces both output_encoding and the backend's encoding.
gw_config() {
    local n=$1 port=$2 enc=${3:-}
    jq --argjson port "$port" --arg host "http://127.0.0.1:$MB_PORT" --arg jwk "${JWKS_URL:-}" \
        --arg enc "$enc" '
        .port = $port
        | .endpoints[0].backend[0].host = [$host]
        | if .endpoints[0].extra_config["auth/validator"] then
              .endpoints[0].extra_config["auth/validator"].jwk_url = $jwk else . end
        | if $enc != "" then
              .endpoints[0].output_encoding = $enc | .endpoints[0].backend[0].encoding = $enc
          else . end' "$BENCH_DIR/configs/krakend-guide-$n.json"
}

# gw_config_telemetry MODE PORT: the guide's third config (as gw_config) with telemetry: the
# logstash log format, and telemetry/opentelemetry with a Prometheus exporter (MODE prom) or a
# Prometheus exporter and an OTLP/HTTP exporter to the sink (MODE otel); the sampling is
# KrakenD's default (every trace). The Prometheus port goes to PROM_PORT.
gw_config_telemetry() {
    local mode=$1 port=$2
    free_port PROM_PORT
    gw_config 3 "$port" | jq --arg mode "$mode" --argjson prom "$PROM_PORT" \
        --argjson sink "${OTLP_SINK_PORT:-0}" '
        .extra_config["telemetry/logging"] = {"level": "INFO", "stdout": true, "format": "logstash"}
        | .extra_config["telemetry/opentelemetry"] = {"exporters": {
              "prometheus": [{"name": "prom", "host": "127.0.0.1", "port": $prom}]}}
        | if $mode == "otel" then .extra_config["telemetry/opentelemetry"].exporters.otlp = [
              {"name": "collector", "host": "127.0.0.1", "port": $sink, "use_http": true}]
          else . end'
}

start_gateway_telemetry() { # start_gateway_telemetry ID MODE
    local dir=$WORK/cfg/$1 port
    free_port port
    mkdir -p "$dir"
    gw_config_telemetry "$2" "$port" >"$dir/krakend.json" || die "jq could not write $1's config"
    start_gateway_with "$1" "$dir/krakend.json" "$port" /api/items 1
}

start_gateway_with() { # start_gateway_with NAME CONFIG_FILE PORT PATH AUTH
    start_bg "$1" "$SERVER_CPUS" "$BIN/gateway" run -c "$2"
    PEER_PID=$BG_PID PEER_URL="http://127.0.0.1:$3$4" PEER_AUTH=$5
}

start_gateway() { # start_gateway ID GUIDE_N ENCODING AUTH
    local dir=$WORK/cfg/$1 port
    free_port port
    mkdir -p "$dir"
    gw_config "$2" "$port" "$3" >"$dir/krakend.json" || die "jq could not write $1's config"
    start_gateway_with "$1" "$dir/krakend.json" "$port" /api/items "$4"
}

# The slow-backend case: the guide's first config plus /api/slow, whose backend is
# mock-backend's /delayed/ route (held 200 ms on a timer, no thread held).
start_gateway_slow() {
    local dir=$WORK/cfg/gw-slow port
    free_port port
    mkdir -p "$dir"
    gw_config 1 "$port" | jq '.endpoints += [.endpoints[0]
        | .endpoint = "/api/slow" | .backend[0].url_pattern = "/delayed/items"]' \
        >"$dir/krakend.json" || die "jq could not write gw-slow's config"
    start_gateway_with gw-slow "$dir/krakend.json" "$port" /api/items 0
    SLOW_URL="http://127.0.0.1:$port/api/slow" SLOW_HEADER="X-Bench: slow"
}

# Case 6s: the guide's third config plus service-level CORS and security/http and an endpoint
# rate limit that never rejects (bench/configs/security.json).
start_gateway_sec() {
    local dir=$WORK/cfg/gw-jwt-sec port
    free_port port
    mkdir -p "$dir"
    gw_config 3 "$port" | jq --slurpfile sec "$BENCH_DIR/configs/security.json" '
        .extra_config = ((.extra_config // {}) + $sec[0].service)
        | .endpoints[0].extra_config += $sec[0].endpoint' >"$dir/krakend.json" ||
        die "jq could not write gw-jwt-sec's config"
    start_gateway_with gw-jwt-sec "$dir/krakend.json" "$port" /api/items 1
}

# peer_start ID: starts configuration ID against the running backend.
peer_start() {
    case "$1" in
    direct) PEER_PID=$MB_PID PEER_URL="http://127.0.0.1:$MB_PORT/api/items" PEER_AUTH=0 ;;
    direct-slow)
        # The ceiling of case 8: the same loads on mock-backend itself. Its /delayed/ route (from
        # KrakenD CE's test backend) wants the X-Forwarded-For a gateway adds.
        PEER_PID=$MB_PID PEER_URL="http://127.0.0.1:$MB_PORT/api/items" PEER_AUTH=0
        SLOW_URL="http://127.0.0.1:$MB_PORT/delayed/items" SLOW_HEADER="X-Forwarded-For: 127.0.0.1"
        ;;
    nginx) start_nginx_proxy ;;
    nginx-sec) start_nginx_sec ;;
    haproxy) start_haproxy ;;
    apache) start_apache ;;
    gw-noauth) start_gateway gw-noauth 1 "" 0 ;;
    gw-jwt) start_gateway gw-jwt 3 "" 1 ;;
    gw-jwt-noop) start_gateway gw-jwt-noop 3 no-op 1 ;;
    gw-jwt-sec) start_gateway_sec ;;
    gw-jwt-fresh) start_gateway gw-jwt-fresh 3 "" 1 ;;
    gw-jwt-prom) start_gateway_telemetry gw-jwt-prom prom ;;
    gw-jwt-otel) start_gateway_telemetry gw-jwt-otel otel ;;
    gw-slow) start_gateway_slow ;;
    *) die "unknown configuration $1" ;;
    esac
}

config_title() {
    case "$1" in
    direct) echo "mock-backend directly (ceiling)" ;;
    nginx) echo "nginx reverse proxy, no auth" ;;
    nginx-sec) echo "nginx + CORS headers, limit_req, security headers" ;;
    haproxy) echo "HAProxy jwt_verify + scope" ;;
    apache) echo "Apache + mod_auth_openidc (JWKS)" ;;
    gw-noauth) echo "gateway, no auth (guide config 1)" ;;
    gw-jwt) echo "gateway RS256 + scope, json (guide config 3)" ;;
    gw-jwt-noop) echo "gateway RS256 + scope, no-op" ;;
    gw-jwt-sec) echo "gateway RS256 + scope + CORS, rate limit, security/http" ;;
    gw-jwt-fresh) echo "gateway RS256 + scope, fresh token each request" ;;
    gw-jwt-prom) echo "as 6 + telemetry: Prometheus exporter, logstash logs" ;;
    gw-jwt-otel) echo "as 6 + telemetry: Prometheus, OTLP traces (all sampled), logstash logs" ;;
    gw-slow) echo "gateway, 200 ms backend x $SLOW_CONNS conns (req/s: slow; latency: fast probe)" ;;
    direct-slow) echo "mock-backend directly, 200 ms x $SLOW_CONNS conns (ceiling of 8)" ;;
    esac
}

config_number() {
    case "$1" in
    direct) echo 1 ;; nginx) echo 2 ;; nginx-sec) echo 2s ;; haproxy) echo 3 ;; apache) echo 4 ;;
    gw-noauth) echo 5 ;; gw-jwt) echo 6 ;; gw-jwt-noop) echo 6b ;; gw-jwt-sec) echo 6s ;;
    gw-jwt-prom) echo 6p ;; gw-jwt-otel) echo 6t ;;
    gw-jwt-fresh) echo 7 ;; gw-slow) echo 8 ;;
    direct-slow) echo 8c ;;
    esac
}

# has_origin ID: the cases whose requests carry the browser's Origin (CORS does its work).
has_origin() { case "$1" in nginx-sec | gw-jwt-sec) return 0 ;; *) return 1 ;; esac }

# is_ours ID: the gateway's configurations may be "unavailable"; the others must work.
is_ours() { case "$1" in gw-*) return 0 ;; *) return 1 ;; esac }

# is_slow ID: the 1,000-connection slow-backend measurement (case 8 and its ceiling).
is_slow() { case "$1" in gw-slow | direct-slow) return 0 ;; *) return 1 ;; esac }
