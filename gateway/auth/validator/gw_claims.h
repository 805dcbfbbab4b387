/* gw_claims.h - a verified token's claims: registered-claim checks (RFC 7519 §4.1), roles and
 * scopes (krakend-compat §4.5), and the values KrakenD propagates (§4.7). */
#ifndef GW_CLAIMS_H
#define GW_CLAIMS_H

#include "cmn_err.h"
#include "gw_jwt.h"
#include "gw_validator_config.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps on what one claim turns into: a header value, a list of them. */
#define GW_CLAIM_VALUE_MAX (8 * 1024)
#define GW_CLAIM_VALUES_MAX 64

/* Immutable, reference-counted claims of one verified token (the verified-token cache shares
 * them across requests). */
struct gw_claims;

/* Wraps a JSON object (takes over the caller's reference). Returns owned claims, NULL on
 * allocation failure (the reference is released). */
struct gw_claims *gw_claims_new(json_t *payload);
struct gw_claims *gw_claims_ref(struct gw_claims *c);
void gw_claims_unref(struct gw_claims *c); /* NULL accepted */
/* Borrowed payload object; do not modify it. */
const json_t *gw_claims_json(const struct gw_claims *c);


/* The value as KrakenD's Claims.Get renders it (§4.7): strings as is, whole numbers as
 * integers, other numbers with %f, arrays joined with "," using Go's %v, objects as compact
 * JSON with sorted keys, true/false, null. Owned string, NULL when the claim is missing or on
 * allocation failure. */
char *gw_claims_value_text(const json_t *v);

/* Registered claims (RFC 7519 §4.1) checked in go-jose's order: types (iss, sub, jti strings;
 * aud string or array of strings; exp, nbf, iat numbers), iss, aud (all configured present),
 * nbf, exp, iat against now with vc->leeway_s. Returns GW_JWT_OK or the failed check, and sets err
 * to KrakenD's wording ("go-jose/go-jose/jwt: validation failed, token is expired (exp)"). */
enum gw_jwt_result gw_claims_check_registered(const struct gw_claims *c,
                                              const struct gw_validator_config *vc, int64_t now,
                                              struct cmn_err *err);

/* Roles: true when vc->roles is empty or the roles claim holds one of them (§4.5). */
bool gw_claims_roles_ok(const struct gw_claims *c, const struct gw_validator_config *vc);
/* Scopes: true when vc->scopes or vc->scopes_key is empty, else by vc->scopes_matcher. */
bool gw_claims_scopes_ok(const struct gw_claims *c, const struct gw_validator_config *vc);

/* Receives one header to set (replace) on the request: values[0..n) (n >= 1; "" for a missing
 * claim). The strings are borrowed for the duration of the call. */
typedef void (*gw_claims_header_fn)(void *ctx, const char *header, const char *const *values,
                                    size_t n);

/* Computes propagate_claims (§4.7) and calls set once per configured pair, in config order.
 * Returns false on allocation failure (some headers may have been set). */
bool gw_claims_propagate(const struct gw_claims *c, const struct gw_validator_config *vc,
                         gw_claims_header_fn set, void *ctx);

/* Value of {JWT.<name>} in a backend url_pattern (top-level claim, no nesting): owned text, or
 * NULL when the claim is missing (KrakenD then leaves the placeholder as is). */
char *gw_claims_url_param(const struct gw_claims *c, const char *name);

#endif
