/* gw_proxy.h - the endpoint pipeline (Lura's proxy stack) run on the backend loop: backends in
 * parallel under 85 % of the endpoint timeout, sequential with {respN_x}, concurrent_calls,
 * host spreading and proxy.static. What it returns, the router's endpoint handler renders. */
#ifndef GW_PROXY_H
#define GW_PROXY_H

#include "cmn_err.h"
#include "gw_config.h"
#include "gw_fetch.h"
#include "gw_message.h"
#include "gw_proxy_response.h"
#include "gw_pstage.h"
#include "gw_stage.h"

#include <stdbool.h>
#include <stddef.h>

struct gw_proxy;

/* The modules' factories the proxy asks (all borrowed; lists may be NULL). */
struct gw_proxy_mods {
    const struct gw_stage_factory *const *stages; /* backend stages, outer to inner */
    size_t n_stages;
    const struct gw_pstage_factory *const *pstages; /* proxy stages, outer to inner */
    size_t n_pstages;
};

/* Builds the per-endpoint runtime from cfg (borrowed, must outlive the proxy) over the backend
 * clients of n_loops worker loops (borrowed; a call runs entirely on the loop it was given).
 * mods: the stages' factories (gw_stage.h, gw_pstage.h; may be NULL). */
struct gw_proxy *gw_proxy_new(const struct gw_config *cfg, struct gw_fetcher *const *fetchers,
                              size_t n_loops, const struct gw_proxy_mods *mods,
                              struct cmn_err *err);
void gw_proxy_destroy(struct gw_proxy *p);

/* How a call ended. */
struct gw_proxy_outcome {
    bool cancelled;        /* the server is stopping: nothing else is set */
    struct gw_presp *resp; /* the pipe's response, owned by the receiver; may be NULL */
    struct gw_pipe_err err; /* the pipe's errors (borrowed for the callback); n == 0: none */
};

/* Receives the outcome on the loop thread, exactly once. */
typedef void (*gw_proxy_done_fn)(void *arg, struct gw_proxy_outcome *o);

/* Runs endpoint ep_index for in (ownership taken, also on failure) on worker loop `loop`: at
 * once when called on that loop's thread (done may then run before this returns), else posted
 * to it. Any thread. false when the loop refused the work (stopping): done is then not called.
 * With shadow backends (proxy.shadow), a copy of the request is also sent to them in the
 * background; that call's outcome is dropped. */
bool gw_proxy_run(struct gw_proxy *p, size_t loop, size_t ep_index, struct gw_inreq *in,
                  gw_proxy_done_fn done, void *arg);

/* False for an endpoint KrakenD cannot build (every backend is a shadow backend): its route
 * answers 500 with an empty body before any endpoint handler runs, and gw_proxy_run refuses it. */
bool gw_proxy_endpoint_ok(const struct gw_proxy *p, size_t ep_index);

/* On loop `loop`'s thread: ends every call in flight there as cancelled (shutdown). */
void gw_proxy_cancel_all(struct gw_proxy *p, size_t loop);

#endif
