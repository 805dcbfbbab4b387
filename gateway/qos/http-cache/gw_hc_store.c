/* gw_hc_store.c - stored responses and the store: an LRU bounded by entry bytes and by item
 * count, like krakend/lru, for every store (KrakenD's "unbounded" maps included, which get
 * the registry's default bounds). One mutex per store; entries are immutable and
 * reference-counted, so a response being served outlives its eviction. */
#include "gw_hc_int.h"

#include "cmn_http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 64
#define MAX_BUCKETS ((size_t)1 << 24)

/* ---- entries ---- */

static uint64_t serial_size(long status, const struct gw_hdrs *h, size_t body_len)
{
    char line[64];
    const char *reason = cmn_http_reason((unsigned)status);
    uint64_t size = (uint64_t)snprintf(line, sizeof(line), "HTTP/1.1 %03ld ", status) +
                    strlen(reason) + 2 + 2 + body_len;

    for (size_t i = 0; i < h->n; i++)
        size += strlen(h->v[i].name) + 2 + strlen(h->v[i].value) + 2;
    return size;
}

static bool copy_headers(struct gw_hdrs *dst, const struct gw_hdrs *src,
                         bool (*drop)(const void *ud, const char *name), const void *ud,
                         size_t *bytes)
{
    for (size_t i = 0; src && i < src->n; i++) {
        const struct gw_hdr *f = &src->v[i];

        if (drop && drop(ud, f->name))
            continue;
        if (!gw_hdrs_add(dst, f->name, f->value))
            return false;
        *bytes += strlen(f->name) + strlen(f->value) + 2 + sizeof(*f);
    }
    return true;
}

struct gw_hc_entry *gw_hc_entry_build(long status, const struct gw_hdrs *h,
                                      bool (*drop)(const void *ud, const char *name),
                                      const void *ud, const struct gw_hdrs *add, const char *body,
                                      size_t body_len)
{
    struct gw_hc_entry *e = calloc(1, sizeof(*e));
    size_t bytes = sizeof(*e) + body_len + 1;

    if (!e)
        return NULL;
    atomic_init(&e->refs, 1);
    e->r.status = status;
    gw_hdrs_init(&e->r.headers, 0);
    e->r.body = malloc(body_len + 1);
    if (!e->r.body || !copy_headers(&e->r.headers, h, drop, ud, &bytes) ||
        !copy_headers(&e->r.headers, add, NULL, NULL, &bytes)) {
        gw_fetch_result_free(&e->r);
        free(e);
        return NULL;
    }
    if (body_len)
        memcpy(e->r.body, body, body_len);
    e->r.body[body_len] = '\0';
    e->r.body_len = body_len;
    e->size = serial_size(status, &e->r.headers, body_len);
    e->alloc = bytes;
    return e;
}

struct gw_hc_entry *gw_hc_entry_ref(struct gw_hc_entry *e)
{
    if (e)
        atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
    return e;
}

void gw_hc_entry_release(struct gw_hc_entry *e)
{
    if (e && atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1) {
        gw_fetch_result_free(&e->r);
        free(e);
    }
}

const struct gw_fetch_result *gw_hc_entry_result(const struct gw_hc_entry *e)
{
    return &e->r;
}

uint64_t gw_hc_entry_size(const struct gw_hc_entry *e)
{
    return e ? e->size : 0;
}

struct gw_fetch_result *gw_hc_result_new(const struct gw_hc_entry *e, const char *url)
{
    struct gw_fetch_result *r = calloc(1, sizeof(*r));
    size_t unused = 0;

    if (!r)
        return NULL;
    r->status = e->r.status;
    gw_hdrs_init(&r->headers, 0);
    r->body = malloc(e->r.body_len + 1);
    r->url = url ? strdup(url) : NULL;
    if (!r->body || (url && !r->url) ||
        !copy_headers(&r->headers, &e->r.headers, NULL, NULL, &unused)) {
        gw_fetch_result_free(r);
        free(r);
        return NULL;
    }
    memcpy(r->body, e->r.body, e->r.body_len + 1);
    r->body_len = e->r.body_len;
    return r;
}

/* ---- the store ---- */

struct node {
    struct node *prev, *next; /* recency: head is the most recent */
    struct node *chain;       /* hash bucket */
    uint64_t hash;
    struct gw_hc_entry *e;
    size_t key_len;
    char key[];
};

struct gw_hc_store {
    _Atomic uint32_t refs;
    pthread_mutex_t mu;
    struct node **buckets;
    size_t nbuckets;
    struct node *head, *tail;
    uint64_t items, bytes, mem, evictions;
    uint64_t max_bytes, max_items;
    struct cmn_siphash_key key;
};

struct gw_hc_store *gw_hc_store_new(uint64_t max_bytes, uint64_t max_items,
                                    const struct cmn_siphash_key *key)
{
    struct gw_hc_store *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->nbuckets = MIN_BUCKETS;
    s->buckets = calloc(s->nbuckets, sizeof(*s->buckets));
    if (!s->buckets || pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s->buckets);
        free(s);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    s->max_bytes = max_bytes ? max_bytes : 1;
    s->max_items = max_items ? max_items : 1;
    s->mem = sizeof(*s) + s->nbuckets * sizeof(*s->buckets);
    if (key)
        s->key = *key;
    return s;
}

struct gw_hc_store *gw_hc_store_ref(struct gw_hc_store *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

static void free_node(struct node *n)
{
    gw_hc_entry_release(n->e);
    free(n);
}

void gw_hc_store_destroy(struct gw_hc_store *s)
{
    struct node *n, *next;

    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (n = s->head; n; n = next) {
        next = n->next;
        free_node(n);
    }
    pthread_mutex_destroy(&s->mu);
    free(s->buckets);
    free(s);
}

static uint64_t hash_key(const struct gw_hc_store *s, const char *key, size_t len)
{
    uint64_t h[2];

    cmn_siphash128(&s->key, key, len, h);
    return h[0];
}

static struct node **slot_of(struct gw_hc_store *s, uint64_t h, const char *key, size_t len)
{
    struct node **pp = &s->buckets[h & (s->nbuckets - 1)];

    for (; *pp; pp = &(*pp)->chain) {
        if ((*pp)->hash == h && (*pp)->key_len == len && memcmp((*pp)->key, key, len) == 0)
            break;
    }
    return pp;
}

static void lru_unlink(struct gw_hc_store *s, struct node *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        s->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        s->tail = n->prev;
    n->prev = n->next = NULL;
}

static void lru_push_front(struct gw_hc_store *s, struct node *n)
{
    n->next = s->head;
    n->prev = NULL;
    if (s->head)
        s->head->prev = n;
    s->head = n;
    if (!s->tail)
        s->tail = n;
}

/* Unlinks n from its bucket and the recency list, and drops it from the totals. */
static void remove_node(struct gw_hc_store *s, struct node *n)
{
    struct node **pp = slot_of(s, n->hash, n->key, n->key_len);

    *pp = n->chain;
    lru_unlink(s, n);
    s->items--;
    s->bytes -= n->e->size;
    s->mem -= sizeof(*n) + n->key_len + n->e->alloc;
}

static void grow(struct gw_hc_store *s)
{
    size_t nb = s->nbuckets * 2;
    struct node **b;

    if (s->items <= s->nbuckets || nb > MAX_BUCKETS)
        return;
    b = calloc(nb, sizeof(*b));
    if (!b)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < s->nbuckets; i++) {
        struct node *n = s->buckets[i], *next;

        for (; n; n = next) {
            next = n->chain;
            n->chain = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
        }
    }
    s->mem += (nb - s->nbuckets) * sizeof(*b);
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = nb;
}

/* Evicts least recently used entries (never `keep`) until within both bounds. */
static void evict(struct gw_hc_store *s, const struct node *keep)
{
    while ((s->bytes > s->max_bytes || s->items > s->max_items) && s->tail && s->tail != keep) {
        struct node *victim = s->tail;

        remove_node(s, victim);
        s->evictions++;
        free_node(victim);
    }
}

struct gw_hc_entry *gw_hc_store_get(struct gw_hc_store *s, const char *key, size_t key_len)
{
    uint64_t h = hash_key(s, key, key_len);
    struct node *n;
    struct gw_hc_entry *e = NULL;

    pthread_mutex_lock(&s->mu);
    n = *slot_of(s, h, key, key_len);
    if (n) {
        lru_unlink(s, n);
        lru_push_front(s, n);
        e = gw_hc_entry_ref(n->e);
    }
    pthread_mutex_unlock(&s->mu);
    return e;
}

void gw_hc_store_set(struct gw_hc_store *s, const char *key, size_t key_len, struct gw_hc_entry *e)
{
    uint64_t h;
    struct node **pp, *n;
    struct gw_hc_entry *old = NULL;

    /* krakend/lru: `len(resp) >= int(maxSize)` refuses; an int(maxSize) that went negative
     * (max_size above 2^63 - 1) refuses everything */
    if (!e || e->size >= s->max_bytes || s->max_bytes > (uint64_t)INT64_MAX) {
        gw_hc_entry_release(e);
        return;
    }
    h = hash_key(s, key, key_len);
    pthread_mutex_lock(&s->mu);
    pp = slot_of(s, h, key, key_len);
    if (*pp) {
        /* krakend/lru replaces the value without fixing its byte count; we fix it */
        n = *pp;
        old = n->e;
        s->bytes = s->bytes - old->size + e->size;
        s->mem = s->mem - old->alloc + e->alloc;
        n->e = e;
        lru_unlink(s, n);
        lru_push_front(s, n);
        evict(s, n);
        goto out;
    }
    n = malloc(sizeof(*n) + key_len);
    if (!n) {
        old = e;
        goto out;
    }
    memcpy(n->key, key, key_len);
    n->key_len = key_len;
    n->hash = h;
    n->e = e;
    n->chain = NULL;
    *pp = n;
    lru_push_front(s, n);
    s->items++;
    s->bytes += e->size;
    s->mem += sizeof(*n) + key_len + e->alloc;
    evict(s, n);
    grow(s);
out:
    pthread_mutex_unlock(&s->mu);
    gw_hc_entry_release(old);
}

void gw_hc_store_delete(struct gw_hc_store *s, const char *key, size_t key_len)
{
    uint64_t h = hash_key(s, key, key_len);
    struct node *n;

    pthread_mutex_lock(&s->mu);
    n = *slot_of(s, h, key, key_len);
    if (n)
        remove_node(s, n);
    pthread_mutex_unlock(&s->mu);
    if (n)
        free_node(n);
}

struct gw_hc_store_stats gw_hc_store_stats(struct gw_hc_store *s)
{
    struct gw_hc_store_stats st;

    pthread_mutex_lock(&s->mu);
    st.items = s->items;
    st.bytes = s->bytes;
    st.mem_bytes = s->mem;
    st.evictions = s->evictions;
    pthread_mutex_unlock(&s->mu);
    return st;
}
