/* gw_jsonschema_keywords.c - the keywords that look inside one JSON type: object members, array
 * items, string length and pattern, number bounds, and unevaluated members and items. */
#include "gw_jsonschema_eval.h"

#include <string.h>

/* The names listed by "additional properties ... not allowed" stop after this many bytes. */
#define EXTRA_NAMES_MAX (64u * 1024u)

static void add(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                struct gw_jsonschema_errlist *l)
{
    gw_jsonschema_errlist_add(c, l, f->quiet ? NULL : gw_jsonschema_err_tmp(c));
    cmn_buf_reset(&c->tmp);
}

/* "<name>: got <n>, want <m>" with the numbers as the library's printer groups them. */
static void count_error(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                        struct gw_jsonschema_errlist *l, const char *name, int64_t got,
                        int64_t want)
{
    cmn_buf_printf(&c->tmp, "%s: got ", name);
    gw_jsonschema_fmt_text_int(&c->tmp, got);
    cmn_buf_append_str(&c->tmp, ", want ");
    gw_jsonschema_fmt_text_int(&c->tmp, want);
    add(c, f, l);
}

static void num_error(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                      struct gw_jsonschema_errlist *l, const char *name,
                      const struct gw_jsonschema_num *got, const struct gw_jsonschema_num *want)
{
    cmn_buf_printf(&c->tmp, "%s: got ", name);
    gw_jsonschema_fmt_text_float(&c->tmp, gw_jsonschema_num_double(got));
    cmn_buf_append_str(&c->tmp, ", want ");
    gw_jsonschema_fmt_text_float(&c->tmp, gw_jsonschema_num_double(want));
    add(c, f, l);
}

static void child_error(struct gw_jsonschema_vctx *c, struct gw_jsonschema_errlist *l, bool ok,
                        struct gw_jsonschema_error *e)
{
    if (!ok && !c->abort)
        gw_jsonschema_errlist_add(c, l, e);
}

/* Names of required members that are missing, quoted and comma separated into c->tmp; the count. */
static uint32_t missing(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_value *v,
                        const struct gw_jsonschema_strs *req)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < req->n; i++) {
        if (gw_jsonschema_member_index(v, req->s[i], req->len[i]) >= 0)
            continue;
        if (n++)
            cmn_buf_append_str(&c->tmp, ", ");
        gw_jsonschema_quote(&c->tmp, req->s[i], req->len[i]);
    }
    gw_jsonschema_charge(c, req->n / 16);
    return n;
}

static void dependent_required(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                               const struct gw_jsonschema_value *v,
                               const struct gw_jsonschema_dep *d, struct gw_jsonschema_errlist *l)
{
    struct cmn_buf names;

    if (gw_jsonschema_member_index(v, d->key, d->klen) < 0)
        return;
    cmn_buf_reset(&c->tmp);
    if (missing(c, v, &d->req) == 0) {
        cmn_buf_reset(&c->tmp);
        return;
    }
    names = c->tmp;
    cmn_buf_init(&c->tmp, names.cap);
    cmn_buf_printf(&c->tmp, "properties %s required, if ", cmn_buf_str(&names));
    gw_jsonschema_quote(&c->tmp, d->key, d->klen);
    cmn_buf_append_str(&c->tmp, " exists");
    cmn_buf_free(&names);
    add(c, f, l);
}

static const struct gw_jsonschema_node *property(const struct gw_jsonschema_node *n,
                                                 const struct gw_jsonschema_member *m)
{
    uint32_t lo = 0, hi = n->n_props, mid;
    size_t k;
    int cmp;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        k = n->props[mid].klen < m->klen ? n->props[mid].klen : m->klen;
        cmp = k ? memcmp(n->props[mid].key, m->key, k) : 0;
        if (!cmp)
            cmp = n->props[mid].klen < m->klen ? -1 : n->props[mid].klen > m->klen;
        if (!cmp)
            return n->props[mid].s;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int search(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_regex *re, const char *s,
                  size_t n)
{
    int r;

    if (!gw_jsonschema_charge(c, 1 + n / 32))
        return -1;
    if (!c->m && !(c->m = gw_jsonschema_matcher_new())) {
        gw_jsonschema_abort(c, GW_JSONSCHEMA_NOMEM, "jsonschema: out of memory");
        return -1;
    }
    r = gw_jsonschema_regex_search(re, c->m, s, n);
    if (r < 0)
        gw_jsonschema_abort(c, GW_JSONSCHEMA_LIMIT,
                            "jsonschema: validation stopped: regex match limit reached");
    return r;
}

static void property_names(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                           const struct gw_jsonschema_value *v, struct gw_jsonschema_errlist *l)
{
    struct gw_jsonschema_value name;
    struct gw_jsonschema_error *e, *pe;
    struct gw_jsonschema_errlist causes;
    size_t saved = c->path_n;
    bool ok;

    for (uint32_t i = 0; i < v->len && !c->abort && !gw_jsonschema_stop(c, f, l); i++) {
        memset(&name, 0, sizeof(name));
        name.type = GW_JST_STRING;
        name.str = v->members[i].key;
        name.len = v->members[i].klen;
        /* the library validates each name as a document of its own: locations are '' */
        c->path_n = 0;
        ok = gw_jsonschema_eval(c, f, f->n->property_names, &name, f->vid + 1, f->quiet, false,
                                NULL, &e);
        if (ok || c->abort) {
            c->path_n = saved;
            continue;
        }
        pe = NULL;
        if (!f->quiet) {
            cmn_buf_append_str(&c->tmp, "invalid propertyName ");
            gw_jsonschema_quote(&c->tmp, name.str, name.len);
            pe = gw_jsonschema_err_tmp(c);
            memset(&causes, 0, sizeof(causes));
            if (e && e->kind == GW_JSE_GROUP) {
                causes.head = e->causes;
                causes.tail = e->last;
                causes.n = e->n_causes;
            } else {
                gw_jsonschema_errlist_add(c, &causes, e);
            }
            gw_jsonschema_err_causes(c, pe, &causes);
        }
        c->path_n = saved;
        gw_jsonschema_errlist_add(c, l, pe);
    }
}

static void members(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                    const struct gw_jsonschema_value *v, struct gw_jsonschema_ann *ann,
                    struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n, *ps;
    struct gw_jsonschema_error *e;
    struct cmn_buf extra; /* not c->tmp: the evaluations below write there */
    uint32_t i, k, n_extra = 0;
    bool evaluated, ok;

    cmn_buf_init(&extra, EXTRA_NAMES_MAX + 16);
    for (i = 0; i < v->len && !c->abort && !gw_jsonschema_stop(c, f, l); i++) {
        const struct gw_jsonschema_member *m = &v->members[i];
        evaluated = false;
        if (n->n_props && (ps = property(n, m)) != NULL) {
            evaluated = true;
            ok = gw_jsonschema_eval_child(c, f, ps, m->val, m->key, m->klen, 0, &e);
            child_error(c, l, ok, e);
        }
        for (k = 0; k < n->n_pprops && !c->abort; k++) {
            int r = search(c, n->pprops[k].re, m->key, m->klen);
            if (r <= 0)
                continue;
            evaluated = true;
            ok = gw_jsonschema_eval_child(c, f, n->pprops[k].s, m->val, m->key, m->klen, 0, &e);
            child_error(c, l, ok, e);
        }
        if (!evaluated && (n->additional_props || n->additional_props_bool)) {
            evaluated = true;
            if (n->additional_props_bool == GW_JSB_FALSE) {
                if (extra.len < EXTRA_NAMES_MAX) {
                    if (n_extra)
                        cmn_buf_append_str(&extra, ", ");
                    gw_jsonschema_quote(&extra, m->key, m->klen);
                    if (extra.len >= EXTRA_NAMES_MAX)
                        cmn_buf_append_str(&extra, ", ...");
                }
                n_extra++;
            } else if (n->additional_props) {
                ok = gw_jsonschema_eval_child(c, f, n->additional_props, m->val, m->key, m->klen, 0,
                                              &e);
                child_error(c, l, ok, e);
            }
        }
        if (evaluated)
            gw_jsonschema_ann_set(ann, i);
    }
    if (n_extra && !c->abort) {
        cmn_buf_reset(&c->tmp);
        cmn_buf_printf(&c->tmp, "additional properties %s not allowed", cmn_buf_str(&extra));
        add(c, f, l);
    }
    cmn_buf_free(&extra);
}

void gw_jsonschema_kw_object(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                             const struct gw_jsonschema_value *v, struct gw_jsonschema_ann *ann,
                             struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n;
    struct gw_jsonschema_error *e;
    uint32_t i, count;
    bool ok;

    if (n->min_props >= 0 && (int64_t)v->len < n->min_props)
        count_error(c, f, l, "minProperties", v->len, n->min_props);
    if (n->max_props >= 0 && (int64_t)v->len > n->max_props)
        count_error(c, f, l, "maxProperties", v->len, n->max_props);
    if (n->required.n) {
        cmn_buf_reset(&c->tmp);
        count = missing(c, v, &n->required);
        if (count) {
            struct cmn_buf names = c->tmp;
            cmn_buf_init(&c->tmp, names.cap);
            cmn_buf_printf(&c->tmp, "missing propert%s %s", count == 1 ? "y" : "ies",
                           cmn_buf_str(&names));
            cmn_buf_free(&names);
            add(c, f, l);
        }
        cmn_buf_reset(&c->tmp);
    }
    if (gw_jsonschema_stop(c, f, l))
        return;
    for (i = 0; i < n->n_deps && !c->abort && !gw_jsonschema_stop(c, f, l); i++) {
        const struct gw_jsonschema_dep *d = &n->deps[i];
        if (d->s) {
            if (gw_jsonschema_member_index(v, d->key, d->klen) < 0)
                continue;
            ok = gw_jsonschema_eval(c, f, d->s, v, f->vid, f->quiet, false, ann, &e);
            child_error(c, l, ok, e);
        } else {
            dependent_required(c, f, v, d, l);
        }
    }
    members(c, f, v, ann, l);
    if (n->property_names && !c->abort && !gw_jsonschema_stop(c, f, l))
        property_names(c, f, v, l);
    for (i = 0; i < n->n_dep_schemas && !c->abort && !gw_jsonschema_stop(c, f, l); i++) {
        if (gw_jsonschema_member_index(v, n->dep_schemas[i].key, n->dep_schemas[i].klen) < 0)
            continue;
        ok = gw_jsonschema_eval(c, f, n->dep_schemas[i].s, v, f->vid, f->quiet, false, ann, &e);
        child_error(c, l, ok, e);
    }
    for (i = 0; i < n->n_dep_required && !c->abort && !gw_jsonschema_stop(c, f, l); i++)
        dependent_required(c, f, v, &n->dep_required[i], l);
}

/* ---- arrays ---- */

/* The first item equal to an earlier one: *j < *i (the library's order). */
static bool duplicate(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_value *v,
                      uint32_t *j, uint32_t *i)
{
    int r;

    if (!gw_jsonschema_charge(c, v->len))
        return false;
    r = gw_jsonschema_first_duplicate(&c->a, v, j, i, &c->work);
    if (r < 0)
        gw_jsonschema_abort(c, GW_JSONSCHEMA_LIMIT,
                            "jsonschema: validation stopped: memory limit reached");
    return r > 0 && gw_jsonschema_charge(c, 0);
}

static void contains(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                     const struct gw_jsonschema_value *v, struct gw_jsonschema_ann *ann,
                     struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n;
    struct gw_jsonschema_errlist errs = {0};
    struct gw_jsonschema_error *e = NULL;
    struct cmn_buf at;
    uint32_t i, matched = 0;

    cmn_buf_init(&at, 1u << 20);
    for (i = 0; i < v->len && !c->abort; i++) {
        if (gw_jsonschema_eval_child(c, f, n->contains, v->items[i], NULL, 0, i, &e)) {
            cmn_buf_printf(&at, matched ? " %u" : "%u", i);
            matched++;
            if (n->draft >= 2020)
                gw_jsonschema_ann_set(ann, i);
        } else if (!c->abort) {
            gw_jsonschema_errlist_add(c, &errs, e);
        }
    }
    if (c->abort)
        goto out;
    if (n->min_contains >= 0 && (int64_t)matched < n->min_contains) {
        cmn_buf_append_str(&c->tmp, "min ");
        gw_jsonschema_fmt_text_int(&c->tmp, n->min_contains);
        cmn_buf_append_str(&c->tmp, " items required to match contains schema, but ");
        if (matched == 0) {
            cmn_buf_append_str(&c->tmp, "none matched");
        } else {
            cmn_buf_append_str(&c->tmp, "matched ");
            gw_jsonschema_fmt_text_int(&c->tmp, matched);
            cmn_buf_printf(&c->tmp, " items at %s", cmn_buf_str(&at));
        }
    } else if (n->min_contains < 0 && matched == 0) {
        cmn_buf_append_str(&c->tmp, "no items match contains schema");
    }
    if (c->tmp.len) {
        e = NULL;
        if (!f->quiet) {
            e = gw_jsonschema_err_tmp(c);
            gw_jsonschema_err_causes(c, e, &errs);
        }
        gw_jsonschema_errlist_add(c, l, e);
        cmn_buf_reset(&c->tmp);
    }
    if (n->max_contains >= 0 && (int64_t)matched > n->max_contains) {
        cmn_buf_append_str(&c->tmp, "max ");
        gw_jsonschema_fmt_text_int(&c->tmp, n->max_contains);
        cmn_buf_append_str(&c->tmp, " items required to match contains schema, but matched ");
        gw_jsonschema_fmt_text_int(&c->tmp, matched);
        cmn_buf_printf(&c->tmp, " items at %s", cmn_buf_str(&at));
        add(c, f, l);
    }
out:
    cmn_buf_free(&at);
}

void gw_jsonschema_kw_array(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                            const struct gw_jsonschema_value *v, struct gw_jsonschema_ann *ann,
                            struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n;
    struct gw_jsonschema_error *e;
    uint32_t i, j, done = 0;
    bool ok;

    if (n->min_items >= 0 && (int64_t)v->len < n->min_items)
        count_error(c, f, l, "minItems", v->len, n->min_items);
    if (n->max_items >= 0 && (int64_t)v->len > n->max_items)
        count_error(c, f, l, "maxItems", v->len, n->max_items);
    if (n->unique_items && v->len > 1 && duplicate(c, v, &j, &i)) {
        cmn_buf_append_str(&c->tmp, "items at ");
        gw_jsonschema_fmt_text_int(&c->tmp, j);
        cmn_buf_append_str(&c->tmp, " and ");
        gw_jsonschema_fmt_text_int(&c->tmp, i);
        cmn_buf_append_str(&c->tmp, " are equal");
        add(c, f, l);
    }
    if (c->abort || gw_jsonschema_stop(c, f, l))
        return;
    for (i = 0; i < v->len && i < n->n_prefix && !c->abort && !gw_jsonschema_stop(c, f, l); i++) {
        ok = gw_jsonschema_eval_child(c, f, n->prefix[i], v->items[i], NULL, 0, i, &e);
        child_error(c, l, ok, e);
        gw_jsonschema_ann_set(ann, i);
        done = i + 1;
    }
    if (n->items_all || n->draft >= 2020) {
        for (i = n->items_all ? 0 : done;
             n->items && i < v->len && !c->abort && !gw_jsonschema_stop(c, f, l); i++) {
            ok = gw_jsonschema_eval_child(c, f, n->items, v->items[i], NULL, 0, i, &e);
            child_error(c, l, ok, e);
            gw_jsonschema_ann_set(ann, i);
        }
    } else if (n->additional_items_bool == GW_JSB_FALSE && done < v->len) {
        cmn_buf_append_str(&c->tmp, "last ");
        gw_jsonschema_fmt_text_int(&c->tmp, v->len - done);
        cmn_buf_append_str(&c->tmp, " additionalItem(s) not allowed");
        add(c, f, l);
    } else if (n->additional_items_bool == GW_JSB_TRUE || n->additional_items) {
        for (i = done; i < v->len && !c->abort && !gw_jsonschema_stop(c, f, l); i++) {
            if (n->additional_items) {
                ok = gw_jsonschema_eval_child(c, f, n->additional_items, v->items[i], NULL, 0, i,
                                              &e);
                child_error(c, l, ok, e);
            }
            gw_jsonschema_ann_set(ann, i);
        }
    }
    if (n->contains && !c->abort && !gw_jsonschema_stop(c, f, l))
        contains(c, f, v, ann, l);
}

/* ---- strings and numbers ---- */

void gw_jsonschema_kw_string(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                             const struct gw_jsonschema_value *v, struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n;
    int64_t len = -1;
    size_t pn;
    const char *p;

    if (n->min_length >= 0 || n->max_length >= 0) {
        len = (int64_t)gw_jsonschema_utf8_count(v->str, v->len);
        gw_jsonschema_charge(c, v->len / 64);
    }
    if (n->min_length >= 0 && len < n->min_length)
        count_error(c, f, l, "minLength", len, n->min_length);
    if (n->max_length >= 0 && len > n->max_length)
        count_error(c, f, l, "maxLength", len, n->max_length);
    if (n->pattern && !gw_jsonschema_stop(c, f, l) && search(c, n->pattern, v->str, v->len) == 0) {
        gw_jsonschema_quote(&c->tmp, v->str, v->len);
        cmn_buf_append_str(&c->tmp, " does not match pattern ");
        p = gw_jsonschema_regex_source(n->pattern, &pn);
        gw_jsonschema_quote(&c->tmp, p, pn);
        add(c, f, l);
    }
}

void gw_jsonschema_kw_number(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                             const struct gw_jsonschema_value *v, struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n;
    uint64_t budget;
    int r;

    if (n->minimum && gw_jsonschema_num_cmp(&v->num, n->minimum) < 0)
        num_error(c, f, l, "minimum", &v->num, n->minimum);
    if (n->maximum && gw_jsonschema_num_cmp(&v->num, n->maximum) > 0)
        num_error(c, f, l, "maximum", &v->num, n->maximum);
    if (n->xminimum && gw_jsonschema_num_cmp(&v->num, n->xminimum) <= 0)
        num_error(c, f, l, "exclusiveMinimum", &v->num, n->xminimum);
    if (n->xmaximum && gw_jsonschema_num_cmp(&v->num, n->xmaximum) >= 0)
        num_error(c, f, l, "exclusiveMaximum", &v->num, n->xmaximum);
    if (n->multiple_of) {
        budget = c->s->lim.max_work > c->work ? c->s->lim.max_work - c->work : 0;
        r = gw_jsonschema_num_multiple(&v->num, n->multiple_of, &budget);
        if (r < 0) {
            gw_jsonschema_abort(c, GW_JSONSCHEMA_LIMIT,
                                "jsonschema: validation stopped: work limit reached");
            return;
        }
        c->work = c->s->lim.max_work - budget;
        if (r == 0)
            num_error(c, f, l, "multipleOf", &v->num, n->multiple_of);
    }
}

/* ---- unevaluated ---- */

void gw_jsonschema_kw_uneval(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                             const struct gw_jsonschema_value *v, struct gw_jsonschema_ann *ann,
                             struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n;
    struct gw_jsonschema_error *e;
    uint32_t i;
    bool ok;

    if (!ann || !ann->bits)
        return;
    if (v->type == GW_JST_OBJECT && n->uneval_props) {
        for (i = 0; i < v->len && !c->abort && !gw_jsonschema_stop(c, f, l); i++) {
            if (gw_jsonschema_ann_has(ann, i))
                continue;
            ok = gw_jsonschema_eval_child(c, f, n->uneval_props, v->members[i].val,
                                          v->members[i].key, v->members[i].klen, 0, &e);
            child_error(c, l, ok, e);
        }
        for (i = 0; i < v->len; i++)
            gw_jsonschema_ann_set(ann, i);
    }
    if (v->type == GW_JST_ARRAY && n->uneval_items) {
        for (i = 0; i < v->len && !c->abort && !gw_jsonschema_stop(c, f, l); i++) {
            if (gw_jsonschema_ann_has(ann, i))
                continue;
            ok = gw_jsonschema_eval_child(c, f, n->uneval_items, v->items[i], NULL, 0, i, &e);
            child_error(c, l, ok, e);
        }
        for (i = 0; i < v->len; i++)
            gw_jsonschema_ann_set(ann, i);
    }
}
