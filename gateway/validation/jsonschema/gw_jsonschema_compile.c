/* gw_jsonschema_compile.c - the second compiler pass: each schema reached from the root becomes an
 * immutable node (keywords per draft and vocabulary, references resolved), plus the public
 * compile and destroy entry points. */
#include "gw_jsonschema_int.h"

#include <stdlib.h>
#include <string.h>

#define ROOT_URI "file:///schema"

void gw_jsonschema_limits_fill(struct gw_jsonschema_limits *l,
                               const struct gw_jsonschema_limits *in)
{
    static const struct gw_jsonschema_limits DEF = {
        .max_schema_nodes = 100000,
        .max_depth = 128,
        .max_instance_bytes = 4u << 20,
        .max_instance_nodes = 1000000,
        .max_memory = 128u << 20,
        .max_work = 2000000,
        .max_eval_depth = 1024,
        .max_errors = 256,
    };

    *l = DEF;
    if (!in)
        return;
    if (in->max_schema_nodes)
        l->max_schema_nodes = in->max_schema_nodes;
    if (in->max_depth > 0)
        l->max_depth = in->max_depth;
    if (in->max_instance_bytes)
        l->max_instance_bytes = in->max_instance_bytes;
    if (in->max_instance_nodes)
        l->max_instance_nodes = in->max_instance_nodes;
    if (in->max_memory)
        l->max_memory = in->max_memory;
    if (in->max_work)
        l->max_work = in->max_work;
    if (in->max_eval_depth > 0)
        l->max_eval_depth = in->max_eval_depth;
    if (in->max_errors)
        l->max_errors = in->max_errors;
}

static bool oom(struct gw_jsonschema_compiler *c)
{
    if (!c->err->code)
        cmn_err_set(c->err, c->a->total >= c->a->cap ? GW_JSONSCHEMA_LIMIT : GW_JSONSCHEMA_NOMEM,
                    "jsonschema: out of memory compiling the schema");
    return false;
}

static struct gw_jsonschema_node *new_node(struct gw_jsonschema_compiler *c)
{
    struct gw_jsonschema_node *n = gw_jsonschema_alloc(c->a, sizeof(*n));

    if (!n)
        return oom(c), NULL;
    n->min_length = n->max_length = n->min_items = n->max_items = -1;
    n->min_props = n->max_props = n->min_contains = n->max_contains = -1;
    return n;
}

struct gw_jsonschema_node *gw_jsonschema_node_of(struct gw_jsonschema_compiler *c,
                                                 struct gw_jsonschema_info *inf)
{
    struct gw_jsonschema_info **nq;
    struct gw_jsonschema_node *n;

    if (inf->compiled)
        return inf->compiled;
    if (++c->nodes > c->out->lim.max_schema_nodes * 2) {
        cmn_err_set(c->err, GW_JSONSCHEMA_LIMIT, "jsonschema: schema too large");
        return NULL;
    }
    n = new_node(c);
    if (!n)
        return NULL;
    n->src = inf->node;
    n->res = inf->res;
    n->draft = inf->dialect.draft;
    inf->compiled = n;
    inf->res->used = true;
    if (c->q_n == c->q_cap) {
        nq = realloc(c->queue, (c->q_cap ? c->q_cap * 2 : 64) * sizeof(*nq));
        if (!nq)
            return oom(c), NULL;
        c->queue = nq;
        c->q_cap = c->q_cap ? c->q_cap * 2 : 64;
    }
    c->queue[c->q_n++] = inf;
    return n;
}

struct gw_jsonschema_node *gw_jsonschema_meta_node(struct gw_jsonschema_compiler *c,
                                                   struct gw_jsonschema_dialect d)
{
    int key = d.draft * 1024 + (int)d.vocabs;
    struct gw_jsonschema_node *n;

    for (size_t i = 0; i < c->n_meta; i++)
        if (c->meta_key[i] == key)
            return c->meta[i];
    n = new_node(c);
    if (!n)
        return NULL;
    n->meta = d;
    n->draft = d.draft;
    if (c->n_meta < sizeof(c->meta) / sizeof(c->meta[0])) {
        c->meta[c->n_meta] = n;
        c->meta_key[c->n_meta++] = key;
    }
    return n;
}

/* ---- keyword helpers ---- */

struct kctx {
    struct gw_jsonschema_compiler *c;
    struct gw_jsonschema_info *inf;
    struct gw_jsonschema_node *n;
    const struct gw_jsonschema_value *v;
    struct gw_jsonschema_dialect d;
};

static bool has_vocab(const struct kctx *k, unsigned bit)
{
    return k->d.draft < 2019 || (k->d.vocabs & bit) != 0;
}

static const struct gw_jsonschema_value *kw(const struct kctx *k, const char *name)
{
    return gw_jsonschema_getz(k->v, name);
}

/* The node of a subschema value (scanned as a subschema of k's schema). */
static struct gw_jsonschema_node *sub(struct kctx *k, const struct gw_jsonschema_value *v,
                                      const char *name)
{
    struct gw_jsonschema_info *inf = gw_jsonschema_info_of(k->c, v);

    if (!inf) {
        gw_jsonschema_compile_fail(k->c, GW_JSONSCHEMA_SCHEMA, k->inf, name,
                                   "not a subschema position");
        return NULL;
    }
    return gw_jsonschema_node_of(k->c, inf);
}

static struct gw_jsonschema_node *sub_kw(struct kctx *k, const char *name, bool *err)
{
    const struct gw_jsonschema_value *v = kw(k, name);
    struct gw_jsonschema_node *n;

    if (!v)
        return NULL;
    n = sub(k, v, name);
    if (!n)
        *err = true;
    return n;
}

static bool sub_array(struct kctx *k, const char *name, struct gw_jsonschema_node ***out,
                      uint32_t *count)
{
    const struct gw_jsonschema_value *v = kw(k, name);

    if (!v || v->type != GW_JST_ARRAY)
        return true;
    *out = gw_jsonschema_alloc(k->c->a, v->len * sizeof(**out));
    if (!*out)
        return oom(k->c);
    for (uint32_t i = 0; i < v->len; i++)
        if (!((*out)[i] = sub(k, v->items[i], name)))
            return false;
    *count = v->len;
    return true;
}

static struct gw_jsonschema_node *ref_target(struct kctx *k, const char *name, const char **frag)
{
    const struct gw_jsonschema_value *v = kw(k, name);
    struct gw_jsonschema_dialect meta;
    struct gw_jsonschema_info *t;

    *frag = "";
    t = gw_jsonschema_resolve(k->c, k->inf, v->str, name, &meta, frag);
    if (t)
        return gw_jsonschema_node_of(k->c, t);
    if (meta.draft)
        return gw_jsonschema_meta_node(k->c, meta);
    return NULL;
}

static int64_t int_kw(const struct kctx *k, const char *name)
{
    const struct gw_jsonschema_value *v = kw(k, name);
    int64_t out;

    if (!v || v->type != GW_JST_NUMBER || !gw_jsonschema_num_is_int(&v->num))
        return -1;
    if (!gw_jsonschema_num_to_i64(&v->num, &out) || out < 0)
        return v->num.neg ? -1 : INT64_MAX; /* larger than any count */
    return out;
}

static const struct gw_jsonschema_num *num_kw(const struct kctx *k, const char *name)
{
    const struct gw_jsonschema_value *v = kw(k, name);

    return v && v->type == GW_JST_NUMBER ? &v->num : NULL;
}

static bool strs(struct kctx *k, const struct gw_jsonschema_value *arr,
                 struct gw_jsonschema_strs *out)
{
    uint32_t n = 0;

    out->s = gw_jsonschema_alloc(k->c->a, arr->len * sizeof(*out->s));
    out->len = gw_jsonschema_alloc(k->c->a, arr->len * sizeof(*out->len));
    if (!out->s || !out->len)
        return oom(k->c);
    for (uint32_t i = 0; i < arr->len; i++) {
        if (arr->items[i]->type == GW_JST_STRING) {
            out->s[n] = arr->items[i]->str;
            out->len[n++] = arr->items[i]->len;
        }
    }
    out->n = n;
    return true;
}

static const struct gw_jsonschema_regex *regex(struct kctx *k, const char *pat, size_t n,
                                               const char *name)
{
    struct gw_jsonschema *s = k->c->out;
    struct gw_jsonschema_regex *re, **nr;
    struct cmn_err rerr = {0};

    re = gw_jsonschema_regex_compile(pat, n, &rerr);
    if (!re) {
        gw_jsonschema_compile_fail(k->c, GW_JSONSCHEMA_SCHEMA, k->inf, name,
                                   "invalid regex '%.*s': %s", (int)(n > 200 ? 200 : n), pat,
                                   rerr.msg);
        return NULL;
    }
    if (s->n_regexes == s->cap_regexes) {
        nr = realloc(s->regexes, (s->cap_regexes ? s->cap_regexes * 2 : 8) * sizeof(*nr));
        if (!nr) {
            gw_jsonschema_regex_free(re);
            return oom(k->c), NULL;
        }
        s->regexes = nr;
        s->cap_regexes = s->cap_regexes ? s->cap_regexes * 2 : 8;
    }
    s->regexes[s->n_regexes++] = re;
    return re;
}

static uint8_t type_bit(const struct gw_jsonschema_value *v)
{
    static const struct {
        const char *name;
        uint8_t bit;
    } T[] = {{"null", 1u << GW_JST_NULL},     {"boolean", 1u << GW_JST_BOOL},
             {"number", 1u << GW_JST_NUMBER}, {"integer", GW_JS_INTEGER_BIT},
             {"string", 1u << GW_JST_STRING}, {"array", 1u << GW_JST_ARRAY},
             {"object", 1u << GW_JST_OBJECT}};

    if (v->type != GW_JST_STRING)
        return 0;
    for (size_t i = 0; i < sizeof(T) / sizeof(T[0]); i++)
        if (!strcmp(T[i].name, v->str))
            return T[i].bit;
    return 0;
}

/* ---- keywords ---- */

static bool object_keywords(struct kctx *k)
{
    const struct gw_jsonschema_value *v;
    bool err = false;
    uint32_t i, j;

    if ((v = kw(k, "properties")) && v->type == GW_JST_OBJECT) {
        k->n->props = gw_jsonschema_alloc(k->c->a, v->len * sizeof(*k->n->props));
        if (!k->n->props)
            return oom(k->c);
        for (i = 0; i < v->len; i++) { /* in key order, for binary search */
            const struct gw_jsonschema_member *m = &v->members[v->order[i]];
            k->n->props[i].key = m->key;
            k->n->props[i].klen = m->klen;
            if (!(k->n->props[i].s = sub(k, m->val, "properties")))
                return false;
        }
        k->n->n_props = v->len;
    }
    if ((v = kw(k, "patternProperties")) && v->type == GW_JST_OBJECT) {
        k->n->pprops = gw_jsonschema_alloc(k->c->a, v->len * sizeof(*k->n->pprops));
        if (!k->n->pprops)
            return oom(k->c);
        for (i = 0; i < v->len; i++) {
            k->n->pprops[i].re =
                regex(k, v->members[i].key, v->members[i].klen, "patternProperties");
            k->n->pprops[i].s = sub(k, v->members[i].val, "patternProperties");
            if (!k->n->pprops[i].re || !k->n->pprops[i].s)
                return false;
        }
        k->n->n_pprops = v->len;
    }
    if ((v = kw(k, "additionalProperties"))) {
        if (v->type == GW_JST_BOOL)
            k->n->additional_props_bool = v->b ? GW_JSB_TRUE : GW_JSB_FALSE;
        else if (!(k->n->additional_props = sub(k, v, "additionalProperties")))
            return false;
    }
    if ((v = kw(k, "dependencies")) && v->type == GW_JST_OBJECT) {
        k->n->deps = gw_jsonschema_alloc(k->c->a, v->len * sizeof(*k->n->deps));
        if (!k->n->deps)
            return oom(k->c);
        for (i = 0; i < v->len; i++) {
            struct gw_jsonschema_dep *dp = &k->n->deps[i];
            dp->key = v->members[i].key;
            dp->klen = v->members[i].klen;
            if (v->members[i].val->type == GW_JST_ARRAY) {
                if (!strs(k, v->members[i].val, &dp->req))
                    return false;
            } else if (!(dp->s = sub(k, v->members[i].val, "dependencies"))) {
                return false;
            }
        }
        k->n->n_deps = v->len;
    }
    if (k->d.draft >= 6 && has_vocab(k, GW_JSV_APPLICATOR))
        k->n->property_names = sub_kw(k, "propertyNames", &err);
    if (k->d.draft >= 2019 && has_vocab(k, GW_JSV_APPLICATOR) && (v = kw(k, "dependentSchemas")) &&
        v->type == GW_JST_OBJECT) {
        k->n->dep_schemas = gw_jsonschema_alloc(k->c->a, v->len * sizeof(*k->n->dep_schemas));
        if (!k->n->dep_schemas)
            return oom(k->c);
        for (j = 0; j < v->len; j++) {
            k->n->dep_schemas[j].key = v->members[j].key;
            k->n->dep_schemas[j].klen = v->members[j].klen;
            if (!(k->n->dep_schemas[j].s = sub(k, v->members[j].val, "dependentSchemas")))
                return false;
        }
        k->n->n_dep_schemas = v->len;
    }
    return !err;
}

static bool array_keywords(struct kctx *k)
{
    const struct gw_jsonschema_value *v;
    bool err = false;

    if (k->d.draft < 2020) {
        v = kw(k, "items");
        if (v && v->type == GW_JST_ARRAY) {
            if (!sub_array(k, "items", &k->n->prefix, &k->n->n_prefix))
                return false;
            if ((v = kw(k, "additionalItems"))) {
                if (v->type == GW_JST_BOOL)
                    k->n->additional_items_bool = v->b ? GW_JSB_TRUE : GW_JSB_FALSE;
                else if (!(k->n->additional_items = sub(k, v, "additionalItems")))
                    return false;
            }
        } else if (v) {
            k->n->items = sub(k, v, "items");
            k->n->items_all = true;
            if (!k->n->items)
                return false;
        }
    } else {
        if (!sub_array(k, "prefixItems", &k->n->prefix, &k->n->n_prefix))
            return false;
        k->n->items = sub_kw(k, "items", &err);
    }
    if (k->d.draft >= 6)
        k->n->contains = sub_kw(k, "contains", &err);
    return !err;
}

static bool applicators(struct kctx *k)
{
    bool err = false;

    if (!sub_array(k, "allOf", &k->n->all_of, &k->n->n_all_of) ||
        !sub_array(k, "anyOf", &k->n->any_of, &k->n->n_any_of) ||
        !sub_array(k, "oneOf", &k->n->one_of, &k->n->n_one_of))
        return false;
    k->n->not_s = sub_kw(k, "not", &err);
    if (k->d.draft >= 7) {
        k->n->if_s = sub_kw(k, "if", &err);
        k->n->then_s = sub_kw(k, "then", &err);
        k->n->else_s = sub_kw(k, "else", &err);
    }
    return !err && object_keywords(k) && array_keywords(k);
}

static bool validation(struct kctx *k)
{
    const struct gw_jsonschema_value *v;
    struct gw_jsonschema_node *n = k->n;
    uint32_t i;

    if ((v = kw(k, "type"))) {
        if (v->type == GW_JST_STRING)
            n->types = type_bit(v);
        for (i = 0; v->type == GW_JST_ARRAY && i < v->len; i++)
            n->types |= type_bit(v->items[i]);
    }
    if ((v = kw(k, "enum")) && v->type == GW_JST_ARRAY) {
        n->enum_v = v;
        for (i = 0; i < v->len; i++)
            n->enum_types |= (uint8_t)(1u << v->items[i]->type);
    }
    if (k->d.draft >= 6)
        n->const_v = kw(k, "const");
    n->multiple_of = num_kw(k, "multipleOf");
    n->maximum = num_kw(k, "maximum");
    n->minimum = num_kw(k, "minimum");
    if (k->d.draft == 4) {
        if ((v = kw(k, "exclusiveMaximum")) && v->type == GW_JST_BOOL && v->b) {
            n->xmaximum = n->maximum;
            n->maximum = NULL;
        }
        if ((v = kw(k, "exclusiveMinimum")) && v->type == GW_JST_BOOL && v->b) {
            n->xminimum = n->minimum;
            n->minimum = NULL;
        }
    } else {
        n->xmaximum = num_kw(k, "exclusiveMaximum");
        n->xminimum = num_kw(k, "exclusiveMinimum");
    }
    n->min_length = int_kw(k, "minLength");
    n->max_length = int_kw(k, "maxLength");
    if ((v = kw(k, "pattern")) && v->type == GW_JST_STRING &&
        !(n->pattern = regex(k, v->str, v->len, "pattern")))
        return false;
    n->min_items = int_kw(k, "minItems");
    n->max_items = int_kw(k, "maxItems");
    n->unique_items = (v = kw(k, "uniqueItems")) && v->type == GW_JST_BOOL && v->b;
    n->min_props = int_kw(k, "minProperties");
    n->max_props = int_kw(k, "maxProperties");
    if ((v = kw(k, "required")) && v->type == GW_JST_ARRAY && !strs(k, v, &n->required))
        return false;
    if (k->d.draft >= 2019) {
        if (kw(k, "contains")) {
            n->min_contains = int_kw(k, "minContains");
            n->max_contains = int_kw(k, "maxContains");
        }
        if ((v = kw(k, "dependentRequired")) && v->type == GW_JST_OBJECT) {
            n->dep_required = gw_jsonschema_alloc(k->c->a, v->len * sizeof(*n->dep_required));
            if (!n->dep_required)
                return oom(k->c);
            for (i = 0; i < v->len; i++) {
                n->dep_required[n->n_dep_required].key = v->members[i].key;
                n->dep_required[n->n_dep_required].klen = v->members[i].klen;
                if (v->members[i].val->type == GW_JST_ARRAY &&
                    !strs(k, v->members[i].val, &n->dep_required[n->n_dep_required++].req))
                    return false;
            }
        }
    }
    return true;
}

static bool core(struct kctx *k)
{
    const struct gw_jsonschema_value *v;
    const char *frag;

    /* 2020-12 still honours $recursiveRef, as a plain reference: its $recursiveAnchor is a
     * string there, never the boolean that makes the reference dynamic */
    if (k->d.draft >= 2019 && (v = kw(k, "$recursiveRef")) && v->type == GW_JST_STRING &&
        !(k->n->recursive_ref = ref_target(k, "$recursiveRef", &frag)))
        return false;
    if (k->d.draft == 2019)
        k->n->recursive_anchor = (v = kw(k, "$recursiveAnchor")) && v->type == GW_JST_BOOL && v->b;
    if (k->d.draft >= 2020) {
        if ((v = kw(k, "$dynamicRef")) && v->type == GW_JST_STRING) {
            if (!(k->n->dynamic_ref = ref_target(k, "$dynamicRef", &frag)))
                return false;
            if (frag[0] && frag[0] != '/')
                k->n->dynamic_ref_anchor = frag;
        }
        if ((v = kw(k, "$dynamicAnchor")) && v->type == GW_JST_STRING)
            k->n->dynamic_anchor = v->str;
    }
    return true;
}

static bool compile_one(struct gw_jsonschema_compiler *c, struct gw_jsonschema_info *inf)
{
    struct kctx k = {c, inf, inf->compiled, inf->node, inf->dialect};
    const struct gw_jsonschema_value *v;
    const char *frag;
    bool assert_format;

    if (k.v->type == GW_JST_BOOL) {
        k.n->boolean = k.v->b ? GW_JSB_TRUE : GW_JSB_FALSE;
        return true;
    }
    if (k.v->type != GW_JST_OBJECT)
        return gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, inf, NULL,
                                          "a reference leads to a value that is not a schema");
    if ((v = kw(&k, "$ref")) && v->type == GW_JST_STRING) {
        if (!(k.n->ref = ref_target(&k, "$ref", &frag)))
            return false;
        if (k.d.draft < 2019) {
            /* the siblings of $ref are ignored, but for const, which the library checks first */
            if (k.d.draft >= 6)
                k.n->const_v = kw(&k, "const");
            return true;
        }
    }
    if (!core(&k))
        return false;
    if (has_vocab(&k, GW_JSV_APPLICATOR) && !applicators(&k))
        return false;
    if (has_vocab(&k, GW_JSV_VALIDATION) && !validation(&k))
        return false;
    if ((k.d.draft == 2019 && has_vocab(&k, GW_JSV_APPLICATOR)) ||
        (k.d.draft >= 2020 && has_vocab(&k, GW_JSV_UNEVALUATED))) {
        bool err = false;
        k.n->uneval_props = sub_kw(&k, "unevaluatedProperties", &err);
        k.n->uneval_items = sub_kw(&k, "unevaluatedItems", &err);
        if (err)
            return false;
    }
    assert_format = k.d.draft < 2019 || (c->opt && c->opt->assert_format) ||
                    (k.d.draft == 2019 && (k.d.vocabs & GW_JSV_FORMAT)) ||
                    (k.d.draft >= 2020 && (k.d.vocabs & GW_JSV_FORMAT_ASSERTION));
    if (assert_format && (v = kw(&k, "format")) && v->type == GW_JST_STRING)
        k.n->format = gw_jsonschema_format_lookup(v->str, v->len);
    return true;
}

/* Compiles queued nodes, then the dynamic anchors and recursive roots of every resource used,
 * until nothing new appears. */
static bool drain(struct gw_jsonschema_compiler *c)
{
    bool more = true;
    struct gw_jsonschema_info *inf;

    while (more) {
        while (c->q_head < c->q_n)
            if (!compile_one(c, c->queue[c->q_head++]))
                return false;
        more = false;
        for (size_t i = 0; i < c->n_reg; i++) {
            struct gw_jsonschema_resource *r = c->reg[i].res;
            if (!r->used)
                continue;
            for (size_t a = 0; a < r->n_anchors; a++) {
                if (!r->anchors[a].dynamic || r->anchors[a].compiled)
                    continue;
                inf = gw_jsonschema_info_of(c, r->anchors[a].node);
                if (!inf || !(r->anchors[a].compiled = gw_jsonschema_node_of(c, inf)))
                    return false;
                more = true;
            }
            if (r->recursive_anchor && !r->compiled) {
                inf = gw_jsonschema_info_of(c, r->node);
                if (!inf || !(r->compiled = gw_jsonschema_node_of(c, inf)))
                    return false;
                more = true;
            }
        }
    }
    return true;
}

/* Takes a validator whose arena holds root; compiles or destroys it. */
static struct gw_jsonschema *compile_root(struct gw_jsonschema *s,
                                          const struct gw_jsonschema_value *root,
                                          const struct gw_jsonschema_options *opt,
                                          struct cmn_err *err)
{
    struct gw_jsonschema_compiler c = {0};
    struct gw_jsonschema_dialect d = {GW_JSONSCHEMA_DRAFT2020, 0};
    struct gw_jsonschema_info *inf;
    bool ok = false;

    cmn_err_clear(err);
    c.out = s;
    c.a = &s->arena;
    c.opt = opt;
    c.err = err;
    gw_jsonschema_arena_init(&c.scratch, s->lim.max_memory);
    if (opt && opt->default_draft)
        d.draft = opt->default_draft;
    if (d.draft != 4 && d.draft != 6 && d.draft != 7 && d.draft != 2019 && d.draft != 2020) {
        cmn_err_set(err, GW_JSONSCHEMA_SCHEMA, "jsonschema: unknown default draft %d", d.draft);
        goto out;
    }
    d.vocabs = gw_jsonschema_default_vocabs(d.draft);
    if (!gw_jsonschema_scan_doc(&c, ROOT_URI, root, d))
        goto out;
    inf = gw_jsonschema_info_of(&c, root);
    s->root_draft = inf->dialect.draft;
    s->root = gw_jsonschema_node_of(&c, inf);
    ok = s->root && drain(&c);
out:
    free(c.tab);
    free(c.reg);
    free(c.docs);
    free(c.queue);
    gw_jsonschema_arena_free(&c.scratch);
    if (!ok) {
        if (!err->code)
            cmn_err_set(err, GW_JSONSCHEMA_SCHEMA, "jsonschema: the schema does not compile");
        gw_jsonschema_destroy(s);
        return NULL;
    }
    return s;
}

static struct gw_jsonschema *new_validator(const struct gw_jsonschema_options *opt)
{
    struct gw_jsonschema *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    gw_jsonschema_limits_fill(&s->lim, opt ? &opt->limits : NULL);
    gw_jsonschema_arena_init(&s->arena, s->lim.max_memory);
    return s;
}

static struct gw_jsonschema_parse_limits schema_limits(const struct gw_jsonschema *s)
{
    struct gw_jsonschema_parse_limits lim = {s->lim.max_memory, s->lim.max_depth,
                                             s->lim.max_schema_nodes};
    return lim;
}

struct gw_jsonschema *gw_jsonschema_compile(const json_t *schema,
                                            const struct gw_jsonschema_options *opt,
                                            struct cmn_err *err)
{
    struct cmn_err local;
    struct gw_jsonschema *s = new_validator(opt);
    struct gw_jsonschema_parse_limits lim;
    struct gw_jsonschema_value *root = NULL;

    if (!err)
        err = &local;
    if (!s) {
        cmn_err_set(err, GW_JSONSCHEMA_NOMEM, "jsonschema: out of memory");
        return NULL;
    }
    lim = schema_limits(s);
    if (gw_jsonschema_from_jansson(&s->arena, schema, &lim, &root, err) != GW_JSONSCHEMA_OK) {
        gw_jsonschema_destroy(s);
        return NULL;
    }
    return compile_root(s, root, opt, err);
}

struct gw_jsonschema *gw_jsonschema_compile_text(const char *text, size_t n,
                                                 const struct gw_jsonschema_options *opt,
                                                 struct cmn_err *err)
{
    struct cmn_err local;
    struct gw_jsonschema *s = new_validator(opt);
    struct gw_jsonschema_parse_limits lim;
    struct gw_jsonschema_value *root = NULL;
    int st;

    if (!err)
        err = &local;
    if (!s) {
        cmn_err_set(err, GW_JSONSCHEMA_NOMEM, "jsonschema: out of memory");
        return NULL;
    }
    lim = schema_limits(s);
    st = gw_jsonschema_parse(&s->arena, text, n, &lim, &root, err);
    if (st != GW_JSONSCHEMA_OK) {
        if (st == GW_JSONSCHEMA_BAD_BODY) {
            err->code = GW_JSONSCHEMA_SCHEMA;
            cmn_err_prefix(err, "jsonschema: the schema is not JSON: ");
        }
        gw_jsonschema_destroy(s);
        return NULL;
    }
    return compile_root(s, root, opt, err);
}

struct gw_jsonschema *gw_jsonschema_compile_value(const struct gw_jsonschema_value *doc,
                                                  const struct gw_jsonschema_options *opt,
                                                  struct cmn_err *err)
{
    struct cmn_err local;
    struct gw_jsonschema *s = new_validator(opt);
    struct gw_jsonschema_value *root;

    if (!err)
        err = &local;
    if (!s) {
        cmn_err_set(err, GW_JSONSCHEMA_NOMEM, "jsonschema: out of memory");
        return NULL;
    }
    root = gw_jsonschema_value_copy(&s->arena, doc);
    if (!root) {
        cmn_err_set(err, GW_JSONSCHEMA_NOMEM, "jsonschema: out of memory");
        gw_jsonschema_destroy(s);
        return NULL;
    }
    return compile_root(s, root, opt, err);
}

void gw_jsonschema_destroy(struct gw_jsonschema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_regexes; i++)
        gw_jsonschema_regex_free(s->regexes[i]);
    free(s->regexes);
    gw_jsonschema_arena_free(&s->arena);
    free(s);
}

enum gw_jsonschema_draft gw_jsonschema_draft_of(const struct gw_jsonschema *s)
{
    return (enum gw_jsonschema_draft)s->root_draft;
}
