/* gw_mw.h - the router's middleware seam: where the modules that act on the client's request
 * (security/cors, security/http, security/bot-detector, qos/ratelimit/router, telemetry, Lua,
 * validation) plug in, in KrakenD's order (../shared/spec/krakend-traffic-security.md §1).
 *
 * A module provides a factory; the composition root (main.c) hands the factories, in order, to
 * gw_server_start(). At start the server asks each factory, once for the service and once per
 * endpoint, whether it has a middleware there (build). For each request, the middlewares of a
 * slot run in order on the request's worker thread:
 *
 *   GW_MW_OUTER          before routing, for every request (CORS: KrakenD wraps the whole
 *                        handler with it); sees no route.
 *   GW_MW_ENGINE         after routing, for endpoints, /__debug/, /__echo/, auto_options
 *                        routes, 404 and 405, but not /__health nor gin's redirects (gin's
 *                        engine middlewares: security/http, the service-level bot detector).
 *   GW_MW_ENDPOINT       an endpoint's own chain, before auth/validator (endpoint-level bot
 *                        detector, telemetry).
 *   GW_MW_AUTHENTICATED  after auth/validator has accepted the request (Lua endpoint scripts,
 *                        the router rate limits, CEL and JSON schema on the request); may run on
 *                        the thread that finished the validation.
 *
 * A middleware may answer at once (the later ones and the proxy do not run), add headers to
 * whatever answer the request gets in the end (CORS, security headers: they are on 401s, 404s
 * and 429s too), change the incoming request's headers (endpoint slots), and keep a state per
 * request that its `done` hook receives with the final answer (telemetry). Every header added
 * passes the one field rule (cmn_http_field) when the answer is written.
 *
 * An endpoint middleware may also replace the endpoint handler's rendering of the proxy's
 * outcome (`render`): auth/signer answers with signed fields and its own status and headers,
 * as krakend-jose's TokenSigner replaces Lura's handler. */
#ifndef GW_MW_H
#define GW_MW_H

#include "cmn_err.h"
#include "cmn_http.h"
#include "gw_config.h"
#include "gw_hdrs.h"
#include "gw_message.h"
#include "gw_proxy_response.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gw_mw_slot {
    GW_MW_OUTER = 0,
    GW_MW_ENGINE,
    GW_MW_ENDPOINT,
    GW_MW_AUTHENTICATED,
    GW_MW_SLOTS,
};

/* What the router made of the request (meaningful from GW_MW_ENGINE on). */
enum gw_mw_route {
    GW_MW_ROUTE_NONE = 0, /* GW_MW_OUTER: not routed yet */
    GW_MW_ROUTE_ENDPOINT,
    GW_MW_ROUTE_HEALTH,
    GW_MW_ROUTE_DEBUG,
    GW_MW_ROUTE_ECHO,
    GW_MW_ROUTE_AUTO_OPTIONS,
    GW_MW_ROUTE_NOT_FOUND,
    GW_MW_ROUTE_NOT_ALLOWED,
    GW_MW_ROUTE_REDIRECT,
};

/* The request as the middlewares see it; everything is borrowed for the call. */
struct gw_mw_request {
    const struct cmn_http_request *http; /* as received: raw path, query, headers, TLS */
    const char *path;                    /* the decoded path gin routes on */
    const char *client_ip;               /* gin's ClientIP */
    enum gw_mw_route route;
    const struct gw_endpoint *ep; /* GW_MW_ROUTE_ENDPOINT: the endpoint, else NULL */
    /* The request the proxy will see (headers with canonical names, path parameters, claims
     * after validation); a middleware may change it (gw_inreq_own_strings before replacing one
     * of its strings). Set in the endpoint slots, and in GW_MW_ENGINE for endpoint routes;
     * NULL otherwise. */
    struct gw_inreq *in;
    int64_t now_ms; /* cmn_clock_mono_ms() read once for the request */
};

enum gw_mw_verdict {
    GW_MW_NEXT = 0, /* go on */
    GW_MW_ANSWER,   /* answer with *answer (owned by the server from here; NULL = 500) */
    GW_MW_CLOSE,    /* drop the connection without an answer (Go's handler panicked) */
};

/* What a middleware's request hook may do besides its verdict. */
struct gw_mw_out {
    struct gw_hdrs *headers;           /* added to the final answer, whoever writes it */
    struct cmn_http_response **answer; /* set with GW_MW_ANSWER */
    void **state;                      /* per-request state handed to done (NULL = none) */
};

struct gw_mw {
    const char *name; /* for logs: "security/cors" */
    enum gw_mw_slot slot;
    void *ctx; /* the middleware's own, freed by free() */
    enum gw_mw_verdict (*request)(void *ctx, const struct gw_mw_request *rq, struct gw_mw_out *out);
    /* The request was answered with resp (already carrying the added headers; the hook may add
     * more) or, when resp is NULL, the connection was dropped. Runs, on the thread that
     * answers, for every request whose `request` hook ran, with the state it set; inner
     * middlewares first. rq->in is NULL by then. May be NULL. */
    void (*done)(void *ctx, void *state, const struct gw_mw_request *rq,
                 struct cmn_http_response *resp);
    void (*free)(void *ctx);
    /* Endpoint slots, optional: answers the request from the proxy's outcome instead of the
     * endpoint handler (X-Krakend, X-Krakend-Completed, output encodings). resp (may be NULL,
     * changeable, still the caller's) and err (n == 0: none) are borrowed; returns an owned
     * answer (NULL = 500). Runs on the thread that finishes the call. At most one middleware
     * of an endpoint renders; one that only renders may leave `request` NULL. */
    struct cmn_http_response *(*render)(void *ctx, const struct gw_endpoint *ep,
                                        struct gw_presp *resp, const struct gw_pipe_err *err);
};

/* A module's factory. build() is asked once with ep NULL (service level) and once per endpoint;
 * it fills *mw and returns true, sets mw->request and mw->render NULL when it has nothing there,
 * or returns false with err set to refuse the configuration. Warnings go to the log directly. */
struct gw_mw_factory {
    const char *name;
    void *ctx;
    bool (*build)(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                  struct gw_mw *mw, struct cmn_err *err);
};

/* For a module whose middlewares work together across slots (the telemetry's global layer in
 * GW_MW_OUTER and its route tagger in GW_MW_ENDPOINT): the state that a middleware with this
 * ctx set earlier for the same request, or NULL when none did. Only for the rq a hook received. */
void *gw_mw_state_of(const struct gw_mw_request *rq, const void *ctx);

/* ---- for the router: the chains, and one request's run through them ---- */

#define GW_MW_MAX_RAN 16 /* middlewares one request may pass through */

struct gw_mw_chains;

/* Builds the chains from the factories, in order; NULL factories list = no middleware. Owned
 * (gw_mw_chains_free; *out stays NULL when no factory built any middleware), or false with err
 * set. */
bool gw_mw_chains_build(const struct gw_config *cfg, const struct gw_mw_factory *const *f, size_t n,
                        struct gw_mw_chains **out, struct cmn_err *err);
void gw_mw_chains_free(struct gw_mw_chains *c);

/* One request's way through the chains (embedded in the router's per-request state). */
struct gw_mw_run {
    struct gw_mw_request rq;
    struct gw_hdrs headers; /* added to the answer; initialised on first use */
    bool has_headers;
    size_t n_ran;
    struct {
        const struct gw_mw *mw;
        void *state;
    } ran[GW_MW_MAX_RAN];
};

/* Runs the middlewares of `slot` (ep_index: the endpoint's, for the endpoint slots). On
 * GW_MW_ANSWER, *answer holds the answer (NULL = 500). */
enum gw_mw_verdict gw_mw_run_slot(const struct gw_mw_chains *c, enum gw_mw_slot slot,
                                  size_t ep_index, struct gw_mw_run *run,
                                  struct cmn_http_response **answer);
/* The endpoint's `render` hook, if one of its middlewares has it: true with *answer set (owned,
 * NULL = 500); false when the endpoint handler renders as usual. c may be NULL. */
bool gw_mw_render(const struct gw_mw_chains *c, size_t ep_index, const struct gw_endpoint *ep,
                  struct gw_presp *resp, const struct gw_pipe_err *err,
                  struct cmn_http_response **answer);

/* Before the answer goes out (resp NULL: the connection is dropped): adds the middlewares'
 * headers to resp and runs their `done` hooks. Cheap when no middleware ran. */
void gw_mw_run_finish(struct gw_mw_run *run, struct cmn_http_response *resp);

#endif
