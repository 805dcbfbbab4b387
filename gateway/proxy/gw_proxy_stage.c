/* gw_proxy_stage.c - one attempt at a backend through the stages of gw_stage.h: before (outer
 * to inner), http_request, the fetch, http_response and after (inner to outer), then decoding
 * in between as Lura's HTTP proxy decodes. Without stages, an attempt is just the fetch. */
#include "gw_proxy_int.h"

#include "cmn_clock.h"

#include <stdlib.h>
#include <string.h>

struct gw_stage_resume {
    struct attempt *a; /* NULL once the attempt was cancelled */
    struct gw_loop *loop;
    size_t stage; /* the stage that waited */
    enum gw_stage_verdict verdict;
    struct gw_perr err;
    struct gw_fetch_result *res;
};

/* An outcome reached while attempt_start was still running (a stage failed or answered at
 * once): reported from a job, so that the part never finishes inside its own start. */
struct deferred {
    struct attempt *a; /* NULL once the attempt was cancelled */
    struct gw_presp *resp;
    struct gw_perr err;
    bool has_err;
};

static const struct backend_rt *rt_of(const struct attempt *a)
{
    const struct call *c = a->part->call;

    return &c->ep->backends[a->part->bidx];
}

static const struct gw_backend *backend_of(const struct attempt *a)
{
    return &a->part->call->ep->cfg->backends[a->part->bidx];
}

/* ---- the end of an attempt ---------------------------------------------------------------- */

/* `end` for every stage that entered, and the attempt's own memory. */
static void release(struct attempt *a)
{
    const struct backend_rt *rt = rt_of(a);

    for (size_t i = a->n_entered; i-- > 0;) {
        if (rt->stages[i].end)
            rt->stages[i].end(rt->stages[i].ctx, &a->sc[i]);
    }
    free(a->sc);
    a->sc = NULL;
    a->n_entered = 0;
    free(a->spare);
    a->spare = NULL;
    gw_outreq_free(&a->out);
}

static void deferred_job(void *arg)
{
    struct deferred *d = arg;
    struct attempt *a = d->a;

    if (a) {
        a->deferred = NULL;
        a->active = false;
        attempt_finished(a, d->resp, &d->err, d->has_err);
    } else {
        gw_presp_destroy(d->resp);
    }
    gw_perr_free(&d->err);
    free(d);
}

/* `after` of the stages outside k (inner to outer), then the part hears of it. */
static void finish(struct attempt *a, size_t k, struct gw_presp *resp, struct gw_perr *err,
                   bool has_err)
{
    const struct backend_rt *rt = rt_of(a);

    for (size_t i = k; i-- > 0;) {
        if (rt->stages[i].after)
            rt->stages[i].after(rt->stages[i].ctx, &a->sc[i], &resp, err, &has_err);
    }
    release(a);
    if (a->starting) {
        struct deferred *d = calloc(1, sizeof(*d));
        struct call *c = a->part->call;
        if (d) {
            *d = (struct deferred){a, resp, *err, has_err};
            memset(err, 0, sizeof(*err));
            if (gw_loop_post(gw_fetcher_loop(c->px->fetchers[c->loop]), deferred_job, d)) {
                a->deferred = d;
                return;
            }
            *err = d->err;
            free(d);
        }
        /* no job: attempt_start reports that the attempt did not start */
        gw_presp_destroy(resp);
        gw_perr_free(err);
        a->failed_start = true;
        a->active = false;
        return;
    }
    a->active = false;
    attempt_finished(a, resp, err, has_err);
}

/* An HTTP answer reached stage k from inside (the fetch, or a stage that answered): the
 * stages outside see it, Lura decodes it, then `after` runs outwards. */
static void answered(struct attempt *a, size_t k, struct gw_fetch_result *res)
{
    const struct backend_rt *rt = rt_of(a);
    struct gw_presp *resp = NULL;
    struct gw_perr err = {0};
    bool ok;

    for (size_t i = k; i-- > 0;) {
        if (rt->stages[i].http_response)
            rt->stages[i].http_response(rt->stages[i].ctx, &a->sc[i], res);
    }
    ok = gw_presp_from_fetch(backend_of(a), res, &resp, &err);
    gw_fetch_result_free(res);
    free(res);
    finish(a, k, ok ? resp : NULL, &err, !ok);
}

static void on_fetch(void *arg, struct gw_fetch_result *res)
{
    struct attempt *a = arg;
    struct gw_fetch_result *copy;

    a->fetch = NULL;
    if (!a->sc) { /* no stages: decode and report */
        struct gw_presp *resp = NULL;
        struct gw_perr err = {0};
        bool ok = gw_presp_from_fetch(backend_of(a), res, &resp, &err);
        gw_fetch_result_free(res);
        a->active = false;
        attempt_finished(a, ok ? resp : NULL, &err, !ok);
        return;
    }
    copy = malloc(sizeof(*copy));
    if (!copy) {
        struct gw_perr err = {0};
        gw_fetch_result_free(res);
        gw_perr_set(&err, "out of memory");
        finish(a, rt_of(a)->n_stages, NULL, &err, true);
        return;
    }
    *copy = *res;
    answered(a, rt_of(a)->n_stages, copy);
}

/* ---- the way in ----------------------------------------------------------------------------- */

static void http_from(struct attempt *a, size_t from);

static void fail_at(struct attempt *a, size_t k, struct gw_perr *err)
{
    finish(a, k, NULL, err, true);
}

static void resume_job(void *arg)
{
    struct gw_stage_resume *r = arg;
    struct attempt *a = r->a;

    if (!a) { /* cancelled meanwhile */
        gw_perr_free(&r->err);
        if (r->res) {
            gw_fetch_result_free(r->res);
            free(r->res);
        }
        free(r);
        return;
    }
    a->waiting = NULL;
    if (r->verdict == GW_STAGE_NEXT) {
        http_from(a, r->stage + 1);
    } else if (r->verdict == GW_STAGE_AGAIN) {
        http_from(a, r->stage);
    } else if (r->verdict == GW_STAGE_ANSWER && r->res) {
        answered(a, r->stage, r->res);
    } else { /* a failure, or an answer without a result */
        if (!r->err.msg)
            gw_perr_set(&r->err, "backend stage failed");
        fail_at(a, r->stage, &r->err);
    }
    free(r);
}

void gw_stage_resume(struct gw_stage_resume *r, enum gw_stage_verdict v, const struct gw_perr *err,
                     struct gw_fetch_result *res)
{
    r->verdict = v;
    r->res = res;
    if (err && err->msg) {
        r->err = *err;
        r->err.msg = strdup(err->msg);
        r->err.enc = err->enc ? strdup(err->enc) : NULL;
    }
    if (!gw_loop_post(r->loop, resume_job, r)) { /* stopping: the call was cancelled */
        r->a = NULL;
        resume_job(r);
    }
}

/* http_request of stages [from, n), then the fetch. */
static void http_from(struct attempt *a, size_t from)
{
    const struct backend_rt *rt = rt_of(a);
    struct call *c = a->part->call;

    for (size_t i = from; i < rt->n_stages; i++) {
        struct gw_stage *st = &rt->stages[i];
        struct gw_fetch_result *res = NULL;
        struct gw_perr err = {0};
        if (!st->http_request)
            continue;
        if (!a->spare) { /* the handle a stage keeps if it waits */
            a->spare = calloc(1, sizeof(*a->spare));
            if (!a->spare) {
                gw_perr_set(&err, "out of memory");
                fail_at(a, i, &err);
                return;
            }
            a->spare->a = a;
            a->spare->loop = gw_fetcher_loop(c->px->fetchers[c->loop]);
        }
        a->sc[i].resume = a->spare;
        enum gw_stage_verdict v = st->http_request(st->ctx, &a->sc[i], &res, &err);
        if (v == GW_STAGE_NEXT)
            continue;
        if (v == GW_STAGE_WAIT) {
            a->waiting = a->spare; /* resume_job frees it */
            a->waiting->stage = i;
            a->spare = NULL;
        } else if (v == GW_STAGE_ANSWER && res) {
            answered(a, i, res);
        } else { /* a failure, or an answer without a result */
            if (!err.msg)
                gw_perr_set(&err, "backend stage failed");
            fail_at(a, i, &err);
        }
        return;
    }
    a->fetch = gw_fetch_start(c->px->fetchers[c->loop], &a->out, true, a->deadline_ms, on_fetch, a);
    if (!a->fetch) {
        struct gw_perr err = {0};
        gw_perr_set(&err, "cannot start the backend request");
        fail_at(a, rt->n_stages, &err);
    }
}

bool attempt_start(struct attempt *a, struct gw_outreq *out, bool take, int64_t deadline_ms)
{
    const struct backend_rt *rt = rt_of(a);
    struct call *c = a->part->call;
    int64_t now = cmn_clock_mono_ms();

    a->active = true;
    a->failed_start = false;
    a->deadline_ms = deadline_ms;
    if (rt->n_stages == 0) {
        a->fetch = gw_fetch_start(c->px->fetchers[c->loop], out, take, deadline_ms, on_fetch, a);
        a->active = a->fetch != NULL;
        return a->active;
    }
    a->sc = calloc(rt->n_stages, sizeof(*a->sc));
    if (!a->sc) {
        a->active = false;
        return false;
    }
    if (take) {
        a->out = *out;
        memset(out, 0, sizeof(*out));
    } else if (!gw_outreq_copy(&a->out, out)) {
        free(a->sc);
        a->sc = NULL;
        a->active = false;
        return false;
    }
    for (size_t i = 0; i < rt->n_stages; i++) {
        a->sc[i] = (struct gw_stage_call){.ep = c->ep->cfg,
                                          .backend = backend_of(a),
                                          .backend_index = a->part->bidx,
                                          .in = &c->in,
                                          .out = &a->out,
                                          .worker = c->loop,
                                          .now_ms = now,
                                          .deadline_ms = deadline_ms,
                                          .seq_params = c->params,
                                          .n_seq_params = c->n_params};
    }
    a->starting = true;
    for (size_t i = 0; i < rt->n_stages && a->active && !a->deferred; i++) {
        struct gw_stage *st = &rt->stages[i];
        struct gw_perr err = {0};
        enum gw_stage_verdict v;
        a->n_entered = i + 1;
        v = st->before ? st->before(st->ctx, &a->sc[i], &err) : GW_STAGE_NEXT;
        if (v == GW_STAGE_SKIP) { /* an empty response, through this stage's own after */
            struct gw_presp *empty = gw_presp_new();
            gw_perr_free(&err);
            if (empty) {
                finish(a, i + 1, empty, &err, false);
                continue;
            }
            gw_perr_set(&err, "out of memory");
            v = GW_STAGE_FAIL;
        }
        if (v != GW_STAGE_NEXT) {
            if (!err.msg)
                gw_perr_set(&err, "backend stage failed");
            fail_at(a, i, &err);
        }
    }
    if (a->active && !a->deferred)
        http_from(a, 0);
    a->starting = false;
    return !a->failed_start;
}

void attempt_cancel(struct attempt *a)
{
    if (!a->active)
        return;
    a->active = false;
    gw_fetch_cancel(a->fetch);
    a->fetch = NULL;
    if (a->waiting) {
        a->waiting->a = NULL; /* its resume job only frees */
        a->waiting = NULL;
    }
    if (a->deferred) {
        a->deferred->a = NULL; /* likewise */
        a->deferred = NULL;
    }
    if (a->sc)
        release(a);
}

/* ---- building -------------------------------------------------------------------------------- */

bool proxy_stages_build(struct gw_proxy *px, const struct gw_stage_factory *const *f, size_t n,
                        struct cmn_err *err)
{
    for (size_t e = 0; e < px->n_eps; e++) {
        struct ep_rt *ep = &px->eps[e];
        size_t nb = ep->cfg->n_backends;
        ep->backends = calloc(nb ? nb : 1, sizeof(*ep->backends));
        if (!ep->backends)
            return cmn_err_set(err, 1, "out of memory"), false;
        for (size_t b = 0; b < nb && n > 0; b++) {
            struct backend_rt *rt = &ep->backends[b];
            rt->stages = calloc(n, sizeof(*rt->stages));
            if (!rt->stages)
                return cmn_err_set(err, 1, "out of memory"), false;
            for (size_t i = 0; i < n; i++) {
                struct gw_stage st = {0};
                if (!f[i]->build(f[i]->ctx, px->cfg, ep->cfg, &ep->cfg->backends[b], &st, err))
                    return false;
                if (st.before || st.http_request || st.http_response || st.after) {
                    if (!st.name)
                        st.name = f[i]->name;
                    rt->stages[rt->n_stages++] = st;
                } else if (st.free) {
                    st.free(st.ctx);
                }
            }
            if (rt->n_stages == 0) {
                free(rt->stages);
                rt->stages = NULL;
            }
        }
    }
    return true;
}

bool gw_stage_check(const struct gw_config *cfg, const struct gw_stage_factory *const *f, size_t n,
                    struct cmn_err *err)
{
    for (size_t e = 0; e < cfg->n_endpoints; e++) {
        const struct gw_endpoint *ep = &cfg->endpoints[e];
        for (size_t b = 0; b < ep->n_backends; b++) {
            for (size_t i = 0; i < n; i++) {
                struct gw_stage st = {0};
                if (!f[i]->build(f[i]->ctx, cfg, ep, &ep->backends[b], &st, err))
                    return false;
                if (st.free)
                    st.free(st.ctx);
            }
        }
    }
    return true;
}

void proxy_stages_free(struct gw_proxy *px)
{
    for (size_t e = 0; px->eps && e < px->n_eps; e++) {
        struct ep_rt *ep = &px->eps[e];
        for (size_t b = 0; ep->backends && b < ep->cfg->n_backends; b++) {
            struct backend_rt *rt = &ep->backends[b];
            for (size_t i = 0; i < rt->n_stages; i++) {
                if (rt->stages[i].free)
                    rt->stages[i].free(rt->stages[i].ctx);
            }
            free(rt->stages);
        }
        free(ep->backends);
        ep->backends = NULL;
    }
}
