/* gw_proxy_pstage.c - the proxy stages (gw_pstage.h) around an endpoint's pipe: `before` when a
 * call starts, `after` on its outcome, `end` when it is over; building them per endpoint. */
#include "gw_proxy_int.h"

#include "cmn_clock.h"

#include <stdlib.h>
#include <string.h>

bool pstages_before(struct call *c, struct gw_presp **resp, struct gw_pipe_err *err, size_t *from)
{
    const struct ep_rt *ep = c->ep;
    int64_t now = cmn_clock_mono_ms();

    if (ep->n_pstages == 0)
        return true;
    c->psc = calloc(ep->n_pstages, sizeof(*c->psc));
    if (!c->psc) {
        gw_perr_set(&c->perr, "out of memory");
        *resp = NULL;
        *err = (struct gw_pipe_err){false, &c->perr, 1};
        *from = 0;
        return false;
    }
    for (size_t i = 0; i < ep->n_pstages; i++) {
        const struct gw_pstage *st = &ep->pstages[i];
        struct gw_perr e = {0};
        enum gw_stage_verdict v;
        c->psc[i] = (struct gw_pstage_call){ep->cfg, &c->in, c->loop, now, c->deadline_ms, NULL};
        c->n_pentered = i + 1;
        v = st->before ? st->before(st->ctx, &c->psc[i], &e) : GW_STAGE_NEXT;
        if (v == GW_STAGE_NEXT) {
            gw_perr_free(&e);
            continue;
        }
        if (v == GW_STAGE_SKIP) {
            gw_perr_free(&e);
            *resp = gw_presp_new();
            if (*resp) {
                *err = (struct gw_pipe_err){false, NULL, 0};
                *from = i + 1; /* its own after runs */
                return false;
            }
            gw_perr_set(&e, "out of memory");
        }
        if (!e.msg)
            gw_perr_set(&e, "proxy stage failed");
        c->perr = e;
        *resp = NULL;
        *err = (struct gw_pipe_err){false, &c->perr, 1};
        *from = i;
        return false;
    }
    return true;
}

void pstages_after(struct call *c, size_t from, struct gw_presp **resp, struct gw_pipe_err *err)
{
    const struct ep_rt *ep = c->ep;

    for (size_t i = from; i-- > 0;) {
        const struct gw_pstage *st = &ep->pstages[i];
        struct gw_perr fail = {0};
        if (!st->after)
            continue;
        st->after(st->ctx, &c->psc[i], resp, err, &fail);
        if (!fail.msg)
            continue;
        gw_presp_destroy(*resp);
        *resp = NULL;
        gw_perr_free(&c->perr); /* err may point at it: it is replaced just below */
        c->perr = fail;
        *err = (struct gw_pipe_err){false, &c->perr, 1};
    }
}

void pstages_end(struct call *c)
{
    const struct ep_rt *ep = c->ep;

    for (size_t i = c->n_pentered; i-- > 0;) {
        if (ep->pstages[i].end)
            ep->pstages[i].end(ep->pstages[i].ctx, &c->psc[i]);
    }
    c->n_pentered = 0;
    free(c->psc);
    c->psc = NULL;
}

bool proxy_pstages_build(struct gw_proxy *px, const struct gw_pstage_factory *const *f, size_t n,
                         struct cmn_err *err)
{
    for (size_t e = 0; e < px->n_eps && n > 0; e++) {
        struct ep_rt *ep = &px->eps[e];
        ep->pstages = calloc(n, sizeof(*ep->pstages));
        if (!ep->pstages)
            return cmn_err_set(err, 1, "out of memory"), false;
        for (size_t i = 0; i < n; i++) {
            struct gw_pstage st = {0};
            if (!f[i]->build(f[i]->ctx, px->cfg, ep->cfg, &st, err))
                return false;
            if (st.before || st.after) {
                if (!st.name)
                    st.name = f[i]->name;
                ep->pstages[ep->n_pstages++] = st;
            } else if (st.free) {
                st.free(st.ctx);
            }
        }
        if (ep->n_pstages == 0) {
            free(ep->pstages);
            ep->pstages = NULL;
        }
    }
    return true;
}

void proxy_pstages_free(struct gw_proxy *px)
{
    for (size_t e = 0; px->eps && e < px->n_eps; e++) {
        struct ep_rt *ep = &px->eps[e];
        for (size_t i = 0; i < ep->n_pstages; i++) {
            if (ep->pstages[i].free)
                ep->pstages[i].free(ep->pstages[i].ctx);
        }
        free(ep->pstages);
        ep->pstages = NULL;
        ep->n_pstages = 0;
    }
}

bool gw_pstage_check(const struct gw_config *cfg, const struct gw_pstage_factory *const *f,
                     size_t n, struct cmn_err *err)
{
    for (size_t e = 0; e < cfg->n_endpoints; e++) {
        for (size_t i = 0; i < n; i++) {
            struct gw_pstage st = {0};
            if (!f[i]->build(f[i]->ctx, cfg, &cfg->endpoints[e], &st, err))
                return false;
            if (st.free)
                st.free(st.ctx);
        }
    }
    return true;
}
