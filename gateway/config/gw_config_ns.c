/* gw_config_ns.c - extra_config namespaces: the alias table (§1.6), which ones we implement,
 * the once-per-namespace warnings for the others, unknown options of the ones we implement
 * (with a suggestion), and an ERROR per place for a misspelt security namespace; the rules
 * about what KrakenD knows come from config/schema. */
#include "gw_config_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum ns_kind {
    NS_UNSUPPORTED = 0,      /* known KrakenD namespace we do not implement */
    NS_UNSUPPORTED_SECURITY, /* idem, and it is a security feature */
    NS_UNKNOWN,              /* not a KrakenD namespace at all */
    NS_MISSPELT_SECURITY,    /* unknown, but looks like a security namespace */
    NS_WRONG_LEVEL,          /* implemented, but not at this level */
};

struct ns_entry {
    const char *canonical;
    const char *alias; /* short name, NULL when the namespace has none */
    unsigned impl;     /* levels where we implement it (enum gw_cfg_level bits) */
    bool security;
};

#define ALL_LEVELS 0u
static const struct ns_entry NAMESPACES[] = {
    {GW_NS_VALIDATOR, "auth/validator", GW_LVL_SERVICE | GW_LVL_ENDPOINT, true},
    {"github.com/devopsfaith/krakend-jose/signer", "auth/signer", GW_LVL_ENDPOINT, false},
    {"github_com/devopsfaith/bloomfilter", "auth/revoker", GW_LVL_SERVICE, true},
    {"github.com/devopsfaith/krakend-oauth2-clientcredentials", "auth/client-credentials",
     GW_LVL_BACKEND, false},
    {GW_NS_PROXY, "proxy", GW_LVL_ENDPOINT | GW_LVL_BACKEND, false},
    {GW_NS_ROUTER, "router", GW_LVL_SERVICE, false},
    {GW_NS_BACKEND_HTTP, "backend/http", GW_LVL_BACKEND, false},
    {"github.com/devopsfaith/krakend/transport/http/client/graphql", "backend/graphql",
     GW_LVL_BACKEND, false},
    {"github.com/devopsfaith/krakend-httpcache", "qos/http-cache", GW_LVL_BACKEND, false},
    {"github.com/devopsfaith/krakend-circuitbreaker/gobreaker", "qos/circuit-breaker",
     GW_LVL_BACKEND, false},
    {"github_com/devopsfaith/krakend-cors", "security/cors", GW_LVL_SERVICE, true},
    {"github_com/devopsfaith/krakend-httpsecure", "security/http", GW_LVL_SERVICE, true},
    {"github_com/devopsfaith/krakend-botdetector", "security/bot-detector",
     GW_LVL_SERVICE | GW_LVL_ENDPOINT, true},
    {"github.com/devopsfaith/krakend-cel", "validation/cel", GW_LVL_ENDPOINT | GW_LVL_BACKEND,
     true},
    {"github.com/devopsfaith/krakend-jsonschema", "validation/json-schema", GW_LVL_ENDPOINT, true},
    {GW_NS_LOGGING, "telemetry/logging", GW_LVL_SERVICE, false},
    {"github_com/devopsfaith/krakend-metrics", "telemetry/metrics", GW_LVL_SERVICE, false},
    {"github_com/devopsfaith/krakend-opencensus", "telemetry/opencensus", ALL_LEVELS, false},
    {"github_com/devopsfaith/krakend-gelf", "telemetry/gelf", GW_LVL_SERVICE, false},
    {"github_com/devopsfaith/krakend-logstash", "telemetry/logstash", GW_LVL_SERVICE, false},
    {"github_com/letgoapp/krakend-influx", "telemetry/influx", GW_LVL_SERVICE, false},
    {"github.com/devopsfaith/krakend-lua/router", "modifier/lua-endpoint",
     GW_LVL_SERVICE | GW_LVL_ENDPOINT, false},
    {"github.com/devopsfaith/krakend-lua/proxy", "modifier/lua-proxy", GW_LVL_ENDPOINT, false},
    {"github.com/devopsfaith/krakend-lua/proxy/backend", "modifier/lua-backend", GW_LVL_BACKEND,
     false},
    {"github.com/devopsfaith/krakend-martian", "modifier/martian", GW_LVL_BACKEND, false},
    {"github.com/devopsfaith/krakend-amqp/consume", "backend/amqp/consumer", ALL_LEVELS, false},
    {"github.com/devopsfaith/krakend-amqp/produce", "backend/amqp/producer", ALL_LEVELS, false},
    {"github.com/devopsfaith/krakend-amqp/agent", "async/amqp", ALL_LEVELS, false},
    {"github.com/devopsfaith/krakend-pubsub/publisher", "backend/pubsub/publisher", ALL_LEVELS,
     false},
    {"github.com/devopsfaith/krakend-pubsub/subscriber", "backend/pubsub/subscriber", ALL_LEVELS,
     false},
    {"github.com/devopsfaith/krakend-lambda", "backend/lambda", ALL_LEVELS, false},
    {"github_com/devopsfaith/krakend/transport/http/server/handler", "plugin/http-server",
     ALL_LEVELS, false},
    {"github.com/devopsfaith/krakend/transport/http/client/executor", "plugin/http-client",
     ALL_LEVELS, false},
    {"github.com/devopsfaith/krakend/proxy/plugin", "plugin/req-resp-modifier", ALL_LEVELS, false},
    /* known namespaces without an alias */
    {"qos/ratelimit/router", NULL, GW_LVL_ENDPOINT, true},
    {"qos/ratelimit/proxy", NULL, GW_LVL_BACKEND, true},
    {"qos/ratelimit/tiered", NULL, ALL_LEVELS, true},
    {"qos/ratelimit/service", NULL, ALL_LEVELS, true},
    {"security/policies", NULL, ALL_LEVELS, true},
    {"auth/api-keys", NULL, ALL_LEVELS, true},
    {"auth/basic", NULL, ALL_LEVELS, true},
    {"auth/gcp", NULL, ALL_LEVELS, false},
    {"auth/ntlm", NULL, ALL_LEVELS, false},
    {"server/static-filesystem", NULL, ALL_LEVELS, false},
    {"server/virtual-host", NULL, ALL_LEVELS, false},
    {"backend/static-filesystem", NULL, ALL_LEVELS, false},
    {"backend/http/client", NULL, ALL_LEVELS, false},
    {"backend/grpc", NULL, ALL_LEVELS, false},
    {"backend/soap", NULL, ALL_LEVELS, false},
    {"grpc", NULL, ALL_LEVELS, false},
    {"websocket", NULL, ALL_LEVELS, false},
    {"documentation/openapi", NULL, ALL_LEVELS, false},
    {"telemetry/opentelemetry", NULL, GW_LVL_SERVICE | GW_LVL_ENDPOINT | GW_LVL_BACKEND, false},
    {"telemetry/opentelemetry-security", NULL, ALL_LEVELS, false},
    {"telemetry/newrelic", NULL, ALL_LEVELS, false},
    {"telemetry/moesif", NULL, ALL_LEVELS, false},
    {"telemetry/ganalytics", NULL, ALL_LEVELS, false},
    {"telemetry/instana", NULL, ALL_LEVELS, false},
    {"modifier/jmespath", NULL, ALL_LEVELS, false},
    {"modifier/request-body-generator", NULL, ALL_LEVELS, false},
    {"modifier/response-body-generator", NULL, ALL_LEVELS, false},
    {"modifier/response-headers", NULL, ALL_LEVELS, false},
    {"governance/quota", NULL, ALL_LEVELS, true},
    {"governance/processors", NULL, ALL_LEVELS, false},
};
#define N_NAMESPACES (sizeof(NAMESPACES) / sizeof(NAMESPACES[0]))

static const struct ns_entry *ns_find(const char *name)
{
    for (size_t i = 0; i < N_NAMESPACES; i++) {
        if (strcmp(NAMESPACES[i].canonical, name) == 0 ||
            (NAMESPACES[i].alias && strcmp(NAMESPACES[i].alias, name) == 0))
            return &NAMESPACES[i];
    }
    return NULL;
}

const char *gw_config_canonical_namespace(const char *name)
{
    for (size_t i = 0; i < N_NAMESPACES; i++) {
        if (NAMESPACES[i].alias && strcmp(NAMESPACES[i].alias, name) == 0)
            return NAMESPACES[i].canonical;
    }
    return name;
}

bool gw_config_namespace_applied(const char *name, unsigned level)
{
    const struct ns_entry *e = ns_find(name);

    return e && (e->impl & level);
}

bool gw_endpoint_has_signer(const struct gw_endpoint *ep)
{
    return ep && ep->extra_config &&
           json_object_get(ep->extra_config, "github.com/devopsfaith/krakend-jose/signer");
}

static const char *display_name(const struct ns_entry *e)
{
    return e->alias ? e->alias : e->canonical;
}

/* The security namespace an unknown name most likely meant, or NULL. */
static const char *security_guess(const char *name)
{
    static const struct {
        const char *needle;
        const char *meant;
    } hints[] = {
        {"signer", "auth/signer"},
        {"jose", "auth/validator"},
        {"validator", "auth/validator"},
        {"jwt", "auth/validator"},
        {"cors", "security/cors"},
        {"botdetector", "security/bot-detector"},
        {"ratelimit", "qos/ratelimit/router"},
        {"httpsecure", "security/http"},
        {"securityhttp", "security/http"},
        {"revoker", "auth/revoker"},
        {"bloomfilter", "auth/revoker"},
        {"apikey", "auth/api-keys"},
        {"basicauth", "auth/basic"},
        {"authbasic", "auth/basic"},
        {"policies", "security/policies"},
    };
    char flat[128];
    size_t n = 0;

    /* lower-case letters and digits only: "Krakend-JOSE/Validator" -> "krakendjosevalidator" */
    for (const char *p = name; *p && n + 1 < sizeof(flat); p++) {
        if (isalnum((unsigned char)*p))
            flat[n++] = (char)tolower((unsigned char)*p);
    }
    flat[n] = '\0';
    for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
        if (strstr(flat, hints[i].needle))
            return hints[i].meant;
    }
    return NULL;
}

static void record(struct gw_cfg_ctx *c, const char *name, const char *path, enum ns_kind kind)
{
    struct gw_cfg_ns_use *u;

    for (size_t i = 0; i < c->n_ns_uses; i++) {
        u = &c->ns_uses[i];
        if (u->kind == (int)kind && strcmp(u->name, name) == 0) {
            u->count++;
            return;
        }
    }
    if (c->n_ns_uses >= GW_CFG_MAX_NS_USES)
        return;
    u = realloc(c->ns_uses, (c->n_ns_uses + 1) * sizeof(*u));
    if (!u) {
        gw_cfg_oom(c);
        return;
    }
    c->ns_uses = u;
    u = &c->ns_uses[c->n_ns_uses];
    u->name = gw_cfg_strdup(name);
    u->first_path = gw_cfg_strdup(path);
    u->count = 1;
    u->kind = (int)kind;
    if (!u->name || !u->first_path) {
        free(u->name);
        free(u->first_path);
        gw_cfg_oom(c);
        return;
    }
    c->n_ns_uses++;
}

static bool is_comment_key(const char *k)
{
    return *k == '@' || *k == '$' || *k == '_' || *k == '#';
}

/* The known namespace an unknown name most likely meant (its short name), or NULL. */
static const char *meant(const struct gw_cfg_ctx *c, const char *name)
{
    const char *m = gw_schema_suggest_namespace(c->schema, name);
    struct gw_schema_ns_info info;

    return m && gw_schema_namespace(c->schema, m, &info) ? info.name : NULL;
}

/* What an extra_config belongs to, for messages: the service, an endpoint, a backend. */
static void describe(const json_t *parent, enum gw_cfg_level level, char *out, size_t outsz)
{
    const json_t *ep = gw_cfg_member(parent, "endpoint"), *m = gw_cfg_member(parent, "method");
    const json_t *url = gw_cfg_member(parent, "url_pattern");

    if (level == GW_LVL_ENDPOINT)
        snprintf(out, outsz, "the endpoint %s %s", json_is_string(m) ? json_string_value(m) : "GET",
                 json_is_string(ep) ? json_string_value(ep) : "?");
    else if (level == GW_LVL_BACKEND)
        snprintf(out, outsz, "the backend %s", json_is_string(url) ? json_string_value(url) : "?");
    else if (level == GW_LVL_SERVICE)
        snprintf(out, outsz, "the service");
    else
        snprintf(out, outsz, "the async agent");
}

/* A name close to a security namespace: KrakenD ignores it and starts, so what it was meant to
 * protect is open. Said at ERROR level for each place (`--strict` refuses the configuration). */
static void misspelt_security(struct gw_cfg_ctx *c, const char *name, const char *guess,
                              const char *path, const char *who)
{
    gw_cfg_error(c,
                 "%s: extra_config namespace \"%s\" is not a known namespace (did you mean "
                 "\"%s\"?): it is ignored, so %s is NOT protected by %s",
                 path, name, guess, who, guess);
}

struct option_ctx {
    struct gw_cfg_ctx *c;
    const char *path; /* "endpoints[0].extra_config" */
    const char *ns;
};

static void unknown_option(void *ud, const char *key, const char *suggestion, bool renamed)
{
    const struct option_ctx *o = ud;

    if (renamed)
        gw_cfg_warn(o->c,
                    "%s.%s: option \"%s\" is ignored: KrakenD 2 calls it \"%s\" (check --lint "
                    "lists every unknown key)",
                    o->path, o->ns, key, suggestion);
    else if (suggestion)
        gw_cfg_warn(o->c, "%s.%s: unknown option \"%s\" is ignored (did you mean \"%s\"?)",
                    o->path, o->ns, key, suggestion);
    else
        gw_cfg_warn(o->c, "%s.%s: unknown option \"%s\" is ignored", o->path, o->ns, key);
}

static void classify(struct gw_cfg_ctx *c, const char *name, const json_t *value, const char *path,
                     enum gw_cfg_level level, const char *who)
{
    const struct ns_entry *e = ns_find(name);
    struct gw_schema_ns_info info;

    if (is_comment_key(name))
        return;
    if (!e && gw_schema_namespace(c->schema, name, &info)) {
        /* known to KrakenD, not in our table (Enterprise and the like) */
        record(c, info.name, path, info.security ? NS_UNSUPPORTED_SECURITY : NS_UNSUPPORTED);
        return;
    }
    if (!e) {
        const char *m = meant(c, name);
        if (m && gw_schema_namespace(c->schema, m, &info) && info.security)
            misspelt_security(c, name, m, path, who);
        else if (!m && security_guess(name))
            misspelt_security(c, name, security_guess(name), path, who);
        else
            record(c, name, path, NS_UNKNOWN);
        return;
    }
    if (e->impl & (unsigned)level) {
        struct option_ctx o = {c, path, display_name(e)};
        gw_schema_unknown_options(c->schema, display_name(e), (unsigned)level, value,
                                  unknown_option, &o);
        return;
    }
    if (e->impl)
        record(c, display_name(e), path, NS_WRONG_LEVEL);
    else
        record(c, display_name(e), path, e->security ? NS_UNSUPPORTED_SECURITY : NS_UNSUPPORTED);
}

bool gw_cfg_extra_config(struct gw_cfg_ctx *c, json_t *parent, const char *path,
                         enum gw_cfg_level level, json_t **out)
{
    json_t *ec = gw_cfg_member(parent, "extra_config");
    char p[GW_CFG_PATH_MAX], who[GW_CFG_PATH_MAX];
    const char *aliases[N_NAMESPACES];
    size_t n_alias = 0;
    const char *k;
    json_t *v;

    *out = NULL;
    gw_cfg_path_key(p, path, "extra_config");
    if (!ec || json_is_null(ec) || (json_is_array(ec) && json_array_size(ec) == 0))
        return true;
    if (!json_is_object(ec))
        return gw_cfg_fail(c, p, "'extra_config' expected a map");
    json_object_foreach(ec, k, v)
    {
        if (gw_config_canonical_namespace(k) != k && n_alias < N_NAMESPACES)
            aliases[n_alias++] = k;
    }
    for (size_t i = 0; i < n_alias; i++) {
        const char *canon = gw_config_canonical_namespace(aliases[i]);
        if (json_object_get(ec, canon))
            gw_cfg_warn(c, "%s: both \"%s\" and \"%s\" are set; \"%s\" is used, as KrakenD does", p,
                        aliases[i], canon, aliases[i]);
        /* set first (the value is shared), then drop the alias key */
        if (json_object_set(ec, canon, json_object_get(ec, aliases[i])) != 0 ||
            json_object_del(ec, aliases[i]) != 0)
            return gw_cfg_oom(c);
    }
    describe(parent, level, who, sizeof(who));
    json_object_foreach(ec, k, v)
    {
        classify(c, k, v, p, level, who);
    }
    *out = ec;
    return true;
}

static const char *level_words(const char *name)
{
    if (strcmp(name, "auth/validator") == 0)
        return "it protects endpoints only when set in an endpoint's extra_config: the security "
               "feature is NOT applied here";
    if (strcmp(name, "router") == 0 || strncmp(name, "telemetry/", 10) == 0)
        return "it is only read at the service level (root extra_config)";
    if (strcmp(name, "backend/http") == 0 || strcmp(name, "backend/graphql") == 0 ||
        strcmp(name, "auth/client-credentials") == 0)
        return "it is only read in a backend's extra_config";
    if (strcmp(name, "security/cors") == 0 || strcmp(name, "security/http") == 0)
        return "KrakenD CE reads it only in the service's extra_config (per endpoint it is an "
               "Enterprise feature): the security feature is NOT applied here";
    if (strcmp(name, "auth/signer") == 0)
        return "it is only read in an endpoint's extra_config";
    return "it is not read at this level";
}

void gw_cfg_ns_flush(struct gw_cfg_ctx *c)
{
    char where[GW_CFG_PATH_MAX + 48];

    for (size_t i = 0; i < c->n_ns_uses; i++) {
        const struct gw_cfg_ns_use *u = &c->ns_uses[i];
        if (u->count > 1)
            snprintf(where, sizeof(where), "%s and %zu more place%s", u->first_path, u->count - 1,
                     u->count > 2 ? "s" : "");
        else
            snprintf(where, sizeof(where), "%s", u->first_path);
        switch ((enum ns_kind)u->kind) {
        case NS_UNSUPPORTED:
            gw_cfg_warn(c,
                        "extra_config namespace \"%s\" is not supported by this gateway and is "
                        "ignored (in %s)",
                        u->name, where);
            break;
        case NS_UNSUPPORTED_SECURITY:
            gw_cfg_warn(c,
                        "extra_config namespace \"%s\" is not supported by this gateway and is "
                        "ignored: that security feature is NOT applied (in %s)",
                        u->name, where);
            break;
        case NS_UNKNOWN: {
            const char *m = meant(c, u->name);
            if (m)
                gw_cfg_warn(c,
                            "extra_config namespace \"%s\" is unknown and ignored (did you mean "
                            "\"%s\"?) (in %s)",
                            u->name, m, where);
            else
                gw_cfg_warn(c, "extra_config namespace \"%s\" is unknown and ignored (in %s)",
                            u->name, where);
            break;
        }
        case NS_MISSPELT_SECURITY: /* said at once, per place, by misspelt_security() */
            break;
        case NS_WRONG_LEVEL:
            gw_cfg_warn(c, "extra_config namespace \"%s\" is ignored in %s: %s", u->name, where,
                        level_words(u->name));
            break;
        }
    }
    gw_cfg_ns_free(c);
}

void gw_cfg_ns_free(struct gw_cfg_ctx *c)
{
    for (size_t i = 0; i < c->n_ns_uses; i++) {
        free(c->ns_uses[i].name);
        free(c->ns_uses[i].first_path);
    }
    free(c->ns_uses);
    c->ns_uses = NULL;
    c->n_ns_uses = 0;
}
