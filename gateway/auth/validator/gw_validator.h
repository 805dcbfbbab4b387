/* gw_validator.h - KrakenD's auth/validator on the request path: the auth provider the runtime
 * calls (gw_auth.h), built from the endpoints' validator blocks, with one shared JWKS registry
 * and one verified-token cache for the whole gateway. */
#ifndef GW_VALIDATOR_H
#define GW_VALIDATOR_H

#include "cmn_clock.h"
#include "cmn_err.h"
#include "gw_auth.h"
#include "gw_config.h"
#include "gw_jwt.h"

#include <stdbool.h>

struct gw_validator;

/* Creates the validator for cfg (borrowed; must outlive it). clock (borrowed, must outlive
 * it; NULL = cmn_clock_system()) is the only time it reads: token times (exp, nbf, iat and the
 * token cache), parked requests' deadlines, and the JWKS registry's schedule. Returns an owned
 * validator or NULL with err set. Endpoints register when the server starts (gw_auth's
 * endpoint_init). */
struct gw_validator *gw_validator_new(const struct gw_config *cfg, const struct cmn_clock *clock,
                                      struct cmn_err *err);

/* The provider to hand to gw_server_start(); borrowed, valid while v lives. */
const struct gw_auth_provider *gw_validator_provider(struct gw_validator *v);

/* Installs the rejecter every valid token of every protected endpoint is shown before its
 * roles and scopes (auth/revoker; copied; NULL removes it). Call before gw_server_start();
 * rej->ctx must outlive the validator's use of it (until gw_server_stop()). */
void gw_validator_set_rejecter(struct gw_validator *v, const struct gw_jwt_rejecter *rej);

/* krakend-jose's RejecterFactory: an endpoint's own rejecter, run after the global one (the
 * bloom filter first, then validation/cel's JWT phase). make() runs when a protected endpoint
 * registers; it leaves out->rejected NULL for none, or returns false with err set (out of
 * memory), which stops the start. release() frees out->ctx when the endpoint goes. */
struct gw_jwt_rejecter_factory {
    bool (*make)(void *ctx, const struct gw_endpoint *ep, struct gw_jwt_rejecter *out,
                 struct cmn_err *err);
    void (*release)(void *rejecter_ctx);
    void *ctx;
};

/* Installs the endpoint rejecter factory (copied; NULL removes it). Call before
 * gw_server_start(). */
void gw_validator_set_rejecter_factory(struct gw_validator *v,
                                       const struct gw_jwt_rejecter_factory *f);

/* Starts fetching keys in the background; call once after gw_server_start() has registered
 * every endpoint. Never waits on the network. */
bool gw_validator_start(struct gw_validator *v, struct cmn_err *err);

/* Stops the key fetcher and frees everything; call after gw_server_stop(). NULL accepted. */
void gw_validator_destroy(struct gw_validator *v);

/* What `gateway check` reports about every endpoint's validator block, without any network or
 * file access: calls warn() for what KrakenD still starts with (an insecure jwk_url makes the
 * endpoint answer 401, unsupported options, ...) and returns false with err for what stops
 * KrakenD at startup (unknown alg, cache with jwk_local_path, bad fingerprints, ...). */
bool gw_validator_check_config(const struct gw_config *cfg,
                               void (*warn)(void *ctx, const char *msg), void *ctx,
                               struct cmn_err *err);

#endif
