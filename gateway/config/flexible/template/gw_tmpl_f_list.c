/* gw_tmpl_f_list.c - sprig's list and dict functions: list append prepend first last rest
 * initial reverse uniq without has slice concat chunk compact sortAlpha join until seq, dict get
 * set unset hasKey pluck keys pick omit merge values dig deepCopy, with sprig's error texts. */
#include "gw_tmpl_fns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tv *list_of(struct texec *x, struct tv **items, size_t n)
{
    struct tv *l = tv_list(x, GT_LIST, NULL, n);

    for (size_t i = 0; l && i < n; i++)
        l->u.l.v[i] = items[i];
    return l;
}

/* The list argument of a sprig list function: NULL after failing with sprig's text. */
static struct tv *need_list(struct texec *x, struct tv *v, const char *msg)
{
    if (tv_is_nilish(v))
        return tfn_nil_deref(x);
    if (v->kind != TV_LIST)
        return tfn_fail(x, "%s %s", msg, tfn_kind_for_msg(v));
    return v;
}

TFN_DECL(tfl_list)
{
    return list_of(x, a, n);
}

TFN_DECL(tfl_push)
{
    struct tv *l = need_list(x, a[0], "Cannot push on type"), *r;

    (void)n;
    if (!l)
        return NULL;
    r = tv_list(x, GT_LIST, l->u.l.v, l->u.l.n + 1);
    if (r)
        r->u.l.v[l->u.l.n] = a[1];
    return r;
}

TFN_DECL(tfl_prepend)
{
    struct tv *l = need_list(x, a[0], "Cannot prepend on type"), *r;

    (void)n;
    if (!l)
        return NULL;
    r = tv_list(x, GT_LIST, NULL, l->u.l.n + 1);
    if (r) {
        r->u.l.v[0] = a[1];
        if (l->u.l.n)
            memcpy(r->u.l.v + 1, l->u.l.v, l->u.l.n * sizeof(*r->u.l.v));
    }
    return r;
}

TFN_DECL(tfl_first)
{
    struct tv *l = need_list(x, a[0], "Cannot find first on type");

    (void)n;
    if (!l)
        return NULL;
    return l->u.l.n ? l->u.l.v[0] : &tv_nil;
}

TFN_DECL(tfl_last)
{
    struct tv *l = need_list(x, a[0], "Cannot find last on type");

    (void)n;
    if (!l)
        return NULL;
    return l->u.l.n ? l->u.l.v[l->u.l.n - 1] : &tv_nil;
}

TFN_DECL(tfl_rest)
{
    struct tv *l = need_list(x, a[0], "Cannot find rest on type");

    (void)n;
    if (!l)
        return NULL;
    if (l->u.l.n == 0)
        return tv_list(x, GT_LIST, NULL, 0);
    return tv_list(x, GT_LIST, l->u.l.v + 1, l->u.l.n - 1);
}

TFN_DECL(tfl_initial)
{
    struct tv *l = need_list(x, a[0], "Cannot find initial on type");

    (void)n;
    if (!l)
        return NULL;
    if (l->u.l.n == 0)
        return tv_list(x, GT_LIST, NULL, 0);
    return tv_list(x, GT_LIST, l->u.l.v, l->u.l.n - 1);
}

TFN_DECL(tfl_reverse)
{
    struct tv *l = need_list(x, a[0], "Cannot find reverse on type"), *r;

    (void)n;
    if (!l)
        return NULL;
    r = tv_list(x, GT_LIST, NULL, l->u.l.n);
    for (size_t i = 0; r && i < l->u.l.n; i++)
        r->u.l.v[l->u.l.n - 1 - i] = l->u.l.v[i];
    return r;
}

TFN_DECL(tfl_compact)
{
    struct tv *l = need_list(x, a[0], "Cannot compact on type"), *r;
    size_t k = 0;

    (void)n;
    if (!l)
        return NULL;
    r = tv_list(x, GT_LIST, NULL, l->u.l.n);
    if (!r)
        return NULL;
    for (size_t i = 0; i < l->u.l.n; i++)
        if (tv_truth(l->u.l.v[i]))
            r->u.l.v[k++] = l->u.l.v[i];
    r->u.l.n = k;
    return r;
}

static bool in_list(struct texec *x, struct tv **v, size_t n, const struct tv *needle)
{
    for (size_t i = 0; i < n; i++)
        if (tv_deep_equal(needle, v[i], x->lim->max_value_depth))
            return true;
    return false;
}

TFN_DECL(tfl_uniq)
{
    struct tv *l = need_list(x, a[0], "Cannot find uniq on type"), *r;
    size_t k = 0;

    (void)n;
    if (!l)
        return NULL;
    r = tv_list(x, GT_LIST, NULL, l->u.l.n);
    if (!r)
        return NULL;
    for (size_t i = 0; i < l->u.l.n; i++) {
        if (!texec_step(x))
            return NULL;
        if (!in_list(x, r->u.l.v, k, l->u.l.v[i]))
            r->u.l.v[k++] = l->u.l.v[i];
    }
    r->u.l.n = k;
    return r;
}

TFN_DECL(tfl_without)
{
    struct tv *l = need_list(x, a[0], "Cannot find without on type"), *r;
    size_t k = 0;

    if (!l)
        return NULL;
    r = tv_list(x, GT_LIST, NULL, l->u.l.n);
    if (!r)
        return NULL;
    for (size_t i = 0; i < l->u.l.n; i++)
        if (!in_list(x, a + 1, n - 1, l->u.l.v[i]))
            r->u.l.v[k++] = l->u.l.v[i];
    r->u.l.n = k;
    return r;
}

TFN_DECL(tfl_has)
{
    (void)n;
    if (tv_is_nilish(a[1]))
        return tv_bool(false);
    if (a[1]->kind != TV_LIST)
        return tfn_fail(x, "Cannot find has on type %s", tfn_kind_for_msg(a[1]));
    return tv_bool(in_list(x, a[1]->u.l.v, a[1]->u.l.n, a[0]));
}

TFN_DECL(tfl_slice)
{
    struct tv *l = a[0];
    int64_t start = 0, end;

    if (tv_is_nilish(l))
        return tfn_nil_deref(x);
    if (l->kind != TV_LIST)
        return tfn_fail(x, "list should be type of slice or array but %s", tfn_kind_for_msg(l));
    if (l->u.l.n == 0)
        return &tv_nil;
    end = (int64_t)l->u.l.n;
    if (n > 1)
        start = tcast_int64(a[1]);
    if (n > 2)
        end = tcast_int64(a[2]);
    if (start < 0 || end < start || end > (int64_t)l->u.l.n)
        return tfn_fail(x, "reflect.Value.Slice: slice index out of bounds");
    return tv_list(x, l->type, l->u.l.v + start, (size_t)(end - start));
}

TFN_DECL(tfl_concat)
{
    size_t total = 0, k = 0;
    struct tv *r;

    for (size_t i = 0; i < n; i++) {
        if (tv_is_nilish(a[i]))
            return tfn_nil_deref(x);
        if (a[i]->kind != TV_LIST)
            return tfn_fail(x, "Cannot concat type %s as list", tfn_kind_for_msg(a[i]));
        total += a[i]->u.l.n;
    }
    r = tv_list(x, GT_LIST, NULL, total);
    for (size_t i = 0; r && i < n; i++)
        for (size_t j = 0; j < a[i]->u.l.n; j++)
            r->u.l.v[k++] = a[i]->u.l.v[j];
    return r;
}

TFN_DECL(tfl_chunk)
{
    int64_t size = a[0]->u.i;
    struct tv *l = need_list(x, a[1], "Cannot chunk type"), *r;
    size_t cs;

    (void)n;
    if (!l)
        return NULL;
    if (size <= 0)
        return tfn_fail(x, "runtime error: makeslice: len out of range");
    cs = l->u.l.n == 0 ? 0 : (l->u.l.n - 1) / (size_t)size + 1;
    r = tv_list(x, GT_LIST_LIST, NULL, cs);
    for (size_t i = 0; r && i < cs; i++) {
        size_t from = i * (size_t)size;
        size_t len = from + (size_t)size <= l->u.l.n ? (size_t)size : l->u.l.n - from;
        if (!(r->u.l.v[i] = tv_list(x, GT_LIST, l->u.l.v + from, len)))
            return NULL;
    }
    return r;
}

/* sprig's strslice: a list's non-nil items as strings, or the one value as a string */
static struct tv *strslice(struct texec *x, struct tv *v)
{
    struct tv *r;
    size_t k = 0;

    if (v->type == GT_LIST_STRING)
        return v;
    if (tv_is_nilish(v))
        return tv_list(x, GT_LIST_STRING, NULL, 0);
    if (v->kind != TV_LIST) {
        r = tv_list(x, GT_LIST_STRING, NULL, 1);
        if (r && !(r->u.l.v[0] = tfs_to_string(x, &v, 1)))
            return NULL;
        return r;
    }
    r = tv_list(x, GT_LIST_STRING, NULL, v->u.l.n);
    for (size_t i = 0; r && i < v->u.l.n; i++) {
        struct tv *it = v->u.l.v[i];
        if (tv_is_nilish(it))
            continue;
        if (!(r->u.l.v[k++] = tfs_to_string(x, &it, 1)))
            return NULL;
    }
    if (r)
        r->u.l.n = k;
    return r;
}

TFN_DECL(tfl_to_strings)
{
    (void)n;
    return strslice(x, a[0]);
}

TFN_DECL(tfl_join)
{
    struct tv *l = strslice(x, a[1]);
    struct tstr sep = a[0]->u.s;

    (void)n;
    if (!l)
        return NULL;
    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < l->u.l.n; i++) {
        if ((i && cmn_buf_append(&x->tmp, sep.p, sep.n) != CMN_BUF_OK) ||
            cmn_buf_append(&x->tmp, l->u.l.v[i]->u.s.p, l->u.l.v[i]->u.s.n) != CMN_BUF_OK)
            return texec_limitf(x, "joined text exceeds the cap");
    }
    return texec_tmp_string(x);
}

static int cmp_str_items(const void *pa, const void *pb)
{
    const struct tv *a = *(struct tv *const *)pa, *b = *(struct tv *const *)pb;
    size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
    int c = memcmp(a->u.s.p, b->u.s.p, n);

    if (c)
        return c;
    return a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
}

TFN_DECL(tfl_sort_alpha)
{
    struct tv *l;

    (void)n;
    if (a[0]->kind == TV_LIST) {
        struct tv *s = strslice(x, a[0]);
        if (!s)
            return NULL;
        l = tv_list(x, GT_LIST_STRING, s->u.l.v, s->u.l.n);
        if (l && l->u.l.n > 1)
            qsort(l->u.l.v, l->u.l.n, sizeof(*l->u.l.v), cmp_str_items);
        return l;
    }
    l = tv_list(x, GT_LIST_STRING, NULL, 1);
    if (!l)
        return NULL;
    if (tv_is_nilish(a[0]))
        l->u.l.v[0] = tv_str_ref(x, "<nil>", 5);
    else
        l->u.l.v[0] = tfs_to_string(x, a, 1);
    return l->u.l.v[0] ? l : NULL;
}

/* Go's wrapping int arithmetic */
static int64_t wadd(int64_t p, int64_t q)
{
    return (int64_t)((uint64_t)p + (uint64_t)q);
}

/* sprig's untilStep: start, start+step, ... while < stop (or > stop for a negative step) */
static struct tv *int_range(struct texec *x, int64_t start, int64_t stop, int64_t step)
{
    uint64_t count, diff, mag;
    struct tv *l;

    if ((stop < start && step >= 0) || (stop >= start && step <= 0))
        return tv_list(x, GT_LIST_INT, NULL, 0);
    diff = step > 0 ? (uint64_t)stop - (uint64_t)start : (uint64_t)start - (uint64_t)stop;
    mag = step > 0 ? (uint64_t)step : (uint64_t)0 - (uint64_t)step;
    count = diff / mag + (diff % mag != 0);
    if (count > x->lim->max_memory / 32)
        return texec_limitf(x, "a list of %llu numbers exceeds the memory cap",
                            (unsigned long long)count);
    l = tv_list(x, GT_LIST_INT, NULL, (size_t)count);
    for (uint64_t i = 0; l && i < count; i++)
        if (!(l->u.l.v[i] = tv_int(x, (int64_t)((uint64_t)start + i * (uint64_t)step))))
            return NULL;
    return l;
}

TFN_DECL(tfl_until)
{
    (void)n;
    return int_range(x, 0, a[0]->u.i, a[0]->u.i < 0 ? -1 : 1);
}

TFN_DECL(tfl_until_step)
{
    (void)n;
    return int_range(x, a[0]->u.i, a[1]->u.i, a[2]->u.i);
}

TFN_DECL(tfl_seq)
{
    int64_t start = 1, end, step = 1;
    struct tv *l;

    switch (n) {
    case 1:
        end = a[0]->u.i;
        step = end < start ? -1 : 1;
        break;
    case 2:
        start = a[0]->u.i;
        end = a[1]->u.i;
        step = end < start ? -1 : 1;
        break;
    case 3:
        start = a[0]->u.i;
        step = a[1]->u.i;
        end = a[2]->u.i;
        if (end < start && step > 0)
            return tv_str_ref(x, "", 0);
        break;
    default:
        return tv_str_ref(x, "", 0);
    }
    l = int_range(x, start, n == 3 ? wadd(end, end < start ? -1 : 1) : wadd(end, step), step);
    if (!l)
        return NULL;
    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < l->u.l.n; i++) {
        char b[32];
        int k = snprintf(b, sizeof(b), "%s%lld", i ? " " : "", (long long)l->u.l.v[i]->u.i);
        if (cmn_buf_append(&x->tmp, b, (size_t)k) != CMN_BUF_OK)
            return texec_limitf(x, "seq text exceeds the cap");
    }
    return texec_tmp_string(x);
}

/* ---- dicts ---- */

TFN_DECL(tfl_dict)
{
    struct tv *m = tv_map_new(x, GT_MAP);

    for (size_t i = 0; m && i < n; i += 2) {
        struct tv *k = tfs_to_string(x, a + i, 1);
        struct tv *v = i + 1 < n ? a[i + 1] : tv_str_ref(x, "", 0);
        if (tv_is_nilish(a[i]))
            k = tv_str_ref(x, "<nil>", 5);
        if (!k || !v || !tv_map_set(x, m->u.m, k->u.s.p, k->u.s.n, v))
            return NULL;
    }
    return m;
}

static struct tmap *map_of(const struct tv *v)
{
    return v->kind == TV_MAP ? v->u.m : NULL;
}

TFN_DECL(tfl_get)
{
    struct tv *v = tv_map_get(map_of(a[0]), a[1]->u.s.p, a[1]->u.s.n);

    (void)n;
    return v ? v : tv_str_ref(x, "", 0);
}

TFN_DECL(tfl_set)
{
    (void)n;
    if (a[0]->kind != TV_MAP)
        return tfn_fail(x, "assignment to entry in nil map");
    if (!tv_map_set(x, a[0]->u.m, a[1]->u.s.p, a[1]->u.s.n, a[2]))
        return NULL;
    return a[0];
}

TFN_DECL(tfl_unset)
{
    (void)n;
    (void)x;
    if (a[0]->kind == TV_MAP)
        tv_map_del(a[0]->u.m, a[1]->u.s.p, a[1]->u.s.n);
    return a[0];
}

TFN_DECL(tfl_has_key)
{
    (void)n;
    (void)x;
    return tv_bool(tv_map_get(map_of(a[0]), a[1]->u.s.p, a[1]->u.s.n) != NULL);
}

TFN_DECL(tfl_pluck)
{
    struct tv *r = tv_list(x, GT_LIST, NULL, n - 1);
    size_t k = 0;

    for (size_t i = 1; r && i < n; i++) {
        struct tv *v = tv_map_get(map_of(a[i]), a[0]->u.s.p, a[0]->u.s.n);
        if (v)
            r->u.l.v[k++] = v;
    }
    if (r)
        r->u.l.n = k;
    return r;
}

TFN_DECL(tfl_keys)
{
    size_t total = 0, k = 0;
    struct tv *r;

    for (size_t i = 0; i < n; i++)
        total += a[i]->kind == TV_MAP ? a[i]->u.m->n : 0;
    r = tv_list(x, GT_LIST_STRING, NULL, total);
    for (size_t i = 0; r && i < n; i++) {
        const struct tmap *m = map_of(a[i]);
        for (size_t j = 0; m && j < m->n; j++)
            if (!(r->u.l.v[k++] = tv_str_ref(x, m->m[j].k, m->m[j].kn)))
                return NULL;
    }
    return r;
}

TFN_DECL(tfl_values)
{
    const struct tmap *m = map_of(a[0]);
    struct tv *r = tv_list(x, GT_LIST, NULL, m ? m->n : 0);

    (void)n;
    for (size_t j = 0; r && m && j < m->n; j++)
        r->u.l.v[j] = m->m[j].v;
    return r;
}

static bool key_listed(struct tv **keys, size_t n, const char *k, size_t kn)
{
    for (size_t i = 0; i < n; i++)
        if (keys[i]->u.s.n == kn && memcmp(keys[i]->u.s.p, k, kn) == 0)
            return true;
    return false;
}

static struct tv *pick_or_omit(struct texec *x, struct tv **a, size_t n, bool pick)
{
    const struct tmap *m = map_of(a[0]);
    struct tv *r = tv_map_new(x, GT_MAP);

    for (size_t j = 0; r && m && j < m->n; j++) {
        if (key_listed(a + 1, n - 1, m->m[j].k, m->m[j].kn) == pick &&
            !tv_map_set(x, r->u.m, m->m[j].k, m->m[j].kn, m->m[j].v))
            return NULL;
    }
    return r;
}

TFN_DECL(tfl_pick)
{
    return pick_or_omit(x, a, n, true);
}

TFN_DECL(tfl_omit)
{
    return pick_or_omit(x, a, n, false);
}

/* mergo.Merge / MergeWithOverwrite of map[string]interface{} values, as sprig calls them:
 * nested maps merge in place; a non-empty destination member is kept (or, with overwrite,
 * replaced unless a map or list source meets a non-empty destination). */
static bool merge_into(struct texec *x, struct tmap *dst, const struct tmap *src, bool over,
                       int depth)
{
    if (depth > x->lim->max_value_depth) {
        texec_limitf(x, "merge nested deeper than %d levels", x->lim->max_value_depth);
        return false;
    }
    for (size_t i = 0; i < src->n; i++) {
        const struct tmember *s = &src->m[i];
        struct tv *d = tv_map_get(dst, s->k, s->kn);
        if (!texec_step(x))
            return false;
        if (s->v->kind == TV_NIL) {
            if (over && !tv_map_set(x, dst, s->k, s->kn, &tv_nil))
                return false;
            continue;
        }
        if (s->v->kind == TV_MAP && d && d->kind == TV_MAP && d->u.m != s->v->u.m &&
            !merge_into(x, d->u.m, s->v->u.m, over, depth + 1))
            return false;
        if (d && tv_truth(d) && (s->v->kind == TV_MAP || s->v->kind == TV_LIST))
            continue;
        if (over || !d || !tv_truth(d)) {
            if (!tv_map_set(x, dst, s->k, s->kn, s->v))
                return false;
        }
    }
    return true;
}

static struct tv *merge(struct texec *x, struct tv **a, size_t n, bool over)
{
    struct tv *dst = a[0];

    if (dst->kind != TV_MAP && !(dst = tv_map_new(x, GT_MAP)))
        return NULL;
    for (size_t i = 1; i < n; i++)
        if (a[i]->kind == TV_MAP && !merge_into(x, dst->u.m, a[i]->u.m, over, 0))
            return NULL;
    return dst;
}

TFN_DECL(tfl_merge)
{
    return merge(x, a, n, false);
}

TFN_DECL(tfl_merge_overwrite)
{
    return merge(x, a, n, true);
}

static struct tv *deep_copy(struct texec *x, struct tv *v, int depth)
{
    struct tv *r;

    if (depth > x->lim->max_value_depth)
        return texec_limitf(x, "deepCopy nested deeper than %d levels", x->lim->max_value_depth);
    if (v->kind == TV_LIST) {
        r = tv_list(x, v->type, NULL, v->u.l.n);
        for (size_t i = 0; r && i < v->u.l.n; i++)
            if (!(r->u.l.v[i] = deep_copy(x, v->u.l.v[i], depth + 1)))
                return NULL;
        return r;
    }
    if (v->kind == TV_MAP) {
        r = tv_map_new(x, v->type);
        for (size_t i = 0; r && i < v->u.m->n; i++) {
            struct tv *c = deep_copy(x, v->u.m->m[i].v, depth + 1);
            if (!c || !tv_map_set(x, r->u.m, v->u.m->m[i].k, v->u.m->m[i].kn, c))
                return NULL;
        }
        return r;
    }
    return v;
}

TFN_DECL(tfl_deep_copy)
{
    (void)n;
    return deep_copy(x, a[0], 0);
}

TFN_DECL(tfl_dig)
{
    struct tv *dict, *def;

    if (n < 3)
        return tfn_fail(x, "dig needs at least three arguments");
    dict = a[n - 1];
    def = a[n - 2];
    if (dict->type != GT_MAP)
        return tfn_fail(x, "interface conversion: interface {} is %s, not map[string]interface {}",
                        tv_is_nilish(dict) ? "nil" : tv_type_name(dict));
    for (size_t i = 0; i + 2 < n; i++)
        if (a[i]->kind != TV_STRING)
            return tfn_fail(x, "interface conversion: interface {} is %s, not string",
                            tv_is_nilish(a[i]) ? "nil" : tv_type_name(a[i]));
    for (size_t i = 0; i + 2 < n; i++) {
        struct tv *step = tv_map_get(dict->u.m, a[i]->u.s.p, a[i]->u.s.n);
        if (!step)
            return def;
        if (i + 3 == n)
            return step;
        if (step->type != GT_MAP)
            return tfn_fail(x,
                            "interface conversion: interface {} is %s, not map[string]interface {}",
                            tv_is_nilish(step) ? "nil" : tv_type_name(step));
        dict = step;
    }
    return def;
}
