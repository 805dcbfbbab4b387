/* gw_lua_sandbox.c - the libraries and globals a session sees (gw_lua_sandbox.h).
 *
 * One VM serves many sessions, so what KrakenD gets from a fresh state per request is made here
 * by giving each session its own global table: a template per library set holds the originals,
 * and an environment's __index copies a global on first use (a library table as a whole).
 * Functions that would reach past the environment are replaced: getfenv never hands out the
 * VM's own globals, require keeps modules per session, debug cannot reach the registry or the
 * hook, load* refuse bytecode (LuaJIT does not verify it), pcall cannot swallow the end of the
 * instruction budget, collectgarbage cannot stop the collector, os.exit cannot stop the
 * gateway. */
#include "gw_lua_sandbox.h"

#include "gw_lua_int.h"

#include <lauxlib.h>
#include <lualib.h>
#include <string.h>

static char K_TEMPLATE[2], K_MT[2], K_PATH; /* registry keys: their addresses */
static char M_G, M_PACKAGE;                 /* template markers for _G and package */

/* Pushes a shallow copy of the table at idx. */
static void copy_table(lua_State *L, int idx)
{
    idx = idx < 0 && idx > LUA_REGISTRYINDEX ? lua_gettop(L) + idx + 1 : idx;
    lua_createtable(L, 0, 4); /* most are KrakenD's one-function tables; libraries grow */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
}

/* A session's package: its own loaded/preload, the path KrakenD's would have, no C loaders. */
static void push_package(lua_State *L)
{
    lua_createtable(L, 0, 5);
    lua_newtable(L);
    lua_setfield(L, -2, "loaded");
    lua_newtable(L);
    lua_setfield(L, -2, "preload");
    lua_pushlightuserdata(L, &K_PATH);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_setfield(L, -2, "path");
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "cpath");
    lua_pushliteral(L, "/\n;\n?\n!\n-");
    lua_setfield(L, -2, "config");
}

/* env.__index(env, key): the template's value, copied into env on first use. */
static int lazy_global(lua_State *L)
{
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    if (lua_isnil(L, -1))
        return 1;
    if (lua_touserdata(L, -1) == &M_G) {
        lua_pop(L, 1);
        lua_pushvalue(L, 1);
    } else if (lua_touserdata(L, -1) == &M_PACKAGE) {
        lua_pop(L, 1);
        push_package(L);
    } else if (lua_istable(L, -1)) {
        copy_table(L, -1);
        lua_remove(L, -2);
    }
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

/* ("s"):method(): the session's own string table when it has the library, else nothing. */
static int string_index(lua_State *L)
{
    struct gw_lua_session *s = gw_lua_current(L);

    if (!s || !gw_lua_session_open_libs(s)) {
        lua_pushnil(L);
        return 1;
    }
    lua_getfield(L, LUA_GLOBALSINDEX, "string");
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, lua_upvalueindex(1));
    }
    lua_pushvalue(L, 2);
    lua_gettable(L, -2);
    return 1;
}

/* ---- base functions that would reach past the environment --------------------------------- */

static int l_getfenv(lua_State *L)
{
    lua_Debug ar;

    if (lua_isfunction(L, 1)) {
        if (lua_iscfunction(L, 1))
            lua_pushvalue(L, LUA_GLOBALSINDEX); /* never the VM's own globals */
        else
            lua_getfenv(L, 1);
        return 1;
    }
    int level = (int)luaL_optinteger(L, 1, 1);
    if (level < 0)
        return luaL_argerror(L, 1, "level must be non-negative");
    if (level == 0) {
        lua_pushvalue(L, LUA_GLOBALSINDEX);
        return 1;
    }
    if (!lua_getstack(L, level, &ar))
        return luaL_argerror(L, 1, "invalid level");
    lua_getinfo(L, "f", &ar);
    if (lua_iscfunction(L, -1))
        lua_pushvalue(L, LUA_GLOBALSINDEX);
    else
        lua_getfenv(L, -1);
    return 1;
}

static int l_collectgarbage(lua_State *L)
{
    static const char *const opts[] = {"collect", "count",    "step",       "stop",
                                       "restart", "setpause", "setstepmul", NULL};
    int o = luaL_checkoption(L, 1, "collect", opts);

    switch (o) {
    case 0:
        lua_gc(L, LUA_GCCOLLECT, 0);
        lua_pushinteger(L, 0);
        return 1;
    case 1:
        lua_pushnumber(L, lua_gc(L, LUA_GCCOUNT, 0) + lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
        return 1;
    case 2:
        lua_pushboolean(L, lua_gc(L, LUA_GCSTEP, (int)luaL_optinteger(L, 2, 0)));
        return 1;
    default: /* the collector is the VM's, not the script's */
        lua_pushinteger(L, 0);
        return 1;
    }
}

static bool exhausted(lua_State *L)
{
    struct gw_lua_session *s = gw_lua_current(L);

    return s && gw_lua_session_exhausted(s);
}

static int l_pcall(lua_State *L)
{
    int st;

    luaL_checkany(L, 1);
    st = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    if (st != 0 && exhausted(L))
        return lua_error(L); /* the budget's end is not the script's to catch */
    lua_pushboolean(L, st == 0);
    lua_insert(L, 1);
    return lua_gettop(L);
}

static int l_xpcall(lua_State *L)
{
    int st;

    luaL_checkany(L, 2);
    lua_pushvalue(L, 1); /* f, h, args -> h, f, args */
    lua_pushvalue(L, 2);
    lua_replace(L, 1);
    lua_replace(L, 2);
    st = lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 1);
    if (st != 0 && exhausted(L))
        return lua_error(L);
    lua_pushboolean(L, st == 0);
    lua_replace(L, 1);
    return lua_gettop(L);
}

static int l_resume(lua_State *L)
{
    int n = lua_gettop(L);

    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    if (lua_toboolean(L, 1) == 0 && exhausted(L)) {
        lua_settop(L, 2);
        return lua_error(L);
    }
    return lua_gettop(L);
}

/* load/loadstring/loadfile with the mode forced to text. Upvalues: the original, the position
 * of its mode argument. */
static int l_load_text(lua_State *L)
{
    int at = (int)lua_tointeger(L, lua_upvalueindex(2));

    if (lua_gettop(L) < at)
        lua_settop(L, at);
    lua_pushliteral(L, "t");
    lua_replace(L, at);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int l_dofile(lua_State *L)
{
    const char *name = luaL_optstring(L, 1, NULL);

    lua_settop(L, 1);
    if (luaL_loadfilex(L, name, "t") != 0)
        return lua_error(L);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfenv(L, -2);
    lua_call(L, 0, LUA_MULTRET);
    return lua_gettop(L) - 1;
}

/* require: the session's package.loaded and preload, its libraries, then Lua files on
 * package.path (no C modules), each run in the session's environment. */
static int l_require(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const char *path, *file_name;

    lua_settop(L, 1);
    lua_getfield(L, LUA_GLOBALSINDEX, "package"); /* 2 */
    if (!lua_istable(L, 2))
        return luaL_error(L, "'package' must be a table");
    lua_getfield(L, 2, "loaded"); /* 3 */
    if (!lua_istable(L, 3))
        return luaL_error(L, "'package.loaded' must be a table");
    lua_getfield(L, 3, name);
    if (!lua_isnil(L, -1))
        return 1;
    lua_pop(L, 1);
    lua_pushlightuserdata(L, &K_TEMPLATE[1]); /* a library: the session's copy */
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_getfield(L, -1, name);
    bool lib = lua_istable(L, -1);
    lua_pop(L, 2);
    if (lib) {
        lua_getfield(L, LUA_GLOBALSINDEX, name);
        if (lua_istable(L, -1))
            return 1;
        lua_pop(L, 1);
    }
    lua_getfield(L, 2, "preload");
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, name);
        if (lua_isfunction(L, -1)) {
            lua_pushstring(L, name);
            lua_call(L, 1, 1);
            goto loaded;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "path"); /* 4 */
    path = lua_tostring(L, 4);
    if (!path)
        return luaL_error(L, "'package.path' must be a string");
    file_name = luaL_gsub(L, name, ".", "/"); /* 5 */
    lua_pushliteral(L, "");                   /* 6: the files tried */
    for (const char *p = path; *p;) {
        const char *semi = strchr(p, ';');
        size_t l = semi ? (size_t)(semi - p) : strlen(p);
        const char *file;
        int rc;
        lua_pushlstring(L, p, l);
        file = luaL_gsub(L, lua_tostring(L, -1), "?", file_name);
        lua_remove(L, -2); /* 7: the file */
        p = semi ? semi + 1 : p + l;
        rc = luaL_loadfilex(L, file, "t");
        if (rc == 0) {
            lua_pushvalue(L, LUA_GLOBALSINDEX);
            lua_setfenv(L, -2);
            lua_pushstring(L, name);
            lua_call(L, 1, 1);
            goto loaded;
        }
        if (rc != LUA_ERRFILE)
            return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, file,
                              lua_tostring(L, -1));
        lua_pop(L, 1);
        lua_pushfstring(L, "\n\tno file '%s'", file);
        lua_remove(L, -2);
        lua_concat(L, 2);
    }
    return luaL_error(L, "module '%s' not found:%s", name, lua_tostring(L, -1));
loaded:
    if (!lua_isnil(L, -1))
        lua_setfield(L, 3, name);
    else
        lua_pop(L, 1);
    lua_getfield(L, 3, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
        lua_pushvalue(L, -1);
        lua_setfield(L, 3, name);
    }
    return 1;
}

static int l_os_exit(lua_State *L)
{
    return luaL_error(L, "os.exit is not allowed: it would stop the gateway");
}

static int l_setupvalue(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    if (lua_iscfunction(L, 1))
        return luaL_argerror(L, 1, "Lua function expected");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int l_custom_error(lua_State *L)
{
    size_t len;
    const char *msg;
    int code = -1;
    const char *ct = NULL;

    switch (lua_gettop(L)) {
    case 0:
        return luaL_error(L, "need arguments");
    case 1:
        break;
    case 2:
        code = (int)luaL_checknumber(L, 2);
        break;
    default:
        code = (int)luaL_checknumber(L, 2);
        ct = gw_lua_arg_field(L, 3); /* refused when the answer is made */
    }
    msg = gw_lua_arg_string(L, 1, &len);
    return gw_lua_raise_custom(L, msg, len, code, ct);
}

/* ---- building ------------------------------------------------------------------------------- */

static void open_lib(lua_State *L, lua_CFunction f, const char *name)
{
    lua_pushcfunction(L, f);
    lua_pushstring(L, name);
    lua_call(L, 1, 0);
}

/* T[name] = a table with one function `fname`. */
static void set_module(lua_State *L, int t, const char *name, const char *fname, lua_CFunction f)
{
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, f);
    lua_setfield(L, -2, fname);
    lua_setfield(L, t, name);
}

/* T[name] = G[orig] as a text-only loader whose mode is argument mode_at. */
static void set_loader(lua_State *L, int t, const char *name, const char *orig, int mode_at)
{
    lua_getfield(L, LUA_GLOBALSINDEX, orig);
    lua_pushinteger(L, mode_at);
    lua_pushcclosure(L, l_load_text, 2);
    lua_setfield(L, t, name);
}

static void build_template(lua_State *L, bool open)
{
    static const char *const base[] = {
        "assert",   "error",  "ipairs", "next",     "pairs",        "print",        "rawequal",
        "rawget",   "rawset", "select", "setfenv",  "setmetatable", "getmetatable", "tonumber",
        "tostring", "type",   "unpack", "newproxy", "gcinfo",       "_VERSION",     NULL};
    static const char *const debug_keep[] = {"traceback",  "getinfo",  "getlocal",
                                             "getupvalue", "setlocal", NULL};
    int t;

    lua_createtable(L, 0, 48);
    t = lua_gettop(L);
    for (size_t i = 0; base[i]; i++) {
        lua_getfield(L, LUA_GLOBALSINDEX, base[i]);
        lua_setfield(L, t, base[i]);
    }
    lua_pushcfunction(L, l_getfenv);
    lua_setfield(L, t, "getfenv");
    lua_pushcfunction(L, l_collectgarbage);
    lua_setfield(L, t, "collectgarbage");
    lua_pushcfunction(L, l_pcall);
    lua_setfield(L, t, "pcall");
    lua_pushcfunction(L, l_xpcall);
    lua_setfield(L, t, "xpcall");
    lua_pushcfunction(L, l_require);
    lua_setfield(L, t, "require");
    lua_pushcfunction(L, l_dofile);
    lua_setfield(L, t, "dofile");
    set_loader(L, t, "load", "load", 3); /* load(chunk, name, mode, env) */
    set_loader(L, t, "loadstring", "load", 3);
    set_loader(L, t, "loadfile", "loadfile", 2); /* loadfile(name, mode, env) */
    lua_pushlightuserdata(L, &M_G);
    lua_setfield(L, t, "_G");
    lua_pushlightuserdata(L, &M_PACKAGE);
    lua_setfield(L, t, "package");
    lua_getfield(L, LUA_GLOBALSINDEX, "table");
    lua_setfield(L, t, "table");
    /* KrakenD's helpers and objects */
    lua_pushcfunction(L, l_custom_error);
    lua_setfield(L, t, "custom_error");
    set_module(L, t, "luaTable", "new", gw_lua_table_new);
    set_module(L, t, "luaList", "new", gw_lua_list_new);
    set_module(L, t, "luaNil", "new", gw_lua_nil_new);
    set_module(L, t, "http_response", "new", gw_lua_http_new);
    set_module(L, t, "ctx", "load", gw_lua_ctx_load);
    set_module(L, t, "request", "load", gw_lua_request_load);
    set_module(L, t, "response", "load", gw_lua_response_load);
    if (open) {
        static const char *const libs[] = {"string", "math", "io", NULL};
        for (size_t i = 0; libs[i]; i++) {
            lua_getfield(L, LUA_GLOBALSINDEX, libs[i]);
            lua_setfield(L, t, libs[i]);
        }
        lua_getfield(L, LUA_GLOBALSINDEX, "os");
        copy_table(L, -1);
        lua_pushcfunction(L, l_os_exit);
        lua_setfield(L, -2, "exit");
        lua_setfield(L, t, "os");
        lua_pop(L, 1);
        lua_getfield(L, LUA_GLOBALSINDEX, "coroutine");
        copy_table(L, -1);
        lua_getfield(L, -2, "resume");
        lua_pushcclosure(L, l_resume, 1);
        lua_setfield(L, -2, "resume");
        lua_setfield(L, t, "coroutine");
        lua_pop(L, 1);
        lua_getfield(L, LUA_GLOBALSINDEX, "debug");
        lua_createtable(L, 0, 8);
        for (size_t i = 0; debug_keep[i]; i++) {
            lua_getfield(L, -2, debug_keep[i]);
            lua_setfield(L, -2, debug_keep[i]);
        }
        lua_getfield(L, -2, "setupvalue");
        lua_pushcclosure(L, l_setupvalue, 1);
        lua_setfield(L, -2, "setupvalue");
        lua_setfield(L, t, "debug");
        lua_pop(L, 1);
    }
    lua_pushlightuserdata(L, &K_TEMPLATE[open]);
    lua_pushvalue(L, t);
    lua_rawset(L, LUA_REGISTRYINDEX);
    /* the environments' metatable: globals from this template, and no way to reach it */
    lua_pushlightuserdata(L, &K_MT[open]);
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, t);
    lua_pushcclosure(L, lazy_global, 1);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawset(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
}

void gw_lua_sandbox_init(lua_State *L)
{
    open_lib(L, luaopen_base, "");
    open_lib(L, luaopen_package, LUA_LOADLIBNAME);
    open_lib(L, luaopen_table, LUA_TABLIBNAME);
    open_lib(L, luaopen_string, LUA_STRLIBNAME);
    open_lib(L, luaopen_math, LUA_MATHLIBNAME);
    open_lib(L, luaopen_os, LUA_OSLIBNAME);
    open_lib(L, luaopen_io, LUA_IOLIBNAME);
    open_lib(L, luaopen_debug, LUA_DBLIBNAME);
    lua_pushlightuserdata(L, &K_PATH);
    lua_getfield(L, LUA_GLOBALSINDEX, "package");
    lua_getfield(L, -1, "path");
    lua_remove(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
    build_template(L, false);
    build_template(L, true);
    /* strings index the session's string library (or nothing without the open libraries) */
    lua_pushliteral(L, "");
    lua_createtable(L, 0, 2);
    lua_getfield(L, LUA_GLOBALSINDEX, "string");
    lua_pushcclosure(L, string_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
    gw_lua_data_init(L);
    gw_lua_api_ctx_init(L);
    gw_lua_api_proxy_init(L);
    gw_lua_http_init(L);
}

void gw_lua_sandbox_env(lua_State *L, bool open_libs)
{
    lua_createtable(L, 0, 8);
    lua_pushlightuserdata(L, &K_MT[open_libs]);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_setmetatable(L, -2);
}
