/* gw_rl_store.c - the client buckets: a fixed table allocated once, whatever the number of
 * clients (§5.8, bounded where KrakenD's map grows with every new key until its sweep).
 *
 * The table is 2^k sets of GW_RL_STORE_WAYS slots. A client key is hashed with a secret
 * SipHash key (mixed per endpoint): the low 64 bits pick the set, the high 64 bits are the tag
 * kept in the slot, so a slot costs 40 bytes whatever the key's length. Each set has its own
 * spin lock held for a few dozen instructions; two workers meet only on the same set.
 *
 * A new client takes, in this order: an empty slot; a slot whose client KrakenD would have
 * forgotten (idle past its TTL at a sweep instant) or whose bucket has refilled to full (the
 * client starts again from a fresh full bucket, never more than it had: a bucket never holds
 * more than full); else the slot closest to full. Only that last case can let a client do more
 * than KrakenD allows: it comes back with a full bucket, i.e. at most `capacity` requests more,
 * once per eviction. */
#include "gw_rl_int.h"

#include "cmn_err.h"
#include "cmn_pages.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    uint64_t tokens;
    int64_t last_refill;
    int64_t full_at;    /* from then on the bucket is refilled to capacity */
    int64_t expires_at; /* KrakenD's sweeper would have deleted the client by then */
};

struct set {
    _Alignas(64) _Atomic uint32_t lock;
    uint32_t reused;
    uint32_t evicted;
    uint32_t unused;
    uint64_t tags[GW_RL_STORE_WAYS]; /* 0 = empty slot */
    struct slot slots[GW_RL_STORE_WAYS];
};

_Static_assert(sizeof(struct set) == GW_RL_STORE_SET_BYTES, "a set is four cache lines");

struct gw_rl_store {
    struct set *sets;
    void *raw;
    size_t raw_bytes;
    size_t mask;
    size_t bytes;
    struct cmn_siphash_key key;
    _Atomic uint64_t salt;
};

struct gw_rl_store *gw_rl_store_new(const struct gw_rl_store_opts *o, struct cmn_err *err)
{
    size_t want = o && o->max_bytes ? o->max_bytes : GW_RL_STORE_DEFAULT_BYTES;
    size_t nsets = 1;
    struct gw_rl_store *s = calloc(1, sizeof(*s));

    if (!s)
        goto nomem;
    while (nsets <= want / GW_RL_STORE_SET_BYTES / 2)
        nsets *= 2;
    /* straight from the kernel: zeroed, page-aligned, and a page costs memory only once a
     * client lands in one of its sets */
    s->raw_bytes = nsets * GW_RL_STORE_SET_BYTES;
    s->raw = cmn_pages_alloc(s->raw_bytes);
    if (!s->raw)
        goto nomem;
    s->sets = s->raw;
    s->mask = nsets - 1;
    s->bytes = sizeof(*s) + s->raw_bytes;
    if (o)
        s->key = o->key;
    atomic_init(&s->salt, 0);
    return s;
nomem:
    free(s);
    cmn_err_set(err, GW_RL_NOMEM, "rate limit client store: out of memory (%zu bytes)", want);
    return NULL;
}

void gw_rl_store_destroy(struct gw_rl_store *s)
{
    if (!s)
        return;
    cmn_pages_free(s->raw, s->raw_bytes);
    free(s);
}

size_t gw_rl_store_bytes(const struct gw_rl_store *s)
{
    return s ? s->bytes : 0;
}

size_t gw_rl_store_slots(const struct gw_rl_store *s)
{
    return s ? (s->mask + 1) * GW_RL_STORE_WAYS : 0;
}

struct gw_rl_store_stats gw_rl_store_stats(const struct gw_rl_store *s)
{
    struct gw_rl_store_stats st = {0, 0};

    for (size_t i = 0; s && i <= s->mask; i++) {
        st.reused += s->sets[i].reused;
        st.evicted += s->sets[i].evicted;
    }
    return st;
}

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finaliser: spreads a counter over all 64 bits */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

struct cmn_siphash_key gw_rl_store_derive_key(struct gw_rl_store *s)
{
    uint64_t salt = atomic_fetch_add_explicit(&s->salt, 1, memory_order_relaxed) + 1;
    struct cmn_siphash_key k = {s->key.k0 ^ mix64(salt), s->key.k1 ^ mix64(~salt)};

    return k;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void set_lock(struct set *st)
{
    unsigned spins = 0;

    while (atomic_exchange_explicit(&st->lock, 1, memory_order_acquire)) {
        while (atomic_load_explicit(&st->lock, memory_order_relaxed)) {
            if (++spins >= 128) {
                sched_yield(); /* the holder was preempted */
                spins = 0;
            } else {
                cpu_relax();
            }
        }
    }
}

static void set_unlock(struct set *st)
{
    atomic_store_explicit(&st->lock, 0, memory_order_release);
}

static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;

    return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

int64_t gw_rl_next_sweep(int64_t t0, int64_t period, int64_t at)
{
    uint64_t k, off;
    int64_t r;

    if (period <= 0)
        return INT64_MAX;
    if (at < t0)
        return sat_add(t0, period);
    k = ((uint64_t)at - (uint64_t)t0) / (uint64_t)period + 1;
    if (__builtin_mul_overflow(k, (uint64_t)period, &off) || off > (uint64_t)INT64_MAX)
        return INT64_MAX;
    r = sat_add(t0, (int64_t)off);
    return r;
}

/* After an Allow(): when the bucket will be full again, and when KrakenD would forget it. */
static void touch(struct slot *sl, const struct gw_rl_client_class *c, int64_t now)
{
    uint64_t deficit, wait;
    int64_t exp;

    if (sl->tokens >= c->capacity) {
        sl->full_at = sl->last_refill;
    } else {
        deficit = c->capacity - sl->tokens;
        if (__builtin_mul_overflow(deficit, (uint64_t)c->fill_ns, &wait) ||
            wait > (uint64_t)INT64_MAX)
            sl->full_at = INT64_MAX;
        else
            sl->full_at = sat_add(sl->last_refill, (int64_t)wait);
    }
    /* KrakenD refreshes the access time only forward; its sweeper runs every period from
     * the endpoint's start and deletes entries idle for longer than the TTL */
    exp = gw_rl_next_sweep(c->sweep_t0_ns, c->sweep_period_ns, sat_add(now, c->ttl_ns));
    if (exp > sl->expires_at)
        sl->expires_at = exp;
}

static void fresh(struct slot *sl, const struct gw_rl_client_class *c, int64_t now)
{
    sl->tokens = c->capacity;
    sl->last_refill = now;
    sl->full_at = now;
    sl->expires_at = INT64_MIN;
}

/* The slot a new client takes (see the file comment). */
static unsigned victim(struct set *st, int64_t now)
{
    unsigned best = 0;

    for (unsigned w = 0; w < GW_RL_STORE_WAYS; w++) {
        if (st->tags[w] == 0)
            return w;
    }
    for (unsigned w = 0; w < GW_RL_STORE_WAYS; w++) {
        const struct slot *sl = &st->slots[w];

        if (sl->expires_at <= now || sl->full_at <= now) {
            st->reused++;
            return w;
        }
        if (sl->full_at < st->slots[best].full_at)
            best = w;
    }
    st->evicted++;
    return best;
}

bool gw_rl_store_allow(struct gw_rl_store *s, const struct gw_rl_client_class *c, const char *key,
                       size_t n, int64_t now_ns)
{
    uint64_t h[2];
    struct set *st;
    struct slot *sl = NULL;
    uint64_t tag;
    bool ok;

    cmn_siphash128(&c->key, key, n, h);
    st = &s->sets[h[0] & s->mask];
    tag = h[1] | 1;
    set_lock(st);
    for (unsigned w = 0; w < GW_RL_STORE_WAYS; w++) {
        if (st->tags[w] == tag) {
            sl = &st->slots[w];
            break;
        }
    }
    if (!sl) {
        unsigned w = victim(st, now_ns);

        st->tags[w] = tag;
        sl = &st->slots[w];
        fresh(sl, c, now_ns);
    } else if (sl->expires_at <= now_ns) {
        fresh(sl, c, now_ns); /* KrakenD's sweeper deleted it: a new full bucket */
    }
    ok = gw_rl_step(&sl->tokens, &sl->last_refill, c->capacity, c->fill_ns, now_ns);
    touch(sl, c, now_ns);
    set_unlock(st);
    return ok;
}
