/* gw_rl_bucket.c - KrakenD's token bucket (§5.6), plain and shared between worker threads. */
#include "gw_rl_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

void gw_rl_tb_init(struct gw_rl_tb *b, const struct gw_rl_bucket_params *p, int64_t now_ns)
{
    b->capacity = p->capacity ? p->capacity : 1;
    b->tokens = b->capacity;
    b->fill_ns = p->fill_ns > 0 ? p->fill_ns : 1;
    b->last_refill_ns = now_ns;
}

bool gw_rl_tb_allow(struct gw_rl_tb *b, int64_t now_ns)
{
    return gw_rl_step(&b->tokens, &b->last_refill_ns, b->capacity, b->fill_ns, now_ns);
}

/* The shared bucket. While tokens remain, a request is one compare-and-swap on `tokens`; the
 * refill (tokens == 0) runs under `mu`. Only a lock holder raises tokens from 0 and nobody
 * lowers it below 0, so under the lock an empty bucket stays empty until we refill it, and
 * every answer is one KrakenD's mutex-guarded Allow() could have given. */
struct gw_rl_limiter {
    _Alignas(64) _Atomic uint64_t tokens;
    _Atomic int64_t last_refill;
    uint64_t capacity;
    int64_t fill_ns;
    pthread_mutex_t mu;
};

struct gw_rl_limiter *gw_rl_limiter_new(const struct gw_rl_bucket_params *p, int64_t now_ns)
{
    struct gw_rl_limiter *l;
    struct gw_rl_tb tb;

    if (posix_memalign((void **)&l, 64, sizeof(*l)) != 0)
        return NULL;
    gw_rl_tb_init(&tb, p, now_ns);
    atomic_init(&l->tokens, tb.tokens);
    atomic_init(&l->last_refill, tb.last_refill_ns);
    l->capacity = tb.capacity;
    l->fill_ns = tb.fill_ns;
    if (pthread_mutex_init(&l->mu, NULL) != 0) {
        free(l);
        return NULL;
    }
    return l;
}

void gw_rl_limiter_destroy(struct gw_rl_limiter *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

/* Takes a token if one is left. */
static bool take(struct gw_rl_limiter *l)
{
    uint64_t t = atomic_load_explicit(&l->tokens, memory_order_relaxed);

    while (t > 0) {
        if (atomic_compare_exchange_weak_explicit(&l->tokens, &t, t - 1, memory_order_acq_rel,
                                                  memory_order_relaxed))
            return true;
    }
    return false;
}

/* Under mu: the refill step of §5.6 on an empty bucket. */
static bool refill_locked(struct gw_rl_limiter *l, int64_t now_ns)
{
    uint64_t tokens = 0;
    int64_t last = atomic_load_explicit(&l->last_refill, memory_order_relaxed);
    bool ok = gw_rl_step(&tokens, &last, l->capacity, l->fill_ns, now_ns);

    if (ok) {
        atomic_store_explicit(&l->last_refill, last, memory_order_relaxed);
        atomic_store_explicit(&l->tokens, tokens, memory_order_release);
    }
    return ok;
}

bool gw_rl_limiter_allow(struct gw_rl_limiter *l, int64_t now_ns)
{
    int64_t last;
    bool ok;

    if (take(l))
        return true;
    /* Empty. If no token is due even by the refill time we read (which only grows), the
     * answer is "no" whatever a concurrent refill does: no lock for a rejection either.
     * last_refill is read before tokens, so the pair we judge existed at some instant. */
    last = atomic_load_explicit(&l->last_refill, memory_order_acquire);
    if (atomic_load_explicit(&l->tokens, memory_order_acquire) == 0 &&
        (now_ns <= last || (uint64_t)now_ns - (uint64_t)last < (uint64_t)l->fill_ns))
        return false;
    pthread_mutex_lock(&l->mu);
    /* a token another thread refilled meanwhile, else tokens is 0 and only we may raise it */
    ok = take(l) || refill_locked(l, now_ns);
    pthread_mutex_unlock(&l->mu);
    return ok;
}

uint64_t gw_rl_limiter_tokens(const struct gw_rl_limiter *l)
{
    return atomic_load_explicit(&l->tokens, memory_order_relaxed);
}
