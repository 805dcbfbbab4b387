/* tu_lua.c - the Lua test harness (tu_lua.h). */
#include "tu_lua.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char *g_rendered;

struct gw_lua_block *tu_lua_block(const char *json, enum gw_lua_level level)
{
    json_error_t je;
    json_t *v = json_loads(json, JSON_DECODE_ANY, &je);
    struct cmn_err err = {0};
    struct gw_lua_block *b;

    if (!v)
        fail_msg("bad JSON in the test: %s: %s", je.text, json);
    b = gw_lua_block_new(v, level, "/test", &err);
    json_decref(v);
    return b;
}

void tu_lua_request(struct gw_inreq *in, const char *method, const char *path, const char *query,
                    const char *const *headers, const char *body)
{
    memset(in, 0, sizeof(*in));
    in->method = strdup(method);
    in->path = strdup(path);
    in->raw_query = strdup(query ? query : "");
    in->host = strdup("gw.example:8080");
    in->client_ip = strdup("10.0.0.1");
    in->body = strdup(body ? body : "");
    in->body_len = body ? strlen(body) : 0;
    gw_hdrs_init(&in->headers, GW_MAX_HEADERS);
    for (size_t i = 0; headers && headers[i]; i += 2)
        gw_hdrs_add(&in->headers, headers[i], headers[i + 1]);
}

bool tu_lua_run(struct tu_lua *t, enum gw_lua_target_kind kind, bool post)
{
    struct gw_lua_target tg = {.kind = kind, .ep = &t->ep, .backend = &t->be};

    if (kind == GW_LUA_T_BACKEND) {
        tg.out = &t->out;
        tg.client = &t->in;
        tg.seq_params = t->seq;
        tg.n_seq_params = t->n_seq;
        if (!t->out.url) {
            t->out.method = strdup("GET");
            t->out.url = strdup("http://backend.example:8000/b/1?x=1");
            gw_hdrs_init(&t->out.headers, GW_MAX_HEADERS);
        }
    } else {
        tg.in = &t->in;
    }
    t->s = gw_lua_session_open(t->b, &tg, &t->err);
    t->ok = t->s && gw_lua_session_run(t->s, GW_LUA_PRE, &t->err);
    if (t->ok && post) {
        if (!t->resp)
            t->resp = gw_presp_new();
        t->ok = gw_lua_session_response(t->s, t->resp) &&
                gw_lua_session_run(t->s, GW_LUA_POST, &t->err);
    }
    return t->ok;
}

const char *tu_lua_data(struct tu_lua *t)
{
    free(g_rendered);
    g_rendered = t->resp ? gw_json_render_str(t->resp->data, NULL) : NULL;
    return g_rendered ? g_rendered : "(none)";
}

void tu_lua_free(struct tu_lua *t)
{
    gw_lua_session_close(t->s);
    gw_lua_error_free(&t->err);
    gw_presp_destroy(t->resp);
    gw_inreq_free(&t->in);
    gw_outreq_free(&t->out);
    gw_lua_block_destroy(t->b);
    free(g_rendered);
    g_rendered = NULL;
    memset(t, 0, sizeof(*t));
}
