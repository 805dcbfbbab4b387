/* gw_span.c - span records, their attributes, and the per-thread span buffer. */
#include "gw_span.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A single-producer single-consumer ring of record indices; head and tail on their own lines. */
struct ring {
    uint32_t *slot;
    uint32_t mask;
    char pad0[64 - sizeof(uint32_t *) - sizeof(uint32_t)];
    uint64_t head; /* written by the producer */
    char pad1[56];
    uint64_t tail; /* written by the consumer */
    char pad2[56];
};

struct gw_span_buf {
    struct gw_span *spans;
    uint32_t cap;
    uint16_t slot;
    bool shared;
    uint32_t *free_stack; /* owner only (under mu when shared) */
    uint32_t free_top;
    struct ring done;     /* owner -> exporter */
    struct ring released; /* exporter -> owner */
    pthread_mutex_t mu;   /* the foreign list; everything when shared */
    uint32_t *foreign;    /* finished by other threads, for the exporter */
    uint32_t n_foreign;
    uint64_t dropped; /* atomic */
};

static bool ring_init(struct ring *r, uint32_t cap)
{
    memset(r, 0, sizeof(*r));
    r->slot = calloc(cap, sizeof(uint32_t));
    r->mask = cap - 1;
    return r->slot != NULL;
}

/* Never full: each ring holds at most the pool's records. */
static void ring_push(struct ring *r, uint32_t v)
{
    uint64_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);

    r->slot[h & r->mask] = v;
    __atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
}

static bool ring_pop(struct ring *r, uint32_t *v)
{
    uint64_t t = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);

    if (t == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
        return false;
    *v = r->slot[t & r->mask];
    __atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
    return true;
}

struct gw_span_buf *gw_span_buf_new(unsigned capacity, unsigned slot, bool shared)
{
    struct gw_span_buf *b = calloc(1, sizeof(*b));
    uint32_t cap = 16;

    if (!b || capacity > (1u << 20) || slot > UINT16_MAX) {
        free(b);
        return NULL;
    }
    while (cap < capacity)
        cap <<= 1;
    b->cap = cap;
    b->slot = (uint16_t)slot;
    b->shared = shared;
    pthread_mutex_init(&b->mu, NULL);
    b->spans = aligned_alloc(64, ((size_t)cap * sizeof(struct gw_span) + 63) & ~(size_t)63);
    b->free_stack = calloc(cap, sizeof(uint32_t));
    b->foreign = calloc(cap, sizeof(uint32_t));
    if (!b->spans || !b->free_stack || !b->foreign || !ring_init(&b->done, cap) ||
        !ring_init(&b->released, cap)) {
        gw_span_buf_destroy(b);
        return NULL;
    }
    for (uint32_t i = 0; i < cap; i++)
        b->free_stack[i] = cap - 1 - i;
    b->free_top = cap;
    return b;
}

void gw_span_buf_destroy(struct gw_span_buf *b)
{
    if (!b)
        return;
    free(b->spans);
    free(b->free_stack);
    free(b->foreign);
    free(b->done.slot);
    free(b->released.slot);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

struct gw_span *gw_span_alloc(struct gw_span_buf *b)
{
    struct gw_span *s = NULL;
    uint32_t idx;

    if (b->shared)
        pthread_mutex_lock(&b->mu);
    /* Records the exporter gave back go on top of the stack at once: the next spans reuse the
     * few records still in cache instead of walking the whole pool. */
    while (b->free_top < b->cap && ring_pop(&b->released, &idx))
        b->free_stack[b->free_top++] = idx;
    if (b->free_top == 0) {
        __atomic_fetch_add(&b->dropped, 1, __ATOMIC_RELAXED);
    } else {
        idx = b->free_stack[--b->free_top];
        s = &b->spans[idx];
        /* clear the header only: attributes, events and links are written before their counts
         * grow, the arena before it is used */
        memset(s, 0, offsetof(struct gw_span, attrs));
        s->idx = idx;
        s->slot = b->slot;
    }
    if (b->shared)
        pthread_mutex_unlock(&b->mu);
    return s;
}

void gw_span_finish(struct gw_span_buf *b, struct gw_span *s, bool owner)
{
    if (owner && !b->shared) {
        ring_push(&b->done, s->idx);
        return;
    }
    pthread_mutex_lock(&b->mu);
    b->foreign[b->n_foreign] = s->idx; /* a record is in one place at a time: never full */
    __atomic_store_n(&b->n_foreign, b->n_foreign + 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&b->mu);
}

size_t gw_span_buf_drain(struct gw_span_buf *b, struct gw_span **out, size_t max)
{
    size_t n = 0;
    uint32_t idx;

    while (n < max && ring_pop(&b->done, &idx))
        out[n++] = &b->spans[idx];
    if (n < max && __atomic_load_n(&b->n_foreign, __ATOMIC_RELAXED)) {
        pthread_mutex_lock(&b->mu);
        while (n < max && b->n_foreign) {
            out[n++] = &b->spans[b->foreign[b->n_foreign - 1]];
            __atomic_store_n(&b->n_foreign, b->n_foreign - 1, __ATOMIC_RELAXED);
        }
        pthread_mutex_unlock(&b->mu);
    }
    return n;
}

void gw_span_buf_release(struct gw_span_buf *b, struct gw_span *s)
{
    if (b->shared)
        pthread_mutex_lock(&b->mu);
    ring_push(&b->released, s->idx);
    if (b->shared)
        pthread_mutex_unlock(&b->mu);
}

size_t gw_span_buf_pending(const struct gw_span_buf *b)
{
    uint64_t h = __atomic_load_n(&b->done.head, __ATOMIC_ACQUIRE);
    uint64_t t = __atomic_load_n(&b->done.tail, __ATOMIC_ACQUIRE);

    return (size_t)(h - t) + __atomic_load_n(&b->n_foreign, __ATOMIC_RELAXED);
}

uint64_t gw_span_buf_dropped(const struct gw_span_buf *b)
{
    return __atomic_load_n(&b->dropped, __ATOMIC_RELAXED);
}

/* ---- attributes ---- */

static struct gw_span_attr *slot_for(struct gw_span *s, const char *key, bool find)
{
    if (find) {
        for (uint16_t i = 0; i < s->n_attrs; i++) {
            const char *k = s->attrs[i].key;
            if (k == key || (k[0] == key[0] && strcmp(k, key) == 0))
                return &s->attrs[i];
        }
    }
    if (s->n_attrs == GW_SPAN_MAX_ATTRS) {
        s->dropped_attrs++;
        return NULL;
    }
    s->attrs[s->n_attrs].key = key;
    return &s->attrs[s->n_attrs++];
}

static void put_str(struct gw_span *s, const char *key, const char *v, size_t n, bool find,
                    bool copy)
{
    const char *c = copy ? gw_span_copy(s, v, n) : v;
    struct gw_span_attr *a;

    if (!c || n > UINT16_MAX) {
        s->dropped_attrs++;
        return;
    }
    a = slot_for(s, key, find);
    if (!a)
        return;
    a->type = GW_SA_STR;
    a->n = (uint16_t)n;
    a->v.s = c;
}

void gw_span_add_static(struct gw_span *s, const char *key, const char *v)
{
    put_str(s, key, v, strlen(v), false, false);
}

void gw_span_set_static(struct gw_span *s, const char *key, const char *v, size_t n)
{
    put_str(s, key, v, n, true, false);
}

void gw_span_set_str(struct gw_span *s, const char *key, const char *v, size_t n)
{
    put_str(s, key, v, n, true, true);
}

static void put_scalar(struct gw_span *s, const char *key, uint8_t type, int64_t i, double d,
                       bool find)
{
    struct gw_span_attr *a = slot_for(s, key, find);

    if (!a)
        return;
    a->type = type;
    a->n = 0;
    if (type == GW_SA_DOUBLE)
        a->v.d = d;
    else if (type == GW_SA_BOOL)
        a->v.b = i != 0;
    else
        a->v.i = i;
}

void gw_span_set_int(struct gw_span *s, const char *key, int64_t v)
{
    put_scalar(s, key, GW_SA_INT, v, 0, true);
}

void gw_span_set_bool(struct gw_span *s, const char *key, bool v)
{
    put_scalar(s, key, GW_SA_BOOL, v, 0, true);
}

void gw_span_set_strs(struct gw_span *s, const char *key, size_t key_len, const char *const *vals,
                      const size_t *lens, size_t n)
{
    size_t need = key_len + 1;
    struct gw_span_attr *a;
    char *k, *p;

    for (size_t i = 0; i < n; i++)
        need += 2 + lens[i] + 1;
    if (n > UINT16_MAX || need > GW_SPAN_ARENA - s->arena_used) {
        s->dropped_attrs++;
        return;
    }
    k = s->arena + s->arena_used;
    memcpy(k, key, key_len);
    k[key_len] = '\0';
    p = k + key_len + 1;
    for (size_t i = 0; i < n; i++) {
        uint16_t l = (uint16_t)lens[i];
        memcpy(p, &l, 2);
        if (l)
            memcpy(p + 2, vals[i], l);
        p[2 + l] = '\0';
        p += 2 + l + 1;
    }
    a = slot_for(s, k, true);
    if (!a)
        return;
    s->arena_used += (uint32_t)need;
    a->key = a->key == k ? k : a->key;
    a->type = GW_SA_STRS;
    a->n = (uint16_t)n;
    a->v.s = k + key_len + 1;
}

void gw_span_strs_item(const struct gw_span_attr *a, size_t i, const char **v, size_t *n)
{
    const char *p = a->v.s;
    uint16_t l;

    for (size_t k = 0;; k++) {
        memcpy(&l, p, 2);
        if (k == i) {
            *v = p + 2;
            *n = l;
            return;
        }
        p += 2 + l + 1;
    }
}

void gw_span_add_event(struct gw_span *s, const char *name, int64_t time_ns,
                       const struct gw_span_attr *attrs, size_t n_attrs)
{
    struct gw_span_event *e;

    if (s->n_events == GW_SPAN_MAX_EVENTS) {
        s->dropped_events++;
        return;
    }
    e = &s->events[s->n_events++];
    e->name = name;
    e->time_ns = time_ns;
    e->n_attrs = (uint8_t)(n_attrs < GW_SPAN_MAX_EVENT_ATTRS ? n_attrs : GW_SPAN_MAX_EVENT_ATTRS);
    for (uint8_t i = 0; i < e->n_attrs; i++)
        e->attrs[i] = attrs[i];
}

void gw_span_add_link(struct gw_span *s, const uint8_t trace_id[16], const uint8_t span_id[8],
                      uint32_t flags)
{
    struct gw_span_link *l;

    if (s->n_links == GW_SPAN_MAX_LINKS) {
        s->dropped_links++;
        return;
    }
    l = &s->links[s->n_links++];
    memcpy(l->trace_id, trace_id, 16);
    memcpy(l->span_id, span_id, 8);
    l->flags = flags;
}

void gw_span_set_status(struct gw_span *s, enum gw_span_status st, const char *msg, size_t n)
{
    s->status = (uint8_t)st;
    s->status_msg = msg && n ? gw_span_copy(s, msg, n) : NULL;
}

/* ---- templates ---- */

bool gw_span_tmpl_init(struct gw_span_tmpl *t, const struct gw_span_attr *attrs, size_t n,
                       bool has_statics)
{
    size_t keep[GW_SPAN_MAX_ATTRS], nk = 0, bytes = 0;
    char *at;

    memset(t, 0, sizeof(*t));
    /* resolve repeated keys now: the last value, at the last position */
    for (size_t i = 0; i < n; i++) {
        bool later = false;
        for (size_t j = i + 1; j < n && !later; j++)
            later = strcmp(attrs[i].key, attrs[j].key) == 0;
        if (!later && nk < GW_SPAN_MAX_ATTRS)
            keep[nk++] = i;
    }
    for (size_t i = 0; i < nk; i++)
        bytes += strlen(attrs[keep[i]].key) + 1 +
                 (attrs[keep[i]].type == GW_SA_STR ? (size_t)attrs[keep[i]].n + 1 : 0);
    t->attrs = calloc(nk ? nk : 1, sizeof(*t->attrs));
    t->arena = malloc(bytes + 1);
    if (!t->attrs || !t->arena)
        goto fail;
    at = t->arena;
    for (size_t i = 0; i < nk; i++) {
        const struct gw_span_attr *a = &attrs[keep[i]];
        size_t kl = strlen(a->key) + 1;
        t->attrs[i] = *a;
        memcpy(at, a->key, kl);
        t->attrs[i].key = at;
        at += kl;
        if (a->type == GW_SA_STR) {
            memcpy(at, a->v.s, a->n);
            at[a->n] = '\0';
            t->attrs[i].v.s = at;
            at += a->n + 1;
        } else if (a->type == GW_SA_STRS) {
            t->attrs[i].type = GW_SA_STR; /* not used in templates: keep it safe */
            t->attrs[i].n = 0;
            t->attrs[i].v.s = "";
        }
    }
    t->n = nk;
    t->has_statics = has_statics;
    return true;
fail:
    gw_span_tmpl_free(t);
    return false;
}

void gw_span_tmpl_free(struct gw_span_tmpl *t)
{
    if (!t)
        return;
    free(t->attrs);
    free(t->arena);
    memset(t, 0, sizeof(*t));
}

size_t gw_span_attrs(const struct gw_span *s, const struct gw_span_attr **out, size_t cap)
{
    const struct gw_span_attr *all[GW_SPAN_MAX_ALL_ATTRS];
    /* a span whose keys cannot repeat (the encoder's common case) is gathered straight into out */
    const struct gw_span_attr **to = s->may_dup ? all : out;
    size_t lim = s->may_dup || cap > GW_SPAN_MAX_ALL_ATTRS ? GW_SPAN_MAX_ALL_ATTRS : cap;
    size_t n = 0, k = 0, nt = s->tmpl ? s->tmpl->n : 0;

    for (uint16_t i = 0; i <= s->n_attrs && n < lim; i++) {
        if (i == s->tmpl_pos)
            for (size_t j = 0; j < nt && n < lim; j++)
                to[n++] = &s->tmpl->attrs[j];
        if (i < s->n_attrs && n < lim)
            to[n++] = &s->attrs[i];
    }
    if (!s->may_dup)
        return n;
    for (size_t i = 0; i < n && k < cap; i++) {
        bool later = false;
        for (size_t j = i + 1; s->may_dup && j < n && !later; j++)
            later = all[i]->key == all[j]->key || strcmp(all[i]->key, all[j]->key) == 0;
        if (!later)
            out[k++] = all[i];
    }
    return k;
}
