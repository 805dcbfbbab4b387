/* gw_martian.h - modifier/martian (krakend-martian over google/martian at 25dcb96,
 * ../shared/spec/krakend-config-transform.md §3): a backend stage that runs the configured
 * modifiers on the HTTP request about to be sent and on the HTTP answer before Lura decodes it.
 * Inner to Lua and CEL, outer to the HTTP cache, as KrakenD stacks them. */
#ifndef GW_MARTIAN_H
#define GW_MARTIAN_H

#include "gw_stage.h"

#define GW_NS_MARTIAN "github.com/devopsfaith/krakend-martian"

extern const struct gw_stage_factory gw_martian_factory;

#endif
