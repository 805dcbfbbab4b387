/* gw_cors.h - KrakenD's security/cors: krakend-cors's option parsing and rs/cors v1.11.1's
 * algorithm (preflight and actual requests), as KrakenD CE runs it: in front of the router
 * (the router's GW_MW_OUTER slot), with the net/http variant's defaults (preflights answer 204).
 *
 * The config is immutable once built and shared by every worker thread. gw_cors_handle is pure:
 * it reads the request as the server received it and writes headers into the list the router
 * adds to whatever answer the request gets (../shared/spec/krakend-traffic-security.md §2). */
#ifndef GW_CORS_H
#define GW_CORS_H

#include "cmn_err.h"
#include "cmn_http.h"
#include "gw_hdrs.h"
#include "gw_mw.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The canonical namespace (the config rewrites the alias security/cors to it). */
#define GW_NS_CORS "github_com/devopsfaith/krakend-cors"
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
 * ("extra_config.security/cors"). Wrong-typed options are ignored as KrakenD ignores them, and
 * options that cannot have the effect the user expects are kept; each gets a WARNING in the
 * log naming its JSON path. On GW_CORS_OK with *out set the caller owns it (gw_cors_destroy). */
enum gw_cors_status gw_cors_new(const json_t *v, const char *path, struct gw_cors **out,
                                struct cmn_err *err);
void gw_cors_destroy(struct gw_cors *c);

bool gw_cors_debug(const struct gw_cors *c);

/* rs/cors: a preflight is OPTIONS with a non-empty first Access-Control-Request-Method line;
 * everything else is an actual request. */
bool gw_cors_is_preflight(const struct cmn_http_request *r);

/* The middleware, for every request before routing.
 * Preflight: adds the §2.4 headers to out; then GW_MW_ANSWER with *answer an empty
 * options_success_status response, or GW_MW_NEXT with options_passthrough (the router answers;
 * the headers stay), or GW_MW_CLOSE for a status Go's WriteHeader panics on (outside 100-999).
 * Actual request: adds Vary: Origin and, when origin and method are allowed, the allow-origin,
 * expose-headers and credentials headers; GW_MW_NEXT.
 * GW_MW_ANSWER with *answer NULL (a 500) when memory ran out. With debug on, the rs/cors trace
 * goes to the log at DEBUG as KrakenD prints it ("[CORS] <now> <message>"; now may be NULL to
 * leave the time out). */
enum gw_mw_verdict gw_cors_handle(const struct gw_cors *c, const struct cmn_http_request *r,
                                  const struct tm *now, struct gw_hdrs *out,
                                  struct cmn_http_response **answer);

/* The checks themselves (rs/cors isOriginAllowed, isMethodAllowed, SortedSet.Accepts). */
bool gw_cors_origin_allowed(const struct gw_cors *c, const char *origin, size_t len);
bool gw_cors_method_allowed(const struct gw_cors *c, const char *method);
/* lines: the Access-Control-Request-Headers lines as received. */
bool gw_cors_headers_accepted(const struct gw_cors *c, const char *const *lines, size_t n);

/* The router middleware factory (gw_mw.h): service level, slot GW_MW_OUTER. */
extern const struct gw_mw_factory gw_cors_factory;

#endif
