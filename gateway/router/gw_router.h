/* gw_router.h - gin-compatible route matching: {param} segments, a trailing catch-all, static
 * segments before params, trailing-slash and fixed-path (case-insensitive, cleaned) redirect
 * targets, and the Allow list of a 405. Pure logic: paths in, decisions out. */
#ifndef GW_ROUTER_H
#define GW_ROUTER_H

#include "cmn_err.h"

#include <stdbool.h>
#include <stddef.h>

#define GW_ROUTER_MAX_PARAMS 32
#define GW_ROUTER_MAX_METHODS 16

struct gw_route; /* private */

struct gw_router {
    struct gw_route **routes;
    size_t n_routes, cap_routes;
    char *methods[GW_ROUTER_MAX_METHODS]; /* trees in first-registration order, as gin keeps */
    size_t n_methods;
};

struct gw_param {
    const char *name; /* borrowed from the route */
    char *value;      /* owned by the match */
};

struct gw_match {
    int kind; /* what gw_router_add was given */
    size_t index;
    struct gw_param params[GW_ROUTER_MAX_PARAMS];
    size_t n_params;
};

enum gw_route_outcome {
    GW_ROUTE_FOUND = 0,
    GW_ROUTE_REDIRECT,    /* redirect_path set (no query), status 301 for GET else 307 */
    GW_ROUTE_NOT_ALLOWED, /* allow set: "GET, POST" */
    GW_ROUTE_NOT_FOUND,
};

struct gw_route_opts {
    bool redirect_trailing_slash;
    bool redirect_fixed_path;
    bool handle_method_not_allowed;
};

struct gw_route_result {
    enum gw_route_outcome outcome;
    struct gw_match match;
    char redirect_path[4096];
    unsigned redirect_status;
    bool redirect_tsr; /* the trailing-slash redirect (gin computes its target from the request's
                        * own path, not the cleaned lookup path of remove_extra_slash) */
    char allow[256];
};

void gw_router_init(struct gw_router *r);
void gw_router_free(struct gw_router *r);

/* Registers method + pattern. Pattern segments: literal, "{name}" (one non-empty segment) or a
 * final "*name" (the rest of the path, with its leading '/'). kind/index are returned on match.
 * Fails (err set) on a duplicate or conflicting route, as gin panics at startup. */
bool gw_router_add(struct gw_router *r, const char *method, const char *pattern, int kind,
                   size_t index, struct cmn_err *err);

/* Routes a request: path is the decoded URL path. The result's match params are owned by res:
 * release them with gw_route_result_free. */
void gw_router_route(const struct gw_router *r, const char *method, const char *path,
                     const struct gw_route_opts *o, struct gw_route_result *res);
void gw_route_result_free(struct gw_route_result *res);

/* gin's cleanPath: resolves "." and "..", collapses slashes, keeps a trailing slash. out must
 * have room for strlen(p) + 2 bytes. */
void gw_router_clean_path(const char *p, char *out, size_t out_size);

#endif
