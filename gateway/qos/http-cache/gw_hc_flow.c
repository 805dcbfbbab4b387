/* gw_hc_flow.c - one backend exchange through the cache: krakend/httpcache's RoundTrip split
 * at the network call (§7.3-§7.5), on the proxy's own request and result types. */
#include "gw_hc_int.h"

#include "cmn_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_method(const char *m, const char *want)
{
    return m && strcmp(m, want) == 0;
}

static bool nonempty(const char *s)
{
    return s && *s;
}

static enum gw_hc_status nomem(struct cmn_err *err)
{
    return cmn_err_set(err, GW_HC_NOMEM, "http-cache: out of memory");
}

void gw_hc_plan_free(struct gw_hc_plan *plan)
{
    if (!plan)
        return;
    free(plan->key);
    gw_hc_entry_release(plan->stored);
    gw_hc_entry_release(plan->entry);
    gw_hdrs_free(&plan->sent);
    memset(plan, 0, sizeof(*plan));
}

/* cacheKey: the URL for GET, "<METHOD> <url>" for anything else. */
static bool make_key(struct gw_hc_plan *plan, const struct gw_outreq *req)
{
    const char *url = req->url ? req->url : "", *m = req->method ? req->method : "";
    size_t ul = strlen(url), ml = strlen(m);

    plan->key_len = plan->get ? ul : ml + 1 + ul;
    plan->key = malloc(plan->key_len + 1);
    if (!plan->key)
        return false;
    if (plan->get) {
        memcpy(plan->key, url, ul + 1);
    } else {
        memcpy(plan->key, m, ml);
        plan->key[ml] = ' ';
        memcpy(plan->key + ml + 1, url, ul + 1);
    }
    return true;
}

/* ---- storing a fetched response ---- */

struct varied_ctx {
    const struct gw_hdrs *req;
    struct gw_hdrs *out;
    size_t n;
    bool nomem;
};

/* For each Vary name with a request value: X-Varied-<Name>: <value> (Header.Set). */
static bool add_varied(void *ud, const char *name)
{
    struct varied_ctx *c = ud;
    char fake[GW_HC_MAX_NAME + 16];
    const char *v;

    if (!name || !*name || c->n >= GW_HC_MAX_VARY)
        return true; /* not remembered: the next request revalidates */
    v = gw_hc_get(c->req, name);
    if (!nonempty(v))
        return true;
    snprintf(fake, sizeof(fake), "X-Varied-%s", name);
    if (!gw_hdrs_set(c->out, fake, v)) {
        c->nomem = true;
        return false;
    }
    c->n++;
    return true;
}

/* The storage step after any fetch of a cacheable request: unless the request or the response
 * says no-store (then its key is deleted), the live response gets its X-Varied-* headers, a
 * GET loses Content-Encoding: gzip, and it is stored whatever its status. */
static enum gw_hc_status store_fetched(struct gw_hc_store *s, const struct gw_hc_plan *plan,
                                       struct gw_fetch_result *res, struct cmn_err *err)
{
    struct varied_ctx c = {&plan->sent, &res->headers, 0, false};
    struct gw_hc_entry *e;
    const char *ce;

    if (!gw_hc_can_store(&plan->sent, &res->headers)) {
        gw_hc_store_delete(s, plan->key, plan->key_len);
        return GW_HC_OK;
    }
    gw_hc_vary_each(&res->headers, add_varied, &c);
    if (c.nomem)
        return nomem(err);
    ce = gw_hc_get(&res->headers, "Content-Encoding");
    if (plan->get && ce && strcmp(ce, "gzip") == 0)
        gw_hdrs_del(&res->headers, "Content-Encoding");
    e = gw_hc_entry_build(res->status, &res->headers, NULL, NULL, NULL, res->body, res->body_len);
    if (!e)
        return nomem(err);
    gw_hc_store_set(s, plan->key, plan->key_len, e);
    return GW_HC_OK;
}

/* res becomes the entry's response (its url stays; a transport error is gone). */
static bool replace(struct gw_fetch_result *res, const struct gw_hc_entry *e)
{
    struct gw_fetch_result *copy = gw_hc_result_new(e, NULL);

    if (!copy)
        return false;
    copy->url = res->url;
    res->url = NULL;
    gw_fetch_result_free(res);
    *res = *copy;
    free(copy);
    return true;
}

/* ---- 304: the stored response refreshed by the 304's end-to-end headers ---- */

/* The hop-by-hop headers of a 304 that are not copied onto the stored response. */
static bool hop_by_hop(const struct gw_hdrs *r, const char *name)
{
    static const char *const fixed[] = {"Connection",          "Keep-Alive", "Proxy-Authenticate",
                                        "Proxy-Authorization", "Te",         "Trailers",
                                        "Transfer-Encoding",   "Upgrade"};
    const char *conn = gw_hc_get(r, "Connection");
    size_t nl = strlen(name);

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (cmn_str_eq_nocase(name, fixed[i]))
            return true;
    }
    while (conn && *conn) {
        const char *comma = strchr(conn, ','), *s = conn;
        const char *e = comma ? comma : conn + strlen(conn);

        while (s < e && *s == ' ')
            s++;
        while (e > s && e[-1] == ' ')
            e--;
        if ((size_t)(e - s) == nl && nl && strncasecmp(s, name, nl) == 0)
            return true;
        conn = comma ? comma + 1 : NULL;
    }
    return false;
}

static bool not_end_to_end(const void *ud, const char *name)
{
    return hop_by_hop(ud, name);
}

/* A stored header the 304 replaces: every name it carries end to end. */
static bool replaced_by_304(const void *ud, const char *name)
{
    return gw_hc_get(ud, name) && !hop_by_hop(ud, name);
}

/* res (a 304) becomes the stored response with every value of each end-to-end 304 header. */
static bool merge_304(struct gw_fetch_result *res, const struct gw_hc_entry *stored)
{
    const struct gw_fetch_result *sv = gw_hc_entry_result(stored);
    struct gw_hc_entry *e2e =
        gw_hc_entry_build(304, &res->headers, not_end_to_end, &res->headers, NULL, "", 0);
    struct gw_hc_entry *merged = NULL;
    bool ok = false;

    if (e2e)
        merged = gw_hc_entry_build(sv->status, &sv->headers, replaced_by_304, &res->headers,
                                   &gw_hc_entry_result(e2e)->headers, sv->body, sv->body_len);
    if (merged)
        ok = replace(res, merged);
    gw_hc_entry_release(e2e);
    gw_hc_entry_release(merged);
    return ok;
}

/* ---- the exchange ---- */

/* Stale: the validators of the stored response, unless the request carries the header
 * krakend/httpcache checks (it looks for "Etag" and "Last-Modified" on the request). */
static bool validators(struct gw_hc_plan *plan)
{
    const struct gw_fetch_result *sv = gw_hc_entry_result(plan->stored);
    const char *etag = gw_hc_get(&sv->headers, "Etag"),
               *lm = gw_hc_get(&sv->headers, "Last-Modified");

    if (nonempty(etag) && !nonempty(gw_hc_get(&plan->sent, "Etag"))) {
        plan->if_none_match = etag;
        if (!gw_hdrs_set(&plan->sent, "If-None-Match", etag))
            return false;
    }
    if (nonempty(lm) && !nonempty(gw_hc_get(&plan->sent, "Last-Modified"))) {
        plan->if_modified_since = lm;
        if (!gw_hdrs_set(&plan->sent, "If-Modified-Since", lm))
            return false;
    }
    return true;
}

/* only-if-cached without an entry: newGatewayTimeoutResponse (504, no header, empty body),
 * stored like any answer and served. */
static enum gw_hc_status serve_504(struct gw_hc_store *s, struct gw_hc_plan *plan,
                                   struct cmn_err *err)
{
    struct gw_fetch_result r = {0};
    enum gw_hc_status st;

    r.status = 504;
    gw_hdrs_init(&r.headers, 0);
    st = store_fetched(s, plan, &r, err);
    if (st == GW_HC_OK) {
        plan->entry = gw_hc_entry_build(504, &r.headers, NULL, NULL, NULL, "", 0);
        if (!plan->entry)
            st = nomem(err);
    }
    gw_fetch_result_free(&r);
    plan->action = GW_HC_SERVE;
    return st;
}

static bool copy_headers(struct gw_hdrs *dst, const struct gw_hdrs *src)
{
    for (size_t i = 0; i < src->n; i++) {
        if (!gw_hdrs_add(dst, src->v[i].name, src->v[i].value))
            return false;
    }
    return true;
}

/* A FETCH of a cacheable request: keep its headers as sent (validators included) for
 * gw_hc_finish, since the request itself goes to the HTTP client. */
static enum gw_hc_status fetch(struct gw_hc_plan *plan, const struct gw_hdrs *h, bool validate,
                               struct cmn_err *err)
{
    if (!copy_headers(&plan->sent, h) || (validate && !validators(plan)))
        return nomem(err);
    return GW_HC_OK;
}

enum gw_hc_status gw_hc_begin(struct gw_hc_store *s, const struct gw_outreq *req,
                              int64_t now_unix_ns, struct gw_hc_plan *plan, struct cmn_err *err)
{
    const struct gw_hdrs *rh = &req->headers;
    const struct gw_fetch_result *sv;
    const char *v0;
    size_t n;

    memset(plan, 0, sizeof(*plan));
    gw_hdrs_init(&plan->sent, 0);
    plan->action = GW_HC_FETCH;
    plan->get = is_method(req->method, "GET");
    if (req->url && strlen(req->url) > GW_HC_MAX_KEY)
        return GW_HC_OK; /* not cacheable, and nothing of it can be stored */
    if (!make_key(plan, req))
        return nomem(err);
    plan->cacheable =
        (plan->get || is_method(req->method, "HEAD")) && !nonempty(gw_hc_get(rh, "Range"));
    if (!plan->cacheable) {
        gw_hc_store_delete(s, plan->key, plan->key_len); /* invalidates its own key */
        return GW_HC_OK;
    }
    plan->stored = gw_hc_store_get(s, plan->key, plan->key_len);
    if (!plan->stored) {
        if (!gw_hc_cc_get(gw_hc_get(rh, "Cache-Control"), "only-if-cached", &v0, &n))
            return fetch(plan, rh, false, err);
        if (!copy_headers(&plan->sent, rh))
            return nomem(err);
        return serve_504(s, plan, err);
    }
    sv = gw_hc_entry_result(plan->stored);
    if (!gw_hc_vary_matches(&sv->headers, rh))
        return fetch(plan, rh, false, err); /* no validators; stale-if-error may still use it */
    switch (gw_hc_freshness(&sv->headers, rh, now_unix_ns)) {
    case GW_HC_FRESH:
        plan->action = GW_HC_SERVE; /* a hit: no copy of the request */
        plan->entry = gw_hc_entry_ref(plan->stored);
        return GW_HC_OK;
    case GW_HC_STALE:
        return fetch(plan, rh, true, err);
    case GW_HC_TRANSPARENT:
        break;
    }
    return fetch(plan, rh, false, err);
}

enum gw_hc_status gw_hc_finish(struct gw_hc_store *s, struct gw_hc_plan *plan,
                               struct gw_fetch_result *res, int64_t now_unix_ns,
                               struct cmn_err *err)
{
    bool failed = res->status == 0; /* the transport's error */

    if (!plan->key)
        return GW_HC_OK; /* key too long: the cache stayed out of it */
    if (!plan->cacheable) {
        if (!failed)
            gw_hc_store_delete(s, plan->key, plan->key_len);
        return GW_HC_OK;
    }
    if (plan->stored) {
        const struct gw_fetch_result *sv = gw_hc_entry_result(plan->stored);

        if (!failed && plan->get && res->status == 304) {
            if (!merge_304(res, plan->stored))
                return nomem(err);
            return store_fetched(s, plan, res, err); /* refreshed, and stored again */
        }
        if ((failed || res->status >= 500) && plan->get &&
            gw_hc_stale_on_error(&sv->headers, &plan->sent, now_unix_ns))
            return replace(res, plan->stored) ? GW_HC_OK : nomem(err);
        if (failed || res->status != 200)
            gw_hc_store_delete(s, plan->key, plan->key_len);
    }
    if (failed)
        return GW_HC_OK;
    return store_fetched(s, plan, res, err);
}
