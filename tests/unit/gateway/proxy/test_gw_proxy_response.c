/* test_gw_proxy_response.c - status rule, decoding, filters, merging, static data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_proxy_response.h"

static char s_foo[] = "foo", s_ab[] = "a.b", s_c[] = "c", s_x[] = "x";

static void fetch(struct gw_fetch_result *r, long status, const char *body, const char *ct)
{
    memset(r, 0, sizeof(*r));
    gw_hdrs_init(&r->headers, 0);
    r->status = status;
    r->body = strdup(body);
    r->body_len = strlen(body);
    r->url = strdup("http://127.0.0.1:8081/unknown");
    if (ct)
        gw_hdrs_add(&r->headers, "Content-Type", ct);
}

static struct gw_backend backend(void)
{
    struct gw_backend b;

    memset(&b, 0, sizeof(b));
    b.url_pattern = (char *)(uintptr_t) "/unknown/{id}";
    b.method = (char *)(uintptr_t) "GET";
    return b;
}

static char *data_text(const struct gw_presp *p)
{
    return gw_json_render_str(p->data, NULL);
}

static void expect_ok(const struct gw_backend *b, const char *body, const char *want)
{
    struct gw_fetch_result r;
    struct gw_presp *p = NULL;
    struct gw_perr e = {0};
    char *t;

    fetch(&r, 200, body, "application/json");
    assert_true(gw_presp_from_fetch(b, &r, &p, &e));
    t = data_text(p);
    assert_string_equal(t, want);
    free(t);
    gw_presp_destroy(p);
    gw_fetch_result_free(&r);
}

static void expect_err(const struct gw_backend *b, long status, const char *body, const char *want)
{
    struct gw_fetch_result r;
    struct gw_presp *p = NULL;
    struct gw_perr e = {0};

    fetch(&r, status, body, "text/plain; charset=utf-8");
    assert_false(gw_presp_from_fetch(b, &r, &p, &e));
    assert_null(p);
    assert_string_equal(e.msg, want);
    gw_perr_free(&e);
    gw_fetch_result_free(&r);
}

static void status_rule_and_decoders(void **state)
{
    struct gw_backend b = backend();

    (void)state;
    expect_ok(&b, "{\"n\":1.10}", "{\"n\":1.10}");
    expect_err(&b, 204, "",
               "invalid status code 204 [GET /unknown/{{.Id}}]: http://127.0.0.1:8081/unknown");
    expect_err(&b, 200, "[1]",
               "json: cannot unmarshal array into Go value of type map[string]interface {}");
    expect_err(&b, 200, "", "EOF");
    expect_ok(&b, "null", "null");
    b.is_collection = true;
    expect_ok(&b, "[1,{\"a\":2}]", "{\"collection\":[1,{\"a\":2}]}");
    b.is_collection = false;
    b.encoding = GW_ENC_SAFEJSON;
    expect_ok(&b, "[1]", "{\"collection\":[1]}");
    expect_ok(&b, "\"s\"", "{\"content\":\"s\"}");
    b.encoding = GW_ENC_STRING;
    expect_ok(&b, "<b>hi</b>", "{\"content\":\"\\u003cb\\u003ehi\\u003c/b\\u003e\"}");
}

static void error_details_and_codes(void **state)
{
    struct gw_backend b = backend();
    struct gw_fetch_result r;
    struct gw_presp *p = NULL;
    struct gw_perr e = {0};
    char *t;

    (void)state;
    b.return_error_details = (char *)(uintptr_t) "backend_b";
    fetch(&r, 404, "404 page not found\n", "text/plain; charset=utf-8");
    assert_true(gw_presp_from_fetch(&b, &r, &p, &e));
    assert_false(p->complete);
    t = data_text(p);
    assert_string_equal(t,
                        "{\"error_backend_b\":{\"http_status_code\":404,\"http_body\":\"404 page "
                        "not found\\n\",\"http_body_encoding\":\"text/plain; charset=utf-8\"}}");
    free(t);
    gw_presp_destroy(p);
    gw_fetch_result_free(&r);
    b.return_error_details = NULL;
    b.return_error_code = true;
    fetch(&r, 429, "sad panda\n", "text/plain");
    assert_false(gw_presp_from_fetch(&b, &r, &p, &e));
    assert_int_equal(e.kind, GW_PERR_STATUS);
    assert_int_equal(e.status, 429);
    assert_string_equal(e.msg, "sad panda\n");
    assert_string_equal(e.enc, "text/plain");
    gw_perr_free(&e);
    gw_fetch_result_free(&r);
}

static void manipulation_order(void **state)
{
    struct gw_backend b = backend();
    char *allow[] = {s_foo, s_ab}, *deny[] = {s_ab, s_c};
    struct gw_kv map[] = {{(char *)(uintptr_t) "foo", (char *)(uintptr_t) "bar.ignored"}};
    const char *doc = "{\"data\":{\"foo\":1,\"a\":{\"b\":2,\"z\":3},\"c\":4,\"d\":5},\"x\":1}";

    (void)state;
    b.target = (char *)(uintptr_t) "data";
    b.allow = (struct gw_strlist){allow, 2, true};
    b.mapping = map;
    b.n_mapping = 1;
    b.group = (char *)(uintptr_t) "g";
    expect_ok(&b, doc, "{\"g\":{\"a\":{\"b\":2},\"bar\":1}}");
    b.allow = (struct gw_strlist){0};
    b.deny = (struct gw_strlist){deny, 2, true};
    expect_ok(&b, doc, "{\"g\":{\"a\":{\"z\":3},\"bar\":1,\"d\":5}}");
    b.target = (char *)(uintptr_t) "x"; /* not an object: {} */
    expect_ok(&b, doc, "{\"g\":{}}");
    b.target = NULL;
    b.group = NULL;
    b.mapping = NULL;
    b.n_mapping = 0;
    b.deny = (struct gw_strlist){0};
    char *nothing[] = {s_x};
    b.allow = (struct gw_strlist){nothing, 1, true};
    expect_ok(&b, "{\"y\":1}", "{}");
}

static struct gw_presp *resp_of(const char *json, bool complete)
{
    struct gw_presp *p = gw_presp_new();
    struct cmn_err err = {0};

    p->data = gw_json_parse(json, strlen(json), NULL, &err);
    p->complete = complete;
    return p;
}

static void merging(void **state)
{
    struct gw_merge m;
    struct gw_presp *r;
    struct gw_perr e = {0};
    char *t;

    (void)state;
    gw_merge_init(&m, 3);
    gw_merge_add(&m, resp_of("{\"a\":1,\"k\":1}", true), NULL);
    gw_merge_add(&m, resp_of("{\"b\":2,\"k\":2}", true), NULL);
    gw_perr_set(&e, "context deadline exceeded");
    gw_merge_add(&m, NULL, &e);
    r = gw_merge_result(&m);
    t = data_text(r);
    assert_string_equal(t, "{\"a\":1,\"b\":2,\"k\":2}");
    assert_false(r->complete);
    assert_int_equal(m.n_errs, 1);
    free(t);
    gw_presp_destroy(r);
    gw_merge_free(&m);

    gw_merge_init(&m, 2);
    gw_perr_set(&e, "x");
    gw_merge_add(&m, NULL, &e);
    gw_perr_set(&e, "y");
    gw_merge_add(&m, NULL, &e);
    assert_null(gw_merge_result(&m));
    assert_int_equal(m.n_errs, 2);
    gw_merge_free(&m);
}

static void static_strategies(void **state)
{
    struct gw_json *data = gw_json_object();
    struct gw_presp *r = NULL;
    char *t;

    (void)state;
    gw_json_object_set(data, "foo", gw_json_number("42"));
    gw_static_apply(GW_STATIC_SUCCESS, data, &r, true);
    assert_null(r);
    gw_static_apply(GW_STATIC_ERRORED, data, &r, true);
    assert_non_null(r);
    assert_false(r->complete);
    t = data_text(r);
    assert_string_equal(t, "{\"foo\":42}");
    free(t);
    gw_presp_destroy(r);
    r = resp_of("{\"foo\":1,\"bar\":2}", true);
    gw_static_apply(GW_STATIC_COMPLETE, data, &r, false);
    t = data_text(r);
    assert_string_equal(t, "{\"bar\":2,\"foo\":42}");
    free(t);
    gw_presp_destroy(r);
    gw_json_destroy(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_rule_and_decoders), cmocka_unit_test(error_details_and_codes),
        cmocka_unit_test(manipulation_order),       cmocka_unit_test(merging),
        cmocka_unit_test(static_strategies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
