/* gw_auth.h - the seam between the runtime and an authentication step (the JWT validator).
 *
 * A provider is handed to gw_server_start(). At start the server asks it, for every
 * endpoint, whether the endpoint is protected (endpoint_init); for each request of a protected
 * endpoint it calls check() after routing and the path-parameter check, before the proxy runs
 * (KrakenD's order: the validator wraps Lura's endpoint handler).
 *
 * check() must finish the call exactly once, either before it returns or later from any thread
 * (e.g. after fetching a JWKS), with gw_auth_call_accept() or gw_auth_call_reject(). The request
 * stays valid until then. A rejection is answered with the given status, an empty body and no
 * X-Krakend headers, as krakend-jose does. */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#include "cmn_err.h"
#include "cmn_http.h"
#include "gw_config.h"
#include "gw_message.h"

#include <stdbool.h>
#include <stddef.h>

struct gw_auth_call; /* one request under validation; owned by the runtime */

struct gw_auth_provider {
    void *ctx;
    /* Called once per endpoint at start. Sets *ep_state (NULL = endpoint not protected) and
     * returns true, or returns false with err set to refuse the configuration. May log the
     * "[ENDPOINT: /x][JWTValidator] Validator enabled for this endpoint" lines. */
    bool (*endpoint_init)(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                          void **ep_state, struct cmn_err *err);
    void (*endpoint_free)(void *ctx, void *ep_state);
    /* Validates one request; see the rules above. Runs on an HTTP worker thread. */
    void (*check)(void *ctx, void *ep_state, struct gw_auth_call *call);
    /* The server is stopping (may be NULL): finish every call still held, promptly. */
    void (*stop)(void *ctx);
};

/* The incoming request (borrowed; valid until the call is finished). */
const struct cmn_http_request *gw_auth_call_request(const struct gw_auth_call *call);

/* Sets a header on the incoming request, replacing every value it had (claim propagation).
 * Only before accept/reject. false on allocation failure or when the header cap is reached. */
bool gw_auth_call_set_header(struct gw_auth_call *call, const char *name, const char *value);
/* Adds one more value (propagate_claims_preserve_array). */
bool gw_auth_call_add_header(struct gw_auth_call *call, const char *name, const char *value);

/* Lets the request through. claims_ctx (may be NULL) answers {JWT.x} lookups through claim();
 * claims_free (may be NULL) is called on claims_ctx when the request is over. */
void gw_auth_call_accept(struct gw_auth_call *call, void *claims_ctx, gw_auth_claim_fn claim,
                         void (*claims_free)(void *claims_ctx));
/* Refuses the request with status (401 or 403): empty body, no X-Krakend headers. */
void gw_auth_call_reject(struct gw_auth_call *call, unsigned status);

#endif
