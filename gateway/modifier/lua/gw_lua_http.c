/* gw_lua_http.c - http_response (krakend-lua's decorator/http.go): a script's own HTTP request,
 * made synchronously as KrakenD makes it. The worker thread that runs the script waits for the
 * answer, so the wait is bounded: by the request's deadline (at most 60 s), 10 s to connect,
 * GW_LUA_HTTP_BODY_MAX bytes of body, http and https only, redirects followed as Go's default
 * client does (at most 10). */
#include "gw_lua_int.h"

#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_go_header.h"
#include "cmn_http_field.h"
#include "cmn_str.h"

#include <curl/curl.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#define UA_VALUE "KrakenD Version " GW_VERSION

struct answer {
    long status;
    struct gw_hdrs headers;
    struct cmn_buf body;
    bool closed, read;
};

void gw_lua_http_free(void *p)
{
    struct answer *a = p;

    if (!a)
        return;
    gw_hdrs_free(&a->headers);
    cmn_buf_free(&a->body);
    free(a);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct answer *a = ud;

    return cmn_buf_append(&a->body, p, size * n) == CMN_BUF_OK ? size * n : 0;
}

/* Header lines of the last hop only (a redirect's are dropped when the next status line
 * arrives), names canonical as Go's textproto reads them. */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct answer *a = ud;
    size_t len = size * n;
    char canon[256];
    const char *colon;

    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        gw_hdrs_free(&a->headers);
        gw_hdrs_init(&a->headers, GW_MAX_HEADERS);
        return len;
    }
    colon = memchr(p, ':', len);
    if (!colon || colon == p)
        return len;
    size_t nl = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vl = len - nl - 1;
    while (vl && (*v == ' ' || *v == '\t')) {
        v++;
        vl--;
    }
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
        vl--;
    char name[256];
    if (nl >= sizeof(name))
        return len;
    memcpy(name, p, nl);
    name[nl] = '\0';
    cmn_go_canonical_header(name, canon, sizeof(canon));
    gw_hdrs_add_n(&a->headers, canon, strlen(canon), v, vl);
    return len;
}

struct request {
    const char *url, *method, *body;
    size_t body_len;
    struct curl_slist *headers;
    bool user_agent;
    long timeout_ms;
};

/* Runs the request (no Lua call inside: nothing raises while C memory is held). NULL with
 * err set (Go's client error text where it has one). */
static struct answer *perform(const struct request *rq, char *err, size_t err_size)
{
    struct answer *a = calloc(1, sizeof(*a));
    CURL *c = curl_easy_init();
    char errbuf[CURL_ERROR_SIZE] = "";
    CURLcode rc;

    if (!a || !c) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    gw_hdrs_init(&a->headers, GW_MAX_HEADERS);
    cmn_buf_init(&a->body, GW_LUA_HTTP_BODY_MAX);
    curl_easy_setopt(c, CURLOPT_URL, rq->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     rq->timeout_ms < 10000 ? rq->timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)GW_LUA_HTTP_BODY_MAX);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
    if (strcmp(rq->method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (rq->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
        if (strcmp(rq->method, "POST") != 0)
            curl_easy_setopt(c, CURLOPT_POSTREDIR, CURL_REDIR_POST_ALL);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, rq->headers);
    if (!rq->user_agent)
        curl_easy_setopt(c, CURLOPT_USERAGENT, UA_VALUE);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        snprintf(err, err_size, "%s %s: %s", rq->method, rq->url,
                 rc == CURLE_OPERATION_TIMEDOUT ? "context deadline exceeded"
                 : errbuf[0]                    ? errbuf
                                                : curl_easy_strerror(rc));
        goto fail;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_easy_cleanup(c);
    return a;
fail:
    if (c)
        curl_easy_cleanup(c);
    gw_lua_http_free(a);
    return NULL;
}

/* One header for the request; false when Go's client would refuse it (a NUL byte too: the
 * lengths are Lua's, not strlen's). */
static bool add_header(struct curl_slist **l, const char *name, size_t name_len, const char *value,
                       size_t value_len, bool *ua)
{
    char canon[256], line[8192];
    struct curl_slist *n;

    if (strlen(name) != name_len || strlen(value) != value_len)
        return false;
    cmn_go_canonical_header(name, canon, sizeof(canon));
    if (!cmn_http_field_name_ok_str(canon) || !cmn_http_field_value_ok(value, value_len))
        return false;
    if (strcmp(canon, "User-Agent") == 0) {
        if (*ua)
            return true; /* Go sends the first one only */
        *ua = true;
    }
    if ((size_t)snprintf(line, sizeof(line), "%s: %s", canon, value) >= sizeof(line))
        return false;
    if (value[0] == '\0')
        snprintf(line, sizeof(line), "%s;", canon); /* curl's way to send an empty value */
    n = curl_slist_append(*l, line);
    if (!n)
        return false;
    *l = n;
    return true;
}

/* The headers argument: name -> string, or name -> table of strings (numbers as Lua prints
 * them). Nothing here allocates in the VM, so nothing raises while the list is held. */
static bool collect_headers(lua_State *L, int idx, struct curl_slist **l, bool *ua)
{
    char num[64];

    if (!lua_istable(L, idx))
        return true;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        bool ok = true;
        if (lua_type(L, -2) == LUA_TSTRING) {
            size_t nl, vl;
            const char *name = lua_tolstring(L, -2, &nl);
            if (lua_type(L, -1) == LUA_TSTRING) {
                const char *v = lua_tolstring(L, -1, &vl);
                ok = add_header(l, name, nl, v, vl, ua);
            } else if (lua_istable(L, -1)) {
                int t = lua_gettop(L);
                lua_pushnil(L);
                while (ok && lua_next(L, t)) {
                    if (lua_type(L, -1) == LUA_TSTRING) {
                        const char *v = lua_tolstring(L, -1, &vl);
                        ok = add_header(l, name, nl, v, vl, ua);
                    } else if (lua_type(L, -1) == LUA_TNUMBER) {
                        gw_lua_number_text(lua_tonumber(L, -1), num, sizeof(num));
                        ok = add_header(l, name, nl, num, strlen(num), ua);
                    }
                    lua_pop(L, 1);
                }
                if (!ok)
                    lua_pop(L, 1); /* the inner key lua_next left */
            }
        }
        lua_pop(L, 1);
        if (!ok) {
            lua_pop(L, 1);
            return false;
        }
    }
    return true;
}

int gw_lua_http_new(lua_State *L)
{
    struct gw_lua_session *s = gw_lua_current(L);
    const struct gw_lua_target *t = gw_lua_session_target(s);
    struct request rq = {0};
    struct answer *a;
    char err[512];
    int n = lua_gettop(L);
    int64_t left;

    if (n == 0 || n == 2)
        return luaL_error(L, "need 1, 3 or 4 arguments");
    rq.url = gw_lua_arg_string(L, 1, NULL);
    rq.method = "GET";
    if (n >= 3) {
        rq.method = gw_lua_arg_string(L, 2, NULL);
        rq.body = gw_lua_arg_string(L, 3, &rq.body_len);
    }
    left = t->deadline_ms ? t->deadline_ms - cmn_clock_mono_ms() : 60000;
    if (left > 60000)
        left = 60000;
    if (left < 1)
        return luaL_error(L, "%s %s: context deadline exceeded", rq.method, rq.url);
    rq.timeout_ms = (long)left;
    /* every argument is read: from here on no Lua call until the list is freed */
    if (n >= 4 && !collect_headers(L, 4, &rq.headers, &rq.user_agent)) {
        curl_slist_free_all(rq.headers);
        return luaL_error(L, "net/http: invalid header field in http_response.new");
    }
    a = perform(&rq, err, sizeof(err));
    curl_slist_free_all(rq.headers);
    if (!a)
        return luaL_error(L, "%s", err);
    gw_lua_session_keep_http(L, s, a); /* freed with the session */
    gw_lua_push_ud(L, GW_LUA_UD_HTTP, NULL, false, a);
    return 1;
}

/* The answer; after close() only a body already read is left (Go's R is nil then). */
static struct answer *answer_of(lua_State *L, bool body)
{
    struct answer *a = gw_lua_check_ud(L, 1, GW_LUA_UD_HTTP, "response expected")->ptr;

    if (a->closed && !(body && a->read))
        luaL_error(L, "http_response: the response is closed");
    return a;
}

static int http_status(lua_State *L)
{
    lua_pushnumber(L, (lua_Number)answer_of(L, false)->status);
    return 1;
}

static int http_headers(lua_State *L)
{
    struct answer *a = answer_of(L, false);
    char canon[256];
    const char *v;

    if (lua_gettop(L) != 2)
        return luaL_error(L, "need arguments");
    cmn_go_canonical_header(gw_lua_arg_string(L, 2, NULL), canon, sizeof(canon));
    v = gw_hdrs_get(&a->headers, canon);
    lua_pushstring(L, v ? v : "");
    return 1;
}

static int http_header_list(lua_State *L)
{
    struct answer *a = answer_of(L, false);
    char canon[256];

    if (lua_gettop(L) != 2)
        return luaL_error(L, "need arguments");
    cmn_go_canonical_header(gw_lua_arg_string(L, 2, NULL), canon, sizeof(canon));
    gw_lua_push_hdr_list(L, &a->headers, canon, false);
    return 1;
}

static int http_body(lua_State *L)
{
    struct answer *a = answer_of(L, true); /* read once, then kept (Go's sync.Once) */

    a->read = true;
    lua_pushlstring(L, cmn_buf_str(&a->body), a->body.len);
    return 1;
}

static int http_close(lua_State *L)
{
    gw_lua_check_ud(L, 1, GW_LUA_UD_HTTP, "response expected");
    ((struct answer *)gw_lua_check_ud(L, 1, GW_LUA_UD_HTTP, "response expected")->ptr)->closed =
        true;
    return 0;
}

void gw_lua_http_init(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"statusCode", http_status}, {"headers", http_headers}, {"headerList", http_header_list},
        {"body", http_body},         {"close", http_close},     {NULL, NULL},
    };

    gw_lua_set_methods(L, GW_LUA_UD_HTTP, methods);
}
