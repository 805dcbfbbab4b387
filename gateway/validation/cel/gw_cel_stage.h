/* gw_cel_stage.h - validation/cel in the gateway (spec §6): the endpoint's checks as a proxy
 * stage (gw_pstage.h, inside Lua, outside JSON schema) and each backend's as a backend stage
 * (gw_stage.h, inside Lua backend, outside martian). */
#ifndef GW_CEL_STAGE_H
#define GW_CEL_STAGE_H

#include "gw_cel.h"
#include "gw_gojson.h"
#include "gw_pstage.h"
#include "gw_stage.h"

/* The factories the composition root lists (ctx unused). */
extern const struct gw_pstage_factory gw_cel_endpoint_factory;
extern const struct gw_stage_factory gw_cel_backend_factory;

/* The JWT phase of an endpoint's checks (spec §6.5): KrakenD runs it inside auth/validator, after
 * the signature and registered claims, before roles and scopes; a rejection answers 401. The
 * composition root hands it to the validator as its endpoint rejecter. NULL with *ok true when the
 * endpoint has no JWT expression or a parse error disabled the rejecter (fail-open, DEBUG log);
 * NULL with *ok false and err set when out of memory. Owned: gw_cel_rejecter_destroy. */
struct gw_cel_rejecter;
struct gw_cel_rejecter *gw_cel_rejecter_new(const struct gw_endpoint *ep, struct cmn_err *err,
                                            bool *ok);
/* true when the verified claims (the token's payload object) are rejected. Thread-safe. */
bool gw_cel_rejecter_rejects(const struct gw_cel_rejecter *r, const json_t *claims);
void gw_cel_rejecter_destroy(struct gw_cel_rejecter *r);

/* Backend data (an object; anything else is null) as a CEL map read in place, numbers as
 * Lura's json.Number text. Borrowed: j must outlive the evaluation. */
struct gw_cel_val gw_cel_gojson(const struct gw_json *j);

#endif
