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

/* Backend data (an object; anything else is null) as a CEL map read in place, numbers as
 * Lura's json.Number text. Borrowed: j must outlive the evaluation. */
struct gw_cel_val gw_cel_gojson(const struct gw_json *j);

#endif
