/* test_gw_httpsecure.c - security/http: each option with its default, allowed hosts (literal,
 * regexp, proxy headers), the SSL redirect byte for byte, HSTS conditions, the CSP nonce. */
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
#include "gw_httpsecure.h"
#include "gw_re2.h"

#define PATH "extra_config.security/http"

static struct gw_sec_warnings warnings;

static struct gw_httpsecure *make(const char *json)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
    struct gw_httpsecure *s = NULL;
    struct cmn_err err = {0};

    assert_non_null(v);
    gw_sec_warnings_free(&warnings);
    if (gw_httpsecure_new(v, PATH, &s, &warnings, &err) != GW_HSEC_OK)
        fail_msg("%s: %s", json, err.msg);
    json_decref(v);
    assert_non_null(s);
    return s;
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
    char buf[4096];
    char body[4096];
};

static void run_nonce(const struct gw_httpsecure *s, struct run *x, const unsigned char *nonce)
{
    fake_resp_init(&x->resp);
    gw_sec_answer_init(&x->ans);
    x->act = gw_httpsecure_handle(s, &x->req.view, &x->resp.view, nonce, &x->ans);
    snprintf(x->body, sizeof(x->body), "%.*s", (int)x->ans.body_len,
             x->ans.body ? x->ans.body : "");
    gw_sec_answer_free(&x->ans);
}

static void run(const struct gw_httpsecure *s, struct run *x)
{
    run_nonce(s, x, NULL);
}

static const char *got(struct run *x, const char *name)
{
    return fake_resp_lines(&x->resp, name, x->buf, sizeof(x->buf)) ? x->buf : NULL;
}

#define assert_hdr(x, name, want)                                                                  \
    do {                                                                                           \
        const char *g_ = got(x, name);                                                             \
        const char *w_ = (want);                                                                   \
        if (w_ ? !g_ || strcmp(g_, w_) != 0 : g_ != NULL)                                          \
            fail_msg("%s: got \"%s\", want \"%s\"", name, g_ ? g_ : "(absent)",                    \
                     w_ ? w_ : "(absent)");                                                        \
    } while (0)

static void req(struct run *x, const char *method, const char *host, const char *path)
{
    fake_req_init(&x->req, method, path);
    x->req.view.host = host;
}

/* ---- headers ---- */

static void defaults_add_nothing(void **state)
{
    struct gw_httpsecure *s = make("{}");
    struct run x;

    (void)state;
    assert_false(gw_httpsecure_needs_nonce(s));
    req(&x, "GET", "anything:1", "/");
    x.req.view.tls = true;
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    assert_int_equal(x.resp.n, 0);
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

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct gw_httpsecure *s = make(t[i].json);
        struct run x;
        req(&x, "GET", "h", "/");
        x.req.view.tls = t[i].tls;
        run(s, &x);
        assert_int_equal(x.act, GW_SEC_CONTINUE);
        if (t[i].value ? !got(&x, t[i].name) || strcmp(x.buf, t[i].value) != 0
                       : got(&x, t[i].name) != NULL)
            fail_msg("%s: %s", t[i].json, t[i].name);
        gw_httpsecure_destroy(s);
    }
}

static void all_headers_set_in_order(void **state)
{
    struct gw_httpsecure *s =
        make("{\"sts_seconds\":10,\"frame_deny\":true,\"content_type_nosniff\":true,"
             "\"browser_xss_filter\":true,\"content_security_policy\":\"c\","
             "\"referrer_policy\":\"r\"}");
    static const char *const names[] = {"Strict-Transport-Security", "X-Frame-Options",
                                        "X-Content-Type-Options",    "X-XSS-Protection",
                                        "Content-Security-Policy",   "Referrer-Policy"};
    struct run x;

    (void)state;
    req(&x, "GET", "h", "/");
    x.req.view.tls = true;
    run(s, &x);
    assert_int_equal(x.resp.n, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_true(x.resp.ops[i].set); /* Header.Set: replaces a header of the same name */
        assert_string_equal(x.resp.ops[i].name, names[i]);
    }
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
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        req(&x, "GET", t[i].host, "/");
        run(s, &x);
        if ((x.act == GW_SEC_CONTINUE) != t[i].ok)
            fail_msg("%s", t[i].host);
        if (!t[i].ok) {
            assert_int_equal(x.act, GW_SEC_ANSWER);
            assert_int_equal(x.ans.status, 500);
            assert_string_equal(x.body, "Bad Host\n");
            assert_hdr(&x, "Content-Type", "text/plain; charset=utf-8");
            assert_hdr(&x, "X-Content-Type-Options", "nosniff");
            assert_hdr(&x, "X-Frame-Options", NULL); /* no security header on it */
            assert_int_equal(x.resp.n, 2);
        } else {
            assert_hdr(&x, "X-Frame-Options", "DENY");
        }
    }
    gw_httpsecure_destroy(s);
    gw_re2_thread_release();
}

static void allowed_hosts_proxy_headers_and_dev(void **state)
{
    struct gw_httpsecure *s = make("{\"allowed_hosts\":[\"public.test\"],"
                                   "\"host_proxy_headers\":[\"x-forwarded-host\",\"X-Host\"]}");
    struct run x;

    (void)state;
    req(&x, "GET", "internal:8080", "/");
    fake_req_add(&x.req, "X-Forwarded-Host", "public.test");
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    /* the first non-empty header wins; an empty one is skipped */
    req(&x, "GET", "public.test", "/");
    fake_req_add(&x.req, "X-Forwarded-Host", "");
    fake_req_add(&x.req, "X-Host", "evil.test");
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_ANSWER);
    /* verbatim: no comma splitting */
    req(&x, "GET", "public.test", "/");
    fake_req_add(&x.req, "X-Forwarded-Host", "public.test, other");
    run(s, &x);
    assert_int_equal(x.ans.status, 500);
    gw_httpsecure_destroy(s);
    s = make("{\"allowed_hosts\":[\"public.test\"],\"is_development\":true}");
    assert_true(warned(PATH ".is_development"));
    req(&x, "GET", "anything", "/");
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    gw_httpsecure_destroy(s);
    gw_re2_thread_release();
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
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        req(&x, "GET", t[i].host, "/");
        run(s, &x);
        if ((x.act == GW_SEC_CONTINUE) != t[i].ok)
            fail_msg("%s", t[i].host);
    }
    gw_httpsecure_destroy(s);
    gw_re2_thread_release();
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
        assert_int_equal(gw_httpsecure_new(v, PATH, &s, NULL, &err), GW_HSEC_INVALID);
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
    req(&x, "GET", "localhost:8080", "/foo");
    x.req.view.query = "a=1";
    x.req.view.has_query = true;
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_ANSWER);
    assert_int_equal(x.ans.status, 301);
    assert_hdr(&x, "Location", "https://localhost:8080/foo?a=1");
    assert_hdr(&x, "Content-Type", "text/html; charset=utf-8");
    assert_hdr(&x, "X-Frame-Options", NULL);
    assert_string_equal(x.body,
                        "<a href=\"https://localhost:8080/foo?a=1\">Moved Permanently</a>.\n\n");
    req(&x, "HEAD", "h", "/");
    run(s, &x);
    assert_int_equal(x.ans.status, 301);
    assert_hdr(&x, "Content-Type", "text/html; charset=utf-8");
    assert_string_equal(x.body, "");
    req(&x, "POST", "h", "/");
    run(s, &x);
    assert_int_equal(x.ans.status, 301);
    assert_hdr(&x, "Location", "https://h/");
    assert_hdr(&x, "Content-Type", NULL);
    assert_string_equal(x.body, "");
    /* already HTTPS: TLS, an absolute https target (any case) */
    req(&x, "GET", "h", "/");
    x.req.view.tls = true;
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    req(&x, "GET", "h", "/");
    x.req.view.scheme = "HTTPS";
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    gw_httpsecure_destroy(s);
}

static void ssl_host_and_proxy_headers(void **state)
{
    struct gw_httpsecure *s =
        make("{\"ssl_redirect\":true,\"ssl_host\":\"secure.test\","
             "\"ssl_proxy_headers\":{\"x-forwarded-proto\":\"https\",\"X-Bad\":1}}");
    struct run x;

    (void)state;
    assert_true(warned(PATH ".ssl_proxy_headers.X-Bad: not a string"));
    req(&x, "GET", "localhost:8080", "/p");
    run(s, &x);
    assert_hdr(&x, "Location", "https://secure.test/p"); /* host and port replaced */
    req(&x, "GET", "h", "/p");
    fake_req_add(&x.req, "X-Forwarded-Proto", "https");
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    req(&x, "GET", "h", "/p");
    fake_req_add(&x.req, "X-Forwarded-Proto", "HTTPS"); /* the value is case-sensitive */
    run(s, &x);
    assert_int_equal(x.ans.status, 301);
    gw_httpsecure_destroy(s);
    /* an empty configured value matches a missing header: every request is HTTPS */
    s = make("{\"ssl_redirect\":true,\"ssl_proxy_headers\":{\"X-Proto\":\"\"}}");
    assert_true(warned("every request counts as HTTPS"));
    req(&x, "GET", "h", "/p");
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    gw_httpsecure_destroy(s);
    /* is_development: no redirect */
    s = make("{\"ssl_redirect\":true,\"is_development\":true}");
    req(&x, "GET", "h", "/p");
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    gw_httpsecure_destroy(s);
}

/* url.URL.String's escaping of the path and host, and http.Redirect's of the rest */
static void redirect_url_escaping(void **state)
{
    static const struct {
        const char *host, *path, *query;
        bool has_query;
        const char *location, *href;
    } t[] = {
        {"h", "/caf%C3%A9", "", false, "https://h/caf%C3%A9", NULL},
        {"h", "/caf\xc3\xa9", "", false, "https://h/caf%C3%A9", NULL},
        {"h", "/a%2fb", "", false, "https://h/a%2fb", NULL},
        {"h", "/a{b}", "", false, "https://h/a%7Bb%7D", NULL},
        {"h", "/a%41{", "", false, "https://h/aA%7B", NULL},
        {"h", "/a%zz{", "", false, "https://h/a%zz{", NULL}, /* Go would have answered 400 */
        {"h", "/p:@!$&'()*+,;=[]", "", false, "https://h/p:@!$&'()*+,;=[]",
         "https://h/p:@!$&amp;&#39;()*+,;=[]"},
        {"h", "*", "", false, "https://h/*", NULL},
        {"h", "", "", false, "https://h", NULL},
        {"", "/x", "", false, "https:///x", NULL},
        {"h", "/x", "", true, "https://h/x?", NULL},
        {"h", "/x", "a=<b>&c='\xc3\xa9'", true, "https://h/x?a=<b>&c='%c3%a9'",
         "https://h/x?a=&lt;b&gt;&amp;c=&#39;\xc3\xa9&#39;"},
        {"a b%c/d@e", "/x", "", false, "https://a%20b%25c%2Fd%40e/x", NULL},
        {"[::1]:8080", "/x", "", false, "https://[::1]:8080/x", NULL},
        {"h\xc3\xa9", "/x", "", false, "https://h%C3%A9/x", NULL},
    };

    (void)state;
    struct gw_httpsecure *s = make("{\"ssl_redirect\":true}");
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct run x;
        char want_body[512];
        req(&x, "GET", t[i].host, t[i].path);
        x.req.view.query = t[i].query;
        x.req.view.has_query = t[i].has_query;
        run(s, &x);
        assert_int_equal(x.ans.status, 301);
        if (!got(&x, "Location") || strcmp(x.buf, t[i].location) != 0)
            fail_msg("case %zu: Location %s", i, x.buf);
        snprintf(want_body, sizeof(want_body), "<a href=\"%s\">Moved Permanently</a>.\n\n",
                 t[i].href ? t[i].href : t[i].location);
        if (strcmp(x.body, want_body) != 0)
            fail_msg("case %zu: body %s", i, x.body);
    }
    gw_httpsecure_destroy(s);
}

static void bad_host_comes_before_redirect(void **state)
{
    struct gw_httpsecure *s = make("{\"ssl_redirect\":true,\"allowed_hosts\":[\"ok\"]}");
    struct run x;

    (void)state;
    req(&x, "GET", "nope", "/");
    run(s, &x);
    assert_int_equal(x.ans.status, 500);
    req(&x, "GET", "ok", "/");
    run(s, &x);
    assert_int_equal(x.ans.status, 301);
    gw_httpsecure_destroy(s);
    gw_re2_thread_release();
}

/* ---- CSP nonce ---- */

static void csp_nonce(void **state)
{
    struct gw_httpsecure *s = make("{\"content_security_policy\":\"script-src $NONCE; "
                                   "style-src $NONCE\"}");
    unsigned char nonce[GW_HSEC_NONCE_BYTES];
    struct run x;

    (void)state;
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
    gw_httpsecure_destroy(s);
}

static void go_sprintf_subset(void **state)
{
    static const char *const t[][2] = {
        {"%[1]s", "N"},
        {"a%%b %[1]s", "a%b N"},
        {"%s", "N"},
        {"%s %s", "N %!s(MISSING)"},
        {"%[1]s %s", "N %!s(MISSING)"},
        {"%[1]s%[1]s", "NN"},
        {"%[2]s", "%!s(BADINDEX)"},
        {"%d", "%!d(string=N)"},
        {"%v", "N"},
        {"%q", "\"N\""},
        {"%x", "4e"},
        {"%5s|", "    N|"},
        {"%-3s|", "N  |"},
        {"%.0s|", "|"},
        {"tail %", "tail %!(NOVERB)%!(EXTRA string=N)"},
        {"%[1]s %", "N %!(NOVERB)"},
        {"plain", "plain%!(EXTRA string=N)"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct cmn_buf b;
        cmn_buf_init(&b, 4096);
        assert_true(gw_httpsecure_go_sprintf(t[i][0], "N", &b));
        if (strcmp(cmn_buf_str(&b), t[i][1]) != 0)
            fail_msg("%s -> %s", t[i][0], cmn_buf_str(&b));
        cmn_buf_free(&b);
    }
}

/* ---- config ---- */

static void config_types_and_ignored_options(void **state)
{
    struct gw_httpsecure *s;
    struct run x;

    (void)state;
    s = make("{\"frame_deny\":\"yes\",\"sts_seconds\":\"60\",\"allowed_hosts\":\"h\","
             "\"referrer_policy\":5,\"hpkp_public_key\":\"pin-sha256=...\"}");
    assert_true(warned(PATH ".frame_deny: not a boolean"));
    assert_true(warned(PATH ".sts_seconds: not a number"));
    assert_true(warned(PATH ".allowed_hosts: not an array"));
    assert_true(warned(PATH ".referrer_policy: not a string"));
    assert_true(warned(PATH ".hpkp_public_key: not applied"));
    req(&x, "GET", "whatever", "/");
    x.req.view.tls = true;
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    assert_int_equal(x.resp.n, 0);
    gw_httpsecure_destroy(s);
    /* the schema's defaults are not the code's: no redirect, no Referrer-Policy */
    s = make("{\"allowed_hosts\":[]}");
    req(&x, "GET", "whatever", "/");
    run(s, &x);
    assert_int_equal(x.act, GW_SEC_CONTINUE);
    assert_int_equal(x.resp.n, 0);
    gw_httpsecure_destroy(s);
}

static void off_when_absent_or_not_an_object(void **state)
{
    struct gw_httpsecure *s = (struct gw_httpsecure *)&warnings;
    struct cmn_err err = {0};
    json_t *v = json_loads("[1]", 0, NULL);

    (void)state;
    assert_int_equal(gw_httpsecure_new(NULL, PATH, &s, NULL, &err), GW_HSEC_OK);
    assert_null(s);
    gw_sec_warnings_free(&warnings);
    assert_int_equal(gw_httpsecure_new(v, PATH, &s, &warnings, &err), GW_HSEC_OK);
    assert_null(s);
    assert_true(warned(PATH ": not an object"));
    json_decref(v);
}

static void callbacks_failing(void **state)
{
    struct gw_httpsecure *s = make("{\"frame_deny\":true,\"referrer_policy\":\"r\"}");
    struct run x;

    (void)state;
    for (int k = 0; k < 2; k++) {
        req(&x, "GET", "h", "/");
        fake_resp_init(&x.resp);
        x.resp.fail_after = k;
        gw_sec_answer_init(&x.ans);
        assert_int_equal(gw_httpsecure_handle(s, &x.req.view, &x.resp.view, NULL, &x.ans),
                         GW_SEC_FAIL);
    }
    gw_httpsecure_destroy(s);
}

static int teardown(void **state)
{
    (void)state;
    gw_sec_warnings_free(&warnings);
    gw_re2_thread_release();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_add_nothing),
        cmocka_unit_test(each_header),
        cmocka_unit_test(all_headers_set_in_order),
        cmocka_unit_test(allowed_hosts_literal),
        cmocka_unit_test(allowed_hosts_proxy_headers_and_dev),
        cmocka_unit_test(allowed_hosts_regex),
        cmocka_unit_test(invalid_host_regex_stops_startup),
        cmocka_unit_test(ssl_redirect_get_head_post),
        cmocka_unit_test(ssl_host_and_proxy_headers),
        cmocka_unit_test(redirect_url_escaping),
        cmocka_unit_test(bad_host_comes_before_redirect),
        cmocka_unit_test(csp_nonce),
        cmocka_unit_test(go_sprintf_subset),
        cmocka_unit_test(config_types_and_ignored_options),
        cmocka_unit_test(off_when_absent_or_not_an_object),
        cmocka_unit_test(callbacks_failing),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
