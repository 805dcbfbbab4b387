/* gw_flatmap.c - KrakenD's flatmap tree (krakend/flatmap tree/tree.go, tree/node.go) in C, for
 * proxy.flatmap_filter: the data becomes a tree of labelled edges, the operations rewire it,
 * and the tree is read back. The tree keeps KrakenD's model exactly (a node holds a leaf value
 * and/or edges; objects and lists are told apart by a flag; labels are plain strings), so the
 * surprising results of §6.1 follow from it instead of being special-cased. */
#include "gw_flatmap.h"

#include "cmn_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WILDCARD "*"

struct node;

struct edge {
    char *label;
    struct node *n;
};

struct node {
    struct gw_json *value; /* the leaf value (owned); NULL is Go's nil */
    bool collection;       /* read back as a list of its children, labels ignored */
    struct edge *edges;
    size_t n, cap;
};

struct tree {
    struct node *root;
    size_t nodes;
    bool failed; /* out of memory or too many nodes: the result is discarded */
};

/* A node reached by a move's source prefix, with the labels walked to it. */
struct cand {
    struct node *n;
    const char **path; /* labels of the edges from the root (borrowed from those edges) */
    size_t depth;
};

struct moving {
    struct cand c;
    struct edge e;
};

/* ---- nodes ------------------------------------------------------------------------------------
 */

static struct node *node_new(struct tree *t)
{
    struct node *n;

    if (t->failed || t->nodes >= GW_FLATMAP_MAX_NODES) {
        t->failed = true;
        return NULL;
    }
    n = calloc(1, sizeof(*n));
    if (!n) {
        t->failed = true;
        return NULL;
    }
    t->nodes++;
    return n;
}

static void node_free(struct tree *t, struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        free(n->edges[i].label);
        node_free(t, n->edges[i].n);
    }
    free(n->edges);
    gw_json_destroy(n->value);
    free(n);
    t->nodes--;
}

static bool push_edge(struct tree *t, struct node *n, char *label, struct node *child)
{
    if (n->n == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 4;
        struct edge *e = realloc(n->edges, cap * sizeof(*e));
        if (!e) {
            t->failed = true;
            return false;
        }
        n->edges = e;
        n->cap = cap;
    }
    n->edges[n->n++] = (struct edge){label, child};
    return true;
}

/* The first edge labelled l, or -1. */
static long find(const struct node *n, const char *l)
{
    for (size_t i = 0; i < n->n; i++) {
        if (strcmp(n->edges[i].label, l) == 0)
            return (long)i;
    }
    return -1;
}

/* Detaches edge i (order kept); the caller owns it. */
static struct edge take_edge(struct node *n, size_t i)
{
    struct edge e = n->edges[i];

    memmove(&n->edges[i], &n->edges[i + 1], (n->n - i - 1) * sizeof(*n->edges));
    n->n--;
    return e;
}

static void set_value(struct tree *t, struct node *n, const struct gw_json *v)
{
    struct gw_json *copy = v ? gw_json_copy(v) : NULL;

    if (v && !copy)
        t->failed = true;
    gw_json_destroy(n->value);
    n->value = copy;
}

/* ---- building: node.Add and node.flatten ------------------------------------------------------
 */

static void node_add(struct tree *t, struct node *n, const char *const *ks, size_t nks,
                     const struct gw_json *v);

/* A non-empty object or list adds its children to whatever edges the node already has (and
 * keeps its old leaf value); anything else replaces the leaf value. Go structs (the error_*
 * details) are not maps: they stay leaves. */
static void flatten(struct tree *t, struct node *n, const struct gw_json *v)
{
    char label[32];

    if (v && v->type == GW_JSON_OBJECT && !v->is_struct) {
        n->collection = false;
        if (v->n_members == 0) {
            set_value(t, n, v);
            return;
        }
        for (size_t i = 0; i < v->n_members && !t->failed; i++) {
            const char *k = v->members[i].key;
            node_add(t, n, &k, 1, v->members[i].val);
        }
        return;
    }
    if (v && v->type == GW_JSON_ARRAY) {
        n->collection = true;
        if (v->n_items == 0) {
            set_value(t, n, v);
            return;
        }
        for (size_t i = 0; i < v->n_items && !t->failed; i++) {
            const char *k = label;
            snprintf(label, sizeof(label), "%zu", i);
            node_add(t, n, &k, 1, v->items[i]);
        }
        return;
    }
    n->collection = false;
    set_value(t, n, v && v->type == GW_JSON_NULL ? NULL : v);
}

static void node_add(struct tree *t, struct node *n, const char *const *ks, size_t nks,
                     const struct gw_json *v)
{
    struct node *child;
    char *label;
    long i;

    if (nks == 0) {
        flatten(t, n, v);
        return;
    }
    if ((i = find(n, ks[0])) >= 0) {
        node_add(t, n->edges[i].n, ks + 1, nks - 1, v);
        return;
    }
    child = node_new(t);
    label = child ? strdup(ks[0]) : NULL;
    if (!label || !push_edge(t, n, label, child)) {
        t->failed = true;
        free(label);
        node_free(t, child);
        return;
    }
    node_add(t, child, ks + 1, nks - 1, v);
}

/* ---- reading: node.Get and node.expand --------------------------------------------------------
 */

static struct gw_json *node_get(struct tree *t, const struct node *n, const char *const *ks,
                                size_t nks);

static bool put(struct tree *t, struct gw_json *container, const char *key, struct gw_json *v)
{
    if (!v && !t->failed)
        v = gw_json_null();
    if (!v) {
        t->failed = true;
        return false;
    }
    if (!(key ? gw_json_object_set(container, key, v) : gw_json_array_append(container, v))) {
        t->failed = true;
        return false;
    }
    return true;
}

/* A node's value: its leaf value without edges; a list of its children in edge order for a
 * collection; else an object where a later edge wins over an earlier one with its label. NULL is
 * Go's nil (also when t failed). */
static struct gw_json *expand(struct tree *t, const struct node *n)
{
    struct gw_json *r;

    if (n->n == 0) {
        r = n->value ? gw_json_copy(n->value) : NULL;
        if (n->value && !r)
            t->failed = true;
        return r;
    }
    r = n->collection ? gw_json_array() : gw_json_object();
    if (!r) {
        t->failed = true;
        return NULL;
    }
    for (size_t i = 0; i < n->n; i++) {
        if (!put(t, r, n->collection ? NULL : n->edges[i].label, expand(t, n->edges[i].n)))
            break;
    }
    if (t->failed) {
        gw_json_destroy(r);
        return NULL;
    }
    return r;
}

static struct gw_json *node_get(struct tree *t, const struct node *n, const char *const *ks,
                                size_t nks)
{
    struct gw_json *r;
    long i;

    if (n->n == 0 && nks > 0)
        return NULL;
    if (nks == 0)
        return expand(t, n);
    if (strcmp(ks[0], WILDCARD) == 0) { /* the list of what every child holds below */
        if (!(r = gw_json_array())) {
            t->failed = true;
            return NULL;
        }
        for (size_t k = 0; k < n->n; k++) {
            if (!put(t, r, NULL, node_get(t, n->edges[k].n, ks + 1, nks - 1)))
                break;
        }
        if (t->failed) {
            gw_json_destroy(r);
            return NULL;
        }
        return r;
    }
    i = find(n, ks[0]);
    return i < 0 ? NULL : node_get(t, n->edges[i].n, ks + 1, nks - 1);
}

/* ---- operations -------------------------------------------------------------------------------
 */

/* node.Del: `*` recurses into every child, or as the last segment removes every edge. */
static void node_del(struct tree *t, struct node *n, const char *const *ks, size_t nks)
{
    long i;

    if (nks == 0 || n->n == 0)
        return;
    if (strcmp(ks[0], WILDCARD) == 0) {
        if (nks > 1) {
            for (size_t k = 0; k < n->n; k++)
                node_del(t, n->edges[k].n, ks + 1, nks - 1);
            return;
        }
        for (size_t k = 0; k < n->n; k++) {
            free(n->edges[k].label);
            node_free(t, n->edges[k].n);
        }
        n->n = 0;
        return;
    }
    if ((i = find(n, ks[0])) < 0)
        return;
    if (nks > 1) {
        node_del(t, n->edges[i].n, ks + 1, nks - 1);
        return;
    }
    struct edge e = take_edge(n, (size_t)i);
    free(e.label);
    node_free(t, e.n);
}

static void cands_free(struct cand *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].path);
    free(c);
}

static bool cand_push(struct tree *t, struct cand **v, size_t *n, size_t *cap,
                      const struct cand *from, const struct edge *e)
{
    struct cand c = {e->n, malloc((from->depth + 1) * sizeof(char *)), from->depth + 1};

    if (!c.path)
        goto fail;
    if (from->depth)
        memcpy(c.path, from->path, from->depth * sizeof(char *));
    c.path[from->depth] = e->label;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        struct cand *nv = realloc(*v, nc * sizeof(*nv));
        if (!nv)
            goto fail;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = c;
    return true;
fail:
    free(c.path);
    t->failed = true;
    return false;
}

/* Tree.collectMoveCandidates: the nodes the source prefix reaches (`*` fans out, a literal takes
 * the first edge with its label). */
static struct cand *candidates(struct tree *t, const struct gw_strlist *src, size_t *out_n)
{
    struct cand *cur = calloc(1, sizeof(*cur)), *next = NULL;
    size_t n = 1, nn = 0, cap = 0;

    *out_n = 0;
    if (!cur) {
        t->failed = true;
        return NULL;
    }
    cur[0].n = t->root;
    for (size_t s = 0; s + 1 < src->n && !t->failed; s++) {
        const char *step = src->items[s];
        next = NULL;
        nn = cap = 0;
        for (size_t i = 0; i < n && !t->failed; i++) {
            struct node *cn = cur[i].n;
            if (strcmp(step, WILDCARD) == 0) {
                for (size_t k = 0; k < cn->n; k++)
                    if (!cand_push(t, &next, &nn, &cap, &cur[i], &cn->edges[k]))
                        break;
            } else {
                long k = find(cn, step);
                if (k >= 0)
                    cand_push(t, &next, &nn, &cap, &cur[i], &cn->edges[k]);
            }
        }
        cands_free(cur, n);
        cur = next;
        n = nn;
    }
    if (t->failed) {
        cands_free(cur, n);
        return NULL;
    }
    *out_n = n;
    return cur;
}

/* Moves edge e to the end of n's edges when another edge has its label, so the moved value is
 * the one that renders (Go's map order makes that random; "moved value wins" is our pick). */
static void renamed(struct node *n, size_t i)
{
    struct edge e;
    long other = -1;

    if (n->collection)
        return;
    for (size_t k = 0; k < n->n && other < 0; k++)
        if (k != i && strcmp(n->edges[k].label, n->edges[i].label) == 0)
            other = (long)k;
    if (other < 0)
        return;
    e = take_edge(n, i);
    n->edges[n->n++] = e; /* the slot just freed */
}

static bool relabel(struct tree *t, struct edge *e, const char *label)
{
    char *l = strdup(label);

    if (!l) {
        t->failed = true;
        return false;
    }
    free(e->label);
    e->label = l;
    return true;
}

/* Tree.promoteEdges: from the root, walk dst's prefix (`*` takes the candidate's own label at
 * that depth); stop at the first step not found; attach there as dst's last segment. */
static void promote(struct tree *t, struct moving *m, size_t nm, const struct gw_strlist *dst)
{
    for (size_t i = 0; i < nm; i++) {
        struct node *parent = t->root;
        for (size_t k = 0; k + 1 < dst->n; k++) {
            const char *l = strcmp(dst->items[k], WILDCARD) == 0 ? m[i].c.path[k] : dst->items[k];
            long e = find(parent, l);
            if (e < 0)
                break;
            parent = parent->edges[e].n;
        }
        if (!relabel(t, &m[i].e, dst->items[dst->n - 1]) ||
            !push_edge(t, parent, m[i].e.label, m[i].e.n))
            return;
        m[i].e.n = NULL; /* attached */
    }
}

/* Tree.embeddingEdges: below the candidate, find or create dst[from..n-2], attach as dst's last
 * segment (dst's first segments are not looked at). */
static void embed(struct tree *t, struct moving *m, size_t nm, const struct gw_strlist *dst,
                  size_t from)
{
    for (size_t i = 0; i < nm; i++) {
        struct node *r = m[i].c.n;
        for (size_t k = from; k + 1 < dst->n && !t->failed; k++) {
            long e = find(r, dst->items[k]);
            struct node *child;
            char *label;
            if (e >= 0) {
                r = r->edges[e].n;
                continue;
            }
            child = node_new(t);
            label = child ? strdup(dst->items[k]) : NULL;
            if (!label || !push_edge(t, r, label, child)) {
                t->failed = true;
                free(label);
                node_free(t, child);
                return;
            }
            r = child;
        }
        if (t->failed || !relabel(t, &m[i].e, dst->items[dst->n - 1]) ||
            !push_edge(t, r, m[i].e.label, m[i].e.n))
            return;
        m[i].e.n = NULL;
    }
}

/* Tree.Move: same length renames in place, a shorter destination promotes from the root, a
 * longer one embeds below the candidate. Only the first matching edge of each candidate. */
static void tree_move(struct tree *t, const struct gw_strlist *src, const struct gw_strlist *dst)
{
    size_t nc = 0, nm = 0;
    struct cand *c = candidates(t, src, &nc);
    struct moving *m = nc ? calloc(nc, sizeof(*m)) : NULL;
    const char *last = src->items[src->n - 1];

    if (!c || (nc && !m)) {
        t->failed = t->failed || nc;
        goto out;
    }
    for (size_t i = 0; i < nc; i++) {
        long k = find(c[i].n, last);
        if (k < 0)
            continue;
        if (src->n == dst->n) {
            if (!relabel(t, &c[i].n->edges[k], dst->items[dst->n - 1]))
                goto out;
            renamed(c[i].n, (size_t)k);
            continue;
        }
        m[nm].c = c[i];
        m[nm].e = take_edge(c[i].n, (size_t)k);
        nm++;
    }
    if (src->n > dst->n)
        promote(t, m, nm, dst);
    else if (src->n < dst->n)
        embed(t, m, nm, dst, src->n - 1);
out:
    for (size_t i = 0; i < nm; i++) { /* not attached (failure): free */
        if (m[i].e.n) {
            free(m[i].e.label);
            node_free(t, m[i].e.n);
        }
    }
    free(m);
    cands_free(c, nc);
}

/* Tree.Append: both paths must read as lists; dst becomes dst's items then src's (added onto
 * dst's node, so existing children are flattened over again), then src is deleted. */
static void tree_append(struct tree *t, const struct gw_strlist *src, const struct gw_strlist *dst)
{
    const char *const *sk = (const char *const *)src->items;
    const char *const *dk = (const char *const *)dst->items;
    struct gw_json *a = node_get(t, t->root, sk, src->n), *b = NULL;

    if (!a || a->type != GW_JSON_ARRAY)
        goto out;
    b = node_get(t, t->root, dk, dst->n);
    if (!b || b->type != GW_JSON_ARRAY)
        goto out;
    for (size_t i = 0; i < a->n_items; i++) {
        if (!gw_json_array_append(b, a->items[i])) {
            a->items[i] = NULL;
            t->failed = true;
            goto out;
        }
        a->items[i] = NULL;
    }
    a->n_items = 0;
    node_add(t, t->root, dk, dst->n, b);
    node_del(t, t->root, sk, src->n);
out:
    gw_json_destroy(a);
    gw_json_destroy(b);
}

bool gw_flatmap_apply(const struct gw_flatmap *fm, struct gw_json **data)
{
    struct tree t = {0};
    struct gw_json *r;

    if (!*data || fm->n_ops == 0)
        return true;
    if (!(t.root = node_new(&t)))
        return false;
    flatten(&t, t.root, *data);
    for (size_t i = 0; i < fm->n_ops && !t.failed; i++) {
        const struct gw_flatmap_op *op = &fm->ops[i];
        switch (op->kind) {
        case GW_FLATMAP_MOVE: /* the config guarantees two non-empty paths */
            tree_move(&t, &op->args[0], &op->args[1]);
            break;
        case GW_FLATMAP_APPEND:
            tree_append(&t, &op->args[0], &op->args[1]);
            break;
        case GW_FLATMAP_DEL:
            for (size_t k = 0; k < op->n_args; k++)
                node_del(&t, t.root, (const char *const *)op->args[k].items, op->args[k].n);
            break;
        default:
            break;
        }
    }
    r = t.failed ? NULL : expand(&t, t.root);
    node_free(&t, t.root);
    if (t.failed) {
        gw_json_destroy(r);
        return false;
    }
    gw_json_destroy(*data);
    *data = r && r->type == GW_JSON_OBJECT ? r : NULL;
    if (r && r->type != GW_JSON_OBJECT)
        gw_json_destroy(r);
    return true;
}
