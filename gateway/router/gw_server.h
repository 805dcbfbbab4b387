/* gw_server.h - the gateway's HTTP server: router, endpoint pipeline, backends.
 * The contract between main.c (CLI, signals) and the runtime. */
#ifndef GW_SERVER_H
#define GW_SERVER_H

#include "cmn_err.h"
#include "gw_auth.h"
#include "gw_config.h"
#include "gw_mw.h"
#include "gw_pstage.h"
#include "gw_stage.h"

struct gw_server;

/* What the server is built from besides the configuration; every pointer is borrowed and must
 * outlive the server. */
struct gw_server_opts {
    /* The authentication step of protected endpoints (gw_auth.h); NULL = none: endpoints that
     * configure auth/validator are then served unprotected and a warning is logged. */
    const struct gw_auth_provider *auth;
    /* The router middlewares' factories, in KrakenD's order (gw_mw.h). */
    const struct gw_mw_factory *const *middlewares;
    size_t n_middlewares;
    /* The backend stages' factories, outer to inner (gw_stage.h). */
    const struct gw_stage_factory *const *stages;
    size_t n_stages;
    /* The proxy stages' factories, outer to inner (gw_pstage.h). */
    const struct gw_pstage_factory *const *pstages;
    size_t n_pstages;
};

/* Builds every endpoint's pipeline from cfg (borrowed; must outlive the server) and opts (may be
 * NULL), starts listening on cfg->listen_ip:cfg->port, and logs KrakenD's startup lines, ending
 * with "[SERVICE: Gin] Listening on port: N". Never waits on the network (backends, JWKS).
 * Returns an owned server, or NULL with err set (e.g. the port is in use). */
struct gw_server *gw_server_start(const struct gw_config *cfg, const struct gw_server_opts *opts,
                                  struct cmn_err *err);

/* The port actually bound (cfg->port, or the ephemeral one when it was 0). */
unsigned gw_server_port(const struct gw_server *s);

/* Graceful stop: stop accepting, let in-flight requests finish for at most wait_ms (< 0: as
 * long as they take), cancel the rest, free everything. s may be NULL. */
void gw_server_stop(struct gw_server *s, int wait_ms);

#endif
