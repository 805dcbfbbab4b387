/* gw_tel.c - owned lists and per-thread slots for the telemetry modules. */
#include "gw_tel.h"

#include <stdlib.h>
#include <string.h>

bool gw_tel_strs_add(struct gw_tel_strs *s, const char *str)
{
    char **n = realloc(s->items, (s->n + 1) * sizeof(*n));
    char *c = strdup(str ? str : "");

    if (n)
        s->items = n;
    if (!n || !c) {
        free(c);
        return false;
    }
    s->items[s->n++] = c;
    return true;
}

void gw_tel_strs_free(struct gw_tel_strs *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

bool gw_tel_strs_copy(struct gw_tel_strs *dst, const struct gw_tel_strs *src)
{
    memset(dst, 0, sizeof(*dst));
    for (size_t i = 0; i < src->n; i++) {
        if (!gw_tel_strs_add(dst, src->items[i]))
            return false;
    }
    return true;
}

bool gw_tel_kvs_add(struct gw_tel_kvs *k, const char *key, const char *value)
{
    struct gw_tel_kv *n = realloc(k->items, (k->n + 1) * sizeof(*n));

    if (!n)
        return false;
    k->items = n;
    n[k->n].key = strdup(key);
    n[k->n].value = strdup(value);
    if (!n[k->n].key || !n[k->n].value) {
        free(n[k->n].key);
        free(n[k->n].value);
        return false;
    }
    k->n++;
    return true;
}

void gw_tel_kvs_free(struct gw_tel_kvs *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++) {
        free(k->items[i].key);
        free(k->items[i].value);
    }
    free(k->items);
    k->items = NULL;
    k->n = 0;
}

bool gw_tel_kvs_copy(struct gw_tel_kvs *dst, const struct gw_tel_kvs *src)
{
    memset(dst, 0, sizeof(*dst));
    for (size_t i = 0; i < src->n; i++) {
        if (!gw_tel_kvs_add(dst, src->items[i].key, src->items[i].value))
            return false;
    }
    return true;
}

/* ---- routes ---------------------------------------------------------------------------------- */

static bool param_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

char *gw_tel_endpoint_route(const char *p)
{
    size_t n = strlen(p);
    char *out = malloc(n + 1), *o = out;

    if (!out)
        return NULL;
    /* Lura's /\{([a-zA-Z\-_0-9]+)\} -> /:$1 */
    for (size_t i = 0; i < n;) {
        if (p[i] == '/' && i + 1 < n && p[i + 1] == '{') {
            size_t j = i + 2;
            while (j < n && param_char(p[j]))
                j++;
            if (j < n && p[j] == '}' && j > i + 2) {
                *o++ = '/';
                *o++ = ':';
                memcpy(o, p + i + 2, j - i - 2);
                o += j - i - 2;
                i = j + 1;
                continue;
            }
        }
        *o++ = p[i++];
    }
    *o = '\0';
    return out;
}

/* ---- thread slots ---------------------------------------------------------------------------- */

static atomic_uint_fast64_t g_gen = 1;

/* A thread records into a few slot sets at most (the OpenTelemetry layers, the legacy
 * collector): it remembers its slot in each. */
#define REMEMBERED 4

static _Thread_local struct {
    uint64_t gen;
    unsigned slot;
} tl_slots[REMEMBERED];

void gw_tel_slots_init(struct gw_tel_slots *s, unsigned cap)
{
    s->cap = cap;
    atomic_init(&s->next, 0);
    s->gen = atomic_fetch_add(&g_gen, 1);
}

unsigned gw_tel_slot(struct gw_tel_slots *s)
{
    unsigned i, slot;

    for (i = 0; i < REMEMBERED; i++) {
        if (tl_slots[i].gen == s->gen)
            return tl_slots[i].slot;
    }
    slot = atomic_fetch_add(&s->next, 1);
    if (slot >= s->cap)
        slot = s->cap; /* shared */
    /* keep the newest sets: an older one is from slots that were freed since */
    for (i = REMEMBERED - 1; i > 0; i--)
        tl_slots[i] = tl_slots[i - 1];
    tl_slots[0].gen = s->gen;
    tl_slots[0].slot = slot;
    return slot;
}
