/* test_gw_proxy_request.c - headers, query strings, URLs and body flags sent to backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gw_proxy_request.h"
#include "cmn_go_header.h"

static char s_star[] = "*", s_auth[] = "Authorization", s_xyz[] = "X-Y-Z", s_ua[] = "User-Agent",
            s_a[] = "a", s_b[] = "b", s_xff[] = "X-Forwarded-For",
            s_empty[] = "";

static void add_in_header(struct gw_inreq *in, const char *n, const char *v)
{
    assert_true(gw_hdrs_add(&in->headers, n, v));
}

static void make_in(struct gw_inreq *in, const char *query)
{
    memset(in, 0, sizeof(*in));
    gw_hdrs_init(&in->headers, 0);
    in->method = strdup("GET");
    in->path = strdup("/x");
    in->raw_query = strdup(query);
    in->host = strdup("localhost:8080");
    in->client_ip = strdup("127.0.0.1");
    in->params = calloc(2, sizeof(*in->params));
    in->params[0].name = strdup("foo");
    in->params[0].value = strdup("a b");
    in->params[1].name = strdup("bar");
    in->params[1].value = strdup("ü");
    in->n_params = 2;
}

static void make_cfg(struct gw_endpoint *ep, struct gw_backend *b, const char *pattern)
{
    memset(ep, 0, sizeof(*ep));
    memset(b, 0, sizeof(*b));
    ep->method = (char *)(uintptr_t) "GET";
    b->url_pattern = (char *)(uintptr_t)pattern;
    b->method = (char *)(uintptr_t) "GET";
}

static void default_headers_only_content_type(void **state)
{
    struct gw_endpoint ep;
    struct gw_backend b;
    struct gw_inreq in;
    struct gw_outreq out;
    struct cmn_err err = {0};

    (void)state;
    make_cfg(&ep, &b, "/p/{bar}?foo={foo}");
    make_in(&in, "a=1&b=2");
    add_in_header(&in, "Content-Type", "application/json");
    add_in_header(&in, "Authorization", "secret");
    add_in_header(&in, "Connection", "keep-alive");
    add_in_header(&in, "X-Forwarded-For", "10.0.0.1");
    assert_true(gw_request_build(&ep, &b, "http://h:1", &in, NULL, 0, &out, &err));
    /* the path is re-escaped as Go does; the pattern's query keeps its raw text */
    assert_string_equal(out.url, "http://h:1/p/%C3%BC?foo=a%20b");
    assert_int_equal(out.headers.n, 4);
    assert_string_equal(gw_hdrs_get(&out.headers, "Content-Type"), "application/json");
    assert_null(gw_hdrs_get(&out.headers, "Authorization"));
    assert_null(gw_hdrs_get(&out.headers, "Connection"));
    assert_string_equal(gw_hdrs_get(&out.headers, "X-Forwarded-For"), "127.0.0.1");
    assert_string_equal(gw_hdrs_get(&out.headers, "X-Forwarded-Host"), "localhost:8080");
    assert_string_equal(gw_hdrs_get(&out.headers, "User-Agent"), "KrakenD Version " GW_VERSION);
    assert_true(out.accept_gzip);
    assert_false(out.content_length);
    gw_outreq_free(&out);
    gw_inreq_free(&in);
}

/* Go's URL.EscapedPath: a path that is a valid encoding goes as written, else it is decoded
 * and escaped again, sub-delimiters included. */
static void path_escaped_as_go_does(void **state)
{
    static const struct {
        const char *pattern, *url;
    } cases[] = {
        {"/a!$&'()*+,;=:@[]~-_.Z9", "http://h:1/a!$&'()*+,;=:@[]~-_.Z9"},
        {"/a%20b%2Fc", "http://h:1/a%20b%2Fc"},
        {"/a! b", "http://h:1/a%21%20b"},
        {"/x\"<>^`|y", "http://h:1/x%22%3C%3E%5E%60%7Cy"},
    };
    struct gw_endpoint ep;
    struct gw_backend b;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_inreq in;
        struct gw_outreq out;
        struct cmn_err err = {0};
        make_cfg(&ep, &b, cases[i].pattern);
        make_in(&in, "");
        assert_true(gw_request_build(&ep, &b, "http://h:1", &in, NULL, 0, &out, &err));
        assert_string_equal(out.url, cases[i].url);
        gw_outreq_free(&out);
        gw_inreq_free(&in);
    }
}

static void star_forwards_all_but_hop_by_hop(void **state)
{
    struct gw_endpoint ep;
    struct gw_backend b;
    struct gw_inreq in;
    struct gw_outreq out;
    struct cmn_err err = {0};
    char *items[] = {s_star};

    (void)state;
    make_cfg(&ep, &b, "/p");
    ep.input_headers = (struct gw_strlist){items, 1, true};
    make_in(&in, "");
    add_in_header(&in, "User-Agent", "curl/8");
    add_in_header(&in, "Transfer-Encoding", "chunked");
    add_in_header(&in, "Content-Length", "3");
    add_in_header(&in, "A-B-C", "1");
    add_in_header(&in, "A-B-C", "2");
    add_in_header(&in, "Accept-Encoding", "br");
    assert_true(gw_request_build(&ep, &b, "http://h", &in, NULL, 0, &out, &err));
    assert_string_equal(out.url, "http://h/p");
    assert_string_equal(gw_hdrs_get(&out.headers, "User-Agent"), "curl/8");
    assert_string_equal(gw_hdrs_get(&out.headers, "X-Forwarded-Via"),
                        "KrakenD Version " GW_VERSION);
    assert_null(gw_hdrs_get(&out.headers, "Transfer-Encoding"));
    assert_null(gw_hdrs_get(&out.headers, "Content-Length")); /* curl writes it */
    assert_true(out.content_length);
    assert_false(out.accept_gzip);
    size_t abc = 0;
    for (size_t i = 0; i < out.headers.n; i++)
        abc += strcmp(out.headers.v[i].name, "A-B-C") == 0;
    assert_int_equal(abc, 2);
    gw_outreq_free(&out);
    gw_inreq_free(&in);
}

static void backend_filter_and_list(void **state)
{
    struct gw_endpoint ep;
    struct gw_backend b;
    struct gw_inreq in;
    struct gw_outreq out;
    struct cmn_err err = {0};
    char *eitems[] = {s_auth, s_xyz, s_ua};
    char *bitems[] = {s_auth, s_xff};
    char *none[] = {s_empty};

    (void)state;
    make_cfg(&ep, &b, "/p");
    ep.input_headers = (struct gw_strlist){eitems, 3, true};
    b.input_headers = (struct gw_strlist){bitems, 2, true};
    make_in(&in, "");
    add_in_header(&in, "Authorization", "t");
    add_in_header(&in, "X-Y-Z", "1");
    assert_true(gw_request_build(&ep, &b, "http://h", &in, NULL, 0, &out, &err));
    assert_int_equal(out.headers.n, 2);
    assert_string_equal(gw_hdrs_get(&out.headers, "Authorization"), "t");
    assert_string_equal(gw_hdrs_get(&out.headers, "X-Forwarded-For"), "127.0.0.1");
    gw_outreq_free(&out);
    b.input_headers = (struct gw_strlist){none, 1, true};
    assert_true(gw_request_build(&ep, &b, "http://h", &in, NULL, 0, &out, &err));
    assert_int_equal(out.headers.n, 0);
    gw_outreq_free(&out);
    gw_inreq_free(&in);
}

static void query_forwarding(void **state)
{
    struct cmn_buf q;
    char *all[] = {s_star}, *a[] = {s_a}, *b[] = {s_b};
    struct gw_strlist l_all = {all, 1, true}, l_a = {a, 1, true}, l_b = {b, 1, true};

    (void)state;
    cmn_buf_init(&q, 4096);
    assert_true(gw_query_encode("b=3&a=1&b=2&c=x+y&d=%zz&e;f=1&z", &l_all, NULL, &q));
    assert_string_equal(cmn_buf_str(&q), "a=1&b=3&b=2&c=x+y&z=");
    cmn_buf_reset(&q);
    assert_true(gw_query_encode("b=3&a=1", &l_a, NULL, &q));
    assert_string_equal(cmn_buf_str(&q), "a=1");
    cmn_buf_reset(&q);
    assert_true(gw_query_encode("b=3&a=1", &l_all, &l_b, &q));
    assert_string_equal(cmn_buf_str(&q), "b=3");
    cmn_buf_reset(&q);
    assert_true(gw_query_encode("a=1", NULL, NULL, &q));
    assert_string_equal(cmn_buf_str(&q), "");
    cmn_buf_reset(&q);
    assert_true(gw_query_encode("k=%E2%9C%93&sp=a%20b&amp=%26", &l_all, NULL, &q));
    assert_string_equal(cmn_buf_str(&q), "amp=%26&k=%E2%9C%93&sp=a+b");
    cmn_buf_free(&q);
}

static void url_pattern_query_first_then_client_params(void **state)
{
    struct gw_endpoint ep;
    struct gw_backend b;
    struct gw_inreq in;
    struct gw_outreq out;
    struct cmn_err err = {0};
    char *all[] = {s_star};
    struct gw_seqparam seq[] = {{(char *)(uintptr_t) "resp0_id", (char *)(uintptr_t) "42"}};

    (void)state;
    make_cfg(&ep, &b, "/p/{resp0_id}/{Foo}/{missing}?x=1");
    ep.input_query_strings = (struct gw_strlist){all, 1, true};
    make_in(&in, "z=2&a=1");
    assert_true(gw_request_build(&ep, &b, "https://h", &in, seq, 1, &out, &err));
    assert_string_equal(out.url, "https://h/p/42/a%20b/%7Bmissing%7D?x=1&a=1&z=2");
    gw_outreq_free(&out);
    gw_inreq_free(&in);
}

static const char *fake_claim(void *ctx, const char *name, char *buf, size_t n)
{
    (void)ctx;
    if (strcmp(name, "sub") == 0 || strcmp(name, "http://example.com/custom") == 0) {
        snprintf(buf, n, "%s", strcmp(name, "sub") == 0 ? "1234" : "foobar");
        return buf;
    }
    return NULL;
}

static void jwt_placeholders(void **state)
{
    char *p;
    struct gw_inreq in;

    (void)state;
    make_in(&in, "");
    in.claim = fake_claim;
    p = gw_request_path("/u/{JWT.sub}/{JWT.http://example.com/custom}/{JWT.nope}", &in, NULL, 0);
    assert_string_equal(p, "/u/1234/foobar/{JWT.nope}");
    free(p);
    gw_inreq_free(&in);
}

static void canonical_names(void **state)
{
    char out[64];

    (void)state;
    cmn_go_canonical_header("autHoriZatiOn", out, sizeof(out));
    assert_string_equal(out, "Authorization");
    cmn_go_canonical_header("x-y-z", out, sizeof(out));
    assert_string_equal(out, "X-Y-Z");
    cmn_go_canonical_header("bad header", out, sizeof(out));
    assert_string_equal(out, "bad header");
}

/* Security issue item 1: a header the backend would receive with CR, LF or another control
 * byte (a propagated claim, a client header under input_headers "*") refuses the request with
 * Go's transport error, which names the field but never prints the value. */
static void invalid_fields_refuse_the_request(void **state)
{
    static const char *const bad[] = {"alice\r\nContent-Length: 0\r\n\r\nGET /x HTTP/1.1", "a\nb",
                                      "a\rb", "nul\x01", "del\x7f"};
    struct gw_endpoint ep;
    struct gw_backend b;
    struct gw_inreq in;
    struct gw_outreq out;
    struct cmn_err err = {0};
    char *items[] = {s_star};

    (void)state;
    make_cfg(&ep, &b, "/p");
    b.method = (char *)(uintptr_t) "POST";
    ep.input_headers = (struct gw_strlist){items, 1, true};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        make_in(&in, "");
        add_in_header(&in, "X-User", bad[i]);
        assert_false(gw_request_build(&ep, &b, "http://h:1", &in, NULL, 0, &out, &err));
        assert_string_equal(err.msg,
                            "Post \"http://h:1/p\": net/http: invalid header field value for "
                            "\"X-User\"");
        gw_inreq_free(&in);
    }
    /* a name that is no token (only the configuration could make one) */
    make_in(&in, "");
    add_in_header(&in, "X-B\rSet-Cookie", "v");
    assert_false(gw_request_build(&ep, &b, "http://h:1", &in, NULL, 0, &out, &err));
    assert_string_equal(err.msg, "Post \"http://h:1/p\": net/http: invalid header field name "
                                 "\"X-B\\rSet-Cookie\"");
    gw_inreq_free(&in);
    /* tab and obs-text are field content */
    make_in(&in, "");
    add_in_header(&in, "X-User", "tab\there \xc3\xa9");
    assert_true(gw_request_build(&ep, &b, "http://h:1", &in, NULL, 0, &out, &err));
    gw_outreq_free(&out);
    gw_inreq_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_headers_only_content_type),
        cmocka_unit_test(path_escaped_as_go_does),
        cmocka_unit_test(star_forwards_all_but_hop_by_hop),
        cmocka_unit_test(backend_filter_and_list),
        cmocka_unit_test(query_forwarding),
        cmocka_unit_test(url_pattern_query_first_then_client_params),
        cmocka_unit_test(jwt_placeholders),
        cmocka_unit_test(canonical_names),
        cmocka_unit_test(invalid_fields_refuse_the_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
