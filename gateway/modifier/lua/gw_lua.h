/* gw_lua.h - KrakenD's Lua modifiers (../shared/spec/krakend-config-transform.md §4):
 * modifier/lua-endpoint as router middlewares (a gin engine middleware at service level, in the
 * endpoint's chain after the validator), modifier/lua-proxy as a proxy stage around the
 * endpoint's pipe, modifier/lua-backend as a backend stage (after the breaker and the proxy
 * rate limit, before CEL and martian). The composition root lists these factories. */
#ifndef GW_LUA_H
#define GW_LUA_H

#include "gw_mw.h"
#include "gw_pstage.h"
#include "gw_stage.h"

#define GW_NS_LUA_ENDPOINT "github.com/devopsfaith/krakend-lua/router"
#define GW_NS_LUA_PROXY "github.com/devopsfaith/krakend-lua/proxy"
#define GW_NS_LUA_BACKEND "github.com/devopsfaith/krakend-lua/proxy/backend"

extern const struct gw_mw_factory gw_lua_endpoint_factory;
extern const struct gw_pstage_factory gw_lua_proxy_factory;
extern const struct gw_stage_factory gw_lua_backend_factory;

#endif
