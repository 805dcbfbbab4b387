/* gw_jsonschema_validate.c - validation of an instance: schemas one after another in the order
 * KrakenD's library applies their keywords, applicators (allOf, anyOf, oneOf, not, if), references
 * ($ref, $dynamicRef, $recursiveRef), caps on work and depth, and the public entry points. */
#include "gw_jsonschema_eval.h"

#include <stdlib.h>
#include <string.h>

/* ---- bookkeeping ---- */

void gw_jsonschema_abort(struct gw_jsonschema_vctx *c, enum gw_jsonschema_status st,
                         const char *msg)
{
    if (!c->abort) {
        c->abort = st;
        c->abort_msg = msg;
    }
}

bool gw_jsonschema_charge(struct gw_jsonschema_vctx *c, uint64_t units)
{
    c->work += units;
    if (c->work > c->s->lim.max_work) {
        gw_jsonschema_abort(c, GW_JSONSCHEMA_LIMIT,
                            "jsonschema: validation stopped: work limit reached");
        return false;
    }
    return !c->abort;
}

static void *ealloc(struct gw_jsonschema_vctx *c, size_t n)
{
    void *p = gw_jsonschema_alloc(&c->a, n);

    if (!p)
        gw_jsonschema_abort(c, c->a.total >= c->a.cap ? GW_JSONSCHEMA_LIMIT : GW_JSONSCHEMA_NOMEM,
                            "jsonschema: validation stopped: memory limit reached");
    return p;
}

bool gw_jsonschema_ann_init(struct gw_jsonschema_vctx *c, struct gw_jsonschema_ann *a, uint32_t n)
{
    size_t words = ((size_t)n + 63) / 64;

    a->n = n;
    a->bits = NULL;
    if (!gw_jsonschema_charge(c, words / 8))
        return false;
    a->bits = ealloc(c, (words ? words : 1) * sizeof(uint64_t));
    return a->bits != NULL;
}

void gw_jsonschema_ann_merge(struct gw_jsonschema_ann *into, const struct gw_jsonschema_ann *from)
{
    if (!into || !into->bits || !from || !from->bits)
        return;
    for (size_t i = 0; i < ((size_t)into->n + 63) / 64; i++)
        into->bits[i] |= from->bits[i];
}

/* ---- errors ---- */

/* The instance location as a JSON pointer (a key may hold NUL: *len is its length). */
static const char *location(struct gw_jsonschema_vctx *c, uint32_t *len)
{
    struct cmn_buf b;
    char *out;

    cmn_buf_init(&b, 1u << 20);
    for (size_t i = 0; i < c->path_n; i++) {
        if (c->path[i].key)
            gw_jsonschema_ptr_append(&b, c->path[i].key, c->path[i].len);
        else
            cmn_buf_printf(&b, "/%u", c->path[i].index);
    }
    out = gw_jsonschema_strndup(&c->a, cmn_buf_str(&b), b.len);
    *len = (uint32_t)b.len;
    cmn_buf_free(&b);
    if (!out)
        gw_jsonschema_abort(c, GW_JSONSCHEMA_LIMIT,
                            "jsonschema: validation stopped: memory limit reached");
    return out;
}

struct gw_jsonschema_error *gw_jsonschema_err_new(struct gw_jsonschema_vctx *c, uint8_t kind,
                                                  const char *msg)
{
    struct gw_jsonschema_error *e;

    /* groups and references hold kept errors: they do not count against the cap */
    if ((kind == GW_JSE_LEAF && c->n_errors >= c->s->lim.max_errors) || c->abort)
        return &c->dropped;
    e = ealloc(c, sizeof(*e));
    if (!e)
        return &c->dropped;
    if (kind == GW_JSE_LEAF)
        c->n_errors++;
    e->kind = kind;
    e->loc = location(c, &e->loc_len);
    if (msg && !(e->msg = gw_jsonschema_strndup(&c->a, msg, strlen(msg))))
        gw_jsonschema_abort(c, GW_JSONSCHEMA_LIMIT,
                            "jsonschema: validation stopped: memory limit reached");
    return e;
}

struct gw_jsonschema_error *gw_jsonschema_err_tmp(struct gw_jsonschema_vctx *c)
{
    struct gw_jsonschema_error *e = gw_jsonschema_err_new(c, GW_JSE_LEAF, cmn_buf_str(&c->tmp));

    cmn_buf_reset(&c->tmp);
    return e;
}

void gw_jsonschema_errlist_add(struct gw_jsonschema_vctx *c, struct gw_jsonschema_errlist *l,
                               struct gw_jsonschema_error *e)
{
    l->n++;
    if (!e || e == &c->dropped)
        return;
    e->next = NULL;
    if (l->tail)
        l->tail->next = e;
    else
        l->head = e;
    l->tail = e;
}

void gw_jsonschema_err_causes(struct gw_jsonschema_vctx *c, struct gw_jsonschema_error *e,
                              const struct gw_jsonschema_errlist *l)
{
    if (e == &c->dropped)
        return;
    e->causes = l->head;
    e->last = l->tail;
    e->n_causes = l->n;
}

/* An error standing for several: the group's causes become e's. */
static void adopt(struct gw_jsonschema_vctx *c, struct gw_jsonschema_error *e,
                  struct gw_jsonschema_error *child)
{
    struct gw_jsonschema_errlist l = {0};

    if (child && child != &c->dropped && child->kind == GW_JSE_GROUP) {
        l.head = child->causes;
        l.tail = child->last;
        l.n = child->n_causes;
    } else {
        gw_jsonschema_errlist_add(c, &l, child);
    }
    gw_jsonschema_err_causes(c, e, &l);
}

static void leaf(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                 struct gw_jsonschema_errlist *l, const char *msg)
{
    gw_jsonschema_errlist_add(c, l, f->quiet ? NULL : gw_jsonschema_err_new(c, GW_JSE_LEAF, msg));
}

/* A keyword error holding the errors of its subschemas (allOf, anyOf, oneOf). */
static void with_causes(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                        struct gw_jsonschema_errlist *l, const char *msg,
                        const struct gw_jsonschema_errlist *causes)
{
    struct gw_jsonschema_error *e = NULL;

    if (!f->quiet) {
        e = gw_jsonschema_err_new(c, GW_JSE_LEAF, msg);
        gw_jsonschema_err_causes(c, e, causes);
    }
    gw_jsonschema_errlist_add(c, l, e);
}

/* ---- schemas ---- */

bool gw_jsonschema_eval_child(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                              const struct gw_jsonschema_node *n,
                              const struct gw_jsonschema_value *v, const char *key, uint32_t klen,
                              uint32_t index, struct gw_jsonschema_error **err)
{
    struct gw_jsonschema_tok *np;
    bool ok;

    if (c->path_n == c->path_cap) {
        size_t ncap = c->path_cap ? c->path_cap * 2 : 32;
        np = realloc(c->path, ncap * sizeof(*np));
        if (!np) {
            gw_jsonschema_abort(c, GW_JSONSCHEMA_NOMEM, "jsonschema: out of memory");
            return false;
        }
        c->path = np;
        c->path_cap = ncap;
    }
    c->path[c->path_n].key = key;
    c->path[c->path_n].len = klen;
    c->path[c->path_n].index = index;
    c->path_n++;
    ok = gw_jsonschema_eval(c, f, n, v, f->vid + 1, f->quiet, false, NULL, err);
    c->path_n--;
    return ok;
}

/* A schema entered through a reference: its error wrapped as the library's kind.Reference. */
static void eval_ref(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                     const struct gw_jsonschema_node *target, const struct gw_jsonschema_value *v,
                     struct gw_jsonschema_ann *ann, struct gw_jsonschema_errlist *l)
{
    struct gw_jsonschema_error *child = NULL, *e = NULL;

    if (gw_jsonschema_eval(c, f, target, v, f->vid, f->quiet, true, ann, &child) || c->abort)
        return;
    if (!f->quiet && child && child != &c->dropped) {
        e = gw_jsonschema_err_new(c, GW_JSE_REFERENCE, NULL);
        adopt(c, e, child);
    }
    gw_jsonschema_errlist_add(c, l, e);
}

static bool cycle(const struct gw_jsonschema_frame *f)
{
    for (const struct gw_jsonschema_frame *p = f->parent; p && p->vid == f->vid; p = p->parent)
        if (p->n == f->n)
            return true;
    return false;
}

static void dynamic_refs(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                         const struct gw_jsonschema_value *v, struct gw_jsonschema_ann *ann,
                         struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n, *t;
    const struct gw_jsonschema_frame *p;

    if ((t = n->recursive_ref) != NULL) {
        /* 2019-09: the outermost resource with $recursiveAnchor: true in the dynamic scope */
        if (t->recursive_anchor)
            for (p = f; p; p = p->parent)
                if (p->n->res && p->n->res->recursive_anchor && p->n->res->compiled)
                    t = p->n->res->compiled;
        eval_ref(c, f, t, v, ann, l);
    }
    if (gw_jsonschema_stop(c, f, l) || (t = n->dynamic_ref) == NULL)
        return;
    /* 2020-12: the bookend is the static target; then the outermost matching $dynamicAnchor */
    if (n->dynamic_ref_anchor && t->dynamic_anchor &&
        !strcmp(t->dynamic_anchor, n->dynamic_ref_anchor)) {
        for (p = f; p; p = p->parent) {
            const struct gw_jsonschema_resource *r = p->n->res;
            for (size_t i = 0; r && i < r->n_anchors; i++)
                if (r->anchors[i].dynamic && r->anchors[i].compiled &&
                    !strcmp(r->anchors[i].name, n->dynamic_ref_anchor))
                    t = r->anchors[i].compiled;
        }
    }
    eval_ref(c, f, t, v, ann, l);
}

static void conditionals(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                         const struct gw_jsonschema_value *v, struct gw_jsonschema_ann *ann,
                         struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n;
    struct gw_jsonschema_errlist sub = {0};
    struct gw_jsonschema_error *e;
    uint32_t i;
    long matched = -1;
    bool any = false;

    if (n->not_s && gw_jsonschema_eval(c, f, n->not_s, v, f->vid, true, false, NULL, &e))
        leaf(c, f, l, "not failed");
    if (c->abort || gw_jsonschema_stop(c, f, l))
        return;
    for (i = 0; i < n->n_all_of; i++) {
        if (!gw_jsonschema_eval(c, f, n->all_of[i], v, f->vid, f->quiet, false, ann, &e)) {
            gw_jsonschema_errlist_add(c, &sub, e);
            if (f->quiet || c->first_only || c->abort)
                break;
        }
    }
    if (sub.n)
        with_causes(c, f, l, "allOf failed", &sub);
    if (c->abort || gw_jsonschema_stop(c, f, l))
        return;
    memset(&sub, 0, sizeof(sub));
    for (i = 0; i < n->n_any_of && !c->abort; i++) {
        if (gw_jsonschema_eval(c, f, n->any_of[i], v, f->vid, f->quiet, false, ann, &e)) {
            any = true;
            if (!ann) /* annotations need every branch evaluated */
                break;
        } else if (!any) {
            gw_jsonschema_errlist_add(c, &sub, e);
        }
    }
    if (n->n_any_of && !any)
        with_causes(c, f, l, "anyOf failed", &sub);
    if (c->abort || gw_jsonschema_stop(c, f, l))
        return;
    memset(&sub, 0, sizeof(sub));
    for (i = 0; i < n->n_one_of && !c->abort; i++) {
        if (gw_jsonschema_eval(c, f, n->one_of[i], v, f->vid, f->quiet || matched >= 0, false,
                               matched >= 0 ? NULL : ann, &e)) {
            if (matched < 0) {
                matched = (long)i;
                continue;
            }
            cmn_buf_append_str(&c->tmp, "oneOf failed, subschemas ");
            gw_jsonschema_fmt_text_int(&c->tmp, matched);
            cmn_buf_append_str(&c->tmp, ", ");
            gw_jsonschema_fmt_text_int(&c->tmp, i);
            cmn_buf_append_str(&c->tmp, " matched");
            gw_jsonschema_errlist_add(c, l, f->quiet ? NULL : gw_jsonschema_err_tmp(c));
            cmn_buf_reset(&c->tmp);
            break;
        } else if (matched < 0) {
            gw_jsonschema_errlist_add(c, &sub, e);
        }
    }
    if (n->n_one_of && matched < 0)
        with_causes(c, f, l, "oneOf failed, none matched", &sub);
    if (c->abort || gw_jsonschema_stop(c, f, l) || !n->if_s)
        return;
    if (gw_jsonschema_eval(c, f, n->if_s, v, f->vid, true, false, ann, &e)) {
        if (n->then_s && !gw_jsonschema_eval(c, f, n->then_s, v, f->vid, f->quiet, false, ann, &e))
            gw_jsonschema_errlist_add(c, l, e);
    } else if (n->else_s && !c->abort &&
               !gw_jsonschema_eval(c, f, n->else_s, v, f->vid, f->quiet, false, ann, &e)) {
        gw_jsonschema_errlist_add(c, l, e);
    }
}

static bool type_ok(const struct gw_jsonschema_node *n, const struct gw_jsonschema_value *v)
{
    if (n->types & (1u << v->type))
        return true;
    return (n->types & GW_JS_INTEGER_BIT) && v->type == GW_JST_NUMBER &&
           gw_jsonschema_num_is_int(&v->num);
}

static void type_error(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                       const struct gw_jsonschema_value *v, struct gw_jsonschema_errlist *l)
{
    static const char *const GOT[] = {"null", "boolean", "number", "string", "array", "object"};
    /* the library lists wanted types in this order */
    static const struct {
        uint8_t bit;
        const char *name;
    } WANT[] = {{1u << GW_JST_NULL, "null"},     {1u << GW_JST_BOOL, "boolean"},
                {1u << GW_JST_NUMBER, "number"}, {GW_JS_INTEGER_BIT, "integer"},
                {1u << GW_JST_STRING, "string"}, {1u << GW_JST_ARRAY, "array"},
                {1u << GW_JST_OBJECT, "object"}};
    bool first = true;

    if (f->quiet) {
        gw_jsonschema_errlist_add(c, l, NULL);
        return;
    }
    cmn_buf_printf(&c->tmp, "got %s, want ", GOT[v->type]);
    for (size_t i = 0; i < sizeof(WANT) / sizeof(WANT[0]); i++) {
        if (f->n->types & WANT[i].bit) {
            cmn_buf_append_str(&c->tmp, first ? "" : " or ");
            cmn_buf_append_str(&c->tmp, WANT[i].name);
            first = false;
        }
    }
    gw_jsonschema_errlist_add(c, l, gw_jsonschema_err_tmp(c));
}

static bool primitive(const struct gw_jsonschema_value *v)
{
    return v->type != GW_JST_ARRAY && v->type != GW_JST_OBJECT;
}

static void enum_error(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                       struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_value *e = f->n->enum_v;

    for (uint32_t i = 0; i < e->len; i++) {
        if (!primitive(e->items[i])) {
            leaf(c, f, l, "enum failed");
            return;
        }
    }
    cmn_buf_append_str(&c->tmp, e->len == 1 ? "value must be " : "value must be one of ");
    for (uint32_t i = 0; i < e->len; i++) {
        if (i)
            cmn_buf_append_str(&c->tmp, ", ");
        gw_jsonschema_display(&c->tmp, e->items[i]);
    }
    gw_jsonschema_errlist_add(c, l, f->quiet ? NULL : gw_jsonschema_err_tmp(c));
    cmn_buf_reset(&c->tmp);
}

/* The keywords that, failing, stand alone: type, const, enum, format. */
static bool first_checks(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                         const struct gw_jsonschema_value *v, struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n;
    uint32_t i;
    bool found;

    if (n->types && !type_ok(n, v)) {
        type_error(c, f, v, l);
        return false;
    }
    if (n->const_v && !gw_jsonschema_equal(v, n->const_v, &c->work)) {
        if (!primitive(n->const_v)) {
            leaf(c, f, l, "const failed");
        } else {
            cmn_buf_append_str(&c->tmp, "value must be ");
            gw_jsonschema_display(&c->tmp, n->const_v);
            gw_jsonschema_errlist_add(c, l, f->quiet ? NULL : gw_jsonschema_err_tmp(c));
            cmn_buf_reset(&c->tmp);
        }
        return false;
    }
    if (n->enum_v) {
        found = false;
        if (n->enum_types & (1u << v->type))
            for (i = 0; i < n->enum_v->len && !found; i++)
                found = gw_jsonschema_equal(v, n->enum_v->items[i], &c->work);
        if (!found) {
            enum_error(c, f, l);
            return false;
        }
    }
    if (n->format) {
        cmn_buf_reset(&c->tmp);
        if (!gw_jsonschema_format_check(n->format, v, &c->tmp)) {
            struct cmn_buf why = c->tmp;
            const struct gw_jsonschema_value *src = gw_jsonschema_getz(n->src, "format");
            cmn_buf_init(&c->tmp, c->tmp.cap);
            gw_jsonschema_display(&c->tmp, v);
            cmn_buf_printf(&c->tmp, " is not valid %s: %s", src ? src->str : "", cmn_buf_str(&why));
            cmn_buf_free(&why);
            gw_jsonschema_errlist_add(c, l, f->quiet ? NULL : gw_jsonschema_err_tmp(c));
            cmn_buf_reset(&c->tmp);
            return false;
        }
        cmn_buf_reset(&c->tmp);
    }
    return gw_jsonschema_charge(c, 0);
}

/* A built-in metaschema: v must be a schema of the draft. */
static void meta(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                 const struct gw_jsonschema_value *v, struct gw_jsonschema_errlist *l)
{
    struct cmn_buf where, why;
    struct gw_jsonschema_error *e = NULL;
    const char *loc;

    cmn_buf_init(&where, 1u << 16);
    cmn_buf_init(&why, 512);
    if (!gw_jsonschema_check(v, f->n->meta, &where, &why, &c->work)) {
        if (!f->quiet) {
            e = gw_jsonschema_err_new(c, GW_JSE_LEAF, cmn_buf_str(&why));
            if (e != &c->dropped && (loc = e->loc) != NULL) {
                cmn_buf_reset(&why);
                cmn_buf_append(&why, loc, e->loc_len);
                cmn_buf_append(&why, cmn_buf_str(&where), where.len);
                e->loc = gw_jsonschema_strndup(&c->a, cmn_buf_str(&why), why.len);
                e->loc_len = (uint32_t)why.len;
            }
        }
        gw_jsonschema_errlist_add(c, l, e);
    }
    cmn_buf_free(&where);
    cmn_buf_free(&why);
    gw_jsonschema_charge(c, 0);
}

static void eval_node(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *f,
                      const struct gw_jsonschema_value *v, bool via_ref,
                      struct gw_jsonschema_ann *ann, struct gw_jsonschema_errlist *l)
{
    const struct gw_jsonschema_node *n = f->n;
    struct gw_jsonschema_ann mine = {0}, *my = NULL;

    if (n->meta.draft) {
        meta(c, f, v, l);
        return;
    }
    if (n->boolean) {
        if (n->boolean == GW_JSB_FALSE)
            leaf(c, f, l, "false schema");
        return;
    }
    if (via_ref && cycle(f)) {
        leaf(c, f, l, "a reference cycle: the schema refers to itself on the same value");
        return;
    }
    if (!first_checks(c, f, v, l))
        return;
    if ((ann || n->uneval_props || n->uneval_items) &&
        (v->type == GW_JST_OBJECT || v->type == GW_JST_ARRAY)) {
        if (!gw_jsonschema_ann_init(c, &mine, v->len))
            return;
        my = &mine;
    }
    if (n->ref) {
        eval_ref(c, f, n->ref, v, my, l);
        if (n->draft < 2019 || c->abort || gw_jsonschema_stop(c, f, l))
            goto done;
    }
    switch (v->type) {
    case GW_JST_OBJECT:
        gw_jsonschema_kw_object(c, f, v, my, l);
        break;
    case GW_JST_ARRAY:
        gw_jsonschema_kw_array(c, f, v, my, l);
        break;
    case GW_JST_STRING:
        gw_jsonschema_kw_string(c, f, v, l);
        break;
    case GW_JST_NUMBER:
        gw_jsonschema_kw_number(c, f, v, l);
        break;
    default:
        break;
    }
    if (c->abort || gw_jsonschema_stop(c, f, l))
        goto done;
    if (n->draft >= 2019)
        dynamic_refs(c, f, v, my, l);
    if (c->abort || gw_jsonschema_stop(c, f, l))
        goto done;
    conditionals(c, f, v, my, l);
    if (n->draft >= 2019 && !c->abort && !gw_jsonschema_stop(c, f, l))
        gw_jsonschema_kw_uneval(c, f, v, my, l);
done:
    if (l->n == 0 && !c->abort)
        gw_jsonschema_ann_merge(ann, my);
}

bool gw_jsonschema_eval(struct gw_jsonschema_vctx *c, const struct gw_jsonschema_frame *parent,
                        const struct gw_jsonschema_node *n, const struct gw_jsonschema_value *v,
                        uint32_t vid, bool quiet, bool via_ref, struct gw_jsonschema_ann *ann,
                        struct gw_jsonschema_error **err)
{
    struct gw_jsonschema_frame f = {parent, n, vid, quiet};
    struct gw_jsonschema_errlist l = {0};
    struct gw_jsonschema_error *g;

    *err = NULL;
    if (!gw_jsonschema_charge(c, 1))
        return false;
    if (++c->depth > c->s->lim.max_eval_depth) {
        gw_jsonschema_abort(c, GW_JSONSCHEMA_LIMIT,
                            "jsonschema: validation stopped: schemas nested too deep");
        c->depth--;
        return false;
    }
    eval_node(c, &f, v, via_ref, ann, &l);
    c->depth--;
    if (c->abort)
        return false;
    if (l.n == 0)
        return true;
    if (!quiet) {
        if (l.n == 1 || !l.head) {
            *err = l.head ? l.head : &c->dropped;
        } else {
            g = gw_jsonschema_err_new(c, GW_JSE_GROUP, NULL);
            gw_jsonschema_err_causes(c, g, &l);
            *err = g;
        }
    }
    return false;
}

/* ---- entry points ---- */

static enum gw_jsonschema_status run(struct gw_jsonschema_vctx *c,
                                     const struct gw_jsonschema_value *v, struct cmn_buf *text)
{
    struct gw_jsonschema_error *e = NULL;
    struct gw_jsonschema_errlist top = {0};

    if (gw_jsonschema_eval(c, NULL, c->s->root, v, 0, false, false, NULL, &e))
        return GW_JSONSCHEMA_OK;
    if (c->abort) {
        if (text)
            cmn_buf_append_str(text, c->abort_msg);
        return c->abort;
    }
    /* the library's top error holds the root's errors as causes */
    if (e && e != &c->dropped && e->kind == GW_JSE_GROUP) {
        top.head = e->causes;
    } else {
        gw_jsonschema_errlist_add(c, &top, e);
    }
    if (text)
        gw_jsonschema_error_render(text, top.head);
    return GW_JSONSCHEMA_INVALID;
}

static void ctx_init(struct gw_jsonschema_vctx *c, const struct gw_jsonschema *s,
                     enum gw_jsonschema_output mode)
{
    memset(c, 0, sizeof(*c));
    c->s = s;
    c->first_only = mode == GW_JSONSCHEMA_FIRST_ERROR;
    gw_jsonschema_arena_init(&c->a, s->lim.max_memory);
    cmn_buf_init(&c->tmp, 1u << 20);
}

static void ctx_free(struct gw_jsonschema_vctx *c)
{
    gw_jsonschema_matcher_free(c->m);
    free(c->path);
    cmn_buf_free(&c->tmp);
    gw_jsonschema_arena_free(&c->a);
}

enum gw_jsonschema_status gw_jsonschema_validate_value(const struct gw_jsonschema *s,
                                                       const struct gw_jsonschema_value *v,
                                                       enum gw_jsonschema_output mode,
                                                       struct cmn_buf *text)
{
    struct gw_jsonschema_vctx c;
    enum gw_jsonschema_status st;

    ctx_init(&c, s, mode);
    st = run(&c, v, text);
    ctx_free(&c);
    return st;
}

enum gw_jsonschema_status gw_jsonschema_validate(const struct gw_jsonschema *s, const char *body,
                                                 size_t n, enum gw_jsonschema_output mode,
                                                 struct cmn_buf *text)
{
    struct gw_jsonschema_vctx c;
    struct gw_jsonschema_parse_limits lim;
    struct gw_jsonschema_value *v = NULL;
    struct cmn_err err = {0};
    enum gw_jsonschema_status st;

    if (n == 0 || !body) {
        if (text)
            cmn_buf_append_str(text, "could not validate an empty body");
        return GW_JSONSCHEMA_BAD_BODY;
    }
    ctx_init(&c, s, mode);
    lim.max_bytes = s->lim.max_instance_bytes;
    lim.max_depth = s->lim.max_depth;
    lim.max_nodes = s->lim.max_instance_nodes;
    st = gw_jsonschema_parse(&c.a, body, n, &lim, &v, &err);
    if (st == GW_JSONSCHEMA_OK)
        st = run(&c, v, text);
    else if (text)
        cmn_buf_append_str(text, err.msg);
    ctx_free(&c);
    return st;
}
