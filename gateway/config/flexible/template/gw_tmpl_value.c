/* gw_tmpl_value.c - template values as Go's reflect sees them (int, float64, string, bool, nil,
 * []interface{}, map[string]interface{} and the few typed slices and maps sprig returns), their
 * arena, truth, type names and DeepEqual, and the conversion of JSON data into them. */
#include "gw_tmpl_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---- */

struct tarena_chunk {
    struct tarena_chunk *next;
    size_t size, off;
    max_align_t data[];
};

#define CHUNK_MIN (64 * 1024)

void tarena_init(struct tarena *a, size_t cap)
{
    a->head = NULL;
    a->used = 0;
    a->cap = cap;
}

void tarena_free(struct tarena *a)
{
    struct tarena_chunk *c, *nx;

    if (!a)
        return;
    for (c = a->head; c; c = nx) {
        nx = c->next;
        free(c);
    }
    a->head = NULL;
    a->used = 0;
}

void *tarena_alloc(struct tarena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    struct tarena_chunk *c = a->head;
    size_t need;

    if (n == 0)
        n = 1;
    if (n > a->cap || a->used > a->cap - n)
        return NULL;
    need = (n + align - 1) / align * align;
    if (!c || c->size - c->off < need) {
        size_t size = need > CHUNK_MIN ? need : CHUNK_MIN;
        c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->off = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->off;
    c->off += need;
    a->used += n;
    return p;
}

char *tarena_strdup(struct tarena *a, const char *s, size_t n)
{
    char *p;

    if (n == SIZE_MAX)
        return NULL;
    p = tarena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ---- constructors ---- */

struct tv tv_missing = {.kind = TV_MISSING, .type = GT_NONE};
struct tv tv_nil = {.kind = TV_NIL, .type = GT_NONE};
struct tv tv_true = {.kind = TV_BOOL, .type = GT_BOOL, .u.b = true};
struct tv tv_false = {.kind = TV_BOOL, .type = GT_BOOL, .u.b = false};

struct tv *tv_bool(bool b)
{
    return b ? &tv_true : &tv_false;
}

static struct tv *newv(struct texec *x, uint8_t kind, uint8_t type)
{
    struct tv *v = texec_alloc(x, sizeof(*v));

    if (v) {
        memset(v, 0, sizeof(*v));
        v->kind = kind;
        v->type = type;
    }
    return v;
}

struct tv *tv_int(struct texec *x, int64_t i)
{
    struct tv *v = newv(x, TV_INT, GT_INT);

    if (v)
        v->u.i = i;
    return v;
}

struct tv *tv_int64(struct texec *x, int64_t i)
{
    struct tv *v = newv(x, TV_INT, GT_INT64);

    if (v)
        v->u.i = i;
    return v;
}

struct tv *tv_float(struct texec *x, double f)
{
    struct tv *v = newv(x, TV_FLOAT, GT_FLOAT64);

    if (v)
        v->u.f = f;
    return v;
}

struct tv *tv_str_ref(struct texec *x, const char *p, size_t n)
{
    struct tv *v = newv(x, TV_STRING, GT_STRING);

    if (v) {
        v->u.s.p = n ? p : "";
        v->u.s.n = n;
    }
    return v;
}

struct tv *tv_str_copy(struct texec *x, const char *p, size_t n)
{
    char *c = texec_alloc(x, n + 1);

    if (!c)
        return NULL;
    if (n)
        memcpy(c, p, n);
    c[n] = '\0';
    return tv_str_ref(x, c, n);
}

struct tv *tv_list(struct texec *x, uint8_t gotype, struct tv **items, size_t n)
{
    struct tv *v;
    struct tv **arr = NULL;

    if (n > SIZE_MAX / sizeof(*arr) / 2)
        return texec_nomem(x);
    if (n) {
        arr = texec_alloc(x, n * sizeof(*arr));
        if (!arr)
            return NULL;
        if (items)
            memcpy(arr, items, n * sizeof(*arr));
        else
            for (size_t i = 0; i < n; i++)
                arr[i] = &tv_nil;
    }
    v = newv(x, TV_LIST, gotype);
    if (v) {
        v->u.l.v = arr;
        v->u.l.n = n;
    }
    return v;
}

struct tv *tv_map_new(struct texec *x, uint8_t gotype)
{
    struct tv *v = newv(x, TV_MAP, gotype);
    struct tmap *m;

    if (!v)
        return NULL;
    m = texec_alloc(x, sizeof(*m));
    if (!m)
        return NULL;
    memset(m, 0, sizeof(*m));
    v->u.m = m;
    return v;
}

static int keycmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);

    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

/* Index of the key, or of where it would go (*found false). */
static size_t map_find(const struct tmap *m, const char *k, size_t kn, bool *found)
{
    size_t lo = 0, hi = m->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = keycmp(m->m[mid].k, m->m[mid].kn, k, kn);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

bool tv_map_set(struct texec *x, struct tmap *m, const char *k, size_t kn, struct tv *v)
{
    bool found;
    size_t i = map_find(m, k, kn, &found);
    char *kc;

    if (found) {
        m->m[i].v = v;
        return true;
    }
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 8;
        struct tmember *nm;
        if (nc > SIZE_MAX / sizeof(*nm) / 2)
            return texec_nomem(x) != NULL;
        nm = texec_alloc(x, nc * sizeof(*nm));
        if (!nm)
            return false;
        if (m->n)
            memcpy(nm, m->m, m->n * sizeof(*nm));
        m->m = nm;
        m->cap = nc;
    }
    kc = texec_alloc(x, kn + 1);
    if (!kc)
        return false;
    if (kn)
        memcpy(kc, k, kn);
    kc[kn] = '\0';
    memmove(m->m + i + 1, m->m + i, (m->n - i) * sizeof(*m->m));
    m->m[i] = (struct tmember){kc, kn, v};
    m->n++;
    return true;
}

struct tv *tv_map_get(const struct tmap *m, const char *k, size_t kn)
{
    bool found;
    size_t i;

    if (!m)
        return NULL;
    i = map_find(m, k, kn, &found);
    return found ? m->m[i].v : NULL;
}

bool tv_map_del(struct tmap *m, const char *k, size_t kn)
{
    bool found;
    size_t i = map_find(m, k, kn, &found);

    if (!found)
        return false;
    memmove(m->m + i, m->m + i + 1, (m->n - i - 1) * sizeof(*m->m));
    m->n--;
    return true;
}

/* ---- properties ---- */

bool tv_is_nilish(const struct tv *v)
{
    return v->kind == TV_MISSING || v->kind == TV_NIL;
}

bool tv_truth(const struct tv *v)
{
    switch (v->kind) {
    case TV_BOOL:
        return v->u.b;
    case TV_INT:
        return v->u.i != 0;
    case TV_FLOAT:
        return v->u.f != 0;
    case TV_STRING:
        return v->u.s.n > 0;
    case TV_LIST:
        return v->u.l.n > 0;
    case TV_MAP:
        return v->u.m->n > 0;
    case TV_TIME:
        return true; /* a struct is always true */
    default:
        return false;
    }
}

const char *tv_gotype_name(uint8_t t)
{
    switch (t) {
    case GT_BOOL:
        return "bool";
    case GT_INT:
        return "int";
    case GT_INT64:
        return "int64";
    case GT_UINT8:
        return "uint8";
    case GT_FLOAT64:
        return "float64";
    case GT_STRING:
        return "string";
    case GT_LIST:
        return "[]interface {}";
    case GT_LIST_STRING:
        return "[]string";
    case GT_LIST_INT:
        return "[]int";
    case GT_LIST_LIST:
        return "[][]interface {}";
    case GT_MAP:
        return "map[string]interface {}";
    case GT_MAP_STRING:
        return "map[string]string";
    case GT_TIME:
        return "time.Time";
    default:
        return "<nil>";
    }
}

const char *tv_type_name(const struct tv *v)
{
    return tv_gotype_name(v->type);
}

const char *tv_kind_name(const struct tv *v)
{
    switch (v->kind) {
    case TV_BOOL:
        return "bool";
    case TV_INT:
        return v->type == GT_INT64 ? "int64" : v->type == GT_UINT8 ? "uint8" : "int";
    case TV_FLOAT:
        return "float64";
    case TV_STRING:
        return "string";
    case TV_LIST:
        return "slice";
    case TV_MAP:
        return "map";
    case TV_TIME:
        return "struct";
    default:
        return "invalid";
    }
}

const char *tv_elem_type_name(const struct tv *c)
{
    switch (c->type) {
    case GT_LIST_STRING:
    case GT_MAP_STRING:
        return "string";
    case GT_LIST_INT:
        return "int";
    case GT_LIST_LIST:
        return "[]interface {}";
    default:
        return "interface {}";
    }
}

bool tv_elem_boxed(const struct tv *c)
{
    return c->type == GT_LIST || c->type == GT_MAP;
}

bool tv_deep_equal(const struct tv *a, const struct tv *b, int depth)
{
    if (depth <= 0)
        return false;
    if (tv_is_nilish(a) || tv_is_nilish(b))
        return tv_is_nilish(a) && tv_is_nilish(b);
    if (a->type != b->type)
        return false;
    switch (a->kind) {
    case TV_BOOL:
        return a->u.b == b->u.b;
    case TV_INT:
        return a->u.i == b->u.i;
    case TV_FLOAT:
        return a->u.f == b->u.f;
    case TV_STRING:
        return a->u.s.n == b->u.s.n && memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0;
    case TV_LIST:
        if (a->u.l.n != b->u.l.n)
            return false;
        if (a->u.l.v == b->u.l.v)
            return true;
        for (size_t i = 0; i < a->u.l.n; i++)
            if (!tv_deep_equal(a->u.l.v[i], b->u.l.v[i], depth - 1))
                return false;
        return true;
    case TV_MAP:
        if (a->u.m->n != b->u.m->n)
            return false;
        if (a->u.m == b->u.m)
            return true;
        for (size_t i = 0; i < a->u.m->n; i++) {
            const struct tmember *ma = &a->u.m->m[i], *mb = &b->u.m->m[i];
            if (ma->kn != mb->kn || memcmp(ma->k, mb->k, ma->kn) != 0)
                return false;
            if (!tv_deep_equal(ma->v, mb->v, depth - 1))
                return false;
        }
        return true;
    case TV_TIME:
        return a->u.t.sec == b->u.t.sec && a->u.t.nsec == b->u.t.nsec &&
               a->u.t.off == b->u.t.off && strcmp(a->u.t.zone, b->u.t.zone) == 0;
    }
    return false;
}

struct tv *tv_from_json(struct texec *x, const json_t *j, int depth)
{
    struct tv *v;

    if (!j)
        return &tv_nil;
    if (depth <= 0)
        return texec_limitf(x, "data nested deeper than %d levels", x->lim->max_value_depth);
    switch (json_typeof(j)) {
    case JSON_NULL:
        return &tv_nil;
    case JSON_TRUE:
        return &tv_true;
    case JSON_FALSE:
        return &tv_false;
    case JSON_INTEGER:
        return tv_float(x, (double)json_integer_value(j));
    case JSON_REAL:
        return tv_float(x, json_real_value(j));
    case JSON_STRING:
        return tv_str_copy(x, json_string_value(j), json_string_length(j));
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        v = tv_list(x, GT_LIST, NULL, n);
        if (!v)
            return NULL;
        for (size_t i = 0; i < n; i++) {
            struct tv *it = tv_from_json(x, json_array_get(j, i), depth - 1);
            if (!it)
                return NULL;
            v->u.l.v[i] = it;
        }
        return v;
    }
    case JSON_OBJECT: {
        const char *k;
        json_t *m;
        v = tv_map_new(x, GT_MAP);
        if (!v)
            return NULL;
        json_object_foreach((json_t *)(uintptr_t)j, k, m)
        {
            struct tv *it = tv_from_json(x, m, depth - 1);
            if (!it || !tv_map_set(x, v->u.m, k, strlen(k), it))
                return NULL;
        }
        return v;
    }
    }
    return &tv_nil;
}

struct tv *tv_time(struct texec *x, const struct tgotime *t)
{
    struct tv *v = newv(x, TV_TIME, GT_TIME);
    const char *z = t->zone ? t->zone : "";

    if (!v)
        return NULL;
    v->u.t = *t;
    v->u.t.zone = tarena_strdup(&x->arena, z, strlen(z));
    if (!v->u.t.zone)
        return texec_nomem(x);
    return v;
}
