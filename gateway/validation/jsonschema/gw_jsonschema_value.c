/* gw_jsonschema_value.c - JSON values for the validator: the arena they live in, UTF-8, object
 * member lookup, conversion from jansson, deep copy, equality and hashing. */
#include "gw_jsonschema_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---- */

struct gw_jsonschema_chunk {
    struct gw_jsonschema_chunk *next;
    size_t size;
    max_align_t align[]; /* the bytes */
};

#define CHUNK_FIRST (4u * 1024u)  /* a small body needs no more */
#define CHUNK_MAX (1024u * 1024u) /* chunks double up to this */

void gw_jsonschema_arena_init(struct gw_jsonschema_arena *a, size_t cap)
{
    memset(a, 0, sizeof(*a));
    a->cap = cap;
}

void gw_jsonschema_arena_free(struct gw_jsonschema_arena *a)
{
    struct gw_jsonschema_chunk *c, *next;

    if (!a)
        return;
    for (c = a->chunks; c; c = next) {
        next = c->next;
        free(c);
    }
    memset(a, 0, sizeof(*a));
}

void *gw_jsonschema_alloc(struct gw_jsonschema_arena *a, size_t n)
{
    struct gw_jsonschema_chunk *c;
    size_t size;
    void *p;

    n = (n + 15u) & ~(size_t)15u;
    if (n == 0)
        n = 16;
    if (n > a->left) {
        size = a->chunks ? a->chunks->size * 2 : CHUNK_FIRST;
        if (size > CHUNK_MAX)
            size = CHUNK_MAX;
        if (size < n)
            size = n;
        if (a->total >= a->cap || size > a->cap - a->total)
            return NULL;
        c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->next = a->chunks;
        a->chunks = c;
        a->total += size;
        a->cur = (char *)c->align;
        a->left = size;
    }
    p = a->cur;
    a->cur += n;
    a->left -= n;
    memset(p, 0, n);
    return p;
}

char *gw_jsonschema_strndup(struct gw_jsonschema_arena *a, const char *s, size_t n)
{
    char *p = gw_jsonschema_alloc(a, n + 1);

    if (p) {
        if (n)
            memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* ---- UTF-8 ---- */

int32_t gw_jsonschema_utf8_decode(const char *str, size_t n, size_t *size)
{
    const unsigned char *s = (const unsigned char *)str;
    int32_t c;
    size_t len, i;

    *size = 1;
    if (s[0] < 0x80)
        return s[0];
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        c = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        c = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return -1;
    }
    if (n < len)
        return -1;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return -1;
        c = (c << 6) | (s[i] & 0x3f);
    }
    /* overlong forms, surrogates and values past U+10FFFF are invalid, as for Go */
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return -1;
    *size = len;
    return c;
}

size_t gw_jsonschema_utf8_count(const char *s, size_t n)
{
    size_t i = 0, count = 0, size;

    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
        } else {
            (void)gw_jsonschema_utf8_decode(s + i, n - i, &size);
            i += size;
        }
        count++;
    }
    return count;
}

/* ---- objects: order index, duplicates ---- */

static int key_cmp(const struct gw_jsonschema_member *a, const struct gw_jsonschema_member *b)
{
    size_t n = a->klen < b->klen ? a->klen : b->klen;
    int c = n ? memcmp(a->key, b->key, n) : 0;

    if (c)
        return c;
    return a->klen < b->klen ? -1 : a->klen > b->klen;
}

/* Stable merge sort of member indices by key. */
static void sort_idx(const struct gw_jsonschema_member *m, uint32_t *idx, uint32_t *tmp, uint32_t n)
{
    uint32_t width, i, l, r, lend, rend, k;

    for (width = 1; width < n; width *= 2) {
        for (i = 0; i < n; i += 2 * width) {
            l = i;
            lend = i + width < n ? i + width : n;
            r = lend;
            rend = i + 2 * width < n ? i + 2 * width : n;
            k = i;
            while (l < lend && r < rend)
                tmp[k++] = key_cmp(&m[idx[r]], &m[idx[l]]) < 0 ? idx[r++] : idx[l++];
            while (l < lend)
                tmp[k++] = idx[l++];
            while (r < rend)
                tmp[k++] = idx[r++];
        }
        memcpy(idx, tmp, n * sizeof(*idx));
    }
}

/* Builds obj->order; a key seen again keeps its first place and takes the last value, as a Go map
 * assignment would. Returns false on allocation failure. */
bool gw_jsonschema_object_finish(struct gw_jsonschema_arena *a, struct gw_jsonschema_value *obj)
{
    uint32_t n = obj->len, i, j, out = 0;
    uint32_t *idx, *tmp, *remap;
    bool dup = false;

    if (n == 0)
        return true;
    idx = gw_jsonschema_alloc(a, n * sizeof(*idx));
    tmp = gw_jsonschema_alloc(a, n * sizeof(*tmp));
    if (!idx || !tmp)
        return false;
    for (i = 0; i < n; i++)
        idx[i] = i;
    sort_idx(obj->members, idx, tmp, n);
    for (i = 0; i + 1 < n; i++) {
        if (key_cmp(&obj->members[idx[i]], &obj->members[idx[i + 1]]) == 0) {
            dup = true;
            break;
        }
    }
    if (dup) {
        remap = tmp; /* position -> kept (1) or dropped (0) */
        for (i = 0; i < n; i++)
            remap[i] = 1;
        for (i = 0; i < n; i = j) {
            for (j = i + 1; j < n && key_cmp(&obj->members[idx[i]], &obj->members[idx[j]]) == 0;
                 j++)
                remap[idx[j]] = 0;
            obj->members[idx[i]].val = obj->members[idx[j - 1]].val;
        }
        for (i = 0; i < n; i++) {
            if (remap[i]) {
                obj->members[out] = obj->members[i];
                out++;
            }
        }
        obj->len = n = out;
        for (i = 0; i < n; i++)
            idx[i] = i;
        sort_idx(obj->members, idx, tmp, n);
    }
    obj->order = idx;
    return true;
}

long gw_jsonschema_member_index(const struct gw_jsonschema_value *obj, const char *key, size_t klen)
{
    struct gw_jsonschema_member probe = {key, (uint32_t)klen, NULL};
    uint32_t lo = 0, hi, mid;
    int c;

    if (!obj || obj->type != GW_JST_OBJECT || !obj->order)
        return -1;
    hi = obj->len;
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = key_cmp(&obj->members[obj->order[mid]], &probe);
        if (c == 0)
            return (long)obj->order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const struct gw_jsonschema_value *gw_jsonschema_get(const struct gw_jsonschema_value *obj,
                                                    const char *key, size_t klen)
{
    long i = gw_jsonschema_member_index(obj, key, klen);

    return i < 0 ? NULL : obj->members[i].val;
}

const struct gw_jsonschema_value *gw_jsonschema_getz(const struct gw_jsonschema_value *obj,
                                                     const char *key)
{
    return gw_jsonschema_get(obj, key, strlen(key));
}

/* ---- from jansson ---- */

struct jconv {
    struct gw_jsonschema_arena *a;
    const struct gw_jsonschema_parse_limits *lim;
    size_t nodes;
    struct cmn_err *err;
    enum gw_jsonschema_status st;
};

/* Shortest "%.*g" text that reads back as d. */
static void real_text(double d, char *out, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

static struct gw_jsonschema_value *jconv_value(struct jconv *c, const json_t *j, int depth)
{
    struct gw_jsonschema_value *v;
    char num[64];
    const char *key;
    json_t *item;
    size_t i;

    if (depth > c->lim->max_depth || ++c->nodes > c->lim->max_nodes) {
        c->st = (enum gw_jsonschema_status)cmn_err_set(c->err, GW_JSONSCHEMA_LIMIT,
                                                       "jsonschema: schema too deep or too large");
        return NULL;
    }
    v = gw_jsonschema_alloc(c->a, sizeof(*v));
    if (!v)
        goto nomem;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        v->type = GW_JST_OBJECT;
        v->len = (uint32_t)json_object_size(j);
        v->members = gw_jsonschema_alloc(c->a, v->len * sizeof(*v->members));
        if (!v->members)
            goto nomem;
        i = 0;
        /* jansson's iteration wants a mutable pointer; nothing is modified */
        json_object_foreach((json_t *)(uintptr_t)j, key, item)
        {
            v->members[i].key = gw_jsonschema_strndup(c->a, key, strlen(key));
            v->members[i].klen = (uint32_t)strlen(key);
            v->members[i].val = jconv_value(c, item, depth + 1);
            if (!v->members[i].key || !v->members[i].val)
                return NULL;
            i++;
        }
        if (!gw_jsonschema_object_finish(c->a, v))
            goto nomem;
        break;
    case JSON_ARRAY:
        v->type = GW_JST_ARRAY;
        v->len = (uint32_t)json_array_size(j);
        v->items = gw_jsonschema_alloc(c->a, v->len * sizeof(*v->items));
        if (!v->items)
            goto nomem;
        json_array_foreach(j, i, item)
        {
            v->items[i] = jconv_value(c, item, depth + 1);
            if (!v->items[i])
                return NULL;
        }
        break;
    case JSON_STRING:
        v->type = GW_JST_STRING;
        v->len = (uint32_t)json_string_length(j);
        v->str = gw_jsonschema_strndup(c->a, json_string_value(j), v->len);
        if (!v->str)
            goto nomem;
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        v->type = GW_JST_NUMBER;
        if (json_is_integer(j))
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        else
            real_text(json_real_value(j), num, sizeof(num));
        v->len = (uint32_t)strlen(num);
        v->str = gw_jsonschema_strndup(c->a, num, v->len);
        if (!v->str || !gw_jsonschema_num_parse(c->a, v->str, v->len, &v->num))
            goto nomem;
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        v->type = GW_JST_BOOL;
        v->b = json_is_true(j);
        break;
    default:
        v->type = GW_JST_NULL;
        break;
    }
    return v;
nomem:
    c->st = (enum gw_jsonschema_status)cmn_err_set(c->err, GW_JSONSCHEMA_NOMEM,
                                                   "jsonschema: out of memory for the schema");
    return NULL;
}

enum gw_jsonschema_status gw_jsonschema_from_jansson(struct gw_jsonschema_arena *a, const json_t *j,
                                                     const struct gw_jsonschema_parse_limits *lim,
                                                     struct gw_jsonschema_value **out,
                                                     struct cmn_err *err)
{
    struct jconv c = {a, lim, 0, err, GW_JSONSCHEMA_OK};

    *out = j ? jconv_value(&c, j, 0) : NULL;
    if (*out)
        return GW_JSONSCHEMA_OK;
    if (!j)
        return (enum gw_jsonschema_status)cmn_err_set(err, GW_JSONSCHEMA_SCHEMA,
                                                      "jsonschema: no schema");
    return c.st;
}

struct gw_jsonschema_value *gw_jsonschema_value_copy(struct gw_jsonschema_arena *a,
                                                     const struct gw_jsonschema_value *v)
{
    struct gw_jsonschema_value *c = gw_jsonschema_alloc(a, sizeof(*c));
    uint32_t i;

    if (!c)
        return NULL;
    *c = *v;
    if (v->str && !(c->str = gw_jsonschema_strndup(a, v->str, v->len)))
        return NULL;
    if (v->type == GW_JST_NUMBER) {
        c->num.dig = gw_jsonschema_strndup(a, v->num.dig, v->num.ndig);
        if (!c->num.dig)
            return NULL;
    }
    if (v->type == GW_JST_ARRAY) {
        c->items = gw_jsonschema_alloc(a, v->len * sizeof(*c->items));
        if (!c->items)
            return NULL;
        for (i = 0; i < v->len; i++)
            if (!(c->items[i] = gw_jsonschema_value_copy(a, v->items[i])))
                return NULL;
    } else if (v->type == GW_JST_OBJECT) {
        c->members = gw_jsonschema_alloc(a, v->len * sizeof(*c->members));
        c->order = gw_jsonschema_alloc(a, v->len * sizeof(*c->order));
        if (!c->members || !c->order)
            return NULL;
        if (v->len)
            memcpy(c->order, v->order, v->len * sizeof(*c->order));
        for (i = 0; i < v->len; i++) {
            c->members[i].klen = v->members[i].klen;
            c->members[i].key = gw_jsonschema_strndup(a, v->members[i].key, v->members[i].klen);
            c->members[i].val = gw_jsonschema_value_copy(a, v->members[i].val);
            if (!c->members[i].key || !c->members[i].val)
                return NULL;
        }
    }
    return c;
}

/* ---- equality, hashing, duplicates ---- */

bool gw_jsonschema_equal(const struct gw_jsonschema_value *a, const struct gw_jsonschema_value *b,
                         uint64_t *work)
{
    const struct gw_jsonschema_value *o;
    uint32_t i;

    (*work)++;
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case GW_JST_NULL:
        return true;
    case GW_JST_BOOL:
        return a->b == b->b;
    case GW_JST_NUMBER:
        return gw_jsonschema_num_cmp(&a->num, &b->num) == 0;
    case GW_JST_STRING:
        *work += a->len / 64;
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case GW_JST_ARRAY:
        if (a->len != b->len)
            return false;
        for (i = 0; i < a->len; i++)
            if (!gw_jsonschema_equal(a->items[i], b->items[i], work))
                return false;
        return true;
    default:
        if (a->len != b->len)
            return false;
        for (i = 0; i < a->len; i++) {
            o = gw_jsonschema_get(b, a->members[i].key, a->members[i].klen);
            if (!o || !gw_jsonschema_equal(a->members[i].val, o, work))
                return false;
        }
        return true;
    }
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;

    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t gw_jsonschema_hash(const struct gw_jsonschema_value *v)
{
    uint64_t h = 0xcbf29ce484222325ull, sum = 0;
    uint8_t t = v->type;
    uint32_t i;

    h = fnv(h, &t, 1);
    switch (v->type) {
    case GW_JST_BOOL:
        h = fnv(h, &v->b, 1);
        break;
    case GW_JST_NUMBER:
        h = fnv(h, &v->num.neg, 1);
        h = fnv(h, &v->num.exp, sizeof(v->num.exp));
        h = fnv(h, v->num.dig, v->num.ndig);
        break;
    case GW_JST_STRING:
        h = fnv(h, v->str, v->len);
        break;
    case GW_JST_ARRAY:
        for (i = 0; i < v->len; i++) {
            uint64_t c = gw_jsonschema_hash(v->items[i]);
            h = fnv(h, &c, sizeof(c));
        }
        break;
    case GW_JST_OBJECT:
        /* member order does not matter: a sum of per-member hashes */
        for (i = 0; i < v->len; i++) {
            uint64_t k = fnv(0xcbf29ce484222325ull, v->members[i].key, v->members[i].klen);
            sum += k * 31u + gw_jsonschema_hash(v->members[i].val);
        }
        h = fnv(h, &sum, sizeof(sum));
        break;
    default:
        break;
    }
    return h;
}

/* Stable merge sort of item indices by hash (equal hashes keep index order). */
static void sort_by_hash(const uint64_t *h, uint32_t *idx, uint32_t *tmp, uint32_t n)
{
    for (uint32_t w = 1; w < n; w *= 2) {
        for (uint32_t i = 0; i < n; i += 2 * w) {
            uint32_t a = i, ae = i + w < n ? i + w : n, b = ae, be = i + 2 * w < n ? i + 2 * w : n;
            uint32_t k = i;
            while (a < ae && b < be)
                tmp[k++] = h[idx[b]] < h[idx[a]] ? idx[b++] : idx[a++];
            while (a < ae)
                tmp[k++] = idx[a++];
            while (b < be)
                tmp[k++] = idx[b++];
        }
        memcpy(idx, tmp, n * sizeof(*idx));
    }
}

int gw_jsonschema_first_duplicate(struct gw_jsonschema_arena *a,
                                  const struct gw_jsonschema_value *arr, uint32_t *j, uint32_t *i,
                                  uint64_t *work)
{
    uint32_t n = arr->len, *idx, *tmp, x, y, start, end, best_i = UINT32_MAX, best_j = 0;
    uint64_t *h;

    if (n < 2)
        return 0;
    h = gw_jsonschema_alloc(a, n * sizeof(*h));
    idx = gw_jsonschema_alloc(a, n * sizeof(*idx));
    tmp = gw_jsonschema_alloc(a, n * sizeof(*tmp));
    if (!h || !idx || !tmp)
        return -1;
    for (x = 0; x < n; x++) {
        h[x] = gw_jsonschema_hash(arr->items[x]);
        idx[x] = x;
    }
    sort_by_hash(h, idx, tmp, n);
    /* within a run of equal hashes (in index order), the first item equal to an earlier one */
    for (start = 0; start < n; start = end) {
        for (end = start + 1; end < n && h[idx[end]] == h[idx[start]]; end++)
            ;
        for (x = start + 1; x < end && idx[x] < best_i; x++) {
            for (y = start; y < x; y++) {
                if (gw_jsonschema_equal(arr->items[idx[x]], arr->items[idx[y]], work)) {
                    best_i = idx[x];
                    best_j = idx[y];
                    break;
                }
            }
            if (best_i == idx[x])
                break;
        }
    }
    *i = best_i;
    *j = best_j;
    return best_i != UINT32_MAX;
}
