/* gw_stage.h - the backend seam: where the modules that act on each backend call plug in
 * (qos/circuit-breaker, qos/ratelimit/proxy, modifier/lua-backend, validation/cel,
 * modifier/martian, qos/http-cache, telemetry, auth/client-credentials), in KrakenD's order
 * (../shared/spec/krakend-traffic-security.md §1, item 8).
 *
 * A module provides a factory; the composition root (main.c) hands the factories, in KrakenD's
 * outer-to-inner order, to gw_server_start(). When the proxy is built, each factory is asked once
 * per backend whether it has a stage there. Each attempt at a backend (concurrent_calls makes
 * several) then runs, on its worker's loop thread:
 *
 *   before         outer to inner, on Lura's request, before the HTTP request exists: may fail
 *                  the call (an open breaker, a spent rate limit, a false CEL expression) or skip
 *                  everything inside it (GW_STAGE_SKIP, Lua's skip_next: no inner stage and no
 *                  HTTP call; the response is empty (no data, not complete) and `after` runs
 *                  from this stage outwards)
 *   http_request   outer to inner, on the HTTP request about to be sent: may change it
 *                  (martian, a trace header, a client-credentials token) or answer it (a cache
 *                  hit); may also ask to wait (GW_STAGE_WAIT) and resume the call later
 *   http_response  inner to outer, on the HTTP answer as received (the cache stores it)
 *   after          inner to outer, on Lura's response after decoding and formatting, or on the
 *                  error: may change either (Lua, CEL on the response) and records the outcome
 *                  (the breaker counts failures here)
 *
 * A stage that failed or answered in `before`/`http_request` still gets `after` from the stages
 * outside it, never from itself or the ones inside; one that skipped gets its own `after` too. */
#ifndef GW_STAGE_H
#define GW_STAGE_H

#include "cmn_err.h"
#include "gw_config.h"
#include "gw_message.h"
#include "gw_proxy_response.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One attempt at one backend, as the stages see it. */
struct gw_stage_call {
    const struct gw_endpoint *ep;
    const struct gw_backend *backend;
    size_t backend_index;
    const struct gw_inreq *in; /* the client's request (headers, params, claims) */
    struct gw_outreq *out;     /* http_request: the request to send, changeable */
    size_t worker;             /* the loop the call runs on */
    int64_t now_ms;            /* cmn_clock_mono_ms() when the attempt started */
    int64_t deadline_ms;       /* cmn_clock_mono_ms() by which the attempt must end: a stage
                                * that waits (GW_STAGE_WAIT) resumes by then, the proxy keeps no
                                * timer of its own for waiting stages */
    /* Lura's request Params the sequential merge added so far ({respN_x} placeholders and
     * sequential_propagated_params, keys such as "Resp0_first.foo"), besides the path
     * parameters of `in`; empty unless the endpoint is sequential. */
    const struct gw_seqparam *seq_params;
    size_t n_seq_params;
    void *state; /* this stage's per-attempt state (set by before or http_request) */
    struct gw_stage_resume *resume; /* GW_STAGE_WAIT: hand to gw_stage_resume() */
};

enum gw_stage_verdict {
    GW_STAGE_NEXT = 0, /* go on inwards */
    GW_STAGE_FAIL,     /* fail the call with *err (Lura's error for this backend) */
    GW_STAGE_ANSWER,   /* http_request only: *res is the answer; nothing inside runs */
    GW_STAGE_WAIT,     /* http_request only: call gw_stage_resume(call->resume, ...) later, from
                        * any thread, exactly once (the call may be cancelled meanwhile: resume
                        * then only frees) */
    GW_STAGE_SKIP,     /* before only: nothing inside runs; an empty response goes outwards,
                        * through this stage's own `after` first */
    GW_STAGE_AGAIN,    /* gw_stage_resume only: run the waiting stage's http_request again, on
                        * the call's loop thread (call->state tells it that it waited), so that
                        * it can change the request with what it waited for (a token) */
};

struct gw_stage {
    const char *name;
    void *ctx; /* per backend, freed by free() */
    enum gw_stage_verdict (*before)(void *ctx, struct gw_stage_call *call, struct gw_perr *err);
    enum gw_stage_verdict (*http_request)(void *ctx, struct gw_stage_call *call,
                                          struct gw_fetch_result **res, struct gw_perr *err);
    void (*http_response)(void *ctx, struct gw_stage_call *call, struct gw_fetch_result *res);
    /* *resp (owned; may be replaced or set NULL) and err/has_err (the call's error) */
    void (*after)(void *ctx, struct gw_stage_call *call, struct gw_presp **resp,
                  struct gw_perr *err, bool *has_err);
    /* The attempt is over (answered, failed or cancelled): free call->state. May be NULL. */
    void (*end)(void *ctx, struct gw_stage_call *call);
    void (*free)(void *ctx);
};

/* A module's factory: asked once per backend. Fills *st and returns true (st->ctx NULL and no
 * hooks = nothing there), or returns false with err set to refuse the configuration. */
struct gw_stage_factory {
    const char *name;
    void *ctx;
    bool (*build)(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                  const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err);
};

struct gw_stage_resume;

/* Builds every backend's stages from the factories and frees them again: what `check` reports
 * without starting a server. false with err set when a factory refuses the configuration. */
bool gw_stage_check(const struct gw_config *cfg, const struct gw_stage_factory *const *f, size_t n,
                    struct cmn_err *err);

/* Resumes a call that waited (GW_STAGE_WAIT): verdict GW_STAGE_NEXT (go on inwards),
 * GW_STAGE_AGAIN (ask the waiting stage again), GW_STAGE_FAIL with err (copied) or
 * GW_STAGE_ANSWER with res (malloc'ed, owned by the proxy from here). Any thread; the call
 * continues on its loop. A stage whose calls may still be waiting makes its free() wait until they
 * resumed: nothing may resume once it returned. */
void gw_stage_resume(struct gw_stage_resume *r, enum gw_stage_verdict v, const struct gw_perr *err,
                     struct gw_fetch_result *res);

#endif
