/* test_gw_render.c - the endpoint handler's rendering and the router's own answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_render.h"

static const char *hdr(const struct cmn_http_response *r, const char *n)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        if (strcasecmp(r->headers[i].name, n) == 0)
            return r->headers[i].value;
    }
    return NULL;
}

static struct gw_presp *resp_of(const char *json, bool complete)
{
    struct gw_presp *p = gw_presp_new();
    struct cmn_err err = {0};

    p->data = gw_json_parse(json, strlen(json), NULL, &err);
    p->complete = complete;
    return p;
}

static void render_rules(void **state)
{
    struct gw_endpoint ep;
    struct gw_render_opts o = {0};
    struct gw_pipe_err none = {false, NULL, 0};
    struct gw_perr e = {0};
    struct gw_presp *p;
    struct cmn_http_response *r;

    (void)state;
    memset(&ep, 0, sizeof(ep));
    ep.cache_ttl_s = 3600;
    p = resp_of("{\"b\":\"<\",\"a\":1}", true);
    r = gw_render_endpoint(&ep, &o, p, &none, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->body, "{\"a\":1,\"b\":\"\\u003c\"}");
    assert_string_equal(hdr(r, "Content-Type"), "application/json; charset=utf-8");
    assert_string_equal(hdr(r, "Cache-Control"), "public, max-age=3600");
    assert_string_equal(hdr(r, "X-Krakend-Completed"), "true");
    assert_string_equal(hdr(r, "X-Krakend"), "Version " GW_VERSION);
    cmn_http_response_destroy(r);
    gw_presp_destroy(p);
    /* {} is "incomplete" and never cached */
    p = resp_of("{}", true);
    r = gw_render_endpoint(&ep, &o, p, &none, NULL);
    assert_string_equal(hdr(r, "X-Krakend-Completed"), "false");
    assert_null(hdr(r, "Cache-Control"));
    cmn_http_response_destroy(r);
    gw_presp_destroy(p);
    /* errors: 500 with no body, or the message with return_error_msg */
    gw_perr_set(&e, "invalid status code 404");
    struct gw_pipe_err one = {false, &e, 1};
    r = gw_render_endpoint(&ep, &o, NULL, &one, NULL);
    assert_int_equal(r->status, 500);
    assert_int_equal(r->body_len, 0);
    assert_null(hdr(r, "Content-Type"));
    cmn_http_response_destroy(r);
    o.return_error_msg = true;
    r = gw_render_endpoint(&ep, &o, NULL, &one, NULL);
    assert_string_equal(r->body, "invalid status code 404");
    assert_string_equal(hdr(r, "Content-Type"), "text/plain; charset=utf-8");
    cmn_http_response_destroy(r);
    gw_perr_free(&e);
    e.kind = GW_PERR_STATUS;
    e.status = 429;
    e.msg = strdup("{\"x\":1}");
    e.enc = strdup("application/json");
    r = gw_render_endpoint(&ep, &o, NULL, &one, NULL);
    assert_int_equal(r->status, 429);
    assert_string_equal(hdr(r, "Content-Type"), "application/json");
    cmn_http_response_destroy(r);
    one.merged = true; /* a merge error never carries the backend status */
    r = gw_render_endpoint(&ep, &o, NULL, &one, NULL);
    assert_int_equal(r->status, 500);
    cmn_http_response_destroy(r);
    gw_perr_free(&e);
    /* string and no-op output */
    ep.output_encoding = GW_OUT_STRING;
    p = resp_of("{\"content\":\"hello\"}", true);
    r = gw_render_endpoint(&ep, &o, p, &none, NULL);
    assert_string_equal(r->body, "hello");
    assert_string_equal(hdr(r, "Content-Type"), "text/plain; charset=utf-8");
    cmn_http_response_destroy(r);
    gw_presp_destroy(p);
    ep.output_encoding = GW_OUT_NOOP;
    p = resp_of("{}", true);
    p->status = 404;
    gw_hdrs_add(&p->headers, "Set-Cookie", "a=1");
    gw_hdrs_add(&p->headers, "Set-Cookie", "b=2");
    gw_hdrs_add(&p->headers, "Content-Length", "3");
    p->body = strdup("nop");
    p->body_len = 3;
    r = gw_render_endpoint(&ep, &o, p, &none, NULL);
    assert_int_equal(r->status, 404);
    assert_string_equal(r->body, "nop");
    assert_string_equal(hdr(r, "X-Krakend-Completed"), "false");
    assert_null(hdr(r, "Cache-Control"));
    assert_null(hdr(r, "Content-Length"));
    size_t cookies = 0;
    for (size_t i = 0; i < r->n_headers; i++)
        cookies += strcmp(r->headers[i].name, "Set-Cookie") == 0;
    assert_int_equal(cookies, 2);
    cmn_http_response_destroy(r);
    gw_presp_destroy(p);
}

/* xml, yaml and negotiate: the Content-Type and body a client gets (the renderers' own rules are
 * in tests/unit/gateway/encoding). */
static void render_encodings(void **state)
{
    static const struct {
        enum gw_output_encoding enc;
        const char *accept;
        const char *data; /* NULL: a nil response */
        const char *ct, *body;
    } cases[] = {
        {GW_OUT_XML, NULL, "{\"a\":{\"-id\":\"7\",\"b\":\"x&y\"}}", "application/xml",
         "<a id=\"7\"><b>x&amp;y</b></a>"},
        {GW_OUT_XML, NULL, "{\"a\":1,\"b\":[]}", "application/xml", "<doc><a>1</a><b/></doc>"},
        /* an attribute that is not a scalar: krakend-xml fails after the status was written */
        {GW_OUT_XML, NULL, "{\"a\":{\"-id\":{}}}", "application/xml", ""},
        {GW_OUT_XML, NULL, NULL, "application/xml; charset=utf-8", ""},
        {GW_OUT_YAML, NULL, "{\"b\":\"yes\",\"a\":[\"x\"]}", "application/yaml; charset=utf-8",
         "a:\n- x\nb: \"yes\"\n"},
        {GW_OUT_YAML, NULL, NULL, "application/yaml; charset=utf-8", "{}\n"},
        {GW_OUT_NEGOTIATE, NULL, "{\"a\":\"1\"}", "application/json; charset=utf-8",
         "{\"a\":\"1\"}"},
        {GW_OUT_NEGOTIATE, "application/xml;q=0.1, application/json", "{\"a\":\"1\"}",
         "application/xml", "<a>1</a>"},
        {GW_OUT_NEGOTIATE, "text/plain", "{\"a\":\"1\"}", "application/yaml; charset=utf-8",
         "a: \"1\"\n"},
        {GW_OUT_NEGOTIATE, "application/yaml", "{\"a\":\"1\"}",
         "application/json; charset=utf-8", "{\"a\":\"1\"}"},
    };
    struct gw_render_opts o = {0};
    struct gw_pipe_err none = {false, NULL, 0};

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_endpoint ep;
        struct gw_presp *p = cases[i].data ? resp_of(cases[i].data, true) : NULL;
        struct cmn_http_response *r;

        memset(&ep, 0, sizeof(ep));
        ep.output_encoding = cases[i].enc;
        r = gw_render_endpoint(&ep, &o, p, &none, cases[i].accept);
        assert_non_null(r);
        assert_int_equal(r->status, 200);
        assert_string_equal(hdr(r, "Content-Type"), cases[i].ct);
        assert_int_equal(r->body_len, strlen(cases[i].body));
        if (r->body_len)
            assert_memory_equal(r->body, cases[i].body, r->body_len);
        cmn_http_response_destroy(r);
        gw_presp_destroy(p);
    }
}

static void router_answers(void **state)
{
    struct gw_render_opts o = {0};
    struct cmn_http_response *r;
    char now[128];

    (void)state;
    r = gw_render_not_found(&o);
    assert_string_equal(r->body, "404 page not found");
    assert_string_equal(hdr(r, "Content-Type"), "text/plain");
    assert_string_equal(hdr(r, "X-Krakend-Completed"), "false");
    cmn_http_response_destroy(r);
    r = gw_render_not_allowed(&o, "GET, PUT");
    assert_int_equal(r->status, 405);
    assert_string_equal(hdr(r, "Allow"), "GET, PUT");
    assert_string_equal(r->body, "405 method not allowed");
    cmn_http_response_destroy(r);
    r = gw_render_redirect("GET", 301, "/static?a=1&b=<");
    assert_string_equal(hdr(r, "Location"), "/static?a=1&b=<");
    assert_string_equal(r->body, "<a href=\"/static?a=1&amp;b=&lt;\">Moved Permanently</a>.\n\n");
    cmn_http_response_destroy(r);
    /* net/http's hexEscapeNonASCII on Location only; the body names the URL as given */
    r = gw_render_redirect("GET", 301, "https://h/\xc3\xa9?q=\xff");
    assert_string_equal(hdr(r, "Location"), "https://h/%c3%a9?q=%ff");
    assert_string_equal(r->body,
                        "<a href=\"https://h/\xc3\xa9?q=\xff\">Moved Permanently</a>.\n\n");
    cmn_http_response_destroy(r);
    r = gw_render_redirect("HEAD", 301, "/x");
    assert_int_equal(r->body_len, 0);
    assert_string_equal(hdr(r, "Content-Type"), "text/html; charset=utf-8");
    cmn_http_response_destroy(r);
    r = gw_render_redirect("POST", 307, "/x");
    assert_int_equal(r->body_len, 0);
    assert_null(hdr(r, "Content-Type"));
    cmn_http_response_destroy(r);
    gw_render_go_now(1700000000123000000LL, 30674738658LL, now, sizeof(now));
    assert_non_null(strstr(now, ".123 "));
    assert_non_null(strstr(now, " m=+30.674738658"));
    r = gw_render_health(now);
    assert_non_null(strstr(r->body, "{\"agents\":{},\"now\":\""));
    assert_non_null(strstr(r->body, "\",\"status\":\"ok\"}"));
    cmn_http_response_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(render_rules),
        cmocka_unit_test(render_encodings),
        cmocka_unit_test(router_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
