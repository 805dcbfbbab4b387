/* gw_bloom.c - krakend/bloomfilter's sliding set (§8.3): three filters of m bits, an element
 * added to the current and the next, found in the previous or the current, and every TTL the
 * previous dropped, the current and the next moved down and a new empty one made.
 *
 * Bits are set with atomic ORs and read with relaxed loads, so adds and checks run together
 * under the read lock; a rotation takes the write lock. Rotation is lazy: the first add or
 * check after a tick does it, as many times as ticks passed (KrakenD's ticker goroutine does
 * one per tick), so time comes only from the clock the revoker was given. */
#include "gw_revoker_int.h"

#include "cmn_pages.h"
#include "cmn_str.h"

#include <stdlib.h>
#include <string.h>

#define MS_PER_S 1000

__extension__ typedef unsigned __int128 u128;

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void gw_revoker_hash(const void *data, size_t n, uint64_t h[2])
{
    /* FNV-1, 128 bits: offset basis 144066263297769815596495629667062367629, prime 2^88 + 315 */
    u128 x = ((u128)0x6c62272e07bb0142ULL << 64) | 0x62b821756295c58dULL;
    const u128 prime = ((u128)1 << 88) | 0x13b;
    const uint8_t *p = data;
    uint8_t digest[16];

    for (size_t i = 0; i < n; i++) {
        x *= prime;
        x ^= p[i];
    }
    for (int i = 0; i < 16; i++) /* Go's Sum: big-endian */
        digest[i] = (uint8_t)(x >> (8 * (15 - i)));
    h[0] = load_le64(digest); /* krakend/bloomfilter reads the words little-endian */
    h[1] = load_le64(digest + 8);
}

/* ---- one filter ---- */

static _Atomic uint64_t *filter_new(uint64_t words)
{
    /* from the kernel: zeroed, and a page costs memory only once a bit in it is set (a
     * configured N of ten million makes 42 MB filters that mostly stay empty) */
    return cmn_pages_alloc(words * sizeof(uint64_t));
}

static void filter_free(_Atomic uint64_t *f, uint64_t words)
{
    cmn_pages_free((void *)(uintptr_t)f, words * sizeof(uint64_t));
}

static void filter_add(_Atomic uint64_t *f, uint64_t m, uint64_t k, const uint64_t h[2])
{
    for (uint64_t i = 0; i < k; i++) {
        uint64_t pos = (h[0] + i * h[1]) % m;

        atomic_fetch_or_explicit(&f[pos >> 6], 1ULL << (pos & 63), memory_order_relaxed);
    }
}

static bool filter_has(_Atomic uint64_t *f, uint64_t m, uint64_t k, const uint64_t h[2])
{
    for (uint64_t i = 0; i < k; i++) {
        uint64_t pos = (h[0] + i * h[1]) % m;

        if (!(atomic_load_explicit(&f[pos >> 6], memory_order_relaxed) & (1ULL << (pos & 63))))
            return false;
    }
    return true;
}

/* ---- the set ---- */

bool gw_bloom_init(struct gw_bloom *b, uint64_t m, uint64_t k, int64_t ttl_ms, int64_t now_ms)
{
    memset(b, 0, sizeof(*b));
    b->m = m;
    b->k = k;
    b->words = (m + 63) / 64;
    b->ttl_ms = ttl_ms;
    b->t0_ms = now_ms;
    atomic_init(&b->next_ms, now_ms + ttl_ms);
    if (pthread_rwlock_init(&b->lock, NULL) != 0)
        return false;
    for (int i = 0; i < 3; i++) {
        b->f[i] = filter_new(b->words);
        if (!b->f[i]) {
            gw_bloom_free(b);
            return false;
        }
    }
    return true;
}

void gw_bloom_free(struct gw_bloom *b)
{
    for (int i = 0; i < 3; i++) {
        filter_free(b->f[i], b->words);
        b->f[i] = NULL;
    }
    pthread_rwlock_destroy(&b->lock);
}

/* One tick: previous <- current <- next <- empty. */
static void rotate_once(struct gw_bloom *b)
{
    _Atomic uint64_t *old = b->f[GW_BLOOM_PREV], *fresh = filter_new(b->words);

    if (fresh) {
        filter_free(old, b->words);
    } else { /* no memory for a new one: clear the oldest in place (nobody reads it now) */
        for (uint64_t i = 0; i < b->words; i++)
            atomic_store_explicit(&old[i], 0, memory_order_relaxed);
        fresh = old;
    }
    b->f[GW_BLOOM_PREV] = b->f[GW_BLOOM_CUR];
    b->f[GW_BLOOM_CUR] = b->f[GW_BLOOM_NEXT];
    b->f[GW_BLOOM_NEXT] = fresh;
}

/* The ticks due at now_ms (t0 + i * ttl, i >= 1), each rotating once; three or more leave
 * three empty filters. */
static void catch_up(struct gw_bloom *b, int64_t now_ms)
{
    uint64_t due, n;

    if (now_ms < atomic_load_explicit(&b->next_ms, memory_order_acquire))
        return;
    pthread_rwlock_wrlock(&b->lock);
    if (now_ms >= b->t0_ms + b->ttl_ms) {
        due = (uint64_t)(now_ms - b->t0_ms) / (uint64_t)b->ttl_ms;
        n = due > b->ticks ? due - b->ticks : 0;
        for (uint64_t i = 0; i < n && i < 3; i++)
            rotate_once(b);
        b->ticks += n;
        atomic_store_explicit(&b->next_ms, b->t0_ms + (int64_t)(b->ticks + 1) * b->ttl_ms,
                              memory_order_release);
    }
    pthread_rwlock_unlock(&b->lock);
}

void gw_bloom_add(struct gw_bloom *b, const void *elem, size_t n, int64_t now_ms)
{
    uint64_t h[2];

    gw_revoker_hash(elem, n, h);
    catch_up(b, now_ms);
    pthread_rwlock_rdlock(&b->lock);
    filter_add(b->f[GW_BLOOM_NEXT], b->m, b->k, h);
    filter_add(b->f[GW_BLOOM_CUR], b->m, b->k, h);
    pthread_rwlock_unlock(&b->lock);
}

bool gw_bloom_check(struct gw_bloom *b, const void *elem, size_t n, int64_t now_ms)
{
    uint64_t h[2];
    bool found;

    gw_revoker_hash(elem, n, h);
    catch_up(b, now_ms);
    pthread_rwlock_rdlock(&b->lock);
    found = filter_has(b->f[GW_BLOOM_PREV], b->m, b->k, h) ||
            filter_has(b->f[GW_BLOOM_CUR], b->m, b->k, h);
    pthread_rwlock_unlock(&b->lock);
    return found;
}

int64_t gw_bloom_ttl_s_to_ms(uint64_t ttl_s)
{
    return ttl_s > (uint64_t)INT64_MAX / 4 / MS_PER_S ? INT64_MAX / 4 : (int64_t)ttl_s * MS_PER_S;
}
