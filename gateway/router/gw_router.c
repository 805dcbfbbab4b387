/* gw_router.c - gin-compatible matching over a flat route list (static > param > catch-all). */
#include "gw_router.h"

#include "cmn_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SEGS 128

enum seg_type { SEG_STATIC = 0, SEG_PARAM, SEG_CATCHALL };

struct seg {
    enum seg_type type;
    char *text; /* literal, or the parameter name */
    size_t len;
};

struct gw_route {
    char *method;
    char *pattern;
    struct seg *segs;
    size_t n_segs;
    bool trailing_slash; /* pattern ends with '/' (and is not just "/") */
    int kind;
    size_t index;
};

/* A request path split into segments (pointers into a copy). */
struct split {
    char buf[4096];
    const char *seg[MAX_SEGS];
    size_t len[MAX_SEGS];
    size_t n;
    bool trailing_slash;
    bool ok;
};

static void split_path(const char *path, struct split *s)
{
    size_t n = strlen(path);

    s->n = 0;
    s->ok = false;
    s->trailing_slash = false;
    if (n == 0 || path[0] != '/' || n >= sizeof(s->buf))
        return;
    memcpy(s->buf, path, n + 1);
    if (n > 1 && path[n - 1] == '/') {
        s->trailing_slash = true;
        s->buf[--n] = '\0';
    }
    if (n == 1) { /* "/" */
        s->ok = true;
        return;
    }
    const char *p = s->buf + 1;
    for (;;) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (s->n == MAX_SEGS)
            return;
        s->seg[s->n] = p;
        s->len[s->n] = l;
        s->n++;
        if (!e)
            break;
        p = e + 1;
    }
    s->ok = true;
}

void gw_router_init(struct gw_router *r)
{
    memset(r, 0, sizeof(*r));
}

static void route_free(struct gw_route *rt)
{
    if (!rt)
        return;
    for (size_t i = 0; i < rt->n_segs; i++)
        free(rt->segs[i].text);
    free(rt->segs);
    free(rt->method);
    free(rt->pattern);
    free(rt);
}

void gw_router_free(struct gw_router *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_routes; i++)
        route_free(r->routes[i]);
    free(r->routes);
    for (size_t i = 0; i < r->n_methods; i++)
        free(r->methods[i]);
    memset(r, 0, sizeof(*r));
}

static bool parse_pattern(struct gw_route *rt, const char *pattern, struct cmn_err *err)
{
    struct split s;

    split_path(pattern, &s);
    if (!s.ok)
        return cmn_err_set(err, 1, "invalid route path '%s'", pattern), false;
    rt->trailing_slash = s.trailing_slash;
    rt->segs = calloc(s.n ? s.n : 1, sizeof(*rt->segs));
    if (!rt->segs)
        return cmn_err_set(err, 1, "out of memory"), false;
    for (size_t i = 0; i < s.n; i++) {
        struct seg *g = &rt->segs[i];
        const char *t = s.seg[i];
        size_t l = s.len[i];
        if (l >= 2 && t[0] == '{' && t[l - 1] == '}') {
            g->type = SEG_PARAM;
            g->text = cmn_strndup(t + 1, l - 2);
        } else if (l >= 1 && t[0] == '*') {
            if (i + 1 != s.n || s.trailing_slash)
                return cmn_err_set(err, 1, "catch-all must end the path in '%s'", pattern), false;
            g->type = SEG_CATCHALL;
            g->text = cmn_strndup(t + 1, l - 1);
        } else {
            g->type = SEG_STATIC;
            g->text = cmn_strndup(t, l);
        }
        if (!g->text)
            return cmn_err_set(err, 1, "out of memory"), false;
        g->len = strlen(g->text);
        rt->n_segs++;
    }
    return true;
}

/* Two routes of one method that match the same paths (gin refuses them at startup). */
static bool same_shape(const struct gw_route *a, const struct gw_route *b)
{
    if (a->n_segs != b->n_segs || a->trailing_slash != b->trailing_slash)
        return false;
    for (size_t i = 0; i < a->n_segs; i++) {
        if (a->segs[i].type != b->segs[i].type)
            return false;
        if (a->segs[i].type == SEG_STATIC && strcmp(a->segs[i].text, b->segs[i].text) != 0)
            return false;
    }
    return true;
}

bool gw_router_add(struct gw_router *r, const char *method, const char *pattern, int kind,
                   size_t index, struct cmn_err *err)
{
    struct gw_route *rt = calloc(1, sizeof(*rt));
    bool known = false;

    if (!rt)
        return cmn_err_set(err, 1, "out of memory"), false;
    rt->kind = kind;
    rt->index = index;
    rt->method = strdup(method);
    rt->pattern = strdup(pattern);
    if (!rt->method || !rt->pattern || !parse_pattern(rt, pattern, err))
        goto fail;
    for (size_t i = 0; i < r->n_routes; i++) {
        if (strcmp(r->routes[i]->method, method) == 0 && same_shape(r->routes[i], rt)) {
            cmn_err_set(err, 1, "'%s %s' conflicts with the existing route '%s %s'", method,
                        pattern, method, r->routes[i]->pattern);
            goto fail;
        }
    }
    for (size_t i = 0; i < r->n_methods; i++)
        known = known || strcmp(r->methods[i], method) == 0;
    if (!known) {
        if (r->n_methods == GW_ROUTER_MAX_METHODS) {
            cmn_err_set(err, 1, "too many methods");
            goto fail;
        }
        r->methods[r->n_methods] = strdup(method);
        if (!r->methods[r->n_methods])
            goto fail;
        r->n_methods++;
    }
    if (r->n_routes == r->cap_routes) {
        size_t cap = r->cap_routes ? r->cap_routes * 2 : 16;
        struct gw_route **n = realloc(r->routes, cap * sizeof(*n));
        if (!n)
            goto fail;
        r->routes = n;
        r->cap_routes = cap;
    }
    r->routes[r->n_routes++] = rt;
    return true;
fail:
    if (!err || !err->msg[0])
        cmn_err_set(err, 1, "out of memory");
    route_free(rt);
    return false;
}

/* Rank of a match: per segment 0 static, 1 param, 2 catch-all; lower wins lexicographically,
 * which is what gin's tree walk with backtracking yields. */
struct rank {
    unsigned char r[MAX_SEGS];
    size_t n;
};

static bool rank_better(const struct rank *a, const struct rank *b)
{
    size_t n = a->n < b->n ? a->n : b->n;

    for (size_t i = 0; i < n; i++) {
        if (a->r[i] != b->r[i])
            return a->r[i] < b->r[i];
    }
    return a->n > b->n;
}

static bool seg_eq(const char *a, size_t al, const char *b, size_t bl, bool nocase)
{
    if (al != bl)
        return false;
    return nocase ? strncasecmp(a, b, al) == 0 : memcmp(a, b, al) == 0;
}

/* Does rt match the split path? trailing flag must agree unless a catch-all ends the route. */
static bool route_matches(const struct gw_route *rt, const struct split *s, bool nocase,
                          struct rank *rk)
{
    size_t i;

    rk->n = 0;
    for (i = 0; i < rt->n_segs; i++) {
        const struct seg *g = &rt->segs[i];
        if (g->type == SEG_CATCHALL) {
            rk->r[rk->n++] = 2;
            /* the rest of the path from its '/', at least "/" ("/__debug/" yes, "/__debug" no) */
            return i < s->n || s->trailing_slash;
        }
        if (i >= s->n)
            return false;
        if (g->type == SEG_PARAM) {
            if (s->len[i] == 0)
                return false;
            rk->r[rk->n++] = 1;
        } else {
            if (!seg_eq(g->text, g->len, s->seg[i], s->len[i], nocase))
                return false;
            rk->r[rk->n++] = 0;
        }
    }
    if (i != s->n)
        return false;
    return rt->trailing_slash == s->trailing_slash;
}

static const struct gw_route *best_route(const struct gw_router *r, const char *method,
                                         const struct split *s, bool nocase)
{
    const struct gw_route *best = NULL;
    struct rank br = {0}, rk;

    if (!s->ok)
        return NULL;
    for (size_t i = 0; i < r->n_routes; i++) {
        const struct gw_route *rt = r->routes[i];
        if (strcmp(rt->method, method) != 0 || !route_matches(rt, s, nocase, &rk))
            continue;
        if (!best || rank_better(&rk, &br)) {
            best = rt;
            br = rk;
        }
    }
    return best;
}

/* Catch-all value: everything from the catch-all segment's leading '/' on. */
static const char *catchall_start(const char *path, size_t seg_index)
{
    const char *p = path;

    for (size_t i = 0; i <= seg_index; i++) {
        p = strchr(p, '/');
        if (!p)
            return "";
        if (i < seg_index)
            p++;
    }
    return p;
}

static void fill_params(const struct gw_route *rt, const struct split *s, const char *path,
                        struct gw_match *m)
{
    m->kind = rt->kind;
    m->index = rt->index;
    m->n_params = 0;
    for (size_t i = 0; i < rt->n_segs && m->n_params < GW_ROUTER_MAX_PARAMS; i++) {
        const struct seg *g = &rt->segs[i];
        if (g->type == SEG_STATIC)
            continue;
        m->params[m->n_params].name = g->text;
        if (g->type == SEG_PARAM)
            m->params[m->n_params].value = cmn_strndup(s->seg[i], s->len[i]);
        else
            m->params[m->n_params].value = strdup(catchall_start(path, i));
        m->n_params++;
    }
}

static bool try_path(const struct gw_router *r, const char *method, const char *path)
{
    struct split s;

    split_path(path, &s);
    return best_route(r, method, &s, false) != NULL;
}

/* Builds the canonical spelling of path for the route (fixed-path redirect target). */
static void fixed_spelling(const struct gw_route *rt, const struct split *s, const char *path,
                           char *out, size_t out_size)
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < rt->n_segs; i++) {
        const struct seg *g = &rt->segs[i];
        if (g->type == SEG_CATCHALL) {
            o += (size_t)snprintf(out + o, o < out_size ? out_size - o : 0, "%s",
                                  catchall_start(path, i));
            return;
        }
        const char *t = g->type == SEG_STATIC ? g->text : s->seg[i];
        size_t l = g->type == SEG_STATIC ? g->len : s->len[i];
        o += (size_t)snprintf(out + o, o < out_size ? out_size - o : 0, "/%.*s", (int)l, t);
    }
    if (rt->n_segs == 0 || rt->trailing_slash)
        snprintf(out + o, o < out_size ? out_size - o : 0, "/");
}

static bool fixed_path(const struct gw_router *r, const char *method, const char *path, char *out,
                       size_t out_size)
{
    char clean[4096], alt[4100];
    struct split s;
    const struct gw_route *rt;
    size_t n;

    if (strlen(path) + 2 > sizeof(clean))
        return false;
    gw_router_clean_path(path, clean, sizeof(clean));
    split_path(clean, &s);
    rt = best_route(r, method, &s, true);
    if (rt) {
        fixed_spelling(rt, &s, clean, out, out_size);
        return true;
    }
    /* gin's findCaseInsensitivePath also fixes the trailing slash */
    n = strlen(clean);
    if (n > 1 && clean[n - 1] == '/')
        snprintf(alt, sizeof(alt), "%.*s", (int)(n - 1), clean);
    else
        snprintf(alt, sizeof(alt), "%s/", clean);
    split_path(alt, &s);
    rt = best_route(r, method, &s, true);
    if (!rt)
        return false;
    fixed_spelling(rt, &s, alt, out, out_size);
    return true;
}

void gw_router_route(const struct gw_router *r, const char *method, const char *path,
                     const struct gw_route_opts *o, struct gw_route_result *res)
{
    struct split s;
    const struct gw_route *rt;
    bool has_tree = false;

    memset(&res->match, 0, sizeof(res->match));
    res->redirect_path[0] = '\0';
    res->redirect_tsr = false;
    res->allow[0] = '\0';
    split_path(path, &s);
    for (size_t i = 0; i < r->n_methods; i++)
        has_tree = has_tree || strcmp(r->methods[i], method) == 0;
    if (has_tree) {
        rt = best_route(r, method, &s, false);
        if (rt) {
            fill_params(rt, &s, path, &res->match);
            res->outcome = GW_ROUTE_FOUND;
            return;
        }
        if (strcmp(method, "CONNECT") != 0 && strcmp(path, "/") != 0) {
            size_t n = strlen(path);
            char alt[4096];
            if (n > 1 && path[n - 1] == '/')
                snprintf(alt, sizeof(alt), "%.*s", (int)(n - 1), path);
            else
                snprintf(alt, sizeof(alt), "%s/", path);
            if (o->redirect_trailing_slash && n + 2 < sizeof(alt) && try_path(r, method, alt)) {
                cmn_strlcpy(res->redirect_path, alt, sizeof(res->redirect_path));
                res->redirect_tsr = true;
                goto redirect;
            }
            if (o->redirect_fixed_path &&
                fixed_path(r, method, path, res->redirect_path, sizeof(res->redirect_path)))
                goto redirect;
        }
    }
    if (o->handle_method_not_allowed) {
        size_t w = 0;
        for (size_t i = 0; i < r->n_methods; i++) {
            if (strcmp(r->methods[i], method) == 0 || !best_route(r, r->methods[i], &s, false))
                continue;
            w += (size_t)snprintf(res->allow + w,
                                  w < sizeof(res->allow) ? sizeof(res->allow) - w : 0, "%s%s",
                                  w ? ", " : "", r->methods[i]);
        }
        if (w) {
            res->outcome = GW_ROUTE_NOT_ALLOWED;
            return;
        }
    }
    res->outcome = GW_ROUTE_NOT_FOUND;
    return;
redirect:
    res->outcome = GW_ROUTE_REDIRECT;
    res->redirect_status = strcmp(method, "GET") == 0 ? 301 : 307;
}

void gw_route_result_free(struct gw_route_result *res)
{
    for (size_t i = 0; i < res->match.n_params; i++) {
        free(res->match.params[i].value);
        res->match.params[i].value = NULL;
    }
    res->match.n_params = 0;
}

void gw_router_clean_path(const char *p, char *out, size_t out_size)
{
    size_t n = strlen(p), r = 0, w = 0;
    bool trailing;

    if (out_size < 2)
        return;
    if (n == 0) {
        cmn_strlcpy(out, "/", out_size);
        return;
    }
    trailing = n > 1 && p[n - 1] == '/';
    out[w++] = '/';
    if (p[0] == '/')
        r = 1;
    while (r < n && w < out_size - 1) {
        if (p[r] == '/') {
            r++;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (w > 1) {
                w--;
                while (w > 1 && out[w - 1] != '/')
                    w--;
            }
        } else {
            if (w > 1 && out[w - 1] != '/')
                out[w++] = '/';
            while (r < n && p[r] != '/' && w < out_size - 1)
                out[w++] = p[r++];
        }
    }
    if (w > 1 && out[w - 1] == '/')
        w--;
    if (trailing && w > 1 && w < out_size - 1)
        out[w++] = '/';
    out[w] = '\0';
}
