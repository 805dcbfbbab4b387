/* gw_audit.c - the rule table (KrakenD's 52 rules of krakend-audit v0.9.3 with their ids,
 * severities and messages, then this gateway's own) and its evaluation on a parsed
 * configuration. KrakenD's conditions are in spec §2.3; where krakend-audit only looks at one
 * place (client plugins at the endpoint), so does this, and docs/lint-audit.md says so. */
#include "gw_audit.h"

#include "gw_audit_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- looking things up in the configuration ---- */

const json_t *gw_audit_ns(const json_t *extra_config, const char *name)
{
    if (!json_is_object(extra_config))
        return NULL;
    return json_object_get(extra_config, gw_config_canonical_namespace(name));
}

/* A plugin namespace's "name": a string or a list of strings. */
static bool plugin_named(const json_t *ns, const char *name, bool string_ok, bool list_ok)
{
    const json_t *n = json_is_object(ns) ? json_object_get(ns, "name") : NULL;
    size_t i;
    json_t *v;

    if (string_ok && json_is_string(n))
        return strcmp(json_string_value(n), name) == 0;
    if (list_ok && json_is_array(n)) {
        json_array_foreach(n, i, v)
        {
            if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
                return true;
        }
    }
    return false;
}

static bool bool_member(const json_t *obj, const char *key)
{
    return json_is_true(json_is_object(obj) ? json_object_get(obj, key) : NULL);
}

static double num_member(const json_t *obj, const char *key)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

    return json_is_number(v) ? json_number_value(v) : 0;
}

static bool any_endpoint_ns(const struct gw_config *c, const char *ns)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        if (gw_audit_ns(c->endpoints[i].extra_config, ns))
            return true;
    }
    return false;
}

static bool any_backend_ns(const struct gw_config *c, const char *ns)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        for (size_t b = 0; b < c->endpoints[i].n_backends; b++) {
            if (gw_audit_ns(c->endpoints[i].backends[b].extra_config, ns))
                return true;
        }
    }
    return false;
}

static bool svc(const struct gw_config *c, const char *ns)
{
    return gw_audit_ns(c->extra_config, ns) != NULL;
}

static const json_t *root(const struct gw_config *c, const char *key)
{
    return json_is_object(c->root) ? json_object_get(c->root, key) : NULL;
}

/* ---- KrakenD's rules (krakend-audit rules.go, spec §2.3) ---- */

#define SERVER_PLUGIN "plugin/http-server"

static bool basic_auth(const struct gw_config *c)
{
    return plugin_named(gw_audit_ns(c->extra_config, SERVER_PLUGIN), "basic-auth", true, true) ||
           svc(c, "auth/basic") || any_endpoint_ns(c, "auth/basic");
}

static bool api_keys(const struct gw_config *c)
{
    return svc(c, "auth/api-keys");
}

static bool no_jwt(const struct gw_config *c)
{
    return !any_endpoint_ns(c, "auth/validator");
}

static bool insecure(const struct gw_config *c)
{
    return json_is_true(root(c, "allow_insecure_connections")) ||
           bool_member(root(c, "client_tls"), "allow_insecure_connections");
}

static bool no_tls(const struct gw_config *c)
{
    return !c->tls.present;
}

static bool tls_disabled(const struct gw_config *c)
{
    return c->tls.present && c->tls.disabled;
}

static bool no_httpsecure(const struct gw_config *c)
{
    return !svc(c, "security/http");
}

static bool h2c(const struct gw_config *c)
{
    return c->use_h2c || bool_member(gw_audit_ns(c->extra_config, "router"), "use_h2c");
}

static bool backend_insecure(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        for (size_t b = 0; b < c->endpoints[i].n_backends; b++) {
            const json_t *h =
                gw_audit_ns(c->endpoints[i].backends[b].extra_config, "backend/http/client");
            const json_t *t = json_is_object(h) ? json_object_get(h, "client_tls") : NULL;
            if (bool_member(t, "allow_insecure_connections"))
                return true;
        }
    }
    return false;
}

static bool version_banner(const struct gw_config *c)
{
    return !c->router.hide_version_header;
}

static bool no_cors(const struct gw_config *c)
{
    return !svc(c, "security/cors");
}

static bool wildcard_list(const struct gw_strlist *l)
{
    return gw_audit_list_has(l, "*");
}

static bool headers_wildcard(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        if (wildcard_list(&c->endpoints[i].input_headers))
            return true;
    }
    return false;
}

static bool query_wildcard(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        if (wildcard_list(&c->endpoints[i].input_query_strings))
            return true;
    }
    return false;
}

static bool empty_grpc_server(const struct gw_config *c)
{
    const json_t *g = gw_audit_ns(c->extra_config, "grpc");
    const json_t *srv = json_is_object(g) ? json_object_get(g, "server") : NULL;

    return json_is_object(srv) && json_array_size(json_object_get(srv, "services")) == 0;
}

static bool unlimited_cache(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        for (size_t b = 0; b < c->endpoints[i].n_backends; b++) {
            const json_t *h = gw_audit_ns(c->endpoints[i].backends[b].extra_config,
                                          "qos/http-cache");
            if (h && !(num_member(h, "max_items") > 0 && num_member(h, "max_size") > 0))
                return true;
        }
    }
    return false;
}

static bool no_botdetector(const struct gw_config *c)
{
    return !svc(c, "security/bot-detector");
}

static bool no_ratelimit(const struct gw_config *c)
{
    return !svc(c, "qos/ratelimit/router") && !any_endpoint_ns(c, "qos/ratelimit/router") &&
           !any_endpoint_ns(c, "qos/ratelimit/proxy") && !any_backend_ns(c, "qos/ratelimit/proxy") &&
           !svc(c, "qos/ratelimit/service") &&
           !plugin_named(gw_audit_ns(c->extra_config, SERVER_PLUGIN), "redis-ratelimit", true,
                         true);
}

static bool no_cb(const struct gw_config *c)
{
    return !any_endpoint_ns(c, "qos/circuit-breaker") && !any_backend_ns(c, "qos/circuit-breaker");
}

static bool timeout_over(const struct gw_config *c, int64_t ms)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        if (c->endpoints[i].timeout_ms > ms)
            return true;
    }
    return false;
}

static bool timeout_3s(const struct gw_config *c)
{
    return timeout_over(c, 3000);
}

static bool timeout_5s(const struct gw_config *c)
{
    return timeout_over(c, 5000);
}

static bool timeout_30s(const struct gw_config *c)
{
    return timeout_over(c, 30000);
}

static bool timeout_60s(const struct gw_config *c)
{
    return timeout_over(c, 60000);
}

static const char *const METRICS[] = {"telemetry/opencensus", "telemetry/metrics",
                                      "telemetry/newrelic", "telemetry/ganalytics",
                                      "telemetry/instana"};

static bool no_metrics(const struct gw_config *c)
{
    for (size_t i = 0; i < sizeof(METRICS) / sizeof(METRICS[0]); i++) {
        if (svc(c, METRICS[i]))
            return false;
    }
    return true;
}

static bool never(const struct gw_config *c)
{
    (void)c;
    return false; /* krakend-audit: "TODO: implement this check" */
}

/* OpenTelemetry exporters whose metrics (or traces) are not disabled. */
static size_t otel_exporters(const struct gw_config *c, const char *kind, const char *flag)
{
    const json_t *o = gw_audit_ns(c->extra_config, "telemetry/opentelemetry");
    const json_t *ex = json_is_object(o) ? json_object_get(o, "exporters") : NULL;
    const json_t *list = json_is_object(ex) ? json_object_get(ex, kind) : NULL;
    size_t i, n = 0;
    json_t *v;

    json_array_foreach(list, i, v)
    {
        const json_t *d = json_is_object(v) ? json_object_get(v, flag) : NULL;
        n += json_is_object(v) && !json_is_true(d);
    }
    return n;
}

static bool several_telemetry(const struct gw_config *c)
{
    size_t n = 0;

    for (size_t i = 0; i < sizeof(METRICS) / sizeof(METRICS[0]); i++)
        n += svc(c, METRICS[i]);
    if (svc(c, "telemetry/opentelemetry"))
        n += otel_exporters(c, "otlp", "disable_metrics") +
             otel_exporters(c, "prometheus", "disable_metrics");
    return n > 1;
}

static bool no_tracing(const struct gw_config *c)
{
    return !svc(c, "telemetry/opencensus") && !svc(c, "telemetry/newrelic") &&
           !svc(c, "telemetry/instana") && otel_exporters(c, "otlp", "disable_traces") == 0;
}

static bool no_logging(const struct gw_config *c)
{
    return !svc(c, "telemetry/logging") && !svc(c, "telemetry/gelf") &&
           !svc(c, "telemetry/logstash");
}

static bool rest_disabled(const struct gw_config *c)
{
    return c->disable_rest;
}

static bool debug_on(const struct gw_config *c)
{
    return c->debug_endpoint;
}

static bool echo_on(const struct gw_config *c)
{
    return c->echo_endpoint;
}

static bool endpoint_wildcard(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        size_t n = strlen(c->endpoints[i].path);
        if (n && c->endpoints[i].path[n - 1] == '*')
            return true;
    }
    return false;
}

static bool catchall(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        if (strcmp(c->endpoints[i].path, "/__catchall") == 0)
            return true;
    }
    return false;
}

static bool multiple_writes(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        size_t writes = 0;
        for (size_t b = 0; b < c->endpoints[i].n_backends; b++) {
            const struct gw_backend *be = &c->endpoints[i].backends[b];
            /* gRPC backends count as writes, as krakend-audit counts them */
            if (strcmp(be->method, "GET") != 0 && strcmp(be->method, "HEAD") != 0)
                writes++;
            else if (gw_audit_ns(be->extra_config, "backend/grpc"))
                writes++;
        }
        if (writes > 1)
            return true;
    }
    return false;
}

static bool sequential(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        if (c->endpoints[i].sequential)
            return true;
    }
    return false;
}

static bool no_backends(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        if (c->endpoints[i].n_backends == 0)
            return true;
    }
    return false;
}

static bool single_backends(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        if (c->endpoints[i].n_backends > 1)
            return false;
    }
    return true;
}

static bool all_noop(const struct gw_config *c)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        if (c->endpoints[i].output_encoding != GW_OUT_NOOP)
            return false;
    }
    return true;
}

static bool sequential_start(const struct gw_config *c)
{
    return json_is_true(root(c, "sequential_start")) &&
           json_array_size(root(c, "async_agent")) >= 10;
}

static bool server_plugin(const struct gw_config *c, const char *name)
{
    return plugin_named(gw_audit_ns(c->extra_config, SERVER_PLUGIN), name, true, true);
}

/* krakend-audit reads client plugins from endpoints' extra_config only (where KrakenD never
 * reads them): a backend's plugin/http-client does not fire these, as in KrakenD. */
static bool client_plugin(const struct gw_config *c, const char *name)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        if (plugin_named(gw_audit_ns(c->endpoints[i].extra_config, "plugin/http-client"), name,
                         true, false))
            return true;
    }
    return false;
}

/* req-resp-modifier plugins: the "name" list (a string is not read) at endpoints and backends */
static bool reqresp_plugin(const struct gw_config *c, const char *name)
{
    for (size_t i = 0; i < c->n_endpoints; i++) {
        const struct gw_endpoint *e = &c->endpoints[i];
        if (plugin_named(gw_audit_ns(e->extra_config, "plugin/req-resp-modifier"), name, false,
                         true))
            return true;
        for (size_t b = 0; b < e->n_backends; b++) {
            if (plugin_named(gw_audit_ns(e->backends[b].extra_config, "plugin/req-resp-modifier"),
                             name, false, true))
                return true;
        }
    }
    return false;
}

#define SERVER_PLUGIN_RULE(fn, name)                                                               \
    static bool fn(const struct gw_config *c)                                                      \
    {                                                                                              \
        return server_plugin(c, name);                                                             \
    }
#define CLIENT_PLUGIN_RULE(fn, name)                                                               \
    static bool fn(const struct gw_config *c)                                                      \
    {                                                                                              \
        return client_plugin(c, name);                                                             \
    }
#define REQRESP_PLUGIN_RULE(fn, name)                                                              \
    static bool fn(const struct gw_config *c)                                                      \
    {                                                                                              \
        return reqresp_plugin(c, name);                                                            \
    }
#define SVC_RULE(fn, ns)                                                                           \
    static bool fn(const struct gw_config *c)                                                      \
    {                                                                                              \
        return svc(c, ns);                                                                         \
    }

SERVER_PLUGIN_RULE(plugin_virtualhost, "virtualhost")
SERVER_PLUGIN_RULE(plugin_static_server, "static-filesystem")
SERVER_PLUGIN_RULE(plugin_basic_auth, "basic-auth")
SERVER_PLUGIN_RULE(plugin_wildcard, "wildcard")
CLIENT_PLUGIN_RULE(plugin_http_proxy, "http-proxy")
CLIENT_PLUGIN_RULE(plugin_static_client, "static-filesystem")
CLIENT_PLUGIN_RULE(plugin_no_redirect, "no-redirect")
REQRESP_PLUGIN_RULE(plugin_content_replacer, "content-replacer")
REQRESP_PLUGIN_RULE(plugin_schema_validator, "response-schema-validator")
SVC_RULE(ganalytics, "telemetry/ganalytics")
SVC_RULE(instana, "telemetry/instana")
SVC_RULE(opencensus, "telemetry/opencensus")
SVC_RULE(influx, "telemetry/influx")

static bool tls_pub_priv(const struct gw_config *c)
{
    return c->tls.present && ((c->tls.public_key && *c->tls.public_key) ||
                              (c->tls.private_key && *c->tls.private_key));
}

#define UPGRADE(x) "Avoid using deprecated plugin " x
#define DOCS "https://www.krakend.io/docs/enterprise/"
#define OTEL_DOCS "https://www.krakend.io/docs/telemetry/opentelemetry/ to upgrade to OpenTelemetry"

static const struct gw_audit_rule RULES[] = {
    {"1.1.1", "HIGH", "Implement more secure alternatives than Basic Auth to protect your data.",
     basic_auth, NULL},
    {"1.1.2", "MEDIUM",
     "Implement stateless authorization methods such as JWT to secure your endpoints as opposed "
     "to using API keys.",
     api_keys, NULL},
    {"1.2.1", "HIGH", "Prioritize using JWT for endpoint authorization to ensure security.", no_jwt,
     NULL},
    {"2.1.1", "HIGH", "Only allow secure connections (avoid insecure_connections).", insecure,
     NULL},
    {"2.1.2", "HIGH", "Enable TLS or use a terminator in front of KrakenD.", no_tls, NULL},
    {"2.1.3", "CRITICAL", "TLS is configured but its disable flag prevents from using it.",
     tls_disabled, NULL},
    {"2.1.7", "HIGH", "Enable HTTP security header checks (security/http).", no_httpsecure, NULL},
    {"2.1.8", "HIGH", "Avoid clear text communication (h2c).", h2c, NULL},
    {"2.1.9", "LOW",
     "Establish secure connections in internal traffic (avoid insecure_connections internally)",
     backend_insecure, NULL},
    {"2.2.1", "MEDIUM", "Hide the version banner in runtime.", version_banner, NULL},
    {"2.2.2", "HIGH", "Enable CORS.", no_cors, NULL},
    {"2.2.3", "HIGH", "Avoid passing all input headers to the backend.", headers_wildcard, NULL},
    {"2.2.4", "HIGH", "Avoid passing all input query strings to the backend.", query_wildcard,
     NULL},
    {"2.2.5", "LOW", "Avoid exposing gRPC server without services declared.", empty_grpc_server,
     NULL},
    {"2.3.1", "MEDIUM", "Limit the amount of cacheable content.", unlimited_cache, NULL},
    {"3.1.1", "LOW", "Enable a bot detector.", no_botdetector, NULL},
    {"3.1.2", "HIGH",
     "Implement a rate-limiting strategy and avoid having an All-You-Can-Eat API.", no_ratelimit,
     NULL},
    {"3.1.3", "HIGH", "Protect your backends with a circuit breaker.", no_cb, NULL},
    {"3.3.1", "LOW", "Set timeouts to below 3 seconds for improved performance.", timeout_3s, NULL},
    {"3.3.2", "MEDIUM", "Set timeouts to below 5 seconds for improved performance.", timeout_5s,
     NULL},
    {"3.3.3", "HIGH", "Set timeouts to below 30 seconds for improved performance.", timeout_30s,
     NULL},
    {"3.3.4", "CRITICAL", "Set timeouts to below 1 minute for improved performance.", timeout_60s,
     NULL},
    {"4.1.1", "MEDIUM",
     "Implement a telemetry system for collecting metrics for monitoring and troubleshooting.",
     no_metrics, NULL},
    {"4.1.2", "MEDIUM",
     "Give your configuration a name for easy identification in metric tracking.", never, NULL},
    {"4.1.3", "HIGH", "Avoid duplicating telemetry options to prevent system overload.",
     several_telemetry, NULL},
    {"4.2.1", "MEDIUM",
     "Implement a telemetry system for tracing for monitoring and troubleshooting.", no_tracing,
     NULL},
    {"4.3.1", "MEDIUM", "Use the improved logging component for better log parsing.", no_logging,
     NULL},
    {"5.1.1", "LOW",
     "Follow a RESTful endpoint structure for improved readability and maintainability.",
     rest_disabled, NULL},
    {"5.1.2", "LOW", "Disable the /__debug/ endpoint for added security.", debug_on, NULL},
    {"5.1.3", "LOW", "Disable the /__echo/ endpoint for added security.", echo_on, NULL},
    {"5.1.4", "LOW", "Declare explicit endpoints instead of using wildcards.", endpoint_wildcard,
     NULL},
    {"5.1.5", "MEDIUM", "Declare explicit endpoints instead of using /__catchall.", catchall, NULL},
    {"5.1.6", "MEDIUM", "Avoid using multiple write methods in endpoint definitions.",
     multiple_writes, NULL},
    {"5.1.7", "MEDIUM", "Avoid using sequential proxy.", sequential, NULL},
    {"5.2.1", "CRITICAL",
     "Ensure all endpoints have at least one backend for proper functionality.", no_backends,
     NULL},
    {"5.2.2", "LOW", "Benefit from the backend for frontend pattern capabilities.",
     single_backends, NULL},
    {"5.2.3", "LOW", "Avoid coupling clients by overusing no-op encoding.", all_noop, NULL},
    {"6.1.1", "LOW",
     "Ensure Async Agents do not start sequentially to avoid overloading the system (+10 "
     "agents).",
     sequential_start, NULL},
    {"7.1.1", "HIGH",
     UPGRADE("virtualhost") ". Please visit " DOCS
            "service-settings/virtual-hosts/#upgrading-from-the-old-plugin-before-v24 to upgrade "
            "to the new virtualhost.",
     plugin_virtualhost, NULL},
    {"7.1.2", "HIGH",
     UPGRADE("static-filesystem") ". Please visit " DOCS
            "endpoints/serve-static-content/#upgrading-from-the-old-plugin-before-v24 to upgrade "
            "to the new static-filesystem.",
     plugin_static_server, NULL},
    {"7.1.3", "HIGH",
     UPGRADE("basic-auth") ". Please move your configuration to the namespace auth/basic to use "
                           "the new component. See: " DOCS "authentication/basic-authentication/ .",
     plugin_basic_auth, NULL},
    {"7.1.4", "HIGH",
     UPGRADE("wildcard") ". Please visit " DOCS
            "endpoints/wildcard/#upgrading-from-the-old-wildcard-plugin-before-v23 to upgrade to "
            "the new Wildcard.",
     plugin_wildcard, NULL},
    {"7.1.5", "HIGH",
     UPGRADE("http-proxy") ". Please visit " DOCS
            "backends/http-proxy/#migration-from-old-plugin to upgrade to the new options.",
     plugin_http_proxy, NULL},
    {"7.1.6", "HIGH",
     UPGRADE("static-filesystem") ". Please visit " DOCS
            "endpoints/serve-static-content/#upgrading-from-the-old-plugin-before-v24 to upgrade "
            "to the new static-filesystem.",
     plugin_static_client, NULL},
    {"7.1.7", "HIGH",
     UPGRADE("no-redirect") ". Please visit " DOCS
            "backends/client-redirect/#migration-from-old-plugin to upgrade to the new options.",
     plugin_no_redirect, NULL},
    {"7.1.8", "HIGH",
     UPGRADE("content-replacer") ". Please visit " DOCS
            "endpoints/content-replacer/#migration-from-old-plugin to upgrade to the new options.",
     plugin_content_replacer, NULL},
    {"7.1.9", "HIGH",
     UPGRADE("response-schema-validator") ". Please visit " DOCS
            "endpoints/response-schema-validator/#migration-from-old-plugin to upgrade to the new "
            "options.",
     plugin_schema_validator, NULL},
    {"7.2.1", "HIGH",
     "Avoid using deprecated component telemetry/ganalytics. Please visit " OTEL_DOCS, ganalytics,
     NULL},
    {"7.2.2", "HIGH",
     "Avoid using deprecated component telemetry/instana. Please visit " OTEL_DOCS, instana, NULL},
    {"7.2.3", "HIGH",
     "Avoid using deprecated component telemetry/opencensus. Please visit "
     "https://www.krakend.io/docs/telemetry/opencensus/#transition-from-opencensus to upgrade to "
     "OpenTelemetry",
     opencensus, NULL},
    {"7.2.4", "HIGH",
     "Avoid using deprecated component telemetry/influx. Please visit "
     "https://www.krakend.io/docs/telemetry/influxdb/ to upgrade to OpenTelemetry",
     influx, NULL},
    {"7.3.1", "MEDIUM", "Avoid using 'private_key' and 'public_key' and use the 'keys' array.",
     tls_pub_priv, NULL},
};
#define N_RULES (sizeof(RULES) / sizeof(RULES[0]))

/* ---- evaluation ---- */

static unsigned sev_bit(const char *s, size_t n)
{
    static const char *const names[] = {"CRITICAL", "HIGH", "MEDIUM", "LOW"};

    for (unsigned i = 0; i < 4; i++) {
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
            return 1u << i;
    }
    return 0;
}

unsigned gw_audit_severities(const char *list, const char **unknown, size_t *unknown_len)
{
    unsigned bits = 0;

    *unknown = NULL;
    *unknown_len = 0;
    for (const char *p = list;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        unsigned b = sev_bit(p, n);
        bits |= b;
        if (!b && n && !*unknown) {
            *unknown = p;
            *unknown_len = n;
        }
        if (!c)
            break;
        p = c + 1;
    }
    return bits;
}

static bool ignored(const char *id, const char *const *ignore, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ignore[i], id) == 0)
            return true;
    }
    return false;
}

static bool push(struct gw_audit_result *r, const char *id, const char *sev, const char *msg)
{
    struct gw_audit_rec *v = realloc(r->items, (r->n + 1) * sizeof(*v));
    char *m;

    if (!v)
        return false;
    r->items = v;
    m = strdup(msg);
    if (!m)
        return false;
    r->items[r->n++] = (struct gw_audit_rec){id, sev, m};
    return true;
}

static bool run_table(const struct gw_audit_rule *t, size_t nt, const struct gw_config *cfg,
                      const char *const *ignore, size_t n_ignore, unsigned severities,
                      struct gw_audit_result *out)
{
    char detail[GW_AUDIT_MSG_MAX];

    for (size_t i = 0; i < nt; i++) {
        bool fires;
        if (ignored(t[i].id, ignore, n_ignore) ||
            !(sev_bit(t[i].severity, strlen(t[i].severity)) & severities))
            continue;
        detail[0] = '\0';
        fires = t[i].applies ? t[i].applies(cfg) : t[i].explain(cfg, detail, sizeof(detail));
        if (fires && !push(out, t[i].id, t[i].severity, detail[0] ? detail : t[i].message))
            return false;
    }
    return true;
}

bool gw_audit_run(const struct gw_config *cfg, const char *const *ignore, size_t n_ignore,
                  unsigned severities, struct gw_audit_result *out, struct cmn_err *err)
{
    size_t n_own;
    const struct gw_audit_rule *own = gw_audit_own_rules(&n_own);

    memset(out, 0, sizeof(*out));
    if (!run_table(RULES, N_RULES, cfg, ignore, n_ignore, severities, out) ||
        !run_table(own, n_own, cfg, ignore, n_ignore, severities, out)) {
        gw_audit_result_free(out);
        cmn_err_set(err, 1, "audit: out of memory");
        return false;
    }
    return true;
}

void gw_audit_result_free(struct gw_audit_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->items[i].message);
    free(r->items);
    memset(r, 0, sizeof(*r));
}

size_t gw_audit_rule_count(void)
{
    size_t n_own;

    (void)gw_audit_own_rules(&n_own);
    return N_RULES + n_own;
}

bool gw_audit_rule_info(size_t i, const char **id, const char **severity, const char **message)
{
    size_t n_own;
    const struct gw_audit_rule *own = gw_audit_own_rules(&n_own), *r;

    if (i >= N_RULES + n_own)
        return false;
    r = i < N_RULES ? &RULES[i] : &own[i - N_RULES];
    *id = r->id;
    *severity = r->severity;
    *message = r->message;
    return true;
}
