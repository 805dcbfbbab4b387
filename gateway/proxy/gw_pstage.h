/* gw_pstage.h - the proxy seam: where the modules that wrap an endpoint's whole proxy pipe plug
 * in (modifier/lua-proxy; validation/cel and validation/json-schema at endpoint level may use it
 * too), in KrakenD's order (../shared/spec/krakend-traffic-security.md §1 item 8 and
 * krakend-config-transform.md §4.1: metrics -> Lua -> CEL -> JSON schema -> shadow -> static ->
 * merge/backends).
 *
 * A module provides a factory; the composition root hands the factories, outer to inner, to
 * gw_server_start(). When the proxy is built each factory is asked once per endpoint whether it
 * has a stage there. Each call of the endpoint's pipe then runs, on its worker's loop thread:
 *
 *   before   outer to inner, on the client's request as the pipe will use it (call->in: headers,
 *            query, path parameters, body, method may be changed), before any backend is asked;
 *            may fail the call (GW_STAGE_FAIL with *err: the pipe's outcome is that one error,
 *            as an error a proxy returns) or skip what is inside (GW_STAGE_SKIP: no inner stage,
 *            no static data, no backend; the outcome is an empty response: no data, not
 *            complete).
 *   after    inner to outer, on the pipe's outcome after proxy.static was applied: *resp (owned,
 *            may be replaced or set NULL) and err (the pipe's errors, n == 0 for none). Setting
 *            fail->msg (gw_perr_set) replaces the outcome by that one error (resp is dropped).
 *   end      the call is over (answered, failed or cancelled): free call->state. May be NULL.
 *
 * A stage whose `before` failed gets no `after`; one that skipped gets its own `after` (Lua's
 * `post` runs on the empty response). Every stage whose `before` ran gets `end`. */
#ifndef GW_PSTAGE_H
#define GW_PSTAGE_H

#include "cmn_err.h"
#include "gw_config.h"
#include "gw_message.h"
#include "gw_proxy_response.h"
#include "gw_stage.h"

#include <stdbool.h>
#include <stddef.h>

/* One call of an endpoint's pipe, as the stages see it. */
struct gw_pstage_call {
    const struct gw_endpoint *ep;
    struct gw_inreq *in; /* the request the pipe uses (owned by the call); changeable in before */
    size_t worker;       /* the loop the call runs on */
    int64_t now_ms;      /* cmn_clock_mono_ms() when the call started */
    int64_t deadline_ms; /* the endpoint's deadline (mono ms) */
    void *state;         /* this stage's per-call state */
};

struct gw_pstage {
    const char *name;
    void *ctx; /* per endpoint, freed by free() */
    /* GW_STAGE_NEXT, GW_STAGE_FAIL (err set) or GW_STAGE_SKIP. */
    enum gw_stage_verdict (*before)(void *ctx, struct gw_pstage_call *call, struct gw_perr *err);
    void (*after)(void *ctx, struct gw_pstage_call *call, struct gw_presp **resp,
                  const struct gw_pipe_err *err, struct gw_perr *fail);
    void (*end)(void *ctx, struct gw_pstage_call *call);
    void (*free)(void *ctx);
};

/* A module's factory: asked once per endpoint. Fills *st and returns true (no hooks = nothing
 * there), or returns false with err set to refuse the configuration. */
struct gw_pstage_factory {
    const char *name;
    void *ctx;
    bool (*build)(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                  struct gw_pstage *st, struct cmn_err *err);
};

/* Builds every endpoint's proxy stages from the factories and frees them again: what `check`
 * reports without starting a server. false with err set when a factory refuses. */
bool gw_pstage_check(const struct gw_config *cfg, const struct gw_pstage_factory *const *f,
                     size_t n, struct cmn_err *err);

#endif
