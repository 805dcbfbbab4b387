/* test_cmn_go_float.c - Go's float64 texts: strconv.FormatFloat(v, 'g'|'e'|'f', -1, 64) (what
 * fmt's %v prints) and encoding/json's form, with the values Go itself prints for each case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "cmn_go_float.h"

struct fcase {
    double v;
    const char *want;
};

static void check(const struct fcase *c, size_t n, char fmt)
{
    char out[CMN_GO_FLOAT_MAX];

    for (size_t i = 0; i < n; i++) {
        size_t l = fmt == 'j' ? cmn_go_json_float(c[i].v, out) : cmn_go_format_float(c[i].v, fmt, out);
        assert_string_equal(out, c[i].want);
        assert_int_equal(l, strlen(c[i].want));
    }
}

static void format_g(void **state)
{
    static const struct fcase cases[] = {
        {1.5e6, "1.5e+06"},   {12345, "12345"},       {0, "0"},
        {-0.0, "-0"},         {0.0031, "0.0031"},     {1e21, "1e+21"},
        {123456, "123456"},   {1234567, "1.234567e+06"}, {0.0001, "0.0001"},
        {0.00001, "1e-05"},   {-2.5, "-2.5"},         {100, "100"},
        {1e6, "1e+06"},       {0.1 + 0.2, "0.30000000000000004"},
        {5e-324, "5e-324"},   {1.7976931348623157e308, "1.7976931348623157e+308"},
        {1048576, "1.048576e+06"}, {524288, "524288"}, {0.075, "0.075"},
        {NAN, "NaN"},         {INFINITY, "+Inf"},     {-INFINITY, "-Inf"},
    };

    (void)state;
    check(cases, sizeof(cases) / sizeof(cases[0]), 'g');
}

static void format_e_f(void **state)
{
    static const struct fcase e[] = {{1500000, "1.5e+06"}, {0.5, "5e-01"}, {-1, "-1e+00"}};
    static const struct fcase f[] = {
        {1.5e6, "1500000"}, {0.0031, "0.0031"}, {1e21, "1000000000000000000000"},
        {1e-7, "0.0000001"}, {-12.25, "-12.25"}, {3, "3"},
    };
    char out[CMN_GO_FLOAT_MAX];

    (void)state;
    check(e, sizeof(e) / sizeof(e[0]), 'e');
    check(f, sizeof(f) / sizeof(f[0]), 'f');
    /* the longest 'f' text fits the documented room */
    assert_int_equal(cmn_go_format_float(5e-324, 'f', out), 326);
    assert_memory_equal(out, "0.000", 5);
    assert_string_equal(out + 322, "0005"); /* "0." then 323 zeros, then the one digit */
}

static void format_json(void **state)
{
    static const struct fcase cases[] = {
        {1e21, "1e+21"},     {1e-7, "1e-7"},   {1.5e-7, "1.5e-7"},  {123.45, "123.45"},
        {1e20, "100000000000000000000"},       {0.000001, "0.000001"}, {-0.0, "-0"},
        {1735689600, "1735689600"},            {1e-10, "1e-10"},   {NAN, "null"},
    };

    (void)state;
    check(cases, sizeof(cases) / sizeof(cases[0]), 'j');
}

/* The three forms side by side ('g', 'f', json) on the values the telemetry outputs print. */
static void forms_side_by_side(void **state)
{
    static const struct {
        double v;
        const char *g, *f, *j;
    } cases[] = {
        {1, "1", "1", "1"},
        {0.01, "0.01", "0.01", "0.01"},
        {1048576, "1.048576e+06", "1048576", "1048576"},
        {0.00001, "1e-05", "0.00001", "0.00001"},
        {1e-7, "1e-07", "0.0000001", "1e-7"},
        {123456789, "1.23456789e+08", "123456789", "123456789"},
    };
    char b[CMN_GO_FLOAT_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cmn_go_format_float(cases[i].v, 'g', b);
        assert_string_equal(b, cases[i].g);
        cmn_go_format_float(cases[i].v, 'f', b);
        assert_string_equal(b, cases[i].f);
        cmn_go_json_float(cases[i].v, b);
        assert_string_equal(b, cases[i].j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_g),
        cmocka_unit_test(format_e_f),
        cmocka_unit_test(format_json),
        cmocka_unit_test(forms_side_by_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
