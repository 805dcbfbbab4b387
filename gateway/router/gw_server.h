/* gw_server.h - the gateway's HTTP server: router, endpoint pipeline, backends.
 * The contract between main.c (CLI, signals) and the runtime. */
#ifndef GW_SERVER_H
#define GW_SERVER_H

#include "cmn_err.h"
#include "gw_auth.h"
#include "gw_config.h"

struct gw_server;

/* Builds every endpoint's pipeline from cfg (borrowed; must outlive the server), starts
 * listening on cfg->listen_ip:cfg->port, and logs KrakenD's startup lines, ending with
 * "[SERVICE: Gin] Listening on port: N". auth (borrowed, may be NULL) is the authentication
 * step of protected endpoints (gw_auth.h); without one, endpoints that configure auth/validator
 * are served unprotected and a warning is logged. Never waits on the network (backends, JWKS).
 * Returns an owned server, or NULL with err set (e.g. the port is in use). */
struct gw_server *gw_server_start(const struct gw_config *cfg, const struct gw_auth_provider *auth,
                                  struct cmn_err *err);

/* The port actually bound (cfg->port, or the ephemeral one when it was 0). */
unsigned gw_server_port(const struct gw_server *s);

/* Graceful stop: stop accepting, let in-flight requests finish for at most wait_ms, cancel
 * the rest, free everything. s may be NULL. */
void gw_server_stop(struct gw_server *s, int wait_ms);

#endif
