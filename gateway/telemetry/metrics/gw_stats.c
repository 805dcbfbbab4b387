/* gw_stats.c - krakend-metrics' collector: configuration, per-worker counters and reservoirs,
 * the collection tick. Rendering is in gw_stats_render.c. */
#include "gw_stats_int.h"

#include "cmn_go_duration.h"
#include "cmn_str.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration ---- */

static void swarn(struct gw_stats_config *c, const char *key, const char *why)
{
    char buf[256];

    snprintf(buf, sizeof(buf), "extra_config.telemetry/metrics.%s: %s", key, why);
    gw_tel_strs_add(&c->warnings, buf);
}

bool gw_stats_config_parse(const json_t *block, struct gw_stats_config *out, struct cmn_err *err)
{
    static const char *const bools[] = {"proxy_disabled", "router_disabled", "backend_disabled",
                                        "endpoint_disabled"};
    bool *dst[4];
    const char *key;
    json_t *v;

    memset(out, 0, sizeof(*out));
    out->collection_ns = 60000000000LL;
    out->listen_address = strdup(":8090");
    if (!out->listen_address) {
        cmn_err_set(err, 2, "telemetry/metrics: out of memory");
        return false;
    }
    if (!json_is_object(block)) {
        cmn_err_set(err, 1, "extra_config.telemetry/metrics: not an object: the collector is off");
        gw_stats_config_free(out);
        return false;
    }
    dst[0] = &out->proxy_disabled;
    dst[1] = &out->router_disabled;
    dst[2] = &out->backend_disabled;
    dst[3] = &out->endpoint_disabled;
    json_object_foreach((json_t *)(uintptr_t)block, key, v)
    {
        bool known = false;
        for (int i = 0; i < 4; i++) {
            if (strcmp(key, bools[i]) == 0) {
                known = true;
                /* KrakenD: `v, _ := x.(bool)`: anything else counts as false */
                *dst[i] = json_is_true(v);
                if (!json_is_boolean(v))
                    swarn(out, key, "not a bool: false used");
            }
        }
        if (known)
            continue;
        if (strcmp(key, "collection_time") == 0) {
            int64_t ns;
            if (!json_is_string(v))
                /* KrakenD's type assertion panics at startup on this */
                swarn(out, key, "not a string (KrakenD CE crashes on this): 1m used");
            else if (cmn_go_parse_duration(json_string_value(v), &ns) && ns > 0)
                out->collection_ns = ns;
            else
                swarn(out, key, "not a Go duration: 1m used");
        } else if (strcmp(key, "listen_address") == 0) {
            if (json_is_string(v)) {
                char *a = strdup(json_string_value(v));
                if (a) {
                    free(out->listen_address);
                    out->listen_address = a;
                }
            } else {
                swarn(out, key, "not a string: \":8090\" used");
            }
        } else {
            swarn(out, key, "unknown key, ignored (KrakenD CE does not read it)");
        }
    }
    return true;
}

void gw_stats_config_free(struct gw_stats_config *c)
{
    if (!c)
        return;
    free(c->listen_address);
    gw_tel_strs_free(&c->warnings);
    memset(c, 0, sizeof(*c));
}

/* ---- histograms: per-worker uniform reservoirs ---- */

/* name: the full go-metrics name (owned copy kept). */
static bool hist_init(struct hist *h, const struct gw_stats *s, const char *name)
{
    h->name = strdup(name);
    h->res = calloc(s->n_workers + 1, sizeof(*h->res));
    if (!h->name || !h->res)
        return false;
    for (unsigned w = 0; w <= s->n_workers; w++) {
        h->res[w].vals = calloc(s->reservoir, sizeof(int64_t));
        if (!h->res[w].vals)
            return false;
    }
    return true;
}

static void hist_free(struct hist *h, unsigned n_workers)
{
    if (h->res)
        for (unsigned w = 0; w <= n_workers; w++)
            free(h->res[w].vals);
    free(h->res);
    free(h->name);
}

static uint64_t rnd(uint64_t *st)
{
    /* xorshift64*: each worker owns its state */
    uint64_t x = *st;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *st = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static void hist_update(struct gw_stats *s, struct hist *h, unsigned w, int64_t v)
{
    struct res *r = &h->res[w];
    uint64_t epoch = __atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE);
    uint64_t n;

    if (__atomic_load_n(&r->epoch, __ATOMIC_RELAXED) != epoch) {
        /* cleared by a tick since this worker's last update */
        __atomic_store_n(&r->count, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&r->epoch, epoch, __ATOMIC_RELEASE);
    }
    n = __atomic_load_n(&r->count, __ATOMIC_RELAXED) + 1;
    if (n <= s->reservoir) {
        __atomic_store_n(&r->vals[n - 1], v, __ATOMIC_RELAXED);
    } else {
        uint64_t k = rnd(&s->rng[w]) % n; /* Vitter's algorithm R */
        if (k < s->reservoir)
            __atomic_store_n(&r->vals[k], v, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&r->count, n, __ATOMIC_RELEASE);
}

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Merges the workers' samples of the current epoch: all of them while no reservoir is full,
 * else from each a share proportional to its count (each reservoir is uniform over its own
 * stream). Then go-metrics' statistics. */
void gw_stats_hist_read(struct gw_stats *s, const struct hist *h, struct hist_stats *o)
{
    uint64_t epoch = __atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE), total = 0, counts[4097];
    unsigned nw = s->n_workers + 1;
    bool full = false;
    size_t n = 0;
    double sum = 0;

    memset(o, 0, sizeof(*o));
    for (unsigned w = 0; w < nw && w < 4097; w++) {
        const struct res *r = &h->res[w];
        counts[w] = __atomic_load_n(&r->epoch, __ATOMIC_ACQUIRE) == epoch
                        ? __atomic_load_n(&r->count, __ATOMIC_ACQUIRE)
                        : 0;
        total += counts[w];
        full = full || counts[w] > s->reservoir;
    }
    o->count = total;
    if (!total)
        return;
    o->vals = malloc((full ? s->reservoir_total : (size_t)total) * sizeof(int64_t) + 1);
    if (!o->vals)
        return;
    for (unsigned w = 0; w < nw && w < 4097; w++) {
        size_t have = counts[w] < s->reservoir ? (size_t)counts[w] : s->reservoir, take = have;
        if (full)
            take = (size_t)llround((double)s->reservoir_total * (double)counts[w] / (double)total);
        if (take > have)
            take = have;
        for (size_t i = 0; i < take && n < (full ? s->reservoir_total : total); i++)
            o->vals[n++] = __atomic_load_n(&h->res[w].vals[i], __ATOMIC_RELAXED);
    }
    o->n = n;
    if (!n)
        return;
    qsort(o->vals, n, sizeof(int64_t), i64_cmp);
    for (size_t i = 0; i < n; i++)
        sum += (double)o->vals[i];
    o->min = o->vals[0];
    o->max = o->vals[n - 1];
    o->mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = (double)o->vals[i] - o->mean;
        o->variance += d * d;
    }
    o->variance /= (double)n;
}

/* go-metrics SamplePercentiles: position p(n+1), linear interpolation, clamped. */
double gw_stats_percentile(const struct hist_stats *o, double p)
{
    double pos;

    if (!o->n)
        return 0;
    pos = p * (double)(o->n + 1);
    if (pos < 1)
        return (double)o->vals[0];
    if (pos >= (double)o->n)
        return (double)o->vals[o->n - 1];
    {
        double lower = (double)o->vals[(size_t)pos - 1], upper = (double)o->vals[(size_t)pos];
        return lower + (pos - floor(pos)) * (upper - lower);
    }
}

/* ---- the collector ---- */

struct gw_stats *gw_stats_new(const struct gw_stats_config *cfg, unsigned n_workers, uint64_t seed,
                              struct cmn_err *err)
{
    struct gw_stats *s;

    if (n_workers == 0 || n_workers > 4096) {
        cmn_err_set(err, 1, "stats: n_workers must be 1..4096");
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (!s)
        goto nomem;
    s->n_workers = n_workers;
    s->router_disabled = cfg && cfg->router_disabled;
    s->proxy_disabled = cfg && cfg->proxy_disabled;
    s->backend_disabled = cfg && cfg->backend_disabled;
    s->reservoir_total = 1028;
    s->reservoir = (1028 + n_workers - 1) / n_workers;
    if (s->reservoir < 64)
        s->reservoir = 64;
    s->cells = calloc(n_workers + 1, sizeof(*s->cells));
    s->rng = calloc(n_workers + 1, sizeof(*s->rng));
    s->tls = calloc((size_t)(n_workers + 1) * TLS_SLOTS, sizeof(*s->tls));
    if (!s->cells || !s->rng || !s->tls)
        goto nomem;
    for (unsigned w = 0; w <= n_workers; w++)
        s->rng[w] = (seed ^ (0x9E3779B97F4A7C15ull * (w + 1))) | 1;
    pthread_mutex_init(&s->shared, NULL);
    return s;
nomem:
    cmn_err_set(err, 2, "stats: out of memory");
    if (s) {
        free(s->cells);
        free(s->rng);
        free(s->tls);
        free(s);
    }
    return NULL;
}

void gw_stats_destroy(struct gw_stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_eps; i++) {
        struct gw_stats_endpoint *e = s->eps[i];
        hist_free(&e->size, s->n_workers);
        hist_free(&e->time, s->n_workers);
        for (int k = 0; k < 4; k++)
            hist_free(&e->pipe.lat[k], s->n_workers);
        free(e->pipe.req);
        free(e->pipe.name);
        free(e->status);
        free(e->name);
        free(e);
    }
    for (size_t i = 0; i < s->n_bes; i++) {
        struct gw_stats_backend *b = s->bes[i];
        for (int k = 0; k < 4; k++)
            hist_free(&b->layer.lat[k], s->n_workers);
        free(b->layer.req);
        free(b->layer.name);
        free(b);
    }
    free(s->eps);
    free(s->bes);
    free(s->cells);
    free(s->rng);
    free(s->tls);
    pthread_mutex_destroy(&s->shared);
    free(s);
}

static bool layer_init(struct gw_stats *s, struct layer *l, const char *kind, const char *name)
{
    static const char *const combos[4] = {"complete.false.error.false", "complete.false.error.true",
                                          "complete.true.error.false", "complete.true.error.true"};
    char full[1200];

    l->name = strdup(name);
    l->req = calloc((size_t)(s->n_workers + 1) * 4, sizeof(uint64_t));
    if (!l->name || !l->req)
        return false;
    for (int k = 0; k < 4; k++) {
        snprintf(full, sizeof(full), "krakend.proxy.latency.layer.%s.name.%s.%s", kind, name,
                 combos[k]);
        if (!hist_init(&l->lat[k], s, full))
            return false;
    }
    return true;
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

struct gw_stats_endpoint *gw_stats_endpoint_new(struct gw_stats *s, const char *endpoint)
{
    struct gw_stats_endpoint *e = calloc(1, sizeof(*e));
    char size[1200], time[1200];

    if (!e)
        return NULL;
    snprintf(size, sizeof(size), "krakend.router.response.%s.size", endpoint);
    snprintf(time, sizeof(time), "krakend.router.response.%s.time", endpoint);
    if (!keep((void ***)&s->eps, &s->n_eps, &s->cap_eps, e)) {
        free(e);
        return NULL;
    }
    e->name = strdup(endpoint);
    e->status = calloc((size_t)(s->n_workers + 1) * STATUS_SLOTS, sizeof(*e->status));
    if (!e->name || !e->status || !hist_init(&e->size, s, size) || !hist_init(&e->time, s, time) ||
        !layer_init(s, &e->pipe, "pipe", endpoint))
        return NULL; /* partially built: freed with s */
    return e;
}

struct gw_stats_backend *gw_stats_backend_new(struct gw_stats *s, const char *name)
{
    struct gw_stats_backend *b = calloc(1, sizeof(*b));

    if (!b)
        return NULL;
    if (!keep((void ***)&s->bes, &s->n_bes, &s->cap_bes, b)) {
        free(b);
        return NULL;
    }
    if (!layer_init(s, &b->layer, "backend", name))
        return NULL;
    return b;
}

char *gw_stats_backend_name(const char *p)
{
    size_t n = strlen(p), cap = n * 3 + 1, o = 0;
    char *out = malloc(cap);

    if (!out)
        return NULL;
    /* Lura's initBackendURLMappings: {key} -> {{.Key}} (first letter upper-cased) */
    for (size_t i = 0; i < n;) {
        if (p[i] == '{') {
            size_t j = i + 1;
            while (j < n && p[j] != '}' && p[j] != '{')
                j++;
            if (j < n && p[j] == '}' && j > i + 1 && o + (j - i) + 6 < cap) {
                memcpy(out + o, "{{.", 3);
                o += 3;
                out[o++] = (char)((p[i + 1] >= 'a' && p[i + 1] <= 'z') ? p[i + 1] - 32 : p[i + 1]);
                memcpy(out + o, p + i + 2, j - i - 2);
                o += j - i - 2;
                memcpy(out + o, "}}", 2);
                o += 2;
                i = j + 1;
                continue;
            }
        }
        out[o++] = p[i++];
    }
    out[o] = '\0';
    return out;
}

/* ---- recording ---- */

static void cell_add(struct gw_stats *s, unsigned w, uint64_t *c, uint64_t v)
{
    if (w == s->n_workers)
        __atomic_fetch_add(c, v, __ATOMIC_RELAXED);
    else
        __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

void gw_stats_router_begin(struct gw_stats *s, unsigned w)
{
    /* router_disabled: the connection counters exist but stay 0 */
    if (s && w <= s->n_workers && !s->router_disabled)
        cell_add(s, w, &s->cells[w].connected, 1);
}

/* A small table per worker: key published after its count, single writer (shared: locked). */
static void table_add(struct gw_stats *s, unsigned w, struct slot *t, unsigned cap, uint32_t key)
{
    for (unsigned i = 0; i < cap; i++) {
        uint32_t k = __atomic_load_n(&t[i].key, __ATOMIC_ACQUIRE);
        if (k == key) {
            cell_add(s, w, &t[i].count, 1);
            return;
        }
        if (k == 0) {
            __atomic_store_n(&t[i].count, 1, __ATOMIC_RELAXED);
            __atomic_store_n(&t[i].key, key, __ATOMIC_RELEASE);
            return;
        }
    }
    __atomic_fetch_add(&s->dropped, 1, __ATOMIC_RELAXED);
}

static void lock(struct gw_stats *s, unsigned w)
{
    if (w == s->n_workers)
        pthread_mutex_lock(&s->shared);
}

static void unlock(struct gw_stats *s, unsigned w)
{
    if (w == s->n_workers)
        pthread_mutex_unlock(&s->shared);
}

void gw_stats_router_end(struct gw_stats *s, unsigned w, const struct gw_stats_endpoint *ep,
                         int status, int64_t bytes, int64_t ns)
{
    struct gw_stats_endpoint *e = (struct gw_stats_endpoint *)(uintptr_t)ep;

    if (!s || w > s->n_workers || s->router_disabled)
        return;
    cell_add(s, w, &s->cells[w].disconnected, 1);
    if (!e)
        return;
    lock(s, w);
    table_add(s, w, &e->status[(size_t)w * STATUS_SLOTS], STATUS_SLOTS,
              (uint32_t)(status & 0xffff) + 1);
    hist_update(s, &e->size, w, bytes);
    hist_update(s, &e->time, w, ns);
    unlock(s, w);
}

void gw_stats_router_tls(struct gw_stats *s, unsigned w, uint16_t version, uint16_t suite)
{
    if (!s || w > s->n_workers || s->router_disabled)
        return;
    lock(s, w);
    table_add(s, w, &s->tls[(size_t)w * TLS_SLOTS], TLS_SLOTS, (1u << 16 | version) + 1);
    table_add(s, w, &s->tls[(size_t)w * TLS_SLOTS], TLS_SLOTS, (2u << 16 | suite) + 1);
    unlock(s, w);
}

static void layer_add(struct gw_stats *s, unsigned w, struct layer *l, bool complete, bool error,
                      int64_t ns)
{
    unsigned k = (complete ? 2u : 0u) | (error ? 1u : 0u);

    lock(s, w);
    cell_add(s, w, &l->req[(size_t)w * 4 + k], 1);
    hist_update(s, &l->lat[k], w, ns);
    unlock(s, w);
}

void gw_stats_pipe(struct gw_stats *s, unsigned w, const struct gw_stats_endpoint *ep,
                   bool complete, bool error, int64_t ns)
{
    if (s && ep && w <= s->n_workers && !s->proxy_disabled)
        layer_add(s, w, &((struct gw_stats_endpoint *)(uintptr_t)ep)->pipe, complete, error, ns);
}

void gw_stats_backend(struct gw_stats *s, unsigned w, const struct gw_stats_backend *be,
                      bool complete, bool error, int64_t ns)
{
    if (s && be && w <= s->n_workers && !s->backend_disabled)
        layer_add(s, w, &((struct gw_stats_backend *)(uintptr_t)be)->layer, complete, error, ns);
}

/* ---- the collection tick ---- */

uint64_t gw_stats_sum(const struct gw_stats *s, size_t off)
{
    uint64_t t = 0;

    for (unsigned w = 0; w <= s->n_workers; w++)
        t +=
            __atomic_load_n((const uint64_t *)((const char *)&s->cells[w] + off), __ATOMIC_RELAXED);
    return t;
}

bool gw_stats_tick(struct gw_stats *s, const struct gw_stats_runtime *rt, int64_t now_unix_s,
                   struct gw_stats_snapshot *snap)
{
    uint64_t c = gw_stats_sum(s, offsetof(struct wcells, connected));
    uint64_t d = gw_stats_sum(s, offsetof(struct wcells, disconnected));
    bool ok = true;

    pthread_mutex_lock(&s->shared);
    /* the period's count becomes the gauge and joins the total; the counter reads 0 again */
    s->conn_gauge = (int64_t)(c - s->conn_base);
    s->conn_total += s->conn_gauge;
    s->conn_base = c;
    s->disc_gauge = (int64_t)(d - s->disc_base);
    s->disc_total += s->disc_gauge;
    s->disc_base = d;
    if (rt)
        s->rt = *rt;
    pthread_mutex_unlock(&s->shared);
    if (snap)
        ok = gw_stats_take_snapshot(s, now_unix_s, snap);
    __atomic_fetch_add(&s->epoch, 1, __ATOMIC_ACQ_REL);
    return ok;
}
