/* gw_signer.h - auth/signer (krakend-telemetry-validation.md §7): an endpoint whose response
 * fields are signed into JWS tokens. It plugs into the router's middleware seam (gw_mw.h): it
 * renders the endpoint's answer instead of the endpoint handler (status of a no-op backend or
 * 200, its headers, Go's JSON, no X-Krakend), and answers 401 to every request when the signer
 * could not be built (bad options, key set unreachable, unknown kid, key that cannot sign). */
#ifndef GW_SIGNER_H
#define GW_SIGNER_H

#include "cmn_err.h"
#include "gw_gojson.h"
#include "gw_mw.h"
#include "gw_signer_key.h"

#include <jansson.h>
#include <stdbool.h>

#define GW_SIGNER_NAMESPACE "github.com/devopsfaith/krakend-jose/signer"

/* The factory for gw_modules.c: first of the GW_MW_AUTHENTICATED slot (krakend-jose's signer
 * handler sits right below the validator). */
extern const struct gw_mw_factory gw_signer_factory;

/* The signer of one endpoint, as built from its options (exposed for tests). */
struct gw_signer;

/* Builds the signer from the namespace object ns (borrowed) of the endpoint at path ("/token",
 * for log lines): options decoded as Go's json.Unmarshal does, then the key set read from
 * jwk_local_path or fetched from jwk_url, the kid looked up, the algorithm checked against the
 * key. NULL with err set when any step fails (KrakenD's "Unable to create the signer: <err>"). */
struct gw_signer *gw_signer_new(const json_t *ns, const char *path, struct cmn_err *err);
void gw_signer_destroy(struct gw_signer *s);

/* Replaces each keys_to_sign member of data (an object or NULL) whose value is an object by its
 * JWS (compact, or the JSON serialization with `full`), in config order. false with err set when
 * a signature fails (the rest is left as it is). */
bool gw_signer_sign_fields(const struct gw_signer *s, struct gw_json *data, struct cmn_err *err);

#endif
