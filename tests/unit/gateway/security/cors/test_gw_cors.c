/* test_gw_cors.c - security/cors: every option with its default, preflight and actual requests
 * header by header, the CE cases cors_1..5 (our own copy of their fixture, and the shared
 * specs when present) and the debug trace. How CORS meets the router (§2.7) is tested on the
 * running gateway (tests/e2e/security.sh, the browser in tests/e2e/browser_cors.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_cors.h"
#include "sec_util.h"
#include "tu_shared.h"

#define PATH "extra_config.security/cors"
#define VARY_PF "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"

/* The CE fixture's block, as our own unit case. */
#define CE_FIXTURE                                                                                 \
    "{\"allow_origins\":[\"*\"],\"allow_methods\":[\"POST\",\"GET\"],"                             \
    "\"allow_headers\":[\"Origin\",\"Authorization\",\"Content-Type\"],"                           \
    "\"expose_headers\":[\"Content-Length\"],\"max_age\":\"12h\"}"

/* Builds a config; its warnings stay in the captured log until the next make. */
static struct gw_cors *make(const char *json)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
    struct gw_cors *c = NULL;
    struct cmn_err err = {0};

    assert_non_null(v);
    st_log_begin(CMN_LOG_DEBUG);
    if (gw_cors_new(v, PATH, &c, &err) != GW_CORS_OK)
        fail_msg("%s: %s", json, err.msg);
    json_decref(v);
    assert_non_null(c);
    return c;
}

static bool warned(const char *part)
{
    return st_log_line("WARNING", part);
}

static size_t warnings(void)
{
    return st_log_count("WARNING: ");
}

struct run {
    struct st_req req;
    struct gw_hdrs out;
    struct cmn_http_response *answer;
    enum gw_mw_verdict act;
    char buf[2048];
};

static void run_at(struct gw_cors *c, struct run *x, const struct tm *now, size_t max_headers)
{
    gw_hdrs_free(&x->out);
    gw_hdrs_init(&x->out, max_headers);
    cmn_http_response_destroy(x->answer);
    x->answer = (struct cmn_http_response *)(uintptr_t)1; /* must be reset by the handler */
    x->act = gw_cors_handle(c, &x->req.r, now, &x->out, &x->answer);
}

static void run(struct gw_cors *c, struct run *x)
{
    run_at(c, x, NULL, 0);
}

static void run_init(struct run *x)
{
    memset(x, 0, sizeof(*x));
    gw_hdrs_init(&x->out, 0);
}

static void run_free(struct run *x)
{
    gw_hdrs_free(&x->out);
    cmn_http_response_destroy(x->answer);
    x->answer = NULL;
}

/* The added lines for name, joined by "\n"; NULL when absent. */
static const char *got(struct run *x, const char *name)
{
    return st_lines(&x->out, name, x->buf, sizeof(x->buf));
}

static unsigned status_of(const struct run *x)
{
    assert_int_equal(x->act, GW_MW_ANSWER);
    assert_non_null(x->answer);
    return x->answer->status;
}

static void preflight_req(struct run *x, const char *origin, const char *method,
                          const char *headers)
{
    st_req_init(&x->req, "OPTIONS", "/param_forwarding/some/foo/bar");
    st_req_add(&x->req, "User-Agent", "some");
    if (origin)
        st_req_add(&x->req, "Origin", origin);
    if (method)
        st_req_add(&x->req, "Access-Control-Request-Method", method);
    if (headers)
        st_req_add(&x->req, "Access-Control-Request-Headers", headers);
}

#define assert_hdr(x, name, want)                                                                  \
    do {                                                                                           \
        const char *g_ = got(x, name);                                                             \
        const char *w_ = (want);                                                                   \
        if (w_ ? !g_ || strcmp(g_, w_) != 0 : g_ != NULL)                                          \
            fail_msg("%s: got \"%s\", want \"%s\"", name, g_ ? g_ : "(absent)",                    \
                     w_ ? w_ : "(absent)");                                                        \
    } while (0)

/* ---- the CE cases as unit cases ---- */

static void ce_cors_1_to_5(void **state)
{
    struct gw_cors *c = make(CE_FIXTURE);
    struct run x;

    (void)state;
    run_init(&x);
    /* cors_1: all checks pass */
    preflight_req(&x, "http://foo.example", "GET", "content-type,origin");
    run(c, &x);
    assert_int_equal(status_of(&x), 204);
    assert_int_equal(x.answer->body_len, 0);
    assert_int_equal(x.answer->n_headers, 0); /* everything else comes from out */
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    assert_hdr(&x, "Access-Control-Allow-Methods", "GET");
    assert_hdr(&x, "Access-Control-Allow-Headers", "content-type,origin");
    assert_hdr(&x, "Vary", VARY_PF);
    assert_hdr(&x, "Access-Control-Max-Age", "43200");
    assert_hdr(&x, "Content-Type", NULL);
    assert_hdr(&x, "Cache-Control", NULL);
    assert_hdr(&x, "X-Krakend-Completed", NULL);
    assert_int_equal(st_names(&x.out), 5);
    /* cors_2: PUT not allowed: 204 with Vary only */
    preflight_req(&x, "http://foo.example.tld", "PUT", NULL);
    run(c, &x);
    assert_int_equal(status_of(&x), 204);
    assert_hdr(&x, "Vary", VARY_PF);
    assert_int_equal(st_names(&x.out), 1);
    /* cors_3: X-PINGOTHER is neither lower-case nor listed */
    preflight_req(&x, "http://foo.example", "POST", "X-PINGOTHER");
    run(c, &x);
    assert_int_equal(status_of(&x), 204);
    assert_hdr(&x, "Access-Control-Allow-Origin", NULL);
    assert_hdr(&x, "Access-Control-Allow-Methods", NULL);
    assert_hdr(&x, "Access-Control-Allow-Headers", NULL);
    assert_int_equal(st_names(&x.out), 1);
    /* cors_4: as cors_1 from another origin */
    preflight_req(&x, "http://foo.example.tld", "GET", "content-type,origin");
    run(c, &x);
    assert_int_equal(status_of(&x), 204);
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    assert_hdr(&x, "Access-Control-Allow-Methods", "GET");
    assert_hdr(&x, "Access-Control-Allow-Headers", "content-type,origin");
    /* cors_5: an actual GET: exactly one Vary line, and the pipeline goes on */
    st_req_init(&x.req, "GET", "/param_forwarding/some/foo/bar");
    st_req_add(&x.req, "User-Agent", "some");
    st_req_add(&x.req, "origin", "http://foo.example.tld"); /* names match in any case */
    run(c, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    assert_null(x.answer);
    assert_hdr(&x, "Vary", "Origin");
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    assert_hdr(&x, "Access-Control-Expose-Headers", "Content-Length");
    assert_hdr(&x, "Access-Control-Max-Age", NULL);
    assert_hdr(&x, "Access-Control-Allow-Methods", NULL);
    assert_int_equal(st_names(&x.out), 3);
    run_free(&x);
    gw_cors_destroy(c);
}

/* rs/cors adds Vary (after what is there) and sets the others (replacing what is there), in
 * this order. */
static void preflight_writes_in_order(void **state)
{
    struct gw_cors *c = make("{\"allow_origins\":[\"http://a.test\"],\"allow_credentials\":true,"
                             "\"allow_private_network\":true,\"max_age\":\"90s\"}");
    struct run x;
    static const struct {
        const char *name, *value;
    } want[] = {
        {"Vary", "Accept"},
        {"Vary", VARY_PF ", Access-Control-Request-Private-Network"},
        {"Access-Control-Allow-Origin", "http://a.test"},
        {"Access-Control-Allow-Methods", "GET"},
        {"Access-Control-Allow-Headers", "x-a"},
        {"Access-Control-Allow-Credentials", "true"},
        {"Access-Control-Allow-Private-Network", "true"},
        {"Access-Control-Max-Age", "90"},
    };

    (void)state;
    run_init(&x);
    preflight_req(&x, "http://a.test", "GET", "x-a");
    st_req_add(&x.req, "Access-Control-Request-Private-Network", "true");
    assert_true(gw_hdrs_add(&x.out, "Vary", "Accept"));
    assert_true(gw_hdrs_add(&x.out, "Access-Control-Allow-Origin", "stale"));
    x.act = gw_cors_handle(c, &x.req.r, NULL, &x.out, &x.answer);
    assert_int_equal(status_of(&x), 204);
    assert_int_equal(x.out.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < x.out.n; i++) {
        assert_string_equal(x.out.v[i].name, want[i].name);
        assert_string_equal(x.out.v[i].value, want[i].value);
    }
    run_free(&x);
    gw_cors_destroy(c);
}

/* ---- classification ---- */

static void classification(void **state)
{
    struct gw_cors *c = make("{}");
    struct run x;

    (void)state;
    run_init(&x);
    preflight_req(&x, "http://a", "GET", NULL);
    assert_true(gw_cors_is_preflight(&x.req.r));
    preflight_req(&x, "http://a", "", NULL); /* empty method: an actual OPTIONS request */
    assert_false(gw_cors_is_preflight(&x.req.r));
    run(c, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    assert_hdr(&x, "Vary", "Origin");
    assert_hdr(&x, "Access-Control-Allow-Origin", "*"); /* OPTIONS always passes the method */
    preflight_req(&x, "http://a", NULL, NULL);
    assert_false(gw_cors_is_preflight(&x.req.r));
    st_req_init(&x.req, "GET", "/");
    st_req_add(&x.req, "Access-Control-Request-Method", "GET");
    assert_false(gw_cors_is_preflight(&x.req.r));
    run(c, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    st_req_init(&x.req, "options", "/"); /* the method is case-sensitive */
    st_req_add(&x.req, "Access-Control-Request-Method", "GET");
    assert_false(gw_cors_is_preflight(&x.req.r));
    run(c, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    /* only the first line counts */
    preflight_req(&x, "http://a", "", NULL);
    st_req_add(&x.req, "Access-Control-Request-Method", "GET");
    assert_false(gw_cors_is_preflight(&x.req.r));
    run(c, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    run_free(&x);
    gw_cors_destroy(c);
}

/* ---- options, one by one ---- */

static void defaults(void **state)
{
    struct gw_cors *c = make("{}");
    struct run x;

    (void)state;
    run_init(&x);
    assert_int_equal(warnings(), 0);
    assert_false(gw_cors_debug(c));
    /* any origin, any (lower-case or not) header, GET/POST/HEAD, no max age, 204 */
    preflight_req(&x, "https://Whoever.Example", "HEAD", "X-Custom, Content-Type");
    run(c, &x);
    assert_int_equal(status_of(&x), 204);
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    assert_hdr(&x, "Access-Control-Allow-Headers", "X-Custom, Content-Type");
    assert_hdr(&x, "Access-Control-Max-Age", NULL);
    assert_hdr(&x, "Access-Control-Allow-Credentials", NULL);
    preflight_req(&x, "https://a", "PUT", NULL);
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Origin", NULL);
    /* expose_headers: none by default (the schema's default is not the code's) */
    st_req_init(&x.req, "POST", "/");
    st_req_add(&x.req, "Origin", "https://a");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Expose-Headers", NULL);
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    run_free(&x);
    gw_cors_destroy(c);
}

static void origins(void **state)
{
    struct gw_cors *c = make("{\"allow_origins\":[\"HTTP://Exact.Test\",\"https://*.example.com\","
                             "\"http://*.*.com\",\"a*a\",7]}");
    static const struct {
        const char *origin;
        bool ok;
    } t[] = {
        {"http://exact.test", true},
        {"http://EXACT.TEST", true},
        {"http://exact.test:80", false},
        {"https://api.example.com", true},
        {"https://.example.com", true}, /* the '*' may match nothing */
        {"https://example.com", false},
        {"http://api.example.com", false},
        {"http://x.*.com", true}, /* a second '*' is literal */
        {"http://x.y.com", false},
        {"a", false}, /* prefix and suffix may not overlap */
        {"aa", true},
        {"abca", true},
        {"", false},
    };
    struct run x;

    (void)state;
    run_init(&x);
    assert_true(warned(PATH ".allow_origins[4]: not a string"));
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (gw_cors_origin_allowed(c, t[i].origin, strlen(t[i].origin)) != t[i].ok)
            fail_msg("%s", t[i].origin);
    }
    /* the answer echoes the request's Origin verbatim, every line of it */
    preflight_req(&x, "HTTP://EXACT.test", "GET", NULL);
    st_req_add(&x.req, "Origin", "second-line");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Origin", "HTTP://EXACT.test\nsecond-line");
    run_free(&x);
    gw_cors_destroy(c);
    c = make("{\"allow_origins\":[\"http://a\",\"*\"]}"); /* "*" anywhere allows all */
    assert_true(gw_cors_origin_allowed(c, "http://b", 8));
    gw_cors_destroy(c);
    c = make("{\"allow_origins\":\"http://a\"}"); /* not an array: ignored, so ["*"] */
    assert_true(warned(PATH ".allow_origins: not an array"));
    assert_true(gw_cors_origin_allowed(c, "http://b", 8));
    gw_cors_destroy(c);
    c = make("{\"allow_origins\":[\"http://\\u00e9.test\"]}");
    assert_true(gw_cors_origin_allowed(c, "http://\xc3\xa9.test", 14));
    assert_false(gw_cors_origin_allowed(c, "http://\xff.test", 13)); /* becomes U+FFFD */
    gw_cors_destroy(c);
    /* Go's strings.ToLower turns each invalid byte into U+FFFD before comparing */
    c = make("{\"allow_origins\":[\"http://\\ufffd.test\"]}");
    assert_true(gw_cors_origin_allowed(c, "http://\xff.test", 13));
    assert_true(gw_cors_origin_allowed(c, "http://\xfe.TEST", 13));
    gw_cors_destroy(c);
    /* long origins: ASCII ones are lowered as they are compared, others on the heap */
    {
        char big[3000];
        memset(big, 'A', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        c = make("{\"allow_origins\":[\"a*\",\"*\\u00e9\"]}");
        assert_true(gw_cors_origin_allowed(c, big, strlen(big)));
        big[0] = 'B';
        assert_false(gw_cors_origin_allowed(c, big, strlen(big)));
        memcpy(big + sizeof(big) - 3, "\xc3\xa9", 3); /* ends with é */
        assert_true(gw_cors_origin_allowed(c, big, strlen(big)));
        memcpy(big + sizeof(big) - 3, "\xc3\x89", 3); /* É: non-ASCII letters keep their case */
        assert_false(gw_cors_origin_allowed(c, big, strlen(big)));
        gw_cors_destroy(c);
    }
}

static void methods(void **state)
{
    struct gw_cors *c = make("{\"allow_methods\":[\"PUT\",\"get\"]}");

    (void)state;
    assert_true(warned(PATH ".allow_methods: \"get\" is compared case-sensitively"));
    assert_true(gw_cors_method_allowed(c, "PUT"));
    assert_false(gw_cors_method_allowed(c, "GET"));
    assert_false(gw_cors_method_allowed(c, "put"));
    assert_true(gw_cors_method_allowed(c, "get"));
    assert_true(gw_cors_method_allowed(c, "OPTIONS"));
    assert_false(gw_cors_method_allowed(c, "POST")); /* the defaults are replaced */
    gw_cors_destroy(c);
    c = make("{\"allow_methods\":[1,2]}"); /* nothing left: the defaults */
    assert_true(gw_cors_method_allowed(c, "HEAD"));
    assert_true(gw_cors_method_allowed(c, "POST"));
    assert_false(gw_cors_method_allowed(c, "DELETE"));
    gw_cors_destroy(c);
}

static void request_headers(void **state)
{
    struct gw_cors *c = make("{\"allow_headers\":[\"Origin\",\"Authorization\",\"Content-Type\","
                             "\"X-Dup\",\"x-dup\"]}");
    static const struct {
        const char *lines[3];
        bool ok;
    } t[] = {
        {{"content-type,origin"}, true},
        {{"authorization,content-type,origin"}, true},
        {{"origin,content-type"}, false}, /* not sorted */
        {{"Content-Type"}, false},        /* not lower-case */
        {{"content-type, origin"}, true}, /* one OWS byte */
        {{" content-type ,\torigin\t"}, true},
        {{"content-type,  origin"}, false}, /* two */
        {{"content-type,,origin"}, true},   /* empty elements */
        {{",,,,,,,,,,,,,,,,origin"}, true}, /* 16 of them */
        {{",,,,,,,,,,,,,,,,,origin"}, false},
        {{"  ,origin"}, true}, /* two OWS alone: an empty element */
        {{"   ,origin"}, false},
        {{"origin,origin"}, false}, /* not unique */
        {{"x-dup"}, true},
        {{"authorization", "content-type"}, true}, /* order holds across lines */
        {{"content-type", "authorization"}, false},
        {{"x-pingother"}, false},
        {{""}, true},
        {{"content-typeX"}, false},
    };
    struct run x;

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        size_t n = 0;
        while (n < 3 && t[i].lines[n])
            n++;
        if (gw_cors_headers_accepted(c, t[i].lines, n) != t[i].ok)
            fail_msg("case %zu: %s", i, t[i].lines[0]);
    }
    /* the same through the handler: several request lines */
    run_init(&x);
    preflight_req(&x, "o", "GET", "content-type");
    st_req_add(&x.req, "Access-Control-Request-Headers", "authorization");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Origin", NULL);
    preflight_req(&x, "o", "GET", "authorization");
    st_req_add(&x.req, "Access-Control-Request-Headers", "content-type");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Headers", "authorization\ncontent-type");
    gw_cors_destroy(c);
    c = make("{\"allow_headers\":[\"X-A\",\"*\"]}"); /* "*" anywhere: all */
    preflight_req(&x, "o", "GET", "Whatever,ZZZ,aaa");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Headers", "Whatever,ZZZ,aaa");
    run_free(&x);
    gw_cors_destroy(c);
}

static void allow_headers_echo_and_empty(void **state)
{
    struct gw_cors *c = make("{\"allow_headers\":[\"a\"]}");
    struct run x;

    (void)state;
    run_init(&x);
    /* an empty first line is accepted but not echoed */
    preflight_req(&x, "o", "GET", "");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    assert_hdr(&x, "Access-Control-Allow-Headers", NULL);
    /* several lines are echoed as several lines */
    preflight_req(&x, "o", "GET", "a");
    st_req_add(&x.req, "Access-Control-Request-Headers", "");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Headers", "a\n");
    run_free(&x);
    gw_cors_destroy(c);
}

static void expose_credentials_actual(void **state)
{
    struct gw_cors *c = make("{\"expose_headers\":[\"content-length\",\"x-foo-bar\",\"x y\"],"
                             "\"allow_credentials\":true}");
    struct run x;

    (void)state;
    run_init(&x);
    assert_true(warned(PATH ".allow_credentials: with every origin allowed"));
    st_req_init(&x.req, "GET", "/");
    st_req_add(&x.req, "Origin", "http://a");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Expose-Headers", "Content-Length, X-Foo-Bar, x y");
    assert_hdr(&x, "Access-Control-Allow-Credentials", "true");
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    /* the preflight has credentials too, but never expose */
    preflight_req(&x, "http://a", "GET", NULL);
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Credentials", "true");
    assert_hdr(&x, "Access-Control-Expose-Headers", NULL);
    run_free(&x);
    gw_cors_destroy(c);
    /* with a list of origins, credentials are no reason to warn */
    c = make("{\"allow_origins\":[\"http://a\"],\"allow_credentials\":true}");
    assert_int_equal(warnings(), 0);
    gw_cors_destroy(c);
}

static void actual_requests(void **state)
{
    struct gw_cors *c = make("{\"allow_origins\":[\"http://ok\"],\"allow_methods\":[\"GET\"],"
                             "\"expose_headers\":[\"X-A\"]}");
    struct run x;

    (void)state;
    run_init(&x);
    /* no Origin: Vary only, added after what is there */
    st_req_init(&x.req, "GET", "/unknown");
    gw_hdrs_free(&x.out);
    gw_hdrs_init(&x.out, 0);
    assert_true(gw_hdrs_add(&x.out, "Vary", "Accept-Encoding"));
    x.act = gw_cors_handle(c, &x.req.r, NULL, &x.out, &x.answer);
    assert_int_equal(x.act, GW_MW_NEXT);
    assert_hdr(&x, "Vary", "Accept-Encoding\nOrigin");
    run(c, &x);
    assert_hdr(&x, "Vary", "Origin");
    assert_int_equal(st_names(&x.out), 1);
    /* origin not allowed */
    st_req_add(&x.req, "Origin", "http://nope");
    run(c, &x);
    assert_int_equal(st_names(&x.out), 1);
    /* method not allowed: HEAD is no longer among the methods */
    st_req_init(&x.req, "HEAD", "/");
    st_req_add(&x.req, "Origin", "http://ok");
    run(c, &x);
    assert_int_equal(st_names(&x.out), 1);
    /* allowed: the origin echoed */
    st_req_init(&x.req, "GET", "/");
    st_req_add(&x.req, "Origin", "http://OK");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Origin", "http://OK");
    assert_hdr(&x, "Access-Control-Expose-Headers", "X-A");
    run_free(&x);
    gw_cors_destroy(c);
}

static void max_age(void **state)
{
    static const struct {
        const char *json, *want, *warn;
    } t[] = {
        {"{\"max_age\":\"12h\"}", "43200", NULL},
        {"{\"max_age\":\"1500ms\"}", "1", NULL},
        {"{\"max_age\":\"1m30.9s\"}", "90", NULL},
        {"{\"max_age\":\"500ms\"}", NULL, "less than a second"},
        {"{\"max_age\":\"0h\"}", NULL, NULL},
        {"{\"max_age\":\"-1s\"}", "0", NULL},
        {"{\"max_age\":\"-1500ms\"}", "0", NULL},
        {"{\"max_age\":\"-500ms\"}", NULL, NULL},
        {"{\"max_age\":\"12\"}", NULL, "not a Go duration"},
        {"{\"max_age\":\"bogus\"}", NULL, "not a Go duration"},
    };
    struct run x;

    (void)state;
    run_init(&x);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct gw_cors *c = make(t[i].json);
        preflight_req(&x, "o", "GET", NULL);
        run(c, &x);
        assert_hdr(&x, "Access-Control-Max-Age", t[i].want);
        if (t[i].warn && !warned(t[i].warn))
            fail_msg("%s: no warning", t[i].json);
        gw_cors_destroy(c);
    }
    run_free(&x);
}

static void max_age_not_a_string_stops_startup(void **state)
{
    static const char *const bad[] = {"{\"max_age\":43200}", "{\"max_age\":null}",
                                      "{\"max_age\":true}"};

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_loads(bad[i], 0, NULL);
        struct gw_cors *c = NULL;
        struct cmn_err err = {0};
        assert_int_equal(gw_cors_new(v, PATH, &c, &err), GW_CORS_INVALID);
        assert_null(c);
        assert_non_null(strstr(err.msg, PATH ".max_age: not a string"));
        json_decref(v);
    }
}

static void success_status_and_passthrough(void **state)
{
    static const struct {
        const char *json;
        enum gw_mw_verdict act;
        unsigned status;
        const char *warn;
    } t[] = {
        {"{\"options_success_status\":200}", GW_MW_ANSWER, 200, NULL},
        {"{\"options_success_status\":0}", GW_MW_ANSWER, 204, NULL},
        {"{\"options_success_status\":299.9}", GW_MW_ANSWER, 299, NULL},
        {"{\"options_success_status\":\"200\"}", GW_MW_ANSWER, 204, "not a number"},
        {"{\"options_success_status\":1000}", GW_MW_CLOSE, 0, "outside 100-999"},
        {"{\"options_success_status\":-1}", GW_MW_CLOSE, 0, "outside 100-999"},
        {"{\"options_success_status\":1e300}", GW_MW_CLOSE, 0, "outside 100-999"},
        {"{\"options_success_status\":150}", GW_MW_ANSWER, 200, "informational"},
        {"{\"options_passthrough\":true,\"options_success_status\":200}", GW_MW_NEXT, 0,
         "not used with options_passthrough"},
        {"{\"options_passthrough\":\"yes\"}", GW_MW_ANSWER, 204, "not a boolean"},
    };
    struct run x;

    (void)state;
    run_init(&x);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct gw_cors *c = make(t[i].json);
        preflight_req(&x, "o", "GET", NULL);
        run(c, &x);
        if (x.act != t[i].act || (t[i].status && status_of(&x) != t[i].status))
            fail_msg("%s: %d", t[i].json, x.act);
        if (x.act != GW_MW_ANSWER)
            assert_null(x.answer);
        if (t[i].warn && !warned(t[i].warn))
            fail_msg("%s: no warning", t[i].json);
        /* with passthrough the headers are written all the same */
        assert_hdr(&x, "Access-Control-Allow-Origin", "*");
        gw_cors_destroy(c);
    }
    run_free(&x);
}

static void private_network(void **state)
{
    struct gw_cors *c = make("{\"allow_private_network\":true}");
    struct run x;

    (void)state;
    run_init(&x);
    preflight_req(&x, "o", "GET", NULL);
    st_req_add(&x.req, "Access-Control-Request-Private-Network", "TRUE");
    run(c, &x);
    assert_hdr(&x, "Vary", VARY_PF ", Access-Control-Request-Private-Network");
    assert_hdr(&x, "Access-Control-Allow-Private-Network", NULL); /* exactly "true" only */
    gw_cors_destroy(c);
    c = make("{}"); /* off: the request header changes nothing */
    preflight_req(&x, "o", "GET", NULL);
    st_req_add(&x.req, "Access-Control-Request-Private-Network", "true");
    run(c, &x);
    assert_hdr(&x, "Vary", VARY_PF);
    assert_hdr(&x, "Access-Control-Allow-Private-Network", NULL);
    run_free(&x);
    gw_cors_destroy(c);
}

static void not_an_object_is_off(void **state)
{
    static const char *const v[] = {"[]", "true", "\"x\"", "null", "1"};

    (void)state;
    for (size_t i = 0; i < 5; i++) {
        json_t *j = json_loads(v[i], JSON_DECODE_ANY, NULL);
        struct gw_cors *c = (struct gw_cors *)(uintptr_t)1;
        struct cmn_err err = {0};
        st_log_begin(CMN_LOG_DEBUG);
        assert_int_equal(gw_cors_new(j, PATH, &c, &err), GW_CORS_OK);
        assert_null(c);
        assert_true(warned(PATH ": not an object"));
        json_decref(j);
    }
}

static void unknown_options_warned(void **state)
{
    struct gw_cors *c =
        make("{\"allow_origin\":[\"http://a\"],\"@comment\":\"x\",\"debug\":false}");

    (void)state;
    assert_true(warned(PATH ".allow_origin: unknown option"));
    assert_int_equal(warnings(), 1);
    assert_true(gw_cors_origin_allowed(c, "http://b", 8)); /* the typo leaves ["*"] */
    gw_cors_destroy(c);
}

/* Adding a header can fail (the list is full, or memory ran out): the answer is a 500. */
static void header_list_full(void **state)
{
    struct gw_cors *c = make(CE_FIXTURE);
    struct run x;

    (void)state;
    run_init(&x);
    for (size_t k = 1; k <= 4; k++) { /* Vary, ACAO, ACAM, ACAH, ACMA: fail at each */
        preflight_req(&x, "o", "GET", "origin");
        run_at(c, &x, NULL, k);
        assert_int_equal(x.act, GW_MW_ANSWER);
        assert_null(x.answer);
        assert_int_equal(x.out.n, k);
    }
    st_req_init(&x.req, "GET", "/");
    st_req_add(&x.req, "Origin", "o");
    run_at(c, &x, NULL, 1); /* Vary fits, ACAO does not */
    assert_int_equal(x.act, GW_MW_ANSWER);
    assert_null(x.answer);
    run_free(&x);
    gw_cors_destroy(c);
}

/* ---- debug ---- */

static void debug_trace(void **state)
{
    struct gw_cors *c = make("{\"debug\":true,\"allow_origins\":[\"http://a\"],"
                             "\"allow_headers\":[\"x-a\"],\"max_age\":\"1m\"}");
    struct run x;
    struct tm now = {
        .tm_year = 124, .tm_mon = 0, .tm_mday = 2, .tm_hour = 3, .tm_min = 4, .tm_sec = 5};
    static const struct {
        const char *origin, *method, *headers, *line;
    } t[] = {
        {NULL, "GET", NULL, "  Preflight aborted: empty origin"},
        {"http://b", "GET", NULL, "  Preflight aborted: origin 'http://b' not allowed"},
        {"http://a", "PUT", NULL, "  Preflight aborted: method 'PUT' not allowed"},
        {"http://a", "GET", "X-A", "  Preflight aborted: headers '[X-A]' not allowed"},
    };
    static const struct {
        const char *method, *origin, *line;
    } a[] = {
        {"GET", NULL, "  Actual request no headers added: missing origin"},
        {"GET", "http://b", "  Actual request no headers added: origin 'http://b' not allowed"},
        {"PUT", "http://a", "  Actual request no headers added: method 'PUT' not allowed"},
        {"GET", "http://a",
         "  Actual response added headers: map[Access-Control-Allow-Origin:[http://a] "
         "Vary:[Origin]]"},
    };

    (void)state;
    run_init(&x);
    assert_true(gw_cors_debug(c));
    st_log_clear();
    preflight_req(&x, "http://a", "GET", "x-a");
    run_at(c, &x, &now, 0);
    assert_int_equal(st_log_count(" DEBUG: "), 2);
    assert_true(st_log_has("DEBUG: [CORS] 2024/01/02 03:04:05 Handler: Preflight request\n"));
    assert_true(
        st_log_has("DEBUG: [CORS] 2024/01/02 03:04:05   Preflight response headers: "
                   "map[Access-Control-Allow-Headers:[x-a] Access-Control-Allow-Methods:[GET] "
                   "Access-Control-Allow-Origin:[http://a] Access-Control-Max-Age:[60] "
                   "Vary:[" VARY_PF "]]\n"));
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char want[256];
        st_log_clear();
        preflight_req(&x, t[i].origin, t[i].method, t[i].headers);
        run(c, &x);
        assert_int_equal(st_log_count(" DEBUG: "), 2);
        assert_true(st_log_has("DEBUG: [CORS] Handler: Preflight request\n"));
        snprintf(want, sizeof(want), "DEBUG: [CORS] %s\n", t[i].line);
        if (!st_log_has(want))
            fail_msg("no \"%s\" in %s", want, st_log_text());
    }
    for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
        char want[256];
        st_log_clear();
        st_req_init(&x.req, a[i].method, "/");
        if (a[i].origin)
            st_req_add(&x.req, "Origin", a[i].origin);
        run(c, &x);
        assert_int_equal(st_log_count(" DEBUG: "), 2);
        assert_true(st_log_has("DEBUG: [CORS] Handler: Actual request\n"));
        snprintf(want, sizeof(want), "DEBUG: [CORS] %s\n", a[i].line);
        if (!st_log_has(want))
            fail_msg("no \"%s\" in %s", want, st_log_text());
    }
    /* debug on, but the log does not take DEBUG lines: nothing is formatted */
    st_log_begin(CMN_LOG_INFO);
    run(c, &x);
    assert_int_equal(strlen(st_log_text()), 0);
    gw_cors_destroy(c);
    /* without debug nothing is logged */
    c = make("{}");
    st_log_clear();
    st_req_init(&x.req, "GET", "/");
    run(c, &x);
    assert_int_equal(strlen(st_log_text()), 0);
    run_free(&x);
    gw_cors_destroy(c);
}

/* ---- the CE spec files, read at run time when the shared material is present ---- */

static void ce_specs_replayed(void **state)
{
    char rel[256];
    char *text;
    json_t *root;
    struct gw_cors *c = NULL;
    struct cmn_err err = {0};
    struct run x;

    (void)state;
    text = tu_shared_read("conformance/krakend-ce/krakend-ce-fixture-krakend.json", NULL);
    assert_non_null(text);
    root = json_loads(text, 0, NULL);
    free(text);
    assert_int_equal(
        gw_cors_new(json_object_get(json_object_get(root, "extra_config"), "security/cors"), PATH,
                    &c, &err),
        GW_CORS_OK);
    assert_non_null(c);
    run_init(&x);
    for (int k = 1; k <= 5; k++) {
        json_t *spec, *in, *out, *v;
        const char *name, *p;
        char url[512];

        snprintf(rel, sizeof(rel), "conformance/krakend-ce/krakend-ce-specs/cors_%d.json", k);
        text = tu_shared_read(rel, NULL);
        assert_non_null(text);
        spec = json_loads(text, 0, NULL);
        free(text);
        in = json_object_get(spec, "in");
        out = json_object_get(spec, "out");
        snprintf(url, sizeof(url), "%s", json_string_value(json_object_get(in, "url")));
        p = strstr(url, "//");
        p = strchr(p + 2, '/');
        st_req_init(&x.req, json_string_value(json_object_get(in, "method")), p);
        json_object_foreach(json_object_get(in, "header"), name, v)
            st_req_add(&x.req, name, json_string_value(v));
        run(c, &x);
        if (x.act == GW_MW_ANSWER) /* a preflight CORS answers: the spec's whole answer */
            assert_int_equal(status_of(&x),
                             json_integer_value(json_object_get(out, "status_code")));
        json_object_foreach(json_object_get(out, "header"), name, v)
        {
            const char *want = json_string_value(json_array_get(v, 0));
            if (strncasecmp(name, "Access-Control-", 15) != 0 && strcasecmp(name, "Vary") != 0 &&
                x.act != GW_MW_ANSWER)
                continue; /* the pipeline's own headers (cors_5) are not CORS's */
            assert_hdr(&x, name, *want ? want : NULL);
        }
        json_decref(spec);
    }
    run_free(&x);
    gw_cors_destroy(c);
    json_decref(root);
}

static int teardown(void **state)
{
    (void)state;
    st_log_end();
    return 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest own[] = {
        cmocka_unit_test_teardown(ce_cors_1_to_5, teardown),
        cmocka_unit_test_teardown(preflight_writes_in_order, teardown),
        cmocka_unit_test_teardown(classification, teardown),
        cmocka_unit_test_teardown(defaults, teardown),
        cmocka_unit_test_teardown(origins, teardown),
        cmocka_unit_test_teardown(methods, teardown),
        cmocka_unit_test_teardown(request_headers, teardown),
        cmocka_unit_test_teardown(allow_headers_echo_and_empty, teardown),
        cmocka_unit_test_teardown(expose_credentials_actual, teardown),
        cmocka_unit_test_teardown(actual_requests, teardown),
        cmocka_unit_test_teardown(max_age, teardown),
        cmocka_unit_test_teardown(max_age_not_a_string_stops_startup, teardown),
        cmocka_unit_test_teardown(success_status_and_passthrough, teardown),
        cmocka_unit_test_teardown(private_network, teardown),
        cmocka_unit_test_teardown(not_an_object_is_off, teardown),
        cmocka_unit_test_teardown(unknown_options_warned, teardown),
        cmocka_unit_test_teardown(header_list_full, teardown),
        cmocka_unit_test_teardown(debug_trace, teardown),
    };
    const struct CMUnitTest shared[] = {
        cmocka_unit_test_teardown(ce_specs_replayed, teardown),
    };
    return tu_run(argc, argv, own, TU_COUNT(own), shared, TU_COUNT(shared));
}
