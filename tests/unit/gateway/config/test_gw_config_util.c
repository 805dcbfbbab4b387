/* test_gw_config_util.c - the Go/lura string rules of the config layer, one table each. */
#include "gw_config_int.h"
#include "cmn_go_duration.h"
#include "cmn_go_header.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_duration(void **state)
{
    static const struct {
        const char *in;
        bool ok;
        int64_t ns;
    } cases[] = {
        {"0", true, 0},
        {"3s", true, 3000000000LL},
        {"3000ms", true, 3000000000LL},
        {"1m30s", true, 90000000000LL},
        {"1.5h", true, 5400000000000LL},
        {"150us", true, 150000},
        {"150\xc2\xb5s", true, 150000},
        {"150\xce\xbcs", true, 150000},
        {"1ns", true, 1},
        {".5s", true, 500000000},
        {"5.s", true, 5000000000LL},
        {"-2s", true, -2000000000LL},
        {"+2s", true, 2000000000LL},
        {"1h2m3.5s", true, 3723500000000LL},
        {"2562047h47m16.854775807s", true, INT64_MAX},
        {"2562048h", false, 0},
        {"", false, 0},
        {"3", false, 0},
        {"3000", false, 0},
        {"s", false, 0},
        {".s", false, 0},
        {"3 s", false, 0},
        {"3sec", false, 0},
        {"1d", false, 0},
        {"-", false, 0},
        {"3S", false, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t ns = -42;
        bool ok = cmn_go_parse_duration(cases[i].in, &ns);
        if (ok != cases[i].ok || (ok && ns != cases[i].ns))
            fail_msg("'%s': ok=%d ns=%lld", cases[i].in, ok, (long long)ns);
    }
    assert_false(cmn_go_parse_duration(NULL, NULL));
}

static void test_canonical_header(void **state)
{
    static const char *const cases[][2] = {
        {"x-foo-bar", "X-Foo-Bar"},
        {"CONTENT-TYPE", "Content-Type"},
        {"authorization", "Authorization"},
        {"*", "*"},
        {"x--y", "X--Y"},
        {"bad header", "bad header"},
        {"a_b", "A_b"},
        {"", ""},
        {"x-ÿ", "x-ÿ"},
    };
    char out[64], small[4];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cmn_go_canonical_header(cases[i][0], out, sizeof(out));
        assert_string_equal(out, cases[i][1]);
    }
    cmn_go_canonical_header("x-long-name", small, sizeof(small));
    assert_string_equal(small, "X-L");
}

static void test_clean_host(void **state)
{
    static const char *const cases[][2] = {
        {"http://a.b", "http://a.b"},
        {"https://a.b:8443/", "https://a.b:8443"},
        {"a.b", "http://a.b"},
        {"localhost:8080", "http://localhost:8080"},
        {"{HOST_API}", "http://HOST_API"},
        {"http://a:1", NULL}, /* ":1" is not a port: two matches */
        {"http://a.b/c", NULL},
        {"http://a b", NULL},
        {"http://[::1]:80", NULL},
        {"http://a:1234567", NULL},
        {"http://a:123456", "http://a:123456"},
        {"ftp://x", NULL},
        {"HTTP://x", NULL},
        {"", NULL},
        {"http://", "http://http"},
        {"http://x_y-z.q", "http://x_y-z.q"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = gw_cfg_clean_host(cases[i][0]);
        if (!cases[i][1] ? got != NULL : (!got || strcmp(got, cases[i][1]) != 0))
            fail_msg("'%s': got '%s'", cases[i][0], got ? got : "(invalid)");
        free(got);
    }
}

static void join(const struct gw_strlist *l, char *out, size_t n)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < l->n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "," : "", l->items[i]);
}

static void test_params(void **state)
{
    struct gw_strlist l = {0};
    char out[256];

    (void)state;
    assert_true(gw_cfg_endpoint_params("/a/{id}/b/{x-y_Z9}/{bad.dot}/c{no}", false, &l));
    join(&l, out, sizeof(out));
    assert_string_equal(out, "id,x-y_Z9");
    gw_strlist_free(&l);
    assert_true(gw_cfg_endpoint_params("/f.{ext}/{a.b}", true, &l));
    join(&l, out, sizeof(out));
    assert_string_equal(out, "ext,a.b");
    gw_strlist_free(&l);
    assert_true(gw_cfg_url_params("/x/{JWT.http://a.b/c}?q={id}&{}&{a b}", &l));
    join(&l, out, sizeof(out));
    assert_string_equal(out, "JWT.http://a.b/c,id");
    gw_strlist_free(&l);

    assert_true(gw_cfg_is_exempt_param("resp0_id"));
    assert_true(gw_cfg_is_exempt_param("resp12_a.b"));
    assert_true(gw_cfg_is_exempt_param("JWT.sub"));
    assert_false(gw_cfg_is_exempt_param("resp_id"));
    assert_false(gw_cfg_is_exempt_param("resp0_"));
    assert_false(gw_cfg_is_exempt_param("JWT."));
    assert_false(gw_cfg_is_exempt_param("jwt.sub"));
    assert_false(gw_cfg_is_exempt_param("id"));
}

static void test_params_cap(void **state)
{
    char path[2048] = "";
    size_t n = 0;
    struct gw_strlist l = {0};

    (void)state;
    for (int i = 0; i < GW_CFG_MAX_PARAMS + 1; i++)
        n += (size_t)snprintf(path + n, sizeof(path) - n, "/{p%d}", i);
    assert_false(gw_cfg_endpoint_params(path, false, &l));
    gw_strlist_free(&l);
}

static void test_goint_gobool(void **state)
{
    long long v;
    bool b;

    (void)state;
    assert_true(gw_cfg_parse_goint("8080", &v) && v == 8080);
    assert_true(gw_cfg_parse_goint("0x1F90", &v) && v == 8080);
    assert_true(gw_cfg_parse_goint("0o17", &v) && v == 15);
    assert_true(gw_cfg_parse_goint("017", &v) && v == 15);
    assert_true(gw_cfg_parse_goint("0b101", &v) && v == 5);
    assert_true(gw_cfg_parse_goint("-12", &v) && v == -12);
    assert_true(gw_cfg_parse_goint("0x_1_0", &v) && v == 16);
    assert_true(gw_cfg_parse_goint("-9223372036854775808", &v) && v == INT64_MIN);
    assert_false(gw_cfg_parse_goint("9223372036854775808", &v));
    assert_false(gw_cfg_parse_goint("1_000", &v));
    assert_false(gw_cfg_parse_goint("08", &v));
    assert_false(gw_cfg_parse_goint("", &v));
    assert_false(gw_cfg_parse_goint("0x", &v));
    assert_false(gw_cfg_parse_goint("12a", &v));
    assert_false(gw_cfg_parse_goint(" 1", &v));
    assert_true(gw_cfg_parse_gobool("True", &b) && b);
    assert_true(gw_cfg_parse_gobool("t", &b) && b);
    assert_true(gw_cfg_parse_gobool("0", &b) && !b);
    assert_false(gw_cfg_parse_gobool("yes", &b));
    assert_false(gw_cfg_parse_gobool("tRUE", &b));
}

static void test_clean_path(void **state)
{
    static const char *const cases[][2] = {
        {"", "/"}, {"/", "/"}, {"a", "/a"}, {"/a", "/a"}, {"//a", "//a"}, {"a/b/", "/a/b/"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *p = gw_cfg_clean_path(cases[i][0]);
        assert_string_equal(p, cases[i][1]);
        free(p);
    }
}

static void test_lines(void **state)
{
    const char *doc =
        "{\n \"a\": 1,\n \"b\": [\n  {\"c\": \"x\\\"y\"},\n  [2, {\"d\":\n true}]\n ],"
        "\n \"e\": {}\n}";

    (void)state;
    assert_int_equal(gw_cfg_line_of(doc, strlen(doc), ""), 1);
    assert_int_equal(gw_cfg_line_of(doc, strlen(doc), "a"), 2);
    assert_int_equal(gw_cfg_line_of(doc, strlen(doc), "b"), 3);
    assert_int_equal(gw_cfg_line_of(doc, strlen(doc), "b[0]"), 4);
    assert_int_equal(gw_cfg_line_of(doc, strlen(doc), "b[0].c"), 4);
    assert_int_equal(gw_cfg_line_of(doc, strlen(doc), "b[1][1].d"), 6);
    assert_int_equal(gw_cfg_line_of(doc, strlen(doc), "e"), 8);
    assert_int_equal(gw_cfg_line_of(doc, strlen(doc), "zz"), 0);
    assert_int_equal(gw_cfg_line_of(NULL, 0, "a"), 0);
}

static void test_namespaces(void **state)
{
    (void)state;
    assert_string_equal(gw_config_canonical_namespace("auth/validator"),
                        "github.com/devopsfaith/krakend-jose/validator");
    assert_string_equal(gw_config_canonical_namespace("router"),
                        "github_com/luraproject/lura/router/gin");
    assert_string_equal(gw_config_canonical_namespace("backend/http"),
                        "github.com/devopsfaith/krakend/http");
    assert_string_equal(gw_config_canonical_namespace("telemetry/logging"),
                        "github_com/devopsfaith/krakend-gologging");
    assert_string_equal(gw_config_canonical_namespace("proxy"),
                        "github.com/devopsfaith/krakend/proxy");
    assert_string_equal(gw_config_canonical_namespace("security/cors"),
                        "github_com/devopsfaith/krakend-cors");
    assert_string_equal(
        gw_config_canonical_namespace("github_com/devopsfaith/krakend-jose/validator"),
        "github_com/devopsfaith/krakend-jose/validator");
    assert_string_equal(gw_config_canonical_namespace("qos/ratelimit/router"),
                        "qos/ratelimit/router");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration),   cmocka_unit_test(test_canonical_header),
        cmocka_unit_test(test_clean_host), cmocka_unit_test(test_params),
        cmocka_unit_test(test_params_cap), cmocka_unit_test(test_goint_gobool),
        cmocka_unit_test(test_clean_path), cmocka_unit_test(test_lines),
        cmocka_unit_test(test_namespaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
