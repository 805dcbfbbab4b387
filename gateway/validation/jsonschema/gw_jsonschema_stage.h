/* gw_jsonschema_stage.h - validation/json-schema in the gateway (spec §5.2): each endpoint's
 * schema checks the request body as a proxy stage (gw_pstage.h), inside endpoint-level CEL. */
#ifndef GW_JSONSCHEMA_STAGE_H
#define GW_JSONSCHEMA_STAGE_H

#include "gw_pstage.h"

/* The factory the composition root lists (ctx unused). */
extern const struct gw_pstage_factory gw_jsonschema_factory;

#endif
