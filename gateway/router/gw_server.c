/* gw_server.c - the gateway's HTTP server: MHD glue, gin routing, auth seam, proxy dispatch. */
#include "gw_server.h"

#include "cmn_clock.h"
#include "cmn_go_duration.h"
#include "cmn_go_header.h"
#include "cmn_go_url.h"
#include "cmn_http.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "gw_auth.h"
#include "gw_engine.h"
#include "gw_fetch.h"
#include "gw_mw.h"
#include "gw_proxy.h"
#include "gw_render.h"
#include "gw_router.h"
#include "gw_tls.h"

#include <malloc.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_REQUEST_BODY (8u * 1024 * 1024)
#define HEAD_BUDGET (64u * 1024 * 1024) /* large request heads held at once, at least */
#define MAX_WORKERS 64
#define LOG_BATCH 7168   /* access-log bytes a worker gathers into one write (< cmn_log's line) */
#define LOG_DELAY_MS 100 /* how long a busy worker may hold them */
#define LOG_QUIET_MS 10  /* how long a worker that has nothing to do holds them */

enum route_kind { R_ENDPOINT = 0, R_HEALTH, R_DEBUG, R_ECHO, R_OPTIONS };

struct gw_server {
    const struct gw_config *cfg;
    struct cmn_http_server *http;
    struct gw_tls_listener *tls;        /* the tls block, while the engine serves with it */
    struct gw_tls_client *client_tls;   /* client_tls, while the backend clients use it */
    struct gw_h1_pool *pool;            /* idle backend connections, counted over every worker */
    struct gw_loop *loops[MAX_WORKERS]; /* worker i drives HTTP daemon i and its backend calls */
    struct gw_fetcher *fetchers[MAX_WORKERS]; /* the backend client of loop i */
    size_t n_workers;
    struct worker_hook {
        struct gw_server *srv;
        unsigned idx;
        char log[LOG_BATCH]; /* access-log lines not written yet (worker thread only) */
        size_t log_len;
        int64_t log_since_ms; /* when the oldest of them was added */
        time_t when_sec;      /* the last formatted second, and its text */
        char when[32];
    } hooks[MAX_WORKERS];
    struct gw_proxy *proxy;
    struct gw_mw_chains *mws; /* NULL: no middleware */
    struct gw_router router;
    struct gw_route_opts ropts;
    struct gw_engine engine; /* client IP, logger skip paths, remove_extra_slash */
    struct gw_render_opts render;
    struct gw_json *error_404, *error_405;
    const struct gw_auth_provider *auth;
    void **auth_state;    /* per endpoint */
    char **options_allow; /* per R_OPTIONS route */
    size_t n_options;
    bool access_log;
    atomic_uint auth_pending;
    int64_t start_mono_ns;
};

/* Per-request bookkeeping for the answer and the access log: one allocation with the decoded
 * path and the logged URI behind it. */
struct exctx {
    struct gw_server *srv;
    struct cmn_http_exchange *ex;
    size_t worker;
    const struct gw_endpoint *ep; /* the endpoint served, once routed to one */
    int64_t start_us;
    const char *method; /* borrowed from the request, valid until it is answered */
    char *uri;          /* in text[] */
    bool no_log;        /* router.logger_skip_paths names its path */
    char client_ip[64];
    bool unlogged;       /* answered where gin's logger never sees it (before the engine) */
    struct gw_mw_run mw; /* the router middlewares this request met */
    char text[];         /* decoded path, then the URI */
};

struct gw_auth_call {
    struct gw_server *srv;
    struct exctx *x;
    const struct cmn_http_request *req;
    size_t ep_index;
    struct gw_inreq in;
    atomic_bool finished;
};

/* ---- answering ------------------------------------------------------------------------------ */

static void log_flush(struct worker_hook *h)
{
    if (!h->log_len)
        return;
    cmn_log_raw("%.*s", (int)h->log_len - 1, h->log); /* cmn_log adds the last newline */
    h->log_len = 0;
}

/* Before the worker waits: write what it gathered when it is big or old. A worker about to
 * sleep keeps it a little longer (LOG_QUIET_MS from the oldest line), so that under load, where
 * a worker sleeps between nearly every two requests, lines go out many to a write rather than
 * one write per request; the wait is capped so that they are out then. */
static int log_idle(void *ctx, bool will_block)
{
    struct worker_hook *h = ctx;
    int64_t age;

    if (!h->log_len)
        return -1;
    age = cmn_clock_mono_ms() - h->log_since_ms;
    if (h->log_len > LOG_BATCH / 2 || age >= LOG_DELAY_MS || (will_block && age >= LOG_QUIET_MS)) {
        log_flush(h);
        return -1;
    }
    return will_block ? (int)(LOG_QUIET_MS - age) : -1;
}

static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* s right-aligned in width columns, as printf's "%*s" (bytes, not characters). */
static char *put_right(char *p, const char *s, size_t n, size_t width)
{
    for (; width > n; width--)
        *p++ = ' ';
    return put(p, s, n);
}

/* The gin line; on the request's worker thread it is gathered and written with others. Built by
 * hand: "[GIN] %s | %3u | %13s | %15s | %-7s \"%s\"\n" through printf cost more than the rest
 * of the line's work. */
static void access_log(const struct exctx *x, unsigned status)
{
    struct worker_hook *h = &x->srv->hooks[x->worker];
    bool own = x->worker < x->srv->n_workers && gw_loop_on_thread(x->srv->loops[x->worker]);
    char when[32], lat[48], st[16];
    time_t now = time(NULL);
    struct tm tm;
    size_t wl, sl, ll, il, ml, ul, need;
    char *p;

    if (own && h->when_sec == now) {
        memcpy(when, h->when, sizeof(when));
    } else {
        localtime_r(&now, &tm);
        strftime(when, sizeof(when), "%Y/%m/%d - %H:%M:%S", &tm);
        if (own) {
            memcpy(h->when, when, sizeof(when));
            h->when_sec = now;
        }
    }
    cmn_go_format_duration((cmn_clock_mono_us() - x->start_us) * 1000, lat, sizeof(lat));
    sl = sizeof(st);
    for (unsigned v = status;; v /= 10) {
        st[--sl] = (char)('0' + v % 10);
        if (v < 10)
            break;
    }
    wl = strlen(when);
    ll = strlen(lat);
    il = strlen(x->client_ip);
    ml = strlen(x->method);
    ul = strlen(x->uri);
    need = 6 + wl + 3 + (sizeof(st) - sl < 3 ? 3 : sizeof(st) - sl) + 3 + (ll < 13 ? 13 : ll) + 3 +
           (il < 15 ? 15 : il) + 3 + (ml < 7 ? 7 : ml) + 2 + ul + 2;
    if (!own || need >= LOG_BATCH) {
        cmn_log_raw("[GIN] %s | %3u | %13s | %15s | %-7s \"%s\"", when, status, lat, x->client_ip,
                    x->method, x->uri);
        return;
    }
    if (h->log_len + need > sizeof(h->log))
        log_flush(h);
    if (!h->log_len)
        h->log_since_ms = cmn_clock_mono_ms();
    p = h->log + h->log_len;
    p = put(p, "[GIN] ", 6);
    p = put(p, when, wl);
    p = put(p, " | ", 3);
    p = put_right(p, st + sl, sizeof(st) - sl, 3);
    p = put(p, " | ", 3);
    p = put_right(p, lat, ll, 13);
    p = put(p, " | ", 3);
    p = put_right(p, x->client_ip, il, 15);
    p = put(p, " | ", 3);
    p = put(p, x->method, ml);
    for (size_t i = ml; i < 7; i++)
        *p++ = ' ';
    p = put(p, " \"", 2);
    p = put(p, x->uri, ul);
    p = put(p, "\"\n", 2);
    h->log_len = (size_t)(p - h->log);
}

static void exctx_free(struct exctx *x)
{
    free(x);
}

/* Answers and frees x. resp NULL = 500 empty. */
static void answer(struct exctx *x, struct cmn_http_response *resp)
{
    if (!resp)
        resp = cmn_http_response_new(500);
    if (x->mw.n_ran || x->mw.has_headers)
        gw_mw_run_finish(&x->mw, resp && !resp->abort ? resp : NULL);
    if (x->srv->access_log && !x->no_log && !x->unlogged)
        access_log(x, resp ? resp->status : 500);
    cmn_http_exchange_respond(x->ex, resp);
    exctx_free(x);
}

/* Runs the middlewares of a slot; true when one of them answered (x is then gone). */
static bool mw_answered(struct exctx *x, enum gw_mw_slot slot, size_t ep_index)
{
    struct cmn_http_response *r = NULL;
    enum gw_mw_verdict v;

    if (!x->srv->mws)
        return false;
    v = gw_mw_run_slot(x->srv->mws, slot, ep_index, &x->mw, &r);
    if (v == GW_MW_NEXT)
        return false;
    /* KrakenD wraps gin with these (CORS): what they answer never reaches gin's access log */
    x->unlogged = slot == GW_MW_OUTER;
    if (v == GW_MW_CLOSE) {
        cmn_http_response_destroy(r);
        r = cmn_http_response_new(500);
        if (r)
            r->abort = true;
    }
    answer(x, r);
    return true;
}

/* The endpoint handler: the proxy's outcome rendered for the client. */
static void proxy_done(void *arg, struct gw_proxy_outcome *o)
{
    struct exctx *x = arg;
    struct cmn_http_response *r = NULL;
    const char *accept = NULL;

    if (o->cancelled) {
        answer(x, cmn_http_response_new(503));
        return;
    }
    if (x->ep->output_encoding == GW_OUT_NEGOTIATE)
        accept = cmn_http_request_header(cmn_http_exchange_request(x->ex), "Accept");
    if (!gw_mw_render(x->srv->mws, (size_t)(x->ep - x->srv->cfg->endpoints), x->ep, o->resp,
                      &o->err, &r))
        r = gw_render_endpoint(x->ep, &x->srv->render, o->resp, &o->err, accept);
    answer(x, r);
    gw_presp_destroy(o->resp);
}

/* ---- request conversion --------------------------------------------------------------------- */

static char *put_str(char **at, const char *s, size_t n)
{
    char *p = *at;

    memcpy(p, s, n);
    p[n] = '\0';
    *at += n + 1;
    return p;
}

/* The proxy's view of the request. Its strings (method, path, query, Host, client IP, body)
 * share one allocation; client_ip is gin's ClientIP, already worked out for the access log. */
static bool build_inreq(const struct cmn_http_request *req, const char *path, const char *client_ip,
                        const struct gw_match *m, struct gw_inreq *in)
{
    const char *query = req->query ? req->query : "";
    const char *host = NULL;
    char canon[256];
    size_t ml = strlen(req->method), pl = strlen(path), ql = strlen(query);
    size_t il = strlen(client_ip), hl = 0;
    char *at;

    memset(in, 0, sizeof(*in));
    gw_hdrs_init(&in->headers, GW_MAX_HEADERS);
    for (size_t i = 0; i < req->n_headers; i++) {
        if (cmn_str_eq_nocase(req->headers[i].name, "Host")) {
            if (!host)
                host = req->headers[i].value;
            continue;
        }
        size_t nl = strlen(req->headers[i].name);
        /* names longer than the usual buffer (a head may be 1 MB) are canonicalised whole */
        char *name = nl < sizeof(canon) ? canon : malloc(nl + 1);
        if (!name)
            return false;
        cmn_go_canonical_header(req->headers[i].name, name,
                                nl < sizeof(canon) ? sizeof(canon) : nl + 1);
        bool added = gw_hdrs_add(&in->headers, name, req->headers[i].value);
        if (name != canon)
            free(name);
        if (!added)
            break; /* over the cap: the rest is ignored */
    }
    if (req->authority)
        host = req->authority; /* absolute-form: the URL's host stands for Host, as in Go */
    if (host)
        hl = strlen(host) + 1;
    in->strs =
        malloc(ml + 1 + pl + 1 + ql + 1 + il + 1 + hl + (req->body_len ? req->body_len + 1 : 0));
    if (!in->strs)
        return false;
    at = in->strs;
    in->method = put_str(&at, req->method, ml);
    in->path = put_str(&at, path, pl);
    in->raw_query = put_str(&at, query, ql);
    in->client_ip = put_str(&at, client_ip, il);
    if (host)
        in->host = put_str(&at, host, hl - 1);
    if (req->body_len) {
        in->body = put_str(&at, req->body, req->body_len);
        in->body_len = req->body_len;
    }
    if (m && m->n_params) {
        in->params = calloc(m->n_params, sizeof(*in->params));
        if (!in->params)
            return false;
        for (size_t i = 0; i < m->n_params; i++) {
            in->params[i].name = strdup(m->params[i].name);
            in->params[i].value = strdup(m->params[i].value ? m->params[i].value : "");
            in->n_params++;
            if (!in->params[i].name || !in->params[i].value)
                return false;
        }
    }
    return true;
}

/* The CE path-parameter checker: NULL when fine, else the 400 body. */
static const char *check_params(const struct gw_match *m, char *msg, size_t msg_size)
{
    for (size_t i = 0; i < m->n_params; i++) {
        const char *v = m->params[i].value ? m->params[i].value : "";
        char *dec = malloc(strlen(v) + 1);
        bool bad;
        if (!dec)
            return "error: out of memory";
        if (!cmn_go_unescape(v, strlen(v), false, dec, NULL)) {
            const char *pct = strchr(v, '%');
            snprintf(msg, msg_size, "error: invalid URL escape \"%.3s\"", pct ? pct : "%");
            free(dec);
            return msg;
        }
        bad = strcmp(dec, v) != 0 || strchr(dec, '?') || strchr(dec, '#');
        free(dec);
        if (bad)
            return "error: encoded url params";
    }
    return NULL;
}

/* ---- auth seam ------------------------------------------------------------------------------ */

const struct cmn_http_request *gw_auth_call_request(const struct gw_auth_call *call)
{
    return call->req;
}

bool gw_auth_call_set_header(struct gw_auth_call *call, const char *name, const char *value)
{
    char canon[256];

    cmn_go_canonical_header(name, canon, sizeof(canon));
    return gw_hdrs_set(&call->in.headers, canon, value);
}

bool gw_auth_call_add_header(struct gw_auth_call *call, const char *name, const char *value)
{
    char canon[256];

    cmn_go_canonical_header(name, canon, sizeof(canon));
    return gw_hdrs_add(&call->in.headers, canon, value);
}

static void auth_call_end(struct gw_auth_call *call)
{
    atomic_fetch_sub(&call->srv->auth_pending, 1);
    gw_inreq_free(&call->in);
    free(call);
}

void gw_auth_call_accept(struct gw_auth_call *call, void *claims_ctx, gw_auth_claim_fn claim,
                         void (*claims_free)(void *claims_ctx))
{
    struct exctx *x = call->x;

    if (atomic_exchange(&call->finished, true))
        return;
    /* Claims are consulted while building backend URLs; the request owns them from here. */
    call->in.claims_ctx = claims_ctx;
    call->in.claim = claim;
    call->in.claims_free = claims_free;
    x->mw.rq.in = &call->in;
    if (!mw_answered(x, GW_MW_AUTHENTICATED, call->ep_index)) {
        x->mw.rq.in = NULL;
        if (!gw_proxy_run(call->srv->proxy, x->worker, call->ep_index, &call->in, proxy_done, x))
            answer(x, cmn_http_response_new(503));
    }
    auth_call_end(call);
}

void gw_auth_call_reject(struct gw_auth_call *call, unsigned status)
{
    if (atomic_exchange(&call->finished, true))
        return;
    answer(call->x, cmn_http_response_new(status));
    auth_call_end(call);
}

/* ---- handler -------------------------------------------------------------------------------- */

static struct cmn_http_response *debug_answer(const struct cmn_http_request *req,
                                              const struct gw_match *m)
{
    cmn_log_debug("[ENDPOINT: /__debug/*] Method: %s", req->method);
    cmn_log_debug("[ENDPOINT: /__debug/*] URL: %s", req->target);
    cmn_log_debug("[ENDPOINT: /__debug/*] Params: [{param %s}]",
                  m->n_params ? m->params[0].value : "");
    for (size_t i = 0; i < req->n_headers; i++)
        cmn_log_debug("[ENDPOINT: /__debug/*] Header: %s: %s", req->headers[i].name,
                      req->headers[i].value);
    cmn_log_debug("[ENDPOINT: /__debug/*] Body: %.*s",
                  (int)(req->body_len > 4096 ? 4096 : req->body_len), req->body ? req->body : "");
    return gw_render_debug();
}

static enum gw_mw_route route_of(int kind)
{
    switch (kind) {
    case R_HEALTH:
        return GW_MW_ROUTE_HEALTH;
    case R_DEBUG:
        return GW_MW_ROUTE_DEBUG;
    case R_ECHO:
        return GW_MW_ROUTE_ECHO;
    case R_OPTIONS:
        return GW_MW_ROUTE_AUTO_OPTIONS;
    default:
        return GW_MW_ROUTE_ENDPOINT;
    }
}

static void serve_route(struct exctx *x, const struct cmn_http_request *req, const char *path,
                        struct gw_route_result *rr)
{
    struct gw_server *s = x->srv;
    const struct gw_match *m = &rr->match;
    struct gw_inreq in;
    char msg[128], now[160];
    const char *bad;

    if (!s->cfg->router.disable_path_decoding && (bad = check_params(m, msg, sizeof(msg)))) {
        answer(x, gw_render_bad_param(bad));
        return;
    }
    /* gin binds /__health before the engine middlewares: they run for every other route */
    x->mw.rq.route = route_of(m->kind);
    if (m->kind == R_ENDPOINT) {
        /* the engine middlewares see (and may change) the request the endpoint will use, as
         * gin's engine middlewares change the one request Lura reads (service-level Lua) */
        x->mw.rq.ep = &s->cfg->endpoints[m->index];
        if (!build_inreq(req, path, x->client_ip, m, &in)) {
            gw_inreq_free(&in);
            answer(x, NULL);
            return;
        }
        x->mw.rq.in = &in;
        if (mw_answered(x, GW_MW_ENGINE, 0)) {
            gw_inreq_free(&in);
            return;
        }
    } else if (m->kind != R_HEALTH && mw_answered(x, GW_MW_ENGINE, 0)) {
        return;
    }
    switch (m->kind) {
    case R_HEALTH: {
        int64_t ns = (int64_t)cmn_clock_mono_us() * 1000 - s->start_mono_ns;
        gw_render_go_now(cmn_clock_unix_ms() * 1000000, ns, now, sizeof(now));
        answer(x, gw_render_health(now));
        return;
    }
    case R_DEBUG:
        answer(x, debug_answer(req, m));
        return;
    case R_OPTIONS: {
        struct cmn_http_response *r = cmn_http_response_new(200);
        if (r) {
            cmn_http_response_add_header(r, "Allow", s->options_allow[m->index]);
            cmn_http_response_add_line(r, gw_render_version_line(&s->render));
        }
        answer(x, r);
        return;
    }
    default:
        break;
    }
    if (m->kind == R_ENDPOINT && !gw_proxy_endpoint_ok(s->proxy, m->index)) {
        /* Lura's proxyBuildFailedHandler replaces the endpoint's whole handler chain */
        gw_inreq_free(&in); /* built before the engine slot for endpoint routes */
        answer(x, cmn_http_response_new(500));
        return;
    }
    if (m->kind != R_ENDPOINT && !build_inreq(req, path, x->client_ip, m, &in)) {
        gw_inreq_free(&in);
        answer(x, NULL);
        return;
    }
    if (m->kind == R_ECHO) {
        answer(x, gw_render_echo(req, &in));
        gw_inreq_free(&in);
        return;
    }
    x->ep = &s->cfg->endpoints[m->index];
    x->mw.rq.in = &in;
    if (mw_answered(x, GW_MW_ENDPOINT, m->index)) {
        gw_inreq_free(&in);
        return;
    }
    if (s->auth && s->auth_state[m->index]) {
        struct gw_auth_call *call = calloc(1, sizeof(*call));
        if (!call) {
            gw_inreq_free(&in);
            answer(x, NULL);
            return;
        }
        call->srv = s;
        call->x = x;
        call->req = req;
        call->ep_index = m->index;
        call->in = in;
        atomic_init(&call->finished, false);
        atomic_fetch_add(&s->auth_pending, 1);
        x->mw.rq.in = &call->in;
        s->auth->check(s->auth->ctx, s->auth_state[m->index], call);
        return;
    }
    if (mw_answered(x, GW_MW_AUTHENTICATED, m->index)) {
        gw_inreq_free(&in);
        return;
    }
    x->mw.rq.in = NULL; /* the proxy owns it from here */
    if (!gw_proxy_run(s->proxy, x->worker, m->index, &in, proxy_done, x))
        answer(x, cmn_http_response_new(503));
}

/* gin's redirectTrailingSlash target, from the request's path: a slash added, or removed. */
static void tsr_target(const char *path, char *out, size_t out_size)
{
    size_t n = strlen(path);

    if (n > 1 && path[n - 1] == '/')
        snprintf(out, out_size, "%.*s", (int)(n - 1), path);
    else
        snprintf(out, out_size, "%s/", path);
}

static void handle(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    struct gw_server *s = ctx;
    const char *query = req->query ? req->query : "";
    size_t pl = strlen(req->path), ql = strlen(query);
    /* the decoded path is no longer than the raw one; the URI adds '?' and the query */
    struct exctx *x = malloc(sizeof(*x) + pl + 1 + pl + 1 + ql + 1);
    struct gw_route_result rr;
    char *path;

    if (!x) {
        cmn_http_exchange_respond(ex, NULL);
        return;
    }
    x->srv = s;
    x->ex = ex;
    x->worker = cmn_http_exchange_loop(ex);
    x->start_us = req->start_us;
    x->method = req->method;
    x->ep = NULL;
    x->mw.n_ran = 0;
    x->mw.has_headers = false;
    x->no_log = false;
    x->unlogged = false;
    path = x->text;
    x->uri = x->text + pl + 1;
    x->uri[0] = '\0';
    cmn_strlcpy(x->client_ip, req->remote_ip ? req->remote_ip : "", sizeof(x->client_ip));
    if (!cmn_go_unescape(req->path, strlen(req->path), false, path, NULL) || req->path[0] != '/') {
        static const char bad[] = "400 Bad Request";
        memcpy(x->uri, req->path, pl + 1);
        answer(x, cmn_http_response_text(400, "text/plain; charset=utf-8", bad, sizeof(bad) - 1));
        return;
    }
    {
        size_t dl = strlen(path);
        memcpy(x->uri, path, dl);
        if (ql) {
            x->uri[dl] = '?';
            memcpy(x->uri + dl + 1, query, ql + 1);
        } else {
            x->uri[dl] = '\0';
        }
    }
    gw_engine_client_ip(&s->engine, req, x->client_ip, sizeof(x->client_ip));
    x->no_log = s->engine.skip_paths->n && gw_engine_skip_log(&s->engine, path);
    x->mw.rq = (struct gw_mw_request){
        req, path, x->client_ip, GW_MW_ROUTE_NONE, NULL, NULL, s->mws ? cmn_clock_mono_ms() : 0};
    if (mw_answered(x, GW_MW_OUTER, 0))
        return;
    /* router.remove_extra_slash: gin looks the cleaned path up; the request keeps its own */
    char *lookup = s->engine.remove_extra_slash ? malloc(strlen(path) + 2) : NULL;
    if (s->engine.remove_extra_slash && !lookup) {
        answer(x, NULL);
        return;
    }
    if (lookup)
        gw_router_clean_path(path, lookup, strlen(path) + 2);
    gw_router_route(&s->router, req->method, lookup ? lookup : path, &s->ropts, &rr);
    if (lookup && rr.outcome == GW_ROUTE_REDIRECT && rr.redirect_tsr)
        tsr_target(path, rr.redirect_path, sizeof(rr.redirect_path));
    free(lookup);
    switch (rr.outcome) {
    case GW_ROUTE_FOUND:
        serve_route(x, req, path, &rr);
        break;
    case GW_ROUTE_REDIRECT: { /* gin writes it before any middleware */
        struct cmn_buf loc;
        x->mw.rq.route = GW_MW_ROUTE_REDIRECT;
        cmn_buf_init(&loc, 64 * 1024);
        cmn_buf_append_str(&loc, rr.redirect_path);
        if (req->has_query)
            cmn_buf_printf(&loc, "?%s", req->query);
        answer(x, gw_render_redirect(req->method, rr.redirect_status, cmn_buf_str(&loc)));
        cmn_buf_free(&loc);
        break;
    }
    case GW_ROUTE_NOT_ALLOWED:
        x->mw.rq.route = GW_MW_ROUTE_NOT_ALLOWED;
        if (!mw_answered(x, GW_MW_ENGINE, 0))
            answer(x, gw_render_not_allowed(&s->render, rr.allow));
        break;
    default:
        x->mw.rq.route = GW_MW_ROUTE_NOT_FOUND;
        if (!mw_answered(x, GW_MW_ENGINE, 0))
            answer(x, gw_render_not_found(&s->render));
    }
    gw_route_result_free(&rr);
}

/* ---- start / stop --------------------------------------------------------------------------- */

static bool add_any(struct gw_router *r, const char *pattern, int kind, struct cmn_err *err)
{
    static const char *const any[] = {"GET",     "POST",   "PUT",     "PATCH", "HEAD",
                                      "OPTIONS", "DELETE", "CONNECT", "TRACE"};

    for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++) {
        if (!gw_router_add(r, any[i], pattern, kind, 0, err))
            return false;
    }
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* router.auto_options: OPTIONS on every endpoint path with Allow = its sorted methods. */
static bool add_options(struct gw_server *s, struct cmn_err *err)
{
    const struct gw_config *cfg = s->cfg;

    s->options_allow = calloc(cfg->n_endpoints ? cfg->n_endpoints : 1, sizeof(char *));
    if (!s->options_allow)
        return cmn_err_set(err, 1, "out of memory"), false;
    for (size_t i = 0; i < cfg->n_endpoints; i++) {
        const char *path = cfg->endpoints[i].path;
        const char *methods[16];
        size_t n = 0;
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || strcmp(cfg->endpoints[j].path, path) == 0;
        if (seen)
            continue;
        for (size_t j = i; j < cfg->n_endpoints && n < 16; j++) {
            if (strcmp(cfg->endpoints[j].path, path) == 0)
                methods[n++] = cfg->endpoints[j].method;
        }
        qsort(methods, n, sizeof(methods[0]), cmp_str);
        struct cmn_buf b;
        cmn_buf_init(&b, 256);
        for (size_t j = 0; j < n; j++)
            cmn_buf_printf(&b, "%s%s", j ? ", " : "", methods[j]);
        s->options_allow[s->n_options] = cmn_buf_take(&b, NULL);
        if (!gw_router_add(&s->router, "OPTIONS", path, R_OPTIONS, s->n_options, err))
            return false;
        s->n_options++;
    }
    return true;
}

static bool build_router(struct gw_server *s, struct cmn_err *err)
{
    const struct gw_config *cfg = s->cfg;
    const struct gw_router_opts *ro = &cfg->router;

    gw_router_init(&s->router);
    if (!ro->disable_health &&
        !gw_router_add(&s->router, "GET",
                       ro->health_path && ro->health_path[0] ? ro->health_path : "/__health",
                       R_HEALTH, 0, err))
        return false;
    if (cfg->debug_endpoint && !add_any(&s->router, "/__debug/*param", R_DEBUG, err))
        return false;
    if (cfg->echo_endpoint && !add_any(&s->router, "/__echo/*param", R_ECHO, err))
        return false;
    for (size_t i = 0; i < cfg->n_endpoints; i++) {
        const struct gw_endpoint *ep = &cfg->endpoints[i];
        if (!gw_router_add(&s->router, ep->method, ep->path, R_ENDPOINT, i, err)) {
            cmn_err_prefix(err, "%s: ", ep->json_path ? ep->json_path : "endpoints");
            return false;
        }
    }
    if (ro->auto_options && !add_options(s, err))
        return false;
    return true;
}

static bool init_auth(struct gw_server *s, struct cmn_err *err)
{
    const struct gw_config *cfg = s->cfg;

    s->auth_state = calloc(cfg->n_endpoints ? cfg->n_endpoints : 1, sizeof(void *));
    if (!s->auth_state)
        return cmn_err_set(err, 1, "out of memory"), false;
    for (size_t i = 0; i < cfg->n_endpoints; i++) {
        const struct gw_endpoint *ep = &cfg->endpoints[i];
        if (!s->auth) {
            if (ep->extra_config &&
                json_object_get(ep->extra_config, "github.com/devopsfaith/krakend-jose/validator"))
                cmn_log_warn("[ENDPOINT: %s][JWTValidator] auth/validator is configured but no "
                             "validator is available: the endpoint is NOT protected",
                             ep->path);
            continue;
        }
        if (!s->auth->endpoint_init(s->auth->ctx, cfg, ep, &s->auth_state[i], err))
            return false;
    }
    return true;
}

static void server_free(struct gw_server *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_workers; i++)
        gw_loop_stop(s->loops[i]);
    if (s->http)
        cmn_http_server_stop(s->http, 0);
    gw_tls_listener_free(s->tls); /* only once the engine that uses it is gone */
    gw_proxy_destroy(s->proxy);
    gw_mw_chains_free(s->mws);
    for (size_t i = 0; i < s->n_workers; i++) {
        gw_fetcher_destroy(s->fetchers[i]);
        gw_loop_destroy(s->loops[i]);
    }
    gw_h1_pool_destroy(s->pool);
    gw_tls_client_free(s->client_tls);
    for (size_t i = 0; s->auth && s->auth_state && i < s->cfg->n_endpoints; i++) {
        if (s->auth_state[i] && s->auth->endpoint_free)
            s->auth->endpoint_free(s->auth->ctx, s->auth_state[i]);
    }
    free(s->auth_state);
    for (size_t i = 0; i < s->n_options; i++)
        free(s->options_allow[i]);
    free(s->options_allow);
    gw_router_free(&s->router);
    gw_engine_free(&s->engine);
    gw_json_destroy(s->error_404);
    gw_json_destroy(s->error_405);
    free(s);
}

/* Workers: one per CPU this process may run on (as nginx's worker_processes auto). */
static size_t worker_count(void)
{
    cpu_set_t set;
    int n = 0;

    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        n = CPU_COUNT(&set);
    if (n < 1)
        n = 1;
    return n > MAX_WORKERS ? MAX_WORKERS : (size_t)n;
}

/* A duration for cmn_http's unsigned milliseconds: 0 stays "unset", at most 24 days. */
static int64_t clamp_ms(int64_t ms)
{
    return ms <= 0 ? 0 : ms > INT32_MAX ? INT32_MAX : ms;
}

static void log_warning(void *ctx, const char *msg)
{
    (void)ctx;
    cmn_log_warn("%s", msg);
}

static void http_ready(void *ctx)
{
    struct worker_hook *h = ctx;

    /* MHD advances a connection one state per run (sent -> idle -> reading): run it again while
     * it asks for no wait, rather than going through epoll for each step. */
    for (int i = 0; i < 4; i++) {
        cmn_http_server_loop_run(h->srv->http, h->idx);
        if (cmn_http_server_loop_timeout_ms(h->srv->http, h->idx) != 0)
            break;
    }
}

static int64_t http_timeout(void *ctx)
{
    struct worker_hook *h = ctx;

    return cmn_http_server_loop_timeout_ms(h->srv->http, h->idx);
}

static void watch_job(void *arg)
{
    struct worker_hook *h = arg;
    struct gw_server *s = h->srv;

    struct gw_loop *l = s->loops[h->idx];

    if (s->access_log)
        gw_loop_set_idle(l, log_idle, h);
    if (!gw_loop_watch(l, cmn_http_server_loop_fd(s->http, h->idx), http_ready, http_timeout, h) ||
        !gw_loop_watch(l, cmn_http_server_loop_wake_fd(s->http, h->idx), http_ready, NULL, h))
        cmn_log_error("[SERVICE: Gin] worker %u cannot watch its HTTP descriptor", h->idx);
    /* Connections may have queued while the worker was not watching yet. */
    cmn_http_server_loop_run(s->http, h->idx);
}

struct gw_server *gw_server_start(const struct gw_config *cfg, const struct gw_server_opts *opts,
                                  struct cmn_err *err)
{
    static const struct gw_server_opts none = {0};
    struct gw_server *s = calloc(1, sizeof(*s));
    struct cmn_http_server_opts o = {0};
    struct gw_fetcher_opts fo = {0};

    if (!s) {
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    if (!opts)
        opts = &none;
    s->auth = opts->auth;
    s->start_mono_ns = (int64_t)cmn_clock_mono_us() * 1000;
    atomic_init(&s->auth_pending, 0);
    s->access_log = !cfg->router.disable_access_log;
    s->ropts.redirect_trailing_slash = !cfg->router.disable_redirect_trailing_slash;
    s->ropts.redirect_fixed_path = !cfg->router.disable_redirect_fixed_path;
    s->ropts.handle_method_not_allowed = !cfg->router.disable_handle_method_not_allowed;
    if (cfg->router.error_body_404)
        s->error_404 = gw_json_from_jansson(cfg->router.error_body_404);
    if (cfg->router.error_body_405)
        s->error_405 = gw_json_from_jansson(cfg->router.error_body_405);
    s->render.return_error_msg = cfg->router.return_error_msg;
    s->render.hide_version_header = cfg->router.hide_version_header;
    s->render.error_body_404 = s->error_404;
    s->render.error_body_405 = s->error_405;
    if (!gw_engine_init(&s->engine, cfg)) {
        cmn_err_set(err, 1, "out of memory");
        goto fail;
    }
    if (!build_router(s, err) || !init_auth(s, err))
        goto fail;
    if (opts->n_middlewares &&
        !gw_mw_chains_build(cfg, opts->middlewares, opts->n_middlewares, &s->mws, err))
        goto fail;
    /* lura's NewTransport: one http.Transport for every backend */
    s->n_workers = worker_count();
    s->pool = gw_h1_pool_new(cfg->max_idle_connections_per_host, cfg->max_idle_connections);
    if (!s->pool || !gw_tls_client_new(cfg, &s->client_tls, err)) {
        if (!s->pool)
            cmn_err_set(err, 1, "out of memory");
        goto fail;
    }
    fo.disable_keep_alives = cfg->disable_keep_alives;
    fo.disable_compression = cfg->disable_compression;
    fo.max_idle_per_host = cfg->max_idle_connections_per_host;
    fo.idle_timeout_ms = cfg->idle_connection_timeout_ms;
    fo.pool = s->pool;
    /* libcurl's idle cache is per worker: MaxIdleConns shared out */
    fo.max_connects = cfg->max_idle_connections
                          ? (long)((cfg->max_idle_connections + s->n_workers - 1) / s->n_workers)
                          : 0;
    fo.connect_timeout_ms = (long)clamp_ms(cfg->dialer_timeout_ms);
    fo.response_header_timeout_ms = clamp_ms(cfg->response_header_timeout_ms);
    fo.expect_continue_timeout_ms = clamp_ms(cfg->expect_continue_timeout_ms);
    fo.keep_alive_ms = cfg->dialer_keep_alive_ms;
    fo.fallback_delay_ms = cfg->dialer_fallback_delay_ms;
    fo.tls = gw_tls_client_opts(s->client_tls);
    /* Each request allocates and frees a few hundred KB across the worker threads' arenas:
     * with glibc's default trim threshold every free shrinks an arena and the next request
     * grows it again (mprotect, madvise, page faults: ~20 % of the CPU per request). */
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    for (size_t i = 0; i < s->n_workers; i++) {
        s->loops[i] = gw_loop_new(err);
        if (!s->loops[i] || !(s->fetchers[i] = gw_fetcher_new(s->loops[i], &fo, err)) ||
            !gw_loop_start(s->loops[i], err))
            goto fail;
    }
    s->proxy = gw_proxy_new(
        cfg, s->fetchers, s->n_workers,
        &(struct gw_proxy_mods){opts->stages, opts->n_stages, opts->pstages, opts->n_pstages}, err);
    if (!s->proxy)
        goto fail;
    cmn_http_raise_fd_limit();
    o.bind = cfg->listen_ip;
    o.port = cfg->port;
    o.external_loops = (unsigned)s->n_workers;
    /* One parser and one set of rules for every listener, HTTPS included (docs/security.md):
     * libmicrohttpd serves only the mock services. */
    o.native = true;
    o.max_connections = 8192;
    /* Go's http.Server: IdleTimeout falls back to ReadTimeout, ReadHeaderTimeout too. Where
     * KrakenD waits forever we do not: 60 s between requests, 10 s for a head (cmn_http). */
    o.idle_timeout_s = cfg->idle_timeout_ms > 0   ? (unsigned)((cfg->idle_timeout_ms + 999) / 1000)
                       : cfg->read_timeout_ms > 0 ? (unsigned)((cfg->read_timeout_ms + 999) / 1000)
                                                  : 60;
    o.head_timeout_ms = (unsigned)clamp_ms(
        cfg->read_header_timeout_ms > 0 ? cfg->read_header_timeout_ms : cfg->read_timeout_ms);
    o.request_timeout_ms = (unsigned)clamp_ms(cfg->read_timeout_ms);
    o.max_body = MAX_REQUEST_BODY;
    /* Go reads a head of up to MaxHeaderBytes plus 4096 bytes of bufio slop (KrakenD: 1 MB by
     * default). A connection's buffer grows with its head and shrinks after it, so small heads
     * cost what they did; the bytes beyond 64 KiB per head come from a server-wide budget. */
    o.max_header_bytes = cfg->max_header_bytes + 4096;
    o.head_budget = o.max_header_bytes * 2 > HEAD_BUDGET ? o.max_header_bytes * 2 : HEAD_BUDGET;
    o.write_timeout_ms = (unsigned)clamp_ms(cfg->write_timeout_ms);
    o.handler = handle;
    o.ctx = s;
    /* The tls block: HTTPS, never a silent fall back to plain HTTP. */
    if (!gw_tls_listener_new(cfg, &s->tls, err))
        goto fail;
    gw_tls_check(cfg, log_warning, NULL);
    o.tls = gw_tls_listener_opts(s->tls);
    s->http = cmn_http_server_start(&o, err);
    if (!s->http)
        goto fail;
    for (size_t i = 0; i < s->n_workers; i++) {
        s->hooks[i].srv = s;
        s->hooks[i].idx = (unsigned)i;
        if (!gw_loop_post(s->loops[i], watch_job, &s->hooks[i])) {
            cmn_err_set(err, 1, "cannot start worker %zu", i);
            goto fail;
        }
    }
    cmn_log_info("[SERVICE: Gin] Listening on port: %u", cmn_http_server_port(s->http));
    return s;
fail:
    server_free(s);
    return NULL;
}

unsigned gw_server_port(const struct gw_server *s)
{
    return cmn_http_server_port(s->http);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* What gw_server_stop runs on every worker thread. */
struct stop_job {
    struct gw_server *srv;
    bool cancel; /* false: stop accepting; true: end calls in flight */
    atomic_uint done;
};

struct stop_step {
    struct stop_job *job;
    unsigned idx;
};

static void stop_step_run(void *arg)
{
    struct stop_step *st = arg;
    struct stop_job *j = st->job;

    if (j->cancel)
        gw_proxy_cancel_all(j->srv->proxy, st->idx);
    else
        cmn_http_server_quiesce_loop(j->srv->http, st->idx);
    atomic_fetch_add(&j->done, 1);
}

/* Runs the step on every worker and waits for all of them. */
static void on_every_worker(struct gw_server *s, bool cancel)
{
    struct stop_job job = {.srv = s, .cancel = cancel};
    struct stop_step steps[MAX_WORKERS];
    unsigned posted = 0;

    atomic_init(&job.done, 0);
    for (size_t i = 0; i < s->n_workers; i++) {
        steps[i] = (struct stop_step){&job, (unsigned)i};
        if (gw_loop_post(s->loops[i], stop_step_run, &steps[i]))
            posted++;
    }
    while (atomic_load(&job.done) < posted)
        sleep_ms(1);
}

void gw_server_stop(struct gw_server *s, int wait_ms)
{
    int64_t deadline;

    if (!s)
        return;
    deadline = wait_ms < 0 ? INT64_MAX : cmn_clock_mono_ms() + wait_ms;
    on_every_worker(s, false); /* stop accepting */
    while (cmn_http_server_inflight(s->http) > 0 && cmn_clock_mono_ms() < deadline)
        sleep_ms(5);
    /* cmn_http counts an exchange as done when it is answered, before MHD has resumed the
     * connection and written the answer: give those writes a moment before MHD stops. */
    if (wait_ms != 0) {
        int64_t grace = cmn_clock_mono_ms() + 250;
        sleep_ms((int)((grace < deadline ? grace : deadline) > cmn_clock_mono_ms()
                           ? (grace < deadline ? grace : deadline) - cmn_clock_mono_ms()
                           : 0));
    }
    /* Cancel what is left on the workers, then wait for the auth steps still running. */
    on_every_worker(s, true);
    if (s->auth && s->auth->stop)
        s->auth->stop(s->auth->ctx);
    for (int i = 0; i < 2000 && atomic_load(&s->auth_pending) > 0; i++)
        sleep_ms(1);
    /* No thread drives the HTTP daemons once the workers have stopped: stop them. */
    for (size_t i = 0; i < s->n_workers; i++) {
        gw_loop_stop(s->loops[i]);
        log_flush(&s->hooks[i]);
    }
    cmn_http_server_stop(s->http, 0);
    s->http = NULL;
    if (atomic_load(&s->auth_pending) > 0) {
        cmn_log_error("[SERVICE: Gin] %u authentication steps still running at shutdown",
                      atomic_load(&s->auth_pending));
        return; /* their completions still reference the server: keep it */
    }
    server_free(s);
}
