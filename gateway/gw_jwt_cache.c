/* gw_jwt_cache.c - set-associative cache of verified tokens with per-set LRU and a mutex. */
#include "gw_jwt_cache.h"

#include "gw_claims.h"
#include "gw_jwk_int.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    uint8_t hash[32];
    uint8_t key_fp[32];
    enum gw_jose_alg alg;
    uint64_t serial; /* key set in which the key was last seen */
    int64_t expires_at;
    uint64_t last_used;       /* LRU clock */
    struct gw_claims *claims; /* NULL = empty slot */
};

struct gw_jwt_cache {
    pthread_mutex_t lock;
    struct entry *entries;
    size_t n_sets;
    int64_t max_ttl_s;
    uint64_t clock, hits, misses;
    size_t used;
};

struct gw_jwt_cache *gw_jwt_cache_new(size_t capacity, int64_t max_ttl_s)
{
    struct gw_jwt_cache *c;

    if (capacity == 0 || capacity > GW_JWT_CACHE_MAX_ENTRIES || max_ttl_s <= 0)
        return NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->n_sets = (capacity + GW_JWT_CACHE_WAYS - 1) / GW_JWT_CACHE_WAYS;
    c->entries = calloc(c->n_sets * GW_JWT_CACHE_WAYS, sizeof(*c->entries));
    if (!c->entries || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->entries);
        free(c);
        return NULL;
    }
    c->max_ttl_s = max_ttl_s;
    return c;
}

static void drop(struct gw_jwt_cache *c, struct entry *e)
{
    if (e->claims) {
        gw_claims_unref(e->claims);
        c->used--;
    }
    memset(e, 0, sizeof(*e));
}

void gw_jwt_cache_destroy(struct gw_jwt_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_sets * GW_JWT_CACHE_WAYS; i++)
        drop(c, &c->entries[i]);
    pthread_mutex_destroy(&c->lock);
    free(c->entries);
    free(c);
}

static struct entry *set_of(struct gw_jwt_cache *c, const uint8_t hash[32])
{
    uint64_t h;

    memcpy(&h, hash, sizeof(h)); /* SHA-256 output is uniform: any 8 bytes index well */
    return &c->entries[(h % c->n_sets) * GW_JWT_CACHE_WAYS];
}

/* Whether the key that verified the entry is still in keys (compares fingerprints). */
static bool key_present(const struct gw_jwks *keys, const uint8_t fp[32])
{
    for (size_t i = 0; i < gw_jwks_count(keys); i++)
        if (memcmp(gw_jwks_at(keys, i)->fingerprint, fp, 32) == 0)
            return true;
    return false;
}

struct gw_claims *gw_jwt_cache_get(struct gw_jwt_cache *c, const uint8_t token_hash[32],
                                   enum gw_jose_alg alg, const struct gw_jwks *keys, int64_t now)
{
    struct gw_claims *found = NULL;
    struct entry *set;

    if (!c || !keys)
        return NULL;
    pthread_mutex_lock(&c->lock);
    set = set_of(c, token_hash);
    for (int w = 0; w < GW_JWT_CACHE_WAYS; w++) {
        struct entry *e = &set[w];
        if (!e->claims || memcmp(e->hash, token_hash, 32) != 0)
            continue;
        if (e->alg != alg)
            break; /* verified under another endpoint's algorithm: not a hit here */
        if (now > e->expires_at) {
            drop(c, e);
            break;
        }
        if (e->serial != gw_jwks_serial(keys)) {
            if (!key_present(keys, e->key_fp)) {
                drop(c, e); /* the key left the set (rotation): verify again */
                break;
            }
            e->serial = gw_jwks_serial(keys);
        }
        e->last_used = ++c->clock;
        found = gw_claims_ref(e->claims);
        break;
    }
    if (found)
        c->hits++;
    else
        c->misses++;
    pthread_mutex_unlock(&c->lock);
    return found;
}

void gw_jwt_cache_put(struct gw_jwt_cache *c, const uint8_t token_hash[32], enum gw_jose_alg alg,
                      const uint8_t key_fingerprint[32], uint64_t serial, struct gw_claims *claims,
                      int64_t now, int64_t expires_at)
{
    struct entry *set, *victim = NULL;

    if (!c || !claims)
        return;
    if (expires_at == INT64_MAX || expires_at - now > c->max_ttl_s)
        expires_at = now + c->max_ttl_s;
    if (expires_at < now)
        return;
    pthread_mutex_lock(&c->lock);
    set = set_of(c, token_hash);
    for (int w = 0; w < GW_JWT_CACHE_WAYS; w++) {
        struct entry *e = &set[w];
        if (e->claims && memcmp(e->hash, token_hash, 32) == 0) {
            victim = e; /* replace the same token's entry */
            break;
        }
        if (!victim || !e->claims || (victim->claims && e->last_used < victim->last_used))
            victim = e;
    }
    drop(c, victim);
    memcpy(victim->hash, token_hash, 32);
    memcpy(victim->key_fp, key_fingerprint, 32);
    victim->alg = alg;
    victim->serial = serial;
    victim->expires_at = expires_at;
    victim->last_used = ++c->clock;
    victim->claims = gw_claims_ref(claims);
    c->used++;
    pthread_mutex_unlock(&c->lock);
}

void gw_jwt_cache_stats(struct gw_jwt_cache *c, uint64_t *hits, uint64_t *misses, size_t *used)
{
    pthread_mutex_lock(&c->lock);
    if (hits)
        *hits = c->hits;
    if (misses)
        *misses = c->misses;
    if (used)
        *used = c->used;
    pthread_mutex_unlock(&c->lock);
}
