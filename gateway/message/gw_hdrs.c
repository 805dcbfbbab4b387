/* gw_hdrs.c - ordered header lists whose strings live in a few blocks per list. */
#include "gw_hdrs.h"

#include "cmn_http.h"
#include "cmn_str.h"

#include <stdlib.h>
#include <string.h>

void gw_hdrs_init(struct gw_hdrs *h, size_t max)
{
    memset(h, 0, sizeof(*h));
    h->max = max ? max : GW_MAX_HEADERS;
}

struct gw_hdrs_block {
    struct gw_hdrs_block *next;
    size_t used, size;
    char data[];
};

#define HDRS_BLOCK (1024 - sizeof(struct gw_hdrs_block)) /* malloc(1024): in glibc's tcache */

void gw_hdrs_free(struct gw_hdrs *h)
{
    if (!h)
        return;
    while (h->blocks) {
        struct gw_hdrs_block *b = h->blocks;
        h->blocks = b->next;
        free(b);
    }
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

/* n bytes of string space from the newest block, or from a new one. */
static char *hdrs_space(struct gw_hdrs *h, size_t n)
{
    struct gw_hdrs_block *b = h->blocks;

    if (!b || b->size - b->used < n) {
        size_t size = n > HDRS_BLOCK ? n : HDRS_BLOCK;
        b = malloc(sizeof(*b) + size);
        if (!b)
            return NULL;
        b->used = 0;
        b->size = size;
        b->next = h->blocks;
        h->blocks = b;
    }
    b->used += n;
    return b->data + b->used - n;
}

bool gw_hdrs_add(struct gw_hdrs *h, const char *name, const char *value)
{
    value = value ? value : "";
    return gw_hdrs_add_n(h, name, strlen(name), value, strlen(value));
}

/* Room for one more header: false when max is reached or memory ran out. */
static bool hdrs_room(struct gw_hdrs *h)
{
    if (h->n >= h->max)
        return false;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        struct gw_hdr *nv = realloc(h->v, cap * sizeof(*nv));
        if (!nv)
            return false;
        h->v = nv;
        h->cap = cap;
    }
    return true;
}

bool gw_hdrs_add_line(struct gw_hdrs *h, const struct cmn_http_line *line)
{
    if (!hdrs_room(h))
        return false;
    h->v[h->n++] = (struct gw_hdr){line->name, line->value, line};
    return true;
}

bool gw_hdrs_set_line(struct gw_hdrs *h, const struct cmn_http_line *line, bool fresh)
{
    if (!fresh)
        gw_hdrs_del(h, line->name);
    return gw_hdrs_add_line(h, line);
}

bool gw_hdrs_add_n(struct gw_hdrs *h, const char *name, size_t nl, const char *value, size_t vl)
{
    char *n, *v;

    if (!hdrs_room(h))
        return false;
    n = hdrs_space(h, nl + 1 + vl + 1); /* name, then value */
    if (!n)
        return false;
    memcpy(n, name, nl);
    n[nl] = '\0';
    v = n + nl + 1;
    memcpy(v, value, vl);
    v[vl] = '\0';
    h->v[h->n++] = (struct gw_hdr){n, v, NULL};
    return true;
}

void gw_hdrs_del(struct gw_hdrs *h, const char *name)
{
    size_t w = 0;

    /* the common case, nothing to remove (every Header.Set of a new name), writes nothing */
    while (w < h->n && !cmn_str_eq_nocase(h->v[w].name, name))
        w++;
    for (size_t i = w; i < h->n; i++) {
        if (!cmn_str_eq_nocase(h->v[i].name, name))
            h->v[w++] = h->v[i]; /* a removed header's strings stay in their block */
    }
    h->n = w;
}

bool gw_hdrs_set(struct gw_hdrs *h, const char *name, const char *value)
{
    gw_hdrs_del(h, name);
    return gw_hdrs_add(h, name, value);
}

const char *gw_hdrs_get(const struct gw_hdrs *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++) {
        if (cmn_str_eq_nocase(h->v[i].name, name))
            return h->v[i].value;
    }
    return NULL;
}
