/* gw_proxy.c - the endpoint pipeline as a state machine on the backend loop thread. */
#include "gw_proxy_int.h"

#include "cmn_clock.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "gw_flatmap.h"
#include "gw_graphql.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lifecycle ------------------------------------------------------------------------------- */

static void call_unlink(struct call *c)
{
    struct gw_proxy *px = c->px;

    if (c->prev)
        c->prev->next = c->next;
    else if (px->calls[c->loop] == c)
        px->calls[c->loop] = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void call_free(struct call *c)
{
    if (c->psc)
        pstages_end(c);
    for (size_t i = 0; c->parts && i < c->n_parts; i++) {
        struct part *p = &c->parts[i];
        for (size_t a = 0; a < p->n_att; a++)
            attempt_cancel(&p->att[a]);
        gw_presp_destroy(p->resp);
        gw_perr_free(&p->err);
        free(p->body);
    }
    seq_call_free(c);
    gw_merge_free(&c->merge);
    gw_perr_free(&c->perr);
    gw_inreq_free(&c->in);
    free(c);
}

static void log_errors(const struct call *c, const struct gw_pipe_err *e)
{
    if (e->n == 0)
        return;
    if (!e->merged) {
        cmn_log_error("[ENDPOINT: %s] %s", c->ep->cfg->path, e->errs[0].msg ? e->errs[0].msg : "");
        return;
    }
    for (size_t i = 0; i < e->n; i++)
        cmn_log_error("[ENDPOINT: %s] Error #%zu: %s", c->ep->cfg->path, i,
                      e->errs[i].msg ? e->errs[i].msg : "");
}

/* The proxy stages from `from` outwards, the outcome to the caller, free. A shadow call's
 * outcome goes nowhere (it has no proxy stages: they sit outside the shadow splitter). */
static void deliver(struct call *c, size_t from, struct gw_presp *resp, struct gw_pipe_err err)
{
    struct gw_proxy_outcome o = {0};

    c->finalized = true;
    if (c->shadow) {
        gw_presp_destroy(resp);
        call_unlink(c);
        call_free(c);
        return;
    }
    pstages_after(c, from, &resp, &err);
    log_errors(c, &err);
    o.resp = resp;
    o.err = err;
    call_unlink(c);
    c->done(c->arg, &o);
    call_free(c); /* the errors live in the call */
}

/* Static data, then what deliver does. */
static void finalize(struct call *c, struct gw_presp *resp, const struct gw_pipe_err *err)
{
    gw_static_apply(c->ep->cfg->static_strategy, c->ep->static_data, &resp, err->n > 0);
    deliver(c, c->n_pentered, resp, *err);
}

/* The merged response; the endpoint's flatmap_filter runs on it when the merge had no error
 * (a partial response is returned untransformed), before static data. */
static void finalize_merge(struct call *c)
{
    struct gw_presp *resp = gw_merge_result(&c->merge);
    struct gw_pipe_err e = {true, c->merge.errs, c->merge.n_errs};

    if (c->ep->cfg->flatmap.n_ops > 0 && e.n == 0 && resp && !c->shadow &&
        !gw_flatmap_apply(&c->ep->cfg->flatmap, &resp->data))
        cmn_log_error("[ENDPOINT: %s] flatmap_filter: out of memory or too many nodes: the "
                      "response is returned untransformed",
                      c->ep->cfg->path);
    finalize(c, resp, &e);
}

/* ---- parts ------------------------------------------------------------------------------------
 */

static void start_part(struct call *c, size_t idx);

static void part_finished(struct part *p)
{
    struct call *c = p->call;
    struct gw_presp *resp = p->has_err ? NULL : p->resp;

    p->finished = true;
    if (resp)
        p->resp = NULL;
    if (!c->merging) { /* single backend: no merge layer */
        struct gw_pipe_err e = {false, &p->err, p->has_err ? 1 : 0};
        if (!c->starting)
            finalize(c, resp, &e);
        else
            p->resp = resp; /* finalised once start_call returns */
        return;
    }
    if (!c->sequential) {
        gw_merge_add(&c->merge, resp, p->has_err ? &p->err : NULL);
        if (c->merge.pending == 0 && !c->starting)
            finalize_merge(c);
        return;
    }
    if (!resp) {
        if (p->idx == 0) {
            struct gw_pipe_err e = {false, &p->err, 1};
            finalize(c, NULL, &e);
            return;
        }
        gw_merge_add(&c->merge, NULL, &p->err);
        finalize_merge(c);
        return;
    }
    bool complete = resp->complete;
    if (complete)
        seq_record(c, p->idx, resp);
    gw_merge_add(&c->merge, resp, NULL);
    if (!complete || p->idx + 1 == c->n_parts) {
        finalize_merge(c);
        return;
    }
    start_part(c, p->idx + 1);
}

void attempt_finished(struct attempt *a, struct gw_presp *resp, struct gw_perr *err, bool has_err)
{
    struct part *p = a->part;

    p->att_pending--;
    if (!has_err && resp) {
        gw_presp_destroy(p->resp);
        p->resp = resp;
        if (resp->complete) {
            p->has_err = false;
            gw_perr_free(&p->err);
            for (size_t i = 0; i < p->n_att; i++) /* the first complete answer wins */
                attempt_cancel(&p->att[i]);
            p->att_pending = 0;
        }
    } else {
        gw_presp_destroy(resp);
        gw_perr_free(&p->err);
        p->err = *err;
        memset(err, 0, sizeof(*err));
        p->has_err = true;
    }
    if (p->att_pending == 0)
        part_finished(p);
}

/* Lura's balancer: the host of the next call to backend bidx. sd "dns" backends copy theirs
 * into buf (their list changes while we read); NULL when they have none yet. */
static const char *pick_host(struct call *c, size_t bidx, char *buf, size_t size)
{
    const struct gw_backend *b = &c->ep->cfg->backends[bidx];
    unsigned n;

    if (c->ep->sd && c->ep->sd[bidx]) {
        n = atomic_fetch_add(&c->ep->rr[bidx], 1);
        return gw_sd_pick(c->ep->sd[bidx], n, buf, size) ? buf : NULL;
    }
    if (b->hosts.n == 0)
        return "";
    if (b->hosts.n == 1)
        return b->hosts.items[0];
    n = atomic_fetch_add(&c->ep->rr[bidx], 1);
    return b->hosts.items[n % b->hosts.n];
}

/* The backend request: Lura's request builder (with the sequential parameters so far), load
 * balancer and, when configured, the GraphQL middleware. false with err set. */
static bool build_request(struct call *c, struct part *p, struct gw_outreq *out,
                          struct cmn_err *err)
{
    const struct gw_backend *b = &c->ep->cfg->backends[p->bidx];
    char buf[GW_SD_HOST_MAX];
    const char *host;

    if (c->pipe->sequential && !seq_compute(c, p->idx))
        return cmn_err_set(err, 1, "out of memory"), false;
    if (!(host = pick_host(c, p->bidx, buf, sizeof(buf))))
        return cmn_err_set(err, 1, "no hosts available"), false;
    if (!gw_request_build(c->ep->cfg, b, host, &c->in, c->params, c->n_params, out, err))
        return false;
    if (b->graphql &&
        !gw_graphql_apply(b->graphql, &c->in, c->params, c->n_params, out, &p->body, err)) {
        gw_outreq_free(out);
        return false;
    }
    return true;
}

static void start_part(struct call *c, size_t idx)
{
    struct part *p = &c->parts[idx];
    const struct gw_backend *b = &c->ep->cfg->backends[p->bidx];
    struct gw_outreq out;
    struct cmn_err err = {0};
    int64_t deadline = c->deadline_ms;
    size_t conc = b->concurrent_calls ? b->concurrent_calls : c->ep->cfg->concurrent_calls;

    if (conc == 0)
        conc = 1;
    if (conc > MAX_CONCURRENT)
        conc = MAX_CONCURRENT;
    if (c->merging && c->merge_deadline_ms < deadline)
        deadline = c->merge_deadline_ms;
    if (conc > 1) {
        int64_t cd = cmn_clock_mono_ms() + c->ep->cfg->timeout_ms * 75 / 100;
        if (cd < deadline)
            deadline = cd;
    }
    if (!build_request(c, p, &out, &err)) {
        gw_perr_set(&p->err, err.msg);
        p->has_err = true;
        part_finished(p);
        return;
    }
    p->n_att = conc;
    p->att_pending = conc;
    memset(p->att, 0, conc * sizeof(p->att[0]));
    for (size_t i = 0; i < conc; i++)
        p->att[i].part = p;
    for (size_t i = 0; i < conc && !p->finished; i++) {
        bool last = i + 1 == conc; /* the last attempt takes the request instead of a copy */
        if (!attempt_start(&p->att[i], &out, last, deadline)) {
            p->att_pending--;
            gw_perr_set(&p->err, "cannot start the backend request");
            p->has_err = true;
        }
    }
    gw_outreq_free(&out);
    if (p->att_pending == 0 && !p->finished)
        part_finished(p);
}

static struct call *call_new(struct gw_proxy *px, size_t loop, struct ep_rt *ep,
                             const struct pipe_rt *pipe, struct gw_inreq *in, gw_proxy_done_fn done,
                             void *arg);
static bool call_launch(struct call *c);
static void shadow_done(void *arg, struct gw_proxy_outcome *o);

/* Lura's shadow proxy: a deep copy of the request goes to the shadow backends in the
 * background, detached from the client's request; its outcome is dropped. KrakenD's splitter
 * sits inside Lua proxy, CEL and JSON schema: the copy is taken once those let the request
 * through, with what they changed. */
static void shadow_launch(struct call *c)
{
    struct gw_inreq copy;
    struct call *sc =
        shadow_inreq_dup(&c->in, &copy)
            ? call_new(c->px, c->loop, c->ep, &c->ep->shadow, &copy, shadow_done, NULL)
            : NULL;

    if (sc)
        call_launch(sc);
}

static void start_call(void *arg)
{
    struct call *c = arg;
    const struct gw_endpoint *ep = c->ep->cfg;

    c->start_ms = cmn_clock_mono_ms();
    c->deadline_ms = c->start_ms + c->pipe->timeout_ms;
    c->merge_deadline_ms = c->start_ms + ep->timeout_ms * 85 / 100;
    c->next = c->px->calls[c->loop];
    if (c->next)
        c->next->prev = c;
    c->px->calls[c->loop] = c;
    if (c->ep->n_pstages && !c->shadow) {
        struct gw_presp *resp = NULL;
        struct gw_pipe_err err = {0};
        size_t from = 0;
        if (!pstages_before(c, &resp, &err, &from)) { /* failed or skipped: no backend */
            deliver(c, from, resp, err);
            return;
        }
    }
    if (!c->shadow && c->ep->shadow.n > 0)
        shadow_launch(c);
    if (c->sequential) {
        start_part(c, 0);
        return;
    }
    c->starting = true;
    for (size_t i = 0; i < c->n_parts; i++)
        start_part(c, i);
    c->starting = false;
    if (!c->merging && c->parts[0].finished) {
        struct part *p = &c->parts[0];
        struct gw_presp *resp = p->resp;
        struct gw_pipe_err e = {false, &p->err, p->has_err ? 1 : 0};
        p->resp = NULL;
        finalize(c, resp, &e);
    } else if (c->merging && c->merge.pending == 0) {
        finalize_merge(c);
    }
}

/* A shadow call's outcome is discarded in finalize; only a cancellation reaches here. */
static void shadow_done(void *arg, struct gw_proxy_outcome *o)
{
    (void)arg;
    (void)o;
}

/* A call of pipe over in (taken, also on failure); NULL on allocation failure. */
static struct call *call_new(struct gw_proxy *px, size_t loop, struct ep_rt *ep,
                             const struct pipe_rt *pipe, struct gw_inreq *in, gw_proxy_done_fn done,
                             void *arg)
{
    /* Not calloc: a part carries MAX_CONCURRENT attempts and most backends use one; start_part
     * clears the ones it starts. glibc zeroes a 3 KiB block with `rep stosb`, about three times
     * the vector stores it uses below 2 KiB on the AMD machine of docs/benchmarks.md. */
    struct call *c = malloc(sizeof(*c) + pipe->n * sizeof(struct part));

    if (!c || pipe->n == 0) {
        free(c);
        gw_inreq_free(in);
        return NULL;
    }
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < pipe->n; i++) {
        struct part *p = &c->part_mem[i];
        memset(p, 0, offsetof(struct part, att));
        memset(&p->n_att, 0, sizeof(*p) - offsetof(struct part, n_att));
    }
    c->px = px;
    c->loop = loop;
    c->ep = ep;
    c->pipe = pipe;
    c->in = *in;
    memset(in, 0, sizeof(*in));
    c->done = done;
    c->arg = arg;
    c->shadow = pipe == &ep->shadow;
    c->n_parts = pipe->n;
    c->merging = pipe->merging;
    c->sequential = pipe->sequential;
    c->parts = c->part_mem;
    if (c->sequential && !(c->seq = calloc(c->n_parts, sizeof(*c->seq)))) {
        call_free(c);
        return NULL;
    }
    for (size_t i = 0; i < c->n_parts; i++) {
        c->parts[i].call = c;
        c->parts[i].idx = i;
        c->parts[i].bidx = pipe->bidx[i];
    }
    gw_merge_init(&c->merge, c->n_parts);
    return c;
}

/* Starts c on its loop: at once on the loop's thread, else posted. false: c was freed. */
static bool call_launch(struct call *c)
{
    struct gw_loop *l = gw_fetcher_loop(c->px->fetchers[c->loop]);

    if (gw_loop_on_thread(l)) {
        start_call(c);
        return true;
    }
    if (gw_loop_post(l, start_call, c))
        return true;
    call_free(c);
    return false;
}

bool gw_proxy_run(struct gw_proxy *px, size_t loop, size_t ep_index, struct gw_inreq *in,
                  gw_proxy_done_fn done, void *arg)
{
    struct ep_rt *ep = ep_index < px->n_eps && loop < px->n_loops ? &px->eps[ep_index] : NULL;
    struct call *c;

    if (!ep || ep->main.n == 0) { /* gw_proxy_endpoint_ok: the router answers those itself */
        gw_inreq_free(in);
        return false;
    }
    c = call_new(px, loop, ep, &ep->main, in, done, arg);
    return c && call_launch(c);
}

bool gw_proxy_endpoint_ok(const struct gw_proxy *px, size_t ep_index)
{
    return ep_index < px->n_eps && px->eps[ep_index].main.n > 0;
}

void gw_proxy_cancel_all(struct gw_proxy *px, size_t loop)
{
    while (loop < px->n_loops && px->calls[loop]) {
        struct call *c = px->calls[loop];
        struct gw_proxy_outcome o = {.cancelled = true};
        call_unlink(c);
        c->done(c->arg, &o);
        call_free(c);
    }
}

static void pipe_free(struct pipe_rt *p)
{
    seq_plan_free(p);
    free(p->bidx);
    memset(p, 0, sizeof(*p));
}

/* Lura's shadow factory: the non-shadow backends make the endpoint's pipe, the shadow ones a
 * second pipe whose deadline is the largest shadow_timeout. Both keep the endpoint's merge
 * settings. */
static bool pipes_build(struct ep_rt *ep, struct cmn_err *err)
{
    const struct gw_endpoint *cfg = ep->cfg;
    size_t nb = cfg->n_backends ? cfg->n_backends : 1;

    ep->main.bidx = calloc(nb, sizeof(size_t));
    ep->shadow.bidx = calloc(nb, sizeof(size_t));
    if (!ep->main.bidx || !ep->shadow.bidx)
        return cmn_err_set(err, 1, "out of memory"), false;
    ep->main.timeout_ms = cfg->timeout_ms;
    for (size_t b = 0; b < cfg->n_backends; b++) {
        const struct gw_backend *be = &cfg->backends[b];
        struct pipe_rt *p = be->shadow ? &ep->shadow : &ep->main;
        p->bidx[p->n++] = b;
        if (be->shadow && be->shadow_timeout_ms > ep->shadow.timeout_ms)
            ep->shadow.timeout_ms = be->shadow_timeout_ms;
    }
    for (int i = 0; i < 2; i++) {
        struct pipe_rt *p = i ? &ep->shadow : &ep->main;
        p->merging = p->n > 1;
        p->sequential = p->merging && cfg->sequential;
        if (!seq_plan_build(p, cfg, err))
            return false;
    }
    if (ep->main.n == 0)
        cmn_log_error("[SERVICE: Gin] Calling the ProxyFactory all endpoints must have at least "
                      "one backend (%s %s: every backend is a shadow backend; it answers 500)",
                      cfg->method, cfg->path);
    return true;
}

/* Lura's sd/dnssrv subscriber for each of ep's sd "dns" backends. */
static bool sd_subscribe(struct gw_proxy *px, struct ep_rt *ep, struct cmn_err *err)
{
    const struct gw_endpoint *cfg = ep->cfg;

    for (size_t b = 0; b < cfg->n_backends; b++) {
        const struct gw_backend *be = &cfg->backends[b];
        if (!be->sd_dns || be->hosts.n == 0)
            continue;
        if (!px->sd && !(px->sd = gw_sd_new(px->cfg->dns_cache_ttl_ms, err)))
            return false;
        if (!ep->sd && !(ep->sd = calloc(cfg->n_backends, sizeof(*ep->sd))))
            return cmn_err_set(err, 1, "out of memory"), false;
        if (!(ep->sd[b] = gw_sd_subscribe(px->sd, be->hosts.items[0], be->sd_scheme, err)))
            return false;
    }
    return true;
}

struct gw_proxy *gw_proxy_new(const struct gw_config *cfg, struct gw_fetcher *const *fetchers,
                              size_t n_loops, const struct gw_proxy_mods *mods, struct cmn_err *err)
{
    struct gw_proxy *px = calloc(1, sizeof(*px));

    if (!px)
        goto nomem;
    px->cfg = cfg;
    px->n_loops = n_loops;
    px->fetchers = calloc(n_loops ? n_loops : 1, sizeof(*px->fetchers));
    px->calls = calloc(n_loops ? n_loops : 1, sizeof(*px->calls));
    if (!px->fetchers || !px->calls)
        goto nomem;
    for (size_t i = 0; i < n_loops; i++)
        px->fetchers[i] = fetchers[i];
    px->eps = calloc(cfg->n_endpoints ? cfg->n_endpoints : 1, sizeof(*px->eps));
    if (!px->eps)
        goto nomem;
    px->n_eps = cfg->n_endpoints;
    for (size_t i = 0; i < cfg->n_endpoints; i++) {
        const struct gw_endpoint *ep = &cfg->endpoints[i];
        px->eps[i].cfg = ep;
        px->eps[i].rr = calloc(ep->n_backends ? ep->n_backends : 1, sizeof(atomic_uint));
        if (!px->eps[i].rr)
            goto nomem;
        for (size_t b = 0; b < ep->n_backends; b++)
            atomic_init(&px->eps[i].rr[b], (unsigned)rand());
        if (ep->static_strategy != GW_STATIC_NONE && ep->static_data) {
            px->eps[i].static_data = gw_json_from_jansson(ep->static_data);
            if (!px->eps[i].static_data)
                goto nomem;
        }
        if (!pipes_build(&px->eps[i], err) || !sd_subscribe(px, &px->eps[i], err))
            goto fail;
    }
    if (px->sd && !gw_sd_start(px->sd, err))
        goto fail;
    if (mods && !proxy_stages_build(px, mods->stages, mods->n_stages, err))
        goto fail;
    if (mods && !proxy_pstages_build(px, mods->pstages, mods->n_pstages, err))
        goto fail;
    return px;
nomem:
    cmn_err_set(err, 1, "out of memory");
fail:
    gw_proxy_destroy(px);
    return NULL;
}

void gw_proxy_destroy(struct gw_proxy *px)
{
    if (!px)
        return;
    gw_sd_destroy(px->sd); /* first: its thread must not outlive what it reads */
    proxy_pstages_free(px);
    proxy_stages_free(px);
    for (size_t i = 0; px->eps && i < px->n_eps; i++) {
        pipe_free(&px->eps[i].main);
        pipe_free(&px->eps[i].shadow);
        free(px->eps[i].rr);
        free(px->eps[i].sd);
        gw_json_destroy(px->eps[i].static_data);
    }
    free(px->eps);
    free(px->fetchers);
    free(px->calls);
    free(px);
}
