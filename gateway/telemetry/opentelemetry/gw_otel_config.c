/* gw_otel_config.c - "telemetry/opentelemetry" after decoding: KrakenD's default filling, the
 * exporters, the resource and OTEL_* values, endpoint/backend overrides, skip_paths and
 * report_headers. */
#include "gw_otel_config_int.h"

#include "cmn_buf.h"
#include "cmn_go_url.h"
#include "cmn_http_field.h"
#include "cmn_str.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the parsed configuration ---- */

static void proxy_opts_free(struct gw_otel_proxy_opts *p)
{
    gw_tel_strs_free(&p->skip_headers);
    gw_tel_kvs_free(&p->metrics_static);
    gw_tel_kvs_free(&p->traces_static);
}

static void backend_opts_free(struct gw_otel_backend_opts *b)
{
    gw_tel_kvs_free(&b->metrics.static_attrs);
    gw_tel_strs_free(&b->metrics.skip_headers);
    gw_tel_kvs_free(&b->traces.static_attrs);
    gw_tel_strs_free(&b->traces.skip_headers);
}

void gw_otel_config_free(struct gw_otel_config *c)
{
    if (!c)
        return;
    free(c->service_name);
    free(c->service_version);
    free(c->deploy_env);
    gw_tel_strs_free(&c->skip_paths);
    free(c->skip_path_lens);
    gw_tel_strs_free(&c->global.skip_headers);
    gw_tel_kvs_free(&c->global.metrics_static);
    gw_tel_kvs_free(&c->global.traces_static);
    proxy_opts_free(&c->proxy);
    backend_opts_free(&c->backend);
    for (size_t i = 0; i < c->n_prometheus; i++)
        gw_ocd_prom_free(&c->prometheus[i]);
    free(c->prometheus);
    for (size_t i = 0; i < c->n_otlp; i++)
        gw_ocd_otlp_free(&c->otlp[i]);
    free(c->otlp);
    gw_tel_kvs_free(&c->resource);
    gw_tel_kvs_free(&c->otlp_headers);
    gw_tel_strs_free(&c->warnings);
    free(c);
}

static bool proxy_opts_copy(struct gw_otel_proxy_opts *dst, const struct gw_otel_proxy_opts *src)
{
    *dst = *src;
    return gw_tel_strs_copy(&dst->skip_headers, &src->skip_headers) &&
           gw_tel_kvs_copy(&dst->metrics_static, &src->metrics_static) &&
           gw_tel_kvs_copy(&dst->traces_static, &src->traces_static);
}

static bool backend_layer_copy(struct gw_otel_backend_layer *dst,
                               const struct gw_otel_backend_layer *src)
{
    *dst = *src;
    return gw_tel_kvs_copy(&dst->static_attrs, &src->static_attrs) &&
           gw_tel_strs_copy(&dst->skip_headers, &src->skip_headers);
}

/* KrakenD's default for an absent layers.backend.metrics/traces object. */
static void backend_layer_default(struct gw_otel_backend_layer *l)
{
    memset(l, 0, sizeof(*l));
    l->round_trip = l->read_payload = l->detailed_connection = true;
}

/* OTEL_RESOURCE_ATTRIBUTES / OTEL_EXPORTER_OTLP_HEADERS: "k=v,k2=v2", values percent-decoded
 * (kept as written when they do not decode), keys and values trimmed. */
static bool parse_pairs(const char *s, struct gw_tel_kvs *out, const char *what, struct dctx *d)
{
    const char *p = s;

    while (p && *p) {
        const char *end = strchr(p, ','), *eq;
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *pair = cmn_strndup(p, n), *k, *v, *dec;
        size_t dl;

        if (!pair)
            return false;
        eq = strchr(pair, '=');
        if (!eq) {
            if (n)
                gw_ocd_warnf(d, "%s: \"%s\" has no value: ignored", what, pair);
            free(pair);
            p = end ? end + 1 : NULL;
            continue;
        }
        pair[eq - pair] = '\0';
        k = pair;
        v = pair + (eq - pair) + 1;
        while (*k == ' ' || *k == '\t')
            k++;
        for (char *e = k + strlen(k); e > k && (e[-1] == ' ' || e[-1] == '\t');)
            *--e = '\0';
        while (*v == ' ' || *v == '\t')
            v++;
        for (char *e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t');)
            *--e = '\0';
        dec = malloc(strlen(v) + 1);
        if (!dec) {
            free(pair);
            return false;
        }
        if (!cmn_go_unescape(v, strlen(v), false, dec, &dl))
            memcpy(dec, v, strlen(v) + 1);
        if (!gw_tel_kvs_add(out, k, dec)) {
            free(dec);
            free(pair);
            return false;
        }
        free(dec);
        free(pair);
        p = end ? end + 1 : NULL;
    }
    return true;
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct gw_tel_kv *)a)->key, ((const struct gw_tel_kv *)b)->key);
}

/* Resource: environment attributes (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME) under the
 * config's (service.name, service.version, deployment.environment), sorted by key. */
static bool build_resource(struct gw_otel_config *c, const struct gw_otel_config_env *env,
                           struct dctx *d)
{
    struct gw_tel_kvs envk = {0};
    const char *mine[3][2] = {{"service.name", c->service_name},
                              {"service.version", c->service_version},
                              {"deployment.environment", c->deploy_env}};
    bool ok = true;

    if (env && env->otel_resource_attributes &&
        !parse_pairs(env->otel_resource_attributes, &envk, "OTEL_RESOURCE_ATTRIBUTES", d))
        ok = false;
    if (ok && env && env->otel_service_name && *env->otel_service_name)
        ok = gw_tel_kvs_add(&envk, "service.name", env->otel_service_name);
    for (size_t i = 0; ok && i < envk.n; i++) {
        bool overridden = false;
        for (size_t j = 0; j < 3; j++)
            if (strcmp(envk.items[i].key, mine[j][0]) == 0 && mine[j][1] && *mine[j][1])
                overridden = true;
        /* a later duplicate in the environment wins over an earlier one */
        for (size_t j = i + 1; j < envk.n; j++)
            if (strcmp(envk.items[i].key, envk.items[j].key) == 0)
                overridden = true;
        if (!overridden)
            ok = gw_tel_kvs_add(&c->resource, envk.items[i].key, envk.items[i].value);
    }
    for (size_t j = 0; ok && j < 3; j++)
        if (mine[j][1] && *mine[j][1])
            ok = gw_tel_kvs_add(&c->resource, mine[j][0], mine[j][1]);
    gw_tel_kvs_free(&envk);
    if (ok)
        qsort(c->resource.items, c->resource.n, sizeof(c->resource.items[0]), kv_cmp);
    return ok;
}

/* OTLP endpoint as krakend-otel derives it: "host:port" as text; with an http(s):// prefix
 * only the URL's host[:port] part is kept (a path in "host" swallows the port). */
static bool otlp_derive(struct gw_otel_otlp_exporter *e, long long period, size_t idx,
                        struct dctx *d)
{
    struct cmn_buf b;
    const char *text, *h, *end;
    const char *scheme = "http";
    char *hostport = NULL, url[2048];
    bool ok = false;

    if (!e->host || !*e->host) {
        free(e->host);
        e->host = strdup("localhost");
        if (!e->host)
            return false;
    }
    if (e->port == 0)
        e->port = 4317; /* for both transports (the schema's 4318 is not in the code) */
    cmn_buf_init(&b, 4096);
    cmn_buf_printf(&b, "%s:%lld", e->host, e->port);
    text = cmn_buf_str(&b);
    if (cmn_str_has_prefix(text, "http://") || cmn_str_has_prefix(text, "https://")) {
        e->tls = text[4] == 's';
        scheme = e->tls ? "https" : "http";
        h = strstr(text, "://") + 3;
        end = h + strcspn(h, "/?#");
        hostport = cmn_strndup(h, (size_t)(end - h));
        if (hostport) {
            const char *colon = strrchr(hostport, ':');
            bool bad = strcspn(hostport, " \t\"<>\\^`{|}") != strlen(hostport);
            if (colon && hostport[0] != '[')
                for (const char *c = colon + 1; *c; c++)
                    bad = bad || *c < '0' || *c > '9';
            if (bad) {
                d->failed = true;
                cmn_err_set(d->err, GW_OTEL_CONFIG_INVALID,
                            "cannot register exporters: OTLP Exporter %s (at idx %zu) failed: "
                            "parse \"%s\": invalid host or port",
                            e->name ? e->name : "", idx, text);
                goto out;
            }
        }
    } else {
        hostport = strdup(text);
    }
    if (!hostport)
        goto out;
    e->endpoint = hostport;
    hostport = NULL;
    gw_ocd_fmt(url, sizeof(url), "%s://%s/v1/traces", scheme, e->endpoint);
    e->traces_url = strdup(url);
    gw_ocd_fmt(url, sizeof(url), "%s://%s/v1/metrics", scheme, e->endpoint);
    e->metrics_url = strdup(url);
    /* periodic reader: custom period when >= 1 s, else the service's; <= 0 means 60 s */
    e->period_s = e->custom_metric_reporting_period >= 1
                      ? (long long)e->custom_metric_reporting_period
                      : period;
    if (e->period_s <= 0)
        e->period_s = 60;
    ok = e->traces_url && e->metrics_url;
out:
    free(hostport);
    cmn_buf_free(&b);
    return ok || d->failed;
}

static bool names_unique(const struct raw_root *r, struct dctx *d)
{
    for (size_t i = 0; i < r->n_otlp; i++) {
        const char *n = r->otlp[i].name ? r->otlp[i].name : "";
        for (size_t j = 0; j < i; j++)
            if (strcmp(n, r->otlp[j].name ? r->otlp[j].name : "") == 0) {
                cmn_err_set(d->err, GW_OTEL_CONFIG_INVALID,
                            "OTLP exporter with duplicate name: %s (at idx %zu)", n, i);
                return false;
            }
    }
    for (size_t i = 0; i < r->n_prom; i++) {
        const char *n = r->prom[i].name ? r->prom[i].name : "";
        bool dup = false;
        for (size_t j = 0; j < r->n_otlp && !dup; j++)
            dup = strcmp(n, r->otlp[j].name ? r->otlp[j].name : "") == 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(n, r->prom[j].name ? r->prom[j].name : "") == 0;
        if (dup) {
            cmn_err_set(d->err, GW_OTEL_CONFIG_INVALID,
                        "prometheus with duplicate name: %s (at idx %zu)", n, i);
            return false;
        }
    }
    return true;
}

/* Moves a decoded string into the config ("" when unset). */
static char *take(char **s)
{
    char *r = *s ? *s : strdup("");

    *s = NULL;
    return r;
}

static bool fill(struct gw_otel_config *c, struct raw_root *r, const struct gw_otel_config_env *env,
                 struct dctx *d)
{
    struct raw_layers *l = &r->layers;

    c->service_name = take(&r->service_name);
    if (c->service_name && !*c->service_name) {
        free(c->service_name);
        c->service_name =
            strdup(env && env->root_name && *env->root_name ? env->root_name : "KrakenD");
    }
    c->service_version = take(&r->service_version);
    if (c->service_version && !*c->service_version) {
        free(c->service_version);
        c->service_version = strdup(env && env->gateway_version ? env->gateway_version : "");
    }
    c->deploy_env = take(&r->deploy_env);
    if (!c->service_name || !c->service_version || !c->deploy_env)
        return false;
    c->metric_reporting_period = r->has_period ? r->period : 30;
    c->trace_sample_rate = r->has_rate ? r->rate : 1.0;
    /* trap: 0, negatives and >= 1 all mean "sample everything" */
    c->ratio_sampler = c->trace_sample_rate > 0 && c->trace_sample_rate < 1;
    if (r->skip_paths.n == 0) {
        static const char *const def[] = {"/__health", "/__debug/", "/__echo/", "/__stats/"};
        for (size_t i = 0; i < 4; i++)
            if (!gw_tel_strs_add(&c->skip_paths, def[i]))
                return false;
    } else {
        c->skip_paths = r->skip_paths;
        memset(&r->skip_paths, 0, sizeof(r->skip_paths));
    }
    c->skip_path_lens = calloc(c->skip_paths.n + 1, sizeof(size_t));
    if (!c->skip_path_lens)
        return false;
    for (size_t i = 0; i < c->skip_paths.n; i++)
        c->skip_path_lens[i] = strlen(c->skip_paths.items[i]);
    if (l->has_global) {
        c->global.disable_metrics = l->global.dm;
        c->global.disable_traces = l->global.dt;
        c->global.disable_propagation = l->global.dp;
        c->global.report_headers = l->global.rh;
        c->global.skip_headers = l->global.skip;
        c->global.metrics_static = l->global.ms;
        c->global.traces_static = l->global.ts;
        memset(&l->global.skip, 0, sizeof(l->global.skip));
        memset(&l->global.ms, 0, sizeof(l->global.ms));
        memset(&l->global.ts, 0, sizeof(l->global.ts));
        if (l->global.semconv && strcmp(l->global.semconv, "1.27") == 0)
            c->global.semconv = GW_OTEL_SEMCONV_1_27;
        else if (l->global.semconv && *l->global.semconv)
            gw_ocd_warnf(d,
                         "layers.global.semantic_convention: \"%s\" is not supported: the default "
                         "instrument names are used",
                         l->global.semconv);
    }
    if (l->has_proxy) {
        c->proxy = l->proxy;
        memset(&l->proxy, 0, sizeof(l->proxy));
    }
    if (l->has_backend && l->backend.has_metrics) {
        c->backend.metrics = l->backend.metrics;
        memset(&l->backend.metrics, 0, sizeof(l->backend.metrics));
    } else {
        backend_layer_default(&c->backend.metrics);
    }
    if (l->has_backend && l->backend.has_traces) {
        c->backend.traces = l->backend.traces;
        memset(&l->backend.traces, 0, sizeof(l->backend.traces));
    } else {
        backend_layer_default(&c->backend.traces);
    }
    c->backend.metrics.present = c->backend.traces.present = true;
    return true;
}

static bool exporters(struct gw_otel_config *c, struct raw_root *r, struct dctx *d)
{
    c->prometheus = r->prom;
    c->n_prometheus = r->n_prom;
    c->otlp = r->otlp;
    c->n_otlp = r->n_otlp;
    r->prom = NULL;
    r->otlp = NULL;
    r->n_prom = r->n_otlp = 0;
    for (size_t i = 0; i < c->n_prometheus; i++) {
        struct gw_otel_prom_exporter *p = &c->prometheus[i];
        if (!p->name && !(p->name = strdup("")))
            return false;
        if (!p->host && !(p->host = strdup("")))
            return false;
        if (p->port == 0)
            p->port = 9090;
        if (p->go_metrics)
            gw_ocd_warnf(d,
                         "exporters.prometheus[%zu].go_metrics: Go runtime metrics have no C "
                         "equivalent: no go_* series are served",
                         i);
        if (!p->disable_metrics)
            c->any_metrics_exporter = true;
    }
    for (size_t i = 0; i < c->n_otlp; i++) {
        struct gw_otel_otlp_exporter *e = &c->otlp[i];
        if (!e->name && !(e->name = strdup("")))
            return false;
        if (!otlp_derive(e, c->metric_reporting_period, i, d))
            return false;
        if (d->failed)
            return true;
        if (!e->use_http) {
            gw_ocd_warnf(
                d,
                "exporters.otlp[%zu]: OTLP over gRPC (use_http false) is not implemented: "
                "exporter \"%s\" sends nothing; set \"use_http\": true and the collector's "
                "HTTP port",
                i, e->name);
            continue;
        }
        if (!e->disable_metrics)
            c->any_metrics_exporter = true;
        if (!e->disable_traces)
            c->any_traces_exporter = true;
    }
    return true;
}

static bool otlp_env(struct gw_otel_config *c, const struct gw_otel_config_env *env, struct dctx *d)
{
    long long t;

    c->otlp_timeout_ms = 10000;
    c->propagate_tracecontext = c->propagate_baggage = true;
    if (!env)
        return true;
    if (env->otlp_protocol && *env->otlp_protocol) {
        if (strcmp(env->otlp_protocol, "http/json") == 0)
            c->otlp_json = true;
        else if (strcmp(env->otlp_protocol, "http/protobuf") != 0)
            gw_ocd_warnf(d,
                         "OTEL_EXPORTER_OTLP_PROTOCOL: \"%s\" is not implemented: http/protobuf "
                         "used",
                         env->otlp_protocol);
    }
    if (env->propagators && *env->propagators) {
        const char *p = env->propagators;
        c->propagate_tracecontext = c->propagate_baggage = false;
        while (*p) {
            size_t n = strcspn(p, ",");
            char name[32];
            gw_ocd_fmt(name, sizeof(name), "%.*s", (int)n, p);
            if (strcmp(name, "tracecontext") == 0)
                c->propagate_tracecontext = true;
            else if (strcmp(name, "baggage") == 0)
                c->propagate_baggage = true;
            else if (strcmp(name, "none") != 0 && n)
                gw_ocd_warnf(d, "OTEL_PROPAGATORS: \"%s\" is not implemented: ignored", name);
            p += n + (p[n] ? 1 : 0);
        }
    }
    if (env->otlp_headers &&
        !parse_pairs(env->otlp_headers, &c->otlp_headers, "OTEL_EXPORTER_OTLP_HEADERS", d))
        return false;
    /* the one field rule: a pair that is no valid header field is not sent */
    for (size_t i = 0; i < c->otlp_headers.n;) {
        struct gw_tel_kv *kv = &c->otlp_headers.items[i];
        if (cmn_http_field_name_ok_str(kv->key) && cmn_http_field_value_ok_str(kv->value)) {
            i++;
            continue;
        }
        gw_ocd_warnf(d, "OTEL_EXPORTER_OTLP_HEADERS: \"%s\" is not a valid header field: not sent",
                     kv->key);
        free(kv->key);
        free(kv->value);
        memmove(kv, kv + 1, (c->otlp_headers.n - i - 1) * sizeof(*kv));
        c->otlp_headers.n--;
    }
    if (env->otlp_timeout_ms && *env->otlp_timeout_ms) {
        if (cmn_parse_ll(env->otlp_timeout_ms, 0, 86400000, &t))
            c->otlp_timeout_ms = t;
        else
            gw_ocd_warnf(d, "OTEL_EXPORTER_OTLP_TIMEOUT: \"%s\" is not milliseconds: 10000 used",
                         env->otlp_timeout_ms);
    }
    if (env->otlp_compression && *env->otlp_compression) {
        if (strcmp(env->otlp_compression, "gzip") == 0)
            c->otlp_gzip = true;
        else if (strcmp(env->otlp_compression, "none") != 0)
            gw_ocd_warnf(d, "OTEL_EXPORTER_OTLP_COMPRESSION: \"%s\" is unknown: no compression",
                         env->otlp_compression);
    }
    return true;
}

enum gw_otel_config_status gw_otel_config_parse(const json_t *block,
                                                const struct gw_otel_config_env *env,
                                                struct gw_otel_config **out, struct cmn_err *err)
{
    struct raw_root r;
    struct gw_otel_config *c = NULL;
    struct dctx d = {err, NULL, false, false};
    enum gw_otel_config_status st = GW_OTEL_CONFIG_NOMEM;

    *out = NULL;
    memset(&r, 0, sizeof(r));
    if (!block)
        return GW_OTEL_CONFIG_ABSENT;
    c = calloc(1, sizeof(*c));
    if (!c)
        goto out;
    d.warn = &c->warnings;
    if (!json_is_object(block)) {
        char num[64];
        cmn_err_set(err, GW_OTEL_CONFIG_INVALID,
                    "cannot register exporters: json: cannot unmarshal %s into Go value of type "
                    "config.ConfigData",
                    gw_ocd_json_kind(block, num, sizeof(num)));
        st = GW_OTEL_CONFIG_INVALID;
        goto out;
    }
    gw_ocd_decode_obj(&d, block, &GW_OCD_ROOT, &r, "", "");
    if (d.nomem)
        goto out;
    if (d.failed) {
        st = GW_OTEL_CONFIG_INVALID;
        goto out;
    }
    if (!names_unique(&r, &d)) {
        st = GW_OTEL_CONFIG_INVALID;
        goto out;
    }
    if (!fill(c, &r, env, &d) || !exporters(c, &r, &d) || !otlp_env(c, env, &d) ||
        !build_resource(c, env, &d) || d.nomem)
        goto out;
    if (d.failed) {
        st = GW_OTEL_CONFIG_INVALID;
        goto out;
    }
    *out = c;
    c = NULL;
    st = GW_OTEL_CONFIG_OK;
out:
    if (st == GW_OTEL_CONFIG_NOMEM)
        cmn_err_set(err, GW_OTEL_CONFIG_NOMEM, "telemetry/opentelemetry: out of memory");
    gw_ocd_raw_root_free(&r);
    gw_otel_config_free(c);
    return st;
}

/* ---- endpoint and backend overrides ---- */

/* Decodes an endpoint/backend block into krakend-otel's LayersOpts; false when KrakenD would
 * ignore it (not an object, a type mismatch): the service-level options then apply. */
static bool decode_override(const json_t *block, const char *json_path, struct raw_layers *l,
                            struct gw_tel_strs *warn, bool *nomem)
{
    struct cmn_err e = {0};
    char prefix[256];
    struct gw_tel_strs w = {0};
    struct dctx d = {&e, &w, false, false};

    memset(l, 0, sizeof(*l));
    gw_ocd_fmt(prefix, sizeof(prefix), "%s.extra_config.%s", json_path ? json_path : "",
               GW_OTEL_NAMESPACE);
    if (!json_is_object(block)) {
        char msg[512];
        gw_ocd_fmt(msg, sizeof(msg), "%s: not an object: ignored (service-level options apply)",
                   prefix);
        *nomem = !gw_tel_strs_add(warn, msg);
        return false;
    }
    gw_ocd_decode_obj(&d, block, &GW_OCD_LAYERS, l, "", "");
    for (size_t i = 0; i < w.n && !*nomem; i++) {
        char msg[768];
        gw_ocd_fmt(msg, sizeof(msg), "%s.%s", prefix, w.items[i]);
        *nomem = !gw_tel_strs_add(warn, msg);
    }
    gw_tel_strs_free(&w);
    *nomem = *nomem || d.nomem;
    if (d.failed) {
        char msg[768];
        gw_ocd_fmt(msg, sizeof(msg), "%s: %s: override ignored (service-level options apply)",
                   prefix, e.msg);
        *nomem = *nomem || !gw_tel_strs_add(warn, msg);
        gw_ocd_raw_layers_free(l);
        memset(l, 0, sizeof(*l));
        return false;
    }
    return true;
}

bool gw_otel_config_endpoint(const struct gw_otel_config *c, const char *endpoint,
                             const json_t *endpoint_block, const char *json_path,
                             struct gw_otel_endpoint_opts *out, struct gw_tel_strs *warn)
{
    struct raw_layers l;
    bool nomem = false, have = false, ok;

    memset(out, 0, sizeof(*out));
    memset(&l, 0, sizeof(l));
    out->skip = gw_otel_config_skips(c, endpoint, strlen(endpoint));
    if (endpoint_block)
        have = decode_override(endpoint_block, json_path, &l, warn, &nomem);
    if (have && l.has_backend) {
        char msg[512];
        gw_ocd_fmt(msg, sizeof(msg),
                   "%s.extra_config.%s.backend: ignored at endpoint level (only "
                   "the backend's own extra_config is read)",
                   json_path ? json_path : "", GW_OTEL_NAMESPACE);
        nomem = nomem || !gw_tel_strs_add(warn, msg);
    }
    /* an endpoint "proxy" object replaces the service's, no merge */
    ok = proxy_opts_copy(&out->proxy, have && l.has_proxy ? &l.proxy : &c->proxy);
    if (ok && have && l.has_global)
        ok = gw_tel_kvs_copy(&out->global_metrics_static, &l.global.ms) &&
             gw_tel_kvs_copy(&out->global_traces_static, &l.global.ts);
    gw_ocd_raw_layers_free(&l);
    if (!ok || nomem) {
        gw_otel_endpoint_opts_free(out);
        return false;
    }
    return true;
}

void gw_otel_endpoint_opts_free(struct gw_otel_endpoint_opts *o)
{
    if (!o)
        return;
    proxy_opts_free(&o->proxy);
    gw_tel_kvs_free(&o->global_metrics_static);
    gw_tel_kvs_free(&o->global_traces_static);
}

static bool layer_enabled(const struct gw_otel_backend_layer *l)
{
    return l->present &&
           (!l->disable_stage || l->round_trip || l->read_payload || l->detailed_connection);
}

bool gw_otel_config_backend(const struct gw_otel_config *c, const char *parent_endpoint,
                            const json_t *backend_block, const char *json_path,
                            struct gw_otel_backend_eff *out, struct gw_tel_strs *warn)
{
    struct raw_layers l;
    bool nomem = false, have = false, ok;
    struct gw_otel_backend_opts *o = &out->opts;

    memset(out, 0, sizeof(*out));
    memset(&l, 0, sizeof(l));
    out->skip = gw_otel_config_skips(c, parent_endpoint, strlen(parent_endpoint));
    if (backend_block)
        have = decode_override(backend_block, json_path, &l, warn, &nomem);
    if (have && l.has_backend) {
        /* replaces the service's layers.backend, without the default filling */
        o->metrics = l.backend.metrics;
        o->traces = l.backend.traces;
        o->metrics.present = l.backend.has_metrics;
        o->traces.present = l.backend.has_traces;
        memset(&l.backend, 0, sizeof(l.backend));
        if (!o->traces.present) {
            char msg[512];
            /* KrakenD dereferences the absent object and panics at startup */
            gw_ocd_fmt(msg, sizeof(msg),
                       "%s.extra_config.%s.backend: no \"traces\" object (KrakenD CE crashes at "
                       "startup on this): handled as an empty object",
                       json_path ? json_path : "", GW_OTEL_NAMESPACE);
            nomem = !gw_tel_strs_add(warn, msg);
            o->traces.present = true;
        }
        ok = true;
    } else {
        ok = backend_layer_copy(&o->metrics, &c->backend.metrics) &&
             backend_layer_copy(&o->traces, &c->backend.traces);
    }
    gw_ocd_raw_layers_free(&l);
    if (!ok || nomem) {
        gw_otel_backend_eff_free(out);
        return false;
    }
    if (out->skip)
        return true;
    out->stage_metrics = !(o->metrics.present && o->metrics.disable_stage);
    out->stage_traces = !(o->traces.present && o->traces.disable_stage);
    out->client_instrumented = layer_enabled(&o->metrics) || layer_enabled(&o->traces);
    if (out->client_instrumented) {
        /* the absent object takes KrakenD's all-true defaults here */
        if (!o->metrics.present)
            backend_layer_default(&o->metrics), o->metrics.present = true;
        if (!o->traces.present)
            backend_layer_default(&o->traces), o->traces.present = true;
        out->rt_metrics = o->metrics.round_trip || o->metrics.read_payload;
        out->rt_detailed = out->rt_metrics && o->metrics.detailed_connection;
        out->payload_metrics = o->metrics.read_payload;
        out->rt_span = o->traces.round_trip || o->traces.read_payload;
        out->payload_span = o->traces.read_payload;
        out->rt_detailed_span = out->rt_span && o->traces.detailed_connection;
    }
    return true;
}

void gw_otel_backend_eff_free(struct gw_otel_backend_eff *o)
{
    if (o)
        backend_opts_free(&o->opts);
}

/* ---- skip_paths and report_headers ---- */

bool gw_otel_config_skips(const struct gw_otel_config *c, const char *s, size_t n)
{
    for (size_t i = 0; c && i < c->skip_paths.n; i++)
        if (c->skip_path_lens[i] == n && memcmp(c->skip_paths.items[i], s, n) == 0)
            return true;
    return false;
}

bool gw_otel_header_reported(const struct gw_tel_strs *skip, const char *name, size_t n)
{
    for (size_t i = 0; skip && i < skip->n; i++)
        if (strlen(skip->items[i]) == n && strncasecmp(skip->items[i], name, n) == 0)
            return false;
    return true;
}

size_t gw_otel_header_attr(char *out, size_t cap, bool response, const char *name, size_t n)
{
    const char *pre = response ? "http.response.header." : "http.request.header.";
    size_t pl = strlen(pre);

    if (pl + n + 1 > cap)
        return 0;
    memcpy(out, pre, pl);
    for (size_t i = 0; i < n; i++)
        out[pl + i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
    out[pl + n] = '\0';
    return pl + n;
}
