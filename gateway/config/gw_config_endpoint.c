/* gw_config_endpoint.c - endpoints and backends: defaults, {params}, hosts, encodings, the
 * proxy and backend/http namespaces, and the startup rules of §1.5 (lura config.go). */
#include "gw_config_int.h"

#include "cmn_str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EP(f) offsetof(struct gw_endpoint, f)
static const struct gw_cfg_field ENDPOINT_FIELDS[] = {
    {"concurrent_calls", GW_CFG_UINT, EP(concurrent_calls), 0, 64},
    {"timeout", GW_CFG_DUR_MS, EP(timeout_ms), 0, 0},
    {"cache_ttl", GW_CFG_DUR_S, EP(cache_ttl_s), 0, 0},
    {"input_headers", GW_CFG_HDRLIST, EP(input_headers), 0, 0},
    {"input_query_strings", GW_CFG_STRLIST, EP(input_query_strings), 0, 0},
};

#define BE(f) offsetof(struct gw_backend, f)
static const struct gw_cfg_field BACKEND_FIELDS[] = {
    {"url_pattern", GW_CFG_STRING, BE(url_pattern), 0, 0},
    {"host", GW_CFG_STRLIST, BE(hosts), 0, 0},
    {"method", GW_CFG_STRING, BE(method), 0, 0},
    {"is_collection", GW_CFG_BOOL, BE(is_collection), 0, 0},
    {"target", GW_CFG_STRING, BE(target), 0, 0},
    {"allow", GW_CFG_STRLIST, BE(allow), 0, 0},
    {"deny", GW_CFG_STRLIST, BE(deny), 0, 0},
    {"group", GW_CFG_STRING, BE(group), 0, 0},
    {"input_headers", GW_CFG_HDRLIST, BE(input_headers), 0, 0},
    {"input_query_strings", GW_CFG_STRLIST, BE(input_query_strings), 0, 0},
    {"disable_host_sanitize", GW_CFG_BOOL, BE(disable_host_sanitize), 0, 0},
    {"sd_scheme", GW_CFG_STRING, BE(sd_scheme), 0, 0},
};

/* KrakenD v2 names that v3 no longer reads: silently ignored by KrakenD, named by us. */
static const struct {
    const char *old, *now;
} LEGACY_KEYS[] = {
    {"headers_to_pass", "input_headers"},
    {"querystring_params", "input_query_strings"},
    {"whitelist", "allow"},
    {"blacklist", "deny"},
};

static void legacy_keys(struct gw_cfg_ctx *c, const json_t *obj, const char *path)
{
    for (size_t i = 0; i < sizeof(LEGACY_KEYS) / sizeof(LEGACY_KEYS[0]); i++) {
        char key[64];
        if (!json_object_get(obj, LEGACY_KEYS[i].old))
            continue;
        snprintf(key, sizeof(key), "legacy:%s", LEGACY_KEYS[i].old);
        gw_cfg_warn_once(c, key,
                         "\"%s\" is a KrakenD v2 option that v3 ignores (use \"%s\"); "
                         "first in %s",
                         LEGACY_KEYS[i].old, LEGACY_KEYS[i].now, path);
    }
}

void gw_cfg_endpoint_free(struct gw_endpoint *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n_backends; i++) {
        struct gw_backend *b = &e->backends[i];
        free(b->json_path);
        free(b->url_pattern);
        gw_strlist_free(&b->hosts);
        free(b->method);
        free(b->target);
        gw_strlist_free(&b->allow);
        gw_strlist_free(&b->deny);
        for (size_t k = 0; k < b->n_mapping; k++) {
            free(b->mapping[k].key);
            free(b->mapping[k].value);
        }
        free(b->mapping);
        free(b->group);
        free(b->sd_scheme);
        gw_strlist_free(&b->input_headers);
        gw_strlist_free(&b->input_query_strings);
        free(b->return_error_details);
        gw_strlist_free(&b->url_params);
        gw_cfg_flatmap_free(&b->flatmap);
        gw_cfg_graphql_free(b->graphql);
    }
    free(e->backends);
    free(e->json_path);
    free(e->path);
    free(e->method);
    gw_strlist_free(&e->params);
    gw_strlist_free(&e->input_headers);
    gw_strlist_free(&e->input_query_strings);
    gw_cfg_flatmap_free(&e->flatmap);
    gw_strlist_free(&e->sequential_propagated_params);
    memset(e, 0, sizeof(*e));
}

static void upper(char *s)
{
    for (; s && *s; s++)
        *s = (char)toupper((unsigned char)*s);
}

/* lura's endpoint path check: /__debug, /__echo, /__health (and below) are reserved; '*'
 * wildcards are refused (gin cannot register them unnamed, lura refuses named ones). */
static bool reserved_path(const char *path)
{
    static const char *const reserved[] = {"/__debug", "/__echo", "/__health"};

    if (path[0] != '/' || strchr(path, '*'))
        return true;
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(reserved[i]);
        for (const char *p = strstr(path, reserved[i]); p; p = strstr(p + 1, reserved[i])) {
            if (p[n] == '\0' || p[n] == '/')
                return true;
        }
    }
    return false;
}

/* lura's getRender: the renderer registered under output_encoding; an unknown name falls back
 * to the one registered under the single backend's `encoding` (CE registers "xml" for both),
 * else JSON. single_backend_enc is NULL when the endpoint has several backends. */
static enum gw_output_encoding output_encoding(struct gw_cfg_ctx *c, const char *s,
                                               const char *single_backend_enc)
{
    static const struct {
        const char *name;
        enum gw_output_encoding enc;
    } encs[] = {
        {"json", GW_OUT_JSON},   {"json-collection", GW_OUT_JSON_COLLECTION},
        {"string", GW_OUT_STRING}, {"no-op", GW_OUT_NOOP},
        {"xml", GW_OUT_XML},     {"yaml", GW_OUT_YAML},
        {"negotiate", GW_OUT_NEGOTIATE},
    };
    const char *fallback_name = "json";
    enum gw_output_encoding fallback = GW_OUT_JSON;
    char key[80];

    for (size_t i = 0; single_backend_enc && i < sizeof(encs) / sizeof(encs[0]); i++) {
        if (strcmp(encs[i].name, single_backend_enc) == 0) {
            fallback = encs[i].enc;
            fallback_name = encs[i].name;
        }
    }
    if (!s || !*s)
        return fallback;
    for (size_t i = 0; i < sizeof(encs) / sizeof(encs[0]); i++) {
        if (strcmp(encs[i].name, s) == 0)
            return encs[i].enc;
    }
    snprintf(key, sizeof(key), "output_encoding:%.60s", s);
    gw_cfg_warn_once(c, key,
                     "output_encoding \"%s\" is unknown: those endpoints render %s, as "
                     "KrakenD does",
                     s, fallback_name);
    return fallback;
}

static enum gw_encoding backend_encoding(struct gw_cfg_ctx *c, const char *s)
{
    static const struct {
        const char *name;
        enum gw_encoding enc;
    } encs[] = {
        {"json", GW_ENC_JSON},  {"safejson", GW_ENC_SAFEJSON}, {"string", GW_ENC_STRING},
        {"no-op", GW_ENC_NOOP}, {"xml", GW_ENC_XML},           {"rss", GW_ENC_RSS},
    };
    char low[64], key[96];
    size_t n = 0;

    if (!s || !*s)
        return GW_ENC_JSON;
    for (; s[n] && n + 1 < sizeof(low); n++)
        low[n] = (char)tolower((unsigned char)s[n]);
    low[n] = '\0';
    snprintf(key, sizeof(key), "encoding:%s", low);
    for (size_t i = 0; i < sizeof(encs) / sizeof(encs[0]); i++) {
        if (strcmp(encs[i].name, low) == 0)
            return encs[i].enc;
    }
    gw_cfg_warn_once(c, key,
                     "backend encoding \"%s\" is unknown: decoded as JSON, as KrakenD "
                     "does",
                     s);
    return GW_ENC_JSON;
}

static bool method_supported(const char *m)
{
    static const char *const ok[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};

    for (size_t i = 0; i < 5; i++) {
        if (strcmp(m, ok[i]) == 0)
            return true;
    }
    return false;
}

/* Go's %v of a []string: "[a b c]". */
static void go_list(char *out, size_t n, const struct gw_strlist *l)
{
    size_t used = 0;

    used += (size_t)snprintf(out, n, "[");
    for (size_t i = 0; i < l->n && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? " " : "", l->items[i]);
    if (used < n)
        snprintf(out + used, n - used, "]");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted distinct copy of l. */
static bool sorted_set(const struct gw_strlist *l, struct gw_strlist *out)
{
    for (size_t i = 0; i < l->n; i++) {
        if (!gw_strlist_has(out, l->items[i]) && !gw_strlist_push(out, l->items[i]))
            return false;
    }
    if (out->n > 1)
        qsort(out->items, out->n, sizeof(char *), cmp_str);
    return true;
}

/* The gin route lura registers: "{p}" -> ":p" before any '?'. */
static char *gin_path(const char *path, const struct gw_strlist *params)
{
    size_t n = strlen(path);
    char *out = malloc(n + 1), *o = out;

    if (!out)
        return NULL;
    for (size_t i = 0; i < n;) {
        bool done = false;
        if (path[i] == '?') {
            memcpy(o, path + i, n - i);
            o += n - i;
            break;
        }
        if (path[i] == '{') {
            for (size_t k = 0; k < params->n && !done; k++) {
                size_t pl = strlen(params->items[k]);
                if (strncmp(path + i + 1, params->items[k], pl) == 0 && path[i + 1 + pl] == '}') {
                    *o++ = ':';
                    memcpy(o, params->items[k], pl);
                    o += pl;
                    i += pl + 2;
                    done = true;
                }
            }
        }
        if (!done)
            *o++ = path[i++];
    }
    *o = '\0';
    return out;
}

static bool url_mappings(struct gw_cfg_ctx *c, struct gw_endpoint *e, struct gw_backend *b,
                         size_t j, const char *bpath)
{
    struct gw_strlist outs = {0}, in = {0}, out_set = {0};
    char p[GW_CFG_PATH_MAX], ins[256], outl[256];
    char *route = NULL;
    size_t distinct = 0;
    bool ok = false;

    gw_cfg_path_key(p, bpath, "url_pattern");
    if (!gw_cfg_url_params(b->url_pattern, &outs)) {
        gw_cfg_fail(c, p, "more than %d {placeholders}", GW_CFG_MAX_PARAMS);
        goto out;
    }
    if (!sorted_set(&e->params, &in) || !sorted_set(&outs, &out_set) ||
        !(route = gin_path(e->path, &e->params))) {
        gw_cfg_oom(c);
        goto out;
    }
    for (size_t i = 0; i < outs.n; i++) {
        if (!gw_strlist_has(&b->url_params, outs.items[i]) &&
            !gw_strlist_push(&b->url_params, outs.items[i])) {
            gw_cfg_oom(c);
            goto out;
        }
    }
    b->url_params.set = true;
    for (size_t i = 0; i < out_set.n; i++)
        distinct += !gw_cfg_is_exempt_param(out_set.items[i]);
    go_list(ins, sizeof(ins), &in);
    go_list(outl, sizeof(outl), &out_set);
    if (distinct > in.n) {
        gw_cfg_fail(c, p,
                    "input and output params do not match. endpoint: %s %s, backend: %zu. "
                    "input: %s, output: %s",
                    e->method, route, j, ins, outl);
        goto out;
    }
    for (size_t i = 0; i < out_set.n; i++) {
        const char *name = out_set.items[i];
        if (!gw_cfg_is_exempt_param(name) && !gw_strlist_has(&in, name)) {
            gw_cfg_fail(c, p,
                        "undefined output param '%s'! endpoint: %s %s, backend: %zu. "
                        "input: %s, output: %s",
                        name, e->method, route, j, ins, outl);
            goto out;
        }
    }
    ok = true;
out:
    free(route);
    gw_strlist_free(&outs);
    gw_strlist_free(&in);
    gw_strlist_free(&out_set);
    return ok;
}

static bool backend_hosts(struct gw_cfg_ctx *c, struct gw_backend *b, const char *bpath)
{
    char p[GW_CFG_PATH_MAX], pi[GW_CFG_PATH_MAX];

    if (b->hosts.n == 0) {
        gw_strlist_free(&b->hosts);
        if (!gw_strlist_copy(&b->hosts, &c->cfg->hosts))
            return gw_cfg_oom(c);
        if (b->hosts.n == 0)
            gw_cfg_warn_once(c, "nohost",
                             "%s has no host and the service defines none: its "
                             "calls will fail with 500 (as in KrakenD)",
                             bpath);
        return true;
    }
    if (b->disable_host_sanitize)
        return true;
    gw_cfg_path_key(p, bpath, "host");
    for (size_t i = 0; i < b->hosts.n; i++) {
        char *clean = gw_cfg_clean_host(b->hosts.items[i]);
        if (!clean) {
            gw_cfg_path_idx(pi, p, i);
            return gw_cfg_fail(c, pi, "host %s not valid: invalid host", b->hosts.items[i]);
        }
        free(b->hosts.items[i]);
        b->hosts.items[i] = clean;
    }
    return true;
}

static bool backend_mapping(struct gw_cfg_ctx *c, json_t *obj, struct gw_backend *b,
                            const char *bpath)
{
    json_t *m = gw_cfg_member(obj, "mapping"), *v;
    char p[GW_CFG_PATH_MAX];
    const char *k;

    if (!m || json_is_null(m) || (json_is_array(m) && json_array_size(m) == 0))
        return true;
    gw_cfg_path_key(p, bpath, "mapping");
    if (!json_is_object(m))
        return gw_cfg_fail(c, p, "'mapping' expected a map");
    if (json_object_size(m) > GW_CFG_MAX_LIST)
        return gw_cfg_fail(c, p, "more than %d entries", GW_CFG_MAX_LIST);
    b->mapping = calloc(json_object_size(m) + 1, sizeof(*b->mapping));
    if (!b->mapping)
        return gw_cfg_oom(c);
    json_object_foreach(m, k, v)
    {
        struct gw_kv *kv = &b->mapping[b->n_mapping];
        bool ok;
        kv->value = gw_cfg_weak_string(v, &ok);
        if (!ok)
            return gw_cfg_fail(c, p, "mapping of '%s' expected a string", k);
        kv->key = gw_cfg_strdup(k);
        b->n_mapping++;
        if (!kv->key || !kv->value)
            return gw_cfg_oom(c);
    }
    return true;
}

/* backend/http and backend-level proxy options; lura reads them with strict Go types. */
static void backend_namespaces(struct gw_cfg_ctx *c, struct gw_backend *b, const char *bpath)
{
    json_t *ns = b->extra_config ? json_object_get(b->extra_config, GW_NS_BACKEND_HTTP) : NULL;
    json_t *v;

    if (json_is_object(ns)) {
        v = json_object_get(ns, "return_error_details");
        if (json_is_string(v) && !(b->return_error_details = gw_cfg_strdup(json_string_value(v))))
            gw_cfg_oom(c);
        else if (v && !json_is_string(v))
            gw_cfg_warn(c,
                        "%s.extra_config.backend/http.return_error_details is not a string: "
                        "ignored, as KrakenD does",
                        bpath);
        v = json_object_get(ns, "return_error_code");
        if (json_is_boolean(v))
            b->return_error_code = json_is_true(v);
        else if (v)
            gw_cfg_warn(c,
                        "%s.extra_config.backend/http.return_error_code is not a bool: "
                        "ignored, as KrakenD does",
                        bpath);
    }
}

/* sd "dns" (Lura's sd/dnssrv): the first host is the SRV name, looked up as it stands. */
static bool backend_sd(struct gw_cfg_ctx *c, struct gw_backend *b, const char *bpath)
{
    const char *sch = b->sd_scheme;

    if (sch && *sch) {
        bool good = (sch[0] >= 'a' && sch[0] <= 'z') || (sch[0] >= 'A' && sch[0] <= 'Z');
        for (const char *p = sch; good && *p; p++)
            good = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.",
                          *p) != NULL;
        if (!good)
            return gw_cfg_fail(c, bpath, "sd_scheme \"%s\" is not a URL scheme", sch);
    }
    if (!b->sd_dns)
        return true;
    if (b->hosts.n == 0) {
        gw_cfg_warn(c, "%s: sd \"dns\" without a host to look up: its calls fail", bpath);
        return true;
    }
    if (b->hosts.n > 1)
        gw_cfg_warn(c, "%s: sd \"dns\" looks up the first host only (%s), as Lura does", bpath,
                    b->hosts.items[0]);
    if (strstr(b->hosts.items[0], "://"))
        gw_cfg_warn(c,
                    "%s: sd \"dns\" looks up \"%s\", which is not a DNS name, so the backend "
                    "never gets a host (KrakenD behaves the same: its host sanitising adds the "
                    "scheme); set \"disable_host_sanitize\": true and write the bare SRV name",
                    bpath, b->hosts.items[0]);
    return true;
}

static bool parse_backend(struct gw_cfg_ctx *c, json_t *obj, struct gw_endpoint *e, size_t j,
                          const char *bpath, struct gw_backend *b)
{
    char *enc = NULL, *sd = NULL;
    char *clean;
    bool ok;

    if (!(b->json_path = gw_cfg_strdup(bpath)))
        return gw_cfg_oom(c);
    if (!json_is_object(obj))
        return gw_cfg_fail(c, bpath, "expected a map");
    legacy_keys(c, obj, bpath);
    if (!gw_cfg_decode_fields(c, obj, bpath, BACKEND_FIELDS,
                              sizeof(BACKEND_FIELDS) / sizeof(BACKEND_FIELDS[0]), b) ||
        !backend_mapping(c, obj, b, bpath))
        return false;
    ok = gw_cfg_get_string(c, obj, "encoding", bpath, &enc) &&
         gw_cfg_get_string(c, obj, "sd", bpath, &sd);
    b->sd_dns = ok && sd && strcmp(sd, "dns") == 0;
    if (ok && sd && *sd && strcmp(sd, "static") != 0 && !b->sd_dns)
        gw_cfg_warn_once(c, "sd",
                         "service discovery \"sd\": \"%s\" is not registered: the host "
                         "list is used as static hosts, as Lura falls back (first in %s)",
                         sd, bpath);
    b->encoding = e->output_encoding == GW_OUT_NOOP ? GW_ENC_NOOP : backend_encoding(c, enc);
    free(enc);
    free(sd);
    if (!ok || !backend_hosts(c, b, bpath) || !backend_sd(c, b, bpath))
        return false;
    if (!b->method || !*b->method) {
        free(b->method);
        b->method = gw_cfg_strdup(e->method);
    }
    upper(b->method);
    clean = gw_cfg_clean_path(b->url_pattern ? b->url_pattern : "");
    if (!clean || !b->method)
        return gw_cfg_oom(c);
    free(b->url_pattern);
    b->url_pattern = clean;
    b->timeout_ms = e->timeout_ms;
    b->concurrent_calls = e->concurrent_calls;
    if (!gw_cfg_extra_config(c, obj, bpath, GW_LVL_BACKEND, &b->extra_config))
        return false;
    backend_namespaces(c, b, bpath);
    if (!gw_cfg_backend_proxy(c, b, bpath) || !gw_cfg_backend_graphql(c, b, bpath))
        return false;
    return !c->failed && url_mappings(c, e, b, j, bpath);
}

/* Lifts a single object to a one-element list, as mapstructure's weak decoding does. */
static size_t list_size(const json_t *v)
{
    if (json_is_array(v))
        return json_array_size(v);
    if (json_is_object(v))
        return json_object_size(v) ? 1 : 0;
    return v && !json_is_null(v) ? 1 : 0;
}

/* The `encoding` string of an endpoint's only backend, NULL when it has several or none. */
static const char *single_backend_encoding(const json_t *endpoint)
{
    const json_t *list = gw_cfg_member(endpoint, "backend");
    const json_t *enc;

    if (list_size(list) != 1)
        return NULL;
    enc = json_object_get(json_array_get(list, 0), "encoding");
    return json_is_string(enc) ? json_string_value(enc) : NULL;
}

static json_t *list_get(json_t *v, size_t i)
{
    return json_is_array(v) ? json_array_get(v, i) : v;
}

static bool endpoint_basics(struct gw_cfg_ctx *c, json_t *obj, const char *path,
                            struct gw_endpoint *e, char **out_enc)
{
    struct gw_config *cfg = c->cfg;
    char *raw = NULL;
    char route[GW_CFG_PATH_MAX + 16];

    legacy_keys(c, obj, path);
    if (!gw_cfg_get_string(c, obj, "endpoint", path, &raw) ||
        !gw_cfg_get_string(c, obj, "method", path, &e->method) ||
        !gw_cfg_get_string(c, obj, "output_encoding", path, out_enc) ||
        !gw_cfg_decode_fields(c, obj, path, ENDPOINT_FIELDS,
                              sizeof(ENDPOINT_FIELDS) / sizeof(ENDPOINT_FIELDS[0]), e)) {
        free(raw);
        return false;
    }
    e->path = gw_cfg_clean_path(raw ? raw : "");
    free(raw);
    if (!e->method || !*e->method) {
        free(e->method);
        e->method = gw_cfg_strdup("GET");
    }
    if (!e->path || !e->method)
        return gw_cfg_oom(c);
    upper(e->method);
    snprintf(route, sizeof(route), "%s %s", e->method, e->path);
    if (reserved_path(e->path)) {
        char p[GW_CFG_PATH_MAX];
        gw_cfg_path_key(p, path, "endpoint");
        return gw_cfg_fail(c, p, "ignoring the '%s' endpoint, since it is invalid!!!", route);
    }
    if (list_size(gw_cfg_member(obj, "backend")) == 0)
        return gw_cfg_fail(c, path,
                           "ignoring the '%s' endpoint, since it has 0 backends "
                           "defined!",
                           route);
    if (!gw_cfg_endpoint_params(e->path, cfg->disable_rest, &e->params))
        return gw_cfg_fail(c, path, "more than %d {params} in the path", GW_CFG_MAX_PARAMS);
    if (e->cache_ttl_s == 0)
        e->cache_ttl_s = cfg->cache_ttl_s;
    if (e->timeout_ms == 0)
        e->timeout_ms = cfg->timeout_ms;
    if (e->concurrent_calls == 0)
        e->concurrent_calls = 1;
    if (e->concurrent_calls > 16) /* the proxy's MAX_CONCURRENT */
        gw_cfg_warn(c, "%s.concurrent_calls: %u is capped at 16 parallel calls", path,
                    e->concurrent_calls);
    if (!*out_enc || !**out_enc) {
        free(*out_enc);
        *out_enc = gw_cfg_strdup(c->svc_output_encoding ? c->svc_output_encoding : "json");
        if (!*out_enc)
            return gw_cfg_oom(c);
    }
    if (strcmp(*out_enc, "no-op") == 0 && list_size(gw_cfg_member(obj, "backend")) > 1)
        return gw_cfg_fail(c, path,
                           "can not use NoOp encoding with more than one backends "
                           "connected to the same endpoint");
    e->output_encoding = output_encoding(c, *out_enc, single_backend_encoding(obj));
    return true;
}

/* Parses endpoints[i]; *keep is false when the endpoint is skipped (unsupported method). */
static bool parse_endpoint(struct gw_cfg_ctx *c, json_t *obj, const char *path,
                           struct gw_endpoint *e, bool *keep)
{
    char *enc = NULL;
    json_t *bl;
    size_t nb;
    bool ok;

    *keep = false;
    if (!(e->json_path = gw_cfg_strdup(path)))
        return gw_cfg_oom(c);
    if (!json_is_object(obj))
        return gw_cfg_fail(c, path, "expected a map");
    ok = endpoint_basics(c, obj, path, e, &enc);
    free(enc);
    if (!ok)
        return false;
    if (!gw_cfg_extra_config(c, obj, path, GW_LVL_ENDPOINT, &e->extra_config))
        return false;
    if (!gw_cfg_endpoint_proxy(c, e, path))
        return false;
    bl = gw_cfg_member(obj, "backend");
    nb = list_size(bl);
    if (nb > GW_CFG_MAX_BACKENDS)
        return gw_cfg_fail(c, path, "more than %d backends", GW_CFG_MAX_BACKENDS);
    e->backends = calloc(nb, sizeof(*e->backends));
    if (!e->backends)
        return gw_cfg_oom(c);
    for (size_t j = 0; j < nb; j++) {
        char bpath[GW_CFG_PATH_MAX], bl_path[GW_CFG_PATH_MAX];
        gw_cfg_path_key(bl_path, path, "backend");
        if (json_is_array(bl))
            gw_cfg_path_idx(bpath, bl_path, j);
        else
            snprintf(bpath, sizeof(bpath), "%s", bl_path);
        e->n_backends++;
        if (!parse_backend(c, list_get(bl, j), e, j, bpath, &e->backends[j]))
            return false;
    }
    if (!gw_cfg_endpoint_proxy_check(c, e, path))
        return false;
    if (!method_supported(e->method)) {
        gw_cfg_warn(c,
                    "%s: the '%s %s' endpoint is skipped: unsupported method %s (KrakenD "
                    "registers only GET, POST, PUT, PATCH and DELETE)",
                    path, e->method, e->path, e->method);
        return true;
    }
    *keep = true;
    return true;
}

struct ep_lines {
    int *lines;
    size_t n;
};

static bool ep_line_cb(const char *path, size_t len, int line, void *ud)
{
    struct ep_lines *l = ud;
    char *end;
    unsigned long i;

    if (len < 12 || strncmp(path, "endpoints[", 10) != 0 || path[len - 1] != ']')
        return false;
    i = strtoul(path + 10, &end, 10);
    if (end != path + len - 1 || i >= l->n)
        return false;
    if (!l->lines[i])
        l->lines[i] = line;
    return false;
}

/* gin panics on a second handler for the same method and path, and on two wildcards with
 * different names at the same place ("/a/:x" vs "/a/:y"). */
static bool route_conflict(const char *a, const char *b, bool *exact)
{
    *exact = strcmp(a, b) == 0;
    if (*exact)
        return true;
    while (*a && *b) {
        size_t la = strcspn(a + 1, "/") + 1, lb = strcspn(b + 1, "/") + 1;
        if (la == lb && memcmp(a, b, la) == 0) {
            a += la;
            b += lb;
            continue;
        }
        return a[1] == ':' && b[1] == ':';
    }
    return false;
}

static bool check_duplicates(struct gw_cfg_ctx *c, struct gw_strlist *routes)
{
    struct gw_config *cfg = c->cfg;

    for (size_t i = 1; i < cfg->n_endpoints; i++) {
        const struct gw_endpoint *e = &cfg->endpoints[i];
        for (size_t k = 0; k < i; k++) {
            const struct gw_endpoint *o = &cfg->endpoints[k];
            bool exact;
            if (strcmp(e->method, o->method) != 0 ||
                !route_conflict(routes->items[k], routes->items[i], &exact))
                continue;
            if (exact)
                return gw_cfg_fail(c, e->json_path,
                                   "duplicate endpoint '%s %s': %s (line %d) "
                                   "already defines it (gin: handlers are already registered "
                                   "for path '%s')",
                                   e->method, e->path, o->json_path, o->line, routes->items[i]);
            return gw_cfg_fail(c, e->json_path,
                               "endpoint '%s %s' conflicts with '%s %s' of %s "
                               "(line %d): gin cannot register two different {param} names at "
                               "the same place",
                               e->method, e->path, o->method, o->path, o->json_path, o->line);
        }
    }
    return true;
}

bool gw_cfg_endpoints(struct gw_cfg_ctx *c, json_t *root)
{
    struct gw_config *cfg = c->cfg;
    json_t *list = gw_cfg_member(root, "endpoints");
    struct gw_strlist routes = {0};
    struct ep_lines lines = {NULL, 0};
    size_t n = list_size(list);
    bool ok = false;

    if (n == 0)
        return true;
    if (!json_is_array(list) && !json_is_object(list))
        return gw_cfg_fail(c, "endpoints", "'endpoints' expected a list");
    if (n > GW_CFG_MAX_ENDPOINTS)
        return gw_cfg_fail(c, "endpoints", "more than %d endpoints", GW_CFG_MAX_ENDPOINTS);
    cfg->endpoints = calloc(n, sizeof(*cfg->endpoints));
    lines.lines = calloc(n, sizeof(int));
    lines.n = n;
    if (!cfg->endpoints || !lines.lines) {
        gw_cfg_oom(c);
        goto out;
    }
    if (json_is_array(list))
        gw_cfg_scan_lines(c->text, c->len, ep_line_cb, &lines);
    for (size_t i = 0; i < n; i++) {
        struct gw_endpoint *e = &cfg->endpoints[cfg->n_endpoints];
        char path[GW_CFG_PATH_MAX];
        bool keep;
        if (json_is_array(list))
            gw_cfg_path_idx(path, "endpoints", i);
        else
            snprintf(path, sizeof(path), "endpoints");
        e->line = lines.lines[i];
        cfg->n_endpoints++; /* counted first so that a failure frees it */
        if (!parse_endpoint(c, list_get(list, i), path, e, &keep))
            goto out;
        if (!keep) {
            gw_cfg_endpoint_free(e);
            cfg->n_endpoints--;
            continue;
        }
        char *route = gin_path(e->path, &e->params);
        ok = route && gw_strlist_push(&routes, route);
        free(route);
        if (!ok) {
            gw_cfg_oom(c);
            goto out;
        }
    }
    ok = check_duplicates(c, &routes);
out:
    free(lines.lines);
    gw_strlist_free(&routes);
    return ok;
}
