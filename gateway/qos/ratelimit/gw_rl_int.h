/* gw_rl_int.h - what the rate-limit files share and tests may call: the bucket step and the
 * store's per-endpoint parameters. Not for other modules. */
#ifndef GW_RL_INT_H
#define GW_RL_INT_H

#include "gw_ratelimit.h"

#include <stdbool.h>
#include <stdint.h>

/* One Allow() of KrakenD's token bucket on (tokens, last refill) [rl:tokenbucket.go]. A `now`
 * at or before the last refill (a caller's clock read before another thread's refill) counts
 * as no elapsed time; Go reads the clock under the bucket's lock and never sees that. */
static inline bool gw_rl_step(uint64_t *tokens, int64_t *last, uint64_t cap, int64_t fill,
                              int64_t now)
{
    uint64_t n;

    if (*tokens > 0) {
        (*tokens)--; /* the refill waits until the bucket is empty */
        return true;
    }
    if (now <= *last)
        return false;
    n = ((uint64_t)now - (uint64_t)*last) / (uint64_t)fill;
    if (n == 0)
        return false;
    *last += (int64_t)(n * (uint64_t)fill);
    if (n > cap) {
        *tokens = cap; /* refilled to full, and this request is free */
        return true;
    }
    *tokens = n - 1;
    return true;
}

/* What the store needs to know about the endpoint a client belongs to. */
struct gw_rl_client_class {
    struct cmn_siphash_key key; /* the store's key mixed with the endpoint's salt */
    uint64_t capacity;
    int64_t fill_ns;
    int64_t ttl_ns;          /* idle time after which KrakenD forgets the client */
    int64_t sweep_t0_ns;     /* when the endpoint's sweeper started (router creation) */
    int64_t sweep_period_ns; /* cleanup_period */
};

/* Allow() on the bucket of (class, key) in s, creating it full when absent. Thread-safe. */
bool gw_rl_store_allow(struct gw_rl_store *s, const struct gw_rl_client_class *c, const char *key,
                       size_t n, int64_t now_ns);
/* A fresh hashing key for one more endpoint sharing s. */
struct cmn_siphash_key gw_rl_store_derive_key(struct gw_rl_store *s);

/* The first sweep instant strictly after `at`: t0 + k * period, k >= 1 (saturating). */
int64_t gw_rl_next_sweep(int64_t t0, int64_t period, int64_t at);

#endif
