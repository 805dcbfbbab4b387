/* gw_jsonschema_scan.c - the first compiler pass: schema resources ($id), anchors, dialects
 * ($schema, $vocabulary) of each document, and resolution of references against them. No
 * document is fetched: only the schema itself and what the (test-only) loader hands over. */
#include "gw_jsonschema_int.h"

#include "cmn_str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define META_DEPTH 8 /* $schema chains of custom metaschemas */

/* ---- info table: node address -> info ---- */

static size_t slot(const void *p, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)p;

    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

struct gw_jsonschema_info *gw_jsonschema_info_of(struct gw_jsonschema_compiler *c,
                                                 const struct gw_jsonschema_value *v)
{
    size_t i;

    if (!c->tab_cap)
        return NULL;
    for (i = slot(v, c->tab_cap); c->tab[i]; i = (i + 1) & (c->tab_cap - 1))
        if (c->tab[i]->node == v)
            return c->tab[i];
    return NULL;
}

static bool tab_put(struct gw_jsonschema_compiler *c, struct gw_jsonschema_info *inf)
{
    struct gw_jsonschema_info **old = c->tab, **nt;
    size_t ocap = c->tab_cap, ncap, i;

    if ((c->tab_n + 1) * 2 > c->tab_cap) {
        ncap = ocap ? ocap * 2 : 1024;
        nt = calloc(ncap, sizeof(*nt));
        if (!nt)
            return false;
        c->tab = nt;
        c->tab_cap = ncap;
        for (i = 0; i < ocap; i++) {
            if (old[i]) {
                size_t j = slot(old[i]->node, ncap);
                while (nt[j])
                    j = (j + 1) & (ncap - 1);
                nt[j] = old[i];
            }
        }
        free(old);
    }
    for (i = slot(inf->node, c->tab_cap); c->tab[i]; i = (i + 1) & (c->tab_cap - 1))
        ;
    c->tab[i] = inf;
    c->tab_n++;
    return true;
}

/* ---- messages ---- */

static void info_ptr(const struct gw_jsonschema_info *inf, struct cmn_buf *b)
{
    if (!inf || !inf->parent)
        return;
    info_ptr(inf->parent, b);
    gw_jsonschema_ptr_append(b, inf->tok, inf->toklen);
}

bool gw_jsonschema_compile_fail(struct gw_jsonschema_compiler *c, int code,
                                const struct gw_jsonschema_info *at, const char *kw,
                                const char *fmt, ...)
{
    struct cmn_buf b;
    char msg[CMN_ERR_MSG_MAX];
    va_list ap;

    if (c->err->code)
        return false; /* keep the first */
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cmn_buf_init(&b, 4096);
    if (at && at->doc && c->n_docs && at->doc != c->docs[0])
        cmn_buf_append_str(&b, at->doc->uri);
    if (at && at->doc && c->n_docs && at->doc != c->docs[0])
        cmn_buf_append_str(&b, "#");
    info_ptr(at, &b);
    if (kw)
        gw_jsonschema_ptr_append(&b, kw, strlen(kw));
    cmn_err_set(c->err, code, "jsonschema: at '%s': %s", cmn_buf_str(&b), msg);
    cmn_buf_free(&b);
    return false;
}

static bool oom(struct gw_jsonschema_compiler *c)
{
    int code = c->a->total >= c->a->cap ? GW_JSONSCHEMA_LIMIT : GW_JSONSCHEMA_NOMEM;

    if (!c->err->code)
        cmn_err_set(c->err, code, "jsonschema: out of memory compiling the schema");
    return false;
}

/* ---- resources and anchors ---- */

static struct gw_jsonschema_resource *reg_find(struct gw_jsonschema_compiler *c, const char *uri)
{
    for (size_t i = 0; i < c->n_reg; i++)
        if (!strcmp(c->reg[i].uri, uri))
            return c->reg[i].res;
    return NULL;
}

static bool reg_add(struct gw_jsonschema_compiler *c, const char *uri,
                    struct gw_jsonschema_resource *res, const struct gw_jsonschema_info *at)
{
    struct gw_jsonschema_resource *old = reg_find(c, uri);
    struct gw_jsonschema_reg *nr;

    if (old)
        return old == res || old->node == res->node
                   ? true
                   : gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, at, NULL,
                                                "duplicate schema id '%s'", uri);
    if (c->n_reg == c->cap_reg) {
        nr = realloc(c->reg, (c->cap_reg ? c->cap_reg * 2 : 16) * sizeof(*nr));
        if (!nr)
            return oom(c);
        c->reg = nr;
        c->cap_reg = c->cap_reg ? c->cap_reg * 2 : 16;
    }
    c->reg[c->n_reg].uri = uri;
    c->reg[c->n_reg].res = res;
    c->n_reg++;
    return true;
}

static struct gw_jsonschema_resource *new_resource(struct gw_jsonschema_compiler *c,
                                                   const char *uri,
                                                   const struct gw_jsonschema_value *node,
                                                   struct gw_jsonschema_dialect d)
{
    struct gw_jsonschema_resource *r = gw_jsonschema_alloc(c->a, sizeof(*r));

    if (!r)
        return NULL;
    r->uri = uri;
    r->node = node;
    r->dialect = d;
    return r;
}

static bool add_anchor(struct gw_jsonschema_compiler *c, struct gw_jsonschema_resource *r,
                       const char *name, const struct gw_jsonschema_value *node, bool dynamic,
                       const struct gw_jsonschema_info *at)
{
    struct gw_jsonschema_anchor *na;

    for (size_t i = 0; i < r->n_anchors; i++) {
        if (!strcmp(r->anchors[i].name, name)) {
            if (r->anchors[i].node == node) {
                r->anchors[i].dynamic |= dynamic;
                return true;
            }
            return gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, at, NULL,
                                              "duplicate anchor '%s' in '%s'", name, r->uri);
        }
    }
    if (r->n_anchors == r->cap_anchors) {
        size_t ncap = r->cap_anchors ? r->cap_anchors * 2 : 4;
        na = gw_jsonschema_alloc(c->a, ncap * sizeof(*na));
        if (!na)
            return oom(c);
        if (r->n_anchors)
            memcpy(na, r->anchors, r->n_anchors * sizeof(*na));
        r->anchors = na;
        r->cap_anchors = ncap;
    }
    r->anchors[r->n_anchors].name = gw_jsonschema_strndup(c->a, name, strlen(name));
    r->anchors[r->n_anchors].node = node;
    r->anchors[r->n_anchors].dynamic = dynamic;
    if (!r->anchors[r->n_anchors].name)
        return oom(c);
    r->n_anchors++;
    return true;
}

/* ---- documents ---- */

static const struct gw_jsonschema_doc *find_doc(struct gw_jsonschema_compiler *c, const char *uri)
{
    for (size_t i = 0; i < c->n_docs; i++)
        if (!strcmp(c->docs[i]->uri, uri))
            return c->docs[i];
    return NULL;
}

/* A document by URI: already known, or from the loader (tests only). NULL when unknown. */
static const struct gw_jsonschema_doc *load_doc(struct gw_jsonschema_compiler *c, const char *uri,
                                                struct gw_jsonschema_dialect parent)
{
    const struct gw_jsonschema_doc *d = find_doc(c, uri);
    struct gw_jsonschema_parse_limits lim;
    struct gw_jsonschema_value *root = NULL;
    struct cmn_err perr = {0};
    char *text;
    size_t n = 0;

    if (d || !c->opt || !c->opt->load)
        return d;
    text = c->opt->load(c->opt->load_ctx, uri, &n);
    if (!text)
        return NULL;
    lim.max_bytes = (size_t)-1;
    lim.max_depth = c->out->lim.max_depth;
    lim.max_nodes =
        c->out->lim.max_schema_nodes > c->nodes ? c->out->lim.max_schema_nodes - c->nodes : 0;
    if (gw_jsonschema_parse(c->a, text, n, &lim, &root, &perr) != GW_JSONSCHEMA_OK) {
        free(text);
        gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, NULL, NULL, "loading '%s': %s", uri,
                                   perr.msg);
        return NULL;
    }
    free(text);
    return gw_jsonschema_scan_doc(c, uri, root, parent);
}

/* The dialect a $schema value names: a draft, or a metaschema the loader knows. */
static bool dialect_for(struct gw_jsonschema_compiler *c, const char *schema, const char *base,
                        struct gw_jsonschema_dialect fallback, int depth,
                        const struct gw_jsonschema_info *at, struct gw_jsonschema_dialect *out)
{
    const struct gw_jsonschema_doc *doc;
    const struct gw_jsonschema_value *ms, *voc;
    char *uri = NULL, *frag = NULL;
    const char *name;
    int draft = gw_jsonschema_draft_from_uri(schema);

    if (draft) {
        out->draft = draft;
        out->vocabs = gw_jsonschema_default_vocabs(draft);
        return true;
    }
    if (depth > META_DEPTH)
        return gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, at, "$schema",
                                          "cycle in resolving $schema '%s'", schema);
    if (!gw_jsonschema_uri_resolve(&c->scratch, base, schema, &uri, &frag))
        return gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, at, "$schema",
                                          "invalid $schema '%s'", schema);
    doc = load_doc(c, uri, fallback);
    if (!doc || doc->root->type != GW_JST_OBJECT) {
        return c->err->code ? false
                            : gw_jsonschema_compile_fail(
                                  c, GW_JSONSCHEMA_SCHEMA, at, "$schema",
                                  "unsupported $schema '%s': only the metaschemas of drafts 4, 6, "
                                  "7, 2019-09 and 2020-12 are known, nothing is fetched",
                                  schema);
    }
    ms = gw_jsonschema_getz(doc->root, "$schema");
    if (!ms || ms->type != GW_JST_STRING || !strcmp(ms->str, uri))
        return gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, at, "$schema",
                                          "draft '%s' is not supported", schema);
    if (!dialect_for(c, ms->str, uri, fallback, depth + 1, at, out))
        return false;
    voc = gw_jsonschema_getz(doc->root, "$vocabulary");
    if (out->draft < 2019 || !voc || voc->type != GW_JST_OBJECT)
        return true;
    out->vocabs = GW_JSV_CORE;
    for (uint32_t i = 0; i < voc->len; i++) {
        static const struct {
            const char *name;
            unsigned bit;
        } V[] = {{"core", GW_JSV_CORE},
                 {"applicator", GW_JSV_APPLICATOR},
                 {"unevaluated", GW_JSV_UNEVALUATED},
                 {"validation", GW_JSV_VALIDATION},
                 {"meta-data", GW_JSV_METADATA},
                 {"format-annotation", GW_JSV_FORMAT_ANNOTATION},
                 {"format-assertion", GW_JSV_FORMAT_ASSERTION},
                 {"format", GW_JSV_FORMAT},
                 {"content", GW_JSV_CONTENT}};
        const char *prefix = out->draft == 2019 ? "https://json-schema.org/draft/2019-09/vocab/"
                                                : "https://json-schema.org/draft/2020-12/vocab/";
        bool known = false;
        if (voc->members[i].val->type != GW_JST_BOOL || !voc->members[i].val->b)
            continue; /* an optional vocabulary may be ignored */
        name = voc->members[i].key;
        if (!strncmp(name, prefix, strlen(prefix))) {
            name += strlen(prefix);
            for (size_t k = 0; k < sizeof(V) / sizeof(V[0]); k++) {
                if (!strcmp(V[k].name, name) &&
                    (V[k].bit != GW_JSV_UNEVALUATED || out->draft >= 2020) &&
                    (V[k].bit != GW_JSV_FORMAT || out->draft == 2019)) {
                    out->vocabs |= V[k].bit;
                    known = true;
                }
            }
        }
        if (!known)
            return gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, at, "$schema",
                                              "unsupported vocabulary '%s' required by '%s'",
                                              voc->members[i].key, schema);
    }
    return true;
}

/* ---- the scan ---- */

struct scan {
    struct gw_jsonschema_compiler *c;
    const struct gw_jsonschema_doc *doc;
};

static bool scan_value(struct scan *s, const struct gw_jsonschema_value *v,
                       struct gw_jsonschema_resource *res, struct gw_jsonschema_dialect d,
                       const struct gw_jsonschema_info *parent, const char *tok, uint32_t toklen);

static bool scan_child(struct scan *s, const struct gw_jsonschema_info *inf, const char *kw,
                       int kind)
{
    const struct gw_jsonschema_value *v = gw_jsonschema_getz(inf->node, kw), *item;
    struct gw_jsonschema_info *kwinf;
    char idx[16];

    if (!v)
        return true;
    if (kind == 0 || (kind == 3 && v->type != GW_JST_ARRAY))
        return scan_value(s, v, inf->res, inf->dialect, inf, kw, (uint32_t)strlen(kw));
    /* a keyword holding several schemas: an info for the container keeps the pointer right */
    kwinf = gw_jsonschema_alloc(&s->c->scratch, sizeof(*kwinf));
    if (!kwinf)
        return oom(s->c);
    *kwinf = *inf;
    kwinf->node = v;
    kwinf->parent = inf;
    kwinf->tok = kw;
    kwinf->toklen = (uint32_t)strlen(kw);
    kwinf->compiled = NULL;
    if (v->type == GW_JST_ARRAY && (kind == 1 || kind == 3)) {
        for (uint32_t i = 0; i < v->len; i++) {
            int n = snprintf(idx, sizeof(idx), "%u", i);
            char *t = gw_jsonschema_strndup(&s->c->scratch, idx, (size_t)n);
            if (!t || !scan_value(s, v->items[i], inf->res, inf->dialect, kwinf, t, (uint32_t)n))
                return t ? false : oom(s->c);
        }
    } else if (v->type == GW_JST_OBJECT && (kind == 2 || kind == 4)) {
        for (uint32_t i = 0; i < v->len; i++) {
            item = v->members[i].val;
            if (kind == 4 && item->type == GW_JST_ARRAY)
                continue; /* dependencies: a list of names */
            if (!scan_value(s, item, inf->res, inf->dialect, kwinf, v->members[i].key,
                            v->members[i].klen))
                return false;
        }
    }
    return true;
}

/* Subschema keywords by draft; kind 0 schema, 1 array, 2 object, 3 schema or array, 4 deps. */
static bool scan_children(struct scan *s, const struct gw_jsonschema_info *inf)
{
    static const struct {
        const char *kw;
        int kind, from, to;
    } SUB[] = {
        {"definitions", 2, 4, 9999},
        {"not", 0, 4, 9999},
        {"allOf", 1, 4, 9999},
        {"anyOf", 1, 4, 9999},
        {"oneOf", 1, 4, 9999},
        {"properties", 2, 4, 9999},
        {"patternProperties", 2, 4, 9999},
        {"additionalProperties", 0, 4, 9999},
        {"items", 3, 4, 2019},
        {"items", 0, 2020, 9999},
        {"additionalItems", 0, 4, 2019},
        {"dependencies", 4, 4, 9999},
        {"propertyNames", 0, 6, 9999},
        {"contains", 0, 6, 9999},
        {"if", 0, 7, 9999},
        {"then", 0, 7, 9999},
        {"else", 0, 7, 9999},
        {"$defs", 2, 2019, 9999},
        {"dependentSchemas", 2, 2019, 9999},
        {"unevaluatedProperties", 0, 2019, 9999},
        {"unevaluatedItems", 0, 2019, 9999},
        {"contentSchema", 0, 2019, 9999},
        {"prefixItems", 1, 2020, 9999},
    };
    int draft = inf->dialect.draft;

    for (size_t k = 0; k < sizeof(SUB) / sizeof(SUB[0]); k++)
        if (draft >= SUB[k].from && draft <= SUB[k].to &&
            !scan_child(s, inf, SUB[k].kw, SUB[k].kind))
            return false;
    return true;
}

static bool scan_value(struct scan *s, const struct gw_jsonschema_value *v,
                       struct gw_jsonschema_resource *res, struct gw_jsonschema_dialect d,
                       const struct gw_jsonschema_info *parent, const char *tok, uint32_t toklen)
{
    struct gw_jsonschema_compiler *c = s->c;
    struct gw_jsonschema_info *inf;
    const struct gw_jsonschema_value *sv, *id, *an;
    struct gw_jsonschema_resource *nr;
    char *uri = NULL, *frag = NULL;
    bool has_id;

    if (gw_jsonschema_info_of(c, v))
        return true;
    inf = gw_jsonschema_alloc(&c->scratch, sizeof(*inf));
    if (!inf)
        return oom(c);
    inf->node = v;
    if (!tab_put(c, inf))
        return oom(c);
    inf->res = res;
    inf->dialect = d;
    inf->parent = parent;
    inf->tok = tok;
    inf->toklen = toklen;
    inf->doc = s->doc;
    if (v->type != GW_JST_OBJECT)
        return true;
    id = gw_jsonschema_getz(v, d.draft == 4 ? "id" : "$id");
    has_id = id && id->type == GW_JST_STRING;
    sv = gw_jsonschema_getz(v, "$schema");
    if (sv && sv->type == GW_JST_STRING && (parent == NULL || has_id)) {
        if (!dialect_for(c, sv->str, res->uri, d, 0, inf, &d))
            return false;
        inf->dialect = d;
        if (parent == NULL)
            res->dialect = d;
        id = gw_jsonschema_getz(v, d.draft == 4 ? "id" : "$id");
        has_id = id && id->type == GW_JST_STRING;
    }
    if (d.draft < 2019 && gw_jsonschema_getz(v, "$ref"))
        has_id = false; /* the siblings of $ref do not count, $id included */
    if (has_id) {
        if (!gw_jsonschema_uri_resolve(c->a, res->uri, id->str, &uri, &frag))
            return gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, inf, "$id",
                                              "cannot parse id '%s'", id->str);
        if (!(d.draft < 2019 && id->str[0] == '#')) {
            if (res->node == v) {
                nr = res; /* the document's root: its id is a second name */
                nr->uri = uri;
            } else {
                nr = new_resource(c, uri, v, d);
                if (!nr)
                    return oom(c);
            }
            if (!reg_add(c, uri, nr, inf))
                return false;
            res = nr;
            inf->res = res;
        }
        if (d.draft < 2019 && frag[0] && !add_anchor(c, res, frag, v, false, inf))
            return false;
    }
    if (d.draft >= 2019 && (an = gw_jsonschema_getz(v, "$anchor")) && an->type == GW_JST_STRING &&
        !add_anchor(c, res, an->str, v, false, inf))
        return false;
    if (d.draft >= 2020 && (an = gw_jsonschema_getz(v, "$dynamicAnchor")) &&
        an->type == GW_JST_STRING && !add_anchor(c, res, an->str, v, true, inf))
        return false;
    if (d.draft == 2019 && res->node == v && (an = gw_jsonschema_getz(v, "$recursiveAnchor")) &&
        an->type == GW_JST_BOOL && an->b)
        res->recursive_anchor = true;
    return scan_children(s, inf);
}

const struct gw_jsonschema_doc *gw_jsonschema_scan_doc(struct gw_jsonschema_compiler *c,
                                                       const char *uri,
                                                       const struct gw_jsonschema_value *root,
                                                       struct gw_jsonschema_dialect parent)
{
    struct gw_jsonschema_doc *doc, **nd;
    struct gw_jsonschema_resource *res;
    struct gw_jsonschema_info *inf;
    struct scan s;
    struct cmn_buf where, why;
    bool ok;

    doc = gw_jsonschema_alloc(c->a, sizeof(*doc));
    if (!doc || !(doc->uri = gw_jsonschema_strndup(c->a, uri, strlen(uri))))
        return oom(c), NULL;
    doc->root = root;
    if (c->n_docs == c->cap_docs) {
        nd = realloc(c->docs, (c->cap_docs ? c->cap_docs * 2 : 8) * sizeof(*nd));
        if (!nd)
            return oom(c), NULL;
        c->docs = nd;
        c->cap_docs = c->cap_docs ? c->cap_docs * 2 : 8;
    }
    c->docs[c->n_docs++] = doc;
    res = new_resource(c, doc->uri, root, parent);
    if (!res || !reg_add(c, doc->uri, res, NULL))
        return c->err->code ? NULL : (oom(c), NULL);
    s.c = c;
    s.doc = doc;
    if (!scan_value(&s, root, res, parent, NULL, NULL, 0))
        return NULL;
    /* the id of the root also names it: register it if the scan renamed the resource */
    if (strcmp(res->uri, doc->uri) && !reg_add(c, res->uri, res, NULL))
        return NULL;
    /* what validating against the metaschema would refuse */
    inf = gw_jsonschema_info_of(c, root);
    cmn_buf_init(&where, 4096);
    cmn_buf_init(&why, 512);
    ok = gw_jsonschema_check(root, inf->dialect, &where, &why, &c->work);
    if (!ok) {
        if (!strcmp(doc->uri, c->docs[0]->uri))
            cmn_err_set(c->err, GW_JSONSCHEMA_SCHEMA, "jsonschema: at '%s': %s",
                        cmn_buf_str(&where), cmn_buf_str(&why));
        else
            cmn_err_set(c->err, GW_JSONSCHEMA_SCHEMA, "jsonschema: at '%s#%s': %s", doc->uri,
                        cmn_buf_str(&where), cmn_buf_str(&why));
    }
    cmn_buf_free(&where);
    cmn_buf_free(&why);
    return ok ? doc : NULL;
}

/* ---- references ---- */

/* An info for a value reached by a JSON pointer outside the scanned subschemas. */
static struct gw_jsonschema_info *synth(struct gw_jsonschema_compiler *c,
                                        const struct gw_jsonschema_info *parent,
                                        const struct gw_jsonschema_value *v, const char *tok,
                                        uint32_t toklen)
{
    struct gw_jsonschema_info *inf = gw_jsonschema_info_of(c, v);

    if (inf)
        return inf;
    inf = gw_jsonschema_alloc(&c->scratch, sizeof(*inf));
    if (!inf)
        return oom(c), NULL;
    *inf = *parent;
    inf->node = v;
    if (!tab_put(c, inf))
        return oom(c), NULL;
    inf->parent = parent;
    inf->tok = gw_jsonschema_strndup(&c->scratch, tok, toklen);
    inf->toklen = toklen;
    inf->compiled = NULL;
    return inf->tok ? inf : (oom(c), NULL);
}

static struct gw_jsonschema_info *walk_pointer(struct gw_jsonschema_compiler *c,
                                               struct gw_jsonschema_info *inf, const char *ptr,
                                               const struct gw_jsonschema_info *from,
                                               const char *kw, const char *ref)
{
    const struct gw_jsonschema_value *v = inf->node, *next;
    char tok[1024];
    size_t n;
    uint64_t idx;

    while (*ptr == '/') {
        ptr++;
        for (n = 0; *ptr && *ptr != '/'; ptr++) {
            if (n + 1 >= sizeof(tok))
                goto notfound;
            if (*ptr == '~') {
                if (ptr[1] != '0' && ptr[1] != '1')
                    goto notfound;
                tok[n++] = ptr[1] == '0' ? '~' : '/';
                ptr++;
            } else {
                tok[n++] = *ptr;
            }
        }
        tok[n] = '\0';
        next = NULL;
        if (v->type == GW_JST_OBJECT) {
            next = gw_jsonschema_get(v, tok, n);
        } else if (v->type == GW_JST_ARRAY && cmn_str_parse_digits(tok, n, 10, &idx) &&
                   (n == 1 || tok[0] != '0') && idx < v->len) {
            next = v->items[idx];
        }
        if (!next)
            goto notfound;
        inf = synth(c, inf, next, tok, (uint32_t)n);
        if (!inf)
            return NULL;
        v = next;
    }
    return inf;
notfound:
    gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, from, kw,
                               "cannot resolve '%s': JSON pointer not found", ref);
    return NULL;
}

/* The dialect of a metaschema URI (a draft, or one 2019-09/2020-12 vocabulary), draft 0 if none. */
static struct gw_jsonschema_dialect meta_uri(const char *uri)
{
    struct gw_jsonschema_dialect d = {gw_jsonschema_draft_from_uri(uri), 0};
    static const struct {
        const char *name;
        unsigned bit;
    } V[] = {{"core", GW_JSV_CORE},
             {"applicator", GW_JSV_APPLICATOR},
             {"unevaluated", GW_JSV_UNEVALUATED},
             {"validation", GW_JSV_VALIDATION},
             {"meta-data", GW_JSV_METADATA},
             {"format-annotation", GW_JSV_FORMAT_ANNOTATION},
             {"format-assertion", GW_JSV_FORMAT_ASSERTION},
             {"format", GW_JSV_FORMAT},
             {"content", GW_JSV_CONTENT}};

    if (d.draft) {
        d.vocabs = gw_jsonschema_default_vocabs(d.draft);
        return d;
    }
    for (int y = 0; y < 2; y++) {
        const char *p = y ? "https://json-schema.org/draft/2020-12/meta/"
                          : "https://json-schema.org/draft/2019-09/meta/";
        if (strncmp(uri, p, strlen(p)))
            continue;
        for (size_t k = 0; k < sizeof(V) / sizeof(V[0]); k++) {
            if (!strcmp(uri + strlen(p), V[k].name)) {
                d.draft = y ? 2020 : 2019;
                d.vocabs = V[k].bit | GW_JSV_CORE;
            }
        }
    }
    return d;
}

struct gw_jsonschema_info *gw_jsonschema_resolve(struct gw_jsonschema_compiler *c,
                                                 const struct gw_jsonschema_info *from,
                                                 const char *ref, const char *kw,
                                                 struct gw_jsonschema_dialect *meta,
                                                 const char **fragp)
{
    struct gw_jsonschema_resource *res;
    struct gw_jsonschema_info *inf;
    char *uri = NULL, *frag = NULL;

    meta->draft = 0;
    if (!gw_jsonschema_uri_resolve(c->a, from->res->uri, ref, &uri, &frag)) {
        gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, from, kw, "cannot parse '%s'", ref);
        return NULL;
    }
    *fragp = frag;
    res = reg_find(c, uri);
    if (!res) {
        *meta = meta_uri(uri);
        if (meta->draft) {
            if (!frag[0])
                return NULL;
            gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, from, kw,
                                       "cannot resolve '%s': only whole draft metaschemas are "
                                       "known built in",
                                       ref);
            meta->draft = 0;
            return NULL;
        }
        if (load_doc(c, uri, from->dialect))
            res = reg_find(c, uri);
        if (!res) {
            if (!c->err->code)
                gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, from, kw,
                                           "cannot resolve '%s': '%s' is not in the schema and "
                                           "no document is fetched",
                                           ref, uri);
            return NULL;
        }
    }
    inf = gw_jsonschema_info_of(c, res->node);
    if (!inf)
        return NULL;
    if (!frag[0])
        return inf;
    if (frag[0] == '/')
        return walk_pointer(c, inf, frag, from, kw, ref);
    for (size_t i = 0; i < res->n_anchors; i++)
        if (!strcmp(res->anchors[i].name, frag))
            return gw_jsonschema_info_of(c, res->anchors[i].node);
    gw_jsonschema_compile_fail(c, GW_JSONSCHEMA_SCHEMA, from, kw,
                               "cannot resolve '%s': no anchor '%s' in '%s'", ref, frag, res->uri);
    return NULL;
}
