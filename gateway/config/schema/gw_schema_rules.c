/* gw_schema_rules.c - reads the rules text (grammar at the top of krakend-v2.13.rules) into
 * objects and namespaces, resolves object references, and answers the namespace questions the
 * configuration parser asks (known? where? security? options? did you mean?). */
#include "gw_schema_int.h"

#include "cmn_str.h"
#include "cmn_suggest.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 512
#define MAX_WORDS 24

/* ---- allocations: everything the schema holds is freed at once ---- */

static void *keep(struct gw_schema *s, void *p)
{
    if (!p)
        return NULL;
    if (s->nallocs == s->cap_allocs) {
        size_t nc = s->cap_allocs ? s->cap_allocs * 2 : 256;
        void **na = realloc(s->allocs, nc * sizeof(*na));
        if (!na) {
            free(p);
            return NULL;
        }
        s->allocs = na;
        s->cap_allocs = nc;
    }
    s->allocs[s->nallocs++] = p;
    return p;
}

static char *sdup(struct gw_schema *s, const char *p, size_t n)
{
    return keep(s, cmn_strndup(p, n));
}

static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
    void *nv;
    size_t nc;

    if (n < *cap)
        return true;
    nc = *cap ? *cap * 2 : 16;
    nv = realloc(*v, nc * size);
    if (!nv)
        return false;
    *v = nv;
    *cap = nc;
    return true;
}

void gw_schema_destroy(struct gw_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nobjs; i++)
        free(s->objs[i]->keys);
    for (size_t i = 0; i < s->nallocs; i++)
        free(s->allocs[i]);
    free(s->allocs);
    free(s->objs);
    free(s->nss);
    free(s->ns_names);
    free(s);
}

/* ---- parsing ---- */

struct rp {
    struct gw_schema *s;
    struct cmn_err *err;
    int line;
    struct st_obj *cur; /* the object whose keys follow */
};

static bool fail(struct rp *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(struct rp *r, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cmn_err_set(r->err, 1, "schema rules line %d: %s", r->line, msg);
    return false;
}

static bool oom(struct rp *r)
{
    cmn_err_set(r->err, 2, "schema rules: out of memory");
    return false;
}

static unsigned level_bit(const char *w, size_t n)
{
    static const struct {
        const char *name;
        unsigned bit;
    } L[] = {{"service", GW_SCHEMA_SERVICE},
             {"endpoint", GW_SCHEMA_ENDPOINT},
             {"backend", GW_SCHEMA_BACKEND},
             {"async_agent", GW_SCHEMA_ASYNC_AGENT}};

    for (size_t i = 0; i < sizeof(L) / sizeof(L[0]); i++) {
        if (strlen(L[i].name) == n && memcmp(L[i].name, w, n) == 0)
            return L[i].bit;
    }
    return 0;
}

/* TYPE of the grammar, from w[0..n). */
static struct st_type *parse_type(struct rp *r, const char *w, size_t n)
{
    static const struct {
        const char *name;
        enum st_kind kind;
    } scalars[] = {{"string", ST_STRING},   {"integer", ST_INTEGER},   {"number", ST_NUMBER},
                   {"boolean", ST_BOOLEAN}, {"duration", ST_DURATION}, {"any", ST_ANY},
                   {"map", ST_MAP}};
    struct st_type *t = keep(r->s, calloc(1, sizeof(*t)));
    const char *colon = memchr(w, ':', n);
    size_t head = colon ? (size_t)(colon - w) : n;

    if (!t)
        return oom(r), NULL;
    for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
        if (strlen(scalars[i].name) == head && memcmp(scalars[i].name, w, head) == 0) {
            t->kind = scalars[i].kind;
            if (!colon)
                return t;
            if (t->kind != ST_MAP)
                break;
            t->elem = parse_type(r, colon + 1, n - head - 1);
            return t->elem ? t : NULL;
        }
    }
    if (colon && head == 5 && memcmp(w, "array", 5) == 0) {
        t->kind = ST_ARRAY;
        t->elem = parse_type(r, colon + 1, n - head - 1);
        return t->elem ? t : NULL;
    }
    if (colon && head == 6 && memcmp(w, "object", 6) == 0) {
        t->kind = ST_OBJECT;
        t->ref = sdup(r->s, colon + 1, n - head - 1);
        return t->ref ? t : (oom(r), NULL);
    }
    if (colon && head == 12 && memcmp(w, "extra_config", 12) == 0) {
        t->kind = ST_EXTRA;
        t->level = level_bit(colon + 1, n - head - 1);
        if (t->level)
            return t;
    }
    {
        char word[128];
        snprintf(word, sizeof(word), "%.*s", (int)(n < 100 ? n : 100), w);
        fail(r, "unknown type '%s'", word);
    }
    return NULL;
}

/* Splits line into words (space separated); returns their number. */
static size_t split(char *line, char **words)
{
    size_t n = 0;

    for (char *p = line; *p && n < MAX_WORDS;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            break;
        words[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static bool is_word(const char *w, const char *prefix, const char **val)
{
    size_t n = strlen(prefix);

    if (strncmp(w, prefix, n) != 0)
        return false;
    *val = w + n;
    return true;
}

static bool parse_object(struct rp *r, char **w, size_t n)
{
    struct st_obj *o = keep(r->s, calloc(1, sizeof(*o)));
    const char *v;

    if (!o || !grow((void **)&r->s->objs, &r->s->cap_objs, r->s->nobjs, sizeof(*r->s->objs)))
        return oom(r);
    if (n < 2)
        return fail(r, "%s without a name", "object");
    if (gw_schema_obj(r->s, w[1]))
        return fail(r, "object '%s' defined twice", w[1]);
    o->name = sdup(r->s, w[1], strlen(w[1]));
    o->min_props = o->max_props = -1;
    for (size_t i = 2; i < n; i++) {
        if (strcmp(w[i], "open") == 0)
            o->open = true;
        else if (is_word(w[i], "min_props=", &v))
            o->min_props = strtol(v, NULL, 10);
        else if (is_word(w[i], "max_props=", &v))
            o->max_props = strtol(v, NULL, 10);
        else
            return fail(r, "unknown object flag '%s'", w[i]);
    }
    if (!o->name)
        return oom(r);
    r->s->objs[r->s->nobjs++] = o;
    r->cur = o;
    return true;
}

static bool parse_enum(struct rp *r, struct st_key *k, const char *v)
{
    size_t n = 1;

    for (const char *p = v; *p; p++)
        n += *p == ',';
    k->enums = keep(r->s, calloc(n, sizeof(*k->enums)));
    if (!k->enums)
        return oom(r);
    for (const char *p = v;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (!(k->enums[k->nenums++] = sdup(r->s, p, len)))
            return oom(r);
        if (!c)
            break;
        p = c + 1;
    }
    return true;
}

static bool parse_key(struct rp *r, char **w, size_t n)
{
    struct st_obj *o = r->cur;
    struct st_key *k;
    const char *v;

    if (!o)
        return fail(r, "key '%s' outside an object", w[0]);
    if (gw_schema_key(o, w[0]))
        return fail(r, "key '%s' defined twice", w[0]);
    if (!grow((void **)&o->keys, &o->cap_keys, o->nkeys, sizeof(*o->keys)))
        return oom(r);
    k = &o->keys[o->nkeys];
    memset(k, 0, sizeof(*k));
    k->min_items = -1;
    if (!(k->name = sdup(r->s, w[0], strlen(w[0]))))
        return oom(r);
    if (n >= 2 && is_word(w[1], "renamed=", &v)) {
        if (!(k->renamed = sdup(r->s, v, strlen(v))))
            return oom(r);
        o->nkeys++;
        return n == 2 || fail(r, "'%s' after renamed=", w[2]);
    }
    if (n < 2)
        return fail(r, "key '%s' without a type", w[0]);
    for (const char *p = w[1];;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (k->ntypes == ST_MAX_ALTS)
            return fail(r, "too many alternatives for '%s'", w[0]);
        if (!(k->types[k->ntypes++] = parse_type(r, p, len)))
            return false;
        if (!bar)
            break;
        p = bar + 1;
    }
    for (size_t i = 2; i < n; i++) {
        if (strcmp(w[i], "required") == 0) {
            k->required = true;
        } else if (is_word(w[i], "min=", &v)) {
            k->has_min = true;
            k->min = strtod(v, NULL);
        } else if (is_word(w[i], "max=", &v)) {
            k->has_max = true;
            k->max = strtod(v, NULL);
        } else if (is_word(w[i], "min_items=", &v)) {
            k->min_items = strtol(v, NULL, 10);
        } else if (is_word(w[i], "enum=", &v)) {
            if (!parse_enum(r, k, v))
                return false;
        } else {
            return fail(r, "unknown key flag '%s'", w[i]);
        }
    }
    o->nkeys++;
    return true;
}

static bool parse_namespace(struct rp *r, char **w, size_t n)
{
    struct st_ns *ns;
    const char *v;

    if (n < 3)
        return fail(r, "%s needs a name and levels=", "namespace");
    if (!grow((void **)&r->s->nss, &r->s->cap_ns, r->s->nns, sizeof(*r->s->nss)))
        return oom(r);
    ns = &r->s->nss[r->s->nns];
    memset(ns, 0, sizeof(*ns));
    if (!(ns->name = sdup(r->s, w[1], strlen(w[1]))))
        return oom(r);
    for (size_t i = 2; i < n; i++) {
        if (strcmp(w[i], "security") == 0) {
            ns->security = true;
        } else if (is_word(w[i], "alias=", &v)) {
            if (!(ns->alias = sdup(r->s, v, strlen(v))))
                return oom(r);
        } else if (is_word(w[i], "levels=", &v)) {
            for (const char *p = v;;) {
                const char *c = strchr(p, ',');
                size_t len = c ? (size_t)(c - p) : strlen(p);
                unsigned b = level_bit(p, len);
                if (!b)
                    return fail(r, "unknown level in '%s'", w[i]);
                ns->levels |= b;
                if (!c)
                    break;
                p = c + 1;
            }
        } else if (strcmp(w[i], "->") == 0 && i + 1 < n) {
            /* a bare name is an object; anything else a TYPE */
            char t[128];
            snprintf(t, sizeof(t), "%s%s", strchr(w[i + 1], ':') ? "" : "object:", w[i + 1]);
            if (!(ns->type = parse_type(r, t, strlen(t))))
                return false;
            i++;
        } else {
            return fail(r, "unknown namespace flag '%s'", w[i]);
        }
    }
    if (!ns->levels)
        return fail(r, "namespace '%s' without levels=", ns->name);
    r->s->nns++;
    r->cur = NULL;
    return true;
}

static bool resolve_type(struct rp *r, struct st_type *t)
{
    if (!t)
        return true;
    if (t->kind == ST_OBJECT && !t->obj) {
        t->obj = gw_schema_obj(r->s, t->ref);
        if (!t->obj)
            return fail(r, "no object named '%s'", t->ref);
    }
    return resolve_type(r, t->elem);
}

/* Object references may point forward: resolved once everything is read. */
static bool resolve(struct rp *r)
{
    struct gw_schema *s = r->s;

    r->line = 0;
    for (size_t i = 0; i < s->nobjs; i++) {
        for (size_t k = 0; k < s->objs[i]->nkeys; k++) {
            const struct st_key *key = &s->objs[i]->keys[k];
            for (size_t t = 0; t < key->ntypes; t++) {
                if (!resolve_type(r, key->types[t]))
                    return false;
            }
        }
    }
    s->ns_names = calloc(s->nns * 2 + 1, sizeof(*s->ns_names));
    if (!s->ns_names)
        return oom(r);
    for (size_t i = 0; i < s->nns; i++) {
        struct st_ns *ns = &s->nss[i];
        if (!resolve_type(r, ns->type))
            return false;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(s->nss[j].name, ns->name) == 0;
        if (!seen) {
            s->ns_names[s->n_ns_names++] = ns->name;
            if (ns->alias)
                s->ns_names[s->n_ns_names++] = ns->alias;
        }
    }
    if (!gw_schema_obj(s, "service"))
        return fail(r, "no object named '%s'", "service");
    return true;
}

struct gw_schema *gw_schema_parse(const char *text, size_t len, struct cmn_err *err)
{
    struct gw_schema *s = calloc(1, sizeof(*s));
    struct rp r = {s, err, 0, NULL};
    size_t pos = 0;

    cmn_err_clear(err);
    if (!s) {
        cmn_err_set(err, 2, "schema rules: out of memory");
        return NULL;
    }
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
        char line[MAX_LINE], *w[MAX_WORDS];
        size_t n;
        bool ok;

        r.line++;
        if (ll >= sizeof(line)) {
            fail(&r, "%s", "line too long");
            goto fail;
        }
        memcpy(line, text + pos, ll);
        line[ll] = '\0';
        pos += ll + 1;
        n = split(line, w);
        if (n == 0)
            continue;
        if (strcmp(w[0], "object") == 0)
            ok = parse_object(&r, w, n);
        else if (strcmp(w[0], "namespace") == 0)
            ok = parse_namespace(&r, w, n);
        else
            ok = parse_key(&r, w, n);
        if (!ok)
            goto fail;
    }
    if (!resolve(&r))
        goto fail;
    return s;
fail:
    gw_schema_destroy(s);
    return NULL;
}

struct gw_schema *gw_schema_builtin(struct cmn_err *err)
{
    return gw_schema_parse(gw_schema_rules_text, gw_schema_rules_len, err);
}

/* ---- lookups ---- */

const struct st_obj *gw_schema_obj(const struct gw_schema *s, const char *name)
{
    for (size_t i = 0; i < s->nobjs; i++) {
        if (strcmp(s->objs[i]->name, name) == 0)
            return s->objs[i];
    }
    return NULL;
}

const struct st_key *gw_schema_key(const struct st_obj *o, const char *name)
{
    for (size_t i = 0; i < o->nkeys; i++) {
        if (strcmp(o->keys[i].name, name) == 0)
            return &o->keys[i];
    }
    return NULL;
}

bool gw_schema_is_comment_key(const char *k)
{
    return *k == '@' || *k == '$' || *k == '_' || *k == '#';
}

const char **gw_schema_key_names(const struct st_obj *o, size_t *n)
{
    const char **v = calloc(o->nkeys + 1, sizeof(*v));

    *n = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < o->nkeys; i++) {
        if (!o->keys[i].renamed)
            v[(*n)++] = o->keys[i].name;
    }
    return v;
}

const struct st_ns *gw_schema_ns_at(const struct gw_schema *s, const char *name, unsigned level)
{
    const struct st_ns *first = NULL;

    for (size_t i = 0; i < s->nns; i++) {
        const struct st_ns *ns = &s->nss[i];
        if (strcmp(ns->name, name) != 0 && (!ns->alias || strcmp(ns->alias, name) != 0))
            continue;
        if (ns->levels & level)
            return ns;
        if (!first)
            first = ns;
    }
    return first;
}

bool gw_schema_namespace(const struct gw_schema *s, const char *name,
                         struct gw_schema_ns_info *out)
{
    const struct st_ns *ns = gw_schema_ns_at(s, name, 0);

    if (!ns)
        return false;
    memset(out, 0, sizeof(*out));
    out->name = ns->name;
    out->alias = ns->alias;
    /* one name may have several entries (other options per level): their union */
    for (size_t i = 0; i < s->nns; i++) {
        if (strcmp(s->nss[i].name, ns->name) == 0) {
            out->levels |= s->nss[i].levels;
            out->security |= s->nss[i].security;
            out->checked |= s->nss[i].type != NULL;
        }
    }
    return true;
}

const char *gw_schema_suggest_namespace(const struct gw_schema *s, const char *name)
{
    return cmn_suggest(name, s->ns_names, s->n_ns_names);
}

const char *gw_schema_level_name(unsigned level)
{
    switch (level) {
    case GW_SCHEMA_SERVICE:
        return "the service";
    case GW_SCHEMA_ENDPOINT:
        return "an endpoint";
    case GW_SCHEMA_BACKEND:
        return "a backend";
    case GW_SCHEMA_ASYNC_AGENT:
        return "an async agent";
    default:
        return "this level";
    }
}

void gw_schema_levels_text(unsigned levels, char *out, size_t outsz)
{
    size_t w = 0;
    unsigned seen = 0, total = 0;

    for (unsigned b = 1; b <= GW_SCHEMA_ASYNC_AGENT; b <<= 1)
        total += (levels & b) != 0;
    if (outsz)
        out[0] = '\0';
    for (unsigned b = 1; b <= GW_SCHEMA_ASYNC_AGENT && w < outsz; b <<= 1) {
        int k;
        if (!(levels & b))
            continue;
        seen++;
        k = snprintf(out + w, outsz - w, "%s%s", seen == 1 ? "" : seen == total ? " or " : ", ",
                     gw_schema_level_name(b));
        if (k < 0)
            return;
        w += (size_t)k;
    }
}

void gw_schema_unknown_options(const struct gw_schema *s, const char *ns, unsigned level,
                               const json_t *value, gw_schema_unknown_cb cb, void *ctx)
{
    const struct st_ns *e = gw_schema_ns_at(s, ns, level);
    const char **names;
    const char *k;
    size_t n;
    json_t *v;

    const struct st_obj *o = e && e->type && e->type->kind == ST_OBJECT ? e->type->obj : NULL;

    if (!o || o->open || !json_is_object(value))
        return;
    names = gw_schema_key_names(o, &n);
    json_object_foreach((json_t *)(uintptr_t)value, k, v)
    {
        const struct st_key *key = gw_schema_key(o, k);
        if (gw_schema_is_comment_key(k) || (key && !key->renamed))
            continue;
        if (key)
            cb(ctx, k, key->renamed, true);
        else
            cb(ctx, k, names ? cmn_suggest(k, names, n) : NULL, false);
    }
    free(names);
}
