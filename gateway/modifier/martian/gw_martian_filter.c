/* gw_martian_filter.c - martian's filters (a condition, then `modifier` or `else`, evaluated
 * afresh on the request and on the response) and groups (fifo in order, priority by priority)
 * (../shared/spec/krakend-config-transform.md §3.5). */
#include "gw_martian_int.h"

#include "cmn_go_re.h"
#include "cmn_go_values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- conditions ----------------------------------------------------------------------------- */

struct header_match {
    const char *want;
    bool hit;
};

static bool header_value(const char *v, void *arg)
{
    struct header_match *m = arg;

    m->hit = m->hit || strcmp(v, m->want) == 0;
    return m->hit;
}

/* header.Filter: some value of the header is exactly `value` (an empty one only matches an
 * empty value: the header being there is not enough, whatever martian's docs say). */
static bool header_matches(const struct gw_mart_node *n, struct gw_mart_req *req,
                           struct gw_mart_res *res)
{
    struct header_match m = {n->value, false};

    if (!gw_mart_hdr_any(req, res, n->name, header_value, &m))
        return false;
    return m.hit;
}

/* querystring.Filter: the parameter is there, with `value` among its values when one is set. */
static int query_matches(const struct gw_mart_node *n, struct gw_mart_req *req, bool *hit,
                         struct cmn_err *err)
{
    struct cmn_go_values q;

    *hit = false;
    if (!gw_mart_url(req))
        return cmn_err_set(err, 1, "martian: the backend URL cannot be read"), -1;
    cmn_go_values_init(&q, 4096);
    if (!cmn_go_values_parse(&q, req->raw_query, strlen(req->raw_query))) {
        cmn_go_values_free(&q);
        return cmn_err_set(err, 1, "out of memory"), -1;
    }
    for (size_t i = 0; i < q.n && !*hit; i++)
        *hit = strcmp(q.v[i].key, n->name) == 0 &&
               (!n->value[0] || strcmp(q.v[i].value, n->value) == 0);
    cmn_go_values_free(&q);
    return 0;
}

/* martianurl.MatchHost: exact, or `*` labels standing for any label. */
static bool match_host(const char *host, const char *match)
{
    long hi, mi;

    if (!host[0])
        return false;
    if (strcmp(host, match) == 0)
        return true;
    hi = (long)strlen(host) - 1;
    for (mi = (long)strlen(match) - 1; mi >= 0; mi--) {
        if (match[mi] == '*') {
            while (hi > 0 && host[hi] != '.')
                hi--;
            if (mi == 0 && hi == 0)
                return true;
            continue;
        }
        if (hi < 0 || host[hi] != match[mi])
            return false;
        if (hi == 0)
            return mi == 0;
        hi--;
    }
    return false;
}

static int url_matches(const struct gw_mart_node *n, struct gw_mart_req *req, bool *hit,
                       struct cmn_err *err)
{
    if (!gw_mart_url(req))
        return cmn_err_set(err, 1, "martian: the backend URL cannot be read"), -1;
    *hit = !(n->scheme[0] && strcmp(n->scheme, req->scheme) != 0) &&
           !(n->host[0] && !match_host(req->host, n->host)) &&
           !(n->path[0] && strcmp(n->path, req->path) != 0) &&
           !(n->query[0] && strcmp(n->query, req->raw_query) != 0);
    return 0;
}

/* Go's regexp.MatchString on a subject; a match that cannot be decided is an error. */
static int re_matches(const struct gw_mart_node *n, const char *s, bool *hit, struct cmn_err *err)
{
    enum cmn_go_re_match m = cmn_go_re_match(n->re, s, strlen(s));

    if (m == CMN_GO_RE_LIMIT || m == CMN_GO_RE_ERROR)
        return cmn_err_set(err, 1, "martian: the pattern could not be matched (%s)",
                           cmn_go_re_pcre_pattern(n->re)),
               -1;
    *hit = m == CMN_GO_RE_MATCH;
    return 0;
}

static int url_regex_matches(const struct gw_mart_node *n, struct gw_mart_req *req, bool *hit,
                             struct cmn_err *err)
{
    struct cmn_buf b;
    int rc;

    cmn_buf_init(&b, 1024 * 1024);
    if (!gw_mart_url_string(req, &b)) {
        cmn_buf_free(&b);
        return cmn_err_set(err, 1, "martian: the backend URL cannot be read"), -1;
    }
    rc = re_matches(n, cmn_buf_str(&b), hit, err);
    cmn_buf_free(&b);
    return rc;
}

/* port.Filter's request side (martian's code: an explicit port compared, else the default). */
static int port_matches(const struct gw_mart_node *n, struct gw_mart_req *req, bool response,
                        bool *hit, struct cmn_err *err)
{
    char host[512], port[32];
    long long def = 0, pt;
    char *end;

    if (!gw_mart_url(req))
        return cmn_err_set(err, 1, "martian: the backend URL cannot be read"), -1;
    if (strcmp(req->scheme, "http") == 0)
        def = 80;
    if (strcmp(req->scheme, "https") == 0)
        def = 443;
    *hit = false;
    if (!strchr(req->host, ':')) {
        if (n->port == def) {
            *hit = true;
            return 0;
        }
        if (!response)
            return 0;
        /* the response side splits the host anyway, and fails without a port (martian's) */
    }
    if (!gw_mart_split_host_port(req->host, host, sizeof(host), port, sizeof(port), err))
        return -1;
    pt = strtoll(port, &end, 10);
    if (!port[0] || *end)
        return cmn_err_set(err, 1, "strconv.Atoi: parsing \"%s\": invalid syntax", port), -1;
    *hit = pt == n->port;
    return 0;
}

/* ---- groups --------------------------------------------------------------------------------- */

/* fifo.Group in order (aggregateErrors: every member runs, the errors joined by newlines) and
 * priority.Group in its order (the first error ends it); res NULL: the request side. */
static int group(const struct gw_mart_node *n, struct gw_mart_req *req, struct gw_mart_res *res,
                 struct cmn_err *err)
{
    char *joined = NULL;
    size_t jl = 0;

    for (size_t i = 0; i < n->n_items; i++) {
        struct cmn_err e = {0};
        int rc = res ? gw_mart_ref_response(&n->items[i], res, &e)
                     : gw_mart_ref_request(&n->items[i], req, &e);
        if (rc == 0)
            continue;
        if (n->kind == GW_MART_PRIORITY || !n->aggregate) {
            free(joined);
            *err = e;
            return -1;
        }
        size_t l = strlen(e.msg);
        char *j = realloc(joined, jl + l + 2);
        if (!j)
            continue;
        joined = j;
        if (jl)
            joined[jl++] = '\n';
        memcpy(joined + jl, e.msg, l + 1);
        jl += l;
    }
    if (!joined)
        return 0;
    cmn_err_set(err, 1, "%s", joined);
    free(joined);
    return -1;
}

/* ---- filters -------------------------------------------------------------------------------- */

int gw_mart_filter_request(const struct gw_mart_node *n, struct gw_mart_req *req,
                           struct cmn_err *err)
{
    bool hit = false;
    int rc = 0;

    switch (n->kind) {
    case GW_MART_F_HEADER:
        hit = header_matches(n, req, NULL);
        break;
    case GW_MART_F_HEADER_REGEX: { /* no else; an empty or absent header never matches */
        const char *v = gw_hdrs_get(&req->o->headers, n->name);
        if (!v || !v[0])
            return 0;
        if (re_matches(n, v, &hit, err))
            return -1;
        return hit ? gw_mart_ref_request(&n->then, req, err) : 0;
    }
    case GW_MART_F_QUERY:
        rc = query_matches(n, req, &hit, err);
        break;
    case GW_MART_F_URL:
        rc = url_matches(n, req, &hit, err);
        break;
    case GW_MART_F_URL_REGEX:
        rc = url_regex_matches(n, req, &hit, err);
        break;
    case GW_MART_F_COOKIE:
        hit = gw_mart_has_cookie(&req->o->headers, false, n->name, n->value);
        break;
    case GW_MART_F_PORT: /* no else */
        if (port_matches(n, req, false, &hit, err))
            return -1;
        return hit ? gw_mart_ref_request(&n->then, req, err) : 0;
    case GW_MART_FIFO:
    case GW_MART_PRIORITY:
        return group(n, req, NULL, err);
    default:
        return 0;
    }
    if (rc)
        return -1;
    return gw_mart_ref_request(hit ? &n->then : &n->els, req, err);
}

int gw_mart_filter_response(const struct gw_mart_node *n, struct gw_mart_res *res,
                            struct cmn_err *err)
{
    struct gw_mart_req *req = res->req; /* the request this answers, as it was sent */
    bool hit = false;
    int rc = 0;

    if (!req && n->kind != GW_MART_F_HEADER && n->kind != GW_MART_F_COOKIE &&
        n->kind != GW_MART_FIFO && n->kind != GW_MART_PRIORITY)
        return 0;
    switch (n->kind) {
    case GW_MART_F_HEADER:
        hit = header_matches(n, NULL, res);
        break;
    case GW_MART_F_HEADER_REGEX: { /* martian reads the request's header here too */
        const char *v = gw_hdrs_get(&req->o->headers, n->name);
        if (!v || !v[0])
            return 0;
        if (re_matches(n, v, &hit, err))
            return -1;
        return hit ? gw_mart_ref_response(&n->then, res, err) : 0;
    }
    case GW_MART_F_QUERY:
        rc = query_matches(n, req, &hit, err);
        break;
    case GW_MART_F_URL:
        rc = url_matches(n, req, &hit, err);
        break;
    case GW_MART_F_URL_REGEX:
        rc = url_regex_matches(n, req, &hit, err);
        break;
    case GW_MART_F_COOKIE:
        hit = gw_mart_has_cookie(&res->r->headers, true, n->name, n->value);
        break;
    case GW_MART_F_PORT:
        if (port_matches(n, req, true, &hit, err))
            return -1;
        return hit ? gw_mart_ref_response(&n->then, res, err) : 0;
    case GW_MART_FIFO:
    case GW_MART_PRIORITY:
        return group(n, NULL, res, err);
    default:
        return 0;
    }
    if (rc)
        return -1;
    return gw_mart_ref_response(hit ? &n->then : &n->els, res, err);
}
