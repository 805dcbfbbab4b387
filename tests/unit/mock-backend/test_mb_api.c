/* test_mb_api.c - the guide's items API: ids from 10, the no-body sample, CRUD, errors, caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb_api.h"
#include "mbt_util.h"

#define GUIDE_SAMPLE "{\"id\": 10, \"name\": \"Widget\", \"description\": \"A test item\"}"
#define WIDGET "{\"name\":\"Widget\",\"description\":\"A test item\"}"

static struct mb_items *g_items;

static int setup(void **state)
{
    (void)state;
    g_items = mb_items_new(NULL);
    return g_items ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    mb_items_destroy(g_items);
    return 0;
}

static struct cmn_http_response *call(const char *method, const char *target,
                                      const char *const *hdrs, const char *body)
{
    struct mbt_req t;
    struct cmn_http_response *r;

    mbt_req_init(&t, method, target, hdrs, body);
    assert_true(mb_api_owns(t.req.path));
    r = mb_api_handle(g_items, &t.req);
    mbt_req_free(&t);
    assert_non_null(r);
    return r;
}

static void expect(struct cmn_http_response *r, unsigned status, const char *body)
{
    assert_int_equal(r->status, status);
    if (body)
        assert_string_equal(mbt_body(r), body);
    assert_string_equal(mbt_resp_header(r, "Content-Type"), "application/json");
    cmn_http_response_destroy(r);
}

static void ownership(void **state)
{
    (void)state;
    assert_true(mb_api_owns("/api/items"));
    assert_true(mb_api_owns("/api/items/10"));
    assert_false(mb_api_owns("/api/itemsx"));
    assert_false(mb_api_owns("/api"));
}

static void guides_first_curl_creates_widget_10(void **state)
{
    const char *const h[] = {"Content-Type: application/json", NULL};
    struct cmn_http_response *r;

    (void)state;
    r = call("POST", "/api/items", h, WIDGET);
    assert_string_equal(mbt_resp_header(r, "Location"), "/api/items/10");
    expect(r, 201, GUIDE_SAMPLE);
    r = call("POST", "/api/items", h, "{\"name\":\"Gadget\",\"id\":99,\"tags\":[\"a\"]}");
    assert_string_equal(mbt_resp_header(r, "Location"), "/api/items/11");
    expect(r, 201, "{\"id\": 11, \"name\": \"Gadget\", \"tags\": [\"a\"]}");
    expect(call("GET", "/api/items", NULL, NULL), 200,
           "[" GUIDE_SAMPLE ", {\"id\": 11, \"name\": \"Gadget\", \"tags\": [\"a\"]}]");
}

static void no_body_post_answers_the_guide_sample(void **state)
{
    const char *const json[] = {"Content-Type: application/json", NULL};
    const char *const zero[] = {"Content-Length: 0", "Content-Type: text/plain", NULL};

    (void)state;
    /* nothing created yet, any Content-Type, and nothing is stored */
    expect(call("POST", "/api/items", json, NULL), 200, GUIDE_SAMPLE);
    expect(call("POST", "/api/items", zero, NULL), 200, GUIDE_SAMPLE);
    expect(call("POST", "/api/items", NULL, ""), 200, GUIDE_SAMPLE);
    assert_int_equal(mb_items_count(g_items), 0);
    expect(call("GET", "/api/items", NULL, NULL), 200, "[]");
}

static void read_replace_delete(void **state)
{
    (void)state;
    expect(call("POST", "/api/items", NULL, WIDGET), 201, NULL);
    expect(call("GET", "/api/items/10", NULL, NULL), 200, GUIDE_SAMPLE);
    expect(call("HEAD", "/api/items/10", NULL, NULL), 200, GUIDE_SAMPLE);
    expect(call("PUT", "/api/items/10", NULL, "{\"name\":\"Sprocket\"}"), 200,
           "{\"id\": 10, \"name\": \"Sprocket\"}");
    expect(call("GET", "/api/items/10", NULL, NULL), 200, "{\"id\": 10, \"name\": \"Sprocket\"}");
    expect(call("DELETE", "/api/items/10", NULL, NULL), 200,
           "{\"id\": 10, \"name\": \"Sprocket\"}");
    expect(call("GET", "/api/items/10", NULL, NULL), 404, "{\"error\": \"item not found\"}");
    expect(call("DELETE", "/api/items/10", NULL, NULL), 404, NULL);
    /* ids are never reused */
    expect(call("POST", "/api/items", NULL, "{}"), 201, "{\"id\": 11}");
}

static void bad_requests(void **state)
{
    struct cmn_http_response *r;

    (void)state;
    r = call("POST", "/api/items", NULL, "{\"name\":");
    assert_non_null(strstr(mbt_body(r), "invalid JSON body"));
    expect(r, 400, NULL);
    expect(call("POST", "/api/items", NULL, "[1,2]"), 400,
           "{\"error\": \"the body must be a JSON object\"}");
    expect(call("POST", "/api/items", NULL, "\"x\""), 400, NULL);
    expect(call("POST", "/api/items", NULL, "{\"a\":1,\"a\":2}"), 400, NULL); /* duplicate */
    expect(call("POST", "/api/items", NULL, "{} {}"), 400, NULL);
    expect(call("PUT", "/api/items/10", NULL, NULL), 400,
           "{\"error\": \"a JSON object body is required\"}");
    expect(call("GET", "/api/items/abc", NULL, NULL), 404, NULL);
    expect(call("GET", "/api/items/99999999999999999999", NULL, NULL), 404, NULL);
    expect(call("GET", "/api/items/", NULL, NULL), 404, NULL);
    expect(call("GET", "/api/items/10/x", NULL, NULL), 404, NULL);
    expect(call("PUT", "/api/items/12345", NULL, "{}"), 404, NULL);
    assert_int_equal(mb_items_count(g_items), 0);
}

static void wrong_methods_get_405_with_allow(void **state)
{
    struct cmn_http_response *r;

    (void)state;
    r = call("DELETE", "/api/items", NULL, NULL);
    assert_string_equal(mbt_resp_header(r, "Allow"), "GET, HEAD, POST");
    expect(r, 405, "{\"error\": \"method not allowed\"}");
    r = call("POST", "/api/items/10", NULL, "{}");
    assert_string_equal(mbt_resp_header(r, "Allow"), "GET, HEAD, PUT, DELETE");
    expect(r, 405, NULL);
    r = call("PATCH", "/api/items/10", NULL, "{}");
    expect(r, 405, NULL);
}

static void caps(void **state)
{
    struct mb_items_caps c = {
        .max_items = 2, .max_fields = 3, .max_key_bytes = 8, .max_item_bytes = 64};
    struct mb_items *saved = g_items;
    char big[128];

    (void)state;
    g_items = mb_items_new(&c);
    expect(call("POST", "/api/items", NULL, "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}"), 413, NULL);
    expect(call("POST", "/api/items", NULL, "{\"abcdefghi\":1}"), 413, NULL);
    snprintf(big, sizeof(big), "{\"a\":\"%080d\"}", 0);
    expect(call("POST", "/api/items", NULL, big), 413, NULL);
    expect(call("POST", "/api/items", NULL, "{\"a\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}"), 413,
           NULL);
    expect(call("POST", "/api/items", NULL, "{}"), 201, NULL);
    expect(call("POST", "/api/items", NULL, "{}"), 201, NULL);
    expect(call("POST", "/api/items", NULL, "{}"), 507, NULL);
    /* a failed PUT leaves the item as it was */
    expect(call("PUT", "/api/items/10", NULL, "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}"), 413, NULL);
    expect(call("GET", "/api/items/10", NULL, NULL), 200, "{\"id\": 10}");
    expect(call("DELETE", "/api/items/10", NULL, NULL), 200, NULL);
    expect(call("POST", "/api/items", NULL, "{}"), 201, "{\"id\": 12}");
    mb_items_destroy(g_items);
    g_items = saved;
}

static void error_body_escapes(void **state)
{
    struct cmn_http_response *r = mb_api_error(400, "bad \"quote\"\n");

    (void)state;
    expect(r, 400, "{\"error\": \"bad \\\"quote\\\"\\n\"}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ownership),
        cmocka_unit_test_setup_teardown(guides_first_curl_creates_widget_10, setup, teardown),
        cmocka_unit_test_setup_teardown(no_body_post_answers_the_guide_sample, setup, teardown),
        cmocka_unit_test_setup_teardown(read_replace_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_methods_get_405_with_allow, setup, teardown),
        cmocka_unit_test_setup_teardown(caps, setup, teardown),
        cmocka_unit_test(error_body_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
