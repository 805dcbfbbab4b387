/* test_gw_cors.c - security/cors: every option with its default, preflight and actual requests
 * header by header, the CE cases cors_1..5, the debug trace and the router table (§2.7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_http.h"
#include "gw_cors.h"
#include "tu_file.h"

#define PATH "extra_config.security/cors"
#define VARY_PF "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"

/* The CE fixture's block, as our own unit case. */
#define CE_FIXTURE                                                                                 \
    "{\"allow_origins\":[\"*\"],\"allow_methods\":[\"POST\",\"GET\"],"                             \
    "\"allow_headers\":[\"Origin\",\"Authorization\",\"Content-Type\"],"                           \
    "\"expose_headers\":[\"Content-Length\"],\"max_age\":\"12h\"}"

static struct gw_sec_warnings warnings;

static struct gw_cors *make(const char *json)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
    struct gw_cors *c = NULL;
    struct cmn_err err = {0};

    assert_non_null(v);
    gw_sec_warnings_free(&warnings);
    if (gw_cors_new(v, PATH, &c, &warnings, &err) != GW_CORS_OK)
        fail_msg("%s: %s", json, err.msg);
    json_decref(v);
    assert_non_null(c);
    return c;
}

static bool warned(const char *part)
{
    for (size_t i = 0; i < warnings.n; i++) {
        if (strstr(warnings.msg[i], part))
            return true;
    }
    return false;
}

struct run {
    struct fake_req req;
    struct fake_resp resp;
    struct gw_sec_answer ans;
    enum gw_sec_action act;
    char buf[2048];
};

static void run(struct gw_cors *c, struct run *x)
{
    fake_resp_init(&x->resp);
    gw_sec_answer_init(&x->ans);
    x->act = gw_cors_handle(c, &x->req.view, &x->resp.view, NULL, NULL, &x->ans);
    gw_sec_answer_free(&x->ans);
}

/* The response's lines for name, joined by "\n"; NULL when absent. */
static const char *got(struct run *x, const char *name)
{
    return fake_resp_lines(&x->resp, name, x->buf, sizeof(x->buf)) ? x->buf : NULL;
}

static void preflight_req(struct run *x, const char *origin, const char *method,
                          const char *headers)
{
    fake_req_init(&x->req, "OPTIONS", "/param_forwarding/some/foo/bar");
    fake_req_add(&x->req, "User-Agent", "some");
    if (origin)
        fake_req_add(&x->req, "Origin", origin);
    if (method)
        fake_req_add(&x->req, "Access-Control-Request-Method", method);
    if (headers)
        fake_req_add(&x->req, "Access-Control-Request-Headers", headers);
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
    /* cors_1: all checks pass */
    preflight_req(&x, "http://foo.example", "GET", "content-type,origin");
    run(c, &x);
    assert_int_equal(x.act, GW_SEC_ANSWER);
    assert_int_equal(x.ans.status, 204);
    assert_null(x.ans.body);
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    assert_hdr(&x, "Access-Control-Allow-Methods", "GET");
    assert_hdr(&x, "Access-Control-Allow-Headers", "content-type,origin");
    assert_hdr(&x, "Vary", VARY_PF);
    assert_hdr(&x, "Access-Control-Max-Age", "43200");
    assert_hdr(&x, "Content-Type", NULL);
    assert_hdr(&x, "Cache-Control", NULL);
    assert_hdr(&x, "X-Krakend-Completed", NULL);
    assert_int_equal(fake_resp_names(&x.resp), 5);
    /* cors_2: PUT not allowed: 204 with Vary only */
    preflight_req(&x, "http://foo.example.tld", "PUT", NULL);
    run(c, &x);
    assert_int_equal(x.act, GW_SEC_ANSWER);
    assert_int_equal(x.ans.status, 204);
    assert_hdr(&x, "Vary", VARY_PF);
    assert_int_equal(fake_resp_names(&x.resp), 1);
    /* cors_3: X-PINGOTHER is neither lower-case nor listed */
    preflight_req(&x, "http://foo.example", "POST", "X-PINGOTHER");
    run(c, &x);
    assert_int_equal(x.ans.status, 204);
    assert_hdr(&x, "Access-Control-Allow-Origin", NULL);
    assert_hdr(&x, "Access-Control-Allow-Methods", NULL);
    assert_hdr(&x, "Access-Control-Allow-Headers", NULL);
    assert_int_equal(fake_resp_names(&x.resp), 1);
    /* cors_4: as cors_1 from another origin */
    preflight_req(&x, "http://foo.example.tld", "GET", "content-type,origin");
    run(c, &x);
    assert_int_equal(x.ans.status, 204);
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    assert_hdr(&x, "Access-Control-Allow-Methods", "GET");
    assert_hdr(&x, "Access-Control-Allow-Headers", "content-type,origin");
    /* cors_5: an actual GET: exactly one Vary line, and the pipeline goes on */
    fake_req_init(&x.req, "GET", "/param_forwarding/some/foo/bar");
    fake_req_add(&x.req, "User-Agent", "some");
    fake_req_add(&x.req, "Origin", "http://foo.example.tld");
    run(c, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    assert_hdr(&x, "Vary", "Origin");
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    assert_hdr(&x, "Access-Control-Expose-Headers", "Content-Length");
    assert_hdr(&x, "Access-Control-Max-Age", NULL);
    assert_hdr(&x, "Access-Control-Allow-Methods", NULL);
    assert_int_equal(fake_resp_names(&x.resp), 3);
    gw_cors_destroy(c);
}

/* The preflight writes its headers in rs/cors's order, Vary added, the rest set. */
static void preflight_writes_in_order(void **state)
{
    struct gw_cors *c = make("{\"allow_origins\":[\"http://a.test\"],\"allow_credentials\":true,"
                             "\"allow_private_network\":true,\"max_age\":\"90s\"}");
    struct run x;
    static const struct {
        bool set;
        const char *name, *value;
    } want[] = {
        {false, "Vary", VARY_PF ", Access-Control-Request-Private-Network"},
        {true, "Access-Control-Allow-Origin", "http://a.test"},
        {true, "Access-Control-Allow-Methods", "GET"},
        {true, "Access-Control-Allow-Headers", "x-a"},
        {true, "Access-Control-Allow-Credentials", "true"},
        {true, "Access-Control-Allow-Private-Network", "true"},
        {true, "Access-Control-Max-Age", "90"},
    };

    (void)state;
    preflight_req(&x, "http://a.test", "GET", "x-a");
    fake_req_add(&x.req, "Access-Control-Request-Private-Network", "true");
    run(c, &x);
    assert_int_equal(x.resp.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < x.resp.n; i++) {
        assert_int_equal(x.resp.ops[i].set, want[i].set);
        assert_string_equal(x.resp.ops[i].name, want[i].name);
        assert_string_equal(x.resp.ops[i].value, want[i].value);
    }
    gw_cors_destroy(c);
}

/* ---- classification ---- */

static void classification(void **state)
{
    struct gw_cors *c = make("{}");
    struct run x;

    (void)state;
    preflight_req(&x, "http://a", "GET", NULL);
    assert_true(gw_cors_is_preflight(&x.req.view));
    preflight_req(&x, "http://a", "", NULL); /* empty method: an actual OPTIONS request */
    assert_false(gw_cors_is_preflight(&x.req.view));
    run(c, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    assert_hdr(&x, "Vary", "Origin");
    assert_hdr(&x, "Access-Control-Allow-Origin", "*"); /* OPTIONS always passes the method */
    preflight_req(&x, "http://a", NULL, NULL);
    assert_false(gw_cors_is_preflight(&x.req.view));
    fake_req_init(&x.req, "GET", "/");
    fake_req_add(&x.req, "Access-Control-Request-Method", "GET");
    assert_false(gw_cors_is_preflight(&x.req.view));
    fake_req_init(&x.req, "options", "/"); /* the method is case-sensitive */
    fake_req_add(&x.req, "Access-Control-Request-Method", "GET");
    assert_false(gw_cors_is_preflight(&x.req.view));
    /* only the first line counts */
    preflight_req(&x, "http://a", "", NULL);
    fake_req_add(&x.req, "Access-Control-Request-Method", "GET");
    assert_false(gw_cors_is_preflight(&x.req.view));
    gw_cors_destroy(c);
}

/* ---- options, one by one ---- */

static void defaults(void **state)
{
    struct gw_cors *c = make("{}");
    struct run x;

    (void)state;
    assert_int_equal(warnings.n, 0);
    assert_false(gw_cors_passthrough(c));
    assert_false(gw_cors_debug(c));
    /* any origin, any (lower-case or not) header, GET/POST/HEAD, no max age, 204 */
    preflight_req(&x, "https://Whoever.Example", "HEAD", "X-Custom, Content-Type");
    run(c, &x);
    assert_int_equal(x.ans.status, 204);
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    assert_hdr(&x, "Access-Control-Allow-Headers", "X-Custom, Content-Type");
    assert_hdr(&x, "Access-Control-Max-Age", NULL);
    assert_hdr(&x, "Access-Control-Allow-Credentials", NULL);
    preflight_req(&x, "https://a", "PUT", NULL);
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Origin", NULL);
    /* expose_headers: none by default (the schema's default is not the code's) */
    fake_req_init(&x.req, "POST", "/");
    fake_req_add(&x.req, "Origin", "https://a");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Expose-Headers", NULL);
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
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
    assert_true(warned(PATH ".allow_origins[4]: not a string"));
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (gw_cors_origin_allowed(c, t[i].origin, strlen(t[i].origin)) != t[i].ok)
            fail_msg("%s", t[i].origin);
    }
    /* the answer echoes the request's Origin verbatim, every line of it */
    preflight_req(&x, "HTTP://EXACT.test", "GET", NULL);
    fake_req_add(&x.req, "Origin", "second-line");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Origin", "HTTP://EXACT.test\nsecond-line");
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

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        size_t n = 0;
        while (n < 3 && t[i].lines[n])
            n++;
        if (gw_cors_headers_accepted(c, t[i].lines, n) != t[i].ok)
            fail_msg("case %zu: %s", i, t[i].lines[0]);
    }
    gw_cors_destroy(c);
    c = make("{\"allow_headers\":[\"X-A\",\"*\"]}"); /* "*" anywhere: all */
    {
        struct run x;
        preflight_req(&x, "o", "GET", "Whatever,ZZZ,aaa");
        run(c, &x);
        assert_hdr(&x, "Access-Control-Allow-Headers", "Whatever,ZZZ,aaa");
    }
    gw_cors_destroy(c);
}

static void allow_headers_echo_and_empty(void **state)
{
    struct gw_cors *c = make("{\"allow_headers\":[\"a\"]}");
    struct run x;

    (void)state;
    /* an empty first line is accepted but not echoed */
    preflight_req(&x, "o", "GET", "");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    assert_hdr(&x, "Access-Control-Allow-Headers", NULL);
    /* several lines are echoed as several lines */
    preflight_req(&x, "o", "GET", "a");
    fake_req_add(&x.req, "Access-Control-Request-Headers", "");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Headers", "a\n");
    gw_cors_destroy(c);
}

static void expose_credentials_actual(void **state)
{
    struct gw_cors *c = make("{\"expose_headers\":[\"content-length\",\"x-foo-bar\",\"x y\"],"
                             "\"allow_credentials\":true}");
    struct run x;

    (void)state;
    assert_true(warned(PATH ".allow_credentials: with every origin allowed"));
    fake_req_init(&x.req, "GET", "/");
    fake_req_add(&x.req, "Origin", "http://a");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Expose-Headers", "Content-Length, X-Foo-Bar, x y");
    assert_hdr(&x, "Access-Control-Allow-Credentials", "true");
    assert_hdr(&x, "Access-Control-Allow-Origin", "*");
    /* the preflight has credentials too, but never expose */
    preflight_req(&x, "http://a", "GET", NULL);
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Credentials", "true");
    assert_hdr(&x, "Access-Control-Expose-Headers", NULL);
    gw_cors_destroy(c);
}

static void actual_requests(void **state)
{
    struct gw_cors *c = make("{\"allow_origins\":[\"http://ok\"],\"allow_methods\":[\"GET\"],"
                             "\"expose_headers\":[\"X-A\"]}");
    struct run x;

    (void)state;
    /* no Origin: Vary only */
    fake_req_init(&x.req, "GET", "/unknown");
    run(c, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    assert_hdr(&x, "Vary", "Origin");
    assert_int_equal(fake_resp_names(&x.resp), 1);
    assert_false(x.resp.ops[0].set); /* added, not set */
    /* origin not allowed */
    fake_req_add(&x.req, "Origin", "http://nope");
    run(c, &x);
    assert_int_equal(fake_resp_names(&x.resp), 1);
    /* method not allowed: HEAD is no longer among the methods */
    fake_req_init(&x.req, "HEAD", "/");
    fake_req_add(&x.req, "Origin", "http://ok");
    run(c, &x);
    assert_int_equal(fake_resp_names(&x.resp), 1);
    /* allowed: the origin echoed */
    fake_req_init(&x.req, "GET", "/");
    fake_req_add(&x.req, "Origin", "http://OK");
    run(c, &x);
    assert_hdr(&x, "Access-Control-Allow-Origin", "http://OK");
    assert_hdr(&x, "Access-Control-Expose-Headers", "X-A");
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

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct gw_cors *c = make(t[i].json);
        struct run x;
        preflight_req(&x, "o", "GET", NULL);
        run(c, &x);
        assert_hdr(&x, "Access-Control-Max-Age", t[i].want);
        if (t[i].warn && !warned(t[i].warn))
            fail_msg("%s: no warning", t[i].json);
        gw_cors_destroy(c);
    }
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
        assert_int_equal(gw_cors_new(v, PATH, &c, NULL, &err), GW_CORS_INVALID);
        assert_null(c);
        assert_non_null(strstr(err.msg, PATH ".max_age: not a string"));
        json_decref(v);
    }
}

static void success_status_and_passthrough(void **state)
{
    static const struct {
        const char *json;
        enum gw_sec_action act;
        unsigned status;
        const char *warn;
    } t[] = {
        {"{\"options_success_status\":200}", GW_SEC_ANSWER, 200, NULL},
        {"{\"options_success_status\":0}", GW_SEC_ANSWER, 204, NULL},
        {"{\"options_success_status\":299.9}", GW_SEC_ANSWER, 299, NULL},
        {"{\"options_success_status\":\"200\"}", GW_SEC_ANSWER, 204, "not a number"},
        {"{\"options_success_status\":1000}", GW_SEC_CLOSE, 0, "outside 100-999"},
        {"{\"options_success_status\":-1}", GW_SEC_CLOSE, 0, "outside 100-999"},
        {"{\"options_success_status\":1e300}", GW_SEC_CLOSE, 0, "outside 100-999"},
        {"{\"options_success_status\":150}", GW_SEC_ANSWER, 200, "informational"},
        {"{\"options_passthrough\":true,\"options_success_status\":200}", GW_SEC_CONTINUE, 0,
         "not used with options_passthrough"},
        {"{\"options_passthrough\":\"yes\"}", GW_SEC_ANSWER, 204, "not a boolean"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct gw_cors *c = make(t[i].json);
        struct run x;
        preflight_req(&x, "o", "GET", NULL);
        run(c, &x);
        if (x.act != t[i].act || (t[i].status && x.ans.status != t[i].status))
            fail_msg("%s: %d %u", t[i].json, x.act, x.ans.status);
        if (t[i].warn && !warned(t[i].warn))
            fail_msg("%s: no warning", t[i].json);
        /* with passthrough the headers are written all the same */
        assert_hdr(&x, "Access-Control-Allow-Origin", "*");
        gw_cors_destroy(c);
    }
}

static void private_network(void **state)
{
    struct gw_cors *c = make("{\"allow_private_network\":true}");
    struct run x;

    (void)state;
    preflight_req(&x, "o", "GET", NULL);
    fake_req_add(&x.req, "Access-Control-Request-Private-Network", "TRUE");
    run(c, &x);
    assert_hdr(&x, "Vary", VARY_PF ", Access-Control-Request-Private-Network");
    assert_hdr(&x, "Access-Control-Allow-Private-Network", NULL); /* exactly "true" only */
    gw_cors_destroy(c);
    c = make("{}"); /* off: the request header changes nothing */
    preflight_req(&x, "o", "GET", NULL);
    fake_req_add(&x.req, "Access-Control-Request-Private-Network", "true");
    run(c, &x);
    assert_hdr(&x, "Vary", VARY_PF);
    assert_hdr(&x, "Access-Control-Allow-Private-Network", NULL);
    gw_cors_destroy(c);
}

static void not_an_object_is_off(void **state)
{
    static const char *const v[] = {"[]", "true", "\"x\"", "null", "1"};

    (void)state;
    for (size_t i = 0; i < 5; i++) {
        json_t *j = json_loads(v[i], JSON_DECODE_ANY, NULL);
        struct gw_cors *c = (struct gw_cors *)&warnings;
        struct cmn_err err = {0};
        gw_sec_warnings_free(&warnings);
        assert_int_equal(gw_cors_new(j, PATH, &c, &warnings, &err), GW_CORS_OK);
        assert_null(c);
        assert_true(warned(PATH ": not an object"));
        json_decref(j);
    }
}

static void callbacks_failing(void **state)
{
    struct gw_cors *c = make(CE_FIXTURE);
    struct run x;

    (void)state;
    for (int k = 0; k < 4; k++) {
        preflight_req(&x, "o", "GET", "origin");
        fake_resp_init(&x.resp);
        x.resp.fail_after = k;
        gw_sec_answer_init(&x.ans);
        x.act = gw_cors_handle(c, &x.req.view, &x.resp.view, NULL, NULL, &x.ans);
        assert_int_equal(x.act, GW_SEC_FAIL);
    }
    fake_req_init(&x.req, "GET", "/");
    fake_resp_init(&x.resp);
    x.resp.fail_after = 0;
    assert_int_equal(gw_cors_handle(c, &x.req.view, &x.resp.view, NULL, NULL, &x.ans), GW_SEC_FAIL);
    gw_cors_destroy(c);
}

/* ---- debug ---- */

static void debug_trace(void **state)
{
    struct gw_cors *c = make("{\"debug\":true,\"allow_origins\":[\"http://a\"],"
                             "\"allow_headers\":[\"x-a\"],\"max_age\":\"1m\"}");
    struct fake_log log;
    struct run x;
    struct tm now = {
        .tm_year = 124, .tm_mon = 0, .tm_mday = 2, .tm_hour = 3, .tm_min = 4, .tm_sec = 5};

    (void)state;
    assert_true(gw_cors_debug(c));
    fake_log_init(&log);
    preflight_req(&x, "http://a", "GET", "x-a");
    fake_resp_init(&x.resp);
    gw_sec_answer_init(&x.ans);
    gw_cors_handle(c, &x.req.view, &x.resp.view, &log.view, &now, &x.ans);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.levels[0], CMN_LOG_DEBUG);
    assert_string_equal(log.lines[0], "[CORS] 2024/01/02 03:04:05 Handler: Preflight request");
    assert_string_equal(log.lines[1],
                        "[CORS] 2024/01/02 03:04:05   Preflight response headers: "
                        "map[Access-Control-Allow-Headers:[x-a] Access-Control-Allow-Methods:[GET] "
                        "Access-Control-Allow-Origin:[http://a] Access-Control-Max-Age:[60] "
                        "Vary:[" VARY_PF "]]");
    static const struct {
        const char *origin, *method, *headers, *line;
    } t[] = {
        {NULL, "GET", NULL, "  Preflight aborted: empty origin"},
        {"http://b", "GET", NULL, "  Preflight aborted: origin 'http://b' not allowed"},
        {"http://a", "PUT", NULL, "  Preflight aborted: method 'PUT' not allowed"},
        {"http://a", "GET", "X-A", "  Preflight aborted: headers '[X-A]' not allowed"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        fake_log_init(&log);
        preflight_req(&x, t[i].origin, t[i].method, t[i].headers);
        fake_resp_init(&x.resp);
        gw_cors_handle(c, &x.req.view, &x.resp.view, &log.view, NULL, &x.ans);
        assert_int_equal(log.n, 2);
        assert_string_equal(log.lines[0], "[CORS] Handler: Preflight request");
        if (strcmp(log.lines[1] + 7, t[i].line) != 0)
            fail_msg("got \"%s\"", log.lines[1]);
    }
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
    for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
        fake_log_init(&log);
        fake_req_init(&x.req, a[i].method, "/");
        if (a[i].origin)
            fake_req_add(&x.req, "Origin", a[i].origin);
        fake_resp_init(&x.resp);
        gw_cors_handle(c, &x.req.view, &x.resp.view, &log.view, NULL, &x.ans);
        assert_int_equal(log.n, 2);
        assert_string_equal(log.lines[0], "[CORS] Handler: Actual request");
        if (strcmp(log.lines[1] + 7, a[i].line) != 0)
            fail_msg("got \"%s\"", log.lines[1]);
    }
    gw_cors_destroy(c);
    /* without debug nothing is logged */
    c = make("{}");
    fake_log_init(&log);
    fake_req_init(&x.req, "GET", "/");
    gw_cors_handle(c, &x.req.view, &x.resp.view, &log.view, NULL, &x.ans);
    assert_int_equal(log.n, 0);
    gw_cors_destroy(c);
}

/* ---- the router table (§2.7) ---- */

static void router_flow(void **state)
{
    static const struct {
        enum gw_sec_action cors;
        enum gw_cors_route route;
        enum gw_cors_outcome out;
    } t[] = {
        /* preflight, passthrough off: any path, known or not, /__health too */
        {GW_SEC_ANSWER, GW_CORS_ROUTE_FOUND, GW_CORS_OUT_PREFLIGHT},
        {GW_SEC_ANSWER, GW_CORS_ROUTE_NOT_FOUND, GW_CORS_OUT_PREFLIGHT},
        {GW_SEC_ANSWER, GW_CORS_ROUTE_NOT_ALLOWED, GW_CORS_OUT_PREFLIGHT},
        /* preflight with passthrough, or OPTIONS without Access-Control-Request-Method */
        {GW_SEC_CONTINUE, GW_CORS_ROUTE_AUTO_OPTIONS, GW_CORS_OUT_AUTO_OPTIONS},
        {GW_SEC_CONTINUE, GW_CORS_ROUTE_NOT_ALLOWED, GW_CORS_OUT_NOT_ALLOWED},
        {GW_SEC_CONTINUE, GW_CORS_ROUTE_NOT_FOUND, GW_CORS_OUT_NOT_FOUND},
        /* actual requests */
        {GW_SEC_CONTINUE, GW_CORS_ROUTE_FOUND, GW_CORS_OUT_ENDPOINT},
        {GW_SEC_CONTINUE, GW_CORS_ROUTE_REDIRECT, GW_CORS_OUT_REDIRECT},
        {GW_SEC_CLOSE, GW_CORS_ROUTE_FOUND, GW_CORS_OUT_CLOSED},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        assert_int_equal(gw_cors_flow(t[i].cors, t[i].route), t[i].out);
}

/* ---- the CE spec files, read at run time when the shared material is present ---- */

static void ce_specs_replayed(void **state)
{
    char path[1024];
    char *text;
    json_t *root;
    struct gw_cors *c = NULL;
    struct cmn_err err = {0};

    (void)state;
    snprintf(path, sizeof(path), "%s/conformance/krakend-ce/krakend-ce-fixture-krakend.json",
             GW_SHARED_DIR);
    text = tu_read_file(path, NULL);
    if (!text)
        skip(); /* the shared conformance material is not part of a public clone */
    root = json_loads(text, 0, NULL);
    free(text);
    assert_int_equal(
        gw_cors_new(json_object_get(json_object_get(root, "extra_config"), "security/cors"), PATH,
                    &c, NULL, &err),
        GW_CORS_OK);
    for (int k = 1; k <= 5; k++) {
        json_t *spec, *in, *out, *v;
        const char *name;
        struct run x;
        char url[512];
        const char *p;

        snprintf(path, sizeof(path), "%s/conformance/krakend-ce/krakend-ce-specs/cors_%d.json",
                 GW_SHARED_DIR, k);
        text = tu_read_file(path, NULL);
        assert_non_null(text);
        spec = json_loads(text, 0, NULL);
        free(text);
        in = json_object_get(spec, "in");
        out = json_object_get(spec, "out");
        snprintf(url, sizeof(url), "%s", json_string_value(json_object_get(in, "url")));
        p = strstr(url, "//");
        p = strchr(p + 2, '/');
        fake_req_init(&x.req, json_string_value(json_object_get(in, "method")), p);
        json_object_foreach(json_object_get(in, "header"), name, v)
            fake_req_add(&x.req, name, json_string_value(v));
        run(c, &x);
        if (x.act == GW_SEC_ANSWER) /* a preflight CORS answers: the spec's whole answer */
            assert_int_equal(x.ans.status, json_integer_value(json_object_get(out, "status_code")));
        json_object_foreach(json_object_get(out, "header"), name, v)
        {
            const char *want = json_string_value(json_array_get(v, 0));
            if (strncasecmp(name, "Access-Control-", 15) != 0 && strcasecmp(name, "Vary") != 0 &&
                x.act != GW_SEC_ANSWER)
                continue; /* the pipeline's own headers (cors_5) are not CORS's */
            assert_hdr(&x, name, *want ? want : NULL);
        }
        json_decref(spec);
    }
    gw_cors_destroy(c);
    json_decref(root);
}

static int teardown(void **state)
{
    (void)state;
    gw_sec_warnings_free(&warnings);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ce_cors_1_to_5),
        cmocka_unit_test(preflight_writes_in_order),
        cmocka_unit_test(classification),
        cmocka_unit_test(defaults),
        cmocka_unit_test(origins),
        cmocka_unit_test(methods),
        cmocka_unit_test(request_headers),
        cmocka_unit_test(allow_headers_echo_and_empty),
        cmocka_unit_test(expose_credentials_actual),
        cmocka_unit_test(actual_requests),
        cmocka_unit_test(max_age),
        cmocka_unit_test(max_age_not_a_string_stops_startup),
        cmocka_unit_test(success_status_and_passthrough),
        cmocka_unit_test(private_network),
        cmocka_unit_test(not_an_object_is_off),
        cmocka_unit_test(callbacks_failing),
        cmocka_unit_test(debug_trace),
        cmocka_unit_test(router_flow),
        cmocka_unit_test(ce_specs_replayed),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
