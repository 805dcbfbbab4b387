/* fuzz_lua.c - libFuzzer target: any bytes as a lua-proxy block's `pre` and `post` (split at
 * the first NUL), run on a request and a response with data, allow_open_libs off (the fuzzer
 * must not reach os or io): every script is run or refused cleanly, whatever it does to the API
 * or the sandbox (no crash, leak or hang; the instruction budget is lowered to keep it fast).
 * Seeds: tests/data/fuzz/lua. */
#include "gw_lua_int.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nul = memchr(data, '\0', size);
    size_t pre_len = nul ? (size_t)(nul - (const char *)data) : size;
    json_t *ns = json_object();
    struct cmn_err err = {0};
    struct gw_lua_block *b;
    struct gw_inreq in = {0};
    struct gw_endpoint ep = {0};
    struct gw_lua_target t = {.kind = GW_LUA_T_PROXY, .ep = &ep};
    struct gw_lua_session *s;
    struct gw_lua_error le = {0};
    struct gw_presp *resp;
    struct cmn_err je;
    static const char doc[] = "{\"a\":1,\"list\":[1,\"x\",null,{\"k\":[]}],\"o\":{\"n\":1.5}}";

    gw_lua_instructions = 200000;
    json_object_set_new(ns, "pre", json_stringn_nocheck((const char *)data, pre_len));
    if (nul)
        json_object_set_new(ns, "post", json_stringn_nocheck(nul + 1, size - pre_len - 1));
    b = gw_lua_block_new(ns, GW_LUA_PROXY, "/fuzz", &err);
    json_decref(ns);
    if (!b)
        return 0;
    in.method = strdup("GET");
    in.path = strdup("/fuzz/1");
    in.raw_query = strdup("a=1&b=2");
    in.host = strdup("h");
    in.client_ip = strdup("1.2.3.4");
    in.body = strdup("body");
    in.body_len = 4;
    gw_hdrs_init(&in.headers, GW_MAX_HEADERS);
    gw_hdrs_add(&in.headers, "X-A", "1");
    t.in = &in;
    s = gw_lua_session_open(b, &t, &le);
    if (s && gw_lua_session_run(s, GW_LUA_PRE, &le)) {
        resp = gw_presp_new();
        resp->data = gw_json_parse(doc, sizeof(doc) - 1, NULL, &je);
        if (gw_lua_session_response(s, resp))
            gw_lua_session_run(s, GW_LUA_POST, &le);
        gw_lua_session_close(s);
        s = NULL;
        gw_lua_json_free(resp->data); /* a script may have nested it deeply */
        resp->data = NULL;
        gw_presp_destroy(resp);
    }
    gw_lua_session_close(s);
    gw_lua_error_free(&le);
    gw_inreq_free(&in);
    gw_lua_block_destroy(b);
    return 0;
}
