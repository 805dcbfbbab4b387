/* test_gw_lua_api.c - what scripts see and change through KrakenD's Lua objects
 * (../shared/spec/krakend-config-transform.md §4.4-§4.5): ctx at router level, request and
 * response at proxy and backend level, luaTable/luaList/luaNil and the value conversions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tu_lua.h"

/* Runs pre (a Lua chunk) at level over a fresh request; the script reports through headers of
 * the request ("R-..."), which the test then reads. */
#define PRE(json_pre) "{\"pre\": " json_pre "}"

static void check_ok(struct tu_lua *t)
{
    if (!t->ok)
        fail_msg("script failed: %s", t->err.msg ? t->err.msg : "?");
}

static const char *hdr(const struct gw_hdrs *h, const char *name)
{
    const char *v = gw_hdrs_get(h, name);
    return v ? v : "(absent)";
}

static void ctx_reads_and_changes_the_request(void **state)
{
    static const char *const headers[] = {"X-A", "1", "X-A", "2", "Content-Type", "text/x", NULL};
    struct tu_lua t = {0};

    (void)state;
    t.b = tu_lua_block(
        PRE("\"local c = ctx.load()\\n"
            "c:headers('R-Method', c:method())\\n"
            "c:headers('R-Url', c:url())\\n"
            "c:headers('R-Host', c:host())\\n"
            "c:headers('R-Q', c:query('b'))\\n"
            "c:headers('R-Param', c:params('id'))\\n"
            "c:headers('R-Params', c:params():get('id'))\\n"
            "c:headers('R-A', c:headers('x-a'))\\n"
            "c:headers('R-Alist', c:headerList('X-A'):get(1))\\n"
            "c:headers('R-Hcount', c:headers():get('X-A'):len())\\n"
            "c:headers('R-Body', c:body())\\n"
            "c:method('PUT'); c:host('h2'); c:query('b', 'z z'); c:params('id', '9')\\n"
            "c:params('new', 'n'); c:body('changed')\\n"
            "c:headers('Content-Type', nil)\\n"
            "local l = luaList.new(); l:set(0, 'v1'); l:set(1, 'v2'); c:headerList('X-L', l)\""),
        GW_LUA_ENDPOINT);
    tu_lua_request(&t.in, "GET", "/a b", "c=3&b=2&b=1", headers, "hello");
    t.in.params = calloc(1, sizeof(*t.in.params));
    t.in.params[0].name = strdup("id");
    t.in.params[0].value = strdup("7");
    t.in.n_params = 1;
    tu_lua_run(&t, GW_LUA_T_CTX, false);
    check_ok(&t);
    assert_string_equal(hdr(&t.in.headers, "R-Method"), "GET");
    assert_string_equal(hdr(&t.in.headers, "R-Url"), "/a%20b?c=3&b=2&b=1");
    assert_string_equal(hdr(&t.in.headers, "R-Host"), "gw.example:8080");
    assert_string_equal(hdr(&t.in.headers, "R-Q"), "2");
    assert_string_equal(hdr(&t.in.headers, "R-Param"), "7"); /* ctx: names as written */
    assert_string_equal(hdr(&t.in.headers, "R-Params"), "7");
    assert_string_equal(hdr(&t.in.headers, "R-A"), "1");
    assert_string_equal(hdr(&t.in.headers, "R-Alist"), "2"); /* luaList is 0-based */
    assert_string_equal(hdr(&t.in.headers, "R-Hcount"), "2");
    assert_string_equal(hdr(&t.in.headers, "R-Body"), "hello");
    assert_string_equal(t.in.method, "PUT");
    assert_string_equal(t.in.host, "h2");
    assert_string_equal(t.in.raw_query, "b=z+z&c=3"); /* Set re-encodes the whole query */
    assert_string_equal(t.in.params[0].value, "9");
    assert_int_equal(t.in.n_params, 2);
    assert_string_equal(t.in.params[1].name, "new");
    assert_memory_equal(t.in.body, "changed", 7);
    assert_int_equal(t.in.body_len, 7);
    assert_string_equal(hdr(&t.in.headers, "Content-Type"), "(absent)");
    assert_string_equal(hdr(&t.in.headers, "X-L"), "v1");
    tu_lua_free(&t);
}

static void ctx_url_and_query_errors(void **state)
{
    struct tu_lua t = {0};

    (void)state;
    t.b = tu_lua_block(PRE("\"local c = ctx.load(); c:url('/x/y%20z?k=v'); "
                           "c:headers('R-Url', c:url())\""),
                       GW_LUA_ENDPOINT);
    tu_lua_request(&t.in, "GET", "/a", "", NULL, NULL);
    tu_lua_run(&t, GW_LUA_T_CTX, false);
    check_ok(&t);
    assert_string_equal(t.in.path, "/x/y z");
    assert_string_equal(t.in.raw_query, "k=v");
    assert_string_equal(hdr(&t.in.headers, "R-Url"), "/x/y%20z?k=v");
    tu_lua_free(&t);

    t.b = tu_lua_block(PRE("\"ctx.load():query()\""), GW_LUA_ENDPOINT);
    tu_lua_request(&t.in, "GET", "/a", "", NULL, NULL);
    assert_false(tu_lua_run(&t, GW_LUA_T_CTX, false));
    assert_string_equal(t.err.msg, "need arguments (pre-script:L1)");
    tu_lua_free(&t);

    t.b = tu_lua_block(PRE("\"ctx.load():headerList('a', 'not a list')\""), GW_LUA_ENDPOINT);
    tu_lua_request(&t.in, "GET", "/a", "", NULL, NULL);
    assert_false(tu_lua_run(&t, GW_LUA_T_CTX, false));
    assert_string_equal(t.err.msg, "invalid header value, must be a luaList (pre-script:L1)");
    tu_lua_free(&t);
}

static void request_at_proxy_level(void **state)
{
    struct tu_lua t = {0};

    (void)state;
    t.b = tu_lua_block(PRE("\"local r = request.load()\\n"
                           "r:headers('R-Path', r:path())\\n"
                           "r:headers('R-Query', r:query())\\n"
                           "r:headers('R-Url', r:url())\\n"
                           "r:headers('R-Id', r:params('Id'))\\n"
                           "r:headers('R-Lower', r:params('id'))\\n"
                           "r:params('Id', '42')\\n"
                           "r:query('z=1&a=2')\\n"
                           "r:body('{}')\""),
                       GW_LUA_PROXY);
    tu_lua_request(&t.in, "GET", "/p/7", "b=2&a=1", NULL, "x");
    t.in.params = calloc(1, sizeof(*t.in.params));
    t.in.params[0].name = strdup("id");
    t.in.params[0].value = strdup("7");
    t.in.n_params = 1;
    tu_lua_run(&t, GW_LUA_T_PROXY, false);
    check_ok(&t);
    assert_string_equal(hdr(&t.in.headers, "R-Path"), "/p/7");
    assert_string_equal(hdr(&t.in.headers, "R-Query"), "a=1&b=2"); /* Encode: no '?' */
    assert_string_equal(hdr(&t.in.headers, "R-Url"), "");          /* no URL yet */
    assert_string_equal(hdr(&t.in.headers, "R-Id"), "7"); /* request: first letter upper-cased */
    assert_string_equal(hdr(&t.in.headers, "R-Lower"), "");
    assert_string_equal(t.in.params[0].value, "42"); /* {id} of the backends' url_pattern */
    assert_string_equal(t.in.raw_query, "z=1&a=2");
    assert_memory_equal(t.in.body, "{}", 2);
    tu_lua_free(&t);
}

static void request_at_backend_level(void **state)
{
    struct tu_lua t = {0};

    (void)state;
    t.b = tu_lua_block(PRE("\"local r = request.load()\\n"
                           "r:headers('R-Path', r:path())\\n"
                           "r:headers('R-Url', r:url())\\n"
                           "r:headers('R-Method', r:method())\\n"
                           "r:url(r:url() .. '&more=' .. 1)\\n"
                           "r:method('POST'); r:body('payload'); r:headers('X-B', 'b')\\n"
                           "r:path('/ignored')\""),
                       GW_LUA_BACKEND);
    tu_lua_request(&t.in, "GET", "/p/7", "", NULL, NULL);
    tu_lua_run(&t, GW_LUA_T_BACKEND, false);
    check_ok(&t);
    assert_string_equal(hdr(&t.out.headers, "R-Path"), "/b/1");
    assert_string_equal(hdr(&t.out.headers, "R-Url"), "http://backend.example:8000/b/1?x=1");
    assert_string_equal(hdr(&t.out.headers, "R-Method"), "GET");
    assert_string_equal(t.out.url, "http://backend.example:8000/b/1?x=1&more=1");
    assert_string_equal(t.out.method, "POST");
    assert_memory_equal(t.out.body, "payload", 7);
    assert_string_equal(hdr(&t.out.headers, "X-B"), "b");
    tu_lua_free(&t);
}

/* A sequential backend's request:params() also has what the earlier responses propagated
 * (KrakenD CE's sequential_3 and sequential_4 read them), after the path parameters. */
static void request_params_of_a_sequential_backend(void **state)
{
    char k0[] = "Resp0_first.foo", v0[] = "42", k1[] = "Resp0", v1[] = "{\"message\":\"pong\"}";
    struct gw_seqparam seq[] = {{k0, v0}, {k1, v1}};
    struct tu_lua t = {0};

    (void)state;
    t.b = tu_lua_block(PRE("\"local r = request.load()\\n"
                           "r:headers('R-Foo', r:params('Resp0_first.foo'))\\n"
                           "r:headers('R-Whole', r:params('Resp0'))\\n"
                           "r:headers('R-Id', r:params('Id'))\\n"
                           "r:url(r:url() .. r:params('Resp0_first.foo'))\""),
                       GW_LUA_BACKEND);
    tu_lua_request(&t.in, "GET", "/p/7", "", NULL, NULL);
    t.in.params = calloc(1, sizeof(*t.in.params));
    t.in.params[0].name = strdup("id");
    t.in.params[0].value = strdup("7");
    t.in.n_params = 1;
    t.seq = seq;
    t.n_seq = 2;
    tu_lua_run(&t, GW_LUA_T_BACKEND, false);
    check_ok(&t);
    assert_string_equal(hdr(&t.out.headers, "R-Foo"), "42");
    assert_string_equal(hdr(&t.out.headers, "R-Whole"), "{\"message\":\"pong\"}");
    assert_string_equal(hdr(&t.out.headers, "R-Id"), "7");
    assert_string_equal(t.out.url, "http://backend.example:8000/b/1?x=142");
    tu_lua_free(&t);
}

/* Headers a script writes with a NUL, CR or LF never reach anyone as written: a backend request
 * keeps them (a NUL as DEL, as a C string cannot hold it) so that the one field rule fails the
 * call as Go's client does; an answer's are skipped; custom_error's content type is dropped. */
static void header_fields_with_nul_or_line_breaks(void **state)
{
    struct tu_lua t = {0};
    struct cmn_err e = {0};

    (void)state;
    t.b = tu_lua_block(PRE("\"local r = request.load()\\n"
                           "r:headers('X-Nul', 'a\\\\0b')\\n"
                           "r:headers('X-Crlf', 'a\\\\r\\\\nX-Evil: 1')\\n"
                           "r:headers('X-Na\\\\0me', 'v')\\n"
                           "r:headers('X-Good', 'ok')\""),
                       GW_LUA_BACKEND);
    tu_lua_request(&t.in, "GET", "/p", "", NULL, NULL);
    tu_lua_run(&t, GW_LUA_T_BACKEND, false);
    check_ok(&t);
    /* not cut to "a" */
    assert_string_equal(hdr(&t.out.headers, "X-Nul"), "a\177b"); /* DEL */
    assert_string_equal(hdr(&t.out.headers, "X-Crlf"), "a\r\nX-Evil: 1");
    assert_false(gw_outreq_fields_ok(&t.out, &e));
    assert_non_null(strstr(e.msg, "invalid header field"));
    gw_hdrs_del(&t.out.headers, "X-Crlf");
    assert_false(gw_outreq_fields_ok(&t.out, &e)); /* the NUL alone is enough */
    gw_hdrs_del(&t.out.headers, "X-Nul");
    assert_false(gw_outreq_fields_ok(&t.out, &e)); /* and a NUL in a name */
    gw_hdrs_del(&t.out.headers, "X-Na\x7fme");
    assert_true(gw_outreq_fields_ok(&t.out, &e));
    cmn_err_clear(&e);
    tu_lua_free(&t);

    memset(&t, 0, sizeof(t));
    t.b = tu_lua_block("{\"post\": \"local r = response.load()\\n"
                       "r:headers('X-Nul', 'a\\\\0b'); r:headers('X-Lf', 'a\\\\nb')\\n"
                       "r:headers('X-Cr', 'a\\\\rb'); r:headers('X-Good', 'ok')\"}",
                       GW_LUA_PROXY);
    tu_lua_request(&t.in, "GET", "/p", "", NULL, NULL);
    tu_lua_run(&t, GW_LUA_T_PROXY, true);
    check_ok(&t);
    assert_null(gw_hdrs_get(&t.resp->headers, "X-Nul"));
    assert_null(gw_hdrs_get(&t.resp->headers, "X-Lf"));
    assert_null(gw_hdrs_get(&t.resp->headers, "X-Cr"));
    assert_string_equal(hdr(&t.resp->headers, "X-Good"), "ok");
    tu_lua_free(&t);

    memset(&t, 0, sizeof(t));
    t.b = tu_lua_block(PRE("\"custom_error('stout', 418, 'text/x\\\\0y')\""), GW_LUA_ENDPOINT);
    tu_lua_request(&t.in, "GET", "/p", "", NULL, NULL);
    assert_false(tu_lua_run(&t, GW_LUA_T_CTX, false));
    assert_int_equal(t.err.status, 418);
    assert_null(t.err.content_type);
    tu_lua_free(&t);
}

static void response_object(void **state)
{
    struct tu_lua t = {0};

    (void)state;
    t.b = tu_lua_block("{\"post\": \"local r = response.load()\\n"
                       "local d = r:data()\\n"
                       "d:set('complete_was', r:isComplete())\\n"
                       "d:set('status_was', r:statusCode())\\n"
                       "d:set('ct_exact', r:headers('content-type'))\\n"
                       "d:set('ct', r:headers('Content-Type'))\\n"
                       "d:set('body_was', r:body())\\n"
                       "r:isComplete(true); r:statusCode(201)\\n"
                       "r:headers('x-new', 'v'); r:headers('Content-Type', nil)\\n"
                       "r:body('new body')\"}",
                       GW_LUA_PROXY);
    tu_lua_request(&t.in, "GET", "/p", "", NULL, NULL);
    t.resp = gw_presp_new();
    t.resp->status = 404;
    gw_hdrs_add(&t.resp->headers, "Content-Type", "text/plain");
    t.resp->body = strdup("old");
    t.resp->body_len = 3;
    tu_lua_run(&t, GW_LUA_T_PROXY, true);
    check_ok(&t);
    /* a nil Data became {} */
    assert_string_equal(tu_lua_data(&t), "{\"body_was\":\"old\",\"complete_was\":false,"
                                         "\"ct\":\"text/plain\",\"ct_exact\":\"\","
                                         "\"status_was\":404}");
    assert_true(t.resp->complete);
    assert_int_equal(t.resp->status, 201);
    assert_string_equal(hdr(&t.resp->headers, "X-New"), "v");
    assert_string_equal(hdr(&t.resp->headers, "Content-Type"), "(absent)");
    assert_memory_equal(t.resp->body, "new body", 8);
    tu_lua_free(&t);
}

/* ---- values ---------------------------------------------------------------------------------- */

/* Runs post over a response holding data_json; returns the data afterwards. */
static void post_on(const char *data_json, const char *post, const char *want)
{
    struct tu_lua t = {0};
    char cfg[4096];
    struct cmn_err e;
    json_t *js = json_string(post);
    char *quoted = json_dumps(js, JSON_ENCODE_ANY);

    snprintf(cfg, sizeof(cfg), "{\"post\": %s, \"allow_open_libs\": true}", quoted);
    free(quoted);
    json_decref(js);
    t.b = tu_lua_block(cfg, GW_LUA_PROXY);
    tu_lua_request(&t.in, "GET", "/p", "", NULL, NULL);
    t.resp = gw_presp_new();
    t.resp->data = gw_json_parse(data_json, strlen(data_json), NULL, &e);
    tu_lua_run(&t, GW_LUA_T_PROXY, true);
    check_ok(&t);
    if (strcmp(tu_lua_data(&t), want) != 0)
        fail_msg("post %s\n got %s\nwant %s", post, tu_lua_data(&t), want);
    tu_lua_free(&t);
}

static void conversions_lua_to_data(void **state)
{
    (void)state;
    /* top level: a Lua array becomes an object keyed "1".."n" (lua_1's "paths") */
    post_on("{}", "response.load():data():set('a', {'x', 'y'})",
            "{\"a\":{\"1\":\"x\",\"2\":\"y\"}}");
    /* nested: integer keys make a list ordered by key; an empty table is null */
    post_on("{}", "response.load():data():set('a', {n = {3, 1, {}}, e = {}})",
            "{\"a\":{\"e\":null,\"n\":[3,1,null]}}");
    post_on("{}", "response.load():data():set('a', {n = {[3] = 'c', [1] = 'a'}})",
            "{\"a\":{\"n\":[\"a\",\"c\"]}}"); /* gaps closed */
    /* numbers: float64 at the top (Go's formatting), integers when nested and integral */
    post_on("{}",
            "local d = response.load():data(); d:set('i', 10); d:set('f', 1.5); "
            "d:set('big', 1e21); d:set('n', {v = 1e21, w = 2.0, x = 2.5})",
            "{\"big\":1e+21,\"f\":1.5,\"i\":10,\"n\":{\"v\":1e+21,\"w\":2,\"x\":2.5}}");
    post_on("{}",
            "local d = response.load():data(); d:set('t', true); d:set('s', 'str'); "
            "d:set('nil', luaNil.new()); d:set('ignored', function() end); "
            "d:set('also', nil)",
            "{\"nil\":null,\"s\":\"str\",\"t\":true}");
    /* set(k, nil) does not delete; del does */
    post_on("{\"a\":1,\"b\":2}", "local d = response.load():data(); d:set('a', nil); d:del('b')",
            "{\"a\":1}");
}

static void conversions_data_to_lua(void **state)
{
    (void)state;
    post_on("{\"s\":\"x\",\"n\":1.10,\"b\":false,\"z\":null,\"l\":[1,2],\"o\":{\"k\":1}}",
            "local d = response.load():data()\n"
            "local out = luaTable.new()\n"
            "out:set('s', type(d:get('s')))\n"
            "out:set('n', d:get('n') + 1)\n"
            "out:set('b', type(d:get('b')))\n"
            "out:set('z', type(d:get('z')))\n"
            "out:set('z_truthy', d:get('z') and true or false)\n"
            "out:set('l', d:get('l'):get(1))\n"
            "out:set('l_out', d:get('l'):get(5) == nil)\n"
            "out:set('o', d:get('o'):get('k'))\n"
            "out:set('absent', d:get('nope') == nil)\n"
            "out:set('keys', d:keys():get(0) .. d:keys():len())\n"
            "out:set('exists', d:keyExists('z'))\n"
            "out:set('len', d:len())\n"
            "response.load():data():set('out', out)",
            "{\"b\":false,\"l\":[1,2],\"n\":1.10,\"o\":{\"k\":1},\"out\":{\"absent\":true,"
            "\"b\":\"boolean\",\"exists\":true,\"keys\":\"b6\",\"l\":2,\"l_out\":true,\"len\":6,"
            "\"n\":2.1,\"o\":1,\"s\":\"string\",\"z\":\"userdata\",\"z_truthy\":true},"
            "\"s\":\"x\",\"z\":null}");
}

static void tables_and_lists_are_live(void **state)
{
    (void)state;
    /* edits through a value taken from the data change the data */
    post_on("{\"o\":{\"l\":[1]}}",
            "local d = response.load():data(); local l = d:get('o'):get('l'); l:set(1, 'two'); "
            "l:set(3, 'four'); l:del(0); d:get('o'):set('k', 'v')",
            "{\"o\":{\"k\":\"v\",\"l\":[\"two\",null,\"four\"]}}");
    /* a new table set into the data moves there: later edits show, as Go shares it */
    post_on("{}",
            "local d = response.load():data(); local t = luaTable.new(); d:set('t', t); "
            "t:set('after', 1); local l = luaList.new(); l:set(l:len(), 'x'); l:set(l:len(), 'y'); "
            "t:set('l', l)",
            "{\"t\":{\"after\":1,\"l\":[\"x\",\"y\"]}}");
    /* a value set into itself is a copy, never a cycle */
    post_on(
        "{}",
        "local d = response.load():data(); local t = luaTable.new(); t:set('a', 1); "
        "t:set('self', t); t:set('nested', {t}); d:set('t', t); d:set('again', d:get('t'))",
        "{\"again\":{\"a\":1,\"nested\":{\"1\":{\"a\":1,\"self\":{\"a\":1}}},\"self\":{\"a\":1}},"
        "\"t\":{\"a\":1,\"nested\":{\"1\":{\"a\":1,\"self\":{\"a\":1}}},\"self\":{\"a\":1}}}");
    /* a value deleted while a script holds it stays readable */
    post_on("{\"o\":{\"k\":1}}",
            "local d = response.load():data(); local o = d:get('o'); d:del('o'); "
            "d:set('k', o:get('k'))",
            "{\"k\":1}");
}

static void lua_1_post_proxy(void **state)
{
    (void)state;
    /* KrakenD CE's collection.lua post_proxy, as §4.7 describes it */
    post_on("{\"collection\":[{\"i\":0,\"path\":\"/collection/1\"},{\"i\":1,\"path\":\"/c/2\"}]}",
            "local responseData = response.load():data()\n"
            "local col = responseData:get('collection')\n"
            "local size = col:len()\n"
            "responseData:set('total', size)\n"
            "local paths = {}\n"
            "for i = 0, size - 1 do table.insert(paths, col:get(i):get('path')) end\n"
            "responseData:set('paths', paths)\n"
            "responseData:del('collection')",
            "{\"paths\":{\"1\":\"/collection/1\",\"2\":\"/c/2\"},\"total\":2}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ctx_reads_and_changes_the_request),
        cmocka_unit_test(ctx_url_and_query_errors),
        cmocka_unit_test(request_at_proxy_level),
        cmocka_unit_test(request_at_backend_level),
        cmocka_unit_test(request_params_of_a_sequential_backend),
        cmocka_unit_test(header_fields_with_nul_or_line_breaks),
        cmocka_unit_test(response_object),
        cmocka_unit_test(conversions_lua_to_data),
        cmocka_unit_test(conversions_data_to_lua),
        cmocka_unit_test(tables_and_lists_are_live),
        cmocka_unit_test(lua_1_post_proxy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
