/* gw_bot_lru.c - the bot detector's verdict cache: hash chains plus a recency list per shard,
 * one mutex per shard, entries and key bytes both capped. */
#include "gw_bot_lru.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SHARDS_LARGE 16
#define MAX_BUCKETS 65536

struct link {
    struct link *prev, *next; /* recency: head.next is the most recent */
};

struct entry {
    struct link l;       /* first member: a link is its entry */
    struct entry *chain; /* next in the hash bucket */
    uint64_t hash;
    bool bot;
    size_t len;
    char key[];
};

struct shard {
    pthread_mutex_t mu;
    struct link head; /* sentinel of the recency ring */
    struct entry **buckets;
    size_t mask;
    size_t count, capacity;
    size_t bytes, max_bytes;
};

struct gw_bot_lru {
    struct shard *shards;
    size_t nshards;
    size_t key_max;
    uint64_t seed[2];
};

/* ---- SipHash-2-4 (Aumasson & Bernstein) ---- */

static uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static void sipround(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl(v[1], 13);
    v[1] ^= v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17);
    v[1] ^= v[2];
    v[2] = rotl(v[2], 32);
}

static uint64_t load_le64(const unsigned char *p)
{
    uint64_t x = 0;

    for (int i = 7; i >= 0; i--)
        x = (x << 8) | p[i];
    return x;
}

uint64_t gw_bot_siphash(const uint64_t k[2], const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t v[4] = {k[0] ^ 0x736f6d6570736575ULL, k[1] ^ 0x646f72616e646f6dULL,
                     k[0] ^ 0x6c7967656e657261ULL, k[1] ^ 0x7465646279746573ULL};
    uint64_t last = (uint64_t)len << 56;
    size_t full = len & ~(size_t)7;

    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = load_le64(p + i);
        v[3] ^= m;
        sipround(v);
        sipround(v);
        v[0] ^= m;
    }
    for (size_t i = full; i < len; i++)
        last |= (uint64_t)p[i] << (8 * (i - full));
    v[3] ^= last;
    sipround(v);
    sipround(v);
    v[0] ^= last;
    v[2] ^= 0xff;
    for (int i = 0; i < 4; i++)
        sipround(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* ---- shards ---- */

static void unlink_entry(struct entry *e)
{
    e->l.prev->next = e->l.next;
    e->l.next->prev = e->l.prev;
}

static void push_front(struct shard *s, struct entry *e)
{
    e->l.next = s->head.next;
    e->l.prev = &s->head;
    s->head.next->prev = &e->l;
    s->head.next = &e->l;
}

static struct entry **find(struct shard *s, uint64_t h, const char *key, size_t len)
{
    struct entry **pp = &s->buckets[h & s->mask];

    for (; *pp; pp = &(*pp)->chain) {
        struct entry *e = *pp;
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
            return pp;
    }
    return pp;
}

static void evict_oldest(struct shard *s)
{
    struct entry *e = (struct entry *)s->head.prev;
    struct entry **pp;

    if (s->head.prev == &s->head)
        return;
    pp = find(s, e->hash, e->key, e->len);
    *pp = e->chain;
    unlink_entry(e);
    s->count--;
    s->bytes -= e->len;
    free(e);
}

static bool shard_init(struct shard *s, size_t capacity, size_t max_bytes)
{
    size_t nb = 1;

    while (nb < capacity && nb < MAX_BUCKETS)
        nb <<= 1;
    s->buckets = calloc(nb, sizeof(*s->buckets));
    if (!s->buckets)
        return false;
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s->buckets);
        s->buckets = NULL;
        return false;
    }
    s->mask = nb - 1;
    s->head.next = s->head.prev = &s->head;
    s->capacity = capacity;
    s->max_bytes = max_bytes;
    return true;
}

static void shard_free(struct shard *s)
{
    struct link *e;

    if (!s->buckets)
        return;
    e = s->head.next;
    while (e != &s->head) {
        struct link *next = e->next;
        free(e); /* the link is the entry's first member */
        e = next;
    }
    free(s->buckets);
    pthread_mutex_destroy(&s->mu);
}

struct gw_bot_lru *gw_bot_lru_new(size_t capacity, size_t key_max, size_t max_bytes,
                                  const uint64_t seed[2])
{
    struct gw_bot_lru *c = calloc(1, sizeof(*c));
    size_t n;

    if (!c || capacity == 0)
        goto fail;
    n = capacity >= GW_BOT_LRU_SHARD_MIN ? SHARDS_LARGE : 1;
    c->shards = calloc(n, sizeof(*c->shards));
    if (!c->shards)
        goto fail;
    c->nshards = n;
    c->key_max = key_max;
    c->seed[0] = seed[0];
    c->seed[1] = seed[1];
    for (size_t i = 0; i < n; i++) {
        size_t cap = capacity / n + (i < capacity % n);
        if (!shard_init(&c->shards[i], cap, max_bytes / n))
            goto fail;
    }
    return c;
fail:
    gw_bot_lru_destroy(c);
    return NULL;
}

void gw_bot_lru_destroy(struct gw_bot_lru *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->shards && i < c->nshards; i++)
        shard_free(&c->shards[i]);
    free(c->shards);
    free(c);
}

static struct shard *shard_of(struct gw_bot_lru *c, uint64_t h)
{
    return &c->shards[(h >> 56) % c->nshards];
}

bool gw_bot_lru_get(struct gw_bot_lru *c, const char *key, size_t len, bool *bot)
{
    uint64_t h;
    struct shard *s;
    struct entry *e;

    if (len > c->key_max)
        return false;
    h = gw_bot_siphash(c->seed, key, len);
    s = shard_of(c, h);
    pthread_mutex_lock(&s->mu);
    e = *find(s, h, key, len);
    if (e) {
        unlink_entry(e);
        push_front(s, e);
        *bot = e->bot;
    }
    pthread_mutex_unlock(&s->mu);
    return e != NULL;
}

bool gw_bot_lru_add(struct gw_bot_lru *c, const char *key, size_t len, bool bot)
{
    uint64_t h;
    struct shard *s;
    struct entry **pp, *e;

    if (len > c->key_max)
        return true;
    h = gw_bot_siphash(c->seed, key, len);
    s = shard_of(c, h);
    /* allocate outside the lock; dropped if another thread added the key meanwhile */
    e = malloc(sizeof(*e) + len);
    if (!e)
        return false;
    e->hash = h;
    e->bot = bot;
    e->len = len;
    e->chain = NULL;
    memcpy(e->key, key, len);
    pthread_mutex_lock(&s->mu);
    pp = find(s, h, key, len);
    if (*pp) {
        (*pp)->bot = bot;
        unlink_entry(*pp);
        push_front(s, *pp);
        pthread_mutex_unlock(&s->mu);
        free(e);
        return true;
    }
    while (s->count > 0 && (s->count >= s->capacity || s->bytes + len > s->max_bytes))
        evict_oldest(s);
    pp = find(s, h, key, len); /* the chain may have changed */
    *pp = e;
    push_front(s, e);
    s->count++;
    s->bytes += len;
    pthread_mutex_unlock(&s->mu);
    return true;
}

size_t gw_bot_lru_len(struct gw_bot_lru *c)
{
    size_t n = 0;

    for (size_t i = 0; i < c->nshards; i++) {
        pthread_mutex_lock(&c->shards[i].mu);
        n += c->shards[i].count;
        pthread_mutex_unlock(&c->shards[i].mu);
    }
    return n;
}
