/* gw_cel_agg.c - CEL lists and maps: native (arena) and host-backed (JSON read in place). */
#include "gw_cel_int.h"

#include "gw_gojson.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define INDEX_MIN 8 /* maps with at least this many entries get a hash index */
#define KV_MAX 4096 /* pairs per map: grouping is linear in the distinct names */

/* ---- host documents ------------------------------------------------------------------------- */

static const struct gw_cel_host_ops *hops(const struct gw_cel_val *v)
{
    return v->v.p.a;
}

static struct gw_cel_val host_number(struct gw_cel_arena *a, const struct gw_cel_host_ops *ops,
                                     const void *node, unsigned flags)
{
    const char *text = NULL;
    size_t len = 0;
    double d = 0;
    int64_t i;
    bool exact = ops->integer && ops->integer(node, &i);
    char buf[40];

    ops->number(node, &d, &text, &len);
    if (!(flags & VF_NUMTEXT))
        return gw_cel_double(exact ? (double)i : d);
    if (text)
        return gw_cel_string(text, len);
    if (exact) {
        len = (size_t)snprintf(buf, sizeof(buf), "%lld", (long long)i);
    } else { /* the json.Number of what encoding/json wrote for this float64 */
        gw_json_format_float(d, buf, sizeof(buf));
        len = strlen(buf);
    }
    text = a ? cel_strdup(a, buf, len) : NULL;
    if (!text)
        return cel_err_static("evaluation memory limit exceeded");
    return gw_cel_string(text, len);
}

struct gw_cel_val cel_host_value(struct gw_cel_arena *a, const struct gw_cel_host_ops *ops,
                                 const void *node, unsigned flags)
{
    struct gw_cel_val v = gw_cel_null();
    const char *s = NULL;
    size_t n = 0;

    if (!node)
        return v;
    switch (ops->type(node)) {
    case GW_CEL_HOST_BOOL:
        return gw_cel_bool(ops->boolean(node));
    case GW_CEL_HOST_NUMBER:
        return host_number(a, ops, node, flags);
    case GW_CEL_HOST_STRING:
        ops->string(node, &s, &n);
        return gw_cel_string(s, n);
    case GW_CEL_HOST_ARRAY:
        v.kind = GW_CEL_LIST;
        break;
    case GW_CEL_HOST_OBJECT:
        v.kind = GW_CEL_MAP;
        break;
    default:
        return v;
    }
    v.flags = (uint8_t)(VF_HOST | (flags & VF_NUMTEXT));
    v.v.p.a = ops;
    v.v.p.b = node;
    return v;
}

struct gw_cel_val gw_cel_host(const struct gw_cel_host_ops *ops, const void *node,
                              enum gw_cel_numbers mode)
{
    return cel_host_value(NULL, ops, node, mode == GW_CEL_NUMBERS_TEXT ? VF_NUMTEXT : 0);
}

/* ---- jansson as a host ---------------------------------------------------------------------- */

static enum gw_cel_host_type j_type(const void *node)
{
    switch (json_typeof((const json_t *)node)) {
    case JSON_OBJECT:
        return GW_CEL_HOST_OBJECT;
    case JSON_ARRAY:
        return GW_CEL_HOST_ARRAY;
    case JSON_STRING:
        return GW_CEL_HOST_STRING;
    case JSON_INTEGER:
    case JSON_REAL:
        return GW_CEL_HOST_NUMBER;
    case JSON_TRUE:
    case JSON_FALSE:
        return GW_CEL_HOST_BOOL;
    default:
        return GW_CEL_HOST_NULL;
    }
}

static bool j_bool(const void *node)
{
    return json_is_true((const json_t *)node);
}

static void j_number(const void *node, double *d, const char **text, size_t *len)
{
    *d = json_number_value((const json_t *)node);
    *text = NULL;
    *len = 0;
}

static bool j_integer(const void *node, int64_t *i)
{
    if (!json_is_integer((const json_t *)node))
        return false;
    *i = (int64_t)json_integer_value((const json_t *)node);
    return true;
}

static void j_string(const void *node, const char **s, size_t *len)
{
    *s = json_string_value((const json_t *)node);
    *len = json_string_length((const json_t *)node);
}

static size_t j_size(const void *node)
{
    const json_t *j = node;
    return json_is_array(j) ? json_array_size(j) : json_object_size(j);
}

static const void *j_at(const void *node, size_t i)
{
    return json_array_get((const json_t *)node, i);
}

static const void *j_get(const void *node, const char *key, size_t klen)
{
    return json_object_getn((const json_t *)node, key, klen);
}

static bool j_next(const void *node, void **it, const char **key, size_t *klen, const void **val)
{
    json_t *obj = (json_t *)(uintptr_t)node; /* jansson's iterator API is not const */

    *it = *it ? json_object_iter_next(obj, *it) : json_object_iter(obj);
    if (!*it)
        return false;
    *key = json_object_iter_key(*it);
    *klen = json_object_iter_key_len(*it);
    *val = json_object_iter_value(*it);
    return true;
}

static const struct gw_cel_host_ops JANSSON_OPS = {
    j_type, j_bool, j_number, j_integer, j_string, j_size, j_at, j_get, j_next,
};

struct gw_cel_val gw_cel_json(const json_t *j, enum gw_cel_numbers mode)
{
    return gw_cel_host(&JANSSON_OPS, j, mode);
}

/* ---- uniform access ------------------------------------------------------------------------- */

size_t cel_len(const struct gw_cel_val *v)
{
    if (v->flags & VF_HOST)
        return hops(v)->size(v->v.p.b);
    if (v->kind == GW_CEL_LIST)
        return ((const struct gw_cel_list *)v->v.p.a)->n;
    return ((const struct gw_cel_map *)v->v.p.a)->n;
}

size_t gw_cel_size(const struct gw_cel_val *v)
{
    return v->kind == GW_CEL_LIST || v->kind == GW_CEL_MAP ? cel_len(v) : 0;
}

struct gw_cel_val cel_list_at(struct gw_cel_arena *a, const struct gw_cel_val *l, size_t i)
{
    if (l->flags & VF_HOST)
        return cel_host_value(a, hops(l), hops(l)->at(l->v.p.b, i), l->flags);
    return ((const struct gw_cel_list *)l->v.p.a)->items[i];
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static uint64_t hash_key(const struct gw_cel_val *k)
{
    uint64_t h;

    switch (k->kind) {
    case GW_CEL_STRING:
        return hash_bytes(k->v.s, k->n);
    case GW_CEL_BOOL:
        return k->v.b ? 0x9e3779b97f4a7c15ULL : 0x7f4a7c159e3779b9ULL;
    default:
        h = k->v.u;
        break; /* int and uint of equal value share their bits */
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static bool key_match(const struct gw_cel_val *k, const struct gw_cel_val *q)
{
    if (k->kind == q->kind) {
        switch (k->kind) {
        case GW_CEL_STRING:
            return k->n == q->n && memcmp(k->v.s, q->v.s, k->n) == 0;
        case GW_CEL_BOOL:
            return k->v.b == q->v.b;
        default:
            return k->v.u == q->v.u;
        }
    }
    if (k->kind == GW_CEL_INT && q->kind == GW_CEL_UINT)
        return k->v.i >= 0 && (uint64_t)k->v.i == q->v.u;
    if (k->kind == GW_CEL_UINT && q->kind == GW_CEL_INT)
        return q->v.i >= 0 && (uint64_t)q->v.i == k->v.u;
    return false;
}

/* A query key in the forms map keys take: doubles become ints or uints when lossless. */
static bool normalize_key(const struct gw_cel_val *key, struct gw_cel_val *q)
{
    *q = *key;
    switch (key->kind) {
    case GW_CEL_STRING:
    case GW_CEL_BOOL:
    case GW_CEL_INT:
    case GW_CEL_UINT:
        return true;
    case GW_CEL_DOUBLE:
        if (key->v.d > -9223372036854775808.0 && key->v.d < 9223372036854775808.0 &&
            (double)(int64_t)key->v.d == key->v.d) {
            *q = gw_cel_int((int64_t)key->v.d);
            return true;
        }
        if (key->v.d >= 0 && key->v.d < 18446744073709551616.0 &&
            (double)(uint64_t)key->v.d == key->v.d) {
            *q = gw_cel_uint((uint64_t)key->v.d);
            return true;
        }
        return false;
    default:
        return false;
    }
}

static long native_find(const struct gw_cel_map *m, const struct gw_cel_val *q)
{
    if (m->index) {
        for (uint32_t h = (uint32_t)hash_key(q) & m->mask;; h = (h + 1) & m->mask) {
            uint32_t e = m->index[h];
            if (!e)
                return -1;
            if (key_match(&m->keys[e - 1], q))
                return (long)e - 1;
        }
    }
    for (size_t i = 0; i < m->n; i++)
        if (key_match(&m->keys[i], q))
            return (long)i;
    return -1;
}

bool cel_map_find(struct gw_cel_arena *a, const struct gw_cel_val *m, const struct gw_cel_val *key,
                  struct gw_cel_val *out)
{
    struct gw_cel_val q;

    if (!normalize_key(key, &q))
        return false;
    if (m->flags & VF_HOST) {
        const void *node;
        if (q.kind != GW_CEL_STRING)
            return false;
        node = hops(m)->get(m->v.p.b, q.v.s, q.n);
        if (!node)
            return false;
        *out = cel_host_value(a, hops(m), node, m->flags);
        return true;
    }
    const struct gw_cel_map *nm = m->v.p.a;
    long i = native_find(nm, &q);
    if (i < 0)
        return false;
    *out = nm->vals[i];
    return true;
}

bool cel_map_next(struct gw_cel_arena *a, const struct gw_cel_val *m, void **it,
                  struct gw_cel_val *key, struct gw_cel_val *val)
{
    if (m->flags & VF_HOST) {
        const char *k;
        size_t klen;
        const void *node;
        if (!hops(m)->next(m->v.p.b, it, &k, &klen, &node))
            return false;
        *key = gw_cel_string(k, klen);
        *val = cel_host_value(a, hops(m), node, m->flags);
        return true;
    }
    const struct gw_cel_map *nm = m->v.p.a;
    size_t i = (size_t)(uintptr_t)*it;
    if (i >= nm->n)
        return false;
    *key = nm->keys[i];
    *val = nm->vals[i];
    *it = (void *)(uintptr_t)(i + 1);
    return true;
}

/* ---- builders ------------------------------------------------------------------------------- */

int gw_cel_list_new(struct gw_cel_arena *a, const struct gw_cel_val *items, size_t n,
                    struct gw_cel_val *out)
{
    struct gw_cel_list *l = cel_alloc(a, sizeof(*l));
    struct gw_cel_val *copy = n ? cel_alloc(a, n * sizeof(*copy)) : NULL;

    if (!l || (n && !copy))
        return -1;
    if (n)
        memcpy(copy, items, n * sizeof(*copy));
    l->n = n;
    l->items = copy;
    memset(out, 0, sizeof(*out));
    out->kind = GW_CEL_LIST;
    out->v.p.a = l;
    return 0;
}

static bool valid_key(const struct gw_cel_val *k)
{
    return k->kind == GW_CEL_STRING || k->kind == GW_CEL_INT || k->kind == GW_CEL_UINT ||
           k->kind == GW_CEL_BOOL;
}

int cel_map_build(struct gw_cel_arena *a, struct gw_cel_val *keys, struct gw_cel_val *vals,
                  size_t n, struct gw_cel_val *out)
{
    struct gw_cel_map *m = cel_alloc(a, sizeof(*m));
    uint32_t *index = NULL, mask = 0;

    if (!m)
        return -1;
    if (n >= INDEX_MIN) {
        uint32_t size = 16;
        while (size < 2 * n && size < (1u << 30))
            size <<= 1;
        index = cel_alloc(a, size * sizeof(*index));
        if (!index)
            return -1;
        mask = size - 1;
    }
    m->keys = keys;
    m->vals = vals;
    m->index = index;
    m->mask = mask;
    for (size_t i = 0; i < n; i++) {
        if (!valid_key(&keys[i]))
            return -2;
        m->n = i;
        if (native_find(m, &keys[i]) >= 0)
            return -3;
        if (index) {
            uint32_t h = (uint32_t)hash_key(&keys[i]) & mask;
            while (index[h])
                h = (h + 1) & mask;
            index[h] = (uint32_t)i + 1;
        }
    }
    m->n = n;
    memset(out, 0, sizeof(*out));
    out->kind = GW_CEL_MAP;
    out->v.p.a = m;
    return 0;
}

int gw_cel_map_new(struct gw_cel_arena *a, const struct gw_cel_val *keys,
                   const struct gw_cel_val *vals, size_t n, struct gw_cel_val *out)
{
    struct gw_cel_val *k = n ? cel_alloc(a, n * sizeof(*k)) : NULL;
    struct gw_cel_val *v = n ? cel_alloc(a, n * sizeof(*v)) : NULL;
    int rc;

    if (n && (!k || !v))
        return -1;
    if (n) {
        memcpy(k, keys, n * sizeof(*k));
        memcpy(v, vals, n * sizeof(*v));
    }
    rc = cel_map_build(a, k, v, n, out);
    return rc == -3 ? -2 : rc;
}

/* Groups pairs by name: group[i] = group number of pair i; returns the group count. */
static size_t group_names(const struct gw_cel_kv *kv, size_t n, size_t *group, size_t *first)
{
    size_t ng = 0;

    for (size_t i = 0; i < n; i++) {
        size_t g = 0;
        while (g < ng && !(kv[first[g]].name_len == kv[i].name_len &&
                           memcmp(kv[first[g]].name, kv[i].name, kv[i].name_len) == 0))
            g++;
        if (g == ng)
            first[ng++] = i;
        group[i] = g;
    }
    return ng;
}

int gw_cel_map_from_kv(struct gw_cel_arena *a, const struct gw_cel_kv *kv, size_t n, bool as_lists,
                       struct gw_cel_val *out)
{
    size_t *group, *first, *count, ng;
    struct gw_cel_val *keys, *vals, *items;

    if (n > KV_MAX)
        return -1;
    group = cel_alloc(a, (n + 1) * sizeof(*group));
    first = cel_alloc(a, (n + 1) * sizeof(*first));
    count = cel_alloc(a, (n + 1) * sizeof(*count));
    items = cel_alloc(a, (n + 1) * sizeof(*items));
    if (!group || !first || !count || !items)
        return -1;
    ng = group_names(kv, n, group, first);
    keys = cel_alloc(a, (ng + 1) * sizeof(*keys));
    vals = cel_alloc(a, (ng + 1) * sizeof(*vals));
    if (!keys || !vals)
        return -1;
    for (size_t i = 0; i < n; i++)
        count[group[i]]++;
    /* Lists are laid out back to back in items, in group order. */
    for (size_t g = 0, at = 0; g < ng; g++) {
        keys[g] = gw_cel_string(kv[first[g]].name, kv[first[g]].name_len);
        first[g] = at;
        at += count[g];
        count[g] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t g = group[i];
        items[first[g] + count[g]++] = gw_cel_string(kv[i].value, kv[i].value_len);
    }
    for (size_t g = 0; g < ng; g++) {
        struct gw_cel_list *l;
        if (!as_lists) {
            vals[g] = items[first[g] + count[g] - 1];
            continue;
        }
        l = cel_alloc(a, sizeof(*l));
        if (!l)
            return -1;
        l->n = count[g];
        l->items = items + first[g];
        memset(&vals[g], 0, sizeof(vals[g]));
        vals[g].kind = GW_CEL_LIST;
        vals[g].v.p.a = l;
    }
    return cel_map_build(a, keys, vals, ng, out) == 0 ? 0 : -1;
}
