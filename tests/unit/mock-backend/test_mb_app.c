/* test_mb_app.c - dispatch and scripted faults, and the /__echo answer's shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "mb_app.h"
#include "mb_echo.h"
#include "mbt_util.h"

static struct mb_app g_app;

static int setup(void **state)
{
    struct mb_app_opts o = {0};

    (void)state;
    return mb_app_init(&g_app, &o, NULL);
}

static int teardown(void **state)
{
    (void)state;
    mb_app_free(&g_app);
    return 0;
}

static struct mb_reply run(const char *method, const char *target, const char *const *hdrs,
                           const char *body)
{
    struct mbt_req t;
    struct mb_reply rep;

    mbt_req_init(&t, method, target, hdrs, body);
    mb_app_handle(&g_app, &t.req, &rep);
    mbt_req_free(&t);
    assert_non_null(rep.resp);
    return rep;
}

static void dispatch(void **state)
{
    const char *const xff[] = {"X-Forwarded-For: 127.0.0.1", NULL};
    struct mb_reply r;

    (void)state;
    r = run("POST", "/api/items", NULL, NULL);
    assert_int_equal(r.resp->status, 200);
    assert_int_equal(r.delay_ms, 0);
    cmn_http_response_destroy(r.resp);
    r = run("GET", "/__echo", NULL, NULL);
    assert_int_equal(r.resp->status, 200);
    cmn_http_response_destroy(r.resp);
    r = run("GET", "/delayed/", xff, NULL);
    assert_int_equal(r.delay_ms, MB_CE_DELAY_DEFAULT_MS);
    cmn_http_response_destroy(r.resp);
    r = run("GET", "/nothing-here", NULL, NULL);
    assert_int_equal(r.resp->status, 404);
    assert_string_equal(mbt_body(r.resp), "404 page not found\n");
    cmn_http_response_destroy(r.resp);
}

static void faults_apply_to_any_route(void **state)
{
    const char *const h[] = {"X-Mock-Delay-Ms: 1500", "x-mock-status: 503",
                             "X-Mock-Body: {\"down\":true}", "X-Mock-Content-Type: text/x-test",
                             NULL};
    const char *const close[] = {"X-Mock-Close: 1", "X-Mock-Delay-Ms: 10", NULL};
    const char *const xff_delay[] = {"X-Forwarded-For: 127.0.0.1", "X-Mock-Delay-Ms: 100", NULL};
    struct mb_reply r;

    (void)state;
    r = run("GET", "/api/items", h, NULL);
    assert_int_equal(r.delay_ms, 1500);
    assert_int_equal(r.resp->status, 503);
    assert_string_equal(mbt_body(r.resp), "{\"down\":true}");
    assert_string_equal(mbt_resp_header(r.resp, "Content-Type"), "text/x-test");
    assert_int_equal(mbt_resp_header_count(r.resp, "Content-Type"), 1);
    assert_false(r.resp->abort);
    cmn_http_response_destroy(r.resp);

    r = run("GET", "/__echo/x", close, NULL);
    assert_true(r.resp->abort);
    assert_int_equal(r.delay_ms, 10);
    cmn_http_response_destroy(r.resp);

    /* a route's own delay adds up with the scripted one */
    r = run("GET", "/delayed/", xff_delay, NULL);
    assert_int_equal(r.delay_ms, MB_CE_DELAY_DEFAULT_MS + 100);
    cmn_http_response_destroy(r.resp);

    /* the status replaces the route's, side effects still happen */
    const char *const st[] = {"X-Mock-Status: 500", NULL};
    r = run("POST", "/api/items", st, "{\"name\":\"x\"}");
    assert_int_equal(r.resp->status, 500);
    assert_string_equal(mbt_body(r.resp), "{\"id\": 10, \"name\": \"x\"}");
    cmn_http_response_destroy(r.resp);
}

static void bad_fault_values_answer_400(void **state)
{
    const char *const bad[][2] = {
        {"X-Mock-Delay-Ms: 60001", NULL}, {"X-Mock-Delay-Ms: -1", NULL},
        {"X-Mock-Delay-Ms: 1s", NULL},    {"X-Mock-Delay-Ms: +5", NULL},
        {"X-Mock-Status: 199", NULL},     {"X-Mock-Status: 1000", NULL},
        {"X-Mock-Status: abc", NULL},     {"X-Mock-Close: maybe", NULL},
    };
    struct mb_faults f;
    char msg[128];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mb_reply r = run("GET", "/__echo/", bad[i], NULL);
        assert_int_equal(r.resp->status, 400);
        assert_non_null(strstr(mbt_body(r.resp), "X-Mock-"));
        assert_int_equal(r.delay_ms, 0);
        assert_false(r.resp->abort);
        cmn_http_response_destroy(r.resp);
    }
    const char *const ok[] = {"X-Mock-Delay-Ms: 60000", "X-Mock-Status: 999", "X-Mock-Close: 0",
                              NULL};
    struct mbt_req t;
    mbt_req_init(&t, "GET", "/", ok, NULL);
    assert_true(mb_faults_parse(&t.req, &f, msg));
    assert_int_equal(f.delay_ms, 60000);
    assert_int_equal(f.status, 999);
    assert_false(f.close);
    mbt_req_free(&t);
}

/* X-Mock-Header: each line adds a header to the answer (a backend that caches, tags ...). */
static void header_faults(void **state)
{
    const char *const h[] = {"X-Mock-Header: Cache-Control: max-age=60",
                             "x-mock-header: ETag:\t\"v1\"", "X-Mock-Header: X-Empty:", NULL};
    const char *const bad[][2] = {{"X-Mock-Header: no colon", NULL},
                                  {"X-Mock-Header: Bad Name: x", NULL},
                                  {"X-Mock-Header: : x", NULL},
                                  {"X-Mock-Header: X-Ctl: a\x01b", NULL}};
    const char *const nine[] = {"X-Mock-Header: A: 1", "X-Mock-Header: A: 2", "X-Mock-Header: A: 3",
                                "X-Mock-Header: A: 4", "X-Mock-Header: A: 5", "X-Mock-Header: A: 6",
                                "X-Mock-Header: A: 7", "X-Mock-Header: A: 8", "X-Mock-Header: A: 9",
                                NULL};
    struct mb_reply r;

    (void)state;
    r = run("GET", "/__echo/x", h, NULL);
    assert_int_equal(r.resp->status, 200);
    assert_string_equal(mbt_resp_header(r.resp, "Cache-Control"), "max-age=60");
    assert_string_equal(mbt_resp_header(r.resp, "ETag"), "\"v1\"");
    assert_string_equal(mbt_resp_header(r.resp, "X-Empty"), "");
    cmn_http_response_destroy(r.resp);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = run("GET", "/__echo/", bad[i], NULL);
        assert_int_equal(r.resp->status, 400);
        assert_non_null(strstr(mbt_body(r.resp), "X-Mock-Header"));
        cmn_http_response_destroy(r.resp);
    }
    r = run("GET", "/__echo/", nine, NULL);
    assert_int_equal(r.resp->status, 400);
    cmn_http_response_destroy(r.resp);
}

static void echo_shape(void **state)
{
    const char *const h[] = {"Host: 127.0.0.1:9", "x-multi: 1", "X-Multi: 2", "A: <&>", NULL};
    struct mbt_req t;
    struct cmn_http_response *r;
    json_t *j, *v;

    (void)state;
    mbt_req_init(&t, "PATCH", "/__echo/a%20b?q=1&q=2&r=x+y&bad=%zz", h, "body\xff");
    r = mb_echo_handle(&t.req);
    mbt_req_free(&t);
    assert_non_null(r);
    assert_string_equal(mbt_resp_header(r, "Content-Type"), "application/json");
    assert_int_equal(r->body[r->body_len - 1], '\n');
    /* not HTML-escaped, unlike the CE echo */
    assert_non_null(strstr(mbt_body(r), "\"A\":[\"<&>\"]"));
    j = json_loads(mbt_body(r), 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "method")), "PATCH");
    assert_string_equal(json_string_value(json_object_get(j, "path")), "/__echo/a%20b");
    assert_string_equal(json_string_value(json_object_get(j, "target")),
                        "/__echo/a%20b?q=1&q=2&r=x+y&bad=%zz");
    assert_string_equal(json_string_value(json_object_get(j, "raw_query")),
                        "q=1&q=2&r=x+y&bad=%zz");
    v = json_object_get(json_object_get(j, "query"), "q");
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(json_string_value(json_array_get(v, 1)), "2");
    v = json_object_get(json_object_get(j, "query"), "r");
    assert_string_equal(json_string_value(json_array_get(v, 0)), "x y");
    v = json_object_get(json_object_get(j, "query"), "bad");
    assert_string_equal(json_string_value(json_array_get(v, 0)), "%zz");
    v = json_object_get(json_object_get(j, "headers"), "X-Multi");
    assert_int_equal(json_array_size(v), 2);
    assert_non_null(json_object_get(json_object_get(j, "headers"), "Host"));
    v = json_object_get(j, "raw_headers");
    assert_int_equal(json_array_size(v), 4);
    assert_string_equal(json_string_value(json_array_get(json_array_get(v, 1), 0)), "x-multi");
    assert_string_equal(json_string_value(json_object_get(j, "body")), "body\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(j, "body_base64")), "Ym9kef8=");
    assert_string_equal(json_string_value(json_object_get(j, "remote_addr")), "127.0.0.1");
    assert_string_equal(json_string_value(json_object_get(j, "version")), "HTTP/1.1");
    json_decref(j);
    cmn_http_response_destroy(r);

    /* a valid UTF-8 body has no body_base64 */
    mbt_req_init(&t, "POST", "/__echo", NULL, "{\"a\":1}");
    r = mb_echo_handle(&t.req);
    mbt_req_free(&t);
    j = json_loads(mbt_body(r), 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "body")), "{\"a\":1}");
    assert_null(json_object_get(j, "body_base64"));
    assert_int_equal(json_object_size(json_object_get(j, "query")), 0);
    json_decref(j);
    cmn_http_response_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(faults_apply_to_any_route, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_fault_values_answer_400, setup, teardown),
        cmocka_unit_test_setup_teardown(header_faults, setup, teardown),
        cmocka_unit_test(echo_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
