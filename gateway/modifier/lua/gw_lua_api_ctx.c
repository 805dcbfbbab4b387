/* gw_lua_api_ctx.c - the `ctx` object of modifier/lua-endpoint (krakend-lua's router/gin):
 * the client's request before Lura reads it (../shared/spec/krakend-config-transform.md §4.4).
 * What it changes (headers, query, parameters, body, method, host) is what the endpoint's
 * backends are then built from. */
#include "gw_lua_int.h"

#include "cmn_buf.h"
#include "cmn_go_header.h"
#include "cmn_go_url.h"
#include "cmn_go_values.h"
#include "cmn_str.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

static struct gw_inreq *ctx_req(lua_State *L)
{
    gw_lua_check_ud(L, 1, GW_LUA_UD_CTX, "ginContext expected");
    return gw_lua_session_target(gw_lua_current(L))->in;
}

int gw_lua_ctx_load(lua_State *L)
{
    const struct gw_lua_target *t = gw_lua_session_target(gw_lua_current(L));

    if (t->kind != GW_LUA_T_CTX)
        return luaL_error(L, "ctx is not available here: modifier/lua-endpoint has it");
    gw_lua_push_ud(L, GW_LUA_UD_CTX, NULL, false, NULL);
    return 1;
}

/* Replaces *field (a string of r) by s[0, n); r's strings are made separate first. */
void gw_lua_replace_field(lua_State *L, struct gw_inreq *r, char **field, const char *s, size_t n)
{
    char *c;

    if (!gw_inreq_own_strings(r))
        luaL_error(L, "not enough memory");
    c = malloc(n + 1);
    if (!c)
        luaL_error(L, "not enough memory");
    memcpy(c, s, n);
    c[n] = '\0';
    free(*field);
    *field = c;
}

static int ctx_method(lua_State *L)
{
    struct gw_inreq *r = ctx_req(L);
    size_t n;

    if (lua_gettop(L) == 1) {
        lua_pushstring(L, r->method ? r->method : "");
        return 1;
    }
    const char *m = gw_lua_arg_string(L, 2, &n);
    gw_lua_replace_field(L, r, &r->method, m, n);
    return 0;
}

/* url(): the request URI as Go's URL.String() gives it for a server request. */
static int ctx_url(lua_State *L)
{
    struct gw_inreq *r = ctx_req(L);
    struct gw_lua_target *t = gw_lua_session_target(gw_lua_current(L));
    struct cmn_buf b;
    size_t n;

    if (lua_gettop(L) == 1) {
        const char *raw = t->raw_path ? t->raw_path : r->path;
        const char *q = r->raw_query ? r->raw_query : "";
        size_t room = 3 * strlen(raw) + strlen(q) + 2;
        char *out;
        if (t->url_set) {
            lua_pushstring(L, t->url_set);
            return 1;
        }
        out = lua_newuserdata(L, room + 1); /* nothing of C's is held when a push raises */
        cmn_buf_init(&b, room);
        if (!cmn_go_escaped_path(raw, strlen(raw), &b))
            cmn_go_path_escape(r->path, strlen(r->path), &b);
        if (q[0])
            cmn_buf_printf(&b, "?%s", q);
        memcpy(out, cmn_buf_str(&b), b.len + 1);
        cmn_buf_free(&b);
        lua_pushstring(L, out);
        return 1;
    }
    /* url(u): Lura reads the path and the query from the new URL */
    const char *u = gw_lua_arg_string(L, 2, &n);
    const char *hash = memchr(u, '#', n);
    size_t ul = hash ? (size_t)(hash - u) : n;
    const char *q = memchr(u, '?', ul);
    const char *path = u;
    size_t pl = q ? (size_t)(q - u) : ul;
    const char *scheme = strstr(u, "://");
    if (scheme && scheme < path + pl) { /* an absolute URL: its path starts after the host */
        const char *slash = memchr(scheme + 3, '/', (size_t)(path + pl - scheme - 3));
        pl = slash ? (size_t)(path + pl - slash) : 0;
        path = slash ? slash : "";
    }
    char *dec = lua_newuserdata(L, pl + 1);
    if (!cmn_go_unescape(path, pl, false, dec, &n))
        return 0; /* url.Parse fails: Go leaves a nil URL; nothing here changes */
    gw_lua_replace_field(L, r, &r->path, dec, n);
    gw_lua_replace_field(L, r, &r->raw_query, q ? q + 1 : "", q ? ul - (size_t)(q + 1 - u) : 0);
    t->url_set = gw_lua_session_keep(L, gw_lua_current(L), u, ul);
    return 0;
}

static int ctx_host(lua_State *L)
{
    struct gw_inreq *r = ctx_req(L);
    size_t n;

    if (lua_gettop(L) == 1) {
        lua_pushstring(L, r->host ? r->host : "");
        return 1;
    }
    const char *h = gw_lua_arg_string(L, 2, &n);
    gw_lua_replace_field(L, r, &r->host, h, n);
    return 0;
}

/* Go's Values.Get / Set+Encode over a raw query, into out (room for the result): C memory only,
 * so that nothing leaks when the Lua call that follows raises. false: out of memory. */
bool gw_lua_query_op(const char *raw, const char *k, const char *v, char *out, size_t room)
{
    struct cmn_go_values q;
    struct cmn_buf b;
    bool ok;

    cmn_go_values_init(&q, 4096);
    cmn_buf_init(&b, room - 1);
    ok = cmn_go_values_parse(&q, raw, strlen(raw));
    if (ok && v) {
        ok = cmn_go_values_set(&q, k, v) && cmn_go_values_encode(&q, &b);
    } else if (ok && k) {
        const char *got = cmn_go_values_get(&q, k);
        ok = cmn_buf_append_str(&b, got ? got : "") == CMN_BUF_OK;
    } else if (ok) {
        ok = cmn_go_values_encode(&q, &b);
    }
    if (ok)
        memcpy(out, cmn_buf_str(&b), b.len + 1);
    cmn_buf_free(&b);
    cmn_go_values_free(&q);
    return ok;
}

/* Room any query result needs: every byte escaped, plus the new pair. */
size_t gw_lua_query_room(const char *raw, size_t extra)
{
    return 3 * (strlen(raw) + extra) + 8;
}

static int ctx_query(lua_State *L)
{
    struct gw_inreq *r = ctx_req(L);
    const char *raw = r->raw_query ? r->raw_query : "";
    size_t kl = 0, vl = 0;
    const char *k, *v = NULL;
    char *out;

    if (lua_gettop(L) == 1)
        return luaL_error(L, "need arguments");
    k = gw_lua_arg_string(L, 2, &kl);
    if (lua_gettop(L) >= 3)
        v = gw_lua_arg_string(L, 3, &vl);
    out = lua_newuserdata(L, gw_lua_query_room(raw, kl + vl));
    if (!gw_lua_query_op(raw, k, v, out, gw_lua_query_room(raw, kl + vl)))
        return luaL_error(L, "not enough memory");
    if (!v) {
        lua_pushstring(L, out);
        return 1;
    }
    gw_lua_replace_field(L, r, &r->raw_query, out, strlen(out));
    return 0;
}

static int ctx_params(lua_State *L)
{
    struct gw_inreq *r = ctx_req(L);
    const char **keys, **vals;
    const char *k, *v;

    switch (lua_gettop(L)) {
    case 1:
        /* the arrays live in the VM: an error on the way leaks nothing */
        keys = lua_newuserdata(L, (2 * r->n_params + 1) * sizeof(*keys));
        vals = keys + r->n_params;
        for (size_t i = 0; i < r->n_params; i++) {
            keys[i] = r->params[i].name;
            vals[i] = r->params[i].value;
        }
        gw_lua_push_string_map(L, keys, vals, r->n_params);
        return 1;
    case 2:
        k = gw_lua_arg_string(L, 2, NULL);
        for (size_t i = 0; i < r->n_params; i++) {
            if (strcmp(r->params[i].name, k) == 0) {
                lua_pushstring(L, r->params[i].value);
                return 1;
            }
        }
        lua_pushliteral(L, "");
        return 1;
    default:
        k = gw_lua_arg_string(L, 2, NULL);
        v = gw_lua_arg_string(L, 3, NULL);
        gw_lua_inreq_set_param(L, r, k, v);
        return 0;
    }
}

void gw_lua_inreq_set_param(lua_State *L, struct gw_inreq *r, const char *k, const char *v)
{
    char *nv = strdup(v), *nk;
    struct gw_reqparam *p;

    if (!nv)
        luaL_error(L, "not enough memory");
    for (size_t i = 0; i < r->n_params; i++) {
        if (strcmp(r->params[i].name, k) == 0) {
            free(r->params[i].value);
            r->params[i].value = nv;
            return;
        }
    }
    nk = strdup(k);
    p = nk ? realloc(r->params, (r->n_params + 1) * sizeof(*p)) : NULL;
    if (!p) {
        free(nk);
        free(nv);
        luaL_error(L, "not enough memory");
    }
    r->params = p;
    r->params[r->n_params].name = nk;
    r->params[r->n_params].value = nv;
    r->n_params++;
}

/* headers(k), headers(k, v), headers(k, nil) on a request's headers (names canonical). */
int gw_lua_req_headers(lua_State *L, struct gw_hdrs *h)
{
    char canon[256];
    const char *v;

    switch (lua_gettop(L)) {
    case 1:
        gw_lua_push_hdrs_table(L, h);
        return 1;
    case 2:
        cmn_go_canonical_header(gw_lua_arg_string(L, 2, NULL), canon, sizeof(canon));
        v = gw_hdrs_get(h, canon);
        lua_pushstring(L, v ? v : "");
        return 1;
    case 3:
        cmn_go_canonical_header(gw_lua_arg_field(L, 2), canon, sizeof(canon));
        if (lua_isnil(L, 3)) {
            gw_hdrs_del(h, canon);
            return 0;
        }
        /* kept as written: Go's client refuses an invalid field when the request is sent */
        if (!gw_hdrs_set(h, canon, gw_lua_arg_field(L, 3)))
            return luaL_error(L, "lua: too many headers");
        return 0;
    default:
        return 0;
    }
}

int gw_lua_req_header_list(lua_State *L, struct gw_hdrs *h)
{
    char canon[256];

    switch (lua_gettop(L)) {
    case 1:
        return luaL_error(L, "need arguments");
    case 2:
        cmn_go_canonical_header(gw_lua_arg_string(L, 2, NULL), canon, sizeof(canon));
        gw_lua_push_hdr_list(L, h, canon, false);
        return 1;
    default:
        cmn_go_canonical_header(gw_lua_arg_field(L, 2), canon, sizeof(canon));
        gw_lua_set_hdr_list(L, 3, h, canon);
        return 0;
    }
}

static int ctx_headers(lua_State *L)
{
    return gw_lua_req_headers(L, &ctx_req(L)->headers);
}

static int ctx_header_list(lua_State *L)
{
    return gw_lua_req_header_list(L, &ctx_req(L)->headers);
}

/* body() / body(s) on a client request. */
int gw_lua_inreq_body(lua_State *L, struct gw_inreq *r)
{
    size_t n;

    if (lua_gettop(L) == 2) {
        const char *b = gw_lua_arg_string(L, 2, &n);
        gw_lua_replace_field(L, r, &r->body, b, n);
        r->body_len = n;
        return 0;
    }
    lua_pushlstring(L, r->body ? r->body : "", r->body ? r->body_len : 0);
    return 1;
}

static int ctx_body(lua_State *L)
{
    return gw_lua_inreq_body(L, ctx_req(L));
}

void gw_lua_api_ctx_init(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"method", ctx_method},
        {"url", ctx_url},
        {"host", ctx_host},
        {"query", ctx_query},
        {"params", ctx_params},
        {"headers", ctx_headers},
        {"headerList", ctx_header_list},
        {"body", ctx_body},
        {NULL, NULL},
    };

    gw_lua_set_methods(L, GW_LUA_UD_CTX, methods);
}
