/* gw_metrics.h - the metric registry: instruments grouped in schemas, label sets resolved at
 * startup, per-worker shards written without locks or read-modify-write, summed at scrape.
 *
 * Model. A schema is a list of instruments recorded together under one label set (the global
 * layer's duration and size histograms; the dozen round-trip instruments). A base is a schema
 * plus the attributes fixed at startup (an endpoint's route and static attributes). A group is
 * a base plus the attributes only known per request (method, status code, outcome), packed by
 * the caller into a 64-bit key; groups are created on first use under a mutex and found again
 * through a small lock-free table per base (one multiply and one or two loads). Each group owns
 * a run of 64-bit cells at the same offset in every worker's shard; a worker writes only its
 * own shard (relaxed load + store, no lock prefix), a scrape sums the shards.
 *
 * Threads. gw_metrics_new/schema/base_new run at startup, before workers. gw_metrics_group and
 * the record functions run on workers (worker i uses shard i only; shard n_workers is shared and
 * uses atomic adds, for threads that are not workers). gw_metrics_collect runs on any thread. */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include "cmn_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum gw_metric_kind {
    GW_METRIC_COUNTER_INT = 0, /* monotonic int64 sum: Prometheus counter (_total) */
    GW_METRIC_COUNTER_FLOAT,   /* monotonic float64 sum */
    GW_METRIC_UPDOWN_INT,      /* non-monotonic sum: Prometheus gauge */
    GW_METRIC_HIST_INT,        /* explicit-bucket histogram of int64 values */
    GW_METRIC_HIST_FLOAT,      /* explicit-bucket histogram of float64 values */
};

/* An instrument as OpenTelemetry names it; strings are borrowed for the registry's life. */
struct gw_metric_def {
    const char *name; /* "http.server.duration" */
    const char *unit; /* "", "s", "By", "b" */
    const char *help; /* description ("" for KrakenD's default instruments) */
    enum gw_metric_kind kind;
    const double *bounds; /* histograms: ascending upper bounds (inclusive), +Inf implied */
    unsigned n_bounds;
};

enum gw_attr_type { GW_ATTR_STR = 0, GW_ATTR_INT, GW_ATTR_BOOL, GW_ATTR_DOUBLE };

/* One OpenTelemetry attribute. As input, str is borrowed for the duration of the call. */
struct gw_attr {
    const char *key;
    enum gw_attr_type type;
    const char *str;
    int64_t i;
    double d;
    bool b;
};

#define GW_METRICS_MAX_INSTR 16 /* instruments per schema */
#define GW_METRICS_MAX_ATTRS 32 /* attributes per label set */
#define GW_METRICS_MAX_SCHEMAS 16

struct gw_metrics_opts {
    unsigned n_workers;      /* shards written by one thread each (>= 1) */
    size_t slots_per_worker; /* cap: 64-bit cells per shard; 0 = 65536 */
    unsigned max_groups;     /* cap: distinct label sets; 0 = 8192 */
    unsigned table_cap;      /* cap: distinct dynamic keys per base, power of two; 0 = 64 */
    const char *scope_name;  /* instrumentation scope, e.g. "io.krakend.krakend-otel" */
    const char *scope_version;
    int64_t start_unix_ns; /* start of the cumulative period (OTLP start_time_unix_nano) */
};

/* ---- internal layout, public only so that the record functions below can be inline ---- */
struct gw_metrics_schema {
    struct gw_metric_def defs[GW_METRICS_MAX_INSTR];
    uint32_t off[GW_METRICS_MAX_INSTR]; /* cell offset of each instrument in a group */
    unsigned n;
    uint32_t cells;                       /* cells per group */
    char prom[GW_METRICS_MAX_INSTR][128]; /* Prometheus family names */
};

struct gw_metrics_group {
    uint32_t off;     /* first cell in every shard */
    uint32_t touched; /* bit i: instrument i was recorded at least once (atomic) */
    const struct gw_metrics_schema *schema;
    struct gw_attr *attrs; /* merged, sorted by key; owned (strings in the arena) */
    unsigned n_attrs;
    char **label_names;  /* Prometheus label names, sorted, otel_scope_* included */
    char **label_values; /* raw values, same order */
    unsigned n_labels;
    char *labels;     /* rendered `k="v",...` (escaped), no braces */
    char *arena;      /* label names and values */
    char *attr_arena; /* attribute strings */
};

struct gw_metrics_tslot {
    uint64_t key1; /* key + 1; 0 = empty (atomic) */
    struct gw_metrics_group *g;
};

struct gw_metrics_shard {
    uint64_t *cells;
    bool shared; /* written by several threads: atomic adds */
};

struct gw_metrics_base {
    struct gw_metrics *reg;
    int schema;
    unsigned mask; /* table_cap - 1 */
    struct gw_metrics_tslot *table;
    struct gw_attr *attrs; /* owned copies */
    unsigned n_attrs;
    char *arena;
    unsigned (*dyn)(const void *ctx, uint64_t key, struct gw_attr *out, unsigned cap, char *scratch,
                    size_t scratch_len);
    const void *dyn_ctx;
};

/* Decodes the dynamic attributes of key into out (at most cap), strings written into scratch
 * when they are not static; returns how many. Called once per group, under the registry lock. */
typedef unsigned (*gw_metrics_dyn_fn)(const void *ctx, uint64_t key, struct gw_attr *out,
                                      unsigned cap, char *scratch, size_t scratch_len);

/* Owned registry (gw_metrics_destroy), NULL with err on bad options or memory. */
struct gw_metrics *gw_metrics_new(const struct gw_metrics_opts *o, struct cmn_err *err);
void gw_metrics_destroy(struct gw_metrics *m);

/* Registers a schema of n instruments (copied; strings borrowed). Returns its id (>= 0) or -1
 * when n is 0 or too large, a histogram has no bounds, or too many schemas exist. */
int gw_metrics_schema(struct gw_metrics *m, const struct gw_metric_def *defs, unsigned n);

/* A base of schema with the given fixed attributes (copied) and the decoder of the dynamic key
 * (dyn may be NULL: no dynamic attributes). Owned by the registry; NULL on bad input/memory.
 * Attributes given later win over earlier ones with the same key: dynamic after fixed. */
struct gw_metrics_base *gw_metrics_base_new(struct gw_metrics *m, int schema,
                                            const struct gw_attr *attrs, unsigned n,
                                            gw_metrics_dyn_fn dyn, const void *dyn_ctx);

/* The shard of worker i (i < n_workers), or the shared shard (i == n_workers). Borrowed. */
struct gw_metrics_shard *gw_metrics_shard(struct gw_metrics *m, unsigned i);

/* Slow path of gw_metrics_group: creates the group (or finds it) under the lock. NULL when a
 * cap is reached; the drop is counted (gw_metrics_dropped). */
struct gw_metrics_group *gw_metrics_group_slow(struct gw_metrics_base *b, uint64_t key);

/* Number of recordings lost because a cap (cells, groups, table) was reached. */
uint64_t gw_metrics_dropped(const struct gw_metrics *m);

/* The group of (base, key); borrowed for the registry's life, NULL when caps are reached. */
static inline struct gw_metrics_group *gw_metrics_group(struct gw_metrics_base *b, uint64_t key)
{
    uint64_t k1 = key + 1;
    unsigned i = (unsigned)((k1 * 0x9E3779B97F4A7C15ull) >> 40) & b->mask;

    for (unsigned n = 0; n <= b->mask; n++, i = (i + 1) & b->mask) {
        uint64_t have = __atomic_load_n(&b->table[i].key1, __ATOMIC_ACQUIRE);
        if (have == k1)
            return b->table[i].g;
        if (have == 0)
            break;
    }
    return gw_metrics_group_slow(b, key);
}

static inline void gw_metrics_touch(struct gw_metrics_group *g, unsigned instr)
{
    uint32_t bit = 1u << instr;

    if (!(__atomic_load_n(&g->touched, __ATOMIC_RELAXED) & bit))
        __atomic_fetch_or(&g->touched, bit, __ATOMIC_RELAXED);
}

static inline void gw_metrics_cell_add(struct gw_metrics_shard *s, uint32_t cell, uint64_t v)
{
    uint64_t *c = &s->cells[cell];

    if (s->shared)
        __atomic_fetch_add(c, v, __ATOMIC_RELAXED);
    else
        __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

static inline void gw_metrics_cell_addf(struct gw_metrics_shard *s, uint32_t cell, double v)
{
    uint64_t *c = &s->cells[cell];
    uint64_t old = __atomic_load_n(c, __ATOMIC_RELAXED), nw;
    double d;

    do {
        memcpy(&d, &old, sizeof(d));
        d += v;
        memcpy(&nw, &d, sizeof(nw));
        if (!s->shared) {
            __atomic_store_n(c, nw, __ATOMIC_RELAXED);
            return;
        }
    } while (!__atomic_compare_exchange_n(c, &old, nw, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

/* Adds v to counter/up-down instrument instr of group g (int kinds). g may be NULL (dropped). */
static inline void gw_metrics_add(struct gw_metrics_shard *s, struct gw_metrics_group *g,
                                  unsigned instr, int64_t v)
{
    if (!g)
        return;
    gw_metrics_touch(g, instr);
    gw_metrics_cell_add(s, g->off + g->schema->off[instr], (uint64_t)v);
}

/* Adds v to a float counter. */
static inline void gw_metrics_addf(struct gw_metrics_shard *s, struct gw_metrics_group *g,
                                   unsigned instr, double v)
{
    if (!g)
        return;
    gw_metrics_touch(g, instr);
    gw_metrics_cell_addf(s, g->off + g->schema->off[instr], v);
}

/* Records v in histogram instr (either kind: int histograms take the value rounded toward 0).
 * Buckets are upper-inclusive, as the OpenTelemetry SDK's explicit buckets. */
static inline void gw_metrics_observe(struct gw_metrics_shard *s, struct gw_metrics_group *g,
                                      unsigned instr, double v)
{
    const struct gw_metric_def *d;
    const double *b;
    unsigned i = 0, nb;
    uint64_t *c;

    if (!g)
        return;
    d = &g->schema->defs[instr];
    b = d->bounds;
    nb = d->n_bounds;
    c = s->cells + g->off + g->schema->off[instr];
    while (i < nb && v > b[i])
        i++;
    gw_metrics_touch(g, instr);
    if (s->shared) {
        gw_metrics_cell_add(s, (uint32_t)(c + i - s->cells), 1);
        if (d->kind == GW_METRIC_HIST_INT)
            gw_metrics_cell_add(s, (uint32_t)(c + nb + 1 - s->cells), (uint64_t)(int64_t)v);
        else
            gw_metrics_cell_addf(s, (uint32_t)(c + nb + 1 - s->cells), v);
        return;
    }
    /* the worker's own shard: plain (relaxed) loads and stores, no read-modify-write */
    __atomic_store_n(&c[i], __atomic_load_n(&c[i], __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
    if (d->kind == GW_METRIC_HIST_INT) {
        uint64_t sum = __atomic_load_n(&c[nb + 1], __ATOMIC_RELAXED) + (uint64_t)(int64_t)v;
        __atomic_store_n(&c[nb + 1], sum, __ATOMIC_RELAXED);
    } else {
        uint64_t bits = __atomic_load_n(&c[nb + 1], __ATOMIC_RELAXED);
        double sum;
        memcpy(&sum, &bits, 8);
        sum += v;
        memcpy(&bits, &sum, 8);
        __atomic_store_n(&c[nb + 1], bits, __ATOMIC_RELAXED);
    }
}

/* ---- collection ---- */

/* One series of one instrument, values summed over the shards. */
struct gw_metrics_point {
    const struct gw_metric_def *def;
    const char *name;                     /* Prometheus family name (borrowed) */
    unsigned instr;                       /* index in the group's schema */
    const struct gw_metrics_group *group; /* attrs and labels */
    int64_t ival;                         /* int sums; int histogram sum */
    double dval;                          /* float sums; float histogram sum */
    uint64_t *buckets;                    /* histograms: n_bounds + 1 counts (not cumulative) */
    uint64_t count;                       /* histograms: number of observations */
};

struct gw_metrics_snapshot {
    struct gw_metrics_point *points; /* sorted: Prometheus name, then label values (Go order) */
    size_t n;
    uint64_t *bucket_store;
    const char *scope_name, *scope_version;
    int64_t start_unix_ns;
};

/* Sums every touched series into out (owned contents: gw_metrics_snapshot_free). Returns false
 * on allocation failure (err set). */
bool gw_metrics_collect(struct gw_metrics *m, struct gw_metrics_snapshot *out, struct cmn_err *err);
void gw_metrics_snapshot_free(struct gw_metrics_snapshot *s);

/* The Prometheus name of an instrument as the OpenTelemetry exporter derives it: invalid
 * characters to '_', unit suffix from the unit table, "_total" for monotonic sums. Writes a
 * NUL-terminated name into out (cap bytes); returns false when it does not fit. */
bool gw_metrics_prom_name(const struct gw_metric_def *d, char *out, size_t cap);

/* Prometheus label name of an attribute key: every character outside [a-zA-Z0-9_:] becomes
 * one '_' (a multi-byte UTF-8 character too, where Go would keep a non-ASCII letter).
 * Owned result or NULL. */
char *gw_metrics_label_name(const char *key);

#endif
