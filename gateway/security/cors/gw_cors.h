/* gw_cors.h - KrakenD's security/cors: krakend-cors's option parsing and rs/cors v1.11.1's
 * algorithm (preflight and actual requests), as KrakenD CE runs it: in front of the router,
 * with the net/http variant's defaults (preflights answer 204).
 *
 * The config is immutable once built and shared by every worker thread. The stage reads the
 * request through struct gw_sec_request and writes headers through struct gw_sec_response; it
 * allocates nothing itself (the debug trace formats into a stack buffer). */
#ifndef GW_CORS_H
#define GW_CORS_H

#include "cmn_err.h"
#include "gw_sec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* KrakenD's startup line (DEBUG) when CORS is enabled. */
#define GW_CORS_STARTUP_LOG "[SERVICE: Gin][CORS] Enabled CORS for all requests"

enum gw_cors_status {
    GW_CORS_OK = 0,
    GW_CORS_INVALID, /* KrakenD does not start (a non-string max_age panics) */
    GW_CORS_NOMEM,
};

struct gw_cors;

/* Builds the config from the service's security/cors value v. v NULL or not an object: CORS is
 * off (*out NULL, GW_CORS_OK; the second case with a warning). path names v in messages
 * ("extra_config.security/cors"). Wrong-typed options are ignored as KrakenD ignores them, each
 * with a warning in w (which may be NULL); so are options read but without effect. On
 * GW_CORS_OK with *out set the caller owns it (gw_cors_destroy). */
enum gw_cors_status gw_cors_new(const json_t *v, const char *path, struct gw_cors **out,
                                struct gw_sec_warnings *w, struct cmn_err *err);
void gw_cors_destroy(struct gw_cors *c);

bool gw_cors_passthrough(const struct gw_cors *c);
bool gw_cors_debug(const struct gw_cors *c);

/* rs/cors: a preflight is OPTIONS with a non-empty first Access-Control-Request-Method line;
 * everything else is an actual request. */
bool gw_cors_is_preflight(const struct gw_sec_request *r);

/* The stage, for every request before routing.
 * Preflight: writes the §2.4 headers; then GW_SEC_ANSWER with options_success_status and no
 * body, or GW_SEC_CONTINUE with options_passthrough (the router answers; the headers stay), or
 * GW_SEC_CLOSE for a status Go's WriteHeader panics on (outside 100-999).
 * Actual request: writes Vary: Origin and, when origin and method are allowed, the allow-origin,
 * expose-headers and credentials headers; GW_SEC_CONTINUE.
 * GW_SEC_FAIL when a response callback failed. With debug on, the rs/cors trace goes to log at
 * DEBUG as KrakenD prints it ("[CORS] <now> <message>"; now may be NULL to leave the time
 * out). ans must have been initialised. */
enum gw_sec_action gw_cors_handle(const struct gw_cors *c, const struct gw_sec_request *r,
                                  const struct gw_sec_response *out, const struct gw_sec_log *log,
                                  const struct tm *now, struct gw_sec_answer *ans);

/* The checks themselves (rs/cors isOriginAllowed, isMethodAllowed, SortedSet.Accepts). */
bool gw_cors_origin_allowed(const struct gw_cors *c, const char *origin, size_t len);
bool gw_cors_method_allowed(const struct gw_cors *c, const char *method);
/* lines: the Access-Control-Request-Headers lines as received. */
bool gw_cors_headers_accepted(const struct gw_cors *c, const char *const *lines, size_t n);

/* ---- how CORS meets the router (KrakenD §2.7) ---- */

/* What the router found for a request that CORS let through. */
enum gw_cors_route {
    GW_CORS_ROUTE_FOUND = 0,    /* an endpoint (or /__health, /__debug, /__echo) for method */
    GW_CORS_ROUTE_AUTO_OPTIONS, /* an OPTIONS route router.auto_options registered */
    GW_CORS_ROUTE_REDIRECT,     /* gin's trailing-slash / fixed-path redirect */
    GW_CORS_ROUTE_NOT_ALLOWED,  /* the path exists for other methods (405 enabled) */
    GW_CORS_ROUTE_NOT_FOUND,
};

enum gw_cors_outcome {
    GW_CORS_OUT_PREFLIGHT,    /* CORS answered: options_success_status, no body; no routing */
    GW_CORS_OUT_ENDPOINT,     /* the route's handler answers, with the CORS headers */
    GW_CORS_OUT_AUTO_OPTIONS, /* 200, Allow, X-Krakend, no body, with the CORS headers */
    GW_CORS_OUT_REDIRECT,     /* gin's 301/307, with the CORS headers */
    GW_CORS_OUT_NOT_ALLOWED,  /* 405, with the CORS headers */
    GW_CORS_OUT_NOT_FOUND,    /* 404, with the CORS headers */
    GW_CORS_OUT_CLOSED,       /* connection closed (a status Go cannot write) */
};

/* Who answers, given CORS's verdict and (when CORS went on) what the router found. The headers
 * CORS wrote are on every response that follows: nothing later removes them. */
enum gw_cors_outcome gw_cors_flow(enum gw_sec_action cors, enum gw_cors_route route);

#endif
