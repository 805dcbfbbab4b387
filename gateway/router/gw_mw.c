/* gw_mw.c - the router's middleware chains (gw_mw.h): built once from the factories, run per
 * request slot by slot, their headers and `done` hooks applied to whatever answer goes out. */
#include "gw_mw.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct chain {
    struct gw_mw *v;
    size_t n;
};

/* An endpoint's renderer (a copy of the hook; its middleware lives in a chain). */
struct renderer {
    const char *name;
    void *ctx;
    struct cmn_http_response *(*render)(void *ctx, const struct gw_endpoint *ep,
                                        struct gw_presp *resp, const struct gw_pipe_err *err);
};

struct gw_mw_chains {
    struct chain svc[GW_MW_SLOTS];    /* GW_MW_OUTER, GW_MW_ENGINE */
    struct chain (*eps)[GW_MW_SLOTS]; /* per endpoint: GW_MW_ENDPOINT, GW_MW_AUTHENTICATED */
    struct renderer *render;          /* per endpoint; render NULL: the endpoint handler's */
    size_t n_eps;
    size_t longest; /* most middlewares one request can meet */
};

static bool push(struct chain *c, const struct gw_mw *mw)
{
    struct gw_mw *v = realloc(c->v, (c->n + 1) * sizeof(*v));

    if (!v)
        return false;
    v[c->n++] = *mw;
    c->v = v;
    return true;
}

static void chain_free(struct chain *c)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i].free)
            c->v[i].free(c->v[i].ctx);
    }
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

/* One factory's middleware for the service (ep NULL) or an endpoint, into its chain. */
static bool add_one(struct gw_mw_chains *c, const struct gw_mw_factory *f,
                    const struct gw_config *cfg, size_t ep_index, struct cmn_err *err)
{
    const struct gw_endpoint *ep = ep_index < c->n_eps ? &cfg->endpoints[ep_index] : NULL;
    struct gw_mw mw = {0};
    bool service_slot;

    if (!f->build(f->ctx, cfg, ep, &mw, err))
        return false;
    if (!mw.request && !mw.render) {
        if (mw.free)
            mw.free(mw.ctx);
        return true;
    }
    if (!mw.name)
        mw.name = f->name;
    service_slot = mw.slot == GW_MW_OUTER || mw.slot == GW_MW_ENGINE;
    if ((unsigned)mw.slot >= GW_MW_SLOTS || service_slot != (ep == NULL) || (mw.render && !ep)) {
        if (mw.free)
            mw.free(mw.ctx);
        cmn_err_set(err, 1, "%s: a %s middleware in slot %d", mw.name, ep ? "endpoint" : "service",
                    (int)mw.slot);
        return false;
    }
    if (mw.render && c->render[ep_index].render) {
        cmn_err_set(err, 1, "%s and %s both render the endpoint %s", c->render[ep_index].name,
                    mw.name, ep->path);
        if (mw.free)
            mw.free(mw.ctx);
        return false;
    }
    if (!push(ep ? &c->eps[ep_index][mw.slot] : &c->svc[mw.slot], &mw)) {
        if (mw.free)
            mw.free(mw.ctx);
        cmn_err_set(err, 1, "out of memory");
        return false;
    }
    if (mw.render)
        c->render[ep_index] = (struct renderer){mw.name, mw.ctx, mw.render};
    return true;
}

bool gw_mw_chains_build(const struct gw_config *cfg, const struct gw_mw_factory *const *f, size_t n,
                        struct gw_mw_chains **out, struct cmn_err *err)
{
    struct gw_mw_chains *c = calloc(1, sizeof(*c));
    size_t svc;

    *out = NULL;
    if (!c || !(c->eps = calloc(cfg->n_endpoints ? cfg->n_endpoints : 1, sizeof(*c->eps))) ||
        !(c->render = calloc(cfg->n_endpoints ? cfg->n_endpoints : 1, sizeof(*c->render)))) {
        if (c)
            free(c->eps);
        free(c);
        cmn_err_set(err, 1, "out of memory");
        return false;
    }
    c->n_eps = cfg->n_endpoints;
    for (size_t i = 0; i < n; i++) {
        if (!add_one(c, f[i], cfg, SIZE_MAX, err))
            goto fail;
        for (size_t e = 0; e < c->n_eps; e++) {
            if (!add_one(c, f[i], cfg, e, err))
                goto fail;
        }
    }
    svc = c->svc[GW_MW_OUTER].n + c->svc[GW_MW_ENGINE].n;
    c->longest = svc;
    for (size_t e = 0; e < c->n_eps; e++) {
        size_t t = svc + c->eps[e][GW_MW_ENDPOINT].n + c->eps[e][GW_MW_AUTHENTICATED].n;
        if (t > c->longest)
            c->longest = t;
    }
    if (c->longest > GW_MW_MAX_RAN) {
        cmn_err_set(err, 1, "%zu router middlewares on one request: at most %d", c->longest,
                    GW_MW_MAX_RAN);
        goto fail;
    }
    if (c->longest == 0) { /* modules built in, none configured: the router skips the seam */
        gw_mw_chains_free(c);
        return true;
    }
    *out = c;
    return true;
fail:
    gw_mw_chains_free(c);
    return false;
}

void gw_mw_chains_free(struct gw_mw_chains *c)
{
    if (!c)
        return;
    for (size_t s = 0; s < GW_MW_SLOTS; s++)
        chain_free(&c->svc[s]);
    for (size_t e = 0; e < c->n_eps; e++) {
        for (size_t s = 0; s < GW_MW_SLOTS; s++)
            chain_free(&c->eps[e][s]);
    }
    free(c->eps);
    free(c->render);
    free(c);
}

enum gw_mw_verdict gw_mw_run_slot(const struct gw_mw_chains *c, enum gw_mw_slot slot,
                                  size_t ep_index, struct gw_mw_run *run,
                                  struct cmn_http_response **answer)
{
    const struct chain *ch;

    *answer = NULL;
    if (!c)
        return GW_MW_NEXT;
    if (slot == GW_MW_OUTER || slot == GW_MW_ENGINE)
        ch = &c->svc[slot];
    else if (ep_index < c->n_eps)
        ch = &c->eps[ep_index][slot];
    else
        return GW_MW_NEXT;
    for (size_t i = 0; i < ch->n; i++) {
        const struct gw_mw *mw = &ch->v[i];
        void *state = NULL;
        struct gw_mw_out out = {&run->headers, answer, &state};
        enum gw_mw_verdict v;
        if (!mw->request) /* a middleware that only renders */
            continue;
        if (!run->has_headers) {
            gw_hdrs_init(&run->headers, 0);
            run->has_headers = true;
        }
        v = mw->request(mw->ctx, &run->rq, &out);
        if (run->n_ran < GW_MW_MAX_RAN) { /* the chains were sized for this at build */
            run->ran[run->n_ran].mw = mw;
            run->ran[run->n_ran].state = state;
            run->n_ran++;
        }
        if (v != GW_MW_NEXT)
            return v;
    }
    return GW_MW_NEXT;
}

void *gw_mw_state_of(const struct gw_mw_request *rq, const void *ctx)
{
    /* every hook is handed the rq inside its request's gw_mw_run */
    const struct gw_mw_run *run =
        (const struct gw_mw_run *)(const void *)((const char *)rq - offsetof(struct gw_mw_run, rq));

    for (size_t i = 0; i < run->n_ran; i++) {
        if (run->ran[i].mw->ctx == ctx)
            return run->ran[i].state;
    }
    return NULL;
}

bool gw_mw_render(const struct gw_mw_chains *c, size_t ep_index, const struct gw_endpoint *ep,
                  struct gw_presp *resp, const struct gw_pipe_err *err,
                  struct cmn_http_response **answer)
{
    const struct renderer *r = c && ep_index < c->n_eps ? &c->render[ep_index] : NULL;

    if (!r || !r->render)
        return false;
    *answer = r->render(r->ctx, ep, resp, err);
    return true;
}

void gw_mw_run_finish(struct gw_mw_run *run, struct cmn_http_response *resp)
{
    if (run->has_headers) {
        for (size_t i = 0; resp && i < run->headers.n; i++) {
            const struct gw_hdr *h = &run->headers.v[i];
            if (h->line)
                cmn_http_response_add_line(resp, h->line);
            else
                cmn_http_response_add_header(resp, h->name, h->value);
        }
        gw_hdrs_free(&run->headers);
        run->has_headers = false;
    }
    run->rq.in = NULL;
    for (size_t i = run->n_ran; i-- > 0;) {
        const struct gw_mw *mw = run->ran[i].mw;
        if (mw->done)
            mw->done(mw->ctx, run->ran[i].state, &run->rq, resp);
    }
    run->n_ran = 0;
}
