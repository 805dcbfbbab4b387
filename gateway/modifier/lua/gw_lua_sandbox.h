/* gw_lua_sandbox.h - the global environment every session gets: Lua 5.1's libraries as
 * KrakenD opens them (allow_open_libs false: base, package and table; true: also string, math,
 * os, io, coroutine and debug), KrakenD's helpers and objects, each session with its own copy of
 * whatever it touches. */
#ifndef GW_LUA_SANDBOX_H
#define GW_LUA_SANDBOX_H

#include <lua.h>
#include <stdbool.h>

/* Sets a new VM up (inside a protected call): libraries, the two templates, the metatables. */
void gw_lua_sandbox_init(lua_State *L);

/* Pushes a fresh environment for a session (inside a protected call). Globals are copied from the
 * template on first use: a library table is copied whole, so a script that changes `table` or
 * `string` changes only its own. */
void gw_lua_sandbox_env(lua_State *L, bool open_libs);

#endif
