/* test_mb_ce.c - the CE integration backend routes answer what KrakenD CE's specs expect: the
 * bodies in the krakend-ce-specs files are what CE's Go backend sent for the gateway's request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tu_shared.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb_ce.h"
#include "mbt_util.h"

#define KRAKEND_UA "User-Agent: KrakenD Version 2.13.8"
#define XFF "X-Forwarded-For: 127.0.0.1"
#define XFH "X-Forwarded-Host: localhost:8080"

static struct cmn_http_response *ce(const char *method, const char *target, const char *const *hdrs,
                                    const char *body, unsigned *delay)
{
    struct mbt_req t;
    struct cmn_http_response *r;
    unsigned d = 0;

    mbt_req_init(&t, method, target, hdrs, body);
    r = mb_ce_handle(&t.req, 200, &d);
    mbt_req_free(&t);
    assert_non_null(r);
    if (delay)
        *delay = d;
    return r;
}

enum cmp { EXACT_PLUS_NL, EXACT, AS_JSON, AS_JSON_FIRST };

struct spec_case {
    const char *spec;
    const char *method;
    const char *target; /* what the gateway asks the backend for */
    const char *headers[12];
    const char *body;
    enum cmp cmp;
};

static const struct spec_case SPEC_CASES[] = {
    {"param_forwarding_1",
     "GET",
     "/param_forwarding/bar?foo=foo",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, "Authorization: bearer 123456", XFF, XFH, "X-Y-Z: true",
      "Accept-Encoding: gzip", NULL},
     NULL,
     EXACT_PLUS_NL},
    {"param_forwarding_2",
     "GET",
     "/param_forwarding/bar?foo=foo",
     {"Host: 127.0.0.1:8081", "User-Agent: Go-http-client/1.1", "A-B-C: ignore",
      "Authorization: bearer 123456", XFF, XFH, "X-Forwarded-Via: KrakenD Version 2.13.8",
      "X-Y-Z: true", "Accept-Encoding: gzip", NULL},
     NULL,
     EXACT_PLUS_NL},
    {"param_forwarding_3",
     "GET",
     "/param_forwarding/bar?foo=foo",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, "authorization: bearer 123456", XFF, XFH, "x-y-Z: true",
      "Accept-Encoding: gzip", NULL},
     NULL,
     EXACT_PLUS_NL},
    {"param_forwarding_4",
     "POST",
     "/param_forwarding/bar?foo=foo&dump_body=1",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, "Transfer-Encoding: chunked",
      "Authorization: bearer 123456", XFF, XFH, "X-Y-Z: true", "Accept-Encoding: gzip", NULL},
     "{\"foo\":\"bar\"}",
     AS_JSON},
    {"query_forwarding_1",
     "GET",
     "/param_forwarding/foo?a=1&b=2",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, XFF, XFH, "Accept-Encoding: gzip", NULL},
     NULL,
     EXACT_PLUS_NL},
    {"query_forwarding_2",
     "GET",
     "/param_forwarding/foo?a=1&b=2&b=3",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, XFF, XFH, "Accept-Encoding: gzip", NULL},
     NULL,
     EXACT_PLUS_NL},
    {"query_forwarding_3",
     "GET",
     "/param_forwarding/foo?a=1",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, XFF, XFH, "Accept-Encoding: gzip", NULL},
     NULL,
     EXACT_PLUS_NL},
    {"sequential_1",
     "GET",
     "/param_forwarding/42",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, XFF, XFH, "Accept-Encoding: gzip", NULL},
     NULL,
     EXACT_PLUS_NL},
    {"backend_301",
     "GET",
     "/param_forwarding/?status=301",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, XFF, XFH,
      "Referer: http://127.0.0.1:8081/redirect/?status=301", "Accept-Encoding: gzip", NULL},
     NULL,
     EXACT_PLUS_NL},
    {"backend_307",
     "GET",
     "/param_forwarding/?status=307",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, XFF, XFH,
      "Referer: http://127.0.0.1:8081/redirect/?status=307", "Accept-Encoding: gzip", NULL},
     NULL,
     EXACT_PLUS_NL},
    {"cel-7",
     "GET",
     "/param_forwarding/ok/1234567890qwertyuio/foobar",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, XFF, XFH, "Accept-Encoding: gzip", NULL},
     NULL,
     AS_JSON},
    {"no-op_1",
     "POST",
     "/param_forwarding/",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, "Content-Length: 0", XFF, XFH, "Accept-Encoding: gzip",
      NULL},
     NULL,
     EXACT},
    {"timeout",
     "GET",
     "/param_forwarding/123",
     {"Host: 127.0.0.1:8081", KRAKEND_UA, XFF, XFH, "Accept-Encoding: gzip", NULL},
     NULL,
     AS_JSON_FIRST},
};

static json_t *spec_body(const char *name)
{
    char rel[256], path[4096];
    json_error_t je;
    json_t *spec, *body;

    snprintf(rel, sizeof(rel), "conformance/krakend-ce/krakend-ce-specs/%s.json", name);
    if (!tu_shared_path(rel, path, sizeof(path)))
        fail_msg("no shared material for %s", rel);
    spec = json_load_file(path, 0, &je);
    if (!spec)
        fail_msg("cannot read %s: %s", path, je.text);
    body = json_incref(json_object_get(json_object_get(spec, "out"), "body"));
    json_decref(spec);
    assert_non_null(body);
    return body;
}

static void echo_matches_ce_specs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(SPEC_CASES) / sizeof(SPEC_CASES[0]); i++) {
        const struct spec_case *c = &SPEC_CASES[i];
        struct cmn_http_response *r = ce(c->method, c->target, c->headers, c->body, NULL);
        json_t *want = spec_body(c->spec);
        json_t *got = NULL;
        char *exp = NULL;

        assert_int_equal(r->status, 200);
        assert_string_equal(mbt_resp_header(r, "Content-Type"), "application/json");
        assert_int_equal(mbt_resp_header_count(r, "Set-Cookie"), 2);
        switch (c->cmp) {
        case EXACT_PLUS_NL:
            exp = malloc(strlen(json_string_value(want)) + 2);
            memcpy(exp, json_string_value(want), strlen(json_string_value(want)));
            memcpy(exp + strlen(json_string_value(want)), "\n", 2);
            if (strcmp(mbt_body(r), exp) != 0)
                fail_msg("%s:\n got  %s\n want %s", c->spec, mbt_body(r), exp);
            break;
        case EXACT:
            if (strcmp(mbt_body(r), json_string_value(want)) != 0)
                fail_msg("%s:\n got  %s\n want %s", c->spec, mbt_body(r), json_string_value(want));
            break;
        case AS_JSON:
        case AS_JSON_FIRST:
            got = json_loads(mbt_body(r), 0, NULL);
            assert_non_null(got);
            if (c->cmp == AS_JSON_FIRST) {
                json_t *s = json_loads(json_string_value(want), 0, NULL);
                json_decref(want);
                want = json_incref(json_object_get(s, "first"));
                json_decref(s);
            }
            if (!json_equal(got, want))
                fail_msg("%s: got %s", c->spec, mbt_body(r));
            break;
        }
        free(exp);
        json_decref(got);
        json_decref(want);
        cmn_http_response_destroy(r);
    }
}

static void not_found_is_gos(void **state)
{
    const char *const paths[] = {"/", "/unknown", "/xml/", "/jwk/symmetric/", "/jwk", "/api"};
    json_t *want = spec_body("detail_error");
    json_t *eb = json_object_get(want, "error_backend_b");

    (void)state;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct cmn_http_response *r = ce("GET", paths[i], NULL, NULL, NULL);
        assert_int_equal(r->status, 404);
        assert_string_equal(mbt_body(r), json_string_value(json_object_get(eb, "http_body")));
        assert_string_equal(mbt_resp_header(r, "Content-Type"),
                            json_string_value(json_object_get(eb, "http_body_encoding")));
        assert_string_equal(mbt_resp_header(r, "X-Content-Type-Options"), "nosniff");
        cmn_http_response_destroy(r);
    }
    json_decref(want);
}

static void xff_check_on_ce_routes_only(void **state)
{
    const char *const none[] = {NULL};
    const char *const remote[] = {"X-Forwarded-For: 10.1.2.3", NULL};
    const char *const list[] = {"X-Forwarded-For: 127.0.0.1, 10.0.0.1", NULL};
    const char *const v6[] = {"x-forwarded-for: ::1", NULL};
    const char *const *bad[] = {none, remote, list};
    const char *const routes[] = {"/param_forwarding/x", "/xml", "/collection/1", "/delayed/",
                                  "/redirect/?status=301"};
    struct cmn_http_response *r;

    (void)state;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        for (size_t j = 0; j < 3; j++) {
            r = ce("GET", routes[i], bad[j], NULL, NULL);
            assert_int_equal(r->status, 400);
            assert_string_equal(mbt_body(r), "invalid X-Forwarded-For\n");
            assert_string_equal(mbt_resp_header(r, "Content-Type"), "text/plain; charset=utf-8");
            cmn_http_response_destroy(r);
        }
    }
    r = ce("GET", "/param_forwarding/x", v6, NULL, NULL);
    assert_int_equal(r->status, 200);
    cmn_http_response_destroy(r);
    /* /jwk/symmetric has no check */
    r = ce("GET", "/jwk/symmetric", none, NULL, NULL);
    assert_int_equal(r->status, 200);
    cmn_http_response_destroy(r);
}

/* /jwk/symmetric serves CE's JWKS byte for byte (the saved copy adds a final newline). */
static void jwk_symmetric_is_ces(void **state)
{
    const char *const none[] = {NULL};
    struct cmn_http_response *r;
    size_t jwk_len = 0;
    char *jwk;

    (void)state;
    r = ce("GET", "/jwk/symmetric", none, NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(mbt_resp_header(r, "Content-Type"), "application/json");
    jwk = tu_shared_read("conformance/krakend-ce/mock-backend-jwk-symmetric.json", &jwk_len);
    assert_non_null(jwk);
    if (jwk_len && jwk[jwk_len - 1] == '\n')
        jwk[--jwk_len] = '\0';
    assert_int_equal(r->body_len, jwk_len);
    assert_memory_equal(r->body, jwk, jwk_len);
    free(jwk);
    cmn_http_response_destroy(r);
}

static void collection_xml_delayed(void **state)
{
    const char *const h[] = {XFF, NULL};
    struct cmn_http_response *r;
    unsigned delay = 0;

    (void)state;
    r = ce("GET", "/collection/2", h, NULL, &delay);
    assert_int_equal(delay, 0);
    assert_string_equal(
        mbt_body(r), "[{\"i\":0,\"path\":\"/collection/2\"},{\"i\":1,\"path\":\"/collection/2\"},"
                     "{\"i\":2,\"path\":\"/collection/2\"},{\"i\":3,\"path\":\"/collection/2\"},"
                     "{\"i\":4,\"path\":\"/collection/2\"},{\"i\":5,\"path\":\"/collection/2\"},"
                     "{\"i\":6,\"path\":\"/collection/2\"},{\"i\":7,\"path\":\"/collection/2\"},"
                     "{\"i\":8,\"path\":\"/collection/2\"},{\"i\":9,\"path\":\"/collection/2\"}]"
                     "\n");
    assert_int_equal(mbt_resp_header_count(r, "Set-Cookie"), 0);
    cmn_http_response_destroy(r);

    r = ce("GET", "/xml", h, NULL, NULL);
    assert_string_equal(mbt_resp_header(r, "Content-Type"), "application/xml; charset=utf-8");
    assert_true(strncmp(mbt_body(r), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<user", 44) == 0);
    assert_int_equal(r->body[r->body_len - 1], '>'); /* no trailing newline */
    cmn_http_response_destroy(r);

    r = ce("GET", "/delayed/x", h, NULL, &delay);
    assert_int_equal(delay, 200);
    assert_string_equal(mbt_body(r),
                        "{\"foo\":42,\"headers\":{},\"path\":\"/delayed/x\",\"query\":{}}\n");
    cmn_http_response_destroy(r);
}

static void redirect_endpoint(void **state)
{
    const char *const h[] = {XFF, NULL};
    struct cmn_http_response *r;

    (void)state;
    r = ce("GET", "/redirect/?status=301", h, NULL, NULL);
    assert_int_equal(r->status, 301);
    assert_string_equal(mbt_resp_header(r, "Location"), "/param_forwarding/?status=301");
    assert_string_equal(mbt_resp_header(r, "Content-Type"), "text/html; charset=utf-8");
    assert_string_equal(mbt_body(r),
                        "<a href=\"/param_forwarding/?status=301\">Moved Permanently</a>.\n\n");
    cmn_http_response_destroy(r);

    r = ce("GET", "/redirect/x?a=<b>&status=307", h, NULL, NULL);
    assert_int_equal(r->status, 307);
    assert_string_equal(mbt_resp_header(r, "Location"), "/param_forwarding/?a=<b>&status=307");
    assert_string_equal(mbt_body(r), "<a href=\"/param_forwarding/?a=&lt;b&gt;&amp;status=307\">"
                                     "Temporary Redirect</a>.\n\n");
    cmn_http_response_destroy(r);

    /* not GET: no Content-Type and no body */
    r = ce("POST", "/redirect/?status=302", h, NULL, NULL);
    assert_int_equal(r->status, 302);
    assert_null(mbt_resp_header(r, "Content-Type"));
    assert_int_equal(r->body_len, 0);
    cmn_http_response_destroy(r);

    r = ce("GET", "/redirect/?status=304", h, NULL, NULL);
    assert_int_equal(r->status, 304);
    assert_null(mbt_resp_header(r, "Content-Type"));
    assert_int_equal(r->body_len, 0);
    cmn_http_response_destroy(r);

    r = ce("GET", "/redirect/?status=abc", h, NULL, NULL);
    assert_int_equal(r->status, 400);
    assert_string_equal(mbt_body(r), "strconv.Atoi: parsing \"abc\": invalid syntax\n");
    cmn_http_response_destroy(r);

    /* Go panics (no status; WriteHeader outside 100..999): the connection is dropped */
    r = ce("GET", "/redirect/", h, NULL, NULL);
    assert_true(r->abort);
    cmn_http_response_destroy(r);
    r = ce("GET", "/redirect/?status=1000", h, NULL, NULL);
    assert_true(r->abort);
    cmn_http_response_destroy(r);
}

static void mux_redirects_and_bad_targets(void **state)
{
    struct cmn_http_response *r;

    (void)state;
    r = ce("GET", "/param_forwarding?x=1", NULL, NULL, NULL);
    assert_int_equal(r->status, 301);
    assert_string_equal(mbt_resp_header(r, "Location"), "/param_forwarding/?x=1");
    cmn_http_response_destroy(r);

    r = ce("GET", "/a//b/../c%20d", NULL, NULL, NULL);
    assert_int_equal(r->status, 301);
    assert_string_equal(mbt_resp_header(r, "Location"), "/a/c%20d");
    assert_string_equal(mbt_body(r), "<a href=\"/a/c%20d\">Moved Permanently</a>.\n\n");
    cmn_http_response_destroy(r);

    r = ce("HEAD", "/param_forwarding", NULL, NULL, NULL);
    assert_int_equal(r->status, 301);
    assert_string_equal(mbt_resp_header(r, "Content-Type"), "text/html; charset=utf-8");
    assert_int_equal(r->body_len, 0);
    cmn_http_response_destroy(r);

    r = ce("GET", "/a%zz", NULL, NULL, NULL);
    assert_int_equal(r->status, 400);
    assert_string_equal(mbt_body(r), "400 Bad Request");
    assert_string_equal(mbt_resp_header(r, "Connection"), "close");
    cmn_http_response_destroy(r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest own[] = {
        cmocka_unit_test(xff_check_on_ce_routes_only),
        cmocka_unit_test(collection_xml_delayed),
        cmocka_unit_test(redirect_endpoint),
        cmocka_unit_test(mux_redirects_and_bad_targets),
    };
    /* what CE's own backend answered, from KrakenD CE's specs in ../shared */
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(echo_matches_ce_specs),
        cmocka_unit_test(not_found_is_gos),
        cmocka_unit_test(jwk_symmetric_is_ces),
    };
    return tu_run(argc, argv, own, TU_COUNT(own), shared, TU_COUNT(shared));
}
