/* gw_stats_int.h - the legacy collector's internals, shared by gw_stats.c and
 * gw_stats_render.c only. */
#ifndef GW_STATS_INT_H
#define GW_STATS_INT_H

#include "gw_stats.h"

#include <pthread.h>
#include <stddef.h>

#define STATUS_SLOTS 16 /* distinct status codes per endpoint and worker */
#define TLS_SLOTS 32    /* distinct TLS versions + suites per worker */

/* One worker's reservoir of one histogram (written by that worker only). */
struct res {
    uint64_t epoch; /* the clear generation this sample belongs to */
    uint64_t count; /* updates since the clear */
    int64_t *vals;  /* reservoir entries */
};

struct hist {
    char *name;
    struct res *res; /* n_workers + 1 */
};

struct slot {
    uint32_t key; /* value + 1, 0 = free */
    uint64_t count;
};

/* A proxy layer instance: pipe (per endpoint) or backend. */
struct layer {
    char *name;
    uint64_t *req;      /* [worker][complete<<1|error] */
    struct hist lat[4]; /* same index */
};

struct gw_stats_endpoint {
    char *name;
    struct slot *status; /* [worker][STATUS_SLOTS] */
    struct hist size, time;
    struct layer pipe;
};

struct gw_stats_backend {
    struct layer layer;
};

struct wcells {
    uint64_t connected, disconnected;
    char pad[48]; /* one cache line per worker */
};

struct gw_stats {
    unsigned n_workers;
    size_t reservoir;       /* per worker */
    size_t reservoir_total; /* go-metrics' 1028 */
    bool router_disabled, proxy_disabled, backend_disabled;
    struct wcells *cells;
    uint64_t *rng;
    struct slot *tls; /* [worker][TLS_SLOTS] */
    uint64_t epoch;   /* histograms clear generation */
    uint64_t dropped;
    /* tick state, under `shared` */
    uint64_t conn_base, disc_base;
    int64_t conn_gauge, conn_total, disc_gauge, disc_total;
    struct gw_stats_runtime rt;
    pthread_mutex_t shared; /* the non-worker shard, and the tick */
    struct gw_stats_endpoint **eps;
    size_t n_eps, cap_eps;
    struct gw_stats_backend **bes;
    size_t n_bes, cap_bes;
};

/* A histogram's merged view (vals owned: free it). */
struct hist_stats {
    uint64_t count;
    int64_t *vals;
    size_t n;
    int64_t min, max;
    double mean, variance;
};

void gw_stats_hist_read(struct gw_stats *s, const struct hist *h, struct hist_stats *o);
double gw_stats_percentile(const struct hist_stats *o, double p);
uint64_t gw_stats_sum(const struct gw_stats *s, size_t off);
bool gw_stats_take_snapshot(struct gw_stats *s, int64_t now_unix_s, struct gw_stats_snapshot *o);

#endif
