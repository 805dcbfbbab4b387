/* gw_stats_render.c - the /__stats expvar document, the Influx snapshot and the TLS names:
 * one walk over the collector's metrics in go-metrics' names. */
#include "gw_stats_int.h"

#include "cmn_go_float.h"
#include "cmn_go_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_COUNTER, K_GAUGE, K_FLOAT, K_HIST, K_TIMER };

typedef void (*visit_fn)(void *ctx, const char *name, enum kind k, int64_t i, double f,
                         const struct hist_stats *h);

static const struct {
    uint16_t id;
    const char *name;
} SUITES[] = {
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x5600, "TLS_FALLBACK_SCSV"},
};

/* krakend-metrics looks both up in maps: an unknown one gives "" ("tls_version..count"). */
void gw_stats_tls_version_name(uint16_t v, char *out, size_t cap)
{
    const char *n = v == 0x0300   ? "VersionSSL30"
                    : v == 0x0301 ? "VersionTLS10"
                    : v == 0x0302 ? "VersionTLS11"
                    : v == 0x0303 ? "VersionTLS12"
                    : v == 0x0304 ? "VersionTLS13"
                                  : "";
    snprintf(out, cap, "%s", n);
}

void gw_stats_tls_suite_name(uint16_t id, char *out, size_t cap)
{
    for (size_t i = 0; i < sizeof(SUITES) / sizeof(SUITES[0]); i++) {
        if (SUITES[i].id == id) {
            snprintf(out, cap, "%s", SUITES[i].name);
            return;
        }
    }
    snprintf(out, cap, "%s", "");
}

static void visit_hist(struct gw_stats *s, const struct hist *h, visit_fn f, void *ctx)
{
    struct hist_stats st;

    gw_stats_hist_read(s, h, &st);
    f(ctx, h->name, K_HIST, 0, 0, &st);
    free(st.vals);
}

static void visit_layer(struct gw_stats *s, const struct layer *l, const char *kind, visit_fn f,
                        void *ctx)
{
    static const char *const combos[4] = {"complete.false.error.false", "complete.false.error.true",
                                          "complete.true.error.false", "complete.true.error.true"};
    char name[1200];

    for (int k = 0; k < 4; k++) {
        uint64_t t = 0;
        for (unsigned w = 0; w <= s->n_workers; w++)
            t += __atomic_load_n(&l->req[(size_t)w * 4 + k], __ATOMIC_RELAXED);
        snprintf(name, sizeof(name), "krakend.proxy.requests.layer.%s.name.%s.%s", kind, l->name,
                 combos[k]);
        f(ctx, name, K_COUNTER, (int64_t)t, 0, NULL);
        visit_hist(s, &l->lat[k], f, ctx);
    }
}

/* Sums one table's counts per key across workers (keys in first-seen order). */
static size_t table_sum(const struct gw_stats *s, const struct slot *t, unsigned cap,
                        uint32_t *keys, uint64_t *counts, size_t max)
{
    size_t n = 0;

    for (unsigned w = 0; w <= s->n_workers; w++) {
        for (unsigned i = 0; i < cap; i++) {
            const struct slot *sl = &t[(size_t)w * cap + i];
            uint32_t k = __atomic_load_n(&sl->key, __ATOMIC_ACQUIRE);
            size_t j;
            if (!k)
                break;
            for (j = 0; j < n && keys[j] != k; j++)
                ;
            if (j == n) {
                if (n == max)
                    continue;
                keys[n] = k;
                counts[n++] = 0;
            }
            counts[j] += __atomic_load_n(&sl->count, __ATOMIC_RELAXED);
        }
    }
    return n;
}

static void visit_service(struct gw_stats *s, visit_fn f, void *ctx)
{
    static const char *const memstats[] = {
        "Alloc",        "BuckHashSys", "DebugGC",   "EnableGC",    "Frees",
        "HeapAlloc",    "HeapIdle",    "HeapInuse", "HeapObjects", "HeapReleased",
        "HeapSys",      "LastGC",      "Lookups",   "Mallocs",     "MCacheInuse",
        "MCacheSys",    "MSpanInuse",  "MSpanSys",  "NextGC",      "NumGC",
        "PauseTotalNs", "StackInuse",  "StackSys",  "Sys",         "TotalAlloc"};
    const struct gw_stats_runtime *r = &s->rt;
    struct hist_stats empty = {0};
    char name[128];

    f(ctx, "krakend.service.debug.GCStats.LastGC", K_GAUGE, r->last_gc, 0, NULL);
    f(ctx, "krakend.service.debug.GCStats.NumGC", K_GAUGE, r->num_gc, 0, NULL);
    f(ctx, "krakend.service.debug.GCStats.PauseTotal", K_GAUGE, r->pause_total_ns, 0, NULL);
    f(ctx, "krakend.service.debug.GCStats.Pause", K_HIST, 0, 0, &empty);
    f(ctx, "krakend.service.debug.ReadGCStats", K_TIMER, 0, 0, &empty);
    for (size_t i = 0; i < sizeof(memstats) / sizeof(memstats[0]); i++) {
        const char *m = memstats[i];
        int64_t v = strcmp(m, "Alloc") == 0          ? r->alloc
                    : strcmp(m, "Sys") == 0          ? r->sys
                    : strcmp(m, "HeapAlloc") == 0    ? r->heap_alloc
                    : strcmp(m, "HeapSys") == 0      ? r->heap_sys
                    : strcmp(m, "HeapInuse") == 0    ? r->heap_inuse
                    : strcmp(m, "TotalAlloc") == 0   ? r->total_alloc
                    : strcmp(m, "Mallocs") == 0      ? r->mallocs
                    : strcmp(m, "Frees") == 0        ? r->frees
                    : strcmp(m, "NumGC") == 0        ? r->num_gc
                    : strcmp(m, "LastGC") == 0       ? r->last_gc
                    : strcmp(m, "PauseTotalNs") == 0 ? r->pause_total_ns
                                                     : 0;
        snprintf(name, sizeof(name), "krakend.service.runtime.MemStats.%s", m);
        f(ctx, name, K_GAUGE, v, 0, NULL);
    }
    f(ctx, "krakend.service.runtime.MemStats.GCCPUFraction", K_FLOAT, 0, 0, NULL);
    f(ctx, "krakend.service.runtime.MemStats.PauseNs", K_HIST, 0, 0, &empty);
    f(ctx, "krakend.service.runtime.NumCgoCall", K_GAUGE, r->num_cgo_call, 0, NULL);
    f(ctx, "krakend.service.runtime.NumGoroutine", K_GAUGE, r->num_goroutine, 0, NULL);
    f(ctx, "krakend.service.runtime.NumThread", K_GAUGE, r->num_thread, 0, NULL);
    f(ctx, "krakend.service.runtime.ReadMemStats", K_TIMER, 0, 0, &empty);
}

static void visit_all(struct gw_stats *s, visit_fn f, void *ctx)
{
    uint64_t c = gw_stats_sum(s, offsetof(struct wcells, connected));
    uint64_t d = gw_stats_sum(s, offsetof(struct wcells, disconnected));
    uint32_t keys[TLS_SLOTS * 4];
    uint64_t counts[TLS_SLOTS * 4];
    char name[1200];
    size_t n;

    pthread_mutex_lock(&s->shared);
    f(ctx, "krakend.router.connected", K_COUNTER, (int64_t)(c - s->conn_base), 0, NULL);
    f(ctx, "krakend.router.disconnected", K_COUNTER, (int64_t)(d - s->disc_base), 0, NULL);
    f(ctx, "krakend.router.connected-total", K_COUNTER, s->conn_total, 0, NULL);
    f(ctx, "krakend.router.disconnected-total", K_COUNTER, s->disc_total, 0, NULL);
    f(ctx, "krakend.router.connected-gauge", K_GAUGE, s->conn_gauge, 0, NULL);
    f(ctx, "krakend.router.disconnected-gauge", K_GAUGE, s->disc_gauge, 0, NULL);
    pthread_mutex_unlock(&s->shared);
    n = table_sum(s, s->tls, TLS_SLOTS, keys, counts, TLS_SLOTS * 4);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = keys[i] - 1;
        char nm[64];
        if (k >> 16 == 1)
            gw_stats_tls_version_name((uint16_t)k, nm, sizeof(nm));
        else
            gw_stats_tls_suite_name((uint16_t)k, nm, sizeof(nm));
        snprintf(name, sizeof(name), "krakend.router.%s.%s.count",
                 k >> 16 == 1 ? "tls_version" : "tls_cipher", nm);
        f(ctx, name, K_COUNTER, (int64_t)counts[i], 0, NULL);
    }
    for (size_t i = 0; i < s->n_eps; i++) {
        struct gw_stats_endpoint *e = s->eps[i];
        if (!s->router_disabled) {
            uint32_t sk[STATUS_SLOTS * 4];
            uint64_t sc[STATUS_SLOTS * 4];
            size_t ns = table_sum(s, e->status, STATUS_SLOTS, sk, sc, STATUS_SLOTS * 4);
            snprintf(name, sizeof(name), "krakend.router.response.%s.status", e->name);
            f(ctx, name, K_COUNTER, 0, 0, NULL);
            for (size_t j = 0; j < ns; j++) {
                snprintf(name, sizeof(name), "krakend.router.response.%s.status.%u.count", e->name,
                         sk[j] - 1);
                f(ctx, name, K_COUNTER, (int64_t)sc[j], 0, NULL);
            }
            visit_hist(s, &e->size, f, ctx);
            visit_hist(s, &e->time, f, ctx);
        }
        if (!s->proxy_disabled)
            visit_layer(s, &e->pipe, "pipe", f, ctx);
    }
    for (size_t i = 0; i < s->n_bes && !s->backend_disabled; i++)
        visit_layer(s, &s->bes[i]->layer, "backend", f, ctx);
    visit_service(s, f, ctx);
}

/* ---- /__stats ---- */

struct entry {
    char *key;
    char *val;
};

struct rctx {
    struct entry *e;
    size_t n, cap;
    bool nomem;
};

static void add(struct rctx *r, const char *key, const char *val)
{
    if (r->nomem)
        return;
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 256;
        struct entry *ne = realloc(r->e, nc * sizeof(*ne));
        if (!ne) {
            r->nomem = true;
            return;
        }
        r->e = ne;
        r->cap = nc;
    }
    r->e[r->n].key = strdup(key);
    r->e[r->n].val = strdup(val);
    if (!r->e[r->n].key || !r->e[r->n].val) {
        free(r->e[r->n].key);
        free(r->e[r->n].val);
        r->nomem = true;
        return;
    }
    r->n++;
}

static void addf(struct rctx *r, const char *name, const char *suffix, double v)
{
    char key[1300], num[CMN_GO_FLOAT_MAX];

    snprintf(key, sizeof(key), "%s%s", name, suffix);
    cmn_go_format_float(v, 'g', num);
    add(r, key, num);
}

static void render_visit(void *ctx, const char *name, enum kind k, int64_t i, double f,
                         const struct hist_stats *h)
{
    struct rctx *r = ctx;
    char num[32], key[1300];

    switch (k) {
    case K_COUNTER:
    case K_GAUGE:
        snprintf(num, sizeof(num), "%" PRId64, i);
        add(r, name, num);
        return;
    case K_FLOAT:
        addf(r, name, "", f);
        return;
    case K_HIST:
    case K_TIMER:
        break;
    }
    snprintf(key, sizeof(key), "%s.count", name);
    snprintf(num, sizeof(num), "%" PRIu64, h->count);
    add(r, key, num);
    addf(r, name, ".min", (double)h->min);
    addf(r, name, ".max", (double)h->max);
    addf(r, name, ".mean", h->mean);
    addf(r, name, ".std-dev", sqrt(h->variance));
    addf(r, name, ".50-percentile", gw_stats_percentile(h, 0.5));
    addf(r, name, ".75-percentile", gw_stats_percentile(h, 0.75));
    addf(r, name, ".95-percentile", gw_stats_percentile(h, 0.95));
    addf(r, name, ".99-percentile", gw_stats_percentile(h, 0.99));
    addf(r, name, ".999-percentile", gw_stats_percentile(h, 0.999));
    if (k == K_TIMER) {
        addf(r, name, ".one-minute", 0);
        addf(r, name, ".five-minute", 0);
        addf(r, name, ".fifteen-minute", 0);
        addf(r, name, ".mean-rate", 0);
    }
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

bool gw_stats_render(struct gw_stats *s, const char *const *argv, size_t argc,
                     const char *memstats_json, struct cmn_buf *out)
{
    struct rctx r = {0};
    struct cmn_buf cmd;
    bool ok = true;

    cmn_buf_init(&cmd, 1 << 20);
    cmn_buf_append(&cmd, "[", 1);
    for (size_t i = 0; i < argc; i++) {
        if (i)
            cmn_buf_append(&cmd, ",", 1);
        cmn_go_json_string(&cmd, argv[i], strlen(argv[i]), true);
    }
    cmn_buf_append(&cmd, "]", 1);
    add(&r, "cmdline", cmn_buf_str(&cmd));
    add(&r, "memstats", memstats_json ? memstats_json : "{}");
    cmn_buf_free(&cmd);
    visit_all(s, render_visit, &r);
    if (r.nomem)
        ok = false;
    qsort(r.e, r.n, sizeof(*r.e), entry_cmp);
    /* expvar: "{\n" entries joined by ",\n" as %q: value, then "\n}\n" */
    ok = ok && cmn_buf_append(out, "{\n", 2) == CMN_BUF_OK;
    for (size_t i = 0; ok && i < r.n; i++) {
        ok = (i == 0 || cmn_buf_append(out, ",\n", 2) == CMN_BUF_OK) &&
             cmn_go_quote(out, r.e[i].key, strlen(r.e[i].key)) &&
             cmn_buf_append(out, ": ", 2) == CMN_BUF_OK &&
             cmn_buf_append_str(out, r.e[i].val) == CMN_BUF_OK;
    }
    ok = ok && cmn_buf_append(out, "\n}\n", 3) == CMN_BUF_OK;
    for (size_t i = 0; i < r.n; i++) {
        free(r.e[i].key);
        free(r.e[i].val);
    }
    free(r.e);
    return ok;
}

/* ---- the Influx snapshot ---- */

struct sctx {
    struct gw_stats_snapshot *o;
    size_t cap_c, cap_g, cap_h;
    bool nomem;
};

static bool push(struct gw_stats_named **arr, size_t *n, size_t *cap, const char *name)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        struct gw_stats_named *na = realloc(*arr, nc * sizeof(*na));
        if (!na)
            return false;
        *arr = na;
        *cap = nc;
    }
    memset(&(*arr)[*n], 0, sizeof((*arr)[*n]));
    (*arr)[*n].name = strdup(name);
    if (!(*arr)[*n].name)
        return false;
    (*n)++;
    return true;
}

static void snap_visit(void *ctx, const char *name, enum kind k, int64_t i, double f,
                       const struct hist_stats *h)
{
    struct sctx *c = ctx;
    struct gw_stats_snapshot *o = c->o;
    static const double ps[7] = {0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};

    (void)f;
    if (c->nomem)
        return;
    switch (k) {
    case K_COUNTER:
        if (!push(&o->counters, &o->n_counters, &c->cap_c, name))
            c->nomem = true;
        else
            o->counters[o->n_counters - 1].value = i;
        break;
    case K_GAUGE:
        if (!push(&o->gauges, &o->n_gauges, &c->cap_g, name))
            c->nomem = true;
        else
            o->gauges[o->n_gauges - 1].value = i;
        break;
    case K_HIST:
        if (!push(&o->histograms, &o->n_histograms, &c->cap_h, name)) {
            c->nomem = true;
        } else {
            struct gw_stats_hist_data *d = &o->histograms[o->n_histograms - 1].hist;
            d->min = h->min;
            d->max = h->max;
            d->mean = h->mean;
            d->variance = h->variance;
            d->stddev = sqrt(h->variance);
            for (int j = 0; j < 7; j++)
                d->p[j] = gw_stats_percentile(h, ps[j]);
        }
        break;
    default:
        break; /* float gauges and timers are not in krakend-metrics' snapshot */
    }
}

bool gw_stats_take_snapshot(struct gw_stats *s, int64_t now_unix_s, struct gw_stats_snapshot *o)
{
    struct sctx c = {o, 0, 0, 0, false};

    memset(o, 0, sizeof(*o));
    o->unix_s = now_unix_s;
    visit_all(s, snap_visit, &c);
    if (c.nomem)
        gw_stats_snapshot_free(o);
    return !c.nomem;
}

static void named_free(struct gw_stats_named *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(a[i].name);
    free(a);
}

void gw_stats_snapshot_free(struct gw_stats_snapshot *s)
{
    if (!s)
        return;
    named_free(s->counters, s->n_counters);
    named_free(s->gauges, s->n_gauges);
    named_free(s->histograms, s->n_histograms);
    memset(s, 0, sizeof(*s));
}
