/* gw_jwt_cache.c - set-associative cache of verified tokens with per-set LRU and a mutex.
 *
 * An entry holds a copy of its token and a hit needs the same bytes: equality, not a digest,
 * decides. The set comes from a fast keyed hash (a random key per cache, so nobody can aim
 * tokens at one set); a SHA-256 of every token cost more than the rest of a hit. */
#include "gw_jwt_cache.h"

#include "gw_claims.h"
#include "gw_jwk_int.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

__extension__ typedef unsigned __int128 u128;

struct entry {
    uint64_t hash;
    char *token; /* owned copy of the token's len bytes */
    size_t len;
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
    uint64_t seed[2];
};

static uint64_t mix(uint64_t a, uint64_t b)
{
    u128 r = (u128)a * b;

    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static uint64_t read64(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* A keyed 64-bit hash in the manner of wyhash: 16 bytes per multiplication. Only spreads
 * tokens over the sets; equality of the bytes decides a hit. */
static uint64_t token_hash(const struct gw_jwt_cache *c, const char *token, size_t len)
{
    const unsigned char *p = (const unsigned char *)token;
    uint64_t h = c->seed[0] ^ mix(len ^ 0xa0761d6478bd642fu, c->seed[1]);
    size_t i = 0;

    for (; i + 16 <= len; i += 16)
        h = mix(read64(p + i) ^ c->seed[1] ^ h, read64(p + i + 8) ^ c->seed[0]);
    if (i < len) {
        unsigned char tail[16] = {0};
        memcpy(tail, p + i, len - i);
        h = mix(read64(tail) ^ c->seed[1] ^ h, read64(tail + 8) ^ c->seed[0] ^ 0x8ebc6af09c88c6e3u);
    }
    return mix(h ^ 0x589965cc75374cc3u, c->seed[0] ^ len);
}

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
    /* Without randomness the hash still spreads tokens; only aiming at a set gets easier. */
    if (getrandom(c->seed, sizeof(c->seed), GRND_NONBLOCK) != (ssize_t)sizeof(c->seed)) {
        c->seed[0] = (uint64_t)(uintptr_t)c ^ 0x2d358dccaa6c78a5u;
        c->seed[1] = (uint64_t)(uintptr_t)c->entries ^ 0x8bb84b93962eacc9u;
    }
    return c;
}

static void drop(struct gw_jwt_cache *c, struct entry *e)
{
    if (e->claims) {
        gw_claims_unref(e->claims);
        c->used--;
    }
    free(e->token);
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

static struct entry *set_of(struct gw_jwt_cache *c, uint64_t hash)
{
    return &c->entries[(hash % c->n_sets) * GW_JWT_CACHE_WAYS];
}

static bool same_token(const struct entry *e, uint64_t hash, const char *token, size_t len)
{
    return e->claims && e->hash == hash && e->len == len && memcmp(e->token, token, len) == 0;
}

/* Whether the key that verified the entry is still in keys (compares fingerprints). */
static bool key_present(const struct gw_jwks *keys, const uint8_t fp[32])
{
    for (size_t i = 0; i < gw_jwks_count(keys); i++)
        if (memcmp(gw_jwks_at(keys, i)->fingerprint, fp, 32) == 0)
            return true;
    return false;
}

struct gw_claims *gw_jwt_cache_get(struct gw_jwt_cache *c, const char *token, size_t len,
                                   enum gw_jose_alg alg, const struct gw_jwks *keys, int64_t now)
{
    struct gw_claims *found = NULL;
    struct entry *set;
    uint64_t hash;

    if (!c || !keys || !token)
        return NULL;
    hash = token_hash(c, token, len);
    pthread_mutex_lock(&c->lock);
    set = set_of(c, hash);
    for (int w = 0; w < GW_JWT_CACHE_WAYS; w++) {
        struct entry *e = &set[w];
        if (!same_token(e, hash, token, len))
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

void gw_jwt_cache_put(struct gw_jwt_cache *c, const char *token, size_t len, enum gw_jose_alg alg,
                      const uint8_t key_fingerprint[32], uint64_t serial, struct gw_claims *claims,
                      int64_t now, int64_t expires_at)
{
    struct entry *set, *victim = NULL;
    uint64_t hash;
    char *copy;

    if (!c || !claims || !token)
        return;
    if (expires_at == INT64_MAX || expires_at - now > c->max_ttl_s)
        expires_at = now + c->max_ttl_s;
    if (expires_at < now)
        return;
    copy = malloc(len ? len : 1);
    if (!copy)
        return; /* not cached: the next request verifies again */
    memcpy(copy, token, len);
    hash = token_hash(c, token, len);
    pthread_mutex_lock(&c->lock);
    set = set_of(c, hash);
    for (int w = 0; w < GW_JWT_CACHE_WAYS; w++) {
        struct entry *e = &set[w];
        if (same_token(e, hash, token, len)) {
            victim = e; /* replace the same token's entry */
            break;
        }
        if (!victim || !e->claims || (victim->claims && e->last_used < victim->last_used))
            victim = e;
    }
    drop(c, victim);
    victim->hash = hash;
    victim->token = copy;
    victim->len = len;
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
