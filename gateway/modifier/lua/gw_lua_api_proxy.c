/* gw_lua_api_proxy.c - the `request` and `response` objects of modifier/lua-proxy and
 * modifier/lua-backend (krakend-lua's proxy/request.go, response.go; ../shared/spec/
 * krakend-config-transform.md §4.4). At proxy level `request` is the client's request the
 * backends are built from; at backend level it is the backend request about to be sent, of
 * which only the method, URL, headers and body still change anything (KrakenD keeps the other
 * values, which change nothing, and so does the session). */
#include "gw_lua_int.h"

#include "cmn_buf.h"
#include "cmn_go_header.h"
#include "cmn_http_field.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "gw_proxy_request.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

static struct gw_lua_target *req_target(lua_State *L)
{
    gw_lua_check_ud(L, 1, GW_LUA_UD_REQUEST, "request expected");
    return gw_lua_session_target(gw_lua_current(L));
}

int gw_lua_request_load(lua_State *L)
{
    const struct gw_lua_target *t = gw_lua_session_target(gw_lua_current(L));

    if (t->kind == GW_LUA_T_CTX)
        return luaL_error(L, "request is not available here: modifier/lua-endpoint has ctx");
    gw_lua_push_ud(L, GW_LUA_UD_REQUEST, NULL, false, NULL);
    return 1;
}

static void keep(lua_State *L, const char **field, int idx)
{
    size_t n;
    const char *v = gw_lua_arg_string(L, idx, &n);

    *field = gw_lua_session_keep(L, gw_lua_current(L), v, n);
}

static int req_method(lua_State *L)
{
    struct gw_lua_target *t = req_target(L);
    size_t n;

    if (lua_gettop(L) == 1) {
        lua_pushstring(L, t->kind == GW_LUA_T_BACKEND ? t->out->method : t->in->method);
        return 1;
    }
    const char *m = gw_lua_arg_string(L, 2, &n);
    if (t->kind == GW_LUA_T_BACKEND) {
        char *c = cmn_strndup(m, n);
        if (!c)
            return luaL_error(L, "not enough memory");
        free(t->out->method);
        t->out->method = c;
    } else { /* the backend's own method is used later: no effect, as in KrakenD */
        gw_lua_replace_field(L, t->in, &t->in->method, m, n);
    }
    return 0;
}

/* The path part of a URL (after scheme://host), up to '?' or '#'. */
static void url_path(const char *url, const char **p, size_t *n)
{
    const char *s = strstr(url, "://");
    const char *start = s ? strchr(s + 3, '/') : url;

    if (!start) {
        *p = "";
        *n = 0;
        return;
    }
    *p = start;
    *n = strcspn(start, "?#");
}

static int req_path(lua_State *L)
{
    struct gw_lua_target *t = req_target(L);
    const char *p;
    size_t n;

    if (lua_gettop(L) > 1) {
        keep(L, &t->path_set, 2); /* Lura has already built the URL, or will build it */
        return 0;
    }
    if (t->path_set) {
        lua_pushstring(L, t->path_set);
    } else if (t->kind == GW_LUA_T_BACKEND) {
        url_path(t->out->url, &p, &n);
        lua_pushlstring(L, p, n);
    } else {
        lua_pushstring(L, t->in->path ? t->in->path : "");
    }
    return 1;
}

static int req_query(lua_State *L)
{
    struct gw_lua_target *t = req_target(L);
    const char *raw;
    char *out;
    size_t n;

    if (lua_gettop(L) > 1) {
        const char *q = gw_lua_arg_string(L, 2, &n);
        if (t->kind == GW_LUA_T_PROXY) /* the backends filter and encode it again */
            gw_lua_replace_field(L, t->in, &t->in->raw_query, q, n);
        else
            t->query_set = gw_lua_session_keep(L, gw_lua_current(L), q, n);
        return 0;
    }
    if (t->kind == GW_LUA_T_BACKEND && t->query_set) {
        raw = t->query_set;
    } else if (t->kind == GW_LUA_T_BACKEND) {
        /* Lura's query-string filter has run: what input_query_strings let through */
        struct cmn_buf b;
        const char *cq = t->client->raw_query ? t->client->raw_query : "";
        out = lua_newuserdata(L, 3 * strlen(cq) + 8);
        cmn_buf_init(&b, 3 * strlen(cq) + 7);
        bool ok =
            gw_query_encode(cq, &t->ep->input_query_strings, &t->backend->input_query_strings, &b);
        memcpy(out, ok ? cmn_buf_str(&b) : "", ok ? b.len + 1 : 1);
        cmn_buf_free(&b);
        lua_pushstring(L, out);
        return 1;
    } else {
        raw = t->in->raw_query ? t->in->raw_query : "";
    }
    out = lua_newuserdata(L, gw_lua_query_room(raw, 0));
    if (!gw_lua_query_op(raw, NULL, NULL, out, gw_lua_query_room(raw, 0)))
        return luaL_error(L, "not enough memory");
    lua_pushstring(L, out); /* Values.Encode: sorted, without '?' */
    return 1;
}

static int req_url(lua_State *L)
{
    struct gw_lua_target *t = req_target(L);
    size_t n;

    if (lua_gettop(L) > 1) {
        const char *u = gw_lua_arg_string(L, 2, &n);
        if (t->kind == GW_LUA_T_BACKEND) { /* the call goes where the script says */
            char *c = cmn_strndup(u, n);
            if (!c)
                return luaL_error(L, "not enough memory");
            free(t->out->url);
            t->out->url = c;
        } else {
            t->url_set = gw_lua_session_keep(L, gw_lua_current(L), u, n);
        }
        return 0;
    }
    if (t->kind == GW_LUA_T_BACKEND)
        lua_pushstring(L, t->out->url);
    else
        lua_pushstring(L, t->url_set ? t->url_set : ""); /* no URL before the backends */
    return 1;
}

/* Lura's request.Params: the router's parameters with their first letter upper-cased. */
static struct gw_json *params_of(lua_State *L, struct gw_lua_target *t)
{
    const struct gw_inreq *in = t->kind == GW_LUA_T_BACKEND ? t->client : t->in;

    if (t->params)
        return t->params;
    t->params = gw_json_object();
    if (!t->params)
        luaL_error(L, "not enough memory");
    gw_lua_session_own(L, gw_lua_current(L), t->params);
    for (size_t i = 0; i < in->n_params; i++) {
        char *k = strdup(in->params[i].name);
        const char *v = in->params[i].value;
        if (!k)
            luaL_error(L, "not enough memory");
        k[0] = (char)toupper((unsigned char)k[0]);
        bool ok = gw_json_object_set(t->params, k, gw_json_string(v, strlen(v)));
        free(k);
        if (!ok)
            luaL_error(L, "not enough memory");
    }
    /* a sequential backend's request.Params also hold what the earlier responses propagated
     * (Lura's sequential proxy adds them with their keys as they are: "Resp0_first.foo") */
    for (size_t i = 0; i < t->n_seq_params; i++) {
        const char *v = t->seq_params[i].value;
        if (!gw_json_object_set(t->params, t->seq_params[i].key, gw_json_string(v, strlen(v))))
            luaL_error(L, "not enough memory");
    }
    return t->params;
}

static int req_params(lua_State *L)
{
    struct gw_lua_target *t = req_target(L);
    struct gw_json *p = params_of(L, t), *v;
    const char *k;

    switch (lua_gettop(L)) {
    case 1: {
        struct gw_json *c = gw_json_copy(p); /* a copy, as KrakenD's NewTableFromStringMap */
        if (!c)
            return luaL_error(L, "not enough memory");
        gw_lua_session_own(L, gw_lua_current(L), c);
        gw_lua_session_count(L, gw_lua_current(L), c->n_members + 1);
        gw_lua_push_ud(L, GW_LUA_UD_TABLE, c, true, NULL);
        return 1;
    }
    case 2:
        v = gw_json_object_get(p, gw_lua_arg_string(L, 2, NULL));
        lua_pushlstring(L, v && v->type == GW_JSON_STRING ? v->str : "",
                        v && v->type == GW_JSON_STRING ? v->len : 0);
        return 1;
    default: {
        size_t n;
        k = gw_lua_arg_string(L, 2, NULL);
        const char *val = gw_lua_arg_string(L, 3, &n);
        if (!gw_json_object_set(p, k, gw_json_string(val, n)))
            return luaL_error(L, "not enough memory");
        if (t->kind == GW_LUA_T_PROXY) {
            /* the backends' {placeholders} read it: {id} is Lura's "Id" */
            for (size_t i = 0; i < t->in->n_params; i++) {
                const char *name = t->in->params[i].name;
                if (name[0] && toupper((unsigned char)name[0]) == (unsigned char)k[0] &&
                    strcmp(name + 1, k + 1) == 0) {
                    gw_lua_inreq_set_param(L, t->in, name, val);
                    return 0;
                }
            }
            gw_lua_inreq_set_param(L, t->in, k, val);
        }
        return 0;
    }
    }
}

static struct gw_hdrs *req_hdrs(struct gw_lua_target *t)
{
    return t->kind == GW_LUA_T_BACKEND ? &t->out->headers : &t->in->headers;
}

static int req_headers(lua_State *L)
{
    return gw_lua_req_headers(L, req_hdrs(req_target(L)));
}

static int req_header_list(lua_State *L)
{
    return gw_lua_req_header_list(L, req_hdrs(req_target(L)));
}

static int req_body(lua_State *L)
{
    struct gw_lua_target *t = req_target(L);
    size_t n;

    if (t->kind != GW_LUA_T_BACKEND)
        return gw_lua_inreq_body(L, t->in);
    if (lua_gettop(L) == 2) {
        const char *b = gw_lua_arg_string(L, 2, &n);
        t->out->body = gw_lua_session_keep(L, gw_lua_current(L), b, n);
        t->out->body_len = n;
        return 0;
    }
    lua_pushlstring(L, t->out->body ? t->out->body : "", t->out->body ? t->out->body_len : 0);
    return 1;
}

/* ---- response ------------------------------------------------------------------------------- */

static struct gw_presp *resp_of(lua_State *L)
{
    gw_lua_check_ud(L, 1, GW_LUA_UD_RESPONSE, "response expected");
    return gw_lua_session_target(gw_lua_current(L))->resp;
}

int gw_lua_response_load(lua_State *L)
{
    if (!gw_lua_session_target(gw_lua_current(L))->resp)
        return luaL_error(L, "response is not available here: post has it");
    gw_lua_push_ud(L, GW_LUA_UD_RESPONSE, NULL, false, NULL);
    return 1;
}

static int resp_is_complete(lua_State *L)
{
    struct gw_presp *r = resp_of(L);

    if (lua_gettop(L) == 1) {
        lua_pushboolean(L, r->complete);
        return 1;
    }
    luaL_checktype(L, 2, LUA_TBOOLEAN);
    r->complete = lua_toboolean(L, 2);
    return 0;
}

static int resp_status(lua_State *L)
{
    struct gw_presp *r = resp_of(L);
    double d;

    if (lua_gettop(L) == 1) {
        lua_pushnumber(L, r->status);
        return 1;
    }
    d = luaL_checknumber(L, 2);
    /* Go writes what it is given; codes it cannot write answer 500 */
    r->status = d >= 100 && d < 1000 ? (unsigned)d : 500;
    return 0;
}

static int resp_data(lua_State *L)
{
    struct gw_presp *r = resp_of(L);

    gw_lua_push_ud(L, GW_LUA_UD_TABLE, r->data, false, NULL);
    return 1;
}

/* A header the script sets on an answer: skipped (with a warning) when Go's writer would
 * refuse it, so no invalid field reaches a client. */
static bool field_ok(const char *name, const char *value)
{
    if (cmn_http_field_name_ok_str(name) && cmn_http_field_value_ok_str(value))
        return true;
    cmn_log_warn("[Lua] response header %s: invalid name or value, not set", name);
    return false;
}

static int resp_headers(lua_State *L)
{
    struct gw_presp *r = resp_of(L);
    char canon[256];

    switch (lua_gettop(L)) {
    case 1:
        gw_lua_push_hdrs_table(L, &r->headers);
        return 1;
    case 2: { /* looked up as given: Go indexes the map with the key unchanged */
        const char *k = gw_lua_arg_string(L, 2, NULL);
        for (size_t i = 0; i < r->headers.n; i++) {
            if (strcmp(r->headers.v[i].name, k) == 0) {
                lua_pushstring(L, r->headers.v[i].value);
                return 1;
            }
        }
        lua_pushliteral(L, "");
        return 1;
    }
    case 3:
        cmn_go_canonical_header(gw_lua_arg_field(L, 2), canon, sizeof(canon));
        if (lua_isnil(L, 3)) {
            gw_hdrs_del(&r->headers, canon);
            return 0;
        }
        const char *v = gw_lua_arg_field(L, 3);
        if (field_ok(canon, v) && !gw_hdrs_set(&r->headers, canon, v))
            return luaL_error(L, "lua: too many headers");
        return 0;
    default:
        return 0;
    }
}

static int resp_header_list(lua_State *L)
{
    struct gw_presp *r = resp_of(L);
    char canon[256];

    if (lua_gettop(L) == 1)
        return luaL_error(L, "need arguments");
    cmn_go_canonical_header(gw_lua_arg_field(L, 2), canon, sizeof(canon));
    if (lua_gettop(L) == 2) {
        gw_lua_push_hdr_list(L, &r->headers, canon, true);
        return 1;
    }
    gw_lua_set_hdr_list(L, 3, &r->headers, canon);
    for (size_t i = 0; i < r->headers.n; i++) {
        if (strcmp(r->headers.v[i].name, canon) == 0 && !field_ok(canon, r->headers.v[i].value)) {
            gw_hdrs_del(&r->headers, canon);
            break;
        }
    }
    return 0;
}

static int resp_body(lua_State *L)
{
    struct gw_presp *r = resp_of(L);
    size_t n;

    if (lua_gettop(L) == 2) {
        const char *b = gw_lua_arg_string(L, 2, &n);
        char *c = malloc(n + 1);
        if (!c)
            return luaL_error(L, "not enough memory");
        memcpy(c, b, n);
        c[n] = '\0';
        free(r->body);
        r->body = c;
        r->body_len = n;
        return 0;
    }
    lua_pushlstring(L, r->body ? r->body : "", r->body ? r->body_len : 0);
    return 1;
}

void gw_lua_api_proxy_init(lua_State *L)
{
    static const luaL_Reg req[] = {
        {"method", req_method},
        {"path", req_path},
        {"query", req_query},
        {"url", req_url},
        {"params", req_params},
        {"headers", req_headers},
        {"headerList", req_header_list},
        {"body", req_body},
        {NULL, NULL},
    };
    static const luaL_Reg resp[] = {
        {"isComplete", resp_is_complete},
        {"statusCode", resp_status},
        {"data", resp_data},
        {"headers", resp_headers},
        {"headerList", resp_header_list},
        {"body", resp_body},
        {NULL, NULL},
    };

    gw_lua_set_methods(L, GW_LUA_UD_REQUEST, req);
    gw_lua_set_methods(L, GW_LUA_UD_RESPONSE, resp);
}
