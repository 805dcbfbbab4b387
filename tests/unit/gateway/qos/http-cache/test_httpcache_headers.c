/* test_httpcache_headers.c - what the http-cache reads from headers: Go's RFC 1123 dates,
 * krakend/httpcache's Cache-Control reading, freshness (§7.4 step 3), stale-if-error, no-store,
 * Vary; and the option decoding of §7.2. */
#include "gw_hc_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define S 1000000000LL

struct msgs {
    size_t n;
    char v[8][512];
};

static void collect(void *ctx, const char *msg)
{
    struct msgs *w = ctx;

    if (w->n < 8)
        snprintf(w->v[w->n++], sizeof(w->v[0]), "%s", msg);
}
#define DATE "Sun, 06 Nov 1994 08:49:37 GMT"
#define DATE_S 784111777LL /* RFC 9110 §5.6.7's example instant */

static void test_dates(void **state)
{
    static const struct {
        const char *text;
        bool ok;
        int64_t s;
        int32_t ns;
    } cases[] = {
        {DATE, true, DATE_S, 0},
        {"sun, 06 nov 1994 08:49:37 GMT", true, DATE_S, 0}, /* names case-insensitive */
        {"Mon, 06 Nov 1994 08:49:37 GMT", true, DATE_S, 0}, /* the weekday is not checked */
        {"Sun,   06  Nov 1994 08:49:37   GMT", true, DATE_S, 0},
        {"Sun, 06 Nov 1994 8:49:37 GMT", true, DATE_S, 0}, /* one-digit hour */
        {"Sun, 06 Nov 1994 7:49:37 GMT", true, DATE_S - 3600, 0},
        {"Sun, 06 Nov 1994 08:49:37.25 GMT", true, DATE_S, 250000000},
        {"Sun, 06 Nov 1994 08:49:37,5 GMT", true, DATE_S, 500000000},
        /* Go reads at most nine fraction digits and skips the rest (parseNanoseconds) */
        {"Sun, 06 Nov 1994 08:49:37.1234567890 GMT", true, DATE_S, 123456789},
        {"Sun, 06 Nov 1994 08:49:37 UTC", true, DATE_S, 0},
        {"Sun, 06 Nov 1994 08:49:37 PST", true, DATE_S, 0},   /* unknown zones: UTC */
        {"Sun, 06 Nov 1994 08:49:37 GMT+3", true, DATE_S, 0}, /* offset not applied */
        {"Sun, 06 Nov 1994 08:49:37 CEST", true, DATE_S, 0},
        {"Sun, 06 Nov 1994 08:49:37 +03", true, DATE_S, 0},
        {"Thu, 01 Jan 1970 00:00:00 GMT", true, 0, 0},
        {"Thu, 29 Feb 2024 12:00:00 GMT", true, 1709208000LL, 0},
        {"Wed, 01 Jan 0000 00:00:00 GMT", true, -62167219200LL, 0},
        {"Sunday, 06-Nov-94 08:49:37 GMT", false, 0, 0}, /* RFC 850 */
        {"Sun Nov  6 08:49:37 1994", false, 0, 0},       /* asctime */
        {"Sun, 6 Nov 1994 08:49:37 GMT", false, 0, 0},   /* day needs two digits */
        {"Sun,06 Nov 1994 08:49:37 GMT", false, 0, 0},
        {"Sun, 06 Nov 1994 08:49:37", false, 0, 0},      /* no zone */
        {"Sun, 06 Nov 1994 08:49:37 GMT ", false, 0, 0}, /* extra text */
        {"Sun, 06 Nov 1994 08:49:37 gmt", false, 0, 0},
        {"Sun, 06 Nov 1994 08:49:37 GMTX", false, 0, 0},
        {"Sun, 06 Nov 1994 08:49:37 GMT+24", false, 0, 0},
        {"Sun, 06 Nov 1994 24:00:00 GMT", false, 0, 0},
        {"Sun, 06 Nov 1994 08:60:00 GMT", false, 0, 0},
        {"Sun, 06 Nov 1994 08:49:60 GMT", false, 0, 0},
        {"Fri, 29 Feb 2023 00:00:00 GMT", false, 0, 0}, /* day out of range */
        {"Sun, 00 Nov 1994 08:49:37 GMT", false, 0, 0},
        {"Sun, 31 Nov 1994 08:49:37 GMT", false, 0, 0},
        {"Sun, 06 Nov 94 08:49:37 GMT", false, 0, 0},
        {"Sun, 06 Xyz 1994 08:49:37 GMT", false, 0, 0},
        {"", false, 0, 0},
        {"Sun", false, 0, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t s = -1;
        int32_t ns = -1;
        bool ok = gw_hc_parse_http_date(cases[i].text, &s, &ns);

        if (ok != cases[i].ok)
            fail_msg("%s: %d", cases[i].text, ok);
        if (ok) {
            assert_int_equal(s, cases[i].s);
            assert_int_equal(ns, cases[i].ns);
        }
    }
}

static void test_cache_control(void **state)
{
    static const struct {
        const char *cc, *directive, *value; /* value NULL: absent */
    } cases[] = {
        {"max-age=60", "max-age", "60"},
        {"public, max-age=60 , no-cache", "max-age", "60"},
        {"public, max-age=60 , no-cache", "no-cache", ""},
        {"max-age=1=2", "max-age", "1"},
        {"max-age=", "max-age", ""},
        {"max-age = 5", "max-age", " 5"}, /* spaces around '=' stay in the value */
        {"max-age=1, max-age=2", "max-age", "2"},
        {"Max-Age=5", "max-age", NULL}, /* case-sensitive */
        {"max-age=\"5\"", "max-age", "\"5\""},
        {"no-store", "no-cache", NULL},
        {",,, ,", "no-cache", NULL},
        {"=5", "", "5"},
        {"\tno-cache", "no-cache", NULL}, /* only spaces are trimmed */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *v = NULL;
        size_t n = 0;
        bool found = gw_hc_cc_get(cases[i].cc, cases[i].directive, &v, &n);

        assert_int_equal(found, cases[i].value != NULL);
        if (found) {
            assert_int_equal(n, strlen(cases[i].value));
            assert_memory_equal(v, cases[i].value, n);
        }
    }
    assert_false(gw_hc_cc_get(NULL, "max-age", &(const char *){NULL}, &(size_t){0}));
}

/* A request's headers and a stored response's headers. */
struct pair {
    struct gw_hdrs req, resp;
};

static void make(struct pair *p, const char *req_cc, const char *date, const char *resp_cc,
                 const char *expires)
{
    gw_hdrs_init(&p->req, 0);
    gw_hdrs_init(&p->resp, 0);
    if (req_cc)
        assert_true(gw_hdrs_add(&p->req, "Cache-Control", req_cc));
    if (date)
        assert_true(gw_hdrs_add(&p->resp, "Date", date));
    if (resp_cc)
        assert_true(gw_hdrs_add(&p->resp, "Cache-Control", resp_cc));
    if (expires)
        assert_true(gw_hdrs_add(&p->resp, "Expires", expires));
}

static void pair_free(struct pair *p)
{
    gw_hdrs_free(&p->req);
    gw_hdrs_free(&p->resp);
}

static void test_freshness(void **state)
{
    static const struct {
        const char *req_cc, *date, *resp_cc, *expires;
        int64_t age_s; /* now = Date + age */
        enum gw_hc_freshness want;
    } cases[] = {
        {NULL, DATE, "max-age=60", NULL, 59, GW_HC_FRESH},
        {NULL, DATE, "max-age=60", NULL, 60, GW_HC_STALE}, /* lifetime > age, strictly */
        {NULL, DATE, "max-age=60", NULL, -3600, GW_HC_FRESH},
        {NULL, NULL, "max-age=60", NULL, 0, GW_HC_STALE}, /* no Date: stale */
        {NULL, "yesterday", "max-age=60", NULL, 0, GW_HC_STALE},
        {NULL, DATE, NULL, NULL, 0, GW_HC_STALE},      /* no lifetime */
        {NULL, DATE, "public", NULL, -1, GW_HC_FRESH}, /* a Date in the future */
        {NULL, DATE, NULL, "Sun, 06 Nov 1994 08:50:37 GMT", 59, GW_HC_FRESH},
        {NULL, DATE, NULL, "Sun, 06 Nov 1994 08:50:37 GMT", 60, GW_HC_STALE},
        {NULL, DATE, NULL, "0", 0, GW_HC_STALE},
        {NULL, DATE, "max-age=10", "Sun, 06 Nov 1994 09:49:37 GMT", 20, GW_HC_STALE},
        {NULL, DATE, "max-age=\"60\"", NULL, 1, GW_HC_STALE}, /* quoted: 0 */
        {NULL, DATE, "max-age=1m", NULL, 1, GW_HC_STALE},     /* "1ms" */
        {NULL, DATE, "max-age=1.5", NULL, 1, GW_HC_FRESH},
        {NULL, DATE, "max-age=1h30", NULL, 3600, GW_HC_FRESH}, /* "1h30s" */
        {NULL, DATE, "max-age=60, no-cache", NULL, 1, GW_HC_STALE},
        {NULL, DATE, "max-age=60, s-maxage=0, private, must-revalidate", NULL, 1, GW_HC_FRESH},
        {"no-cache", DATE, "max-age=60", NULL, 1, GW_HC_TRANSPARENT},
        {"only-if-cached", DATE, NULL, NULL, 1000, GW_HC_FRESH},
        {"only-if-cached", NULL, "no-cache", NULL, 0, GW_HC_STALE},
        {"max-age=5", DATE, "max-age=60", NULL, 10, GW_HC_STALE},
        {"max-age=100", DATE, "max-age=60", NULL, 90, GW_HC_FRESH},
        {"max-age=x", DATE, "max-age=60", NULL, 1, GW_HC_STALE},
        {"min-fresh=30", DATE, "max-age=60", NULL, 31, GW_HC_STALE},
        {"min-fresh=30", DATE, "max-age=60", NULL, 29, GW_HC_FRESH},
        {"min-fresh=x", DATE, "max-age=60", NULL, 59, GW_HC_FRESH},
        {"max-stale", DATE, "max-age=60", NULL, 100000, GW_HC_FRESH},
        {"max-stale=", DATE, NULL, NULL, 100000, GW_HC_FRESH},
        {"max-stale=50", DATE, "max-age=60", NULL, 109, GW_HC_FRESH},
        {"max-stale=50", DATE, "max-age=60", NULL, 110, GW_HC_STALE},
        {"max-stale=50", NULL, "max-age=60", NULL, 0, GW_HC_STALE},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pair p;
        int64_t now = (DATE_S + cases[i].age_s) * S;

        make(&p, cases[i].req_cc, cases[i].date, cases[i].resp_cc, cases[i].expires);
        if (gw_hc_freshness(&p.resp, &p.req, now) != cases[i].want)
            fail_msg("case %zu", i);
        pair_free(&p);
    }
}

static void test_stale_if_error(void **state)
{
    static const struct {
        const char *req_cc, *date, *resp_cc;
        int64_t age_s;
        bool want;
    } cases[] = {
        {NULL, DATE, "stale-if-error", 1000000, true},
        {NULL, NULL, "stale-if-error", 0, true}, /* without a value, no Date needed */
        {NULL, DATE, "stale-if-error=60", 59, true},
        {NULL, DATE, "stale-if-error=60", 60, false},
        {NULL, NULL, "stale-if-error=60", 0, false},
        {NULL, DATE, "stale-if-error=x", 0, false},
        {"stale-if-error", DATE, "stale-if-error=x", 0, false}, /* the response decides first */
        {"stale-if-error", DATE, NULL, 1000000, true},
        {"stale-if-error=10", DATE, "stale-if-error=60", 30, false}, /* the request's wins */
        {"stale-if-error=100", DATE, "stale-if-error=60", 90, true},
        {NULL, DATE, "max-age=60", 0, false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pair p;

        make(&p, cases[i].req_cc, cases[i].date, cases[i].resp_cc, NULL);
        if (gw_hc_stale_on_error(&p.resp, &p.req, (DATE_S + cases[i].age_s) * S) != cases[i].want)
            fail_msg("case %zu", i);
        pair_free(&p);
    }
}

static void test_can_store(void **state)
{
    struct pair p;

    (void)state;
    make(&p, NULL, DATE, NULL, NULL);
    assert_true(gw_hc_can_store(&p.req, &p.resp)); /* no Cache-Control at all: stored */
    pair_free(&p);
    make(&p, "no-store", DATE, NULL, NULL);
    assert_false(gw_hc_can_store(&p.req, &p.resp));
    pair_free(&p);
    make(&p, NULL, DATE, "private, no-store", NULL);
    assert_false(gw_hc_can_store(&p.req, &p.resp));
    pair_free(&p);
    make(&p, NULL, DATE, "no-cache", NULL);
    assert_true(gw_hc_can_store(&p.req, &p.resp));
    pair_free(&p);
    assert_true(gw_hc_can_store(NULL, NULL));
}

static void headers(struct gw_hdrs *h, const char *const *kv)
{
    gw_hdrs_free(h);
    gw_hdrs_init(h, 0);
    for (size_t i = 0; kv[i]; i += 2)
        assert_true(gw_hdrs_add(h, kv[i], kv[i + 1]));
}

static void test_vary(void **state)
{
    static const char *const stored_kv[] = {
        "Vary", "accept-language, X-Tenant", "vary", " Accept", "X-Varied-Accept-Language",
        "fr",   "X-Varied-Accept",           "*/*",  NULL};
    struct gw_hdrs stored, req;
    char longname[400];

    (void)state;
    gw_hdrs_init(&stored, 0);
    gw_hdrs_init(&req, 0);
    headers(&stored, stored_kv);
    headers(&req,
            (const char *const[]){"Accept-Language", "fr", "Accept", "*/*", "X-Tenant", "", NULL});
    assert_true(gw_hc_vary_matches(&stored, &req)); /* X-Tenant "" equals an absent X-Varied */
    gw_hdrs_set(&req, "X-Tenant", "t1");
    assert_false(gw_hc_vary_matches(&stored, &req));
    gw_hdrs_set(&req, "X-Tenant", "");
    gw_hdrs_set(&req, "Accept-Language", "de");
    assert_false(gw_hc_vary_matches(&stored, &req));
    /* no Accept header: "" differs from the stored value */
    headers(&req, (const char *const[]){"Accept-Language", "fr", NULL});
    assert_false(gw_hc_vary_matches(&stored, &req));
    headers(&req, (const char *const[]){"Accept-Language", "fr", "Accept", "*/*", NULL});
    headers(&stored, (const char *const[]){"Vary", "accept-language, X-Tenant", "vary", " , ,",
                                           "X-Varied-Accept-Language", "fr", NULL});
    assert_true(gw_hc_vary_matches(&stored, &req)); /* empty names are skipped */
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    headers(&stored, (const char *const[]){"Vary", longname, NULL});
    assert_false(gw_hc_vary_matches(&stored, &req)); /* too long to remember: revalidate */
    gw_hdrs_free(&stored);
    gw_hdrs_free(&req);
}

/* ---- options (§7.2) ---- */

static void test_options(void **state)
{
    static const struct {
        const char *json;
        bool on, shared, fallback;
        uint64_t size, items;
    } cases[] = {
        {"{}", true, false, false, 0, 0},
        {"{\"shared\":true}", true, true, false, 0, 0},
        {"{\"max_size\":1024,\"max_items\":10}", true, false, false, 1024, 10},
        {"{\"Max_Size\":2048,\"MAX_ITEMS\":3,\"Shared\":true}", true, true, false, 2048, 3},
        {"{\"max_size\":1e3,\"max_items\":2.0}", true, false, false, 1000, 2},
        {"{\"max_size\":null,\"shared\":null}", true, false, false, 0, 0},
        {"{\"shared\":true,\"Shared\":false}", true, true, false, 0, 0}, /* sorted: last wins */
        {"{\"max_size\":1.5}", true, false, true, 0, 0},
        {"{\"max_size\":-1,\"shared\":true}", true, false, true, 0, 0},
        {"{\"max_size\":\"1024\"}", true, false, true, 0, 0},
        {"{\"shared\":\"true\"}", true, false, true, 0, 0},
        {"{\"max_items\":1e21}", true, false, true, 0, 0},
        {"{\"max_items\":-0.0}", true, false, true, 0, 0},
        {"{\"max_items\":18446744073709551616.0}", true, false, true, 0, 0},
        {"\"x\"", true, false, true, 0, 0},
        {"null", true, false, false, 0, 0},
        {"{\"other\":1}", true, false, false, 0, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_error_t e;
        json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, &e);
        struct gw_hc_config c;
        struct cmn_err err = {0};

        assert_non_null(v);
        assert_int_equal(gw_hc_config_parse(v, "be", &c, NULL, &err), GW_HC_OK);
        if (c.on != cases[i].on || c.shared != cases[i].shared || c.fallback != cases[i].fallback ||
            c.max_size != cases[i].size || c.max_items != cases[i].items)
            fail_msg("case %zu: %s", i, cases[i].json);
        json_decref(v);
    }
    {
        struct gw_hc_config c;
        struct msgs w = {0};
        struct cmn_warn cw = {collect, &w};
        json_t *v = json_loads("{\"max_size\":1.5,\"oops\":1,\"#c\":2}", 0, NULL);

        assert_int_equal(gw_hc_config_parse(NULL, "be", &c, &cw, NULL), GW_HC_ABSENT);
        assert_false(c.on);
        gw_hc_config_parse(v, "be", &c, &cw, NULL);
        assert_int_equal(w.n, 2);
        assert_non_null(strstr(w.v[0], "be.max_size: not what Go decodes"));
        assert_non_null(strstr(w.v[1], "be.oops: unknown option"));
        json_decref(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),     cmocka_unit_test(test_cache_control),
        cmocka_unit_test(test_freshness), cmocka_unit_test(test_stale_if_error),
        cmocka_unit_test(test_can_store), cmocka_unit_test(test_vary),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
