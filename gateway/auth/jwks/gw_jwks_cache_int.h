/* gw_jwks_cache_int.h - internals shared by the JWKS registry and its fetcher thread (and the
 * unit tests of the scheduling rules). */
#ifndef GW_JWKS_CACHE_INT_H
#define GW_JWKS_CACHE_INT_H

#include "gw_jwks_cache.h"
#include "gw_jwks_fetch.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

/* When the next fetch of a source may start: pure bookkeeping, times in monotonic ms. */
struct gw_jwks_sched {
    bool never;              /* local file: loaded once, never fetched */
    bool in_flight;          /* at most one fetch per source */
    bool miss_pending;       /* an unknown kid asked for a refetch */
    int64_t next_due;        /* the periodic refresh or the retry after a failure */
    int64_t miss_allowed_at; /* unknown-kid cooldown: no miss refetch before this */
    int64_t backoff_ms;      /* current retry delay; 0 while the last fetch succeeded */
};

/* Earliest time the next fetch may start; INT64_MAX for none (in flight or local). */
int64_t gw_jwks_sched_due(const struct gw_jwks_sched *s);
/* Marks a fetch started at now; returns true when an unknown kid brought it forward. */
bool gw_jwks_sched_start(struct gw_jwks_sched *s, int64_t now, int64_t cooldown_ms);
/* Marks the fetch finished; schedules the refresh (ok) or the next retry (doubling backoff). */
void gw_jwks_sched_done(struct gw_jwks_sched *s, int64_t now, bool ok, int64_t refresh_ms,
                        int64_t retry_min_ms, int64_t retry_max_ms);

struct gw_jwks_source {
    struct gw_jwks_cache *cache;
    char *id;   /* identity used to share the source between endpoints */
    char *url;  /* NULL for a local file */
    char *path; /* jwk_local_path or NULL */
    struct gw_jwks_tls tls;
    int64_t refresh_ms;  /* cache_duration, or the no-cache refresh interval */
    int64_t cooldown_ms; /* unknown-kid refetch spacing */

    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;  /* broadcast when a fetch finishes */
    struct gw_jwks *set;
    unsigned char digest[32]; /* SHA-256 of the document behind set */
    int64_t fetched_at;       /* monotonic ms of the last successful fetch or load */
    bool unavailable;         /* the local file failed */
    char last_err[256];
    struct gw_jwks_sched sched;
    struct gw_jwks_source_stats stats;
    uint64_t completions;
    unsigned waiters;

    /* Fetcher thread only. */
    struct gw_jwks_fetch *inflight;
    unsigned consecutive_failures;
    int64_t last_log_at;
    unsigned suppressed;
    bool ct_warned;
};

struct gw_jwks_cache {
    struct gw_jwks_cache_opts opts; /* defaults applied (opts.clock is never NULL) */
    struct gw_jwks_source **sources;
    size_t n_sources;
    CURLM *multi;
    pthread_t thread;
    bool started;
    atomic_bool stopping;

    /* gw_jwks_cache_kick: kicks counts the kicks asked for, kicks_done the last one the
     * fetcher had seen when it finished a pass over the schedule (UINT64_MAX once it left). */
    pthread_mutex_t kick_mu;
    pthread_cond_t kick_cv;
    uint64_t kicks;
    uint64_t kicks_done;
};

/* The registry's notion of now (monotonic ms): the only time it reads. */
static inline int64_t gw_jwks_now(const struct gw_jwks_cache *c)
{
    return cmn_clock_now_mono_ms(c->opts.clock);
}

/* Parses a JWKS body; a set without usable keys is an error. Owned set or NULL with err. */
struct gw_jwks *gw_jwks_cache_parse(const char *data, size_t len, const char *name,
                                    struct cmn_err *err);

/* Stops and joins the fetcher thread if it runs, aborting transfers in flight. */
void gw_jwks_fetcher_stop(struct gw_jwks_cache *c);

#endif
