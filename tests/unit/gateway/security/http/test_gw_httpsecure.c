/* test_gw_httpsecure.c - security/http: each option with its default, allowed hosts (literal,
 * regexp, proxy headers), the SSL redirect byte for byte, HSTS conditions, the CSP nonce. Where
 * it runs among the router's answers is tested on the running gateway (tests/e2e/security.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_go_re.h"
#include "gw_httpsecure.h"
#include "sec_util.h"

#define PATH "extra_config.security/http"

static struct gw_httpsecure *make(const char *json)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
    struct gw_httpsecure *s = NULL;
    struct cmn_err err = {0};

    assert_non_null(v);
    st_log_begin(CMN_LOG_DEBUG);
    if (gw_httpsecure_new(v, PATH, &s, &err) != GW_HSEC_OK)
        fail_msg("%s: %s", json, err.msg);
    json_decref(v);
    assert_non_null(s);
    return s;
}

static bool warned(const char *part)
{
    return st_log_line("WARNING", part);
}

struct run {
    struct st_req req;
    struct gw_hdrs out;
    struct cmn_http_response *answer;
    enum gw_mw_verdict act;
    char buf[4096];
    char body[4096];
};

static void run_at(const struct gw_httpsecure *s, struct run *x, const unsigned char *nonce,
                   size_t max_headers)
{
    gw_hdrs_free(&x->out);
    gw_hdrs_init(&x->out, max_headers);
    cmn_http_response_destroy(x->answer);
    x->answer = (struct cmn_http_response *)(uintptr_t)1; /* must be reset by the handler */
    x->act = gw_httpsecure_handle(s, &x->req.r, nonce, &x->out, &x->answer);
    x->body[0] = '\0';
    if (x->act == GW_MW_ANSWER && x->answer)
        snprintf(x->body, sizeof(x->body), "%.*s", (int)x->answer->body_len,
                 x->answer->body ? x->answer->body : "");
}

static void run_nonce(const struct gw_httpsecure *s, struct run *x, const unsigned char *nonce)
{
    run_at(s, x, nonce, 0);
}

static void run(const struct gw_httpsecure *s, struct run *x)
{
    run_nonce(s, x, NULL);
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

/* The lines of name the request got: those added for every answer (out), or, for an answer
 * of the middleware's own, that answer's. */
static const char *got(struct run *x, const char *name)
{
    if (x->act == GW_MW_ANSWER) {
        assert_int_equal(x->out.n, 0); /* nothing for the answers of the others */
        assert_non_null(x->answer);
        return st_resp_lines(x->answer, name, x->buf, sizeof(x->buf));
    }
    return st_lines(&x->out, name, x->buf, sizeof(x->buf));
}

static unsigned status_of(const struct run *x)
{
    assert_int_equal(x->act, GW_MW_ANSWER);
    assert_non_null(x->answer);
    return x->answer->status;
}

#define assert_hdr(x, name, want)                                                                  \
    do {                                                                                           \
        const char *g_ = got(x, name);                                                             \
        const char *w_ = (want);                                                                   \
        if (w_ ? !g_ || strcmp(g_, w_) != 0 : g_ != NULL)                                          \
            fail_msg("%s: got \"%s\", want \"%s\"", name, g_ ? g_ : "(absent)",                    \
                     w_ ? w_ : "(absent)");                                                        \
    } while (0)

/* A request for target with a Host header (none when host is ""); tls as said. */
static void req_tls(struct run *x, const char *method, const char *host, const char *target,
                    bool tls)
{
    st_req_init(&x->req, method, target);
    if (*host)
        st_req_add(&x->req, "Host", host);
    x->req.r.tls = tls;
}

static void req(struct run *x, const char *method, const char *host, const char *target)
{
    req_tls(x, method, host, target, false);
}

/* ---- headers ---- */

static void defaults_add_nothing(void **state)
{
    struct gw_httpsecure *s = make("{}");
    struct run x;

    (void)state;
    run_init(&x);
    assert_false(gw_httpsecure_needs_nonce(s));
    assert_int_equal(st_log_count("WARNING: "), 0);
    req_tls(&x, "GET", "anything:1", "/", true);
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    assert_null(x.answer);
    assert_int_equal(x.out.n, 0);
    run_free(&x);
    gw_httpsecure_destroy(s);
}

static void each_header(void **state)
{
    static const struct {
        const char *json, *name, *value;
        bool tls;
    } t[] = {
        {"{\"frame_deny\":true}", "X-Frame-Options", "DENY", false},
        {"{\"frame_deny\":true,\"custom_frame_options_value\":\"SAMEORIGIN\"}", "X-Frame-Options",
         "SAMEORIGIN", false},
        {"{\"custom_frame_options_value\":\"ALLOW-FROM x\"}", "X-Frame-Options", "ALLOW-FROM x",
         false},
        {"{\"custom_frame_options_value\":\"\"}", "X-Frame-Options", NULL, false},
        {"{\"content_type_nosniff\":true}", "X-Content-Type-Options", "nosniff", false},
        {"{\"browser_xss_filter\":true}", "X-XSS-Protection", "1; mode=block", false},
        {"{\"content_security_policy\":\"default-src 'self'\"}", "Content-Security-Policy",
         "default-src 'self'", false},
        {"{\"referrer_policy\":\"same-origin\"}", "Referrer-Policy", "same-origin", false},
        {"{\"referrer_policy\":\"\"}", "Referrer-Policy", NULL, false},
        /* HSTS only over TLS, unless forced; is_development drops it */
        {"{\"sts_seconds\":31536000}", "Strict-Transport-Security", "max-age=31536000", true},
        {"{\"sts_seconds\":31536000}", "Strict-Transport-Security", NULL, false},
        {"{\"sts_seconds\":31536000,\"force_sts_header\":true}", "Strict-Transport-Security",
         "max-age=31536000", false},
        {"{\"sts_seconds\":60,\"sts_include_subdomains\":true}", "Strict-Transport-Security",
         "max-age=60; includeSubDomains", true},
        {"{\"sts_seconds\":60,\"is_development\":true}", "Strict-Transport-Security", NULL, true},
        {"{\"sts_seconds\":-5}", "Strict-Transport-Security", "max-age=-5", true},
        {"{\"sts_seconds\":3.9}", "Strict-Transport-Security", "max-age=3", true},
        {"{\"sts_seconds\":0.5}", "Strict-Transport-Security", NULL, true},
        {"{\"sts_seconds\":1e300}", "Strict-Transport-Security", "max-age=-9223372036854775808",
         true},
        /* is_development keeps the other headers */
        {"{\"is_development\":true,\"frame_deny\":true}", "X-Frame-Options", "DENY", false},
    };
    struct run x;

    (void)state;
    run_init(&x);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct gw_httpsecure *s = make(t[i].json);
        req_tls(&x, "GET", "h", "/", t[i].tls);
        run(s, &x);
        assert_int_equal(x.act, GW_MW_NEXT);
        if (t[i].value ? !got(&x, t[i].name) || strcmp(x.buf, t[i].value) != 0
                       : got(&x, t[i].name) != NULL)
            fail_msg("%s: %s", t[i].json, t[i].name);
        gw_httpsecure_destroy(s);
    }
    run_free(&x);
}

/* Header.Set, in unrolled/secure's order: a line of the same name already there is replaced. */
static void all_headers_set_in_order(void **state)
{
    struct gw_httpsecure *s =
        make("{\"sts_seconds\":10,\"frame_deny\":true,\"content_type_nosniff\":true,"
             "\"browser_xss_filter\":true,\"content_security_policy\":\"c\","
             "\"referrer_policy\":\"r\"}");
    static const char *const names[] = {"Vary",
                                        "Strict-Transport-Security",
                                        "X-Frame-Options",
                                        "X-Content-Type-Options",
                                        "X-XSS-Protection",
                                        "Content-Security-Policy",
                                        "Referrer-Policy"};
    struct run x;

    (void)state;
    run_init(&x);
    req_tls(&x, "GET", "h", "/", true);
    assert_true(gw_hdrs_add(&x.out, "Vary", "Origin"));
    assert_true(gw_hdrs_add(&x.out, "X-Frame-Options", "stale"));
    x.act = gw_httpsecure_handle(s, &x.req.r, NULL, &x.out, &x.answer);
    assert_int_equal(x.act, GW_MW_NEXT);
    assert_int_equal(x.out.n, 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(x.out.v[i].name, names[i]);
    assert_string_equal(x.out.v[2].value, "DENY"); /* the stale line is gone */
    run_free(&x);
    gw_httpsecure_destroy(s);
}

/* ---- allowed hosts ---- */

static void allowed_hosts_literal(void **state)
{
    struct gw_httpsecure *s = make("{\"allowed_hosts\":[\"api.example.com\",\"Key.Test:8080\"],"
                                   "\"frame_deny\":true}");
    static const struct {
        const char *host;
        bool ok;
    } t[] = {
        {"api.example.com", true},
        {"API.EXAMPLE.COM", true},
        {"api.example.com:443", false}, /* the port is part of the comparison */
        {"key.test:8080", true},
        {"\xe2\x84\xaa"
         "ey.test:8080",
         true}, /* Go's EqualFold: Kelvin sign folds to k */
        {"key.test", false},
        {"", false},
        {"api.example.com.", false},
    };
    struct run x;

    (void)state;
    run_init(&x);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        req(&x, "GET", t[i].host, "/");
        run(s, &x);
        if ((x.act == GW_MW_NEXT) != t[i].ok)
            fail_msg("%s", t[i].host);
        if (!t[i].ok) {
            assert_int_equal(status_of(&x), 500);
            assert_string_equal(x.body, "Bad Host\n");
            assert_hdr(&x, "Content-Type", "text/plain; charset=utf-8");
            assert_hdr(&x, "X-Content-Type-Options", "nosniff");
            assert_hdr(&x, "X-Frame-Options", NULL); /* no security header on it */
            assert_int_equal(x.answer->n_headers, 2);
        } else {
            assert_hdr(&x, "X-Frame-Options", "DENY");
        }
    }
    /* an absolute-form target's host stands for Host, as in Go */
    st_req_init(&x.req, "GET", "http://api.example.com/x");
    st_req_add(&x.req, "Host", "evil.test");
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    run_free(&x);
    gw_httpsecure_destroy(s);
    cmn_go_re_thread_release();
}

static void allowed_hosts_proxy_headers_and_dev(void **state)
{
    struct gw_httpsecure *s = make("{\"allowed_hosts\":[\"public.test\"],"
                                   "\"host_proxy_headers\":[\"x-forwarded-host\",\"X-Host\"]}");
    struct run x;

    (void)state;
    run_init(&x);
    req(&x, "GET", "internal:8080", "/");
    st_req_add(&x.req, "X-Forwarded-Host", "public.test");
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    /* the first non-empty header wins; an empty one is skipped */
    req(&x, "GET", "public.test", "/");
    st_req_add(&x.req, "X-Forwarded-Host", "");
    st_req_add(&x.req, "X-Host", "evil.test");
    run(s, &x);
    assert_int_equal(status_of(&x), 500);
    /* verbatim: no comma splitting */
    req(&x, "GET", "public.test", "/");
    st_req_add(&x.req, "X-Forwarded-Host", "public.test, other");
    run(s, &x);
    assert_int_equal(status_of(&x), 500);
    gw_httpsecure_destroy(s);
    s = make("{\"allowed_hosts\":[\"public.test\"],\"is_development\":true}");
    assert_true(warned(PATH ".is_development"));
    req(&x, "GET", "anything", "/");
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    run_free(&x);
    gw_httpsecure_destroy(s);
    cmn_go_re_thread_release();
}

static void allowed_hosts_regex(void **state)
{
    /* "^" + entry + "$" without a group: "a|b" reads "^a|b$" */
    struct gw_httpsecure *s =
        make("{\"allowed_hosts_are_regex\":true,\"allowed_hosts\":[\"a|b\",\"[a-z]+\\\\.test\"]}");
    static const struct {
        const char *host;
        bool ok;
    } t[] = {
        {"a", true},
        {"axxx", true},
        {"xxb", true},
        {"xxa", false},
        {"api.test", true},
        {"zz.test", true},
        {"API.test", false},     /* regexps are case-sensitive */
        {"xapi.test:80", false}, /* neither "^a" nor "b$" nor the second entry */
    };
    struct run x;

    (void)state;
    run_init(&x);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        req(&x, "GET", t[i].host, "/");
        run(s, &x);
        if ((x.act == GW_MW_NEXT) != t[i].ok)
            fail_msg("%s", t[i].host);
    }
    run_free(&x);
    gw_httpsecure_destroy(s);
    cmn_go_re_thread_release();
}

static void invalid_host_regex_stops_startup(void **state)
{
    static const struct {
        const char *json, *msg;
    } t[] = {
        {"{\"allowed_hosts_are_regex\":true,\"allowed_hosts\":[\"ok\",\"(a\"]}",
         PATH ".allowed_hosts[1]: Error parsing AllowedHost: error parsing regexp: missing "
              "closing ): `^(a$`"},
        {"{\"allowed_hosts_are_regex\":true,\"allowed_hosts\":[\"a(?=b)\"]}",
         PATH ".allowed_hosts[0]: Error parsing AllowedHost: error parsing regexp: invalid or "
              "unsupported Perl syntax: `(?=`"},
    };

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_loads(t[i].json, 0, NULL);
        struct gw_httpsecure *s = NULL;
        struct cmn_err err = {0};
        assert_int_equal(gw_httpsecure_new(v, PATH, &s, &err), GW_HSEC_INVALID);
        assert_null(s);
        assert_string_equal(err.msg, t[i].msg);
        json_decref(v);
    }
    /* the same strings are fine when not regexps */
    gw_httpsecure_destroy(make("{\"allowed_hosts\":[\"(a\"]}"));
}

/* ---- SSL redirect ---- */

static void ssl_redirect_get_head_post(void **state)
{
    struct gw_httpsecure *s = make("{\"ssl_redirect\":true,\"frame_deny\":true}");
    struct run x;

    (void)state;
    run_init(&x);
    req(&x, "GET", "localhost:8080", "/foo?a=1");
    run(s, &x);
    assert_int_equal(status_of(&x), 301);
    assert_hdr(&x, "Location", "https://localhost:8080/foo?a=1");
    assert_hdr(&x, "Content-Type", "text/html; charset=utf-8");
    assert_hdr(&x, "X-Frame-Options", NULL);
    assert_string_equal(x.body,
                        "<a href=\"https://localhost:8080/foo?a=1\">Moved Permanently</a>.\n\n");
    req(&x, "HEAD", "h", "/");
    run(s, &x);
    assert_int_equal(status_of(&x), 301);
    assert_hdr(&x, "Content-Type", "text/html; charset=utf-8");
    assert_string_equal(x.body, "");
    req(&x, "POST", "h", "/");
    run(s, &x);
    assert_int_equal(status_of(&x), 301);
    assert_hdr(&x, "Location", "https://h/");
    assert_hdr(&x, "Content-Type", NULL);
    assert_string_equal(x.body, "");
    /* already HTTPS: TLS, an absolute https target (any case) */
    req_tls(&x, "GET", "h", "/", true);
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    req(&x, "GET", "", "HTTPS://h/");
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    req(&x, "GET", "", "http://h/x");
    run(s, &x);
    assert_hdr(&x, "Location", "https://h/x");
    run_free(&x);
    gw_httpsecure_destroy(s);
}

static void ssl_host_and_proxy_headers(void **state)
{
    struct gw_httpsecure *s =
        make("{\"ssl_redirect\":true,\"ssl_host\":\"secure.test\","
             "\"ssl_proxy_headers\":{\"x-forwarded-proto\":\"https\",\"X-Bad\":1}}");
    struct run x;

    (void)state;
    run_init(&x);
    assert_true(warned(PATH ".ssl_proxy_headers.X-Bad: not a string"));
    req(&x, "GET", "localhost:8080", "/p");
    run(s, &x);
    assert_hdr(&x, "Location", "https://secure.test/p"); /* host and port replaced */
    req(&x, "GET", "h", "/p");
    st_req_add(&x.req, "X-Forwarded-Proto", "https");
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    req(&x, "GET", "h", "/p");
    st_req_add(&x.req, "X-Forwarded-Proto", "HTTPS"); /* the value is case-sensitive */
    run(s, &x);
    assert_int_equal(status_of(&x), 301);
    gw_httpsecure_destroy(s);
    /* an empty configured value matches a missing header: every request is HTTPS */
    s = make("{\"ssl_redirect\":true,\"ssl_proxy_headers\":{\"X-Proto\":\"\"}}");
    assert_true(warned("every request counts as HTTPS"));
    req(&x, "GET", "h", "/p");
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    gw_httpsecure_destroy(s);
    /* is_development: no redirect */
    s = make("{\"ssl_redirect\":true,\"is_development\":true}");
    req(&x, "GET", "h", "/p");
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    run_free(&x);
    gw_httpsecure_destroy(s);
}

/* url.URL.String's escaping of the path and host, and http.Redirect's of the rest */
static void redirect_url_escaping(void **state)
{
    static const struct {
        const char *host, *target, *location, *href;
    } t[] = {
        {"h", "/caf%C3%A9", "https://h/caf%C3%A9", NULL},
        {"h", "/caf\xc3\xa9", "https://h/caf%C3%A9", NULL},
        {"h", "/a%2fb", "https://h/a%2fb", NULL},
        {"h", "/a{b}", "https://h/a%7Bb%7D", NULL},
        {"h", "/a%41{", "https://h/aA%7B", NULL},
        {"h", "/a%zz{", "https://h/a%zz{", NULL}, /* the server answers 400 before this */
        {"h", "/p:@!$&'()*+,;=[]", "https://h/p:@!$&'()*+,;=[]",
         "https://h/p:@!$&amp;&#39;()*+,;=[]"},
        {"h", "*", "https://h/*", NULL},
        {"", "/x", "https:///x", NULL},
        {"h", "/x?", "https://h/x?", NULL},
        {"h", "/x?a=<b>&c='\xc3\xa9'", "https://h/x?a=<b>&c='%c3%a9'",
         "https://h/x?a=&lt;b&gt;&amp;c=&#39;\xc3\xa9&#39;"},
        {"a b%c/d@e", "/x", "https://a%20b%25c%2Fd%40e/x", NULL},
        {"[::1]:8080", "/x", "https://[::1]:8080/x", NULL},
        {"h\xc3\xa9", "/x", "https://h%C3%A9/x", NULL},
    };
    struct gw_httpsecure *s = make("{\"ssl_redirect\":true}");
    struct run x;

    (void)state;
    run_init(&x);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char want_body[512];
        req(&x, "GET", t[i].host, t[i].target);
        run(s, &x);
        assert_int_equal(status_of(&x), 301);
        if (!got(&x, "Location") || strcmp(x.buf, t[i].location) != 0)
            fail_msg("case %zu: Location %s", i, x.buf);
        snprintf(want_body, sizeof(want_body), "<a href=\"%s\">Moved Permanently</a>.\n\n",
                 t[i].href ? t[i].href : t[i].location);
        if (strcmp(x.body, want_body) != 0)
            fail_msg("case %zu: body %s", i, x.body);
    }
    run_free(&x);
    gw_httpsecure_destroy(s);
}

static void bad_host_comes_before_redirect(void **state)
{
    struct gw_httpsecure *s = make("{\"ssl_redirect\":true,\"allowed_hosts\":[\"ok\"]}");
    struct run x;

    (void)state;
    run_init(&x);
    req(&x, "GET", "nope", "/");
    run(s, &x);
    assert_int_equal(status_of(&x), 500);
    req(&x, "GET", "ok", "/");
    run(s, &x);
    assert_int_equal(status_of(&x), 301);
    run_free(&x);
    gw_httpsecure_destroy(s);
    cmn_go_re_thread_release();
}

/* ---- CSP nonce ---- */

static void csp_nonce(void **state)
{
    struct gw_httpsecure *s = make("{\"content_security_policy\":\"script-src $NONCE; "
                                   "style-src $NONCE\"}");
    unsigned char nonce[GW_HSEC_NONCE_BYTES];
    struct run x;

    (void)state;
    run_init(&x);
    for (int i = 0; i < GW_HSEC_NONCE_BYTES; i++)
        nonce[i] = (unsigned char)i;
    assert_true(gw_httpsecure_needs_nonce(s));
    req(&x, "GET", "h", "/");
    run_nonce(s, &x, nonce);
    assert_hdr(
        &x, "Content-Security-Policy",
        "script-src 'nonce-AAECAwQFBgcICQoLDA0ODw'; style-src 'nonce-AAECAwQFBgcICQoLDA0ODw'");
    gw_httpsecure_destroy(s);
    /* with a nonce the whole policy is a format: a stray % is mangled as Go mangles it */
    s = make("{\"content_security_policy\":\"img-src 100% $NONCE\"}");
    run_nonce(s, &x, nonce);
    assert_hdr(&x, "Content-Security-Policy",
               "img-src 100%!'(string=AAECAwQFBgcICQoLDA0ODw)nonce-AAECAwQFBgcICQoLDA0ODw'");
    gw_httpsecure_destroy(s);
    /* without $NONCE the policy is sent as written */
    s = make("{\"content_security_policy\":\"img-src 100%\"}");
    assert_false(gw_httpsecure_needs_nonce(s));
    run(s, &x);
    assert_hdr(&x, "Content-Security-Policy", "img-src 100%");
    run_free(&x);
    gw_httpsecure_destroy(s);
}

/* ---- config ---- */

static void config_types_and_ignored_options(void **state)
{
    struct gw_httpsecure *s;
    struct run x;

    (void)state;
    run_init(&x);
    s = make("{\"frame_deny\":\"yes\",\"sts_seconds\":\"60\",\"allowed_hosts\":\"h\","
             "\"referrer_policy\":5,\"hpkp_public_key\":\"pin-sha256=...\",\"sts_second\":1}");
    assert_true(warned(PATH ".frame_deny: not a boolean"));
    assert_true(warned(PATH ".sts_seconds: not a number"));
    assert_true(warned(PATH ".allowed_hosts: not an array"));
    assert_true(warned(PATH ".referrer_policy: not a string"));
    assert_true(warned(PATH ".hpkp_public_key: not applied"));
    assert_true(warned(PATH ".sts_second: unknown option"));
    assert_int_equal(st_log_count("WARNING: "), 6);
    req_tls(&x, "GET", "whatever", "/", true);
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    assert_int_equal(x.out.n, 0);
    gw_httpsecure_destroy(s);
    /* the schema's defaults are not the code's: no redirect, no Referrer-Policy */
    s = make("{\"allowed_hosts\":[]}");
    req(&x, "GET", "whatever", "/");
    run(s, &x);
    assert_int_equal(x.act, GW_MW_NEXT);
    assert_int_equal(x.out.n, 0);
    run_free(&x);
    gw_httpsecure_destroy(s);
}

static void off_when_absent_or_not_an_object(void **state)
{
    struct gw_httpsecure *s = (struct gw_httpsecure *)(uintptr_t)1;
    struct cmn_err err = {0};
    json_t *v = json_loads("[1]", 0, NULL);

    (void)state;
    st_log_begin(CMN_LOG_DEBUG);
    assert_int_equal(gw_httpsecure_new(NULL, PATH, &s, &err), GW_HSEC_OK);
    assert_null(s);
    assert_int_equal(gw_httpsecure_new(v, PATH, &s, &err), GW_HSEC_OK);
    assert_null(s);
    assert_true(warned(PATH ": not an object"));
    json_decref(v);
}

/* Setting a header can fail (the list is full, or memory ran out): the answer is a 500. */
static void header_list_full(void **state)
{
    struct gw_httpsecure *s = make("{\"frame_deny\":true,\"referrer_policy\":\"r\"}");
    struct run x;

    (void)state;
    run_init(&x);
    for (size_t k = 1; k <= 2; k++) {
        req(&x, "GET", "h", "/");
        gw_hdrs_free(&x.out);
        gw_hdrs_init(&x.out, k);
        assert_true(gw_hdrs_add(&x.out, "Vary", "Origin")); /* CORS's, before */
        x.act = gw_httpsecure_handle(s, &x.req.r, NULL, &x.out, &x.answer);
        assert_int_equal(x.act, GW_MW_ANSWER);
        assert_null(x.answer);
    }
    run_free(&x);
    gw_httpsecure_destroy(s);
}

static int teardown(void **state)
{
    (void)state;
    st_log_end();
    cmn_go_re_thread_release();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(defaults_add_nothing, teardown),
        cmocka_unit_test_teardown(each_header, teardown),
        cmocka_unit_test_teardown(all_headers_set_in_order, teardown),
        cmocka_unit_test_teardown(allowed_hosts_literal, teardown),
        cmocka_unit_test_teardown(allowed_hosts_proxy_headers_and_dev, teardown),
        cmocka_unit_test_teardown(allowed_hosts_regex, teardown),
        cmocka_unit_test_teardown(invalid_host_regex_stops_startup, teardown),
        cmocka_unit_test_teardown(ssl_redirect_get_head_post, teardown),
        cmocka_unit_test_teardown(ssl_host_and_proxy_headers, teardown),
        cmocka_unit_test_teardown(redirect_url_escaping, teardown),
        cmocka_unit_test_teardown(bad_host_comes_before_redirect, teardown),
        cmocka_unit_test_teardown(csp_nonce, teardown),
        cmocka_unit_test_teardown(config_types_and_ignored_options, teardown),
        cmocka_unit_test_teardown(off_when_absent_or_not_an_object, teardown),
        cmocka_unit_test_teardown(header_list_full, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
