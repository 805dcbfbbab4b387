/* gw_tmpl_set.c - the template set: named templates sorted for lookup, the sources their
 * nodes live in, the caps, and Go's AddParseTree rule for redefinitions. */
#include "gw_tmpl_int.h"

#include "cmn_str.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEF_MAX_SOURCE (4u * 1024 * 1024)
#define DEF_MAX_NODES 1000000u
#define DEF_MAX_NESTING 100
#define DEF_MAX_OUTPUT (32u * 1024 * 1024)
#define DEF_MAX_MEMORY (256u * 1024 * 1024)
#define DEF_MAX_STEPS 20000000u
#define DEF_MAX_DEPTH 100
#define DEF_MAX_VALUE_DEPTH 200

/* ---- the set ---- */

struct gw_tmpl_set *gw_tmpl_set_new(const struct gw_tmpl_limits *lim)
{
    struct gw_tmpl_set *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    if (lim)
        s->lim = *lim;
    if (!s->lim.max_source)
        s->lim.max_source = DEF_MAX_SOURCE;
    if (!s->lim.max_nodes)
        s->lim.max_nodes = DEF_MAX_NODES;
    if (s->lim.max_nesting <= 0)
        s->lim.max_nesting = DEF_MAX_NESTING;
    if (!s->lim.max_output)
        s->lim.max_output = DEF_MAX_OUTPUT;
    if (!s->lim.max_memory)
        s->lim.max_memory = DEF_MAX_MEMORY;
    if (!s->lim.max_steps)
        s->lim.max_steps = DEF_MAX_STEPS;
    if (s->lim.max_depth <= 0)
        s->lim.max_depth = DEF_MAX_DEPTH;
    if (s->lim.max_value_depth <= 0)
        s->lim.max_value_depth = DEF_MAX_VALUE_DEPTH;
    return s;
}

void tsrc_destroy(struct tsrc *src)
{
    if (!src)
        return;
    tarena_free(&src->arena);
    free(src->name);
    free(src->text);
    free(src);
}

void gw_tmpl_set_destroy(struct gw_tmpl_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ndefs; i++)
        free(s->defs[i].name);
    free(s->defs);
    for (size_t i = 0; i < s->nsrcs; i++)
        tsrc_destroy(s->srcs[i]);
    free(s->srcs);
    for (size_t i = 0; i < s->nhost; i++)
        free((char *)(uintptr_t)s->host_fns[i].f.name);
    free(s->host_fns);
    free(s);
}

static int namecmp(const char *a, const char *b, size_t bn)
{
    size_t an = strlen(a);
    int c = memcmp(a, b, an < bn ? an : bn);

    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

static size_t def_index(const struct gw_tmpl_set *s, const char *name, size_t n, bool *found)
{
    size_t lo = 0, hi = s->ndefs;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = namecmp(s->defs[mid].name, name, n);
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

const struct tdef *tset_find(const struct gw_tmpl_set *s, const char *name, size_t n)
{
    bool found;
    size_t i = def_index(s, name, n, &found);

    return found ? &s->defs[i] : NULL;
}

bool gw_tmpl_defined(const struct gw_tmpl_set *s, const char *name)
{
    return s && tset_find(s, name, strlen(name)) != NULL;
}

/* Makes room for the parsed trees in the set first, so committing cannot fail half-way. */
static bool reserve_defs(struct gw_tmpl_set *s, size_t extra)
{
    if (s->ndefs + extra > s->cap_defs) {
        size_t nc = s->cap_defs ? s->cap_defs : 8;
        struct tdef *nd;
        while (nc < s->ndefs + extra)
            nc *= 2;
        nd = realloc(s->defs, nc * sizeof(*nd));
        if (!nd)
            return false;
        s->defs = nd;
        s->cap_defs = nc;
    }
    if (s->nsrcs == s->cap_srcs) {
        size_t nc = s->cap_srcs ? s->cap_srcs * 2 : 8;
        struct tsrc **ns = realloc(s->srcs, nc * sizeof(*ns));
        if (!ns)
            return false;
        s->srcs = ns;
        s->cap_srcs = nc;
    }
    return true;
}

/* AddParseTree: a new empty body never replaces an existing template; otherwise it replaces. */
bool tset_commit(struct gw_tmpl_set *s, struct tsrc *src, const struct tparsed *defs, size_t ndefs,
                 size_t nodes)
{
    char **names = calloc(ndefs ? ndefs : 1, sizeof(*names));
    bool ok = false;

    if (!names || !reserve_defs(s, ndefs))
        goto out;
    for (size_t i = 0; i < ndefs; i++) {
        names[i] = cmn_strndup(defs[i].name.p, defs[i].name.n);
        if (!names[i])
            goto out;
    }
    for (size_t i = 0; i < ndefs; i++) {
        bool found;
        size_t at = def_index(s, names[i], strlen(names[i]), &found);
        if (found) {
            if (!tnode_is_empty_tree(defs[i].root) || !s->defs[at].root) {
                s->defs[at].root = defs[i].root;
                s->defs[at].src = src;
            }
            free(names[i]);
        } else {
            memmove(s->defs + at + 1, s->defs + at, (s->ndefs - at) * sizeof(*s->defs));
            s->defs[at] = (struct tdef){names[i], defs[i].root, src};
            s->ndefs++;
        }
        names[i] = NULL;
    }
    s->srcs[s->nsrcs++] = src;
    s->nodes += nodes;
    ok = true;
out:
    if (names)
        for (size_t i = 0; i < ndefs; i++)
            free(names[i]);
    free(names);
    return ok;
}

bool gw_tmpl_source(const struct gw_tmpl_set *s, const char *parse_name, const char **text,
                    size_t *len)
{
    for (size_t i = s ? s->nsrcs : 0; i > 0; i--) {
        const struct tsrc *src = s->srcs[i - 1];
        if (strcmp(src->name, parse_name) == 0) {
            *text = src->text;
            *len = src->len;
            return true;
        }
    }
    return false;
}

bool gw_tmpl_set_func(struct gw_tmpl_set *s, const char *name, gw_tmpl_hostfn fn, void *ctx)
{
    struct thostfn *h = NULL;
    char *copy;

    for (size_t i = 0; i < s->nhost; i++) {
        if (strcmp(s->host_fns[i].f.name, name) == 0)
            h = &s->host_fns[i];
    }
    if (!h) {
        if (s->nhost == TMPL_MAX_HOST_FNS)
            return false;
        if (!s->host_fns && !(s->host_fns = calloc(TMPL_MAX_HOST_FNS, sizeof(*s->host_fns))))
            return false;
        if (!(copy = cmn_strndup(name, strlen(name))))
            return false;
        h = &s->host_fns[s->nhost++];
        h->f.name = copy;
    }
    /* one argument of any type */
    h->f.fn = NULL;
    h->f.nfixed = 1;
    h->f.fixed[0] = TP_ANY;
    h->f.variadic = TP_NONE;
    h->f.special = TFN_HOST;
    h->fn = fn;
    h->ctx = ctx;
    return true;
}
