/* gw_otel_metrics.c - KrakenD's instrument catalogue and the per-layer record functions. */
#include "gw_otel_metrics.h"

#include "cmn_http.h"
#include "cmn_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double gw_otel_time_buckets[20] = {0.010, 0.020, 0.050, 0.075, 0.100, 0.125, 0.150,
                                         0.175, 0.200, 0.250, 0.300, 0.350, 0.500, 0.750,
                                         1.000, 1.500, 2.000, 3.500, 5.000, 10.000};
const double gw_otel_size_buckets[15] = {128,    256,     512,     1024,     4096,
                                         8192,   16384,   32768,   65536,    262144,
                                         524288, 1048576, 4194304, 16777216, 67108864};

#define TB gw_otel_time_buckets, 20
#define SB gw_otel_size_buckets, 15

/* Instrument roles, the index of each in its schema. */
enum { G_DURATION = 0, G_SIZE };
enum {
    R_STARTED = 0,
    R_FAILED,
    R_CANCELED,
    R_TIMEDOUT,
    R_REQ_SIZE,
    R_DURATION,
    R_RESP_SIZE,
    R_NO_CL,
    R_GETCONN,
    R_DNS,
    R_TLS,
    R_N
};
enum { P_SIZE = 0, P_SIZE_HIST, P_TIME, P_TIME_HIST, P_ERRORS };

static const struct gw_metric_def GLOBAL_DEFAULT[] = {
    {"http.server.duration", "", "", GW_METRIC_HIST_FLOAT, TB},
    {"http.server.response.size", "", "", GW_METRIC_HIST_INT, SB},
};
static const struct gw_metric_def GLOBAL_127[] = {
    {"http.server.request.duration", "s", "Duration of HTTP server requests.", GW_METRIC_HIST_FLOAT,
     TB},
    {"http.server.response.body.size", "By", "Size of HTTP server response bodies.",
     GW_METRIC_HIST_INT, SB},
};
static const struct gw_metric_def PROXY_DEFS[] = {
    {"krakend.proxy.duration", "", "", GW_METRIC_HIST_FLOAT, TB},
};
static const struct gw_metric_def BACKEND_DEFS[] = {
    {"krakend.backend.duration", "", "", GW_METRIC_HIST_FLOAT, TB},
};
static const struct gw_metric_def RT_DEFAULT[R_N] = {
    {"http.client.request.started.count", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.request.failed.count", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.request.canceled.count", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.request.timedout.count", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.request.size", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.duration", "", "", GW_METRIC_HIST_FLOAT, TB},
    {"http.client.response.size", "", "", GW_METRIC_HIST_INT, SB},
    {"http.client.response.no-content-length", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.request.get-conn.duration", "", "", GW_METRIC_HIST_FLOAT, TB},
    {"http.client.request.dns.duration", "", "", GW_METRIC_HIST_FLOAT, TB},
    {"http.client.request.tls.duration", "", "", GW_METRIC_HIST_FLOAT, TB},
};
static const struct gw_metric_def RT_127[R_N] = {
    {"http.client.request.started.count", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.request.failed.count", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.request.canceled.count", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.request.timedout.count", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.request.body.size", "By", "Size of HTTP client request bodies.",
     GW_METRIC_HIST_INT, SB},
    {"http.client.request.duration", "s", "Duration of HTTP client requests.", GW_METRIC_HIST_FLOAT,
     TB},
    {"http.client.response.body.size", "By", "Size of HTTP client response bodies.",
     GW_METRIC_HIST_INT, SB},
    {"http.client.response.no-content-length", "By",
     "Client received responses that do not have 'Content-Length' value set", GW_METRIC_COUNTER_INT,
     NULL, 0},
    {"http.client.request.get-conn.duration", "s", "Time spent acquiring a client connection",
     GW_METRIC_HIST_FLOAT, TB},
    {"http.client.request.dns.duration", "s", "Time spent resolving the DNS name",
     GW_METRIC_HIST_FLOAT, TB},
    {"http.client.request.tls.duration", "s", "Time spent on TLS negotiation and connection",
     GW_METRIC_HIST_FLOAT, TB},
};
static const struct gw_metric_def PAYLOAD_DEFS[] = {
    {"http.client.response.read.size", "b", "", GW_METRIC_COUNTER_INT, NULL, 0},
    {"http.client.response.read.size-hist", "b", "", GW_METRIC_HIST_INT, SB},
    {"http.client.response.read.time", "s", "", GW_METRIC_COUNTER_FLOAT, NULL, 0},
    {"http.client.response.read.time-hist", "s", "", GW_METRIC_HIST_FLOAT, TB},
    {"http.client.response.read.errors", "", "", GW_METRIC_COUNTER_INT, NULL, 0},
};

static const char *const METHODS[] = {"_OTHER",  "CONNECT", "DELETE", "GET", "HEAD",
                                      "OPTIONS", "PATCH",   "POST",   "PUT", "TRACE"};
static const size_t METHOD_LEN[] = {6, 7, 6, 3, 4, 7, 5, 4, 3, 5};

struct gw_otel_metrics_endpoint {
    struct gw_metrics_base *global; /* NULL: skipped (counts as no endpoint) */
    struct gw_metrics_base *proxy;  /* NULL: proxy metrics off */
    char *route, *method;
};

struct gw_otel_metrics_backend {
    struct gw_metrics_base *stage; /* NULL: stage metrics off */
    struct gw_metrics_base **rt;   /* per host; NULL array: round-trip metrics off */
    size_t n_hosts;
    struct gw_metrics_base *payload; /* NULL: payload metrics off */
    bool detailed, semconv127;
    char *method;
};

struct gw_otel_metrics {
    struct gw_metrics *reg;
    bool on;        /* a metrics exporter exists */
    bool global_on; /* layers.global.disable_metrics is false */
    bool semconv127;
    int s_global, s_proxy, s_backend, s_rt, s_payload;
    struct gw_metrics_base *unmatched; /* global layer without an endpoint */
    struct gw_attr gstatic[GW_METRICS_MAX_ATTRS];
    unsigned n_gstatic;
    struct gw_tel_kvs gstatic_kv;
    struct gw_otel_metrics_endpoint **eps;
    size_t n_eps, cap_eps;
    struct gw_otel_metrics_backend **bes;
    size_t n_bes, cap_bes;
};

enum gw_otel_method gw_otel_method_index(const char *m, size_t n)
{
    char up[8];
    unsigned cand;

    if (n < 3 || n > 7)
        return GW_OTEL_M_OTHER;
    for (size_t i = 0; i < n; i++)
        up[i] = (char)((m[i] >= 'a' && m[i] <= 'z') ? m[i] - 32 : m[i]);
    /* one candidate per first letter and length: every request asks this */
    switch (up[0]) {
    case 'G':
        cand = GW_OTEL_M_GET;
        break;
    case 'P':
        cand = n == 3 ? GW_OTEL_M_PUT : n == 4 ? GW_OTEL_M_POST : GW_OTEL_M_PATCH;
        break;
    case 'D':
        cand = GW_OTEL_M_DELETE;
        break;
    case 'H':
        cand = GW_OTEL_M_HEAD;
        break;
    case 'O':
        cand = GW_OTEL_M_OPTIONS;
        break;
    case 'C':
        cand = GW_OTEL_M_CONNECT;
        break;
    case 'T':
        cand = GW_OTEL_M_TRACE;
        break;
    default:
        return GW_OTEL_M_OTHER;
    }
    /* the length first: a NUL inside the request's method must not walk past the name */
    if (METHOD_LEN[cand] != n)
        return GW_OTEL_M_OTHER;
    for (size_t i = 0; i < n; i++)
        if (METHODS[cand][i] != up[i])
            return GW_OTEL_M_OTHER;
    return (enum gw_otel_method)cand;
}

const char *gw_otel_method_name(enum gw_otel_method m)
{
    return (unsigned)m < sizeof(METHODS) / sizeof(METHODS[0]) ? METHODS[m] : "_OTHER";
}

unsigned gw_otel_outcome(bool has_error, bool has_cancel, bool has_other, bool complete)
{
    unsigned o = complete ? GW_OTEL_OUT_COMPLETE : 0;

    if (has_error) {
        if (has_cancel)
            o |= GW_OTEL_OUT_CANCELED;
        if (has_other || !has_cancel)
            o |= GW_OTEL_OUT_ERROR;
    }
    return o;
}

static struct gw_attr astr(const char *k, const char *v)
{
    struct gw_attr a = {k, GW_ATTR_STR, v, 0, 0, false};
    return a;
}

static struct gw_attr aint(const char *k, int64_t v)
{
    struct gw_attr a = {k, GW_ATTR_INT, NULL, v, 0, false};
    return a;
}

static struct gw_attr abool(const char *k, bool v)
{
    struct gw_attr a = {k, GW_ATTR_BOOL, NULL, 0, 0, v};
    return a;
}

/* Appends the static attributes of kv to a (bounded by GW_METRICS_MAX_ATTRS). */
static unsigned add_kvs(struct gw_attr *a, unsigned n, const struct gw_tel_kvs *kv)
{
    for (size_t i = 0; kv && i < kv->n && n < GW_METRICS_MAX_ATTRS; i++)
        a[n++] = astr(kv->items[i].key, kv->items[i].value);
    return n;
}

/* ---- dynamic keys ---- */

/* global with an endpoint: method | status << 4 */
static unsigned dyn_global(const void *ctx, uint64_t key, struct gw_attr *out, unsigned cap,
                           char *scratch, size_t len)
{
    (void)ctx, (void)scratch, (void)len;
    if (cap < 2)
        return 0;
    out[0] = astr("http.request.method", gw_otel_method_name((enum gw_otel_method)(key & 15)));
    out[1] = aint("http.response.status_code", (int64_t)((key >> 4) & 0x3ff));
    return 2;
}

/* global without an endpoint: method | status << 4 | hijacked << 14; the route derives from
 * the status ("404 Not Found") as krakend-otel's EndpointPattern does. */
static unsigned dyn_unmatched(const void *ctx, uint64_t key, struct gw_attr *out, unsigned cap,
                              char *scratch, size_t len)
{
    int status = (int)((key >> 4) & 0x3ff);

    (void)ctx;
    if (cap < 3)
        return 0;
    if (key >> 14 & 1)
        snprintf(scratch, len, "Upgraded Connection");
    else
        snprintf(scratch, len, "%d %s", status, cmn_http_reason((unsigned)status));
    out[0] = astr("http.request.method", gw_otel_method_name((enum gw_otel_method)(key & 15)));
    out[1] = aint("http.response.status_code", status);
    out[2] = astr("http.route", scratch);
    return 3;
}

static unsigned dyn_outcome(const void *ctx, uint64_t key, struct gw_attr *out, unsigned cap,
                            char *scratch, size_t len)
{
    (void)ctx, (void)scratch, (void)len;
    if (cap < 3)
        return 0;
    out[0] = abool("error", key & GW_OTEL_OUT_ERROR);
    out[1] = abool("canceled", key & GW_OTEL_OUT_CANCELED);
    out[2] = abool("complete", key & GW_OTEL_OUT_COMPLETE);
    return 3;
}

/* round trip: method (15 = the backend's configured one, in ctx) | status << 4 */
static unsigned dyn_rt(const void *ctx, uint64_t key, struct gw_attr *out, unsigned cap,
                       char *scratch, size_t len)
{
    unsigned m = (unsigned)(key & 15);

    (void)scratch, (void)len;
    if (cap < 2)
        return 0;
    out[0] = astr("http.request.method",
                  m == 15 ? (const char *)ctx : gw_otel_method_name((enum gw_otel_method)m));
    out[1] = aint("http.response.status_code", (int64_t)((key >> 4) & 0x3ff));
    return 2;
}

static unsigned dyn_payload(const void *ctx, uint64_t key, struct gw_attr *out, unsigned cap,
                            char *scratch, size_t len)
{
    (void)ctx, (void)scratch, (void)len;
    if (key == 0 || cap < 1)
        return 0;
    out[0] = abool("error", true);
    return 1;
}

/* ---- construction ---- */

static bool kvs_dup(struct gw_tel_kvs *dst, const struct gw_tel_kvs *src)
{
    memset(dst, 0, sizeof(*dst));
    if (!src->n)
        return true;
    dst->items = calloc(src->n, sizeof(*dst->items));
    if (!dst->items)
        return false;
    for (size_t i = 0; i < src->n; i++, dst->n++) {
        dst->items[i].key = strdup(src->items[i].key);
        dst->items[i].value = strdup(src->items[i].value);
        if (!dst->items[i].key || !dst->items[i].value) {
            dst->n++;
            return false;
        }
    }
    return true;
}

struct gw_otel_metrics *gw_otel_metrics_new(const struct gw_otel_config *c, unsigned n_workers,
                                            size_t slots, int64_t start_unix_ns,
                                            struct cmn_err *err)
{
    struct gw_metrics_opts o = {0};
    struct gw_otel_metrics *m = calloc(1, sizeof(*m));
    struct gw_attr a[GW_METRICS_MAX_ATTRS];
    unsigned n;

    if (!m) {
        cmn_err_set(err, 2, "otel metrics: out of memory");
        return NULL;
    }
    o.n_workers = n_workers;
    o.slots_per_worker = slots;
    o.scope_name = GW_OTEL_SCOPE;
    o.scope_version = "";
    o.start_unix_ns = start_unix_ns;
    m->reg = gw_metrics_new(&o, err);
    if (!m->reg) {
        free(m);
        return NULL;
    }
    m->on = c && c->any_metrics_exporter;
    m->global_on = m->on && !c->global.disable_metrics;
    m->semconv127 = c && c->global.semconv == GW_OTEL_SEMCONV_1_27;
    m->s_global = gw_metrics_schema(m->reg, m->semconv127 ? GLOBAL_127 : GLOBAL_DEFAULT, 2);
    m->s_proxy = gw_metrics_schema(m->reg, PROXY_DEFS, 1);
    m->s_backend = gw_metrics_schema(m->reg, BACKEND_DEFS, 1);
    m->s_rt = gw_metrics_schema(m->reg, m->semconv127 ? RT_127 : RT_DEFAULT, R_N);
    m->s_payload = gw_metrics_schema(m->reg, PAYLOAD_DEFS, 5);
    /* the service-level global static attributes come first: everything else wins over them */
    if (c && !kvs_dup(&m->gstatic_kv, &c->global.metrics_static))
        goto nomem;
    m->n_gstatic = add_kvs(m->gstatic, 0, &m->gstatic_kv);
    n = 0;
    memcpy(a, m->gstatic, m->n_gstatic * sizeof(a[0]));
    n = m->n_gstatic;
    if (n < GW_METRICS_MAX_ATTRS)
        a[n++] = astr("url.scheme", "http");
    m->unmatched = gw_metrics_base_new(m->reg, m->s_global, a, n, dyn_unmatched, NULL);
    if (m->s_global < 0 || m->s_proxy < 0 || m->s_backend < 0 || m->s_rt < 0 || m->s_payload < 0 ||
        !m->unmatched)
        goto nomem;
    return m;
nomem:
    cmn_err_set(err, 2, "otel metrics: out of memory");
    gw_otel_metrics_destroy(m);
    return NULL;
}

void gw_otel_metrics_destroy(struct gw_otel_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_eps; i++) {
        free(m->eps[i]->route);
        free(m->eps[i]->method);
        free(m->eps[i]);
    }
    for (size_t i = 0; i < m->n_bes; i++) {
        free(m->bes[i]->rt);
        free(m->bes[i]->method);
        free(m->bes[i]);
    }
    free(m->eps);
    free(m->bes);
    gw_tel_kvs_free(&m->gstatic_kv);
    gw_metrics_destroy(m->reg);
    free(m);
}

struct gw_metrics *gw_otel_metrics_registry(struct gw_otel_metrics *m)
{
    return m ? m->reg : NULL;
}

struct gw_metrics_shard *gw_otel_metrics_shard(struct gw_otel_metrics *m, unsigned i)
{
    return m ? gw_metrics_shard(m->reg, i) : NULL;
}

static bool keep(void ***arr, size_t *n, size_t *cap, void *p)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        void **na = realloc(*arr, nc * sizeof(*na));
        if (!na)
            return false;
        *arr = na;
        *cap = nc;
    }
    (*arr)[(*n)++] = p;
    return true;
}

struct gw_otel_metrics_endpoint *
gw_otel_metrics_endpoint_new(struct gw_otel_metrics *m, const char *route, const char *method,
                             const struct gw_otel_endpoint_opts *eo)
{
    struct gw_otel_metrics_endpoint *ep = calloc(1, sizeof(*ep));
    struct gw_attr a[GW_METRICS_MAX_ATTRS];
    unsigned n;

    if (!ep)
        return NULL;
    ep->route = strdup(route);
    ep->method = strdup(method);
    if (!ep->route || !ep->method || !keep((void ***)&m->eps, &m->n_eps, &m->cap_eps, ep)) {
        free(ep->route);
        free(ep->method);
        free(ep);
        return NULL;
    }
    if (!m->on || (eo && eo->skip))
        return ep;
    /* global: service statics, endpoint statics, then scheme and route (G, §3.7) */
    memcpy(a, m->gstatic, m->n_gstatic * sizeof(a[0]));
    n = add_kvs(a, m->n_gstatic, eo ? &eo->global_metrics_static : NULL);
    if (n + 2 <= GW_METRICS_MAX_ATTRS) {
        a[n++] = astr("url.scheme", "http");
        a[n++] = astr("http.route", route);
    }
    ep->global = gw_metrics_base_new(m->reg, m->s_global, a, n, dyn_global, NULL);
    /* proxy: configured method, route, then the proxy statics (P) */
    if (!eo || !eo->proxy.disable_metrics) {
        n = 0;
        a[n++] = astr("http.request.method", method);
        a[n++] = astr("http.route", route);
        n = add_kvs(a, n, eo ? &eo->proxy.metrics_static : NULL);
        ep->proxy = gw_metrics_base_new(m->reg, m->s_proxy, a, n, dyn_outcome, NULL);
    }
    return ep;
}

/* scheme://host[:port][/...] -> hostname (no port, no IPv6 brackets) and whether a port was
 * written; KrakenD's inverted check then reports 80 with a port and 0 without (§3.7 trap). */
static void host_parts(const char *url, char *host, size_t cap, bool *has_port)
{
    const char *h = strstr(url, "://"), *end, *colon = NULL;
    size_t n;

    h = h ? h + 3 : url;
    end = h + strcspn(h, "/?#");
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(end - h));
        n = rb ? (size_t)(rb - h - 1) : (size_t)(end - h);
        snprintf(host, cap, "%.*s", (int)n, h + 1);
        *has_port = rb && rb + 1 < end && rb[1] == ':' && rb + 2 < end;
        return;
    }
    for (const char *c = h; c < end; c++)
        if (*c == ':')
            colon = c;
    n = colon ? (size_t)(colon - h) : (size_t)(end - h);
    snprintf(host, cap, "%.*s", (int)n, h);
    *has_port = colon && colon + 1 < end;
}

struct gw_otel_metrics_backend *
gw_otel_metrics_backend_new(struct gw_otel_metrics *m, const struct gw_otel_metrics_endpoint *ep,
                            const char *url_pattern, const char *method,
                            const struct gw_otel_backend_eff *be, const char *const *hosts,
                            size_t n_hosts)
{
    struct gw_otel_metrics_backend *b = calloc(1, sizeof(*b));
    struct gw_attr a[GW_METRICS_MAX_ATTRS];
    char *route = gw_otel_backend_route(url_pattern);
    unsigned n, nb;
    bool ok = b && route;

    if (ok) {
        b->method = strdup(method);
        ok = b->method && keep((void ***)&m->bes, &m->n_bes, &m->cap_bes, b);
    }
    if (!ok) {
        if (b)
            free(b->method);
        free(b);
        free(route);
        return NULL;
    }
    b->semconv127 = m->semconv127;
    if (!m->on || !be || be->skip)
        goto out;
    /* B: configured method, backend route, endpoint route and method, then the statics */
    n = 0;
    a[n++] = astr("http.request.method", method);
    a[n++] = astr("http.route", route);
    a[n++] = astr("krakend.endpoint.route", ep->route);
    a[n++] = astr("krakend.endpoint.method", ep->method);
    n = add_kvs(a, n, &be->opts.metrics.static_attrs);
    nb = n;
    if (be->stage_metrics)
        b->stage = gw_metrics_base_new(m->reg, m->s_backend, a, n, dyn_outcome, NULL);
    if (be->payload_metrics)
        b->payload = gw_metrics_base_new(m->reg, m->s_payload, a, n, dyn_payload, NULL);
    if (be->rt_metrics && n_hosts) {
        b->detailed = be->rt_detailed;
        b->rt = calloc(n_hosts, sizeof(*b->rt));
        if (!b->rt)
            goto out;
        b->n_hosts = n_hosts;
        for (size_t i = 0; i < n_hosts; i++) {
            char host[256];
            bool has_port;
            host_parts(hosts[i], host, sizeof(host), &has_port);
            n = nb;
            if (n + 3 <= GW_METRICS_MAX_ATTRS) {
                a[n++] = astr("clientname", route);
                a[n++] = astr("server.address", host);
                a[n++] = aint("server.port", has_port ? 80 : 0);
            }
            b->rt[i] = gw_metrics_base_new(m->reg, m->s_rt, a, n, dyn_rt, b->method);
        }
    }
out:
    free(route);
    return b;
}

/* ---- per request ---- */

void gw_otel_metrics_global(struct gw_otel_metrics *m, struct gw_metrics_shard *s,
                            const struct gw_otel_metrics_endpoint *ep, enum gw_otel_method method,
                            int status, bool hijacked, double secs, int64_t bytes)
{
    struct gw_metrics_group *g;
    uint64_t key = ((uint64_t)method & 15) | (((uint64_t)status & 0x3ff) << 4);

    if (!m->global_on)
        return;
    if (ep && ep->global)
        g = gw_metrics_group(ep->global, key);
    else
        g = gw_metrics_group(m->unmatched, key | ((uint64_t)hijacked << 14));
    gw_metrics_observe(s, g, G_DURATION, secs);
    gw_metrics_observe(s, g, G_SIZE, (double)bytes);
}

void gw_otel_metrics_proxy(struct gw_metrics_shard *s, const struct gw_otel_metrics_endpoint *ep,
                           unsigned outcome, double secs)
{
    if (ep && ep->proxy)
        gw_metrics_observe(s, gw_metrics_group(ep->proxy, outcome & 7), 0, secs);
}

void gw_otel_metrics_backend(struct gw_metrics_shard *s, const struct gw_otel_metrics_backend *be,
                             unsigned outcome, double secs)
{
    if (be && be->stage)
        gw_metrics_observe(s, gw_metrics_group(be->stage, outcome & 7), 0, secs);
}

/* Counter or histogram, whichever the schema has in that role (request size differs). */
static void rt_size(struct gw_metrics_shard *s, struct gw_metrics_group *g, unsigned role,
                    int64_t v)
{
    if (g->schema->defs[role].kind == GW_METRIC_COUNTER_INT)
        gw_metrics_add(s, g, role, v);
    else
        gw_metrics_observe(s, g, role, (double)v);
}

void gw_otel_metrics_roundtrip(struct gw_metrics_shard *s, const struct gw_otel_metrics_backend *be,
                               const struct gw_otel_rt *rt)
{
    struct gw_metrics_group *g;
    unsigned m = rt->method < 0 ? 15u : (unsigned)rt->method & 15;
    int status = rt->error ? 0 : rt->status;
    bool counters;

    if (!be || !be->rt || rt->host >= be->n_hosts)
        return;
    counters = !be->semconv127 || be->detailed; /* 1.27: only with detailed_connection */
    if (m != 15 && strcmp(gw_otel_method_name((enum gw_otel_method)m), be->method) == 0)
        m = 15;
    g = gw_metrics_group(be->rt[rt->host], m | ((uint64_t)(status & 0x3ff) << 4));
    if (!g)
        return;
    if (counters)
        gw_metrics_add(s, g, R_STARTED, 1);
    if (rt->req_content_length >= 0)
        rt_size(s, g, R_REQ_SIZE, rt->req_content_length);
    if (counters && rt->error == GW_OTEL_RT_CANCELED)
        gw_metrics_add(s, g, R_CANCELED, 1);
    if (counters && rt->error == GW_OTEL_RT_TIMEDOUT)
        gw_metrics_add(s, g, R_TIMEDOUT, 1);
    if (counters && (rt->error == GW_OTEL_RT_TIMEDOUT || rt->error == GW_OTEL_RT_FAILED))
        gw_metrics_add(s, g, R_FAILED, 1);
    gw_metrics_observe(s, g, R_DURATION, rt->secs);
    if (!rt->head && !rt->error) {
        if (rt->resp_content_length >= 0)
            gw_metrics_observe(s, g, R_RESP_SIZE, (double)rt->resp_content_length);
        else if (counters)
            gw_metrics_add(s, g, R_NO_CL, 1);
    }
    if (be->detailed) {
        gw_metrics_observe(s, g, R_GETCONN, rt->get_conn);
        gw_metrics_observe(s, g, R_DNS, rt->dns);
        gw_metrics_observe(s, g, R_TLS, rt->tls);
    }
}

void gw_otel_metrics_payload(struct gw_metrics_shard *s, const struct gw_otel_metrics_backend *be,
                             int64_t bytes, double secs, bool read_error)
{
    struct gw_metrics_group *g;

    if (!be || !be->payload)
        return;
    g = gw_metrics_group(be->payload, read_error ? 1 : 0);
    gw_metrics_add(s, g, P_SIZE, bytes);
    gw_metrics_observe(s, g, P_SIZE_HIST, (double)bytes);
    gw_metrics_addf(s, g, P_TIME, secs);
    gw_metrics_observe(s, g, P_TIME_HIST, secs);
}

/* ---- routes ---- */

char *gw_otel_backend_route(const char *p)
{
    size_t n = strlen(p);
    char *out = malloc(n + 1), *o = out;

    if (!out)
        return NULL;
    for (size_t i = 0; i < n;) {
        if (p[i] == '{') {
            size_t j = i + 1;
            while (j < n && p[j] != '}' && p[j] != '{' && p[j] != '/')
                j++;
            if (j < n && p[j] == '}' && j > i + 1) {
                *o++ = ':';
                for (size_t k = i + 1; k < j; k++)
                    *o++ = (char)((p[k] >= 'A' && p[k] <= 'Z') ? p[k] + 32 : p[k]);
                i = j + 1;
                continue;
            }
        }
        *o++ = p[i++];
    }
    *o = '\0';
    return out;
}
